"""The Sync now button: starts a sync as ``camsync.sync`` does, without waiting for it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from homeassistant.components.button import ButtonEntity, ButtonEntityDescription
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import CamsyncCoordinator
from .data import CamsyncConfigEntry
from .entity import CamsyncEntity

PARALLEL_UPDATES = 0


async def _sync_now(coordinator: CamsyncCoordinator) -> None:
    await coordinator.async_start_sync()


@dataclass(frozen=True, kw_only=True)
class CamsyncButtonDescription(ButtonEntityDescription):
    """A camsync button: what pressing it does."""

    press_fn: Callable[[CamsyncCoordinator], Awaitable[None]]


BUTTONS: tuple[CamsyncButtonDescription, ...] = (
    CamsyncButtonDescription(key="sync_now", translation_key="sync_now", press_fn=_sync_now),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: CamsyncConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the buttons of one camera."""
    coordinator = entry.runtime_data.coordinator
    async_add_entities(CamsyncButton(coordinator, description) for description in BUTTONS)


class CamsyncButton(CamsyncEntity, ButtonEntity):
    """A button of a camsync camera.

    It stays available while the camera is away: pressing it looks at the camera again and,
    when it is still away, says so (a translated message) instead of starting nothing.
    """

    entity_description: CamsyncButtonDescription

    def __init__(
        self, coordinator: CamsyncCoordinator, description: CamsyncButtonDescription
    ) -> None:
        """Describe the button."""
        super().__init__(coordinator, description.key)
        self.entity_description = description

    async def async_press(self) -> None:
        """Do what the button is for."""
        await self.entity_description.press_fn(self.coordinator)
