"""Sensors: last capture, pending downloads, free disk, sync status and progress, and more.

For a camera with GPS also today's distance and the last trip; for every camera the latest
event recording (kept across restarts).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import EntityCategory, UnitOfInformation, UnitOfLength
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.restore_state import ExtraStoredData, RestoredExtraData, RestoreEntity
from homeassistant.helpers.typing import StateType

from .compat import PERCENTAGE
from .const import SyncStatus
from .coordinator import CamsyncCoordinator
from .data import CamsyncConfigEntry, CamsyncState
from .engine.camera import Capabilities
from .engine.facade import Trip
from .entity import CamsyncEntity
from .events import KMH
from .mirror_entities import async_setup_mirror_sensors

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class CamsyncSensorDescription(SensorEntityDescription):
    """A camsync sensor: where its value comes from and which cameras have it."""

    value_fn: Callable[[CamsyncState], StateType | datetime]
    attributes_fn: Callable[[CamsyncState], dict[str, Any]] | None = None
    needs_camera: bool = False
    has_fn: Callable[[Capabilities], bool] = lambda _: True
    restores_event: bool = False


def _progress(state: CamsyncState) -> float | None:
    return None if state.progress is None else round(state.progress.percent, 1)


def _timelapse_progress(state: CamsyncState) -> float | None:
    return None if state.timelapse is None else round(state.timelapse.progress.percent, 1)


def _timelapse_attributes(state: CamsyncState) -> dict[str, Any]:
    timelapse = state.timelapse
    if timelapse is None:
        return {"timelapse": None, "frames": None, "done_frames": None, "running": False}
    progress = timelapse.progress
    return {
        "timelapse": progress.name,
        "frames": progress.total_frames,
        "done_frames": progress.done_frames,
        "running": timelapse.running,
    }


def _pending_attributes(state: CamsyncState) -> dict[str, Any]:
    pending = state.pending
    return {
        "pending_files": pending.files if pending else None,
        "pending_bytes": pending.bytes if pending else None,
    }


def _today_distance(state: CamsyncState) -> float | None:
    return None if state.car is None else round(state.car.today_distance / 1000, 3)


def _last_trip(state: CamsyncState) -> Trip | None:
    return None if state.car is None else state.car.last_trip


def _last_trip_distance(state: CamsyncState) -> float | None:
    trip = _last_trip(state)
    return None if trip is None else round(trip.distance / 1000, 3)


def _kmh(speed: float | None) -> float | None:
    return None if speed is None else round(speed * KMH, 1)


def _last_trip_attributes(state: CamsyncState) -> dict[str, Any]:
    """Return the last trip for automations: times, duration, speeds (km/h), ends, GPX."""
    trip = _last_trip(state)
    if trip is None:
        return {}
    return {
        "start": trip.start.isoformat(),
        "end": trip.end.isoformat(),
        "duration_minutes": round(trip.duration.total_seconds() / 60, 1),
        "max_speed_kmh": _kmh(trip.max_speed),
        "average_speed_kmh": _kmh(trip.average_speed),
        "start_latitude": trip.start_point.lat,
        "start_longitude": trip.start_point.lon,
        "end_latitude": trip.end_point.lat,
        "end_longitude": trip.end_point.lon,
        "recordings": len(trip.recordings),
        "gpx": trip.gpx_name,
    }


def _latest_event_attributes(state: CamsyncState) -> dict[str, Any]:
    """Return what the event was (kind, channel, files) and, with GPS, where it was."""
    event = state.latest_event
    if event is None:
        return {}
    attributes: dict[str, Any] = {
        "kind": event.kind,
        "channel": event.channel,
        "video": Path(event.path).name,
        "thumbnail": None if event.thumbnail is None else Path(event.thumbnail).name,
    }
    if event.latitude is not None and event.longitude is not None:
        attributes |= {"latitude": event.latitude, "longitude": event.longitude}
    return attributes


SENSORS: tuple[CamsyncSensorDescription, ...] = (
    CamsyncSensorDescription(
        key="last_capture",
        translation_key="last_capture",
        device_class=SensorDeviceClass.TIMESTAMP,
        value_fn=lambda state: state.last_capture,
    ),
    CamsyncSensorDescription(
        key="pending_downloads",
        translation_key="pending_downloads",
        state_class=SensorStateClass.MEASUREMENT,
        needs_camera=True,
        value_fn=lambda state: state.pending.recordings if state.pending else None,
        attributes_fn=_pending_attributes,
    ),
    CamsyncSensorDescription(
        key="pending_bytes",
        translation_key="pending_bytes",
        device_class=SensorDeviceClass.DATA_SIZE,
        native_unit_of_measurement=UnitOfInformation.BYTES,
        suggested_unit_of_measurement=UnitOfInformation.MEGABYTES,
        suggested_display_precision=1,
        entity_category=EntityCategory.DIAGNOSTIC,
        needs_camera=True,
        # BlackVue dashcams state no sizes before a download; Reolink's listing does.
        has_fn=lambda capabilities: capabilities.listed_sizes,
        value_fn=lambda state: state.pending.bytes if state.pending else None,
    ),
    CamsyncSensorDescription(
        key="free_disk",
        translation_key="free_disk",
        device_class=SensorDeviceClass.DATA_SIZE,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfInformation.BYTES,
        suggested_unit_of_measurement=UnitOfInformation.GIGABYTES,
        # Two decimals: 50 MB free reads "0.05 GB", not "0.0 GB".
        suggested_display_precision=2,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda state: state.disk.free if state.disk else None,
    ),
    CamsyncSensorDescription(
        key="sync_status",
        translation_key="sync_status",
        device_class=SensorDeviceClass.ENUM,
        options=[status.value for status in SyncStatus],
        value_fn=lambda state: state.status.value,
    ),
    CamsyncSensorDescription(
        key="sync_progress",
        translation_key="sync_progress",
        native_unit_of_measurement=PERCENTAGE,
        suggested_display_precision=0,
        value_fn=_progress,
    ),
    CamsyncSensorDescription(
        key="last_success",
        translation_key="last_success",
        device_class=SensorDeviceClass.TIMESTAMP,
        value_fn=lambda state: state.last_success,
    ),
    CamsyncSensorDescription(
        key="last_attempt",
        translation_key="last_attempt",
        device_class=SensorDeviceClass.TIMESTAMP,
        value_fn=lambda state: state.last_attempt,
    ),
    CamsyncSensorDescription(
        key="archive_size",
        translation_key="archive_size",
        device_class=SensorDeviceClass.DATA_SIZE,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfInformation.BYTES,
        # Home Assistant fixes a sensor's unit when it registers it: an archive starts small,
        # so MB with a decimal ("11.8 MB", not "0.01 GB"); GB can be chosen in its settings.
        suggested_unit_of_measurement=UnitOfInformation.MEGABYTES,
        suggested_display_precision=1,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda state: state.archive.bytes,
    ),
    CamsyncSensorDescription(
        key="sd_card_free",
        translation_key="sd_card_free",
        device_class=SensorDeviceClass.DATA_SIZE,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfInformation.BYTES,
        suggested_unit_of_measurement=UnitOfInformation.GIGABYTES,
        suggested_display_precision=2,
        entity_category=EntityCategory.DIAGNOSTIC,
        needs_camera=True,
        has_fn=lambda capabilities: capabilities.storage,
        value_fn=lambda state: state.storage.free_bytes if state.storage else None,
    ),
    CamsyncSensorDescription(
        key="timelapse_progress",
        translation_key="timelapse_progress",
        native_unit_of_measurement=PERCENTAGE,
        suggested_display_precision=0,
        entity_category=EntityCategory.DIAGNOSTIC,
        # Timelapses are made from snapshots: cameras that can take them.
        has_fn=lambda capabilities: capabilities.live_snapshot,
        value_fn=_timelapse_progress,
        attributes_fn=_timelapse_attributes,
    ),
    CamsyncSensorDescription(
        key="today_distance",
        translation_key="today_distance",
        device_class=SensorDeviceClass.DISTANCE,
        state_class=SensorStateClass.TOTAL_INCREASING,
        native_unit_of_measurement=UnitOfLength.KILOMETERS,
        suggested_display_precision=1,
        has_fn=lambda capabilities: capabilities.gps,
        value_fn=_today_distance,
    ),
    CamsyncSensorDescription(
        key="last_trip",
        translation_key="last_trip",
        device_class=SensorDeviceClass.DISTANCE,
        native_unit_of_measurement=UnitOfLength.KILOMETERS,
        suggested_display_precision=1,
        has_fn=lambda capabilities: capabilities.gps,
        value_fn=_last_trip_distance,
        attributes_fn=_last_trip_attributes,
    ),
    CamsyncSensorDescription(
        key="latest_event",
        translation_key="latest_event",
        device_class=SensorDeviceClass.TIMESTAMP,
        value_fn=lambda state: state.latest_event.time if state.latest_event else None,
        attributes_fn=_latest_event_attributes,
        restores_event=True,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: CamsyncConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the sensors of one camera."""
    coordinator = entry.runtime_data.coordinator
    async_add_entities(
        (LatestEventSensor if description.restores_event else CamsyncSensor)(
            coordinator, description
        )
        for description in SENSORS
        if description.has_fn(coordinator.client.capabilities)
    )
    async_setup_mirror_sensors(hass, entry, async_add_entities)


