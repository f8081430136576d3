"""Tests for camsync."""
