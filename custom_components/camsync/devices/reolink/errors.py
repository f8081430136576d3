"""Reolink error replies, and the one place their codes become engine errors."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
import time
from typing import Any

from ...engine.errors import (
    CameraAuthError,
    CameraOfflineError,
    CamsyncError,
    FileTransferError,
    LoginLockedError,
    ProtocolError,
    UnsupportedError,
)
from .protocol import parse_json

LOCKED_RETRY_AFTER = 1800.0
SESSION_LIMIT_RETRY_AFTER = 300.0
FREQUENT_LOGIN_RETRY_AFTER = 60.0

SESSION_CODES = frozenset({-6, -21})
_AUTH_CODES = frozenset({-7, -27, -502})
_LOCKED_CODES = frozenset({-503, -506})
# -507 "login reach max" reads like -5 "max session": too many logins open, not a lockout. No
# capture or library seen treats it otherwise (reolink-aio maps no login code specially).
_SESSION_LIMIT_CODES = frozenset({-5, -507})
UNSUPPORTED_CODES = frozenset({-9, -26})
_FILE_REASONS: Mapping[int, str] = {-220: "camera_error", -221: "busy", -222: "not_found"}
_LOCKED_TEXT = "login has been locked"


class SessionLimitError(LoginLockedError):
    """The camera has too many open sessions (-5, -507); logins work once old tokens expire."""


class SessionExpiredError(ProtocolError):
    """The camera rejected the token (-6/-21) even right after a new login."""


def map_reolink_error(
    rsp_code: int | None,
    detail: str,
    *,
    host: str,
    command: str,
    file_name: str | None = None,
    retry_after: float | None = None,
) -> CamsyncError:
    """Return the engine error for a Reolink error reply: the one place codes are mapped.

    ``retry_after`` is what the reply says about a lockout, when it says anything.
    """
    text = f"{host}: {command} refused: {detail or 'no detail'} ({rsp_code})"
    if _LOCKED_TEXT in detail.lower() or rsp_code in _LOCKED_CODES:
        return LoginLockedError(text, retry_after or LOCKED_RETRY_AFTER)
    if rsp_code in _AUTH_CODES:
        return CameraAuthError(text)
    if rsp_code in _SESSION_LIMIT_CODES:
        return SessionLimitError(text, SESSION_LIMIT_RETRY_AFTER)
    if rsp_code == -105:
        return LoginLockedError(text, retry_after or FREQUENT_LOGIN_RETRY_AFTER)
    if rsp_code in SESSION_CODES:
        return SessionExpiredError(text)
    if rsp_code in UNSUPPORTED_CODES:
        return UnsupportedError(text)
    if rsp_code == -99:
        return CameraOfflineError(text)
    if file_name is not None and rsp_code is not None and rsp_code in _FILE_REASONS:
        return FileTransferError(file_name, _FILE_REASONS[rsp_code], f"{detail} ({rsp_code})")
    return ProtocolError(text)


@dataclass(frozen=True, slots=True)
class ReplyError:
    """The ``error`` block of one reply element."""

    code: int | None
    detail: str
    retry_after: float | None

    @property
    def session_expired(self) -> bool:
        """Return True when the camera dropped our token."""
        return self.code in SESSION_CODES


def reply_error(reply: Any) -> ReplyError | None:
    """Return the error of one reply element, None when it succeeded."""
    if not isinstance(reply, Mapping):
        return ReplyError(None, "malformed reply", None)
    error = reply.get("error")
    if reply.get("code") == 0 and not isinstance(error, Mapping):
        return None
    if not isinstance(error, Mapping):
        return ReplyError(None, f"code {reply.get('code')!r} without an error block", None)
    code = error.get("rspCode")
    return ReplyError(
        code if isinstance(code, int) else None,
        str(error.get("detail", "")),
        unlock_seconds(error.get("unlock_time")),
    )


def unlock_seconds(value: Any) -> float | None:
    """Return seconds until an ``unlock_time`` (seconds left, or an epoch time when huge)."""
    if not isinstance(value, int | float) or value <= 0:
        return None
    if value > 1_000_000_000:
        return max(float(value) - time.time(), 1.0)
    return float(value)


def error_in_body(data: bytes) -> ReplyError | None:
    """Return the error of a JSON error answer sent instead of a file or image."""
    parsed = parse_json(data)
    if isinstance(parsed, list) and parsed:
        return reply_error(parsed[0])
    return None
