"""Timelapses from snapshots: the action, the daily run after midnight, the video, the errors.

Snapshots are real JPEGs from the simulated Reolink camera, each showing its own clock (so every
frame differs); the videos are checked with PyAV: codec, frame count, duration, decodable.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta
import hashlib
from pathlib import Path
import stat
from typing import Any
from unittest.mock import patch

import av
from freezegun.api import FrozenDateTimeFactory
from homeassistant.components import media_source
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import numpy as np
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
import voluptuous as vol

from camera_simulators.reolink import ReolinkSimulator
from custom_components.camsync.const import (
    CONF_RECORDING_SYNC,
    CONF_SNAPSHOT_MODE,
    CONF_TIMELAPSE,
    CONF_TIMELAPSE_FPS,
    EVENT_FILE_SAVED,
    EVENT_TIMELAPSE_FINISHED,
    SnapshotMode,
)
from tests.blackvue_fixtures import sha256_file
from tests.ha.conftest import call_action, reolink_entry, state_of, wait_for
from tests.ha.mirror_support import folder_data, subentry

SENSOR = "sensor.front_yard_timelapse_progress"


@pytest.fixture
async def reolink() -> AsyncIterator[ReolinkSimulator]:
    """Return a simulated Reolink camera (snapshots only: no SD-card recordings)."""
    async with ReolinkSimulator() as simulator:
        yield simulator


@pytest.fixture
def destination(media: Path) -> Path:
    return media / "camsync" / "front_yard"


async def _setup(
    hass: HomeAssistant, reolink: ReolinkSimulator, destination: Path, **options: Any
) -> MockConfigEntry:
    assert await async_setup_component(hass, "media_source", {})
    defaults = {CONF_RECORDING_SYNC: False, CONF_SNAPSHOT_MODE: SnapshotMode.OFF.value}
    entry = reolink_entry(reolink, destination, options=defaults | options)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


@pytest.fixture
async def entry(
    hass: HomeAssistant, reolink: ReolinkSimulator, destination: Path
) -> MockConfigEntry:
    return await _setup(hass, reolink, destination)


async def _snapshots(
    hass: HomeAssistant, entry: MockConfigEntry, count: int, freezer: FrozenDateTimeFactory
) -> list[dict[str, Any]]:
    """Take ``count`` snapshots a minute apart (the camera's clock is in each image)."""
    shots = []
    for _ in range(count):
        shots.append(await call_action(hass, "snapshot", config_entry_id=entry.entry_id))
        freezer.tick(timedelta(minutes=1))
    return shots


def check_video(path: Path, frames: int, fps: float) -> list[np.ndarray]:
    """Check a timelapse with PyAV; return its decoded frames (RGB)."""
    with av.open(str(path)) as container:
        (stream,) = container.streams.video
        assert stream.codec_context.name == "h264"
        assert stream.codec_context.pix_fmt == "yuv420p"
        assert stream.frames == frames
        assert float(stream.average_rate) == fps
        assert float(stream.duration * stream.time_base) == pytest.approx(frames / fps)
        decoded = [frame.to_ndarray(format="rgb24") for frame in container.decode(stream)]
    assert len(decoded) == frames
    head = path.read_bytes()[:4096]
    assert 0 <= head.find(b"moov") < 4096  # faststart: the index comes first
    return decoded


@pytest.fixture
def noon(freezer: FrozenDateTimeFactory) -> FrozenDateTimeFactory:
    """Freeze the clock at noon (Home Assistant's zone), so a test never crosses midnight."""
    freezer.move_to(datetime(2026, 11, 19, 12, 0, tzinfo=dt_util.get_default_time_zone()))
    return freezer


async def test_the_action_makes_a_playable_h264_timelapse_of_a_day(
    hass: HomeAssistant,
    noon: FrozenDateTimeFactory,
    reolink: ReolinkSimulator,
    destination: Path,
    media: Path,
    hass_client: ClientSessionGenerator,
) -> None:
    entry = await _setup(hass, reolink, destination)
    saved = async_capture_events(hass, EVENT_FILE_SAVED)
    finished = async_capture_events(hass, EVENT_TIMELAPSE_FINISHED)
    await _snapshots(hass, entry, 6, noon)

    response = await call_action(
        hass, "timelapse", config_entry_id=entry.entry_id, start_date="2026-11-19", fps=3
    )

    video = destination / "timelapses" / "front_yard_20261119.mp4"
    assert response["path"] == str(video)
    assert (response["frames"], response["fps"], response["duration"]) == (6, 3, 2.0)
    assert response["size"] == video.stat().st_size
    assert (response["start_date"], response["end_date"]) == ("2026-11-19", "2026-11-19")
    media_id = f"media-source://camsync/{entry.entry_id}/file/timelapses/{video.name}"
    assert response["media_content_id"] == media_id
    assert response["title"] == "2026-11-19 · Timelapse"
    assert response["url"] == f"/media/local/{video.relative_to(media).as_posix()}"
    frames = check_video(video, 6, 3)
    assert len({hashlib.sha256(frame.tobytes()).hexdigest() for frame in frames}) == 6
    assert not list((destination / ".camsync" / "partial").iterdir())

    assert [e.data["role"] for e in saved] == ["snapshot"] * 6 + ["timelapse"]
    assert saved[-1].data["media_content_id"] == media_id
    (done,) = finished
    assert done.data["outcome"] == "completed"
    assert (done.data["frames"], done.data["path"]) == (6, str(video))
    assert state_of(hass, SENSOR) == "100.0"
    attributes = hass.states.get(SENSOR).attributes
    assert (attributes["timelapse"], attributes["frames"], attributes["done_frames"]) == (
        video.name,
        6,
        6,
    )
    assert attributes["running"] is False

    # In the media source, playable and with a thumbnail; and still there after a restart.
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    camera = await media_source.async_browse_media(hass, f"media-source://camsync/{entry.entry_id}")
    (folder,) = [node for node in camera.children if node.title == "Timelapses"]
    timelapses = await media_source.async_browse_media(hass, folder.media_content_id)
    assert [node.title for node in timelapses.children] == ["2026-11-19 · Timelapse"]
    (node,) = timelapses.children
    assert (node.media_content_id, node.media_class, node.media_content_type) == (
        media_id,
        "video",
        "video/mp4",
    )
    resolved = await media_source.async_resolve_media(hass, media_id, None)
    client = await hass_client()
    body = await (await client.get(resolved.url)).read()
    assert hashlib.sha256(body).hexdigest() == sha256_file(video)
    thumbnail = await client.get(node.thumbnail)
    assert thumbnail.status == 200
    assert (await thumbnail.read())[:3] == b"\xff\xd8\xff"


async def test_a_range_of_days_and_its_title(
    hass: HomeAssistant, noon: FrozenDateTimeFactory, reolink: ReolinkSimulator, destination: Path
) -> None:
    entry = await _setup(hass, reolink, destination)
    await _snapshots(hass, entry, 2, noon)
    noon.tick(timedelta(days=1))
    await _snapshots(hass, entry, 3, noon)

    response = await call_action(
        hass,
        "timelapse",
        config_entry_id=entry.entry_id,
        start_date="2026-11-19",
        end_date="2026-11-20",
        fps=5,
    )

    assert Path(response["path"]).name == "front_yard_20261119_20261120.mp4"
    assert response["title"] == "2026-11-19 \u2013 2026-11-20 · Timelapse"
    check_video(Path(response["path"]), 5, 5)
    one_day = await call_action(
        hass, "timelapse", config_entry_id=entry.entry_id, start_date="2026-11-20"
    )
    assert one_day["fps"] == 10  # the option's default
    check_video(Path(one_day["path"]), 3, 10)


async def test_the_daily_timelapse_is_made_after_midnight_for_the_day_before(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    reolink: ReolinkSimulator,
    destination: Path,
) -> None:
    zone = dt_util.get_default_time_zone()
    freezer.move_to(datetime(2026, 11, 19, 23, 30, tzinfo=zone))
    options = {
        CONF_TIMELAPSE: True,
        CONF_TIMELAPSE_FPS: 4,
        CONF_SNAPSHOT_MODE: SnapshotMode.INTERVAL.value,
    }
    entry = await _setup(hass, reolink, destination, **options)
    finished = async_capture_events(hass, EVENT_TIMELAPSE_FINISHED)
    for minutes in (5, 10, 15):  # scheduled snapshots, every 5 minutes
        freezer.move_to(datetime(2026, 11, 19, 23, 30 + minutes, 1, tzinfo=zone))
        async_fire_time_changed(hass)
        await hass.async_block_till_done(wait_background_tasks=True)
    shots = sorted((destination / "snapshots" / "2026-11-19").glob("*.jpg"))
    assert len(shots) == 4  # one when the camera was set up, then every 5 minutes
    assert finished == []  # the start-up catch-up found no snapshots the day before

    freezer.move_to(datetime(2026, 11, 20, 0, 5, 0, tzinfo=zone))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)

    video = destination / "timelapses" / "front_yard_20261119.mp4"
    check_video(video, 4, 4)
    (done,) = finished
    assert (done.data["outcome"], done.data["start_date"], done.data["frames"]) == (
        "completed",
        "2026-11-19",
        4,
    )
    assert done.data["device_id"] is not None
    assert state_of(hass, SENSOR) == "100.0"

    # A restart later that day finds yesterday's timelapse and does not make it again.
    freezer.move_to(datetime(2026, 11, 20, 9, 0, tzinfo=zone))
    made = video.stat().st_mtime_ns
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert video.stat().st_mtime_ns == made
    assert len(finished) == 1


