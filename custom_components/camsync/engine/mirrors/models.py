"""Values of the mirrors: kinds, states, reason codes, queue items, health and reports."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import IntEnum, StrEnum
from typing import Any


class MirrorKind(StrEnum):
    """Where a mirror keeps its copy."""

    FOLDER = "folder"
    S3 = "s3"


class MirrorStatus(StrEnum):
    """What a mirror is doing, as the status sensor shows it."""

    IDLE = "idle"
    COPYING = "copying"
    AWAY = "away"
    """The target cannot be reached now (unmounted share, endpoint down): normal, retried."""
    ERROR = "error"
    """The target refuses (credentials, permissions, full disk, ...): the user may have to act."""


class MirrorReason(StrEnum):
    """Why a mirror (or one file) failed; the Home Assistant layer translates each code."""

    UNMOUNTED = "unmounted"
    SAME_DISK = "same_disk"
    NOT_UNDER_MOUNT_POINT = "not_under_mount_point"
    INSIDE_ARCHIVE = "inside_archive"
    NOT_WRITABLE = "not_writable"
    READ_ONLY = "read_only"
    DISK_FULL = "disk_full"
    BAD_CREDENTIALS = "bad_credentials"
    ACCESS_DENIED = "access_denied"
    BUCKET_MISSING = "bucket_missing"
    INVALID_BUCKET_NAME = "invalid_bucket_name"
    INVALID_ENDPOINT = "invalid_endpoint"
    ENDPOINT_UNREACHABLE = "endpoint_unreachable"
    TIMEOUT = "timeout"
    TLS_ERROR = "tls_error"
    WRONG_REGION = "wrong_region"
    SERVER_ERROR = "server_error"
    CHECKSUM_MISMATCH = "checksum_mismatch"
    SOURCE_MISSING = "source_missing"
    UNKNOWN = "unknown"

    @property
    def away(self) -> bool:
        """Return True when the reason means "not reachable now" rather than "refused"."""
        return self in _AWAY

    @property
    def per_file(self) -> bool:
        """Return True when the reason concerns one file: the mirror goes on with the next."""
        return self in _PER_FILE


_AWAY = frozenset({MirrorReason.UNMOUNTED, MirrorReason.ENDPOINT_UNREACHABLE, MirrorReason.TIMEOUT})
_PER_FILE = frozenset(
    {MirrorReason.CHECKSUM_MISMATCH, MirrorReason.SOURCE_MISSING, MirrorReason.SERVER_ERROR}
)


class Priority(IntEnum):
    """Queue order: lower first; within a priority, older recordings first."""

    EVENT = 0
    NORMAL = 10
    LOW = 20


@dataclass(frozen=True, slots=True)
class MirrorCheck:
    """The answer of a "test before saving": ok, or the reason it is not."""

    ok: bool
    reason: MirrorReason | None = None
    detail: str = ""

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-friendly copy."""
        return {"ok": self.ok, "reason": self.reason, "detail": self.detail}


@dataclass(frozen=True, slots=True)
class MirrorItem:
    """One archived file to copy: its path relative to the destination, POSIX style."""

    relative: str
    size: int
    recorded: datetime
    priority: int = Priority.NORMAL

    @property
    def name(self) -> str:
        """Return the file name."""
        return self.relative.rsplit("/", 1)[-1]


@dataclass(frozen=True, slots=True)
class RemoteEntry:
    """A file the mirror holds, as its listing states it."""

    size: int
    modified: datetime | None = None


@dataclass(frozen=True, slots=True)
class CopyResult:
    """What one verified copy did."""

    sha256: str
    sent_bytes: int
    """Bytes sent this time (a resumed multipart upload sends only the missing parts)."""
    reused_bytes: int = 0
    """Bytes the mirror already had from an earlier, interrupted attempt."""


