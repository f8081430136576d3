"""Home Assistant custom components (only camsync lives here)."""
