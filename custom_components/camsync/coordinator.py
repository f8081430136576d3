"""The coordinator of one camera: probes it, plans, runs syncs, snapshots and retention.

Each tick lists the camera and works out what is pending. When auto-sync is on it starts a sync
as the entry's background task; the sync pushes its progress to the entities while it runs. A
camera that is away is normal (a dashcam drives off): it is logged once when it goes and once when
it comes back, its camera-dependent entities go unavailable, and local facts stay.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
import shutil
import time

from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryAuthFailed
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.event import async_track_time_change, async_track_time_interval
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator
from homeassistant.util import dt as dt_util

from . import issues
from .compat import async_get_entry_device
from .const import (
    CONF_DESTINATION,
    CONF_KIND,
    DOMAIN,
    LOGGER,
    CameraKind,
    SnapshotMode,
    SyncStatus,
)
from .data import CameraState, CamsyncConfigEntry, SyncCounters
from .engine.archive import Archive, ArchiveTree
from .engine.camera import CameraClient, DeviceInfo
from .engine.errors import (
    CameraAuthError,
    CameraOfflineError,
    CamsyncError,
    LoginLockedError,
    Outcome,
)
from .engine.files import run_io
from .engine.models import FileRole, Progress, PruneReport, SavedFile, SyncReport
from .engine.plan import Plan
from .engine.prune import prune
from .engine.run import SyncHooks, preview, run_sync
from .engine.snapshots import camera_slug, save_snapshot, snapshot_archive, snapshot_recorded_at
from .events import fire_file_saved, fire_sync_finished
from .local_facts import LocalFacts, read_local_facts
from .settings import Settings

PROGRESS_PUSH_INTERVAL = 1.0  # seconds between progress pushes to the entities
SETUP_CAMERA_TIMEOUT = 15.0  # seconds the first look at the camera may take
CAMERA_LOOK_TIMEOUT = 120.0  # seconds a later look (probe, listing, SD card) may take
PRUNE_INTERVAL = timedelta(hours=1)

_STATUS_FOR_OUTCOME = {
    Outcome.COMPLETED: SyncStatus.IDLE,
    Outcome.OFFLINE: SyncStatus.OFFLINE,
    Outcome.DISK_LIMIT: SyncStatus.DISK_FULL,
}


def _pending_bytes(plan: Plan | None) -> int | None:
    """Return the bytes still to download, None when the camera does not state every size."""
    if plan is None:
        return 0
    return plan.known_bytes if plan.unknown_sizes == 0 else None


class CamsyncCoordinator(DataUpdateCoordinator[CameraState]):
    """Keeps one camera's archive up to date."""

    config_entry: CamsyncConfigEntry

    def __init__(
        self, hass: HomeAssistant, entry: CamsyncConfigEntry, client: CameraClient
    ) -> None:
        """Set up the coordinator of one entry."""
        self.settings = Settings.from_options(CameraKind(entry.data[CONF_KIND]), entry.options)
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=f"{DOMAIN} {entry.title}",
            update_interval=self.settings.sync_interval,
        )
        self.client = client
        self.kind = self.settings.kind
        destination = Path(entry.data[CONF_DESTINATION])
        self.recordings = Archive(destination, "recordings", self.settings.grouping)
        self.snapshots = snapshot_archive(destination)
        self.camera_slug = camera_slug(entry.title)
        self.disk_usage = shutil.disk_usage
        self.device: DeviceInfo | None = None
        self.status = SyncStatus.IDLE
        self.status_message = ""
        self.progress: Progress | None = None
        self.last_report: SyncReport | None = None
        self.last_sync: datetime | None = None
        self.counters = SyncCounters()
        self._sync_task: asyncio.Task[SyncReport] | None = None
        self._syncing = False
        self._online: bool | None = None
        self._locked_until = 0.0
        self._last_prune: datetime | None = None
        self._last_push = 0.0

    @property
    def syncing(self) -> bool:
        """Return True while a sync talks to the camera."""
        return self._syncing

    @property
    def online(self) -> bool:
        """Return True when the camera answered at the last look."""
        return bool(self._online)

    async def _async_setup(self) -> None:
        """Check the destination; the first refresh then looks at the camera, briefly."""
        try:
            await run_io(self.recordings.ensure_writable)
        except CamsyncError as err:
            LOGGER.warning("%s: %s", self.config_entry.title, err)
            issues.raise_issue(self.hass, self.config_entry, issues.DESTINATION, str(err))
            self.status, self.status_message = SyncStatus.ERROR, str(err)

    async def _async_probe(self) -> bool:
        if self.device is not None:
            return True
        try:
            self.device = await self._camera_call(self.client.async_get_info())
        except CameraOfflineError:
            return False
        except CameraAuthError as err:
            raise ConfigEntryAuthFailed(str(err)) from err
        self._update_device_registry(self.device)
        return True

    async def _async_update_data(self) -> CameraState:
        """Look at the archive, the disk and (unless a sync is talking to it) the camera."""
        facts = await run_io(self._local_facts)
        await self._async_check_repairs(facts)
        state = CameraState(
            online=self.online,
            last_capture=facts.last_capture,
            newest_image=facts.newest_image,
            archive_files=facts.archive_files,
            archive_bytes=facts.archive_bytes,
            disk_total=facts.disk_total,
            disk_free=facts.disk_free,
        )
        if self.syncing:
            previous = self.data
            return replace(
                state,
                online=True,
                pending_recordings=previous.pending_recordings if previous else None,
                pending_files=previous.pending_files if previous else None,
                pending_bytes=previous.pending_bytes if previous else None,
                sd_card=previous.sd_card if previous else None,
            )
        state = await self._async_look_at_camera(state)
        await self._async_prune_if_due()
        if (
            state.online
            and self.settings.auto_sync
            and self.settings.recording_sync
            and state.pending_files
        ):
            self.async_start_sync()
        return state

    async def _async_look_at_camera(self, state: CameraState) -> CameraState:
        if time.monotonic() < self._locked_until:
            return replace(state, online=False)
        # Startup must not wait long on a camera that accepts connections but does not answer.
        limit = CAMERA_LOOK_TIMEOUT if self.data is not None else SETUP_CAMERA_TIMEOUT
        try:
            async with asyncio.timeout(limit):
                return await self._async_ask_camera(state)
        except TimeoutError:
            self._set_online(False, f"no answer within {limit:g} s")
            return replace(state, online=False)

    async def _async_ask_camera(self, state: CameraState) -> CameraState:
        try:
            if not await self._async_probe():
                return replace(state, online=False)
            plan = None
            if self.settings.recording_sync:
                plan = await self._camera_call(
                    preview(
                        self.client,
                        self.recordings,
                        self.settings.sync_options(),
                        since=self._since(),
                    )
                )
            sd_card = None
            if self.client.capabilities.storage:
                sd_card = await self._camera_call(self.client.async_get_storage())
        except CameraOfflineError:
            return replace(state, online=False)
        except CameraAuthError as err:
            raise ConfigEntryAuthFailed(str(err)) from err
        except CamsyncError as err:
            LOGGER.warning("%s answered in a way camsync does not understand: %s", self.name, err)
            return replace(state, online=True)
        return replace(
            state,
            online=True,
            pending_recordings=plan.recordings if plan else 0,
            pending_files=len(plan.files) if plan else 0,
            pending_bytes=_pending_bytes(plan),
            sd_card=sd_card,
        )

    async def _camera_call[T](self, call: Awaitable[T]) -> T:
        """Await a camera call, keeping track of whether the camera is there.

        A locked login counts as "away" until the lock's time has passed, so camsync does not
        make the lock longer by trying again.
        """
        try:
            result = await call
        except CameraOfflineError as err:
            self._set_online(False, str(err))
            raise
        except LoginLockedError as err:
            self._locked_until = time.monotonic() + err.retry_after
            LOGGER.warning(
                "%s locked its logins after failed attempts; camsync waits %d s before trying "
                "again",
                self.config_entry.title,
                int(err.retry_after),
            )
            self._set_online(False, str(err))
            raise CameraOfflineError(str(err)) from err
        self._set_online(True)
        return result

    @callback
    def _set_online(self, online: bool, reason: str = "") -> None:
        if online == self._online:
            return
        title = self.config_entry.title
        if online and self._online is not None:
            LOGGER.info("%s is reachable again", title)
        elif not online:
            LOGGER.info("%s is not reachable (%s); camsync keeps trying", title, reason)
        self._online = online
        if not online and not self.syncing:
            self.status = SyncStatus.OFFLINE
        elif online and self.status is SyncStatus.OFFLINE:
            self.status = SyncStatus.IDLE

    def _since(self) -> datetime | None:
        window = self.settings.look_back
        return dt_util.utcnow() - window if window else None

    @property
    def trees(self) -> tuple[ArchiveTree, ArchiveTree]:
        """Return the recordings and snapshot trees of the archive."""
        return (
            ArchiveTree(self.recordings, self.client.recorded_at),
            ArchiveTree(self.snapshots, self._recognise_snapshot),
        )

    def _recognise_snapshot(self, name: str) -> datetime | None:
        return snapshot_recorded_at(name, dt_util.get_default_time_zone())

    def _local_facts(self) -> LocalFacts:
        """Scan the archive and measure the disk (blocking: runs in the executor)."""
        return read_local_facts(self.trees, self.disk_usage)

    async def _async_check_repairs(self, facts: LocalFacts) -> None:
        """Clear repair issues whose cause went away."""
        if (
            issues.is_raised(self.hass, self.config_entry, issues.DISK_LIMIT)
            and facts.disk_used_percent is not None
            and facts.disk_used_percent < self.settings.disk_limit
        ):
            issues.clear(self.hass, self.config_entry, issues.DISK_LIMIT)
            self._clear_status(SyncStatus.DISK_FULL)
        if issues.is_raised(self.hass, self.config_entry, issues.DESTINATION):
            try:
                await run_io(self.recordings.ensure_writable)
            except CamsyncError:
                return
            issues.clear(self.hass, self.config_entry, issues.DESTINATION)
            self._clear_status(SyncStatus.ERROR)

    def _clear_status(self, status: SyncStatus) -> None:
        if self.status is status:
            self.status = SyncStatus.IDLE
            self.status_message = ""

    # Sync

    @callback
    def async_start_sync(self) -> asyncio.Task[SyncReport]:
        """Start a sync as a background task, or return the one already running."""
        if self._sync_task is not None and not self._sync_task.done():
            return self._sync_task
        self._syncing = True
        self.status = SyncStatus.SYNCING
        self.status_message = ""
        self.progress = None
        self._sync_task = self.config_entry.async_create_background_task(
            self.hass, self._async_sync(), f"{DOMAIN} sync {self.config_entry.title}"
        )
        self.async_update_listeners()
        return self._sync_task

    async def async_stop_sync(self) -> None:
        """Cancel a running sync and wait until it stopped (its partial file is kept)."""
        task, self._sync_task = self._sync_task, None
        if task is None or task.done():
            return
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            LOGGER.debug("Sync of %s stopped; the partial file is kept", self.config_entry.title)

    async def _async_sync(self) -> SyncReport:
        try:
            report = await run_sync(
                self.client,
                self.recordings,
                self.settings.sync_options(),
                holder=f"Home Assistant, {self.config_entry.title}",
                since=self._since(),
                disk_usage=self.disk_usage,
                hooks=SyncHooks(on_progress=self._on_progress, on_saved=self._on_saved),
            )
        except asyncio.CancelledError:
            self.status = SyncStatus.IDLE
            raise
        finally:
            self._syncing = False
        self._finish(report)
        await self._async_prune_if_due()
        # Not async_request_refresh: its debouncer would hold back the pending count.
        await self.async_refresh()
        return report

    @callback
    def _on_progress(self, progress: Progress) -> None:
        self.progress = progress
        now = time.monotonic()
        if now - self._last_push >= PROGRESS_PUSH_INTERVAL or (
            progress.done_files == progress.total_files
        ):
            self._last_push = now
            self.async_update_listeners()

    @callback
    def _on_saved(self, saved: SavedFile) -> None:
        self.counters.files_saved += 1
        self.counters.bytes_saved += saved.size
        fire_file_saved(self.hass, self.config_entry.entry_id, self.device_id, saved)

    @callback
    def _finish(self, report: SyncReport) -> None:
        self.last_report = report
        self.last_sync = report.finished
        counters = self.counters
        counters.runs += 1
        counters.files_failed += len(report.failed)
        counters.outcomes[report.outcome.value] = counters.outcomes.get(report.outcome.value, 0) + 1
        self.status = _STATUS_FOR_OUTCOME.get(report.outcome, SyncStatus.ERROR)
        self.status_message = report.message
        if report.outcome is Outcome.OFFLINE:
            self._set_online(False, report.message)
        elif report.outcome is Outcome.AUTH_FAILED:
            self.config_entry.async_start_reauth(self.hass)
        elif report.outcome is Outcome.LOCK_HELD:
            LOGGER.info("%s: %s", self.config_entry.title, report.message)
        issues.update_for_outcome(self.hass, self.config_entry, report)
        fire_sync_finished(self.hass, self.config_entry.entry_id, self.device_id, report)
        self.async_update_listeners()

    # Snapshots and retention

    @callback
    def async_schedule_snapshots(self) -> None:
        """Take snapshots every interval, or on the hour, as the options say."""
        mode = self.settings.snapshot_mode
        if mode is SnapshotMode.OFF:
            return
        if mode is SnapshotMode.HOURLY:
            cancel = async_track_time_change(
                self.hass, self._async_scheduled_snapshot, minute=0, second=0
            )
        else:
            cancel = async_track_time_interval(
                self.hass,
                self._async_scheduled_snapshot,
                self.settings.snapshot_interval,
                name=f"{DOMAIN} snapshots {self.config_entry.title}",
                cancel_on_shutdown=True,
            )
        self.config_entry.async_on_unload(cancel)

    async def _async_scheduled_snapshot(self, _now: datetime) -> None:
        if time.monotonic() < self._locked_until:
            return
        try:
            await self.async_take_snapshot()
        except CameraOfflineError:
            return  # already logged once when the camera left
        except CameraAuthError:
            self.config_entry.async_start_reauth(self.hass)
        except CamsyncError as err:
            LOGGER.warning("Scheduled snapshot of %s failed: %s", self.config_entry.title, err)

    async def async_take_snapshot(self) -> SavedFile:
        """Capture a live image now and store it in the snapshot tree."""
        data = await self._camera_call(self.client.async_snapshot())
        taken = dt_util.now()
        path = await run_io(save_snapshot, self.snapshots, self.camera_slug, taken, data)
        saved = SavedFile(
            name=path.name,
            path=str(path),
            role=FileRole.SNAPSHOT,
            size=len(data),
            recorded=taken,
            kind="snapshot",
            channel="",
            event=False,
        )
        self.counters.snapshots += 1
        fire_file_saved(self.hass, self.config_entry.entry_id, self.device_id, saved)
        if self.data is not None:
            self.async_set_updated_data(
                replace(
                    self.data,
                    last_capture=max(filter(None, (self.data.last_capture, taken))),
                    newest_image=path,
                )
            )
        return saved

    async def async_prune(
        self, older_than: timedelta | None = None, *, dry_run: bool = False
    ) -> PruneReport:
        """Delete archived files older than the retention window (or ``older_than``)."""
        window = older_than or self.settings.retention
        if window is None:
            window = timedelta(days=365 * 100)  # keep forever: nothing is that old
        cutoff = dt_util.utcnow() - window
        report = await run_io(prune, self.trees, cutoff, dry_run=dry_run)
        if not dry_run:
            self._last_prune = dt_util.utcnow()
        return report

    async def _async_prune_if_due(self) -> None:
        if self.settings.retention is None:
            return
        now = dt_util.utcnow()
        if self._last_prune is not None and now - self._last_prune < PRUNE_INTERVAL:
            return
        try:
            await self.async_prune()
        except OSError as err:
            LOGGER.warning("Retention for %s failed: %s", self.config_entry.title, err)

    # Device registry

    @property
    def device_id(self) -> str | None:
        """Return the device registry id of this camera."""
        device = async_get_entry_device(self.hass, self.config_entry, (DOMAIN, self.device_key))
        return device.id if device else None

    @property
    def device_key(self) -> str:
        """Return the identifier of the device in the registry."""
        return self.config_entry.unique_id or self.config_entry.entry_id

    def _update_device_registry(self, info: DeviceInfo) -> None:
        device = async_get_entry_device(self.hass, self.config_entry, (DOMAIN, self.device_key))
        if device is None:
            return
        dr.async_get(self.hass).async_update_device(
            device.id, model=info.model, sw_version=info.firmware, serial_number=info.serial
        )
