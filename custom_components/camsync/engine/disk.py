"""Disk usage at the destination, and the guard that stops a sync before the limit is passed."""

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
        """Return the size of the file system."""

    @property
    def used(self) -> int:
        """Return the bytes in use."""

    @property
    def free(self) -> int:
        """Return the bytes available."""


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


def used_percent(usage: DiskUsage) -> float:
    """Return the share of the disk in use, in percent."""
    return 100.0 * usage.used / usage.total if usage.total else 100.0


class DiskGuard:
    """Raises DiskLimitError before a write would take the disk past ``limit_percent`` used."""

    def __init__(
        self, path: Path, limit_percent: float, source: DiskUsageSource = shutil.disk_usage
    ) -> None:
        """Guard the disk that holds ``path``."""
        self.path = path
        self.limit_percent = limit_percent
        self.source = source

    async def check(self, incoming: int | None) -> None:
        """Raise when ``incoming`` more bytes (unknown: none) would pass the limit."""
        usage = await run_io(measure, self.path, self.source)
        allowed = usage.total * self.limit_percent / 100.0
        after = usage.used + (incoming or 0)
        if after > allowed:
            raise DiskLimitError(
                f"The disk holding {self.path} is {used_percent(usage):.1f}% used; "
                f"{incoming or 0} more bytes would pass the {self.limit_percent:g}% limit"
            )
