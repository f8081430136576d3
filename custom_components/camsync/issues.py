"""Repair issues for what only the user can fix: a folder camsync cannot write, a full disk.

Each issue is raised when a sync ends for that reason and cleared when the cause is gone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir

from .const import CONF_DESTINATION, DOMAIN
from .engine.errors import Outcome

if TYPE_CHECKING:
    from .engine.models import SyncReport

DISK_LIMIT = "disk_limit_reached"
DESTINATION = "destination_not_writable"


def _issue_id(entry: ConfigEntry, key: str) -> str:
    return f"{key}_{entry.entry_id}"


@callback
def is_raised(hass: HomeAssistant, entry: ConfigEntry, key: str) -> bool:
    """Return True when the issue is open for this entry."""
    return ir.async_get(hass).async_get_issue(DOMAIN, _issue_id(entry, key)) is not None


@callback
def raise_issue(hass: HomeAssistant, entry: ConfigEntry, key: str, detail: str = "") -> None:
    """Open (or refresh) an issue for this entry."""
    ir.async_create_issue(
        hass,
        DOMAIN,
        _issue_id(entry, key),
        is_fixable=False,
        severity=ir.IssueSeverity.ERROR,
        translation_key=key,
        translation_placeholders={
            "title": entry.title,
            "destination": entry.data[CONF_DESTINATION],
            "detail": detail,
        },
    )


@callback
def clear(hass: HomeAssistant, entry: ConfigEntry, key: str) -> None:
    """Close the issue if it is open."""
    ir.async_delete_issue(hass, DOMAIN, _issue_id(entry, key))


@callback
def update_for_outcome(hass: HomeAssistant, entry: ConfigEntry, report: SyncReport) -> None:
    """Raise the issue a sync's outcome calls for, and clear those a clean run disproves."""
    if report.outcome is Outcome.DISK_LIMIT:
        raise_issue(hass, entry, DISK_LIMIT, report.message)
    elif report.outcome is Outcome.DESTINATION_ERROR:
        raise_issue(hass, entry, DESTINATION, report.message)
    elif report.outcome is Outcome.COMPLETED:
        clear(hass, entry, DISK_LIMIT)
        clear(hass, entry, DESTINATION)
