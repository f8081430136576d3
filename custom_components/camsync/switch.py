"""Switches: automatic sync, and scheduled snapshots (cameras with a snapshot schedule).

A switch changes the entry's options in place, without the reload the options dialog does, so
the snapshot schedule keeps its clock.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import CONF_AUTO_SYNC, CONF_SNAPSHOT_MODE, CONF_SNAPSHOT_RESUME, SnapshotMode
from .coordinator import CamsyncCoordinator
from .data import CamsyncConfigEntry
from .entity import CamsyncEntity
from .settings import Settings

PARALLEL_UPDATES = 0


def _snapshots_on(settings: Settings) -> bool:
    return settings.snapshot_mode is not SnapshotMode.OFF


def _snapshot_changes(on: bool, settings: Settings, options: Mapping[str, Any]) -> dict[str, Any]:
    """Turn snapshots off (remembering the mode), or back on in the mode they had."""
    if not on:
        return {
            CONF_SNAPSHOT_MODE: SnapshotMode.OFF.value,
            CONF_SNAPSHOT_RESUME: settings.snapshot_mode.value,
        }
    resume = options.get(CONF_SNAPSHOT_RESUME)
    if resume not in (SnapshotMode.INTERVAL.value, SnapshotMode.HOURLY.value):
        resume = SnapshotMode.INTERVAL.value
    return {CONF_SNAPSHOT_MODE: resume}


@dataclass(frozen=True, kw_only=True)
class CamsyncSwitchDescription(SwitchEntityDescription):
    """A camsync switch: its state from the settings, the options it writes, who has it."""

    is_on_fn: Callable[[Settings], bool]
    changes_fn: Callable[[bool, Settings, Mapping[str, Any]], dict[str, Any]]
    has_fn: Callable[[CamsyncCoordinator], bool] = lambda _: True
    look_when_on: bool = False
    """Look at the camera right after turning on (automatic sync starts at once)."""


SWITCHES: tuple[CamsyncSwitchDescription, ...] = (
    CamsyncSwitchDescription(
        key="auto_sync",
        translation_key="auto_sync",
        entity_category=EntityCategory.CONFIG,
        is_on_fn=lambda settings: settings.auto_sync,
        changes_fn=lambda on, _settings, _options: {CONF_AUTO_SYNC: on},
        look_when_on=True,
    ),
    CamsyncSwitchDescription(
        key="scheduled_snapshots",
        translation_key="scheduled_snapshots",
        entity_category=EntityCategory.CONFIG,
        is_on_fn=_snapshots_on,
        changes_fn=_snapshot_changes,
        has_fn=lambda coordinator: (
            coordinator.client.capabilities.live_snapshot
            and coordinator.settings.has_snapshot_schedule
        ),
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: CamsyncConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the switches of one camera."""
    coordinator = entry.runtime_data.coordinator
    async_add_entities(
        CamsyncSwitch(coordinator, description)
        for description in SWITCHES
        if description.has_fn(coordinator)
    )


class CamsyncSwitch(CamsyncEntity, SwitchEntity):
    """A switch of a camsync camera; it stays available while the camera is away."""

    entity_description: CamsyncSwitchDescription

    def __init__(
        self, coordinator: CamsyncCoordinator, description: CamsyncSwitchDescription
    ) -> None:
        """Describe the switch."""
        super().__init__(coordinator, description.key)
        self.entity_description = description

    @property
    def is_on(self) -> bool:
        """Return whether the option is on."""
        return self.entity_description.is_on_fn(self.coordinator.data.settings)

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Turn the option on; automatic sync looks at the camera right away."""
        self._set(on=True)
        if self.entity_description.look_when_on:
            await self.coordinator.async_request_refresh()

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Turn the option off."""
        self._set(on=False)

    def _set(self, *, on: bool) -> None:
        coordinator = self.coordinator
        changes = self.entity_description.changes_fn(
            on, coordinator.settings, coordinator.config_entry.options
        )
        coordinator.async_update_options(changes)