class CamsyncSensor(CamsyncEntity, SensorEntity):
    """A sensor of a camsync camera."""

    entity_description: CamsyncSensorDescription

    def __init__(
        self, coordinator: CamsyncCoordinator, description: CamsyncSensorDescription
    ) -> None:
        """Describe the sensor."""
        super().__init__(coordinator, description.key)
        self.entity_description = description

    @property
    def available(self) -> bool:
        """Return False for camera facts while the camera is away."""
        return super().available and (
            not self.entity_description.needs_camera or self.coordinator.data.online
        )

    @property
    def native_value(self) -> StateType | datetime:
        """Return the sensor's value."""
        return self.entity_description.value_fn(self.coordinator.data)

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """Return the details some sensors carry."""
        if self.entity_description.attributes_fn is None:
            return None
        return self.entity_description.attributes_fn(self.coordinator.data)


class LatestEventSensor(CamsyncSensor, RestoreEntity):
    """The latest event recording; it comes back after a restart until a newer one arrives."""

    async def async_added_to_hass(self) -> None:
        """Give the coordinator back the event this sensor showed before the restart."""
        await super().async_added_to_hass()
        if (last := await self.async_get_last_extra_data()) is not None:
            self.coordinator.latest_event.restore(last.as_dict())
            self.coordinator.async_publish()

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """Return the event's details and its media ids (worked out from the restored names)."""
        attributes = super().extra_state_attributes
        event = self.coordinator.data.latest_event
        if event is None or attributes is None:
            return attributes
        return attributes | event.media(self.coordinator.config_entry.entry_id)

    @property
    def extra_restore_state_data(self) -> ExtraStoredData | None:
        """Return the event to keep across a restart."""
        event = self.coordinator.data.latest_event
        return None if event is None else RestoredExtraData(event.as_dict())
