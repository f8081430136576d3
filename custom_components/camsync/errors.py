"""The one place where engine outcomes become translated Home Assistant errors.

The translation key of each outcome is a column of the table in ``outcomes.py``.
"""

from __future__ import annotations

from homeassistant.exceptions import HomeAssistantError, ServiceValidationError

from .const import DOMAIN
from .engine.errors import CamsyncError, Outcome
from .outcomes import rule_for

NO_DETAIL = "no answer at the last look"


def outcome_error(outcome: Outcome, title: str, detail: str) -> HomeAssistantError:
    """Return the translated error for a run or request that ended with ``outcome``.

    A condition the caller must know about (the camera away) is a ServiceValidationError.
    """
    rule = rule_for(outcome)
    error = ServiceValidationError if rule.validation else HomeAssistantError
    return error(
        translation_domain=DOMAIN,
        translation_key=rule.error_key,
        translation_placeholders={"title": title, "detail": detail or NO_DETAIL},
    )


def camsync_error(err: CamsyncError, title: str) -> HomeAssistantError:
    """Return the translated error for an engine or client exception."""
    return outcome_error(err.outcome, title, str(err))
