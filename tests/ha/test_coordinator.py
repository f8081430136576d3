"""The coordinator's jobs at their edges: a camera that answers nonsense, retention's own paths."""

from __future__ import annotations

from datetime import timedelta
import logging
from pathlib import Path
import shutil
import socket
from typing import Any
from unittest.mock import patch

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from camera_simulators.blackvue import BlackVueSimulator
from custom_components.camsync.const import CONF_RETENTION_DAYS
from custom_components.camsync.engine.errors import ProtocolError
from custom_components.camsync.identity import async_resolve
from tests.blackvue_fixtures import archived
from tests.ha.conftest import blackvue_entry, call_action, reolink_entry, state_of, sync_and_wait

PENDING = "sensor.dashcam_pending_downloads"


async def _tick(hass: HomeAssistant, minutes: int = 11) -> None:
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(minutes=minutes))
    await hass.async_block_till_done(wait_background_tasks=True)


async def test_a_camera_answering_nonsense_is_logged_and_keeps_its_last_count(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    dashcam: BlackVueSimulator,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def nonsense(**kwargs: Any) -> None:
        raise ProtocolError("/vodList did not answer JSON")

    monkeypatch.setattr(entry.runtime_data.client, "async_list_recordings", nonsense)
    await _tick(hass)

    assert "answered in a way camsync does not understand" in caplog.text
    assert state_of(hass, PENDING) == str(len(dashcam.listed_names()))  # the last count stays
    assert state_of(hass, "sensor.dashcam_sync_status") == "idle"


async def test_keeping_everything_still_rescans_hourly(
    hass: HomeAssistant, dashcam: BlackVueSimulator, destination: Path
) -> None:
    entry = blackvue_entry(dashcam, destination, **{CONF_RETENTION_DAYS: 0})
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await sync_and_wait(hass, entry)
    name = dashcam.listed_names()[0]
    archived(destination)[name].unlink()

    await _tick(hass, 61)

    assert entry.runtime_data.coordinator.data.archive.remembered_deletions == 1
    assert (await sync_and_wait(hass, entry))["saved"] == []


async def test_retention_that_fails_is_logged_and_tried_again(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def broken(*args: Any, **kwargs: Any) -> None:
        raise OSError("input/output error")

    monkeypatch.setattr(entry.runtime_data.archive, "prune", broken)
    await _tick(hass, 61)
    assert "Retention for Dashcam failed: input/output error" in caplog.text


async def test_prune_of_a_folder_that_became_a_file_is_a_translated_error(
    hass: HomeAssistant, entry: MockConfigEntry, destination: Path
) -> None:
    shutil.rmtree(destination)
    destination.write_text("not a folder")
    with pytest.raises(HomeAssistantError) as raised:
        await call_action(hass, "prune", config_entry_id=entry.entry_id, older_than_days=1)
    assert raised.value.translation_key == "destination_not_writable"


async def test_a_scheduled_snapshot_that_fails_is_logged(
    hass: HomeAssistant,
    reolink_sim: Any,
    media: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)
    entry = reolink_entry(reolink_sim, media / "front_yard")
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    reolink_sim.faults.snap_fails = True

    await _tick(hass, 6)

    assert "Scheduled snapshot of Front yard failed" in caplog.text


async def test_a_name_that_does_not_resolve(hass: HomeAssistant) -> None:
    assert await async_resolve(hass, "::1") == "::1"
    with patch("socket.getaddrinfo", side_effect=socket.gaierror("no such name")):
        assert await async_resolve(hass, "dashcam.invalid") is None
