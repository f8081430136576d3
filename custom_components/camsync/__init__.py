"""camsync: a verified, resumable local archive of Reolink and BlackVue recordings."""

from __future__ import annotations

from pathlib import Path

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.typing import ConfigType
from homeassistant.util import dt as dt_util

from .connection import create_client
from .const import CONF_DESTINATION, CONF_KIND, DOMAIN, CameraKind
from .coordinator import CamsyncCoordinator
from .data import CamsyncConfigEntry, CamsyncRuntimeData
from .engine.facade import CameraArchive
from .media_views import async_register_views
from .migration import async_migrate
from .services import async_setup_services
from .settings import Settings
from .sync_history import SyncHistory

PLATFORMS: list[Platform] = [
    Platform.BUTTON,
    Platform.CAMERA,
    Platform.DEVICE_TRACKER,
    Platform.SENSOR,
    Platform.SWITCH,
]
CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the actions and the media views (files, thumbnails)."""
    async_setup_services(hass)
    async_register_views(hass)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: CamsyncConfigEntry) -> bool:
    """Set up one camera: its client, its archive (one scan) and its coordinator."""
    settings = Settings.from_options(CameraKind(entry.data[CONF_KIND]), entry.options)
    client = create_client(hass, entry.data, entry.options)
    archive = CameraArchive(
        client,
        Path(entry.data[CONF_DESTINATION]),
        grouping=settings.grouping,
        camera_name=entry.title,
        local_tz=dt_util.get_default_time_zone(),
        holder=f"Home Assistant, {entry.title}",
    )
    coordinator = CamsyncCoordinator(hass, entry, client, archive, settings)
    # The mirrors start first: the first look prunes, and what a mirror lacks must stay.
    entry.async_on_unload(coordinator.mirrors.async_stop)  # also when the setup fails
    await coordinator.mirrors.async_start()
    try:
        await coordinator.async_config_entry_first_refresh()
    except BaseException:
        await client.async_close()
        raise
    entry.runtime_data = CamsyncRuntimeData(client, archive, coordinator)
    coordinator.async_start_schedules()
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    return True


async def async_unload_entry(hass: HomeAssistant, entry: CamsyncConfigEntry) -> bool:
    """Stop the sync and the mirrors (partial files and uploaded parts stay), then unload."""
    runtime = entry.runtime_data
    await runtime.coordinator.sync.async_stop()
    await runtime.coordinator.mirrors.async_stop()
    unloaded = await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
    if unloaded:
        await runtime.client.async_close()
    return unloaded


async def async_remove_entry(hass: HomeAssistant, entry: CamsyncConfigEntry) -> None:
    """Delete what camsync stored for the entry in Home Assistant (the archive stays)."""
    await SyncHistory(hass, entry.entry_id).async_remove()


async def async_migrate_entry(hass: HomeAssistant, entry: ConfigEntry) -> bool:
    """Bring an entry stored by an older camsync up to date (see ``migration.py``)."""
    return await async_migrate(hass, entry)
