"""The coordinator of one camera: each tick looks at the camera once and publishes one state.

It composes the jobs that each live in their own module: camera presence (``presence.py``), the
sync task (``sync_task.py``), scheduled snapshots (``snapshot_schedule.py``), retention with
the hourly rescan (``retention.py``) and timelapses (``timelapses.py``). The archive itself is
the engine's facade, whose index makes a tick cost no directory walk. A tick lists the camera
once (a survey); an automatic sync reuses that listing, and after the sync the same listing is
planned again against the index instead of asking the camera a second time.

While the camera is away the ticks leave it alone: the arrival watch (``arrival.py``) probes it
with a bare TCP connect and has it looked at the moment it answers. For a camera with GPS, each
look and each sync end also settles the trips (``camsync_trip_finished`` for each finished one),
and the state carries the car's position, today's distance and the last trip.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.event import async_track_time_change
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator

from . import issues
from .arrival import ArrivalWatch
from .connection import probe_address
from .const import DOMAIN, LOGGER, SyncStatus
from .data import CamsyncConfigEntry, CamsyncState, Pending
from .engine.camera import CameraClient, CameraStorage
from .engine.errors import CamsyncError, Outcome
from .engine.facade import CameraArchive, CarFacts, DiskFacts, Survey
from .engine.models import SavedFile, SyncReport
from .errors import outcome_error
from .events import fire_trip_finished
from .latest_event import LatestEventWatch
from .places import sync_options
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
        self.sync = SyncTask(
            hass,
            entry,
            archive,
            settings,
            self.presence,
            self.history,
            self.async_publish,
            self._after_sync,
            self._on_saved,
        )
        self.snapshots = SnapshotSchedule(
            hass, entry, archive, settings, self.presence, self.sync.counters, self.async_publish
        )
        self.retention = RetentionSchedule(hass, entry, archive, settings, self._async_changed)
        self.timelapses = TimelapseJobs(
            hass, entry, archive, settings, self.presence, self.async_publish
        )
        self.arrival = ArrivalWatch(
            hass, entry, probe_address(entry.data), settings, self.async_look_now
        )
        self.latest_event = LatestEventWatch(archive.place_of)
        self._look_requested = False
        self._pending: Pending | None = None
        self._storage: CameraStorage | None = None
        self._disk: DiskFacts | None = None
        self._survey: Survey | None = None

    async def _async_setup(self) -> None:
        """Build the archive's index (one scan), read the sync history, check the destination."""
        await self.history.async_load()
        await self.archive.start()
        try:
            await self.archive.check_writable()
        except CamsyncError as err:
            LOGGER.warning("%s: %s", self.config_entry.title, err)
            issues.raise_issue(self.hass, self.config_entry, issues.DESTINATION, str(err))
            self.sync.set_status(SyncStatus.ERROR, str(err))

    @callback
    def async_start_schedules(self) -> None:
        """Start the snapshot, retention, timelapse and arrival jobs (after the first refresh)."""
        self.snapshots.async_start()
        self.retention.async_start()
        self.timelapses.async_start()
        self.arrival.async_start()
        if self.archive.trips is not None:
            # Today's distance starts again at midnight.
            self.config_entry.async_on_unload(
                async_track_time_change(self.hass, self._at_midnight, hour=0, minute=0, second=0)
            )
            self.config_entry.async_create_background_task(
                self.hass, self._async_catch_up(), f"{DOMAIN} trips {self.config_entry.title}"
            )

    async def _async_catch_up(self) -> None:
        """Read the GPS of an archive from before trips (once; in the background)."""
        if self.archive.trips is not None and await self.archive.trips.catch_up():
            self.async_publish()

    async def _at_midnight(self, _now: datetime) -> None:
        await self.archive.refresh_car()
        self.async_publish()

    async def async_look_now(self) -> bool:
        """Look at the camera now (the arrival watch heard it); return whether it is there."""
        self._look_requested = True
        await self.async_refresh()
        return self.presence.online

    @callback
    def async_update_options(self, changes: Mapping[str, Any]) -> None:
        """Change some options now, without a reload: the schedules keep their clocks.

        The switches use this; the options dialog reloads the entry instead.
        """
        entry = self.config_entry
        options = {**entry.options, **changes}
        self.hass.config_entries.async_update_entry(entry, options=options)
        settings = Settings.from_options(self.settings.kind, options)
        self.settings = self.sync.settings = self.retention.settings = settings
        self.arrival.settings = settings
        self.snapshots.async_apply(settings)
        self.async_publish()

    async def async_room_made(self) -> None:
        """Forget the disk limit (its repair was fixed) and look at the camera again."""
        issues.clear(self.hass, self.config_entry, issues.DISK_LIMIT)
        self.sync.clear_status(SyncStatus.DISK_FULL)
        self._disk = await self.archive.disk()
        self.async_publish()
        await self.async_request_refresh()

    async def async_start_sync(self) -> asyncio.Task[SyncReport]:
        """Start a sync now (or join the running one), as "Sync now" and ``camsync.sync`` do.

        A camera that was away at the last look is looked at again first (also while the
        arrival watch probes it); when it is still away, a translated ServiceValidationError
        says so.
        """
        survey: Survey | None = None
        if not self.sync.running and not self.presence.online:
            await self.async_look_now()
            if not self.sync.running and not self.presence.online:
                raise outcome_error(Outcome.OFFLINE, self.config_entry.title, self.presence.reason)
            survey = self._survey
        return self.sync.async_start(survey)

    async def _async_update_data(self) -> CamsyncState:
        """Measure the disk, clear solved repairs, look at the camera and maybe start a sync."""
        self._disk = await self.archive.disk()
        await self._async_check_repairs()
        requested, self._look_requested = self._look_requested, False
        if not self.sync.running:
            self._survey = None
            # Away: the arrival watch probes with a bare connect, and asks for a look.
            looked = (
                await self.presence.async_look(self._async_ask_camera)
                if requested or not self.arrival.watching
                else None
            )
            await self.retention.async_run_if_due()
            survey = self._survey
            if looked and survey is not None and survey.pending_files and self.settings.auto_sync:
                self.sync.async_start(survey)
            elif looked:
                await self._async_finish_trips(survey)
        return self._compose()

    async def _async_ask_camera(self) -> bool:
        """List the camera once (when recordings are synced) and read its SD card."""
        if self.settings.recording_sync:
            options = sync_options(self.hass, self.settings)
            survey = await self.presence.call(
                self.archive.survey(options, since=self.settings.since())
            )
            self._survey, self._pending = survey, Pending.of(survey)
            issues.update_for_listing(self.hass, self.config_entry, survey.listing.clock_unset)
        else:
            self._pending = Pending(0, 0, 0)
        if self.client.capabilities.storage:
            self._storage = await self.presence.call(self.client.async_get_storage())
        return True

    async def _after_sync(self, report: SyncReport) -> None:
        """Catch up on retention a sync held back, then publish what the archive holds now."""
        await self.latest_event.async_locate()
        if not await self.retention.async_run_if_due():
            await self._async_changed()

    async def _async_changed(self) -> None:
        """Plan the last listing again against the index (no camera call, no walk); publish."""
        survey = await self.archive.replan(sync_options(self.hass, self.settings))
        if survey is not None:
            self._pending = Pending.of(survey)
            if not self.sync.running:
                await self._async_finish_trips(survey)
        self._disk = await self.archive.disk()
        self.async_publish()

    async def _async_finish_trips(self, survey: Survey | None) -> None:
        """Fire ``camsync_trip_finished`` for each trip the archive now holds whole."""
        for finished in await self.archive.finish_trips(survey):
            trip = finished.trip
            LOGGER.debug(
                "%s: trip %s finished (%.1f km)",
                self.config_entry.title,
                trip.id,
                trip.distance / 1000,
            )
            fire_trip_finished(
                self.hass, self.config_entry.entry_id, self.presence.device_id, finished
            )

    @callback
    def _on_saved(self, saved: SavedFile) -> None:
        self.latest_event.note(saved)

    async def _async_check_repairs(self) -> None:
        """Clear the repair issues (and statuses) whose cause went away."""
        hass, entry = self.hass, self.config_entry
        disk = self._disk
        settings = self.settings
        if (
            issues.is_raised(hass, entry, issues.DISK_LIMIT)
            and disk is not None
            and disk.limit_problem(settings.disk_limit, settings.keep_free) is None
        ):
            issues.clear(hass, entry, issues.DISK_LIMIT)
            self.sync.clear_status(SyncStatus.DISK_FULL)
        if issues.is_raised(hass, entry, issues.DESTINATION):
            try:
                await self.archive.check_writable()
            except CamsyncError:
                return
            issues.clear(hass, entry, issues.DESTINATION)
            self.sync.clear_status(SyncStatus.ERROR)

    @callback
    def _on_presence(self, online: bool) -> None:
        self.arrival.set_away(not online)
        if not online and not self.sync.running:
            self.sync.set_status(SyncStatus.OFFLINE, self.sync.message)
        elif online:
            self.sync.clear_status(SyncStatus.OFFLINE)

    def _compose(self) -> CamsyncState:
        sync = self.sync
        return CamsyncState(
            status=sync.status,
            message=sync.message,
            online=self.presence.online or sync.running,
            syncing=sync.running,
            progress=sync.progress,
            pending=self._pending,
            archive=self.archive.facts(),
            disk=self._disk,
            storage=self._storage,
            device=self.presence.device,
            last_success=self.history.last_success,
            last_attempt=self.history.last_attempt,
            last_report=sync.last_report,
            counters=sync.counters.copy(),
            timelapse=self.timelapses.state,
            settings=self.settings,
            car=self._car(),
            latest_event=self.latest_event.event,
        )

    def _car(self) -> CarFacts | None:
        """Return the car's facts for today (worked out by the engine when something changed)."""
        return self.archive.car()

    @callback
    def async_publish(self) -> None:
        """Push a fresh state to the entities without moving the next tick."""
        self.data = self._compose()
        self.async_update_listeners()
