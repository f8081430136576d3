"""What the archive and its disk look like, from one scan (blocking: run it in the executor)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from .engine.archive import ArchivedFile, ArchiveTree
from .engine.disk import DiskUsageSource, measure

IMAGE_SUFFIXES = (".jpg", ".thm")


@dataclass(frozen=True, slots=True)
class LocalFacts:
    """The archive's newest capture and image, its size, and the disk's space."""

    last_capture: datetime | None
    newest_image: Path | None
    archive_files: int
    archive_bytes: int
    disk_total: int | None
    disk_free: int | None
    disk_used_percent: float | None


def read_local_facts(trees: Sequence[ArchiveTree], disk_usage: DiskUsageSource) -> LocalFacts:
    """Scan the archive trees (recordings, snapshots) and measure the disk holding them."""
    indexes = [tree.archive.scan(tree.recognise) for tree in trees]
    files = [item for index in indexes for item in index.files.values()]
    newest_image = _newest(item for item in files if item.name.lower().endswith(IMAGE_SUFFIXES))
    newest = _newest(files)
    try:
        usage = measure(trees[0].archive.destination, disk_usage)
    except OSError:
        total = free = None
        used_percent = None
    else:
        total, free = usage.total, usage.free
        used_percent = 100.0 * usage.used / usage.total if usage.total else None
    return LocalFacts(
        last_capture=newest.recorded if newest else None,
        newest_image=newest_image.path if newest_image else None,
        archive_files=len(files),
        archive_bytes=sum(item.size for item in files),
        disk_total=total,
        disk_free=free,
        disk_used_percent=used_percent,
    )


def _newest(files: Iterable[ArchivedFile]) -> ArchivedFile | None:
    return max(files, key=lambda item: (item.recorded, item.name), default=None)
