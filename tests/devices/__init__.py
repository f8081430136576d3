"""Tests for devices."""
