"""The snapshot schedule's clock is the archive: setup takes one, a reload does not restart it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from camera_simulators.reolink import ReolinkSimulator
from custom_components.camsync.const import CONF_SNAPSHOT_INTERVAL, CONF_SNAPSHOT_MODE
from tests.ha.conftest import reolink_entry
from tests.reolink_fixtures import reolink_simulator

INTERVAL = timedelta(minutes=30)


@pytest.fixture
async def reolink() -> AsyncIterator[ReolinkSimulator]:
    async with reolink_simulator() as simulator:
        yield simulator


@pytest.fixture
def destination(media: Path) -> Path:
    return media / "front_yard"


def _shots(destination: Path) -> list[str]:
    return sorted(path.name for path in (destination / "snapshots").rglob("*.jpg"))


async def _tick(hass: HomeAssistant, freezer: FrozenDateTimeFactory, when: datetime) -> None:
    freezer.move_to(when)
    async_fire_time_changed(hass, when)
    await hass.async_block_till_done(wait_background_tasks=True)


async def _set_up_now(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    reolink: ReolinkSimulator,
    destination: Path,
) -> tuple[MockConfigEntry, datetime]:
    """Freeze the clock and set up a camera with 30-minute snapshots; return it and the time."""
    start = dt_util.utcnow().replace(microsecond=0)
    freezer.move_to(start)
    entry = reolink_entry(reolink, destination, options={CONF_SNAPSHOT_INTERVAL: 30})
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry, start


async def _change_options(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Change an unrelated option through the options dialog, which reloads the entry."""
    result = await hass.config_entries.options.async_init(entry.entry_id)
    answer = {
        name: {
            str(key): key.description["suggested_value"]
            for key in section.schema.schema
            if key.description and "suggested_value" in key.description
        }
        for name, section in ((str(k), v) for k, v in result["data_schema"].schema.items())
    }
    answer["storage"]["retention_days"] = 14
    result = await hass.config_entries.options.async_configure(result["flow_id"], answer)
    assert result["type"] == "create_entry"
    await hass.async_block_till_done(wait_background_tasks=True)


async def test_a_snapshot_right_after_setup_then_every_interval(
    hass: HomeAssistant,
    reolink: ReolinkSimulator,
    destination: Path,
    freezer: FrozenDateTimeFactory,
) -> None:
    entry, start = await _set_up_now(hass, freezer, reolink, destination)

    assert len(_shots(destination)) == 1
    assert entry.runtime_data.coordinator.snapshots.next_due == start + INTERVAL
    await _tick(hass, freezer, start + INTERVAL - timedelta(seconds=1))
    assert len(_shots(destination)) == 1
    await _tick(hass, freezer, start + INTERVAL)
    assert len(_shots(destination)) == 2


async def test_an_options_change_keeps_the_next_snapshot_due_when_it_was(
    hass: HomeAssistant,
    reolink: ReolinkSimulator,
    destination: Path,
    freezer: FrozenDateTimeFactory,
) -> None:
    entry, start = await _set_up_now(hass, freezer, reolink, destination)
    assert len(_shots(destination)) == 1

    freezer.move_to(start + timedelta(minutes=20))
    await _change_options(hass, entry)  # reloads the entry 20 minutes into the interval

    assert entry.options["retention_days"] == 14
    assert len(_shots(destination)) == 1  # not due yet: no snapshot at the reload
    assert entry.runtime_data.coordinator.snapshots.next_due == start + INTERVAL
    await _tick(hass, freezer, start + INTERVAL)  # due when it was, not 30 min after the reload
    assert len(_shots(destination)) == 2


async def test_a_restart_after_a_missed_snapshot_takes_one_at_once(
    hass: HomeAssistant,
    reolink: ReolinkSimulator,
    destination: Path,
    freezer: FrozenDateTimeFactory,
) -> None:
    entry, start = await _set_up_now(hass, freezer, reolink, destination)
    assert await hass.config_entries.async_unload(entry.entry_id)

    later = start + timedelta(hours=2)  # Home Assistant was down when the next one was due
    freezer.move_to(later)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    assert len(_shots(destination)) == 2
    assert entry.runtime_data.coordinator.snapshots.next_due == later + INTERVAL


async def test_no_snapshot_while_the_schedule_is_off(
    hass: HomeAssistant, reolink: ReolinkSimulator, destination: Path
) -> None:
    entry = reolink_entry(reolink, destination, options={CONF_SNAPSHOT_MODE: "off"})
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    assert not (destination / "snapshots").exists() or _shots(destination) == []
    assert entry.runtime_data.coordinator.snapshots.next_due is None
    assert reolink.count("Snap") == 0
