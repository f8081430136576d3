"""The sync of one camera as the entry's background task: its lifecycle, progress and counters.

One sync runs at a time; asking again while it runs joins it. Progress reaches the entities at
most once a second (and at the end). What the run's outcome means for the status, the repair
issues and the events is looked up in ``outcomes.py``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
import time

from homeassistant.core import HomeAssistant, callback

from .const import DOMAIN, LOGGER, SyncStatus
from .data import CamsyncConfigEntry, SyncCounters
from .engine.facade import CameraArchive, Survey, SyncHooks
from .engine.models import FileRole, Progress, SavedFile, SyncReport
from .events import fire_file_saved, fire_sync_finished
from .memory import release_free_memory
from .outcomes import update_issues
from .places import sync_options
from .presence import CameraPresence
from .settings import Settings
from .sync_history import SyncHistory

PROGRESS_PUSH_INTERVAL = 1.0  # seconds between progress pushes to the entities


class SyncTask:
    """Starts, joins and stops the sync of one entry, and keeps what it tells."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: CamsyncConfigEntry,
        archive: CameraArchive,
        settings: Settings,
        presence: CameraPresence,
        history: SyncHistory,
        publish: Callable[[], None],
        after: Callable[[SyncReport], Awaitable[None]],
    ) -> None:
        """Describe the sync; ``publish`` pushes the state, ``after`` runs once a run ended."""
        self.hass = hass
        self.entry = entry
        self.archive = archive
        self.settings = settings
        self.presence = presence
        self.status = SyncStatus.IDLE
        self.message = ""
        self.progress: Progress | None = None
        self.last_report: SyncReport | None = None
        self.history = history
        self.counters = SyncCounters()
        self.on_saved: Callable[[SavedFile], None] | None = None
        """Hears every file the sync saved, after its event (the mirrors, the latest event)."""
        self._publish = publish
        self._after = after
        self._task: asyncio.Task[SyncReport] | None = None
        self._running = False
        self._last_push = 0.0
        self._placing: list[asyncio.Task[None]] = []

    @property
    def running(self) -> bool:
        """Return True while a sync talks to the camera."""
        return self._running

    @callback
    def async_start(self, survey: Survey | None = None) -> asyncio.Task[SyncReport]:
        """Start a sync (reusing ``survey``'s listing), or return the one already running."""
        if self._task is not None and not self._task.done():
            return self._task
        self._running = True
        self.set_status(SyncStatus.SYNCING)
        self.progress = None
        self._task = self.entry.async_create_background_task(
            self.hass, self._async_run(survey), f"{DOMAIN} sync {self.entry.title}"
        )
        self._publish()
        return self._task

    async def async_stop(self) -> None:
        """Cancel a running sync and wait until it stopped (its partial file is kept)."""
        task, self._task = self._task, None
        if task is None or task.done():
            return
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            LOGGER.debug("Sync of %s stopped; the partial file is kept", self.entry.title)

    @callback
    def set_status(self, status: SyncStatus, message: str = "") -> None:
        """Set the sync status (and its message)."""
        self.status, self.message = status, message

    @callback
    def clear_status(self, status: SyncStatus) -> None:
        """Go back to idle when the status is ``status`` (its cause went away)."""
        if self.status is status:
            self.set_status(SyncStatus.IDLE)

    async def _async_run(self, survey: Survey | None) -> SyncReport:
        settings = self.settings
        try:
            report = await self.archive.sync(
                sync_options(self.hass, settings),
                since=settings.since(),
                survey=survey,
                hooks=SyncHooks(on_progress=self._on_progress, on_saved=self._on_saved),
            )
        except asyncio.CancelledError:
            for task in self._placing:
                task.cancel()
            self._placing.clear()
            self.set_status(SyncStatus.IDLE)
            raise
        finally:
            self._running = False
        placing, self._placing = self._placing, []
        await asyncio.gather(*placing)  # every file's event before the sync's
        self._finish(report)
        if report.bytes_received:
            await self.hass.async_add_executor_job(release_free_memory)
        await self._after(report)
        return report

    @callback
    def _on_progress(self, progress: Progress) -> None:
        self.progress = progress
        now = time.monotonic()
        if now - self._last_push >= PROGRESS_PUSH_INTERVAL or (
            progress.done_files == progress.total_files
        ):
            self._last_push = now
            self._publish()

    @callback
    def _on_saved(self, saved: SavedFile) -> None:
        self.counters.files_saved += 1
        self.counters.bytes_saved += saved.size
        if saved.role is FileRole.VIDEO and saved.event and self.archive.has_gps:
            # Its place is known once its recording's .gps, which follows the videos, is read.
            self._placing.append(self.hass.async_create_task(self._fire_placed(saved)))
        else:
            fire_file_saved(self.hass, self.entry, self.archive, self.presence.device_id, saved)
        if self.on_saved is not None:
            self.on_saved(saved)

    async def _fire_placed(self, saved: SavedFile) -> None:
        """Fire an event recording's ``camsync_file_saved`` with its place (when known)."""
        place = await self.archive.place_once_read(saved.name, saved.recorded)
        fire_file_saved(self.hass, self.entry, self.archive, self.presence.device_id, saved, place)

    @callback
    def _finish(self, report: SyncReport) -> None:
        self.last_report = report
        self.history.note(report)
        counters = self.counters
        counters.runs += 1
        counters.files_failed += len(report.failed)
        counters.outcomes[report.outcome.value] = counters.outcomes.get(report.outcome.value, 0) + 1
        rule = update_issues(self.hass, self.entry, report)
        self.set_status(rule.status, report.message)
        if rule.camera is not None:
            self.presence.set_online(rule.camera, report.message)
        if rule.reauth:
            self.entry.async_start_reauth(self.hass)
        if report.message:
            LOGGER.log(rule.log_level, "%s: %s", self.entry.title, report.message)
        if rule.fires_event:
            fire_sync_finished(self.hass, self.entry, self.archive, self.presence.device_id, report)
        self._publish()
