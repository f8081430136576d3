"""Sensors: last capture, pending downloads, free disk, sync status and progress, and more."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import EntityCategory, UnitOfInformation
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.typing import StateType

from .compat import PERCENTAGE
from .const import SyncStatus
from .coordinator import CamsyncCoordinator
from .data import CamsyncConfigEntry
from .entity import CamsyncEntity

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class CamsyncSensorDescription(SensorEntityDescription):
    """A camsync sensor: where its value comes from and when it exists."""

    value_fn: Callable[[CamsyncCoordinator], StateType | datetime]
    attributes_fn: Callable[[CamsyncCoordinator], dict[str, Any]] | None = None
    needs_camera: bool = False
    has_fn: Callable[[CamsyncCoordinator], bool] = lambda _: True


def _progress(coordinator: CamsyncCoordinator) -> float | None:
    if coordinator.progress is None:
        return None
    return round(coordinator.progress.percent, 1)


def _sd_card_free(coordinator: CamsyncCoordinator) -> int | None:
    card = coordinator.data.sd_card
    return card.free_bytes if card is not None else None


SENSORS: tuple[CamsyncSensorDescription, ...] = (
    CamsyncSensorDescription(
        key="last_capture",
        translation_key="last_capture",
        device_class=SensorDeviceClass.TIMESTAMP,
        value_fn=lambda coordinator: coordinator.data.last_capture,
    ),
    CamsyncSensorDescription(
        key="pending_downloads",
        translation_key="pending_downloads",
        state_class=SensorStateClass.MEASUREMENT,
        needs_camera=True,
        value_fn=lambda coordinator: coordinator.data.pending_recordings,
        attributes_fn=lambda coordinator: {
            "pending_files": coordinator.data.pending_files,
            "pending_bytes": coordinator.data.pending_bytes,
        },
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
        has_fn=lambda coordinator: coordinator.client.capabilities.listed_sizes,
        value_fn=lambda coordinator: coordinator.data.pending_bytes,
    ),
    CamsyncSensorDescription(
        key="free_disk",
        translation_key="free_disk",
        device_class=SensorDeviceClass.DATA_SIZE,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfInformation.BYTES,
        suggested_unit_of_measurement=UnitOfInformation.GIGABYTES,
        suggested_display_precision=1,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda coordinator: coordinator.data.disk_free,
    ),
    CamsyncSensorDescription(
        key="sync_status",
        translation_key="sync_status",
        device_class=SensorDeviceClass.ENUM,
        options=[status.value for status in SyncStatus],
        value_fn=lambda coordinator: coordinator.status.value,
    ),
    CamsyncSensorDescription(
        key="sync_progress",
        translation_key="sync_progress",
        native_unit_of_measurement=PERCENTAGE,
        suggested_display_precision=0,
        value_fn=_progress,
    ),
    CamsyncSensorDescription(
        key="last_sync",
        translation_key="last_sync",
        device_class=SensorDeviceClass.TIMESTAMP,
        value_fn=lambda coordinator: coordinator.last_sync,
    ),
    CamsyncSensorDescription(
        key="archive_size",
        translation_key="archive_size",
        device_class=SensorDeviceClass.DATA_SIZE,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfInformation.BYTES,
        suggested_unit_of_measurement=UnitOfInformation.GIGABYTES,
        suggested_display_precision=2,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda coordinator: coordinator.data.archive_bytes,
    ),
    CamsyncSensorDescription(
        key="sd_card_free",
        translation_key="sd_card_free",
        device_class=SensorDeviceClass.DATA_SIZE,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfInformation.BYTES,
        suggested_unit_of_measurement=UnitOfInformation.GIGABYTES,
        suggested_display_precision=1,
        entity_category=EntityCategory.DIAGNOSTIC,
        needs_camera=True,
        has_fn=lambda coordinator: coordinator.client.capabilities.storage,
        value_fn=_sd_card_free,
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
        CamsyncSensor(coordinator, description)
        for description in SENSORS
        if description.has_fn(coordinator)
    )


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
        return self.entity_description.value_fn(self.coordinator)

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """Return the details some sensors carry."""
        if self.entity_description.attributes_fn is None:
            return None
        return self.entity_description.attributes_fn(self.coordinator)
