"""compat.py answers the same on every supported Home Assistant release (2026.2.3 and 2026.10.4)."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.camsync.compat import (
    PERCENTAGE,
    async_get_device_entry,
    async_get_entry_device,
)
from custom_components.camsync.const import DOMAIN


def test_the_percentage_unit_is_a_percent_sign() -> None:
    assert PERCENTAGE == "%"


async def test_a_device_is_found_through_its_own_entry_only(hass: HomeAssistant) -> None:
    ours, other = MockConfigEntry(domain=DOMAIN), MockConfigEntry(domain=DOMAIN)
    ours.add_to_hass(hass)
    other.add_to_hass(hass)
    device = dr.async_get(hass).async_get_or_create(
        config_entry_id=ours.entry_id, identifiers={(DOMAIN, "AA:BB")}, name="Camera"
    )

    assert async_get_entry_device(hass, ours, (DOMAIN, "AA:BB")) == device
    assert async_get_entry_device(hass, other, (DOMAIN, "AA:BB")) is None
    assert async_get_entry_device(hass, ours, (DOMAIN, "CC:DD")) is None


async def test_a_device_resolves_to_the_entry_of_the_domain(hass: HomeAssistant) -> None:
    ours, stranger = MockConfigEntry(domain=DOMAIN), MockConfigEntry(domain="other")
    ours.add_to_hass(hass)
    stranger.add_to_hass(hass)
    registry = dr.async_get(hass)
    camera = registry.async_get_or_create(
        config_entry_id=ours.entry_id, identifiers={(DOMAIN, "AA:BB")}, name="Camera"
    )
    foreign = registry.async_get_or_create(
        config_entry_id=stranger.entry_id, identifiers={("other", "x")}, name="Other"
    )

    assert async_get_device_entry(hass, camera.id, DOMAIN) is ours
    assert async_get_device_entry(hass, foreign.id, DOMAIN) is None
    assert async_get_device_entry(hass, "no-such-device", DOMAIN) is None
