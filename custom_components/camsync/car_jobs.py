"""The car's jobs for a camera with GPS: catch up on old GPS, today's distance at midnight, trips.

A trip is announced (``camsync_trip_finished``, with its GPX) once the archive holds it whole;
the coordinator asks after each look at the camera and each replan after a sync.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.event import async_track_time_change

from .const import DOMAIN, LOGGER
from .data import CamsyncConfigEntry
from .engine.facade import CameraArchive, CarFacts, Survey
from .events import fire_trip_finished


class CarJobs:
    """Keeps the car's facts fresh and announces finished trips (nothing without GPS)."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: CamsyncConfigEntry,
        archive: CameraArchive,
        device_id: Callable[[], str | None],
        publish: Callable[[], None],
    ) -> None:
        """Describe the jobs; ``device_id`` names the camera's device when events fire."""
        self.hass = hass
        self.entry = entry
        self.archive = archive
        self._device_id = device_id
        self._publish = publish

    @callback
    def async_start(self) -> None:
        """Read the GPS of an archive from before trips (in the background); reset at midnight."""
        if self.archive.trips is None:
            return
        # Today's distance starts again at midnight.
        self.entry.async_on_unload(
            async_track_time_change(self.hass, self._at_midnight, hour=0, minute=0, second=0)
        )
        self.entry.async_create_background_task(
            self.hass, self._async_catch_up(), f"{DOMAIN} trips {self.entry.title}"
        )

    def facts(self) -> CarFacts | None:
        """Return the car's facts for today (worked out by the engine when something changed)."""
        return self.archive.car()

    async def _async_catch_up(self) -> None:
        if self.archive.trips is not None and await self.archive.trips.catch_up():
            self._publish()

    async def _at_midnight(self, _now: datetime) -> None:
        await self.archive.refresh_car()
        self._publish()

    async def async_finish_trips(self, survey: Survey | None) -> None:
        """Fire ``camsync_trip_finished`` for each trip the archive now holds whole."""
        for finished in await self.archive.finish_trips(survey):
            trip = finished.trip
            LOGGER.debug(
                "%s: trip %s finished (%.1f km)", self.entry.title, trip.id, trip.distance / 1000
            )
            fire_trip_finished(self.hass, self.entry.entry_id, self._device_id(), finished)
