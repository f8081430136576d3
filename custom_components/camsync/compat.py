"""What differs between the Home Assistant releases camsync supports (2026.2 to the newest).

Each helper uses the current API where the running release has it and falls back to the
2026.2 one otherwise, so camsync makes no call that newer releases report as deprecated:

- 2026.7 added ``UnitOfRatio``; the plain ``PERCENTAGE`` unit constant is on its way out.
- 2026.8 made a device belong to one config entry: ``device_registry.async_get_device`` is
  deprecated (identifiers are unique per entry only) and so are ``DeviceEntry.config_entries``
  and ``DeviceEntry.primary_config_entry`` (use ``config_entry_id``).
- 2026.10 reports ``device_tracker.config_entry.TrackerEntity`` as a deprecated alias; the
  ``device_tracker`` package has it on every release (2026.2 does not mark it as exported there,
  so type checkers read it from ``config_entry``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant import const as ha_const
from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr

if TYPE_CHECKING:
    from homeassistant.components.device_tracker.config_entry import TrackerEntity
else:
    from homeassistant.components.device_tracker import TrackerEntity

__all__ = [
    "PERCENTAGE",
    "TrackerEntity",
    "async_get_device_entry",
    "async_get_entry_device",
]

_UNIT_OF_RATIO = getattr(ha_const, "UnitOfRatio", None)

# The unit of a percentage sensor: UnitOfRatio.PERCENTAGE (2026.7+), else PERCENTAGE ("%").
PERCENTAGE: str = _UNIT_OF_RATIO.PERCENTAGE if _UNIT_OF_RATIO is not None else ha_const.PERCENTAGE


@callback
def async_get_entry_device(
    hass: HomeAssistant, entry: ConfigEntry, identifier: tuple[str, str]
) -> dr.DeviceEntry | None:
    """Return the device of ``entry`` registered with ``identifier`` (None when there is none)."""
    registry = dr.async_get(hass)
    by_identifier = getattr(registry, "async_get_device_by_identifier", None)
    if by_identifier is not None:  # 2026.8+: identifiers are unique within an entry only
        device: dr.DeviceEntry | None = by_identifier(identifier, entry.entry_id)
        return device
    device = registry.async_get_device(identifiers={identifier})
    if device is None or entry.entry_id not in device.config_entries:
        return None
    return device


@callback
def async_get_device_entry(hass: HomeAssistant, device_id: str, domain: str) -> ConfigEntry | None:
    """Return the config entry of ``domain`` that owns the device ``device_id``.

    None when the device does not exist or belongs to no entry of ``domain``; the same answer on
    every release (before 2026.8 a device could belong to several entries of several domains).
    """
    resolve = getattr(dr, "async_get_device_and_config_entry_for_domain", None)
    if resolve is not None:  # newer releases (2026.10 has it)
        _device, owner = resolve(hass, device_id, domain=domain)
        entry: ConfigEntry | None = owner
        return entry
    device = dr.async_get(hass).async_get(device_id)
    if device is None:
        return None
    single = getattr(device, "config_entry_id", None)  # 2026.8+: one entry per device
    for entry_id in [single] if single is not None else sorted(device.config_entries):
        entry = hass.config_entries.async_get_entry(entry_id)
        if entry is not None and entry.domain == domain:
            return entry
    return None
