"""camsync: a verified, resumable local archive of Reolink and BlackVue recordings."""

from __future__ import annotations

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.typing import ConfigType

from .connection import create_client
from .const import DOMAIN
from .coordinator import CamsyncCoordinator
from .data import CamsyncConfigEntry, CamsyncRuntimeData
from .services import async_setup_services

PLATFORMS: list[Platform] = [Platform.CAMERA, Platform.SENSOR]
CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the actions."""
    async_setup_services(hass)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: CamsyncConfigEntry) -> bool:
    """Set up one camera."""
    client = create_client(hass, entry.data, entry.options)
    coordinator = CamsyncCoordinator(hass, entry, client)
    try:
        await coordinator.async_config_entry_first_refresh()
    except BaseException:
        await client.async_close()
        raise
    entry.runtime_data = CamsyncRuntimeData(client, coordinator)
    coordinator.async_schedule_snapshots()
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    return True


async def async_unload_entry(hass: HomeAssistant, entry: CamsyncConfigEntry) -> bool:
    """Stop the sync (its partial file stays for the next run), then unload."""
    runtime = entry.runtime_data
    await runtime.coordinator.async_stop_sync()
    unloaded = await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
    if unloaded:
        await runtime.client.async_close()
    return unloaded
