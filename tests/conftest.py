"""Shared fixtures.

camsync is imported first, before any Home Assistant fixture runs, so Home Assistant's loader
finds this repository's ``custom_components`` and not the test package's own.
"""

from __future__ import annotations

import pytest

import custom_components.camsync  # noqa: F401  (import order matters, see above)


@pytest.fixture(autouse=True)
def _loopback_sockets(socket_enabled: None) -> None:
    """Allow real sockets: every camera in these tests is a simulator on 127.0.0.1."""
