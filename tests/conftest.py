"""Shared fixtures.

camsync is imported first, before any Home Assistant fixture runs, so Home Assistant's loader
finds this repository's ``custom_components`` and not the test package's own.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from camera_simulators.reolink import ReolinkSimulator
import custom_components.camsync  # noqa: F401  (import order matters, see above)
from tests.reolink_fixtures import reolink_simulator
from tests.s3server.fixtures import admin, bucket, s3_proxy, s3_server  # noqa: F401  (fixtures)


@pytest.fixture(autouse=True)
def _loopback_sockets(socket_enabled: None) -> None:
    """Allow real sockets: every camera in these tests is a simulator on 127.0.0.1."""


@pytest.fixture
async def reolink_sim() -> AsyncIterator[ReolinkSimulator]:
    """Return a running simulated Reolink camera whose clock stands at REOLINK_NOW."""
    async with reolink_simulator() as simulator:
        yield simulator
