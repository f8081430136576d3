"""Disk usage at the destination, and the guard that stops a sync before the limit is passed.

The arithmetic is on the space a user can really use, as ``df`` counts it: the blocks a file
system reserves for root (5 % of an ext4 by default, often more) are no room for Home Assistant.
``shutil.disk_usage`` reports ``total`` (every block), ``used`` and ``free`` (what an ordinary
user may still write, ``f_bavail``); the reserved blocks are the rest. The usable size is
``used + free`` and the share used is ``used / (used + free)``, which is ``df``'s *Use%*.
Dividing by ``total`` instead (as camsync once did) called a disk 10.6 % used that ``df``
called 27 %, so a 20 % limit never stopped a sync.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
import shutil
from typing import Protocol

from .errors import DiskLimitError
from .files import run_io


class DiskUsage(Protocol):
    """What ``shutil.disk_usage`` returns."""

    @property
    def total(self) -> int:
        """Return the size of the file system (reserved blocks included)."""

    @property
    def used(self) -> int:
        """Return the bytes in use."""

    @property
    def free(self) -> int:
        """Return the bytes an ordinary user may still write (reserved blocks excluded)."""


type DiskUsageSource = Callable[[Path], DiskUsage]


def existing_ancestor(path: Path) -> Path:
    """Return ``path`` or its nearest existing parent (blocking), to measure a new folder's disk."""
    for candidate in (path, *path.parents):
        if candidate.exists():
            return candidate
    return path


def measure(path: Path, source: DiskUsageSource = shutil.disk_usage) -> DiskUsage:
    """Return the usage of the disk holding ``path`` (blocking)."""
    return source(existing_ancestor(path))


def usable_size(usage: DiskUsage) -> int:
    """Return the space a user can fill: used plus available (the reserved blocks left out)."""
    return usage.used + usage.free


def used_percent(usage: DiskUsage) -> float:
    """Return the share of the usable space in use, in percent (``df``'s Use%, unrounded)."""
    usable = usable_size(usage)
    return 100.0 * usage.used / usable if usable > 0 else 100.0


def human_size(size: float) -> str:
    """Return a size for people: ``11.8 MB``, ``1.25 GB`` (decimal units, as the sensors show)."""
    for unit in ("B", "kB", "MB", "GB"):
        if abs(size) < 1000:
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{size:.2f} TB"


def limit_problem(
    usage: DiskUsage, limit_percent: float, keep_free: int = 0, incoming: int = 0
) -> str | None:
    """Return how ``incoming`` more bytes would break the limits (``is …``), None when they fit.

    Two limits: the share of the usable space in use may not pass ``limit_percent``, and at
    least ``keep_free`` bytes must stay available.
    """
    usable = usable_size(usage)
    if usage.used + incoming > usable * limit_percent / 100.0:
        beyond = f"; {human_size(incoming)} more would pass" if incoming else ", past"
        return (
            f"is {used_percent(usage):.1f}% used (as df counts it){beyond} "
            f"the {limit_percent:g}% limit"
        )
    if keep_free > 0 and usage.free - incoming < keep_free:
        writing = f" ({human_size(incoming)} more to write)" if incoming else ""
        return f"has {human_size(usage.free)} free{writing}; {human_size(keep_free)} must stay free"
    return None


class DiskGuard:
    """Raises DiskLimitError before a write would take the disk past its limits."""

    def __init__(
        self,
        path: Path,
        limit_percent: float,
        source: DiskUsageSource = shutil.disk_usage,
        *,
        keep_free: int = 0,
    ) -> None:
        """Guard the disk holding ``path``: at most ``limit_percent`` used, ``keep_free`` left."""
        self.path = path
        self.limit_percent = limit_percent
        self.keep_free = keep_free
        self.source = source

    async def check(self, incoming: int | None) -> None:
        """Raise when ``incoming`` more bytes (unknown: none) would break a limit."""
        usage = await run_io(measure, self.path, self.source)
        problem = limit_problem(usage, self.limit_percent, self.keep_free, incoming or 0)
        if problem is not None:
            raise DiskLimitError(f"The disk holding {self.path} {problem}")