async def test_a_restart_catches_up_on_a_missed_night(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    reolink: ReolinkSimulator,
    destination: Path,
) -> None:
    zone = dt_util.get_default_time_zone()
    freezer.move_to(datetime(2026, 11, 19, 22, 0, tzinfo=zone))
    entry = await _setup(hass, reolink, destination)  # the option is off
    await _snapshots(hass, entry, 2, freezer)
    assert await hass.config_entries.async_unload(entry.entry_id)

    freezer.move_to(datetime(2026, 11, 20, 8, 0, tzinfo=zone))
    hass.config_entries.async_update_entry(entry, options=entry.options | {CONF_TIMELAPSE: True})
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)

    check_video(destination / "timelapses" / "front_yard_20261119.mp4", 2, 10)


async def test_retention_deletes_timelapses_like_other_files(
    hass: HomeAssistant, noon: FrozenDateTimeFactory, entry: MockConfigEntry, destination: Path
) -> None:
    await _snapshots(hass, entry, 2, noon)
    response = await call_action(
        hass, "timelapse", config_entry_id=entry.entry_id, start_date="2026-11-19"
    )
    kept = await call_action(hass, "prune", config_entry_id=entry.entry_id, older_than_days=1)
    assert response["path"] not in kept["deleted"]

    pruned = await call_action(hass, "prune", config_entry_id=entry.entry_id, older_than_days=0)

    assert response["path"] in pruned["deleted"]
    assert not Path(response["path"]).exists()
    camera = await media_source.async_browse_media(hass, f"media-source://camsync/{entry.entry_id}")
    assert "Timelapses" not in [node.title for node in camera.children]


