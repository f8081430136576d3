"""What each camera kind brings: its maker, capabilities and option vocabularies, from devices/.

The device clients define these facts once; the options flow, the settings and the entities read
them here instead of repeating them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .const import CameraKind
from .devices import blackvue
from .devices.reolink import TRIGGERS, client as reolink, is_event_name as reolink_event
from .engine.camera import Capabilities


@dataclass(frozen=True, slots=True)
class KindProfile:
    """One camera kind as the Home Assistant layer needs to know it before a camera answers."""

    manufacturer: str
    capabilities: Capabilities
    recording_kinds: tuple[str, ...]
    """What the kinds filter offers (BlackVue type letters, Reolink triggers)."""
    channels: tuple[str, ...] = ()
    """What the directions filter offers (empty: the kind has no such filter)."""
    zone_skip_kinds: frozenset[str] = frozenset()
    """Recording kinds the "skip parking recordings inside a zone" option leaves out."""
    is_event: Callable[[str], bool] = lambda _name: False
    """Whether an archived file's name says it belongs to an event (mirrors copy those first)."""


PROFILES: dict[CameraKind, KindProfile] = {
    CameraKind.BLACKVUE: KindProfile(
        manufacturer=blackvue.MANUFACTURER,
        capabilities=blackvue.CAPABILITIES,
        recording_kinds=blackvue.RECORDING_KINDS,
        channels=blackvue.CHANNELS,
        zone_skip_kinds=blackvue.PARKING_MOTION_KINDS,
        is_event=blackvue.is_event_name,
    ),
    CameraKind.REOLINK: KindProfile(
        manufacturer=reolink.MANUFACTURER,
        capabilities=reolink.CAPABILITIES,
        recording_kinds=TRIGGERS,
        is_event=reolink_event,
    ),
}
