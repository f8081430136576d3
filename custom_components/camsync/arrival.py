"""Noticing the camera come back: a bare TCP connect while it is away, faster after an arrival.

While the camera is away (the car drove off) camsync does not list it every check; it connects to
the camera's HTTP port every ``away_probe_interval`` (30 s by default): one TCP handshake, no
request, closed at once. The moment the camera accepts, the coordinator looks at it (lists, and
syncs when automatic sync is on), so a car parked in the garage starts syncing within one probe
interval. A linked person or device tracker (the driver's phone) entering ``home`` makes the
probes come every 5 s for the next 10 minutes: the dashcam joins the Wi-Fi a minute or two after
the car stops. A camera that accepts connections but then does not answer its listing is asked
again after twice the wait each time (up to the check interval), so it costs no log line every
30 s.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
import contextlib
from datetime import datetime, timedelta

from homeassistant.const import STATE_HOME
from homeassistant.core import (
    CALLBACK_TYPE,
    Event,
    EventStateChangedData,
    HassJob,
    HomeAssistant,
    callback,
)
from homeassistant.helpers.event import async_call_later, async_track_state_change_event
from homeassistant.util import dt as dt_util

from .const import LOGGER
from .data import CamsyncConfigEntry
from .settings import Settings

FAST_PROBE_INTERVAL = timedelta(seconds=5)
FAST_PROBE_WINDOW = timedelta(minutes=10)
PROBE_TIMEOUT = 3.0  # seconds a connect may take


async def tcp_probe(host: str, port: int) -> bool:
    """Return True when ``host:port`` accepts a TCP connection (closed again at once)."""
    try:
        async with asyncio.timeout(PROBE_TIMEOUT):
            _, writer = await asyncio.open_connection(host, port)
    except (OSError, TimeoutError):
        return False
    writer.close()
    with contextlib.suppress(OSError):
        await writer.wait_closed()
    return True


class ArrivalWatch:
    """Probes one camera cheaply while it is away and has it looked at once it answers."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: CamsyncConfigEntry,
        address: tuple[str, int],
        settings: Settings,
        look: Callable[[], Coroutine[object, object, bool]],
    ) -> None:
        """Describe the watch; ``look()`` looks at the camera now and says whether it is there."""
        self.hass = hass
        self.entry = entry
        self.address = address
        self.settings = settings
        self.probes = 0
        self.answers = 0
        self._look = look
        self._away = False
        self._fast_until: datetime | None = None
        self._failed_looks = 0
        self._timer: CALLBACK_TYPE | None = None
        self._job = HassJob(
            self._async_probe, f"camsync probe {entry.title}", cancel_on_shutdown=True
        )
        entry.async_on_unload(self._cancel)

    @property
    def watching(self) -> bool:
        """Return True while the camera is away and probed."""
        return self._away

    @callback
    def async_start(self) -> None:
        """Follow the linked tracker (the driver's phone), if the options name one."""
        if tracker := self.settings.arrival_tracker:
            self.entry.async_on_unload(
                async_track_state_change_event(self.hass, [tracker], self._on_tracker)
            )

    @callback
    def set_away(self, away: bool) -> None:
        """Start probing when the camera went away, stop when it is back."""
        if away == self._away:
            return
        self._away = away
        self._failed_looks = 0
        if away:
            self._schedule()
        else:
            self._cancel()

    def interval(self) -> timedelta:
        """Return the wait before the next probe."""
        if self._fast_until is not None and dt_util.utcnow() < self._fast_until:
            return FAST_PROBE_INTERVAL
        base = self.settings.away_probe_interval
        if self._failed_looks:
            longest = max(base, self.settings.sync_interval)
            waited: timedelta = base * 2 ** min(self._failed_looks, 10)
            return min(waited, longest)
        return base

    @callback
    def _schedule(self) -> None:
        self._cancel()
        self._timer = async_call_later(self.hass, self.interval(), self._job)

    @callback
    def _cancel(self) -> None:
        if self._timer is not None:
            self._timer()
            self._timer = None

    async def _async_probe(self, _now: datetime) -> None:
        self._timer = None
        if not self._away:
            return
        self.probes += 1
        if await tcp_probe(*self.address) and self._away:
            self.answers += 1
            LOGGER.debug("%s accepts connections again: looking at it", self.entry.title)
            if await self._look():
                return  # it is back (set_away(False) came first)
            self._failed_looks += 1
        else:
            self._failed_looks = 0
        if self._away and self._timer is None:
            self._schedule()

    @callback
    def _on_tracker(self, event: Event[EventStateChangedData]) -> None:
        new, old = event.data["new_state"], event.data["old_state"]
        if new is None or new.state != STATE_HOME or (old is not None and old.state == STATE_HOME):
            return
        LOGGER.debug(
            "%s arrived home: probing %s every %s s",
            new.entity_id,
            self.entry.title,
            FAST_PROBE_INTERVAL.total_seconds(),
        )
        self._fast_until = dt_util.utcnow() + FAST_PROBE_WINDOW
        self._failed_looks = 0
        if self._away:
            self._schedule()
        else:
            # Still thought to be here (it left less than a check ago): find out now.
            self.entry.async_create_background_task(
                self.hass, self._look(), f"camsync look {self.entry.title}"
            )
