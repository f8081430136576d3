"""The car on the map: a tracker at the newest GPS fix in a dashcam's archive.

Only for cameras whose client declares GPS. Home Assistant 2026 wants a config-entry tracker to
report coordinates and accuracy only (no location name, no battery); the zone (``home``,
``not_home``, a zone's name) follows from them. The recording the fix came from and when it was
taken are attributes, so an automation can tell an old position from a fresh one.
"""

from __future__ import annotations

from typing import Any

from homeassistant.components.device_tracker.const import SourceType
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .compat import TrackerEntity
from .coordinator import CamsyncCoordinator
from .data import CamsyncConfigEntry
from .entity import CamsyncEntity

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: CamsyncConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the car's tracker when the camera records GPS."""
    coordinator = entry.runtime_data.coordinator
    if coordinator.client.capabilities.gps:
        async_add_entities([CamsyncCarTracker(coordinator)])


class CamsyncCarTracker(CamsyncEntity, TrackerEntity):
    """Where the car is, as far as the archive knows: its newest GPS fix."""

    _attr_translation_key = "car"
    _attr_source_type = SourceType.GPS
    # Trackers default to diagnostic (a router's view of a phone); the car is the main thing.
    _attr_entity_category = None  # type: ignore[assignment]

    def __init__(self, coordinator: CamsyncCoordinator) -> None:
        """Place the tracker at the archive's newest fix."""
        super().__init__(coordinator, "car")
        self._read()

    @callback
    def _handle_coordinator_update(self) -> None:
        self._read()
        super()._handle_coordinator_update()

    def _read(self) -> None:
        car = self.coordinator.data.car
        position = car.position if car else None
        if position is None:
            self._attr_latitude = self._attr_longitude = None
            self._attr_location_accuracy = 0
            self._attr_extra_state_attributes = {}
            return
        self._attr_latitude = position.lat
        self._attr_longitude = position.lon
        self._attr_location_accuracy = position.accuracy or 0
        attributes: dict[str, Any] = {
            "recording": position.recording,
            "fix_time": position.time.isoformat(),
        }
        self._attr_extra_state_attributes = attributes
