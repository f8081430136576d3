"""A Reolink camera in Home Assistant: snapshots on a schedule, SD-card sync, credentials."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
import io
import logging
from pathlib import Path
import re

import aiohttp
from freezegun.api import FrozenDateTimeFactory
from homeassistant.components import camera
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from PIL import Image
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
)

from camera_simulators.reolink import ReolinkSimulator, make_reolink_recordings
from custom_components.camsync.const import (
    CONF_SNAPSHOT_INTERVAL,
    CONF_SNAPSHOT_MODE,
    DOMAIN,
    EVENT_FILE_SAVED,
)
from tests.blackvue_fixtures import archived, sha256_file
from tests.ha.conftest import call_action, reolink_entry, state_of, sync_and_wait
from tests.reolink_fixtures import RawReolink

PASSWORD = "secret-pass"
SNAPSHOT_NAME = re.compile(r"^front_yard_(\d{8}_\d{6})(_\d+)?\.jpg$")


@pytest.fixture
async def reolink() -> AsyncIterator[ReolinkSimulator]:
    """Return a simulated RLC-520A with recordings on each of the last three days."""
    simulator = ReolinkSimulator()
    simulator.recordings = make_reolink_recordings(3, 3, end=simulator.clock())
    async with simulator:
        yield simulator


@pytest.fixture
def destination(media: Path) -> Path:
    return media / "camsync" / "front_yard"


async def _setup(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()


@pytest.fixture
async def entry(
    hass: HomeAssistant, reolink: ReolinkSimulator, destination: Path
) -> MockConfigEntry:
    config_entry = reolink_entry(reolink, destination)
    await _setup(hass, config_entry)
    return config_entry


def _snapshots(destination: Path) -> list[Path]:
    return sorted((destination / "snapshots").rglob("*.jpg"))


async def test_entities_of_a_reolink_camera(
    hass: HomeAssistant, entry: MockConfigEntry, reolink: ReolinkSimulator
) -> None:
    assert entry.state is ConfigEntryState.LOADED
    assert state_of(hass, "sensor.front_yard_pending_downloads") == str(len(reolink.recordings))
    pending_bytes = float(state_of(hass, "sensor.front_yard_pending_download_size"))
    assert pending_bytes == pytest.approx(sum(r.size for r in reolink.recordings) / 1e6, abs=0.1)
    assert float(state_of(hass, "sensor.front_yard_sd_card_free_space")) == pytest.approx(
        779 * 1024 * 1024 / 1e9, abs=0.01
    )
    state = hass.states.get("camera.front_yard")
    assert state.attributes["brand"] == "Reolink"
    assert state.attributes["model_name"] == "RLC-520A"


async def test_scheduled_snapshots_every_interval(
    hass: HomeAssistant, reolink: ReolinkSimulator, destination: Path
) -> None:
    saved = async_capture_events(hass, EVENT_FILE_SAVED)
    await _setup(hass, reolink_entry(reolink, destination))
    assert len(_snapshots(destination)) == 1  # the first one right after setup

    for minutes in (5, 10):
        async_fire_time_changed(hass, dt_util.utcnow() + timedelta(minutes=minutes, seconds=1))
        await hass.async_block_till_done(wait_background_tasks=True)

    shots = _snapshots(destination)
    assert len(shots) == 3
    for shot in shots:
        match = SNAPSHOT_NAME.match(shot.name)
        assert match, shot.name
        taken = datetime.strptime(match[1], "%Y%m%d_%H%M%S")
        assert shot.parent == destination / "snapshots" / taken.date().isoformat()
        image = Image.open(io.BytesIO(shot.read_bytes()))
        assert image.format == "JPEG"
    assert [event.data["role"] for event in saved] == ["snapshot"] * 3
    last_capture = dt_util.parse_datetime(state_of(hass, "sensor.front_yard_last_capture"))
    newest = datetime.strptime(SNAPSHOT_NAME.match(shots[-1].name)[1], "%Y%m%d_%H%M%S")
    assert last_capture == newest.replace(tzinfo=dt_util.get_default_time_zone())


async def test_hourly_snapshots_on_the_hour(
    hass: HomeAssistant,
    reolink: ReolinkSimulator,
    destination: Path,
    freezer: FrozenDateTimeFactory,
) -> None:
    # Twenty past: "five minutes later" must not cross the hour, whenever the test runs.
    freezer.move_to(dt_util.now().replace(minute=20, second=0, microsecond=0))
    entry = reolink_entry(reolink, destination, options={CONF_SNAPSHOT_MODE: "hourly"})
    await _setup(hass, entry)
    now = dt_util.now()
    assert len(_snapshots(destination)) == 1  # none yet this hour: one right after setup

    async_fire_time_changed(hass, now + timedelta(minutes=5))
    await hass.async_block_till_done(wait_background_tasks=True)
    assert len(_snapshots(destination)) == 1

    top = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    freezer.move_to(top)
    async_fire_time_changed(hass, top)
    await hass.async_block_till_done(wait_background_tasks=True)
    shots = _snapshots(destination)
    assert len(shots) == 2
    assert shots[-1].name.endswith(f"_{top.strftime('%H%M%S')}.jpg")


async def test_recording_sync_across_days_resumes_and_falls_back_to_playback(
    hass: HomeAssistant, entry: MockConfigEntry, reolink: ReolinkSimulator, destination: Path
) -> None:
    first, second = reolink.recordings[-1], reolink.recordings[-2]
    reolink.faults.throughput = None
    # A clean close mid-body (a reset would be tried again at once, in the same run).
    reolink.faults.truncate[first.basename] = first.size // 2
    reolink.faults.rate_limit = 2_000_000

    report = await sync_and_wait(hass, entry)
    assert [item["name"] for item in report["failed"]] == [first.basename]

    reolink.faults.truncate.clear()
    reolink.faults.rate_limit = None
    reolink.faults.download_fails = True
    report = await sync_and_wait(hass, entry)

    assert report["outcome"] == "completed"
    assert [item["name"] for item in report["saved"]] == [first.basename]
    assert reolink.count("Playback") >= 1
    files = archived(destination / "recordings")
    assert set(files) == {recording.basename for recording in reolink.recordings}
    for recording in reolink.recordings:
        assert sha256_file(files[recording.basename]) == reolink.expected_sha256(recording)
    days = {path.parent.name for path in files.values()}
    assert len(days) == 3
    assert second.basename in files
    assert state_of(hass, "sensor.front_yard_pending_downloads") == "0"


async def test_camera_entity_prefers_a_live_snapshot(
    hass: HomeAssistant, entry: MockConfigEntry, reolink: ReolinkSimulator
) -> None:
    before = reolink.count("Snap")  # the scheduled one right after setup
    live = await camera.async_get_image(hass, "camera.front_yard")
    assert Image.open(io.BytesIO(live.content)).format == "JPEG"
    assert reolink.count("Snap") == before + 1

    shot = await call_action(hass, "snapshot", config_entry_id=entry.entry_id)
    reolink.faults.snap_fails = True
    archived_image = await camera.async_get_image(hass, "camera.front_yard")
    assert archived_image.content == Path(shot["path"]).read_bytes()


async def test_wrong_password_while_running_starts_reauth(
    hass: HomeAssistant, entry: MockConfigEntry, reolink: ReolinkSimulator
) -> None:
    reolink.faults.password = "changed-on-the-camera"
    reolink.faults.expire_tokens = True

    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(minutes=11))
    await hass.async_block_till_done(wait_background_tasks=True)

    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]
    assert flows[0]["context"]["entry_id"] == entry.entry_id


async def test_wrong_password_at_setup_asks_for_credentials_once(
    hass: HomeAssistant, reolink: ReolinkSimulator, destination: Path
) -> None:
    reolink.faults.password = "changed"
    entry = reolink_entry(reolink, destination, options={CONF_SNAPSHOT_INTERVAL: 1})
    entry.add_to_hass(hass)

    assert not await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    assert entry.state is ConfigEntryState.SETUP_ERROR
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]
    assert reolink.count("Login") == 1


async def test_a_locked_camera_is_left_alone_until_it_unlocks(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    reolink: ReolinkSimulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="custom_components.camsync")
    # Someone else typed a wrong password three times: the camera locks its logins.
    async with aiohttp.ClientSession() as session:
        raw = RawReolink(session, reolink)
        for _ in range(3):
            await raw.login("wrong")
    reolink.faults.expire_tokens = True
    logins_before = reolink.count("Login")

    for minutes in range(1, 60, 5):
        async_fire_time_changed(hass, dt_util.utcnow() + timedelta(minutes=minutes))
        await hass.async_block_till_done(wait_background_tasks=True)

    assert reolink.count("Login") == logins_before + 1  # one try, then it waits
    assert state_of(hass, "sensor.front_yard_pending_downloads") == "unavailable"
    waits = [r for r in caplog.records if "locked its logins" in r.getMessage()]
    assert len(waits) == 1
    assert "waits 300 s" in waits[0].getMessage()
    assert not hass.config_entries.flow.async_progress_by_handler(DOMAIN)


async def test_secrets_never_reach_the_log(
    hass: HomeAssistant,
    reolink: ReolinkSimulator,
    destination: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    entry = reolink_entry(reolink, destination)
    await _setup(hass, entry)
    await sync_and_wait(hass, entry)
    await call_action(hass, "snapshot", config_entry_id=entry.entry_id)
    await reolink.stop()
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(minutes=11))
    await hass.async_block_till_done(wait_background_tasks=True)
    await hass.config_entries.async_unload(entry.entry_id)

    tokens = {request.token for request in reolink.requests if request.token}
    assert tokens
    text = caplog.text
    assert PASSWORD not in text
    for token in tokens:
        assert token not in text


async def test_unload_logs_out(
    hass: HomeAssistant, entry: MockConfigEntry, reolink: ReolinkSimulator
) -> None:
    assert reolink.open_sessions == 1

    assert await hass.config_entries.async_unload(entry.entry_id)

    assert reolink.count("Logout") == 1
    assert reolink.open_sessions == 0
