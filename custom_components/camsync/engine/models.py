"""Values shared by the engine and the device clients: recordings, options and reports."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from .errors import Outcome
from .geo import Zone

if TYPE_CHECKING:
    from .context import EventContext


class FileRole(StrEnum):
    """What a file in the archive is."""

    VIDEO = "video"
    THUMBNAIL = "thumbnail"
    GPS = "gps"
    ACCELEROMETER = "accelerometer"
    SNAPSHOT = "snapshot"
    TIMELAPSE = "timelapse"


class Grouping(StrEnum):
    """How recordings are grouped into folders by their recording date."""

    NONE = "none"
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    YEARLY = "yearly"


class Priority(StrEnum):
    """Which pending recordings are downloaded first."""

    EVENTS_FIRST = "events_first"
    NEWEST_FIRST = "newest_first"
    OLDEST_FIRST = "oldest_first"


@dataclass(frozen=True, slots=True)
class FileFacts:
    """What an archived file's name says about it, as the camera's client reads the name.

    ``kind`` is the main trigger (a BlackVue type letter, a Reolink trigger), ``tags`` every
    trigger the name carries. ``thumbnail`` names the image the camera makes for a video (a
    BlackVue ``.thm``); ``video`` names the video a sidecar belongs to.
    """

    role: FileRole
    kind: str = ""
    channel: str = ""
    event: bool = False
    tags: frozenset[str] = frozenset()
    thumbnail: str | None = None
    video: str | None = None


@dataclass(frozen=True, slots=True)
class RemoteFile:
    """One file to fetch from the camera for a recording.

    ``locator`` is the device's own address for the file (a URL path, an SD-card path); the
    engine hands it back to the client untouched. ``name`` is the validated archive file name.
    ``size`` is what the camera's listing states; unless ``size_exact``, it is an estimate
    (progress, pending bytes, disk checks), never the length the download is judged by.
    """

    name: str
    role: FileRole
    locator: str
    size: int | None = None
    required: bool = True
    inline: bool = False
    size_exact: bool = True


@dataclass(frozen=True, slots=True)
class Recording:
    """A recording the camera lists, with the files that make it up (video first).

    ``kind`` is the main trigger (a BlackVue type letter, a Reolink trigger such as ``person``),
    ``tags`` every trigger the camera names; the kinds filter matches either. ``rank`` orders
    kinds for the events-first priority (lower first).
    """

    name: str
    start: datetime
    kind: str
    channel: str
    event: bool
    rank: int
    files: tuple[RemoteFile, ...]
    tags: frozenset[str] = frozenset()

    @property
    def size(self) -> int | None:
        """Return the video's size when the camera states it."""
        return self.files[0].size if self.files else None


@dataclass(frozen=True, slots=True)
class Listing:
    """What the camera lists: valid recordings plus a count of lines that were skipped.

    ``clock_unset`` counts recordings named as if recorded on 1970-01-01: the camera's clock was
    never set, so their times mean nothing (they are not in ``recordings``).
    """

    recordings: tuple[Recording, ...]
    skipped: int = 0
    skipped_samples: tuple[str, ...] = ()
    clock_unset: int = 0


@dataclass(frozen=True, slots=True)
class SyncOptions:
    """What to download and how; the defaults are what a new entry gets."""

    kinds: frozenset[str] | None = None
    channels: frozenset[str] | None = None
    max_age: timedelta | None = None
    priority: Priority = Priority.EVENTS_FIRST
    sidecars: bool = True
    disk_limit_percent: float = 90.0
    keep_free_bytes: int = 0
    """Bytes that must stay available on the destination's disk (0: only the percent limit)."""
    retry_base: timedelta = timedelta(minutes=15)
    retry_max: timedelta = timedelta(days=1)
    concurrency: int = 1
    chunk_size: int = 4 * 1024 * 1024
    """Bytes received before they are handed to the disk in one write (fewer, bigger writes)."""
    retry_pause: float = 2.0
    """Seconds before the one retry in a run of a file that got a reset or an HTTP 5xx."""
    event_context: EventContext | None = None
    """Fetch the recordings around each event right after it (None: plain priority order)."""
    skip_zones: tuple[Zone, ...] = ()
    """Leave out recordings of ``zone_kinds`` made inside any of these zones (home)."""
    zone_kinds: frozenset[str] = frozenset()
    relist_after: timedelta | None = None
    """A run longer than this lists the camera again between two videos (None: never)."""


