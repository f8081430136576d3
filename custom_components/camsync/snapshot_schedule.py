"""Scheduled snapshots: every interval or on the hour, as the options say, and on demand."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.event import async_track_time_change, async_track_time_interval
from homeassistant.util import dt as dt_util

from .const import DOMAIN, LOGGER, SnapshotMode
from .data import CamsyncConfigEntry, SyncCounters
from .engine.errors import CameraAuthError, CameraOfflineError, CamsyncError
from .engine.facade import CameraArchive
from .engine.models import SavedFile
from .events import fire_file_saved
from .presence import CameraPresence
from .settings import Settings


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

    @callback
    def async_start(self) -> None:
        """Take snapshots every interval, or on the hour; stop when the entry unloads."""
        mode = self.settings.snapshot_mode
        if mode is SnapshotMode.OFF:
            return
        if mode is SnapshotMode.HOURLY:
            cancel = async_track_time_change(self.hass, self._async_scheduled, minute=0, second=0)
        else:
            cancel = async_track_time_interval(
                self.hass,
                self._async_scheduled,
                self.settings.snapshot_interval,
                name=f"{DOMAIN} snapshots {self.entry.title}",
                cancel_on_shutdown=True,
            )
        self.entry.async_on_unload(cancel)

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
        fire_file_saved(self.hass, self.entry.entry_id, self.presence.device_id, saved)
        if self.on_saved is not None:
            self.on_saved(saved)
        self._publish()
        return saved
