"""Snapshots on disk: ``snapshots/<YYYY-MM-DD>/<camera>_<YYYYMMDD_HHMMSS>.jpg``.

The names carry the camera's slug and the capture time, like the Reolink seed script's, so a
folder copied elsewhere still says what it holds.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from pathlib import Path
import re

from .archive import Archive
from .errors import ProtocolError
from .files import write_atomically
from .models import Grouping

SNAPSHOT_FOLDER = "snapshots"
_NAME = re.compile(
    r"(?P<camera>[a-z0-9_]+)_(?P<stamp>[0-9]{8}_[0-9]{6})(?:_(?P<n>[0-9]{1,3}))?\.jpg", re.ASCII
)
_SLUG = re.compile(r"[^a-z0-9]+", re.ASCII)


def snapshot_archive(destination: Path) -> Archive:
    """Return the snapshot tree of a destination (one folder per day)."""
    return Archive(destination, SNAPSHOT_FOLDER, Grouping.DAILY)


def camera_slug(name: str) -> str:
    """Return a file-name-safe form of a camera's name ("Front yard" -> "front_yard")."""
    return _SLUG.sub("_", name.lower()).strip("_") or "camera"


def snapshot_name(camera: str, taken: datetime, counter: int = 0) -> str:
    """Return the file name of a snapshot taken at ``taken`` (local time of ``taken``)."""
    stamp = taken.strftime("%Y%m%d_%H%M%S")
    return f"{camera}_{stamp}.jpg" if counter == 0 else f"{camera}_{stamp}_{counter}.jpg"


def snapshot_recorded_at(name: str, tz: tzinfo) -> datetime | None:
    """Return when a snapshot file was taken, or None when the name is not a snapshot's."""
    match = _NAME.fullmatch(name)
    if match is None:
        return None
    try:
        return datetime.strptime(match["stamp"], "%Y%m%d_%H%M%S").replace(tzinfo=tz)
    except ValueError:
        return None


def is_jpeg(data: bytes) -> bool:
    """Return True when ``data`` looks like a whole JPEG image."""
    return data[:3] == b"\xff\xd8\xff" and data.rstrip(b"\x00")[-2:] == b"\xff\xd9"


def save_snapshot(archive: Archive, camera: str, taken: datetime, data: bytes) -> Path:
    """Write a JPEG under its timestamped name, never overwriting one (blocking)."""
    if not is_jpeg(data):
        raise ProtocolError("The camera sent something that is not a JPEG image")
    for counter in range(1000):
        name = snapshot_name(camera, taken, counter)
        final = archive.final_path(name, taken)
        if not final.exists():
            write_atomically(data, archive.partial_path(name), final, archive.root)
            return final
    raise ProtocolError(f"Too many snapshots of {camera} in one second")
