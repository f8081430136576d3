"""The base entity: one device per config entry, unique ids that survive an address change."""

from __future__ import annotations

from homeassistant.helpers.device_registry import CONNECTION_NETWORK_MAC, DeviceInfo
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .const import CONF_KIND, DOMAIN, CameraKind
from .coordinator import CamsyncCoordinator
from .identity import device_key
from .kinds import PROFILES


class CamsyncEntity(CoordinatorEntity[CamsyncCoordinator]):
    """An entity of a camsync camera."""

    _attr_has_entity_name = True

    def __init__(self, coordinator: CamsyncCoordinator, key: str) -> None:
        """Attach the entity to the camera's device."""
        super().__init__(coordinator)
        entry = coordinator.config_entry
        self._attr_unique_id = f"{device_key(entry)}_{key}"
        info = coordinator.data.device
        manufacturer = PROFILES[CameraKind(entry.data[CONF_KIND])].manufacturer
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, device_key(entry))},
            name=entry.title,
            manufacturer=info.manufacturer if info else manufacturer,
            model=info.model if info else None,
            sw_version=info.firmware if info else None,
            serial_number=info.serial if info else None,
            configuration_url=info.configuration_url if info else None,
            connections={(CONNECTION_NETWORK_MAC, info.mac)} if info and info.mac else set(),
        )
