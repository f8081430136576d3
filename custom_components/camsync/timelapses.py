"""Timelapses of one camera: daily after midnight (an option), and on demand (the action).

A timelapse is made from the snapshots in the archive by Home Assistant's ffmpeg; one at a time
per camera and across cameras (it takes a CPU core while it runs). Its progress is part of the
entry's state (the *Timelapse progress* sensor), and ``camsync_timelapse_finished`` says how it
ended; the video itself is announced like any archived file (``camsync_file_saved``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.event import async_track_time_change
from homeassistant.util import dt as dt_util
from homeassistant.util.hass_dict import HassKey

from .const import DOMAIN, EVENT_TIMELAPSE_FINISHED, LOGGER
from .data import CamsyncConfigEntry, TimelapseState
from .engine.errors import CamsyncError, NoFramesError
from .engine.facade import CameraArchive, Timelapse, TimelapseProgress, timelapse_days
from .engine.models import FileRole, SavedFile
from .events import fire_file_saved
from .presence import CameraPresence
from .settings import Settings
from .video_tool import async_ffmpeg_binary

DAILY_AT = (0, 5)  # hour, minute: after midnight, for the day before
PROGRESS_PUSH_INTERVAL = 1.0
DATA_ENCODER: HassKey[asyncio.Semaphore] = HassKey(f"{DOMAIN}_timelapse_encoder")


class TimelapseJobs:
    """Makes the timelapses of one entry."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: CamsyncConfigEntry,
        archive: CameraArchive,
        settings: Settings,
        presence: CameraPresence,
        publish: Callable[[], None],
    ) -> None:
        """Describe the jobs; nothing runs before :meth:`async_start` or a request."""
        self.hass = hass
        self.entry = entry
        self.archive = archive
        self.settings = settings
        self.presence = presence
        self.state: TimelapseState | None = None
        self.on_saved: Callable[[SavedFile], None] | None = None  # the mirrors, say
        self._publish = publish
        self._lock = asyncio.Lock()
        self._last_push = 0.0

    @callback
    def async_start(self) -> None:
        """Make each day's timelapse after midnight, when the option is on (and catch up once)."""
        if not self.settings.timelapse:
            return
        hour, minute = DAILY_AT
        self.entry.async_on_unload(
            async_track_time_change(
                self.hass, self._async_daily, hour=hour, minute=minute, second=0
            )
        )
        self.entry.async_create_background_task(
            self.hass, self._async_catch_up(), f"{DOMAIN} timelapse catch-up {self.entry.title}"
        )

    @callback
    def _async_daily(self, now: datetime) -> None:
        # A task of the entry's own, so unloading the camera stops ffmpeg mid-run.
        day = dt_util.as_local(now).date() - timedelta(days=1)
        self.entry.async_create_background_task(
            self.hass, self._async_yesterday(day), f"{DOMAIN} daily timelapse {self.entry.title}"
        )

    async def _async_catch_up(self) -> None:
        """Make yesterday's timelapse if Home Assistant was not running after midnight."""
        now = dt_util.now()
        if now.time() < time(*DAILY_AT):
            return  # the daily run is still to come
        yesterday = now.date() - timedelta(days=1)
        timelapses = self.archive.index.timelapses
        if timelapses is not None and any(
            timelapse_days(name) == (yesterday, yesterday) for name in timelapses
        ):
            return
        await self._async_yesterday(yesterday)

    async def _async_yesterday(self, day: date) -> None:
        try:
            await self.async_make(day, day, self.settings.timelapse_fps)
        except NoFramesError:
            LOGGER.debug("%s: no snapshots on %s, no timelapse", self.entry.title, day)
        except (CamsyncError, OSError) as err:
            LOGGER.warning("The timelapse of %s for %s failed: %s", self.entry.title, day, err)

    async def async_make(self, first: date, last: date, fps: float) -> Timelapse:
        """Make a timelapse of the snapshots from ``first`` to ``last`` and announce it.

        NoFramesError when there are none; VideoToolError, VideoToolMissingError or
        DiskLimitError when ffmpeg cannot make it.
        """
        if not self.archive.count_snapshots(first, last):
            raise NoFramesError(f"No snapshots from {first} to {last}")
        encoder = self.hass.data.setdefault(DATA_ENCODER, asyncio.Semaphore(1))
        async with self._lock, encoder:
            try:
                ffmpeg = await async_ffmpeg_binary(self.hass)
                timelapse = await self.archive.timelapse(
                    ffmpeg, first, last, fps, on_progress=self._on_progress
                )
            except NoFramesError:
                raise  # nothing was tried: no event
            except (CamsyncError, OSError) as err:
                self._finish(first, last, {"outcome": "failed", "message": str(err)})
                raise
        saved = SavedFile(
            name=timelapse.path.name,
            path=str(timelapse.path),
            role=FileRole.TIMELAPSE,
            size=timelapse.size,
            recorded=datetime.combine(last, datetime.min.time(), dt_util.get_default_time_zone()),
            kind="timelapse",
            channel="",
            event=False,
            verified=True,
        )
        fields = fire_file_saved(
            self.hass, self.entry, self.archive, self.presence.device_id, saved
        )
        self._finish(first, last, describe(timelapse) | {"outcome": "completed"} | fields)
        if self.on_saved is not None:
            self.on_saved(saved)
        LOGGER.info(
            "%s: timelapse %s made (%d frames)", self.entry.title, saved.name, timelapse.frames
        )
        return timelapse

    @callback
    def _on_progress(self, progress: TimelapseProgress) -> None:
        self.state = TimelapseState(progress, running=True)
        now = self.hass.loop.time()
        if now - self._last_push >= PROGRESS_PUSH_INTERVAL:
            self._last_push = now
            self._publish()

    @callback
    def _finish(self, first: date, last: date, data: dict[str, Any]) -> None:
        if self.state is not None:
            self.state = TimelapseState(self.state.progress, running=False)
        self.hass.bus.async_fire(
            EVENT_TIMELAPSE_FINISHED,
            {
                "entry_id": self.entry.entry_id,
                "device_id": self.presence.device_id,
                "start_date": first.isoformat(),
                "end_date": last.isoformat(),
            }
            | data,
        )
        self._publish()


def describe(timelapse: Timelapse) -> dict[str, Any]:
    """Return what a response or an event says about a timelapse."""
    return {
        "path": str(timelapse.path),
        "size": timelapse.size,
        "frames": timelapse.frames,
        "fps": timelapse.fps,
        "duration": round(timelapse.duration, 3),
    }