async def test_no_snapshots_and_wrong_dates_are_the_callers_mistakes(
    hass: HomeAssistant, noon: FrozenDateTimeFactory, entry: MockConfigEntry
) -> None:
    await _snapshots(hass, entry, 1, noon)
    finished = async_capture_events(hass, EVENT_TIMELAPSE_FINISHED)
    with pytest.raises(ServiceValidationError) as raised:
        await call_action(
            hass, "timelapse", config_entry_id=entry.entry_id, start_date="2026-11-18"
        )
    assert raised.value.translation_key == "no_snapshots"
    assert "no archived snapshots from 2026-11-18 to 2026-11-18" in str(raised.value)
    for end in ("2026-11-18", "2027-11-20"):  # before the start; 367 days
        with pytest.raises(ServiceValidationError) as raised:
            await call_action(
                hass,
                "timelapse",
                config_entry_id=entry.entry_id,
                start_date="2026-11-19",
                end_date=end,
            )
        assert raised.value.translation_key == "timelapse_dates"
    assert finished == []


def _fake_ffmpeg(tmp_path: Path, script: str) -> str:
    path = tmp_path / "ffmpeg"
    path.write_text("#!/bin/sh\n" + script)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


@pytest.mark.parametrize(
    ("script", "key", "detail"),
    [
        (
            "cat >/dev/null\necho 'Conversion failed!' >&2\nexit 1\n",
            "timelapse_failed",
            "Conversion failed!",
        ),
        (
            "cat >/dev/null\necho 'write_frame(): No space left on device' >&2\nexit 1\n",
            "timelapse_disk_full",
            "No space left on device",
        ),
        (
            'cat >/dev/null\nfor last; do :; done\nprintf "not a video" > "$last"\n',
            "timelapse_failed",
            "broken video",
        ),
    ],
    ids=["crash", "disk_full", "broken_output"],
)
async def test_ffmpeg_failures_are_translated_and_leave_nothing_behind(
    hass: HomeAssistant,
    noon: FrozenDateTimeFactory,
    entry: MockConfigEntry,
    destination: Path,
    tmp_path: Path,
    script: str,
    key: str,
    detail: str,
) -> None:
    await _snapshots(hass, entry, 2, noon)
    finished = async_capture_events(hass, EVENT_TIMELAPSE_FINISHED)
    with (
        patch(
            "custom_components.camsync.timelapses.async_ffmpeg_binary",
            return_value=_fake_ffmpeg(tmp_path, script),
        ),
        pytest.raises(HomeAssistantError) as raised,
    ):
        await call_action(
            hass, "timelapse", config_entry_id=entry.entry_id, start_date="2026-11-19"
        )

    assert raised.value.translation_key == key
    assert detail in str(raised.value)
    assert not (destination / "timelapses").exists() or not list(
        (destination / "timelapses").iterdir()
    )
    assert not list((destination / ".camsync" / "partial").iterdir())
    (done,) = finished
    assert done.data["outcome"] == "failed"
    assert detail in done.data["message"]
    assert hass.states.get(SENSOR).attributes["running"] is False


