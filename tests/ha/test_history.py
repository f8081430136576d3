"""Last successful sync and Last attempt: separate, and known again after a restart.

Also the migration of the old "Last sync" sensor (its entity id is kept) and of the archive
size's unit (registered in GB by older camsync).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from camera_simulators.blackvue import BlackVueSimulator
from custom_components.camsync.const import DOMAIN
from custom_components.camsync.identity import device_key
from tests.ha.conftest import blackvue_entry, state_of, sync_and_wait

SUCCESS = "sensor.dashcam_last_successful_sync"
ATTEMPT = "sensor.dashcam_last_attempt"


def _time(hass: HomeAssistant, entity_id: str) -> Any:
    return dt_util.parse_datetime(state_of(hass, entity_id))


async def _restart(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Unload the entry and set it up again (what a restart does to it)."""
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()


async def test_a_failed_run_moves_only_the_last_attempt_and_both_survive_a_restart(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    dashcam: BlackVueSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    assert state_of(hass, SUCCESS) == STATE_UNKNOWN
    assert state_of(hass, ATTEMPT) == STATE_UNKNOWN
    await sync_and_wait(hass, entry)
    succeeded = _time(hass, SUCCESS)
    assert succeeded is not None
    assert _time(hass, ATTEMPT) == succeeded

    freezer.tick(timedelta(minutes=5))
    await dashcam.stop()  # the car drove off
    with pytest.raises(ServiceValidationError):
        await sync_and_wait(hass, entry)
    attempted = _time(hass, ATTEMPT)
    assert attempted > succeeded
    assert _time(hass, SUCCESS) == succeeded  # "Last sync" used to move here

    freezer.tick(timedelta(seconds=10))  # the history is written a few seconds later
    await hass.async_block_till_done()
    await _restart(hass, entry)

    assert _time(hass, SUCCESS) == succeeded  # "Last sync" used to be unknown after a restart
    assert _time(hass, ATTEMPT) == attempted


async def test_the_history_is_read_from_storage_at_setup(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    dashcam: BlackVueSimulator,
    destination: Path,
) -> None:
    entry = blackvue_entry(dashcam, destination, entry_id="01JHISTORY00000000000000000")
    hass_storage[f"{DOMAIN}.{entry.entry_id}.history"] = {
        "version": 1,
        "minor_version": 1,
        "key": f"{DOMAIN}.{entry.entry_id}.history",
        "data": {
            "last_success": "2026-11-20T08:00:00+00:00",
            "last_attempt": "2026-11-20T09:00:00+00:00",
            "last_outcome": "offline",
        },
    }
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    assert state_of(hass, SUCCESS) == "2026-11-20T08:00:00+00:00"
    assert state_of(hass, ATTEMPT) == "2026-11-20T09:00:00+00:00"

    assert await hass.config_entries.async_remove(entry.entry_id)
    await hass.async_block_till_done()
    assert f"{DOMAIN}.{entry.entry_id}.history" not in hass_storage


async def test_the_old_last_sync_sensor_keeps_its_entity_id(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    dashcam: BlackVueSimulator,
    destination: Path,
) -> None:
    entry = blackvue_entry(dashcam, destination)
    entry.add_to_hass(hass)
    assert entry.minor_version == 1  # stored by camsync before the controls came
    key = device_key(entry)
    old = entity_registry.async_get_or_create(
        "sensor", DOMAIN, f"{key}_last_sync", config_entry=entry, suggested_object_id="car_synced"
    )
    size = entity_registry.async_get_or_create(
        "sensor",
        DOMAIN,
        f"{key}_archive_size",
        config_entry=entry,
        suggested_object_id="car_archive",
        get_initial_options=lambda: {"sensor.private": {"suggested_unit_of_measurement": "GB"}},
        unit_of_measurement="GB",
    )

    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    await sync_and_wait(hass, entry)

    assert entry.minor_version == 2
    migrated = entity_registry.async_get(old.entity_id)
    assert migrated is not None
    assert migrated.entity_id == "sensor.car_synced"
    assert migrated.unique_id == f"{key}_last_success"
    assert _time(hass, "sensor.car_synced") is not None
    assert hass.states.get(SUCCESS) is None  # no second sensor beside it
    assert _time(hass, ATTEMPT) is not None  # the new one
    archive = hass.states.get(size.entity_id)
    assert archive.attributes["unit_of_measurement"] == "MB"  # not "0.01 GB"
    assert float(archive.state) > 1  # MB
