"""What each camera kind brings: its maker, capabilities and option vocabularies, from devices/.

The device clients define these facts once; the options flow, the settings and the entities read
them here instead of repeating them.
"""

from __future__ import annotations

from dataclasses import dataclass

from .const import CameraKind
from .devices import blackvue
from .devices.reolink import TRIGGERS, client as reolink
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


PROFILES: dict[CameraKind, KindProfile] = {
    CameraKind.BLACKVUE: KindProfile(
        manufacturer=blackvue.MANUFACTURER,
        capabilities=blackvue.CAPABILITIES,
        recording_kinds=blackvue.RECORDING_KINDS,
        channels=blackvue.CHANNELS,
        zone_skip_kinds=blackvue.PARKING_MOTION_KINDS,
    ),
    CameraKind.REOLINK: KindProfile(
        manufacturer=reolink.MANUFACTURER,
        capabilities=reolink.CAPABILITIES,
        recording_kinds=TRIGGERS,
    ),
}
