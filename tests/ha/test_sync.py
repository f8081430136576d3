"""Syncing inside Home Assistant: sensors, events, a camera that leaves and comes back."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
import logging
from pathlib import Path
from unittest.mock import patch

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
import psutil
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
)

from camera_simulators.blackvue import BlackVueSimulator
from custom_components.camsync.connection import dashcam_time_zone
from custom_components.camsync.const import (
    CONF_AUTO_SYNC,
    EVENT_FILE_SAVED,
    EVENT_SYNC_FINISHED,
)
from tests.blackvue_fixtures import archived, partial_of, sha256_file
from tests.ha.conftest import blackvue_entry, call_action, state_of, sync_and_wait, wait_for

PENDING = "sensor.dashcam_pending_downloads"
STATUS = "sensor.dashcam_sync_status"
PROGRESS = "sensor.dashcam_sync_progress"
LAST_CAPTURE = "sensor.dashcam_last_capture"
LAST_SUCCESS = "sensor.dashcam_last_successful_sync"
LAST_ATTEMPT = "sensor.dashcam_last_attempt"
FREE_DISK = "sensor.dashcam_free_disk_space"
ARCHIVE_SIZE = "sensor.dashcam_archive_size"


async def test_entities_before_any_sync(
    hass: HomeAssistant, entry: MockConfigEntry, dashcam: BlackVueSimulator
) -> None:
    assert entry.state is ConfigEntryState.LOADED
    assert state_of(hass, PENDING) == str(len(dashcam.listed_names()))
    pending = hass.states.get(PENDING)
    assert pending.attributes["pending_files"] > len(dashcam.listed_names())  # + sidecars
    assert pending.attributes["pending_bytes"] is None  # BlackVue states no sizes
    # A count has no unit: Home Assistant has no plural forms for units ("1 recordings").
    assert "unit_of_measurement" not in pending.attributes
    assert state_of(hass, STATUS) == "idle"
    assert state_of(hass, LAST_CAPTURE) == "unknown"
    assert float(state_of(hass, FREE_DISK)) > 0
    assert hass.states.get("sensor.dashcam_pending_download_size") is None
    assert state_of(hass, "camera.dashcam") == "idle"


async def test_a_sync_archives_files_moves_sensors_and_fires_events(
    hass: HomeAssistant, entry: MockConfigEntry, dashcam: BlackVueSimulator, destination: Path
) -> None:
    saved_events = async_capture_events(hass, EVENT_FILE_SAVED)
    finished_events = async_capture_events(hass, EVENT_SYNC_FINISHED)
    progress_seen: list[str] = []
    hass.bus.async_listen(
        "state_changed",
        lambda event: progress_seen.append(event.data["new_state"].state)
        if event.data["entity_id"] == PROGRESS
        else None,
    )

    response = await sync_and_wait(hass, entry)

    assert response["outcome"] == "completed"
    files = archived(destination / "recordings")
    assert set(dashcam.listed_names()) <= set(files)
    for name, path in files.items():
        assert sha256_file(path) == dashcam.expected_sha256(name)
    assert response["saved_files"] == len(files)
    assert state_of(hass, PENDING) == "0"
    assert state_of(hass, STATUS) == "idle"
    assert state_of(hass, PROGRESS) == "100.0"
    assert "100.0" in progress_seen
    newest = max(dashcam.listed_names())
    newest_time = datetime.strptime(newest[:15], "%Y%m%d_%H%M%S").replace(
        tzinfo=dashcam_time_zone()
    )
    assert dt_util.parse_datetime(state_of(hass, LAST_CAPTURE)) == newest_time
    assert dt_util.parse_datetime(state_of(hass, LAST_SUCCESS)) is not None
    assert state_of(hass, LAST_ATTEMPT) == state_of(hass, LAST_SUCCESS)
    assert float(state_of(hass, ARCHIVE_SIZE)) > 0

    assert len(saved_events) == len(files)
    video = next(event.data for event in saved_events if event.data["name"] == newest)
    assert video["entry_id"] == entry.entry_id
    assert video["device_id"] is not None
    assert video["role"] == "video"
    assert video["path"] == str(files[newest])
    assert video["size"] == files[newest].stat().st_size
    assert dt_util.parse_datetime(video["recorded"]) == newest_time
    assert [event.data["outcome"] for event in finished_events] == ["completed"]
    assert finished_events[0].data["saved_files"] == len(files)


async def test_auto_sync_starts_on_the_interval(
    hass: HomeAssistant, dashcam: BlackVueSimulator, destination: Path
) -> None:
    entry = blackvue_entry(dashcam, destination, **{CONF_AUTO_SYNC: True})
    entry.add_to_hass(hass)
    finished = async_capture_events(hass, EVENT_SYNC_FINISHED)

    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)

    assert [event.data["outcome"] for event in finished] == ["completed"]
    assert set(dashcam.listed_names()) <= set(archived(destination))
    # New recordings appear on the camera; the next tick fetches them.
    from camera_simulators.blackvue import SimRecording

    dashcam.recordings.append(SimRecording("20301231_235900_EF.mp4", 1234))
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(minutes=11))
    await hass.async_block_till_done(wait_background_tasks=True)
    await wait_for(lambda: len(finished) == 2)
    assert "20301231_235900_EF.mp4" in archived(destination)


async def test_camera_leaving_mid_sync_then_returning(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    dashcam: BlackVueSimulator,
    destination: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="custom_components.camsync")
    dashcam.faults.throughput = 3_000_000
    dashcam.faults.go_away_after_bytes = 500_000

    first = await call_action(hass, "sync", config_entry_id=entry.entry_id)
    assert first["started"] is True
    await hass.async_block_till_done(wait_background_tasks=True)

    assert state_of(hass, STATUS) == "offline"
    assert state_of(hass, PENDING) == STATE_UNAVAILABLE
    assert state_of(hass, LAST_CAPTURE) != STATE_UNAVAILABLE  # local facts stay
    away_lines = [r for r in caplog.records if "is not reachable" in r.getMessage()]
    assert len(away_lines) == 1
    assert away_lines[0].levelno == logging.INFO
    assert not any(
        r.levelno >= logging.ERROR for r in caplog.records if r.name.startswith("custom_components")
    )
    partials = list((destination / ".camsync" / "partial").glob("*.part"))
    assert len(partials) == 1
    kept = partials[0].stat().st_size
    assert kept > 0

    # More ticks while away: still one log line.
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(minutes=11))
    await hass.async_block_till_done(wait_background_tasks=True)
    assert len([r for r in caplog.records if "is not reachable" in r.getMessage()]) == 1

    await dashcam.restart()
    response = await sync_and_wait(hass, entry)

    assert response["outcome"] == "completed"
    resumed = [item for item in response["saved"] if item["name"] == partials[0].name[:-5]]
    assert resumed
    assert any("reachable again" in r.getMessage() for r in caplog.records)
    files = archived(destination / "recordings")
    assert set(dashcam.listed_names()) <= set(files)
    for name in dashcam.listed_names():
        assert sha256_file(files[name]) == dashcam.expected_sha256(name)
    assert not partial_of(destination, partials[0].name[:-5]).exists()
    assert state_of(hass, PENDING) == "0"
    assert state_of(hass, STATUS) == "idle"


async def test_unloading_mid_sync_keeps_the_partial_and_leaves_nothing_running(
    hass: HomeAssistant, entry: MockConfigEntry, dashcam: BlackVueSimulator, destination: Path
) -> None:
    dashcam.faults.throughput = 200_000
    await call_action(hass, "sync", config_entry_id=entry.entry_id)
    partial_dir = destination / ".camsync" / "partial"
    await wait_for(lambda: sum(entry.body_bytes for entry in dashcam.requests) > 100_000)

    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()

    assert entry.state is ConfigEntryState.NOT_LOADED
    partials = [p for p in partial_dir.glob("*.part") if p.stat().st_size > 0]
    assert len(partials) == 1
    assert not archived(destination / "recordings").keys() & {partials[0].name[:-5]}
    assert hass.states.get(STATUS).state == STATE_UNAVAILABLE

    dashcam.faults.throughput = None
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    response = await sync_and_wait(hass, entry)
    resumed = next(item for item in response["saved"] if item["name"] == partials[0].name[:-5])
    assert resumed["size"] > 0
    assert sha256_file(Path(resumed["path"])) == dashcam.expected_sha256(resumed["name"])


async def test_camera_away_at_startup_loads_with_local_facts(
    hass: HomeAssistant,
    dashcam: BlackVueSimulator,
    destination: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="custom_components.camsync")
    await dashcam.stop()
    entry = blackvue_entry(dashcam, destination)
    entry.add_to_hass(hass)

    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    assert entry.state is ConfigEntryState.LOADED
    assert state_of(hass, PENDING) == STATE_UNAVAILABLE
    assert state_of(hass, STATUS) == "offline"
    assert state_of(hass, FREE_DISK) != STATE_UNAVAILABLE
    assert len([r for r in caplog.records if "is not reachable" in r.getMessage()]) == 1

    await dashcam.restart()
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(minutes=11))
    await hass.async_block_till_done(wait_background_tasks=True)
    assert state_of(hass, PENDING) == str(len(dashcam.listed_names()))
    assert state_of(hass, STATUS) == "idle"


async def test_a_camera_that_never_answers_does_not_hold_up_setup(
    hass: HomeAssistant,
    dashcam: BlackVueSimulator,
    destination: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="custom_components.camsync")
    dashcam.faults.latency = 30.0  # accepts connections, answers nothing for half a minute
    entry = blackvue_entry(dashcam, destination)
    entry.add_to_hass(hass)

    with patch("custom_components.camsync.presence.SETUP_CAMERA_TIMEOUT", 0.3):
        started = asyncio.get_running_loop().time()
        assert await hass.config_entries.async_setup(entry.entry_id)
        elapsed = asyncio.get_running_loop().time() - started

    assert elapsed < 10  # bounded by the setup limit, not the camera's 30 s
    assert entry.state is ConfigEntryState.LOADED
    assert state_of(hass, PENDING) == STATE_UNAVAILABLE
    assert any("no answer within 0.3 s" in r.getMessage() for r in caplog.records)
    dashcam.faults.latency = 0.0
    await dashcam.stop()  # drop the connections still waiting


async def test_reload_and_unload_leave_no_open_file(
    hass: HomeAssistant, entry: MockConfigEntry, dashcam: BlackVueSimulator, destination: Path
) -> None:
    process = psutil.Process()

    def open_in_archive() -> list[str]:
        return [f.path for f in process.open_files() if f.path.startswith(str(destination))]

    dashcam.faults.throughput = 300_000
    await call_action(hass, "sync", config_entry_id=entry.entry_id)
    await wait_for(lambda: sum(e.body_bytes for e in dashcam.requests) > 50_000)
    assert open_in_archive()  # the partial file is being written

    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    assert open_in_archive() == []  # the sync stopped with the old entry

    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.NOT_LOADED
    assert open_in_archive() == []


async def test_a_sync_that_received_data_gives_freed_memory_back(
    hass: HomeAssistant, entry: MockConfigEntry, dashcam: BlackVueSimulator, destination: Path
) -> None:
    with patch(
        "custom_components.camsync.sync_task.release_free_memory", return_value=True
    ) as release:
        report = await sync_and_wait(hass, entry)
        assert report["saved_files"] > 0
        assert release.call_count == 1
        # A sync that finds nothing new received nothing: there is nothing to give back.
        again = await sync_and_wait(hass, entry)
        assert again["saved_files"] == 0
        assert release.call_count == 1
