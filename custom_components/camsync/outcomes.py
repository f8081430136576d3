"""What each way a sync can end means in Home Assistant, decided in one table.

For every engine ``Outcome``: the sync status it leaves, the translated error a waiting caller
gets, the repair issues it raises and clears, whether it shows the camera there (True), away
(False) or says nothing about it (None), whether the user must sign in again, how loudly it is
logged, whether automations hear of it, and whether an action that meets it failed through no
fault of camsync's (a camera that is away is a condition to tell the caller, a
ServiceValidationError, not an error of Home Assistant's).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
import logging

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback

from . import issues
from .const import SyncStatus
from .engine.errors import Outcome
from .engine.models import SyncReport


@dataclass(frozen=True, slots=True)
class OutcomeRule:
    """What one outcome means."""

    status: SyncStatus
    error_key: str
    raises: str | None = None
    clears: tuple[str, ...] = ()
    camera: bool | None = True
    reauth: bool = False
    log_level: int = logging.DEBUG
    fires_event: bool = True
    validation: bool = False


OUTCOMES: Mapping[Outcome, OutcomeRule] = {
    Outcome.COMPLETED: OutcomeRule(
        SyncStatus.IDLE, "camera_error", clears=(issues.DISK_LIMIT, issues.DESTINATION)
    ),
    Outcome.OFFLINE: OutcomeRule(
        SyncStatus.OFFLINE, "camera_offline", camera=False, validation=True
    ),
    Outcome.AUTH_FAILED: OutcomeRule(SyncStatus.ERROR, "auth_failed", reauth=True),
    Outcome.LOGIN_LOCKED: OutcomeRule(SyncStatus.ERROR, "login_locked"),
    Outcome.PROTOCOL_ERROR: OutcomeRule(SyncStatus.ERROR, "camera_error"),
    Outcome.DISK_LIMIT: OutcomeRule(SyncStatus.DISK_FULL, "disk_limit", raises=issues.DISK_LIMIT),
    Outcome.DESTINATION_ERROR: OutcomeRule(
        SyncStatus.ERROR, "destination_not_writable", raises=issues.DESTINATION, camera=None
    ),
    Outcome.LOCK_HELD: OutcomeRule(
        SyncStatus.ERROR, "lock_held", camera=None, log_level=logging.INFO
    ),
    Outcome.CANCELLED: OutcomeRule(
        SyncStatus.IDLE, "sync_cancelled", camera=None, fires_event=False
    ),
    Outcome.DOWNLOADS_WEDGED: OutcomeRule(
        SyncStatus.DOWNLOADS_WEDGED,
        "downloads_wedged",
        raises=issues.DOWNLOADS_WEDGED,
        log_level=logging.WARNING,
    ),
}


def rule_for(outcome: Outcome) -> OutcomeRule:
    """Return the rule of an outcome (an unknown one is an error)."""
    return OUTCOMES.get(outcome, OUTCOMES[Outcome.PROTOCOL_ERROR])


@callback
def update_issues(hass: HomeAssistant, entry: ConfigEntry, report: SyncReport) -> OutcomeRule:
    """Raise and clear the repair issues a finished run calls for; return its rule.

    Besides the table: a run that saved a file proves downloads work again (the camera was
    rebooted), and a run's listing says whether the dashcam's clock is set.
    """
    rule = rule_for(report.outcome)
    if rule.raises is not None:
        issues.raise_issue(hass, entry, rule.raises, report.message)
    for key in rule.clears:
        issues.clear(hass, entry, key)
    if report.saved:
        issues.clear(hass, entry, issues.DOWNLOADS_WEDGED)
    if report.listed or report.clock_unset:
        issues.update_for_listing(hass, entry, report.clock_unset)
    return rule