@dataclass(frozen=True, slots=True)
class Progress:
    """Where a running sync is: bytes of the whole run, and the file in flight."""

    total_files: int
    done_files: int
    total_bytes: int
    done_bytes: int
    current: str | None = None

    @property
    def percent(self) -> float:
        """Return the share of the run's bytes already received (100 once every file is done).

        A camera's listed sizes are estimates (a Reolink remux serves more or fewer bytes), so
        the bytes alone may never reach the total.
        """
        if self.done_files >= self.total_files:
            return 100.0
        if self.total_bytes <= 0:
            return 0.0
        return min(100.0, 100.0 * self.done_bytes / self.total_bytes)


@dataclass(frozen=True, slots=True)
class SavedFile:
    """A file that reached its final name in the archive."""

    name: str
    path: str
    role: FileRole
    size: int
    recorded: datetime
    kind: str
    channel: str
    event: bool
    resumed_from: int = 0
    verified: bool = False
    """True when the content was checked (a video's MP4 box chain reaches exactly its end)."""


@dataclass(frozen=True, slots=True)
class FailedFile:
    """A file that failed in this run, and why."""

    name: str
    reason: str
    detail: str = ""


@dataclass(slots=True)
class SyncReport:
    """What a sync run did; it is also the payload of the "sync finished" event."""

    started: datetime
    finished: datetime | None = None
    outcome: Outcome = Outcome.COMPLETED
    message: str = ""
    listed: int = 0
    planned: int = 0
    saved: list[SavedFile] = field(default_factory=list)
    failed: list[FailedFile] = field(default_factory=list)
    backed_off: list[str] = field(default_factory=list)
    absent: list[str] = field(default_factory=list)
    skipped_listing: int = 0
    filtered: int = 0
    bytes_received: int = 0
    clock_unset: int = 0
    damaged: int = 0
    """Files whose download failed content verification in this run (dropped, never archived)."""
    skipped_in_zones: int = 0
    """Recordings left out because they were made inside a zone the options name."""

    @property
    def bytes_saved(self) -> int:
        """Return the size of every file saved in this run."""
        return sum(item.size for item in self.saved)

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-friendly summary (service responses, events, diagnostics)."""
        return {
            "outcome": self.outcome.value,
            "message": self.message,
            "started": self.started.isoformat(),
            "finished": self.finished.isoformat() if self.finished else None,
            "listed": self.listed,
            "planned": self.planned,
            "saved": [
                {
                    "name": item.name,
                    "path": item.path,
                    "size": item.size,
                    "role": item.role.value,
                    "verified": item.verified,
                }
                for item in self.saved
            ],
            "saved_files": len(self.saved),
            "saved_bytes": self.bytes_saved,
            "bytes_received": self.bytes_received,
            "failed": [
                {"name": item.name, "reason": item.reason, "detail": item.detail}
                for item in self.failed
            ],
            "backed_off": list(self.backed_off),
            "absent": list(self.absent),
            "skipped_listing": self.skipped_listing,
            "filtered": self.filtered,
            "clock_unset": self.clock_unset,
            "damaged": self.damaged,
            "skipped_in_zones": self.skipped_in_zones,
        }


@dataclass(frozen=True, slots=True)
class PruneReport:
    """What a prune deleted, or would delete in a dry run."""

    cutoff: datetime
    dry_run: bool
    deleted: tuple[str, ...]
    bytes: int
    folders_removed: tuple[str, ...] = ()
    oldest: datetime | None = None
    """When the oldest deleted file was recorded (None: nothing deleted)."""
    newest: datetime | None = None
    """When the newest deleted file was recorded."""
    kept: tuple[str, ...] = ()
    """Files older than the cutoff kept because a mirror does not have them yet."""

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-friendly summary."""
        return {
            "cutoff": self.cutoff.isoformat(),
            "dry_run": self.dry_run,
            "deleted": list(self.deleted),
            "deleted_files": len(self.deleted),
            "deleted_bytes": self.bytes,
            "folders_removed": list(self.folders_removed),
            "oldest": self.oldest.isoformat() if self.oldest else None,
            "newest": self.newest.isoformat() if self.newest else None,
            "kept_for_mirrors": list(self.kept),
        }
