"""What the media source costs: thumbnails, timelapses, browsing a big archive.

- A video thumbnail: ffmpeg (the one on PATH, as Home Assistant's ffmpeg integration runs it)
  decodes the first frame and scales it to 320 px, for a 640x360 clip (the simulators') and a
  2560x1440 one (a 4 MP camera's main stream). A snapshot thumbnail: Pillow scales a JPEG of
  either size (draft mode). Medians of a few runs, wall time, one at a time.
- A timelapse of 24 and 1,440 snapshots (hourly and one a minute for a day) at 24 fps, of both
  sizes (the big ones come out at 1920x1080): wall time, ffmpeg's CPU time, and the longest
  event-loop stall while it runs, beside the longest stall of an idle loop just before (what the
  machine itself costs: a shared VM is noisy).
- Browsing 10,000 archived recordings (from the index, in the executor: the event loop only
  hands the work over): the days the first time (every name is read once), then a camera's
  folder, the kinds folder and one day's files. Best of a few runs.
"""

from __future__ import annotations

import asyncio
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
import io
from pathlib import Path
import resource
import shutil
import statistics
import subprocess
import time
from typing import Any

from PIL import Image

from bench.context import Context
from bench.files import remove_tree, scratch
from bench.loop_stall import Monitor
from bench.report import heading, ms, table
from camera_simulators.clips import make_clip
from custom_components.camsync.devices.blackvue import describe, recorded_at
from custom_components.camsync.engine.archive import Archive, ArchivedFile, ArchiveTree
from custom_components.camsync.engine.catalog import RECORDINGS, SNAPSHOTS, TIMELAPSES, Catalog
from custom_components.camsync.engine.index import ArchiveIndex
from custom_components.camsync.engine.thumbnails import ThumbnailCache, video_thumbnail
from custom_components.camsync.engine.timelapse import make_timelapse, timelapse_archive
from custom_components.camsync.thumbnails import scale_image

SMALL = (640, 360)
BIG = (2560, 1440)
FPS = 24
DISTINCT_FRAMES = 48  # frames are cycled from this many distinct images


@dataclass(frozen=True, slots=True)
class Encode:
    """One timelapse: its size, wall time, ffmpeg's CPU time and the longest loop stall."""

    frames: int
    size: str
    seconds: float
    cpu_seconds: float
    stall: float
    idle_stall: float
    """The longest stall of the same loop doing nothing, just before (the machine's own noise)."""
    megabytes: float


def _ffmpeg() -> str:
    found = shutil.which("ffmpeg")
    if found is None:
        raise SystemExit("the media benchmark needs ffmpeg on PATH (scripts/setup installs it)")
    return found


def _big_clip(path: Path) -> None:
    source = f"testsrc2=size={BIG[0]}x{BIG[1]}:rate=25"
    command = [_ffmpeg(), "-loglevel", "error", "-y", "-f", "lavfi", "-i", source, "-t", "4"]
    command += ["-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", str(path)]
    subprocess.run(command, check=True)