@dataclass(frozen=True, slots=True)
class MirroredFile:
    """A file that reached a mirror, verified; the payload of the "file mirrored" event."""

    mirror_id: str
    kind: MirrorKind
    relative: str
    size: int
    sha256: str
    location: str
    """Where the copy is: a path or ``s3://bucket/key`` (no credentials)."""
    mirrored: datetime
    recorded: datetime
    sent_bytes: int
    reused_bytes: int = 0

    @property
    def name(self) -> str:
        """Return the file name."""
        return self.relative.rsplit("/", 1)[-1]

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-friendly copy (event data)."""
        return {
            "mirror_id": self.mirror_id,
            "kind": self.kind.value,
            "name": self.name,
            "relative": self.relative,
            "size": self.size,
            "sha256": self.sha256,
            "location": self.location,
            "mirrored": self.mirrored.isoformat(),
            "recorded": self.recorded.isoformat(),
            "sent_bytes": self.sent_bytes,
            "reused_bytes": self.reused_bytes,
        }


@dataclass(frozen=True, slots=True)
class MirrorHealth:
    """What the Home Assistant layer shows for one mirror."""

    mirror_id: str
    kind: MirrorKind
    status: MirrorStatus
    backlog_files: int
    backlog_bytes: int
    last_copied: datetime | None = None
    last_copied_name: str | None = None
    failing_since: datetime | None = None
    last_error: MirrorReason | None = None
    last_error_detail: str = ""
    current: str | None = None
    ready: bool = False
    """True once the mirror has listed what it holds (until then the prune guard keeps all)."""

    def failing_for(self, now: datetime) -> timedelta:
        """Return how long the mirror has been failing (zero when it is not)."""
        return now - self.failing_since if self.failing_since else timedelta(0)

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-friendly copy (diagnostics)."""
        return {
            "mirror_id": self.mirror_id,
            "kind": self.kind.value,
            "status": self.status.value,
            "backlog_files": self.backlog_files,
            "backlog_bytes": self.backlog_bytes,
            "last_copied": self.last_copied.isoformat() if self.last_copied else None,
            "last_copied_name": self.last_copied_name,
            "failing_since": self.failing_since.isoformat() if self.failing_since else None,
            "last_error": self.last_error.value if self.last_error else None,
            "last_error_detail": self.last_error_detail,
            "current": self.current,
            "ready": self.ready,
        }


@dataclass(frozen=True, slots=True)
class MirrorFailure:
    """A file that could not be mirrored in a pass, and why."""

    relative: str
    reason: MirrorReason
    detail: str = ""


@dataclass(slots=True)
class MirrorRunReport:
    """What one pass of a mirror did (the ``camsync.mirror`` action's response with ``wait``)."""

    mirror_id: str
    started: datetime
    finished: datetime | None = None
    reason: MirrorReason | None = None
    """Why the pass stopped early (the target away or refusing); None when it got through."""
    detail: str = ""
    copied: list[MirroredFile] = field(default_factory=list)
    failed: list[MirrorFailure] = field(default_factory=list)
    backed_off: int = 0
    backlog_files: int = 0
    backlog_bytes: int = 0
    deleted: list[str] = field(default_factory=list)
    """Files the mirror's own retention deleted from it in this pass."""

    @property
    def copied_bytes(self) -> int:
        """Return the size of the files copied in this pass."""
        return sum(item.size for item in self.copied)

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-friendly summary."""
        return {
            "mirror_id": self.mirror_id,
            "started": self.started.isoformat(),
            "finished": self.finished.isoformat() if self.finished else None,
            "reason": self.reason.value if self.reason else None,
            "detail": self.detail,
            "copied": [item.relative for item in self.copied],
            "copied_files": len(self.copied),
            "copied_bytes": self.copied_bytes,
            "sent_bytes": sum(item.sent_bytes for item in self.copied),
            "failed": [
                {"relative": item.relative, "reason": item.reason.value, "detail": item.detail}
                for item in self.failed
            ],
            "backed_off": self.backed_off,
            "backlog_files": self.backlog_files,
            "backlog_bytes": self.backlog_bytes,
            "deleted": list(self.deleted),
        }


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Back-off: per file after a per-file failure, per mirror after the target failed."""

    file_base: timedelta = timedelta(minutes=1)
    file_max: timedelta = timedelta(hours=6)
    mirror_base: timedelta = timedelta(seconds=30)
    mirror_max: timedelta = timedelta(minutes=15)
    relist_every: timedelta = timedelta(hours=24)
    """How often the mirror's own listing is read again (files deleted on the mirror)."""

    def delay(self, failures: int, *, per_file: bool) -> timedelta:
        """Return the wait after ``failures`` failures in a row (doubling, capped)."""
        base, limit = (
            (self.file_base, self.file_max) if per_file else (self.mirror_base, self.mirror_max)
        )
        if failures <= 0:
            return timedelta(0)
        return min(base * (1 << min(failures - 1, 30)), limit)
