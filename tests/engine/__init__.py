"""Tests for engine."""
