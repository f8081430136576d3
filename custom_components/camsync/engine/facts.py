"""What the facade reports: a survey of the camera, the archive's facts, the disk, a rescan."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

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
    """The disk holding the destination."""

    total: int
    free: int
    used_percent: float


@dataclass(frozen=True, slots=True)
class RescanReport:
    """What a full scan found: files, and the ones the user deleted since the last scan."""

    files: int
    deleted: tuple[str, ...]
