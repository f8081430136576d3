"""Home Assistant's zones as the engine's circles, and the sync options that use them."""

from __future__ import annotations

from collections.abc import Iterable

from homeassistant.const import ATTR_LATITUDE, ATTR_LONGITUDE
from homeassistant.core import HomeAssistant

from .engine.facade import Zone
from .engine.models import SyncOptions
from .settings import Settings

ATTR_RADIUS = "radius"


def zones_of(hass: HomeAssistant, entity_ids: Iterable[str]) -> tuple[Zone, ...]:
    """Return the zones named (as they are now); a missing or odd zone is left out."""
    zones: list[Zone] = []
    for entity_id in entity_ids:
        state = hass.states.get(entity_id)
        if state is None:
            continue
        try:
            zones.append(
                Zone(
                    float(state.attributes[ATTR_LATITUDE]),
                    float(state.attributes[ATTR_LONGITUDE]),
                    float(state.attributes.get(ATTR_RADIUS, 0.0)),
                    state.name,
                )
            )
        except (KeyError, TypeError, ValueError):
            continue
    return tuple(zones)


def sync_options(hass: HomeAssistant, settings: Settings) -> SyncOptions:
    """Return the options of a run, with the skip zones where they are now."""
    return settings.sync_options(zones_of(hass, settings.skip_zones))
