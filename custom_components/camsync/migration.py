"""Entries stored by older camsync versions, brought up to date; entity ids stay as they are.

Version 1 keyed a camera's device and entities on the entry's unique id, and a dashcam's unique
id was its address as typed: reconfiguring the host duplicated the device and every entity, and
``localhost:8101`` beside ``127.0.0.1:8101`` were two cameras. Version 2 keeps the camera's own id
(a Reolink's MAC address) in the entry's data and keys on it, or on the entry id for a camera
without one; a camera without its own id is known by its resolved address.

Minor version 2 (entities): "Last sync" moved on failed runs too; it became "Last successful
sync" (key ``last_success``, the entity id kept) beside a new "Last attempt". The archive size
was registered in GB ("0.01 GB" for 11.8 MB); Home Assistant is asked to register its unit
again (MB), unless the user chose one.
"""

from __future__ import annotations

import re

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_HOST, MAJOR_VERSION, MINOR_VERSION
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryNotReady
from homeassistant.helpers import device_registry as dr, entity_registry as er

from . import identity
from .const import CONF_CAMERA_ID, DOMAIN, LOGGER

VERSION = 2
ENTRY_MINOR_VERSION = 2
_MAC = re.compile(r"^[0-9a-f]{2}(?::[0-9a-f]{2}){5}$")


def migration_may_wait() -> bool:
    """Return True where a migration may raise to be retried later (Home Assistant 2026.9+)."""
    return (MAJOR_VERSION, MINOR_VERSION) >= (2026, 9)


async def async_migrate(hass: HomeAssistant, entry: ConfigEntry) -> bool:
    """Migrate ``entry`` to the current version; False for an entry from a newer camsync."""
    if entry.version > VERSION:
        LOGGER.error("%s was stored by a newer camsync; update camsync to load it", entry.title)
        return False
    if entry.version == 1:
        await _async_from_v1(hass, entry)
    if entry.minor_version < 2:
        await _async_entities_v2_2(hass, entry)
    return True


async def _async_from_v1(hass: HomeAssistant, entry: ConfigEntry) -> None:
    old_key = entry.unique_id or entry.entry_id
    camera_id = entry.unique_id if entry.unique_id and _MAC.match(entry.unique_id) else None
    unique_id = entry.unique_id
    if camera_id is None:
        address = identity.address_of(entry.data)
        resolved = await identity.async_resolve(hass, address.host)
        if resolved is None and migration_may_wait():
            raise ConfigEntryNotReady(
                translation_domain=DOMAIN,
                translation_key="migration_unresolved",
                translation_placeholders={"title": entry.title, "host": entry.data[CONF_HOST]},
            )
        # Older Home Assistant cannot retry a migration: keep the name as typed; the first
        # successful look at the camera sets the resolved address (identity.py).
        candidate = identity.address_id(address, resolved)
        if not any(
            other.unique_id == candidate and other.entry_id != entry.entry_id
            for other in hass.config_entries.async_entries(DOMAIN)
        ):
            unique_id = candidate
    new_key = camera_id or entry.entry_id
    if new_key != old_key:
        await _async_rekey(hass, entry, old_key, new_key)
    data = {**entry.data, CONF_CAMERA_ID: camera_id} if camera_id else dict(entry.data)
    hass.config_entries.async_update_entry(
        entry, data=data, unique_id=unique_id, version=VERSION, minor_version=1
    )
    LOGGER.debug("Migrated %s to version %d (key %s)", entry.title, VERSION, new_key)


async def _async_rekey(hass: HomeAssistant, entry: ConfigEntry, old_key: str, new_key: str) -> None:
    """Move the device and the entities' unique ids to the new key; entity ids stay."""
    device = identity.find_device(hass, entry, old_key)
    if device is not None:
        dr.async_get(hass).async_update_device(device.id, new_identifiers={(DOMAIN, new_key)})
    prefix = f"{old_key}_"

    @callback
    def new_unique_id(entity: er.RegistryEntry) -> dict[str, str] | None:
        if not entity.unique_id.startswith(prefix):
            return None
        return {"new_unique_id": f"{new_key}_{entity.unique_id.removeprefix(prefix)}"}

    await er.async_migrate_entries(hass, entry.entry_id, new_unique_id)


async def _async_entities_v2_2(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """Rename "Last sync" to "Last successful sync"; let the archive size register MB."""
    key = identity.device_key(entry)
    registry = er.async_get(hass)

    @callback
    def renamed(entity: er.RegistryEntry) -> dict[str, str] | None:
        if entity.domain != "sensor" or entity.unique_id != f"{key}_last_sync":
            return None
        return {"new_unique_id": f"{key}_last_success"}

    await er.async_migrate_entries(hass, entry.entry_id, renamed)
    if size_id := registry.async_get_entity_id("sensor", DOMAIN, f"{key}_archive_size"):
        # Home Assistant recomputes the unit it suggests at the next start of the entity; a
        # unit the user chose (the "sensor" options) stays.
        registry.async_update_entity_options(
            size_id, "sensor.private", {"refresh_initial_entity_options": True}
        )
    hass.config_entries.async_update_entry(entry, minor_version=ENTRY_MINOR_VERSION)
    LOGGER.debug("Migrated the entities of %s to version %d.%d", entry.title, VERSION, 2)