async def test_no_ffmpeg_is_a_translated_error(
    hass: HomeAssistant, noon: FrozenDateTimeFactory, entry: MockConfigEntry
) -> None:
    await _snapshots(hass, entry, 1, noon)
    with (
        patch(
            "custom_components.camsync.timelapses.async_ffmpeg_binary",
            return_value="/nonexistent/ffmpeg",
        ),
        pytest.raises(HomeAssistantError) as raised,
    ):
        await call_action(
            hass, "timelapse", config_entry_id=entry.entry_id, start_date="2026-11-19"
        )
    assert raised.value.translation_key == "ffmpeg_missing"
    assert "Install ffmpeg" in str(raised.value)

    with (
        patch("custom_components.camsync.video_tool.async_setup_component", return_value=False),
        patch.object(hass.config, "components", set(hass.config.components) - {"ffmpeg"}),
        pytest.raises(HomeAssistantError) as raised,
    ):
        await call_action(
            hass, "timelapse", config_entry_id=entry.entry_id, start_date="2026-11-19"
        )
    assert raised.value.translation_key == "ffmpeg_missing"


async def test_home_assistants_ffmpeg_setting_is_used(
    hass: HomeAssistant, noon: FrozenDateTimeFactory, entry: MockConfigEntry, tmp_path: Path
) -> None:
    """Run the binary Home Assistant's ffmpeg integration is configured with (ffmpeg_bin)."""
    assert await async_setup_component(
        hass, "ffmpeg", {"ffmpeg": {"ffmpeg_bin": "/opt/none/ffmpeg"}}
    )
    await _snapshots(hass, entry, 1, noon)
    with pytest.raises(HomeAssistantError) as raised:
        await call_action(
            hass, "timelapse", config_entry_id=entry.entry_id, start_date="2026-11-19"
        )
    assert "/opt/none/ffmpeg" in str(raised.value)


