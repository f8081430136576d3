"""Write a trip as a GPX 1.1 file (opens in any map tool), atomically, beside its recordings.

The document follows the GPX 1.1 schema (topografix.com/GPX/1/1): metadata with the trip's name,
time and bounds, then one track whose segments break where fixes are missing for a while (a tunnel,
a recording that was not downloaded), so map tools draw no straight line across the gap.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
import re
from xml.sax.saxutils import escape, quoteattr

from .archive import Archive
from .files import write_atomically
from .gps import Fix
from .trips import Trip

GPX_NAMESPACE = "http://www.topografix.com/GPX/1/1"
SCHEMA_LOCATION = f"{GPX_NAMESPACE} {GPX_NAMESPACE}/gpx.xsd"
SEGMENT_GAP = timedelta(minutes=1)
"""Fixes further apart than this start a new track segment."""
CREATOR = "camsync"
_GPX_NAME = re.compile(r"trip_([0-9]{8})_([0-9]{6})\.gpx", re.ASCII)


def gpx_recorded_at(name: str, tz: tzinfo) -> datetime | None:
    """Return when a trip's GPX file (``trip_YYYYMMDD_HHMMSS.gpx``) was recorded, else None.

    Retention and the archive index recognise the GPX files camsync wrote by this name.
    """
    match = _GPX_NAME.fullmatch(name)
    if match is None:
        return None
    try:
        return datetime.strptime(match[1] + match[2], "%Y%m%d%H%M%S").replace(tzinfo=tz)
    except ValueError:
        return None


def trip_fixes(trip: Trip, fixes: Iterable[Fix]) -> list[Fix]:
    """Return the fixes that belong to the trip (its time span), in order, one per instant."""
    by_time = {fix.time: fix for fix in fixes if trip.start <= fix.time <= trip.end}
    return [by_time[moment] for moment in sorted(by_time)]


def segments(fixes: Sequence[Fix], gap: timedelta = SEGMENT_GAP) -> list[list[Fix]]:
    """Split time-ordered fixes where the time between two of them exceeds ``gap``."""
    parts: list[list[Fix]] = []
    for fix in fixes:
        if not parts or fix.time - parts[-1][-1].time > gap:
            parts.append([fix])
        else:
            parts[-1].append(fix)
    return parts


def gpx_document(trip: Trip, fixes: Sequence[Fix], *, name: str | None = None) -> bytes:
    """Return the GPX 1.1 document of a trip drawn through ``fixes`` (UTF-8 bytes)."""
    title = name or f"Trip {trip.opened:%Y-%m-%d %H:%M}"
    description = (
        f"{trip.distance / 1000:.1f} km in {_minutes(trip.duration)} min, "
        f"{len(trip.recordings)} recordings"
    )
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<gpx version="1.1" creator="{CREATOR}" xmlns="{GPX_NAMESPACE}"'
        ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
        f' xsi:schemaLocation="{SCHEMA_LOCATION}">',
        "<metadata>",
        f"<name>{escape(title)}</name>",
        f"<desc>{escape(description)}</desc>",
        f"<time>{_time(trip.start)}</time>",
    ]
    if fixes:
        lats = [float(_degrees(fix.lat)) for fix in fixes]
        lons = [float(_lon(fix.lon)) for fix in fixes]
        out.append(
            f'<bounds minlat="{_degrees(min(lats))}" minlon="{_degrees(min(lons))}"'
            f' maxlat="{_degrees(max(lats))}" maxlon="{_degrees(max(lons))}"/>'
        )
    out += ["</metadata>", "<trk>", f"<name>{escape(title)}</name>"]
    out.append(f"<desc>{escape(description)}</desc>")
    out.append(f"<src>{escape('recordings ' + ', '.join(trip.recordings))}</src>")
    out.append("<type>drive</type>")
    for part in segments(fixes) or [[]]:
        out.append("<trkseg>")
        out.extend(_point(fix) for fix in part)
        out.append("</trkseg>")
    out += ["</trk>", "</gpx>", ""]
    return "\n".join(out).encode()


def _point(fix: Fix) -> str:
    # GPX 1.1 wptType order: ele, time, …, sat, hdop. Speed and course have no place in 1.1.
    inner = []
    if fix.altitude is not None:
        inner.append(f"<ele>{fix.altitude:.1f}</ele>")
    inner.append(f"<time>{_time(fix.time)}</time>")
    if fix.satellites is not None:
        inner.append(f"<sat>{fix.satellites}</sat>")
    if fix.hdop is not None:
        inner.append(f"<hdop>{fix.hdop:.2f}</hdop>")
    return (
        f"<trkpt lat={quoteattr(_degrees(fix.lat))} lon={quoteattr(_lon(fix.lon))}>"
        f"{''.join(inner)}</trkpt>"
    )


def _degrees(value: float) -> str:
    """Return degrees with seven decimals (1 cm), the precision of a car's GPS and then some."""
    return f"{value:.7f}"


def _lon(lon: float) -> str:
    """Return the longitude in GPX's range, -180 <= lon < 180, once rounded."""
    text = _degrees(lon)
    return _degrees(-180.0) if float(text) >= 180.0 else text


def _time(moment: datetime) -> str:
    moment = moment.astimezone(UTC)
    if moment.microsecond:
        return f"{moment:%Y-%m-%dT%H:%M:%S}.{moment.microsecond // 1000:03d}Z"
    return f"{moment:%Y-%m-%dT%H:%M:%S}Z"


def _minutes(duration: timedelta) -> int:
    return round(duration.total_seconds() / 60)


def save_trip_gpx(
    archive: Archive, trip: Trip, fixes: Iterable[Fix], *, name: str | None = None
) -> Path:
    """Write the trip's GPX beside its first recording, atomically (blocking); return its path.

    Written under ``.camsync/partial/`` first, flushed, then renamed: a reader never sees half a
    file, and writing it again (a late recording extended the trip) replaces it whole.
    """
    data = gpx_document(trip, trip_fixes(trip, fixes), name=name)
    final = archive.final_path(trip.gpx_name, trip.opened)
    write_atomically(data, archive.partial_path(trip.gpx_name), final, archive.root)
    return final
