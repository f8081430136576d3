"""What the facade reports: a survey of the camera, the archive's facts, the disk, a rescan."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from .disk import limit_problem
from .models import Listing
from .plan import Plan


@dataclass(frozen=True, slots=True)
class Survey:
    """One look at the camera: its listing, and the plan against the archive at that moment."""

    listing: Listing
    plan: Plan
    since: datetime | None
    taken: datetime | None = None
    """When the camera was listed."""
    skipped_in_zones: int = 0
    """Recordings left out because they were made inside a zone the options name."""

    @property
    def pending_recordings(self) -> int:
        """Return how many recordings still have files to fetch."""
        return self.plan.recordings

    @property
    def pending_files(self) -> int:
        """Return how many files (videos and sidecars) are still to fetch."""
        return len(self.plan.files)

    @property
    def pending_bytes(self) -> int | None:
        """Return the bytes still to fetch, None when the camera does not state every size."""
        return self.plan.known_bytes if self.plan.unknown_sizes == 0 else None


@dataclass(frozen=True, slots=True)
class ArchiveFacts:
    """What the archive holds, from the index: no directory walk."""

    files: int
    bytes: int
    newest_capture: datetime | None
    newest_image: Path | None
    remembered_deletions: int
    scanned: datetime | None


@dataclass(frozen=True, slots=True)
class DiskFacts:
    """The disk holding the destination, as ``df`` counts it (see ``disk.py``).

    ``total`` is the usable size (used plus free: the blocks reserved for root left out),
    ``free`` what may still be written, ``used_percent`` df's Use% (unrounded), ``reserved``
    the blocks an ordinary user cannot write.
    """

    total: int
    free: int
    used_percent: float
    reserved: int = 0

    @property
    def used(self) -> int:
        """Return the bytes in use."""
        return self.total - self.free

    def limit_problem(self, limit_percent: float, keep_free: int = 0) -> str | None:
        """Return how the disk breaks its limits now (``is …``), None when it is within them."""
        return limit_problem(self, limit_percent, keep_free)

    def excess(self, limit_percent: float, keep_free: int = 0, headroom: int = 0) -> int:
        """Return how many bytes must go for ``headroom`` more bytes to fit within both limits.

        A sync stops before the next file would pass a limit, so the disk is usually just
        within them when it stops: the headroom is the room wanted beyond them.
        """
        over_limit = self.used + headroom - int(self.total * limit_percent / 100.0)
        return max(over_limit, keep_free + headroom - self.free, 0)


@dataclass(frozen=True, slots=True)
class RescanReport:
    """What a full scan found: files, and the ones the user deleted since the last scan."""

    files: int
    deleted: tuple[str, ...]
