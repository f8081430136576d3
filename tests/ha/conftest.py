"""Fixtures for Home Assistant tests: a real Home Assistant, a simulated camera on loopback."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from homeassistant.const import (
    CONF_HOST,
    CONF_PASSWORD,
    CONF_PORT,
    CONF_USERNAME,
    MAJOR_VERSION,
    MINOR_VERSION,
)
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension
from syrupy.assertion import SnapshotAssertion
from syrupy.location import PyTestLocation

from camera_simulators.blackvue import BlackVueSimulator, make_recordings
from camera_simulators.reolink import ReolinkSimulator
from camera_simulators.route import DashcamGps
from custom_components.camsync.connection import dashcam_time_zone
from custom_components.camsync.const import (
    CONF_AUTO_SYNC,
    CONF_CAMERA_ID,
    CONF_CHANNEL,
    CONF_DESTINATION,
    CONF_KIND,
    CONF_SNAPSHOT_INTERVAL,
    CONF_USE_HTTPS,
    DOMAIN,
    CameraKind,
)
from custom_components.camsync.devices.reolink import normalise_mac
from custom_components.camsync.migration import VERSION
from custom_components.camsync.settings import default_options
from tests.reolink_fixtures import REOLINK_PASSWORD


@pytest.fixture(autouse=True)
def _custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load camsync from this repository."""


@pytest.fixture
def media(hass: HomeAssistant, tmp_path: Path) -> Path:
    """Point Home Assistant's media folder (and its allowlist) into the test's folder."""
    folder = tmp_path / "media"
    folder.mkdir()
    hass.config.media_dirs = {"local": str(folder)}
    hass.config.allowlist_external_dirs = {str(folder)}
    return folder


@pytest.fixture
def nas_root(hass: HomeAssistant, media: Path, tmp_path: Path) -> Path:
    """Return a folder outside the media folder that Home Assistant may use (a NAS share)."""
    folder = tmp_path / "nas"
    hass.config.allowlist_external_dirs = {str(media), str(folder)}
    return folder


def dashcam_now() -> datetime:
    """Return the dashcam's wall-clock time now (a fixed offset, no DST), naive."""
    return datetime.now(dashcam_time_zone()).replace(tzinfo=None, microsecond=0)


@pytest.fixture
async def dashcam() -> AsyncIterator[BlackVueSimulator]:
    """Return a simulated dashcam with three two-channel recordings from the last hour.

    The car stood at home all along (no trips, whatever the time of day the test runs at).
    """
    recordings = make_recordings(
        3, start=dashcam_now() - timedelta(minutes=50), step=timedelta(minutes=10)
    )
    async with BlackVueSimulator(recordings, gps=DashcamGps(drive=False)) as simulator:
        yield simulator


def blackvue_entry(
    dashcam: BlackVueSimulator, destination: Path, *, entry_id: str | None = None, **options: Any
) -> MockConfigEntry:
    """Return a config entry for the simulated dashcam (auto-sync off unless asked)."""
    host = f"127.0.0.1:{dashcam.port}"
    return MockConfigEntry(
        domain=DOMAIN,
        entry_id=entry_id,
        version=VERSION,
        title="Dashcam",
        unique_id=host,
        data={
            CONF_KIND: CameraKind.BLACKVUE.value,
            CONF_HOST: host,
            CONF_DESTINATION: str(destination),
        },
        options=default_options(CameraKind.BLACKVUE) | {CONF_AUTO_SYNC: False} | options,
    )


@pytest.fixture
def destination(media: Path) -> Path:
    """Return the archive folder of the test camera."""
    return media / "camsync" / "dashcam"


@pytest.fixture
async def entry(
    hass: HomeAssistant, dashcam: BlackVueSimulator, destination: Path
) -> MockConfigEntry:
    """Return the dashcam's entry, set up."""
    config_entry = blackvue_entry(dashcam, destination)
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    return config_entry


async def wait_for(condition: Any, timeout: float = 10.0, interval: float = 0.02) -> None:
    """Poll ``condition()`` on the event loop until it is true (fail after ``timeout``)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        await asyncio.sleep(interval)


def state_of(hass: HomeAssistant, entity_id: str) -> str:
    """Return an entity's state (fail when it does not exist)."""
    state = hass.states.get(entity_id)
    assert state is not None, entity_id
    return state.state


async def call_action(hass: HomeAssistant, action: str, **data: Any) -> Any:
    """Call a camsync action and return its response (after the calls it triggers settle)."""
    response = await hass.services.async_call(
        DOMAIN, action, data, blocking=True, return_response=True
    )
    await hass.async_block_till_done()
    return response


async def sync_and_wait(hass: HomeAssistant, entry: MockConfigEntry) -> Any:
    """Run ``camsync.sync`` on an entry, wait for it, and return the report."""
    return await call_action(hass, "sync", config_entry_id=entry.entry_id, wait=True)


async def set_up_and_sync(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Add and set up an entry, then sync it once to the end."""
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert (await sync_and_wait(hass, entry))["outcome"] == "completed"


def reolink_entry(
    simulator: ReolinkSimulator,
    destination: Path,
    *,
    options: dict[str, Any] | None = None,
    entry_id: str | None = None,
    **data: Any,
) -> MockConfigEntry:
    """Return a config entry for a simulated Reolink camera (data and options overridable).

    Auto-sync is off and snapshots come every 5 minutes unless ``options`` say otherwise.
    """
    return MockConfigEntry(
        domain=DOMAIN,
        entry_id=entry_id,
        version=VERSION,
        title="Front yard",
        unique_id=normalise_mac(simulator.mac),
        data={
            CONF_KIND: CameraKind.REOLINK.value,
            CONF_CAMERA_ID: normalise_mac(simulator.mac),
            CONF_HOST: simulator.host,
            CONF_PORT: simulator.port,
            CONF_USE_HTTPS: False,
            CONF_USERNAME: "admin",
            CONF_PASSWORD: REOLINK_PASSWORD,
            CONF_CHANNEL: 0,
            CONF_DESTINATION: str(destination),
        }
        | data,
        options=default_options(CameraKind.REOLINK)
        | {CONF_AUTO_SYNC: False, CONF_SNAPSHOT_INTERVAL: 5}
        | (options or {}),
    )


class ReleaseSnapshots(HomeAssistantSnapshotExtension):
    """Snapshots kept per Home Assistant release (snapshots-<major>.<minor>/, beside the tests).

    Each release's test plugin brings its own syrupy (5 with 2026.2, 6 with 2026.10), whose files
    the other cannot read, and registry entries gain fields between releases.
    """

    @classmethod
    def dirname(cls, *, test_location: PyTestLocation) -> str:
        """Return the snapshot folder of the release under test."""
        # Not under the plugin's snapshots/: syrupy would call the other release's files unused.
        base = Path(super().dirname(test_location=test_location))
        return str(base.with_name(f"snapshots-{MAJOR_VERSION}.{MINOR_VERSION}"))


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Return the snapshot assertion with the release's own snapshot folder."""
    return snapshot.use_extension(ReleaseSnapshots)
