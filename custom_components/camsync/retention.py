"""Retention and the hourly rescan: delete what is older than the window, re-read the archive.

Every hour (and once at start-up, from the index) camsync deletes the files recorded before the
retention window; the hourly run walks the archive first, which also finds the files the user
deleted. Both hold the destination's lock, so they never run beside a sync of that folder (of
this entry or another): when a sync holds it, the work waits for the next sync's end.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.util import dt as dt_util

from .const import DOMAIN, LOGGER
from .data import CamsyncConfigEntry
from .engine.errors import CamsyncError
from .engine.facade import CameraArchive
from .engine.models import PruneReport
from .settings import Settings

if TYPE_CHECKING:
    from .mirroring import CameraMirrors

MAINTENANCE_INTERVAL = timedelta(hours=1)
KEEP_FOREVER = timedelta(days=365 * 100)  # nothing is that old


class RetentionSchedule:
    """Applies one entry's retention and rescans its archive, at most hourly."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: CamsyncConfigEntry,
        archive: CameraArchive,
        settings: Settings,
        changed: Callable[[], Awaitable[None]],
        mirrors: CameraMirrors | None = None,
    ) -> None:
        """Describe the schedule; ``changed`` runs after the archive changed.

        ``mirrors`` keep files they do not have yet from being pruned.
        """
        self.hass = hass
        self.entry = entry
        self.archive = archive
        self.settings = settings
        self.mirrors = mirrors
        self._changed = changed
        self._busy = asyncio.Lock()  # held while a prune of this entry holds the destination
        self._due = True  # the first look prunes, from the index the start-up scan built
        self._rescan_due = False

    @callback
    def async_start(self) -> None:
        """Rescan and prune every hour."""
        self.entry.async_on_unload(
            async_track_time_interval(
                self.hass,
                self._async_hourly,
                MAINTENANCE_INTERVAL,
                name=f"{DOMAIN} retention {self.entry.title}",
                cancel_on_shutdown=True,
            )
        )

    async def _async_hourly(self, _now: datetime) -> None:
        await self._async_maintain(rescan=True)

    async def async_run_if_due(self) -> bool:
        """Do the work a busy destination held back (after a sync, at the first look).

        Return True when it ran (and told that the archive changed).
        """
        return self._due and await self._async_maintain(rescan=self._rescan_due)

    async def async_wait_idle(self) -> None:
        """Return once no prune of this entry holds the destination's lock."""
        async with self._busy:
            return

    async def _async_maintain(self, *, rescan: bool) -> bool:
        window = self.settings.retention
        try:
            if window is None:
                if rescan:
                    await self.archive.rescan()
            else:
                await self._async_prune(
                    dt_util.utcnow() - window, rescan=rescan, force=await self._over_disk_limit()
                )
        except CamsyncError as err:
            self._due, self._rescan_due = True, rescan  # the lock is held (a sync runs)
            LOGGER.debug("Retention of %s waits: %s", self.entry.title, err)
            return False
        except OSError as err:
            LOGGER.warning("Retention for %s failed: %s", self.entry.title, err)
            return False
        self._due = self._rescan_due = False
        await self._changed()
        return True

    async def async_prune(
        self, older_than: timedelta | None = None, *, dry_run: bool = False
    ) -> PruneReport:
        """Delete files older than ``older_than`` (None: the retention option), for the action.

        LockHeldError when a sync of the destination is running.
        """
        window = older_than if older_than is not None else self.settings.retention
        cutoff = dt_util.utcnow() - (window if window is not None else KEEP_FOREVER)
        return await self.async_prune_before(cutoff, dry_run=dry_run)

    async def async_prune_before(
        self, cutoff: datetime, *, dry_run: bool = False, keep_away: bool = False
    ) -> PruneReport:
        """Delete the files recorded before ``cutoff`` (see ``CameraArchive.prune``).

        ``keep_away``: a prune the user asked for to make room (the disk is over its limit), so
        the mirrors' guard does not spare files and the camera does not bring them back.
        """
        report = await self._async_prune(
            cutoff, dry_run=dry_run, keep_away=keep_away, force=keep_away
        )
        if not dry_run:
            await self._changed()
        return report

    async def _async_prune(
        self,
        cutoff: datetime,
        *,
        dry_run: bool = False,
        rescan: bool = False,
        force: bool = False,
        keep_away: bool = False,
    ) -> PruneReport:
        """Prune, keeping what a mirror lacks (unless ``force``: the disk is over its limit)."""
        guard = self.mirrors.prune_guard(force=force) if self.mirrors is not None else None
        async with self._busy:
            report = await self.archive.prune(
                cutoff, dry_run=dry_run, rescan=rescan, keep=guard, keep_away=keep_away
            )
        if self.mirrors is not None and not dry_run:
            self.mirrors.note_prune(guard)
        return report

    async def _over_disk_limit(self) -> bool:
        """Return True when the archive's disk is past the sync's disk limit."""
        if self.mirrors is None or not self.mirrors.running:
            return False
        disk = await self.archive.disk()
        return disk is not None and disk.used_percent >= self.settings.disk_limit
