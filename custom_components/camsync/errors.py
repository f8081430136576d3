"""The one place where engine outcomes become translated Home Assistant errors."""

from __future__ import annotations

from homeassistant.exceptions import HomeAssistantError

from .const import DOMAIN
from .engine.errors import CamsyncError, Outcome

_TRANSLATION_KEYS = {
    Outcome.OFFLINE: "camera_offline",
    Outcome.AUTH_FAILED: "auth_failed",
    Outcome.LOGIN_LOCKED: "login_locked",
    Outcome.PROTOCOL_ERROR: "camera_error",
    Outcome.DISK_LIMIT: "disk_limit",
    Outcome.DESTINATION_ERROR: "destination_not_writable",
    Outcome.LOCK_HELD: "lock_held",
    Outcome.CANCELLED: "sync_cancelled",
}


def outcome_error(outcome: Outcome, title: str, detail: str) -> HomeAssistantError:
    """Return the translated error for a run or request that ended with ``outcome``."""
    return HomeAssistantError(
        translation_domain=DOMAIN,
        translation_key=_TRANSLATION_KEYS.get(outcome, "camera_error"),
        translation_placeholders={"title": title, "detail": detail},
    )


def camsync_error(err: CamsyncError, title: str) -> HomeAssistantError:
    """Return the translated error for an engine or client exception."""
    return outcome_error(err.outcome, title, str(err))
