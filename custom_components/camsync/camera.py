"""The camera entity: a live snapshot when the camera gives one, else the newest archived image."""

from __future__ import annotations

from homeassistant.components.camera import Camera
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import LOGGER
from .coordinator import CamsyncCoordinator
from .data import CamsyncConfigEntry
from .engine.errors import CamsyncError
from .entity import CamsyncEntity

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: CamsyncConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the camera entity."""
    async_add_entities([CamsyncCamera(entry.runtime_data.coordinator)])


class CamsyncCamera(CamsyncEntity, Camera):
    """Shows what the camera sees, or what it last recorded."""

    _attr_name = None
    _attr_translation_key = "camera"

    def __init__(self, coordinator: CamsyncCoordinator) -> None:
        """Set up the camera entity (Camera needs its own init for tokens and content type)."""
        CamsyncEntity.__init__(self, coordinator, "camera")
        Camera.__init__(self)
        info = coordinator.data.device
        self._attr_brand = info.manufacturer if info else None
        self._attr_model = info.model if info else None

    @property
    def available(self) -> bool:
        """Stay available: the archive can always show the last image."""
        return True

    async def async_camera_image(
        self, width: int | None = None, height: int | None = None
    ) -> bytes | None:
        """Return a live snapshot where the camera allows one, else the newest archived image."""
        coordinator = self.coordinator
        state = coordinator.data
        if coordinator.client.capabilities.live_preview and state.online:
            try:
                return await coordinator.client.async_snapshot()
            except CamsyncError as err:
                LOGGER.debug("Live snapshot failed, showing the archive instead: %s", err)
        path = state.newest_image
        if path is None:
            return None
        try:
            return await self.hass.async_add_executor_job(path.read_bytes)
        except OSError:
            return None
