"""The sensors of a mirror: status, backlog (files and size) and the last file copied.

Each mirror is a device of its own (a service device, owned by its subentry, linked to the
camera's device), so its sensors sit together and go with it when the mirror is removed. Since
Home Assistant 2026.8 a device belongs to one config entry and at most one subentry, and
``via_device`` (an identifier) gave way to ``via_device_id``: the link uses whichever the running
Home Assistant has. The sensors do not depend on the camera being there: a mirror copies what the
archive holds while the dashcam is away.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import UnitOfInformation
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.typing import StateType

from .const import DOMAIN
from .data import CamsyncConfigEntry
from .engine.mirrors import MirrorHealth, MirrorKind, MirrorStatus
from .identity import device_key
from .mirroring import CameraMirrors, mirror_device_key

VIA_DEVICE_ID = "via_device_id" in DeviceInfo.__annotations__
"""True on Home Assistant 2026.8 and later, where DeviceInfo links a parent by its device id."""

MODELS = {MirrorKind.FOLDER: "Folder mirror", MirrorKind.S3: "S3 mirror"}


@dataclass(frozen=True, kw_only=True)
class MirrorSensorDescription(SensorEntityDescription):
    """A mirror sensor: where its value comes from."""

    value_fn: Callable[[MirrorHealth], StateType | datetime]
    attributes_fn: Callable[[MirrorHealth], dict[str, Any]] | None = None


def _status_attributes(health: MirrorHealth) -> dict[str, Any]:
    return {
        "reason": health.last_error.value if health.last_error else None,
        "failing_since": health.failing_since.isoformat() if health.failing_since else None,
        "copying": health.current,
    }


MIRROR_SENSORS: tuple[MirrorSensorDescription, ...] = (
    MirrorSensorDescription(
        key="status",
        translation_key="mirror_status",
        device_class=SensorDeviceClass.ENUM,
        options=[status.value for status in MirrorStatus],
        value_fn=lambda health: health.status.value,
        attributes_fn=_status_attributes,
    ),
    MirrorSensorDescription(
        key="backlog",
        translation_key="mirror_backlog",
        state_class=SensorStateClass.MEASUREMENT,
        # Unknown until the mirror has read what it holds: the queue is not complete before.
        value_fn=lambda health: health.backlog_files if health.ready else None,
    ),
    MirrorSensorDescription(
        key="backlog_size",
        translation_key="mirror_backlog_size",
        device_class=SensorDeviceClass.DATA_SIZE,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfInformation.BYTES,
        suggested_unit_of_measurement=UnitOfInformation.MEGABYTES,
        suggested_display_precision=1,
        value_fn=lambda health: health.backlog_bytes if health.ready else None,
    ),
    MirrorSensorDescription(
        key="last_copied",
        translation_key="mirror_last_copied",
        device_class=SensorDeviceClass.TIMESTAMP,
        value_fn=lambda health: health.last_copied,
        attributes_fn=lambda health: {"name": health.last_copied_name},
    ),
)


@callback
def async_setup_mirror_sensors(
    hass: HomeAssistant,
    entry: CamsyncConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the sensors of every mirror of a camera, now and whenever a mirror is added."""
    mirrors = entry.runtime_data.coordinator.mirrors

    @callback
    def add(mirror_ids: list[str]) -> None:
        if not mirror_ids:
            return
        # The camera's device must exist before a mirror's device can point at it.
        camera = dr.async_get(hass).async_get_or_create(
            config_entry_id=entry.entry_id,
            identifiers={(DOMAIN, device_key(entry))},
            name=entry.title,
        )
        for mirror_id in mirror_ids:
            async_add_entities(
                [
                    CamsyncMirrorSensor(mirrors, entry, mirror_id, camera.id, description)
                    for description in MIRROR_SENSORS
                ],
                config_subentry_id=mirror_id,
            )

    mirrors.set_entity_adder(add)


def mirror_device_info(
    entry: CamsyncConfigEntry, mirrors: CameraMirrors, mirror_id: str, camera_device_id: str
) -> DeviceInfo:
    """Return a mirror's device: a service linked to the camera's device."""
    running = mirrors.running[mirror_id]
    info: dict[str, Any] = {
        "identifiers": {(DOMAIN, mirror_device_key(entry, mirror_id))},
        "name": running.title,
        "manufacturer": "camsync",
        "model": MODELS[running.config.kind],
        "entry_type": DeviceEntryType.SERVICE,
    }
    if VIA_DEVICE_ID:
        info["via_device_id"] = camera_device_id
    else:
        info["via_device"] = (DOMAIN, device_key(entry))
    return cast(DeviceInfo, info)


class CamsyncMirrorSensor(SensorEntity):
    """A sensor of one mirror, pushed by the mirror itself (no polling)."""

    _attr_has_entity_name = True
    _attr_should_poll = False
    entity_description: MirrorSensorDescription

    def __init__(
        self,
        mirrors: CameraMirrors,
        entry: CamsyncConfigEntry,
        mirror_id: str,
        camera_device_id: str,
        description: MirrorSensorDescription,
    ) -> None:
        """Describe the sensor of ``mirror_id``."""
        self._mirrors = mirrors
        self._mirror_id = mirror_id
        self.entity_description = description
        self._attr_unique_id = f"{mirror_device_key(entry, mirror_id)}_{description.key}"
        self._attr_device_info = mirror_device_info(entry, mirrors, mirror_id, camera_device_id)

    async def async_added_to_hass(self) -> None:
        """Follow the mirror's health."""
        self.async_on_remove(
            self._mirrors.async_add_listener(self._mirror_id, self.async_write_ha_state)
        )

    @property
    def available(self) -> bool:
        """Return False once the mirror is gone."""
        return self._mirrors.health(self._mirror_id) is not None

    @property
    def native_value(self) -> StateType | datetime:
        """Return the sensor's value."""
        health = self._mirrors.health(self._mirror_id)
        return None if health is None else self.entity_description.value_fn(health)

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """Return the details some sensors carry."""
        health = self._mirrors.health(self._mirror_id)
        if health is None or self.entity_description.attributes_fn is None:
            return None
        return self.entity_description.attributes_fn(health)
