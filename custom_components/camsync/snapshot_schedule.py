"""Scheduled snapshots: every interval or on the hour, as the options say, and on demand.

The schedule's clock is the archive: the next snapshot is due one interval after the newest
snapshot in it (on the hour: at the next full hour). So a reload (an options change, a restart)
does not restart the clock, and a snapshot that is due already (a new camera has none; Home
Assistant was down when one was due) is taken right away.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.event import async_track_point_in_utc_time
from homeassistant.util import dt as dt_util

from .const import DOMAIN, LOGGER, SnapshotMode
from .data import CamsyncConfigEntry, SyncCounters
from .engine.errors import CameraAuthError, CameraOfflineError, CamsyncError
from .engine.facade import CameraArchive
from .engine.models import SavedFile
from .events import fire_file_saved
from .presence import CameraPresence
from .settings import Settings

HOUR = timedelta(hours=1)


class SnapshotSchedule:
    """Takes the snapshots of one camera into its archive."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: CamsyncConfigEntry,
        archive: CameraArchive,
        settings: Settings,
        presence: CameraPresence,
        counters: SyncCounters,
        publish: Callable[[], None],
    ) -> None:
        """Describe the schedule; nothing runs before :meth:`async_start`."""
        self.hass = hass
        self.entry = entry
        self.archive = archive
        self.settings = settings
        self.presence = presence
        self.counters = counters
        self.on_saved: Callable[[SavedFile], None] | None = None
        """Hears every snapshot saved (the mirrors queue it)."""
        self._publish = publish
        self._cancel: CALLBACK_TYPE | None = None
        self.next_due: datetime | None = None

    @callback
    def async_start(self) -> None:
        """Start the schedule (taking a snapshot now when one is due); stop on unload."""
        self.entry.async_on_unload(self.async_stop)
        self._arm(dt_util.utcnow())

    @callback
    def async_stop(self) -> None:
        """Stop taking scheduled snapshots."""
        if self._cancel is not None:
            self._cancel()
            self._cancel = None
        self.next_due = None

    @callback
    def async_apply(self, settings: Settings) -> None:
        """Follow changed options without a reload (the snapshot switch)."""
        self.settings = settings
        self.async_stop()
        self._arm(dt_util.utcnow())

    def last_taken(self) -> datetime | None:
        """Return when the newest snapshot in the archive was taken."""
        newest = self.archive.index.snapshots.newest
        return newest.recorded if newest is not None else None

    @callback
    def _arm(self, now: datetime) -> None:
        """Schedule the next snapshot from the newest one; take one now when it is overdue."""
        mode = self.settings.snapshot_mode
        if mode is SnapshotMode.OFF:
            return
        last = self.last_taken()
        if mode is SnapshotMode.HOURLY:
            hour = dt_util.as_utc(dt_util.as_local(now).replace(minute=0, second=0, microsecond=0))
            overdue = last is None or last < hour
            due = hour + HOUR
        else:
            interval = self.settings.snapshot_interval
            due = now + interval if last is None or last + interval <= now else last + interval
            overdue = last is None or last + interval <= now
        if overdue:
            self.entry.async_create_task(
                self.hass, self._async_scheduled(now), f"{DOMAIN} snapshot {self.entry.title}"
            )
        self._schedule(due)

    @callback
    def _schedule(self, due: datetime) -> None:
        self.next_due = due
        self._cancel = async_track_point_in_utc_time(self.hass, self._async_fire, due)

    async def _async_fire(self, now: datetime) -> None:
        due = self.next_due or now
        step = HOUR if self.settings.snapshot_mode is SnapshotMode.HOURLY else None
        step = step or self.settings.snapshot_interval
        following = due + step
        while following <= now:  # Home Assistant was busy or asleep: no catching up
            following += step
        self._schedule(following)
        await self._async_scheduled(now)

    async def _async_scheduled(self, _now: datetime) -> None:
        if self.presence.locked_out:
            return
        try:
            await self.async_take()
        except CameraOfflineError:
            return  # already logged once when the camera left
        except CameraAuthError:
            self.entry.async_start_reauth(self.hass)
        except CamsyncError as err:
            LOGGER.warning("Scheduled snapshot of %s failed: %s", self.entry.title, err)

    async def async_take(self) -> SavedFile:
        """Capture a live image now and store it in the snapshot tree."""
        saved = await self.presence.call(self.archive.snapshot(dt_util.now()))
        self.counters.snapshots += 1
        fire_file_saved(self.hass, self.entry, self.archive, self.presence.device_id, saved)
        if self.on_saved is not None:
            self.on_saved(saved)
        self._publish()
        return saved
