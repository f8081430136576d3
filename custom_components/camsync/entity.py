"""The base entity: one device per config entry, unique ids, availability."""

from __future__ import annotations

from homeassistant.helpers.device_registry import CONNECTION_NETWORK_MAC, DeviceInfo
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .const import DOMAIN, CameraKind
from .coordinator import CamsyncCoordinator

_MANUFACTURERS = {CameraKind.BLACKVUE: "BlackVue", CameraKind.REOLINK: "Reolink"}


class CamsyncEntity(CoordinatorEntity[CamsyncCoordinator]):
    """An entity of a camsync camera."""

    _attr_has_entity_name = True

    def __init__(self, coordinator: CamsyncCoordinator, key: str) -> None:
        """Attach the entity to the camera's device."""
        super().__init__(coordinator)
        self._attr_unique_id = f"{coordinator.device_key}_{key}"
        info = coordinator.device
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, coordinator.device_key)},
            name=coordinator.config_entry.title,
            manufacturer=info.manufacturer if info else _MANUFACTURERS[coordinator.kind],
            model=info.model if info else None,
            sw_version=info.firmware if info else None,
            serial_number=info.serial if info else None,
            configuration_url=info.configuration_url if info else None,
            connections={(CONNECTION_NETWORK_MAC, info.mac)} if info and info.mac else set(),
        )
