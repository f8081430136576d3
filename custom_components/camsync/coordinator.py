"""The coordinator of one camera: each tick looks at the camera once and publishes one state.

It composes the jobs of their own modules (presence, camera_look, sync_task, snapshot_schedule,
retention, timelapses, mirroring, destination_checks, arrival, car_jobs). While the camera is
away the ticks leave it alone: the arrival watch probes it and asks for a look when it answers.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from functools import partial
from typing import Any

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator

from .arrival import ArrivalWatch
from .camera_look import CameraLook
from .car_jobs import CarJobs
from .connection import probe_address
from .const import DOMAIN, LOGGER, SyncStatus
from .data import CamsyncConfigEntry, CamsyncState, compose_state
from .destination_checks import async_check_writable, async_clear_solved
from .engine.camera import CameraClient
from .engine.errors import Outcome
from .engine.facade import CameraArchive, DiskFacts, Survey
from .engine.models import SavedFile, SyncReport
from .errors import outcome_error
from .latest_event import LatestEventWatch
from .mirroring import CameraMirrors
from .presence import CameraPresence
from .retention import RetentionSchedule
from .settings import Settings
from .snapshot_schedule import SnapshotSchedule
from .sync_history import SyncHistory
from .sync_task import SyncTask
from .timelapses import TimelapseJobs


class CamsyncCoordinator(DataUpdateCoordinator[CamsyncState]):
    """Keeps one camera's archive up to date and its state in one snapshot."""

    config_entry: CamsyncConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: CamsyncConfigEntry,
        client: CameraClient,
        archive: CameraArchive,
        settings: Settings,
    ) -> None:
        """Set up the coordinator of one entry and the jobs it runs."""
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=f"{DOMAIN} {entry.title}",
            update_interval=settings.sync_interval,
        )
        self.client = client
        self.archive = archive
        self.settings = settings
        self.presence = CameraPresence(hass, entry, client, self._on_presence)
        self.history = SyncHistory(hass, entry.entry_id)
        jobs = (hass, entry, archive, settings)  # what every job works on
        self.look = CameraLook(hass, entry, client, archive, self.presence)
        self.sync = SyncTask(
            *jobs, self.presence, self.history, self.async_publish, self._after_sync
        )
        self.snapshots = SnapshotSchedule(
            *jobs, self.presence, self.sync.counters, self.async_publish
        )
        self.mirrors = CameraMirrors(hass, entry, archive, lambda: self.presence.device_id)
        self.retention = RetentionSchedule(*jobs, self._async_changed, self.mirrors)
        self.timelapses = TimelapseJobs(*jobs, self.presence, self.async_publish)
        self.sync.on_saved = self._on_saved
        self.snapshots.on_saved = self.timelapses.on_saved = self.mirrors.notify_saved
        self.arrival = ArrivalWatch(
            hass, entry, probe_address(entry.data), settings, self.async_look_now
        )
        self.latest_event = LatestEventWatch(archive.place_of)
        self.car = CarJobs(
            hass, entry, archive, lambda: self.presence.device_id, self.async_publish
        )
        self._look_requested = False
        self.disk: DiskFacts | None = None

    async def _async_setup(self) -> None:
        """Build the archive's index (one scan), read the sync history, check the destination."""
        await self.history.async_load()
        await self.archive.start()
        await async_check_writable(self.hass, self.config_entry, self.archive, self.sync)

    @callback
    def async_start_schedules(self) -> None:
        """Start the snapshot, retention, timelapse, arrival and car jobs (after the first look)."""
        self.snapshots.async_start()
        self.retention.async_start()
        self.timelapses.async_start()
        self.arrival.async_start()
        self.car.async_start()

    async def async_look_now(self) -> bool:
        """Look at the camera now (the arrival watch heard it); return whether it is there."""
        self._look_requested = True
        await self.async_refresh()
        return self.presence.online

    @callback
    def async_update_options(self, changes: Mapping[str, Any]) -> None:
        """Change options without a reload (the switches; the options dialog reloads)."""
        entry = self.config_entry
        options = {**entry.options, **changes}
        self.hass.config_entries.async_update_entry(entry, options=options)
        settings = Settings.from_options(self.settings.kind, options)
        self.settings = self.sync.settings = self.retention.settings = settings
        self.arrival.settings = settings
        self.snapshots.async_apply(settings)
        self.async_publish()

    async def async_start_sync(self) -> asyncio.Task[SyncReport]:
        """Start a sync now or join the running one ("Sync now", ``camsync.sync``).

        A camera away at the last look is looked at again (also while the arrival watch probes
        it); still away: a translated error.
        """
        survey: Survey | None = None
        if not self.sync.running and not self.presence.online:
            await self.async_look_now()
            if not self.sync.running and not self.presence.online:
                raise outcome_error(Outcome.OFFLINE, self.config_entry.title, self.presence.reason)
            survey = self.look.survey
        if not self.sync.running:
            await self.retention.async_wait_idle()  # a prune holds the destination a moment
        return self.sync.async_start(survey)

    async def _async_update_data(self) -> CamsyncState:
        """Measure the disk, clear solved repairs, look at the camera and maybe start a sync."""
        self.disk = await self.archive.disk()
        await async_clear_solved(
            self.hass, self.config_entry, self.archive, self.sync, self.settings, self.disk
        )
        requested, self._look_requested = self._look_requested, False
        if not self.sync.running:
            self.look.survey = None
            # Away: the arrival watch probes with a bare connect, and asks for a look.
            looked = (
                await self.presence.async_look(partial(self.look.async_ask, self.settings))
                if requested or not self.arrival.watching
                else None
            )
            await self.retention.async_run_if_due()
            survey = self.look.survey
            if looked and survey is not None and survey.pending_files and self.settings.auto_sync:
                self.sync.async_start(survey)
            elif looked:
                await self.car.async_finish_trips(survey)
        return compose_state(self)

    async def _after_sync(self, report: SyncReport) -> None:
        """Catch up on retention a sync held back, then publish what the archive holds now."""
        await self.latest_event.async_locate()
        if not await self.retention.async_run_if_due():
            await self._async_changed()

    async def _async_changed(self) -> None:
        """Plan the last listing again against the index (no camera call, no walk); publish."""
        survey = await self.look.async_replan(self.settings)
        if survey is not None and not self.sync.running:
            await self.car.async_finish_trips(survey)
        self.disk = await self.archive.disk()
        self.async_publish()

    @callback
    def _on_saved(self, saved: SavedFile) -> None:
        self.latest_event.note(saved)
        self.mirrors.notify_saved(saved)

    @callback
    def _on_presence(self, online: bool) -> None:
        self.arrival.set_away(not online)
        if not online and not self.sync.running:
            self.sync.set_status(SyncStatus.OFFLINE, self.sync.message)
        elif online:
            self.sync.clear_status(SyncStatus.OFFLINE)

    @callback
    def async_publish(self) -> None:
        """Push a fresh state to the entities without moving the next tick."""
        self.data = compose_state(self)
        self.async_update_listeners()
