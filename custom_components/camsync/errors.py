"""The one place where engine outcomes become translated Home Assistant errors.

The translation key of each outcome is a column of the table in ``outcomes.py``.
"""

from __future__ import annotations

from homeassistant.exceptions import HomeAssistantError

from .const import DOMAIN
from .engine.errors import CamsyncError, Outcome
from .outcomes import rule_for


def outcome_error(outcome: Outcome, title: str, detail: str) -> HomeAssistantError:
    """Return the translated error for a run or request that ended with ``outcome``."""
    return HomeAssistantError(
        translation_domain=DOMAIN,
        translation_key=rule_for(outcome).error_key,
        translation_placeholders={"title": title, "detail": detail},
    )


def camsync_error(err: CamsyncError, title: str) -> HomeAssistantError:
    """Return the translated error for an engine or client exception."""
    return outcome_error(err.outcome, title, str(err))
