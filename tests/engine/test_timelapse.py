"""Timelapses in the engine: their names, their frames, and ffmpeg run as a subprocess."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
import stat
import time

import av
from hypothesis import given, strategies as st
import pytest

from camera_simulators.jpeg import make_jpeg
from custom_components.camsync.engine.archive import ArchivedFile
from custom_components.camsync.engine.errors import (
    NoFramesError,
    VideoToolError,
    VideoToolMissingError,
)
from custom_components.camsync.engine.ffmpeg import run_ffmpeg
from custom_components.camsync.engine.timelapse import (
    frames_between,
    make_timelapse,
    timelapse_archive,
    timelapse_days,
    timelapse_name,
    timelapse_recorded_at,
)

DAY = date(2026, 11, 19)


def test_names_say_their_days() -> None:
    assert timelapse_name("front_yard", DAY, DAY) == "front_yard_20261119.mp4"
    assert timelapse_name("front_yard", DAY, DAY + timedelta(days=2)) == (
        "front_yard_20261119_20261121.mp4"
    )
    assert timelapse_days("front_yard_20261119_20261121.mp4") == (DAY, DAY + timedelta(days=2))
    assert timelapse_recorded_at("cam_20261119_20261121.mp4", UTC) == datetime(
        2026, 11, 21, tzinfo=UTC
    )
    for other in (
        "front_yard_20261121_20261119.mp4",  # backwards
        "front_yard_20261340.mp4",  # no such day
        "front_yard_20261119.jpg",
        "Front_20261119.mp4",
        "20261119_072911_EF.mp4",
        "front_yard_20261119_072911.jpg",
    ):
        assert timelapse_days(other) is None, other
        assert timelapse_recorded_at(other, UTC) is None


slugs = st.from_regex(r"[a-z][a-z0-9]{0,8}(_[a-z][a-z0-9]{0,8}){0,3}", fullmatch=True)
days = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31))


@given(slugs, days, st.integers(min_value=0, max_value=400))
def test_every_name_made_reads_back(slug: str, first: date, span: int) -> None:
    last = first + timedelta(days=span)
    assert timelapse_days(timelapse_name(slug, first, last)) == (first, last)


@given(st.text(max_size=60))
def test_any_name_is_read_or_refused(text: str) -> None:
    timelapse_days(text)


def test_frames_are_the_days_snapshots_in_order(tmp_path: Path) -> None:
    def shot(hour: int, day: date = DAY, name: str = "") -> ArchivedFile:
        taken = datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=hour)
        name = name or f"cam_{taken:%Y%m%d_%H%M%S}.jpg"
        return ArchivedFile(name, tmp_path / name, 1, taken)

    files = [shot(5), shot(1), shot(23), shot(1, name="cam_x_1.jpg"), shot(0, DAY + timedelta(1))]
    assert frames_between(files, DAY, DAY) == [
        tmp_path / "cam_20261119_010000.jpg",
        tmp_path / "cam_x_1.jpg",
        tmp_path / "cam_20261119_050000.jpg",
        tmp_path / "cam_20261119_230000.jpg",
    ]
    assert len(frames_between(files, DAY, DAY + timedelta(1))) == 5
    assert frames_between(files, DAY - timedelta(1), DAY - timedelta(1)) == []


def _frames(folder: Path, count: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for index in range(count):
        path = folder / f"cam_{index}.jpg"
        path.write_bytes(make_jpeg(f"frame {index}", 320, 240))
        paths.append(path)
    return paths


async def test_a_timelapse_has_one_frame_per_snapshot_that_is_still_there(tmp_path: Path) -> None:
    archive = timelapse_archive(tmp_path / "archive")
    frames = _frames(tmp_path / "shots", 5)
    frames[2].unlink()  # retention took it while the timelapse was being made
    seen: list[int] = []

    path, count = await make_timelapse(
        "ffmpeg",
        archive,
        "cam_20261119.mp4",
        frames,
        2,
        on_progress=lambda p: seen.append(p.done_frames),
    )

    assert path == tmp_path / "archive" / "timelapses" / "cam_20261119.mp4"
    assert count == 4
    assert seen[0] == 0
    assert seen[-1] == 4
    with av.open(str(path)) as container:
        (stream,) = container.streams.video
        assert stream.frames == 4
        assert (stream.width, stream.height) == (320, 240)
        assert float(stream.duration * stream.time_base) == pytest.approx(2.0)
    assert list(archive.partial_dir.iterdir()) == []


async def test_no_frames_is_an_error_before_ffmpeg(tmp_path: Path) -> None:
    with pytest.raises(NoFramesError):
        await make_timelapse("/nonexistent", timelapse_archive(tmp_path), "c_20261119.mp4", [], 1)
    frames = _frames(tmp_path / "shots", 1)
    frames[0].unlink()
    with pytest.raises((NoFramesError, VideoToolError)):
        await make_timelapse("ffmpeg", timelapse_archive(tmp_path), "c_20261119.mp4", frames, 1)
    assert not (tmp_path / "timelapses").exists() or not list((tmp_path / "timelapses").iterdir())


async def test_a_missing_binary_is_its_own_error() -> None:
    with pytest.raises(VideoToolMissingError):
        await run_ffmpeg("/nonexistent/ffmpeg", ["-version"])


async def test_a_cancelled_job_kills_ffmpeg(tmp_path: Path) -> None:
    script = tmp_path / "slow-ffmpeg"
    pid_file = tmp_path / "pid"
    script.write_text(f"#!/bin/sh\necho $$ > {pid_file}\nexec sleep 30\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    job = asyncio.ensure_future(run_ffmpeg(str(script), []))
    while not pid_file.exists():
        await asyncio.sleep(0.01)
    started = time.monotonic()
    job.cancel()
    with pytest.raises(asyncio.CancelledError):
        await job
    assert time.monotonic() - started < 5
    pid = int(pid_file.read_text())
    assert not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text()


async def test_ffmpeg_runs_below_home_assistants_priority(tmp_path: Path) -> None:
    script = tmp_path / "ffmpeg"
    niceness = tmp_path / "niceness"
    script.write_text(f"#!/bin/sh\nsleep 0.3\nnice > {niceness}\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    await run_ffmpeg(str(script), [])
    assert int(niceness.read_text()) >= 10


async def test_a_big_camera_makes_a_1080p_timelapse(tmp_path: Path) -> None:
    folder = tmp_path / "shots"
    folder.mkdir()
    frames = []
    for index in range(2):
        path = folder / f"cam_{index}.jpg"
        path.write_bytes(make_jpeg(f"frame {index}", 2560, 1440, quality=50))
        frames.append(path)

    path, count = await make_timelapse(
        "ffmpeg", timelapse_archive(tmp_path), "cam_20261119.mp4", frames, 1
    )

    with av.open(str(path)) as container:
        (stream,) = container.streams.video
        assert (stream.width, stream.height, count) == (1920, 1080, 2)
