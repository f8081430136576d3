"""Fixtures for engine tests: a simulated dashcam on loopback, a client, an archive folder."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC
from pathlib import Path

import aiohttp
import pytest

from camera_simulators.blackvue import BlackVueSimulator
from custom_components.camsync.devices.blackvue import BlackVueClient
from custom_components.camsync.engine.archive import Archive
from tests.blackvue_fixtures import sample_recordings


@pytest.fixture
async def dashcam() -> AsyncIterator[BlackVueSimulator]:
    """Return a running simulated dashcam with four two-channel recordings."""
    async with BlackVueSimulator(sample_recordings()) as simulator:
        yield simulator


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    """Return an HTTP session, closed after the test."""
    async with aiohttp.ClientSession() as client_session:
        yield client_session


@pytest.fixture
def client(dashcam: BlackVueSimulator, session: aiohttp.ClientSession) -> BlackVueClient:
    """Return a client for the simulated dashcam, with short timeouts."""
    return BlackVueClient(
        session, f"127.0.0.1:{dashcam.port}", tz=UTC, connect_timeout=2.0, read_timeout=0.5
    )


@pytest.fixture
def destination(tmp_path: Path) -> Path:
    """Return the destination folder (not created yet)."""
    return tmp_path / "archive"


@pytest.fixture
def archive(destination: Path) -> Archive:
    """Return the recordings tree of the destination."""
    return Archive(destination, "recordings")