def _jpeg(size: tuple[int, int], index: int) -> bytes:
    """Return a photo-like JPEG (a gradient that moves, noise) of ``size``."""
    base = Image.linear_gradient("L").resize(size).convert("RGB")
    noise = Image.effect_noise(size, 12 + index % 6).convert("RGB")
    image = Image.blend(base.rotate(index * 7.5), noise, 0.15)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def _snapshots(folder: Path, size: tuple[int, int], count: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    images = [_jpeg(size, index) for index in range(min(count, DISTINCT_FRAMES))]
    paths = []
    for index in range(count):
        path = folder / f"cam_{index:05d}.jpg"
        path.write_bytes(images[index % len(images)])
        paths.append(path)
    return paths


def _median_seconds(run: Any, repeats: int) -> float:
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def _video_thumbnail(work: Path, clip: Path, repeats: int) -> float:
    cache = ThumbnailCache(work / "state")

    def once() -> None:
        asyncio.run(video_thumbnail(_ffmpeg(), clip, cache, clip.name))

    return _median_seconds(once, repeats)


def _snapshot_thumbnail(work: Path, size: tuple[int, int], repeats: int) -> float:
    source = work / f"snapshot_{size[0]}.jpg"
    source.write_bytes(_jpeg(size, 0))
    final, partial = work / "thumb.jpg", work / "thumb.jpg.part"
    return _median_seconds(lambda: scale_image(source, partial, final), repeats)


def _encode(work: Path, size: tuple[int, int], frames: int) -> Encode:
    paths = _snapshots(work / f"shots_{size[0]}_{frames}", size, frames)
    archive = timelapse_archive(work / f"archive_{size[0]}_{frames}")

    async def idle() -> float:
        monitor = Monitor()
        sampler = asyncio.create_task(monitor.run())
        await asyncio.sleep(2)
        monitor.stop()
        await sampler
        return max(monitor.lateness, default=0.0)

    async def run() -> tuple[float, float]:
        monitor = Monitor()
        sampler = asyncio.create_task(monitor.run())
        started = time.perf_counter()
        await make_timelapse(_ffmpeg(), archive, "cam_20261119.mp4", paths, FPS)
        seconds = time.perf_counter() - started
        monitor.stop()
        await sampler
        return seconds, max(monitor.lateness, default=0.0)

    idle_stall = asyncio.run(idle())
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    seconds, stall = asyncio.run(run())
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    output = archive.root / "cam_20261119.mp4"
    megabytes = output.stat().st_size / 1e6
    remove_tree(paths[0].parent)
    return Encode(frames, f"{size[0]}x{size[1]}", seconds, cpu, stall, idle_stall, megabytes)


def _browse(count: int) -> dict[str, float]:
    """Time the camera folder's days and one day's files over ``count`` recordings."""

    def tree(name: str) -> ArchiveTree:
        return ArchiveTree(Archive(Path("/nonexistent"), name), lambda _: None)

    index = ArchiveIndex(tree(RECORDINGS), tree(SNAPSHOTS), tree(TIMELAPSES))
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for number in range(count):
        moment = start + timedelta(minutes=number * 3)
        name = f"{moment:%Y%m%d_%H%M%S}_{'NEP'[number % 3]}{'FR'[number % 2]}.mp4"
        when = recorded_at(name, UTC)
        assert when is not None
        index.recordings.add(ArchivedFile(name, Path(name), 1, when))
    catalog = Catalog(index, describe)

    def timed(run: Any, repeats: int = 5) -> tuple[float, Any]:
        best, result = float("inf"), None
        for _ in range(repeats):
            started = time.perf_counter()
            result = run()
            best = min(best, time.perf_counter() - started)
        return best, result

    first, days = timed(lambda: catalog.days(RECORDINGS), repeats=1)
    folders, _ = timed(lambda: catalog.newest_by_day(RECORDINGS))
    kinds, _ = timed(catalog.newest_by_kind)
    one_day, _ = timed(lambda: catalog.on_day(RECORDINGS, days[0]))
    return {
        "recordings": count,
        "days": len(days),
        "first": first,
        "folders": folders,
        "kinds": kinds,
        "day": one_day,
    }


def measure(context: Context) -> dict[str, Any]:
    """Measure thumbnails, timelapses and browsing (smaller when quick)."""
    work = scratch("media")
    repeats = 3 if context.quick else 7
    try:
        small_clip, big_clip = work / "small.mp4", work / "big.mp4"
        make_clip(small_clip, "bench", seconds=4)
        _big_clip(big_clip)
        thumbnails = {
            "video_small": _video_thumbnail(work, small_clip, repeats),
            "video_big": _video_thumbnail(work, big_clip, repeats),
            "snapshot_small": _snapshot_thumbnail(work, SMALL, repeats),
            "snapshot_big": _snapshot_thumbnail(work, BIG, repeats),
        }
        counts = (24, 240) if context.quick else (24, 1_440)
        encodes = [
            asdict(_encode(work, size, frames)) for size in (SMALL, BIG) for frames in counts
        ]
        browse = _browse(2_000 if context.quick else 10_000)
    finally:
        remove_tree(work)
    return {"thumbnails": thumbnails, "timelapses": encodes, "browse": browse}


def render(result: dict[str, Any]) -> str:
    """Return the media figures as tables."""
    thumbs = result["thumbnails"]
    lines = [heading("Media: thumbnails, timelapses, browsing")]
    lines.append(
        table(
            ["Thumbnail (320 px wide), made once per file", "time"],
            [
                ["video 640x360, first frame (ffmpeg)", ms(thumbs["video_small"])],
                ["video 2560x1440, first frame (ffmpeg)", ms(thumbs["video_big"])],
                ["snapshot 640x360 JPEG (Pillow)", ms(thumbs["snapshot_small"])],
                ["snapshot 2560x1440 JPEG (Pillow)", ms(thumbs["snapshot_big"])],
                ["BlackVue .thm (served as it is)", "0 ms"],
            ],
        )
    )
    rows = [
        [
            f"{item['frames']} x {item['size']}",
            f"{item['seconds']:.1f} s",
            f"{item['cpu_seconds']:.1f} s",
            f"{item['megabytes']:.1f} MB",
            ms(item["stall"]),
            ms(item["idle_stall"]),
        ]
        for item in result["timelapses"]
    ]
    lines.append(
        table(
            [
                f"Timelapse at {FPS} fps (H.264)",
                "wall",
                "ffmpeg CPU",
                "video",
                "loop stall",
                "idle loop",
            ],
            rows,
        )
    )
    browse = result["browse"]
    lines.append(
        table(
            [f"Browse {browse['recordings']:,} recordings ({browse['days']} days)", "time"],
            [
                ["the days, the first time (every name read once)", ms(browse["first"])],
                ["a camera's folder: each day with its newest file", ms(browse["folders"])],
                ["the kinds folder: each kind with its newest file", ms(browse["kinds"])],
                ["one day's files", ms(browse["day"])],
            ],
        )
    )
    return "\n".join(lines)
