"""The mirrors' repair issues: a mirror failing for an hour, files pruned before they were mirrored.

A failing mirror's issue is translated per reason (``mirror_failing_<reason>``), so it says in the
user's words what is wrong (nothing mounted, the key refused, the bucket missing, ...). Both clear
themselves: the first when the mirror works again, the second when the mirrors caught up.
"""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir

from .const import DOMAIN
from .engine.mirrors import MirrorReason

MIRROR_FAILING = "mirror_failing"
MIRROR_PRUNED_EARLY = "mirror_pruned_early"


def failing_translation_key(reason: MirrorReason) -> str:
    """Return the translation key of a failing mirror's issue for ``reason``."""
    return f"{MIRROR_FAILING}_{reason.value}"


def translation_keys() -> set[str]:
    """Return every issue translation key of the mirrors."""
    return {failing_translation_key(reason) for reason in MirrorReason} | {MIRROR_PRUNED_EARLY}


def failing_issue_id(entry: ConfigEntry, mirror_id: str) -> str:
    """Return the issue id of one mirror's failure."""
    return f"{MIRROR_FAILING}_{entry.entry_id}_{mirror_id}"


def pruned_early_issue_id(entry: ConfigEntry) -> str:
    """Return the issue id of a camera's files pruned before every mirror had them."""
    return f"{MIRROR_PRUNED_EARLY}_{entry.entry_id}"


@callback
def raise_failing(
    hass: HomeAssistant,
    entry: ConfigEntry,
    mirror_id: str,
    reason: MirrorReason,
    *,
    mirror: str,
    location: str,
    detail: str,
) -> None:
    """Open (or update) the issue of a mirror that has been failing for an hour."""
    ir.async_create_issue(
        hass,
        DOMAIN,
        failing_issue_id(entry, mirror_id),
        is_fixable=False,
        severity=ir.IssueSeverity.ERROR,
        translation_key=failing_translation_key(reason),
        translation_placeholders={
            "title": entry.title,
            "mirror": mirror,
            "location": location,
            "detail": detail or reason.value,
        },
    )


@callback
def clear_failing(hass: HomeAssistant, entry: ConfigEntry, mirror_id: str) -> None:
    """Close a mirror's failure issue if it is open."""
    ir.async_delete_issue(hass, DOMAIN, failing_issue_id(entry, mirror_id))


@callback
def raise_pruned_early(
    hass: HomeAssistant, entry: ConfigEntry, files: int, mirrors: list[str]
) -> None:
    """Say that the disk limit made retention delete files some mirrors did not have yet."""
    ir.async_create_issue(
        hass,
        DOMAIN,
        pruned_early_issue_id(entry),
        is_fixable=False,
        severity=ir.IssueSeverity.WARNING,
        translation_key=MIRROR_PRUNED_EARLY,
        translation_placeholders={
            "title": entry.title,
            "files": str(files),
            "mirrors": ", ".join(mirrors) or "?",
        },
    )


@callback
def clear_pruned_early(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """Close the "pruned before mirrored" issue."""
    ir.async_delete_issue(hass, DOMAIN, pruned_early_issue_id(entry))
