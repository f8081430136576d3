"""Who a camera is: the entry's unique id, the key of its device and entities, the device lookup.

A camera is known by what it says about itself (a Reolink's MAC address, a serial) when it says
something, else by its resolved address, so ``localhost:8101`` and ``127.0.0.1:8101`` are one
camera. Devices and entities are keyed on the camera's own id, or on the entry id for a camera
without one: an address can change (reconfigure), the entry stays.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
import ipaddress
import socket
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_HOST, CONF_PORT
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr

from .compat import async_get_entry_device
from .connection import ParsedHost, parse_host
from .const import CONF_CAMERA_ID, CONF_USE_HTTPS, DOMAIN, LOGGER
from .engine.camera import DeviceInfo
from .issues import DUPLICATE, clear, raise_issue

RESOLVE_TIMEOUT = 10.0  # seconds a host name lookup may take


def device_key(entry: ConfigEntry) -> str:
    """Return what the entry's device and entities are keyed on."""
    return str(entry.data.get(CONF_CAMERA_ID) or entry.entry_id)


def address_of(data: Mapping[str, Any]) -> ParsedHost:
    """Return the host, port and scheme an entry's data point at."""
    parsed = parse_host(str(data[CONF_HOST])) or ParsedHost(str(data[CONF_HOST]).lower())
    port = data.get(CONF_PORT) or parsed.port
    https = bool(data.get(CONF_USE_HTTPS, parsed.https or False))
    return ParsedHost(parsed.host, int(port) if port else None, https)


def address_id(address: ParsedHost, resolved: str | None = None) -> str:
    """Return the id of an address: its resolved IP (else its name) and a port other than 80/443."""
    default = 443 if address.https else 80
    port = address.port if address.port not in (None, default) else None
    return ParsedHost(resolved or address.host, port).netloc


async def async_resolve(hass: HomeAssistant, host: str) -> str | None:
    """Return the IP address ``host`` resolves to (IPv4 first), None when it does not resolve."""
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        pass
    try:
        async with asyncio.timeout(RESOLVE_TIMEOUT):
            infos = await hass.async_add_executor_job(
                socket.getaddrinfo, host, None, 0, socket.SOCK_STREAM
            )
    except (OSError, TimeoutError) as err:
        LOGGER.debug("%s does not resolve: %s", host, err)
        return None
    addresses = sorted(infos, key=lambda info: info[0] != socket.AF_INET)
    return str(ipaddress.ip_address(addresses[0][4][0])) if addresses else None


async def async_address_id(hass: HomeAssistant, data: Mapping[str, Any]) -> str:
    """Return the address id of an entry's data, resolved where the name resolves."""
    address = address_of(data)
    return address_id(address, await async_resolve(hass, address.host))


async def async_unique_id(
    hass: HomeAssistant, data: Mapping[str, Any], info: DeviceInfo | None
) -> str:
    """Return the unique id of a camera: its own id when it has one, else its address id."""
    if info is not None and info.unique_id:
        return info.unique_id
    return await async_address_id(hass, data)


@callback
def find_device(hass: HomeAssistant, entry: ConfigEntry, key: str) -> dr.DeviceEntry | None:
    """Return the entry's camsync device keyed ``key`` (the one place that looks devices up)."""
    return async_get_entry_device(hass, entry, (DOMAIN, key))


@callback
def update_device(hass: HomeAssistant, entry: ConfigEntry, info: DeviceInfo) -> None:
    """Write what the camera says about itself into its device, once the device exists."""
    device = find_device(hass, entry, device_key(entry))
    if device is None:
        return
    dr.async_get(hass).async_update_device(
        device.id, model=info.model, sw_version=info.firmware, serial_number=info.serial
    )


async def async_refresh_unique_id(
    hass: HomeAssistant, entry: ConfigEntry, info: DeviceInfo
) -> None:
    """Bring the unique id of an entry known by its address up to date after a probe.

    A camera that now tells its own id (a serial), or a host name that now resolves, gives the
    entry its proper unique id. When another entry already has it, both archive the same camera:
    a repair issue says so.
    """
    if entry.data.get(CONF_CAMERA_ID):
        return
    expected = await async_unique_id(hass, entry.data, info)
    if expected == entry.unique_id:
        clear(hass, entry, DUPLICATE)
        return
    twin = next(
        (
            other
            for other in hass.config_entries.async_entries(DOMAIN)
            if other.unique_id == expected and other.entry_id != entry.entry_id
        ),
        None,
    )
    if twin is None:
        hass.config_entries.async_update_entry(entry, unique_id=expected)
        clear(hass, entry, DUPLICATE)
        return
    LOGGER.warning("%s and %s are the same camera (%s)", entry.title, twin.title, expected)
    raise_issue(hass, entry, DUPLICATE, twin.title)
