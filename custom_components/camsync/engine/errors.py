"""The engine's error hierarchy: one class per way a sync can fail.

Each class carries an ``outcome`` code. The run report uses it, and the Home Assistant layer maps
it to an entity state, a log level and a translated message in one place.
"""

from __future__ import annotations

from enum import StrEnum


class Outcome(StrEnum):
    """How a sync run ended, or why one file failed."""

    COMPLETED = "completed"
    OFFLINE = "offline"
    AUTH_FAILED = "auth_failed"
    LOGIN_LOCKED = "login_locked"
    PROTOCOL_ERROR = "protocol_error"
    DISK_LIMIT = "disk_limit"
    DESTINATION_ERROR = "destination_error"
    LOCK_HELD = "lock_held"
    CANCELLED = "cancelled"
    DOWNLOADS_WEDGED = "downloads_wedged"
    """The camera answers listings (and snapshots) but resets every download: reboot it."""


class CamsyncError(Exception):
    """Base class of every error the engine and the device clients raise on purpose."""

    outcome = Outcome.PROTOCOL_ERROR


class CameraOfflineError(CamsyncError):
    """The camera cannot be reached: away, powered off, or not answering."""

    outcome = Outcome.OFFLINE


class CameraAuthError(CamsyncError):
    """The camera rejected the credentials; the user has to fix them."""

    outcome = Outcome.AUTH_FAILED


class LoginLockedError(CamsyncError):
    """The camera locked logins after failed attempts; retrying now makes it worse."""

    outcome = Outcome.LOGIN_LOCKED

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ProtocolError(CamsyncError):
    """The camera answered, but not in a way we understand."""

    outcome = Outcome.PROTOCOL_ERROR


class UnsupportedError(ProtocolError):
    """The camera does not support a command (Reolink -9/-26, a 404 for an optional endpoint)."""


class FileTransferError(CamsyncError):
    """One file could not be fetched; the rest of the run goes on.

    ``reason`` is a short machine-readable code (``http_500``, ``truncated``, ``reset``,
    ``stalled``, ``size_mismatch``, ``not_found``, ``damaged``, ``internal_error``, ...).
    ``progressed`` says whether the attempt grew the partial file, in which case the failure does
    not count towards the back-off.
    """

    def __init__(self, name: str, reason: str, detail: str = "", *, progressed: bool = False):
        text = f"{name}: {reason}" + (f" ({detail})" if detail else "")
        super().__init__(text)
        self.name = name
        self.reason = reason
        self.detail = detail
        self.progressed = progressed


class DownloadsWedgedError(CamsyncError):
    """The camera answers, but resets every download: its download function is stuck."""

    outcome = Outcome.DOWNLOADS_WEDGED


class DiskLimitError(CamsyncError):
    """Writing more would take the destination past its used-disk limit (or the disk is full)."""

    outcome = Outcome.DISK_LIMIT


class DestinationError(CamsyncError):
    """The destination folder cannot be written."""

    outcome = Outcome.DESTINATION_ERROR


class LockHeldError(CamsyncError):
    """Another sync (this or another process) already holds the destination's lock."""

    outcome = Outcome.LOCK_HELD

    def __init__(self, message: str, holder: str = "") -> None:
        super().__init__(message)
        self.holder = holder


class VideoToolError(CamsyncError):
    """ffmpeg (which makes thumbnails and timelapses) failed on a file."""

    outcome = Outcome.PROTOCOL_ERROR


class VideoToolMissingError(VideoToolError):
    """There is no ffmpeg to run (not installed, or not executable)."""


class NoFramesError(CamsyncError):
    """A timelapse was asked for days that have no snapshots."""

    outcome = Outcome.PROTOCOL_ERROR
