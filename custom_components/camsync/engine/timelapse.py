"""Timelapses: one H.264 MP4 from the snapshots of one or more days, in ``timelapses/``.

``timelapses/<camera>_<YYYYMMDD>.mp4`` holds one day, ``<camera>_<first>_<last>.mp4`` a range. The
snapshots are read one at a time (in the executor) and fed to ffmpeg through a pipe
(``image2pipe``), so every snapshot is exactly one frame and the video lasts frames / fps
seconds; a snapshot that disappears meanwhile (retention) is left out. The video is made under a
partial name, checked (its MP4 boxes reach its end) and renamed, like every other archived file.
A timelapse counts as recorded at the start of its last day, so retention keeps it as long as its
newest snapshots.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, tzinfo
from pathlib import Path
import re

from .archive import Archive, ArchivedFile
from .errors import NoFramesError, VideoToolError
from .ffmpeg import run_ffmpeg
from .files import commit, remove_file, run_io
from .models import Grouping
from .verify import mp4_damage

TIMELAPSE_FOLDER = "timelapses"
DEFAULT_FPS = 10
_NAME = re.compile(
    r"(?P<camera>[a-z0-9_]+?)_(?P<first>[0-9]{8})(?:_(?P<last>[0-9]{8}))?\.mp4", re.ASCII
)
# H.264 in yuv420p with the index first: plays in every browser while it loads. The scale keeps
# the snapshot's size up to 1920 pixels wide (1080p: a timelapse needs no more, and it halves the
# work for a 4 MP camera), rounded down to even numbers (yuv420p needs them), and turns the JPEGs'
# full range into video range (newer ffmpeg would otherwise keep full range: yuvj420p).
MAX_WIDTH = 1920
_ENCODE = (
    "-an",
    "-vf",
    f"scale=trunc(min({MAX_WIDTH}\\,iw)/2)*2:-2:out_range=tv",
    "-c:v",
    "libx264",
    "-preset",
    "veryfast",
    "-crf",
    "23",
    "-pix_fmt",
    "yuv420p",
    "-movflags",
    "+faststart",
    "-f",
    "mp4",
)


def timelapse_archive(destination: Path) -> Archive:
    """Return the timelapse tree of a destination (no subfolders)."""
    return Archive(destination, TIMELAPSE_FOLDER, Grouping.NONE)


def timelapse_name(camera: str, first: date, last: date) -> str:
    """Return the file name of a timelapse of ``first`` to ``last`` (one date for one day)."""
    name = f"{camera}_{first:%Y%m%d}"
    return f"{name}.mp4" if last == first else f"{name}_{last:%Y%m%d}.mp4"


def timelapse_days(name: str) -> tuple[date, date] | None:
    """Return the first and last day a timelapse's name covers, None for any other name."""
    match = _NAME.fullmatch(name)
    if match is None:
        return None
    try:
        first = datetime.strptime(match["first"], "%Y%m%d").date()  # noqa: DTZ007 (a date)
        last = datetime.strptime(match["last"] or match["first"], "%Y%m%d").date()  # noqa: DTZ007
    except ValueError:
        return None
    return (first, last) if first <= last else None


def timelapse_recorded_at(name: str, tz: tzinfo) -> datetime | None:
    """Return when a timelapse counts as recorded: the start of its last day (``tz``)."""
    days = timelapse_days(name)
    return None if days is None else datetime.combine(days[1], time(), tz)


def frames_between(snapshots: Iterable[ArchivedFile], first: date, last: date) -> list[Path]:
    """Return the snapshots taken from ``first`` to ``last`` (their own local dates), in order."""
    chosen = [item for item in snapshots if first <= item.recorded.date() <= last]
    chosen.sort(key=lambda item: (item.recorded, item.name))
    return [item.path for item in chosen]


@dataclass(frozen=True, slots=True)
class TimelapseProgress:
    """Where a timelapse is: frames written of the frames asked for."""

    name: str
    total_frames: int
    done_frames: int

    @property
    def percent(self) -> float:
        """Return the share of the frames written."""
        if self.total_frames <= 0:
            return 100.0
        return min(100.0, 100.0 * self.done_frames / self.total_frames)


@dataclass(frozen=True, slots=True)
class Timelapse:
    """A timelapse that reached the archive."""

    path: Path
    size: int
    first: date
    last: date
    frames: int
    fps: float

    @property
    def duration(self) -> float:
        """Return how long it plays, in seconds."""
        return self.frames / self.fps


async def make_timelapse(
    ffmpeg: str,
    archive: Archive,
    name: str,
    frames: Sequence[Path],
    fps: float,
    *,
    on_progress: Callable[[TimelapseProgress], None] | None = None,
) -> tuple[Path, int]:
    """Encode ``frames`` into ``archive`` as ``name``; return its path and frame count.

    NoFramesError when there is nothing to encode; VideoToolError (or DiskLimitError) when ffmpeg
    fails; the partial file never stays behind.
    """
    if not frames:
        raise NoFramesError("There are no snapshots for that time")
    partial = archive.partial_path(name)
    final = archive.root / name
    await run_io(partial.parent.mkdir, parents=True, exist_ok=True)

    def report(done: int) -> None:
        if on_progress is not None:
            on_progress(TimelapseProgress(name, len(frames), done))

    arguments = ["-y", "-f", "image2pipe", "-framerate", f"{fps:g}", "-c:v", "mjpeg"]
    arguments += ["-i", "pipe:0", *_ENCODE, str(partial)]
    report(0)
    try:
        written = await run_ffmpeg(ffmpeg, arguments, feed=_read_frames(frames), on_frame=report)
        damage = await run_io(mp4_damage, partial)
        if damage is not None:
            raise VideoToolError(f"ffmpeg wrote a broken video ({damage})")
        if written <= 0:
            raise NoFramesError("None of the snapshots could be read")
        await run_io(commit, partial, final, archive.root)
    finally:
        await run_io(remove_file, partial)
    report(written)
    return final, written


async def _read_frames(frames: Iterable[Path]) -> AsyncIterator[bytes]:
    """Yield each snapshot's bytes, read in the executor; skip those gone meanwhile."""
    for path in frames:
        try:
            yield await run_io(path.read_bytes)
        except FileNotFoundError:
            continue