def test_the_timelapse_date_fields_take_dates() -> None:
    from custom_components.camsync.services import TIMELAPSE_SCHEMA

    data = TIMELAPSE_SCHEMA({"config_entry_id": "x", "start_date": "2026-11-19", "fps": "12"})
    assert data["start_date"] == date(2026, 11, 19)
    assert data["fps"] == 12
    with pytest.raises(vol.Invalid):
        TIMELAPSE_SCHEMA({"config_entry_id": "x", "start_date": "2026-11-19", "fps": 0})


async def test_the_daily_run_logs_a_failure_and_waits_for_the_next_night(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    reolink: ReolinkSimulator,
    destination: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    zone = dt_util.get_default_time_zone()
    freezer.move_to(datetime(2026, 11, 20, 0, 1, tzinfo=zone))  # before the daily run
    entry = await _setup(hass, reolink, destination)
    freezer.move_to(datetime(2026, 11, 19, 22, 0, tzinfo=zone))
    await _snapshots(hass, entry, 1, freezer)
    hass.config_entries.async_update_entry(entry, options=entry.options | {CONF_TIMELAPSE: True})
    freezer.move_to(datetime(2026, 11, 20, 0, 1, tzinfo=zone))
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert not (destination / "timelapses").exists()  # no catch-up: the night's run is to come

    with patch(
        "custom_components.camsync.timelapses.async_ffmpeg_binary",
        return_value="/nonexistent/ffmpeg",
    ):
        freezer.move_to(datetime(2026, 11, 20, 0, 5, tzinfo=zone))
        async_fire_time_changed(hass)
        await hass.async_block_till_done(wait_background_tasks=True)

    assert "The timelapse of Front yard for 2026-11-19 failed" in caplog.text
    assert not (destination / "timelapses").exists()


async def test_a_timelapse_reaches_the_cameras_mirrors_at_once(
    hass: HomeAssistant,
    reolink: ReolinkSimulator,
    destination: Path,
    nas_root: Path,
) -> None:
    nas = nas_root / "front_yard"
    assert await async_setup_component(hass, "media_source", {})
    options = {CONF_RECORDING_SYNC: False, CONF_SNAPSHOT_MODE: SnapshotMode.OFF.value}
    base = reolink_entry(reolink, destination, options=options)
    entry = MockConfigEntry(
        domain=base.domain,
        version=base.version,
        title=base.title,
        unique_id=base.unique_id,
        data=dict(base.data),
        options=dict(base.options),
        subentries_data=[subentry("NAS", folder_data(nas), "nas")],
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    # Real time here (the mirror's worker waits on the loop's clock): one snapshot, its day.
    shot = await call_action(hass, "snapshot", config_entry_id=entry.entry_id)
    day = shot["taken"][:10]

    made = await call_action(hass, "timelapse", config_entry_id=entry.entry_id, start_date=day)

    video = Path(made["path"])
    copy = nas / "timelapses" / video.name
    await wait_for(copy.exists)  # queued when made, not at the mirror's next daily listing
    assert sha256_file(copy) == sha256_file(video)
