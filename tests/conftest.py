"""Shared fixtures.

camsync is imported first, before any Home Assistant fixture runs, so Home Assistant's loader
finds this repository's ``custom_components`` and not the test package's own.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
import logging

import pytest

from camera_simulators.reolink import ReolinkSimulator
import custom_components.camsync  # noqa: F401  (import order matters, see above)
from tests.deprecation_reports import DeprecationReports
from tests.reolink_fixtures import reolink_simulator
from tests.s3server.fixtures import admin, bucket, s3_proxy, s3_server  # noqa: F401  (fixtures)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the end-to-end tests last.

    The fast tests report first, and the clean-install test's venv, which scripts/test makes in
    the background meanwhile, is ready by the time that test runs.
    """
    items.sort(key=lambda item: item.get_closest_marker("e2e") is not None)


@pytest.fixture(autouse=True)
def _loopback_sockets(socket_enabled: None) -> None:
    """Allow real sockets: every camera in these tests is a simulator on 127.0.0.1."""


@pytest.fixture(autouse=True)
def deprecation_reports() -> Iterator[DeprecationReports]:
    """Fail the test when Home Assistant reports a deprecated call made by camsync.

    Home Assistant logs such a call ("Detected that custom integration 'camsync' calls …",
    "The deprecated constant … was used from camsync") and keeps running, so without this check
    a call that breaks in a later release goes unnoticed. A test that makes one on purpose takes
    this fixture and calls ``expect`` on what it caused.
    """
    reports = DeprecationReports()
    root = logging.getLogger()
    root.addHandler(reports)
    try:
        yield reports
    finally:
        root.removeHandler(reports)
    reports.verify()


@pytest.fixture
async def reolink_sim() -> AsyncIterator[ReolinkSimulator]:
    """Return a running simulated Reolink camera whose clock stands at REOLINK_NOW."""
    async with reolink_simulator() as simulator:
        yield simulator
