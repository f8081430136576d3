"""The switches: Automatic sync and Scheduled snapshots change the options in place.

In place means no reload: the entry is not set up again, and the snapshot schedule keeps its
clock.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.switch import DOMAIN as SWITCH_DOMAIN
from homeassistant.const import (
    ATTR_ENTITY_ID,
    SERVICE_TURN_OFF,
    SERVICE_TURN_ON,
    Platform,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
    snapshot_platform,
)
from syrupy.assertion import SnapshotAssertion

from camera_simulators.blackvue import BlackVueSimulator, make_recordings
from camera_simulators.reolink import ReolinkSimulator
from custom_components.camsync.const import (
    CONF_AUTO_SYNC,
    CONF_SNAPSHOT_MODE,
    CONF_SNAPSHOT_RESUME,
)
from tests.blackvue_fixtures import archived
from tests.ha.conftest import blackvue_entry, dashcam_now, reolink_entry, state_of
from tests.reolink_fixtures import reolink_simulator

AUTO_SYNC = "switch.dashcam_automatic_sync"
SNAPSHOTS = "switch.front_yard_scheduled_snapshots"


async def _switch(hass: HomeAssistant, entity_id: str, *, on: bool) -> None:
    await hass.services.async_call(
        SWITCH_DOMAIN,
        SERVICE_TURN_ON if on else SERVICE_TURN_OFF,
        {ATTR_ENTITY_ID: entity_id},
        blocking=True,
    )
    await hass.async_block_till_done(wait_background_tasks=True)


async def _setup(hass: HomeAssistant, entry: MockConfigEntry) -> MockConfigEntry:
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    return entry


@pytest.fixture
async def reolink() -> AsyncIterator[ReolinkSimulator]:
    async with reolink_simulator() as simulator:
        yield simulator


def _snapshots(destination: Path) -> list[Path]:
    return sorted((destination / "snapshots").rglob("*.jpg"))


async def test_switch_entities(
    hass: HomeAssistant,
    media: Path,
    dashcam: BlackVueSimulator,
    reolink: ReolinkSimulator,
    snapshot: SnapshotAssertion,
    entity_registry: er.EntityRegistry,
) -> None:
    """A dashcam has no snapshot schedule, so no snapshot switch; a Reolink camera has both."""
    with patch("custom_components.camsync.PLATFORMS", [Platform.SWITCH]):
        dashcam_entry = await _setup(
            hass,
            blackvue_entry(dashcam, media / "dashcam", entry_id="01JBLACKVUE0000000000000000"),
        )
        camera_entry = await _setup(
            hass,
            reolink_entry(reolink, media / "front_yard", entry_id="01JREOLINK00000000000000000"),
        )
        await snapshot_platform(hass, entity_registry, snapshot, dashcam_entry.entry_id)
        await snapshot_platform(hass, entity_registry, snapshot, camera_entry.entry_id)
    assert hass.states.get("switch.dashcam_scheduled_snapshots") is None


async def test_automatic_sync_off_and_on_without_a_reload(
    hass: HomeAssistant, dashcam: BlackVueSimulator, destination: Path
) -> None:
    entry = await _setup(hass, blackvue_entry(dashcam, destination, **{CONF_AUTO_SYNC: True}))
    assert state_of(hass, AUTO_SYNC) == "on"
    assert set(dashcam.listed_names()) <= set(archived(destination))  # the first look synced
    coordinator = entry.runtime_data.coordinator

    await _switch(hass, AUTO_SYNC, on=False)
    assert state_of(hass, AUTO_SYNC) == "off"
    assert entry.options[CONF_AUTO_SYNC] is False
    assert entry.runtime_data.coordinator is coordinator  # not reloaded
    # One new recording, a front and a rear video.
    dashcam.recordings.extend(make_recordings(1, start=dashcam_now() - timedelta(minutes=5)))
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(minutes=11))
    await hass.async_block_till_done(wait_background_tasks=True)
    assert state_of(hass, "sensor.dashcam_pending_downloads") == "2"  # seen, not fetched

    await _switch(hass, AUTO_SYNC, on=True)  # looks at the camera at once, and syncs
    assert entry.options[CONF_AUTO_SYNC] is True
    assert entry.runtime_data.coordinator is coordinator
    assert state_of(hass, "sensor.dashcam_pending_downloads") == "0"
    assert set(dashcam.listed_names()) <= set(archived(destination))


async def test_scheduled_snapshots_off_and_back_on_keep_their_clock(
    hass: HomeAssistant,
    reolink: ReolinkSimulator,
    media: Path,
    freezer: FrozenDateTimeFactory,
) -> None:
    destination = media / "front_yard"
    freezer.move_to(dt_util.now().replace(minute=20, second=0, microsecond=0))
    entry = await _setup(
        hass, reolink_entry(reolink, destination, options={CONF_SNAPSHOT_MODE: "hourly"})
    )
    schedule = entry.runtime_data.coordinator.snapshots
    assert len(_snapshots(destination)) == 1  # right after setup
    due = schedule.next_due
    assert due is not None
    assert dt_util.as_local(due).minute == 0

    await _switch(hass, SNAPSHOTS, on=False)
    assert state_of(hass, SNAPSHOTS) == "off"
    assert entry.options[CONF_SNAPSHOT_MODE] == "off"
    assert entry.options[CONF_SNAPSHOT_RESUME] == "hourly"
    freezer.move_to(due)
    async_fire_time_changed(hass, due)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert len(_snapshots(destination)) == 1  # off: none at the hour

    freezer.tick(timedelta(minutes=10))
    await _switch(hass, SNAPSHOTS, on=True)
    assert entry.options[CONF_SNAPSHOT_MODE] == "hourly"  # back in the mode it had
    # The hour's snapshot was missed while off: one now, then on the next hour.
    assert len(_snapshots(destination)) == 2
    assert schedule.next_due == due + timedelta(hours=1)
    assert entry.runtime_data.coordinator.snapshots is schedule  # not reloaded
