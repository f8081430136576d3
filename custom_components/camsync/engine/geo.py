"""Places on the earth: a point, the distance between two points, and a circular zone."""

from __future__ import annotations

from dataclasses import dataclass
import math
from typing import Protocol

EARTH_RADIUS = 6_371_008.8
"""Mean earth radius in metres (IUGG), the usual sphere for haversine distances."""


class LatLon(Protocol):
    """Anything with a position: a point, a fix, a tracker's state."""

    @property
    def lat(self) -> float:
        """Return the latitude in decimal degrees."""
        ...

    @property
    def lon(self) -> float:
        """Return the longitude in decimal degrees."""
        ...


@dataclass(frozen=True, slots=True)
class Point:
    """A WGS84 position in decimal degrees."""

    lat: float
    lon: float


def distance(a_lat: float, a_lon: float, b_lat: float, b_lon: float) -> float:
    """Return the great-circle distance between two positions in metres (haversine)."""
    phi1, phi2 = math.radians(a_lat), math.radians(b_lat)
    dphi = phi2 - phi1
    dlambda = math.radians(b_lon - a_lon)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS * math.asin(min(1.0, math.sqrt(h)))


def valid_position(lat: float, lon: float) -> bool:
    """Return True for a position a receiver can report (null island 0/0 is a receiver's blank)."""
    return (
        math.isfinite(lat)
        and math.isfinite(lon)
        and -90.0 <= lat <= 90.0
        and -180.0 <= lon <= 180.0
        and not (lat == 0.0 and lon == 0.0)
    )


@dataclass(frozen=True, slots=True)
class Zone:
    """A circle on the map: a centre and a radius in metres (Home Assistant's zones are these)."""

    lat: float
    lon: float
    radius: float
    name: str = ""

    def contains(self, lat: float, lon: float) -> bool:
        """Return True when the position lies inside the circle (its edge included)."""
        return distance(self.lat, self.lon, lat, lon) <= self.radius
