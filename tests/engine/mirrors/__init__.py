"""Tests of the mirrors (engine side)."""
