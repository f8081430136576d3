"""End-to-end tests: a real Home Assistant and its UI in a real browser."""
