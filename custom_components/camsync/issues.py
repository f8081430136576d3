"""Repair issues: what only the user can fix, raised when it happens and cleared when it is gone.

Which sync outcome raises or clears which issue is decided in ``outcomes.py``.
"""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir

from .const import CONF_DESTINATION, DOMAIN

DISK_LIMIT = "disk_limit_reached"
DESTINATION = "destination_not_writable"
DOWNLOADS_WEDGED = "downloads_wedged"
CLOCK_UNSET = "dashcam_clock_unset"
DUPLICATE = "duplicate_camera"
FIXABLE = frozenset({DISK_LIMIT})
"""Issues with a fix flow (``repairs.py``)."""


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
        is_fixable=key in FIXABLE,
        data={"entry_id": entry.entry_id},
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
def update_for_listing(hass: HomeAssistant, entry: ConfigEntry, clock_unset: int) -> None:
    """Raise the clock issue while a listing has 1970-dated recordings, clear it when none."""
    if clock_unset:
        raise_issue(hass, entry, CLOCK_UNSET, str(clock_unset))
    else:
        clear(hass, entry, CLOCK_UNSET)
