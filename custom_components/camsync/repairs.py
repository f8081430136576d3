"""Fix flows for repair issues: the disk limit, fixed by raising it or by pruning now.

Pruning shows first what it would delete (a dry run: how many files, how much, from when to
when): the oldest files, just enough of them to make room within the limits for what is waiting
to be downloaded (at least one more file, at most half the archive). What it deletes is
remembered as deleted by the user, so the camera does not bring it back.
"""

from __future__ import annotations

import math
from typing import Any

from homeassistant.components.repairs import ConfirmRepairFlow, RepairsFlow
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResult
from homeassistant.helpers.selector import (
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
)
from homeassistant.util import dt as dt_util
import voluptuous as vol

from . import issues
from .const import CONF_DISK_LIMIT, CONF_KEEP_FREE
from .coordinator import CamsyncCoordinator
from .data import CamsyncConfigEntry
from .destination_checks import async_room_made
from .engine.errors import LockHeldError
from .engine.facade import DiskFacts, human_size
from .engine.models import PruneReport

GB = 1_000_000_000
MAX_LIMIT = 98  # percent, as the options allow


async def async_create_fix_flow(
    hass: HomeAssistant, issue_id: str, data: dict[str, str | int | float | None] | None
) -> RepairsFlow:
    """Return the fix flow of a camsync issue."""
    entry_id = str((data or {}).get("entry_id", ""))
    if issue_id.startswith(f"{issues.DISK_LIMIT}_"):
        return DiskLimitRepairFlow(entry_id)
    return ConfirmRepairFlow()


def _when(value: Any) -> str:
    return dt_util.as_local(value).strftime("%Y-%m-%d %H:%M") if value is not None else "-"


class DiskLimitRepairFlow(RepairsFlow):
    """Raise the disk limit, or delete the oldest files until the disk is within it."""

    def __init__(self, entry_id: str) -> None:
        """Fix the disk limit of one entry."""
        self.entry_id = entry_id
        self._cutoff: Any = None

    def _entry(self) -> CamsyncConfigEntry | None:
        entry: CamsyncConfigEntry | None = self.hass.config_entries.async_get_entry(self.entry_id)
        if entry is None or entry.state is not ConfigEntryState.LOADED:
            return None
        return entry

    async def _disk(self, entry: CamsyncConfigEntry) -> DiskFacts | None:
        return await entry.runtime_data.archive.disk()

    def _placeholders(self, entry: CamsyncConfigEntry, disk: DiskFacts) -> dict[str, str]:
        settings = entry.runtime_data.coordinator.settings
        return {
            "title": entry.title,
            "used": f"{disk.used_percent:.1f}",
            "limit": f"{settings.disk_limit:g}",
            "free": human_size(disk.free),
            "keep_free": human_size(settings.keep_free),
        }

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> FlowResult:
        """Offer the two ways out."""
        if (entry := self._entry()) is None:
            return self.async_abort(reason="entry_not_loaded")
        if (disk := await self._disk(entry)) is None:
            return self.async_abort(reason="disk_unknown")
        return self.async_show_menu(
            step_id="init",
            menu_options=["raise_limit", "prune"],
            description_placeholders=self._placeholders(entry, disk),
        )

    async def async_step_raise_limit(self, user_input: dict[str, Any] | None = None) -> FlowResult:
        """Ask for a higher limit (and how much to keep free); refuse one still passed."""
        if (entry := self._entry()) is None:
            return self.async_abort(reason="entry_not_loaded")
        if (disk := await self._disk(entry)) is None:
            return self.async_abort(reason="disk_unknown")
        coordinator = entry.runtime_data.coordinator
        settings = coordinator.settings
        errors: dict[str, str] = {}
        if user_input is not None:
            limit = int(user_input[CONF_DISK_LIMIT])
            keep_free = float(user_input.get(CONF_KEEP_FREE) or 0)
            if disk.limit_problem(limit, int(keep_free * GB)) is not None:
                errors["base"] = "still_over_limit"
            else:
                coordinator.async_update_options(
                    {CONF_DISK_LIMIT: limit, CONF_KEEP_FREE: keep_free}
                )
                await async_room_made(coordinator)
                return self.async_create_entry(data={})
        suggested = min(MAX_LIMIT, max(math.ceil(disk.used_percent) + 5, settings.disk_limit))
        schema = vol.Schema(
            {
                vol.Required(CONF_DISK_LIMIT, default=suggested): NumberSelector(
                    NumberSelectorConfig(
                        min=5,
                        max=MAX_LIMIT,
                        unit_of_measurement="%",
                        mode=NumberSelectorMode.SLIDER,
                    )
                ),
                vol.Required(CONF_KEEP_FREE, default=settings.keep_free / GB): NumberSelector(
                    NumberSelectorConfig(
                        min=0,
                        max=100000,
                        step=0.1,
                        unit_of_measurement="GB",
                        mode=NumberSelectorMode.BOX,
                    )
                ),
            }
        )
        return self.async_show_form(
            step_id="raise_limit",
            data_schema=schema,
            errors=errors,
            description_placeholders=self._placeholders(entry, disk),
        )

    async def async_step_prune(self, user_input: dict[str, Any] | None = None) -> FlowResult:
        """Show what deleting the oldest files would free; delete them when confirmed."""
        if (entry := self._entry()) is None:
            return self.async_abort(reason="entry_not_loaded")
        if (disk := await self._disk(entry)) is None:
            return self.async_abort(reason="disk_unknown")
        runtime = entry.runtime_data
        coordinator = runtime.coordinator
        settings = coordinator.settings
        placeholders = self._placeholders(entry, disk)
        errors: dict[str, str] = {}
        if user_input is not None and self._cutoff is not None:
            try:
                await coordinator.retention.async_prune_before(self._cutoff, keep_away=True)
            except LockHeldError:
                errors["base"] = "sync_running"
            else:
                await async_room_made(coordinator)
                return self.async_create_entry(data={})
        excess = disk.excess(settings.disk_limit, settings.keep_free, _room_wanted(coordinator))
        if excess <= 0:
            await async_room_made(coordinator)
            return self.async_abort(reason="within_limit", description_placeholders=placeholders)
        cutoff = runtime.archive.cutoff_freeing(excess)
        if cutoff is None:
            return self.async_abort(
                reason="prune_not_enough",
                description_placeholders=placeholders
                | {
                    "archive": human_size(runtime.archive.facts().bytes),
                    "needed": human_size(excess),
                },
            )
        self._cutoff = cutoff
        dry = await coordinator.retention.async_prune_before(cutoff, dry_run=True)
        return self.async_show_form(
            step_id="prune",
            data_schema=vol.Schema({}),
            errors=errors,
            description_placeholders=placeholders | _dry_run(dry, excess),
        )


def _room_wanted(coordinator: CamsyncCoordinator) -> int:
    """Return the room to make for the pending downloads.

    Their size where the camera states it, else as many files of the archive's average size;
    at least one such file, at most half the archive (a prune is no way to empty it).
    """
    facts, pending = coordinator.data.archive, coordinator.data.pending
    average = facts.bytes // facts.files if facts.files else 0
    if pending is None:
        needed = average
    elif pending.bytes is not None:
        needed = pending.bytes
    else:
        needed = pending.files * average
    return max(min(needed, facts.bytes // 2), average)


def _dry_run(report: PruneReport, excess: int) -> dict[str, str]:
    return {
        "count": str(len(report.deleted)),
        "size": human_size(report.bytes),
        "oldest": _when(report.oldest),
        "newest": _when(report.newest),
        "needed": human_size(excess),
    }
