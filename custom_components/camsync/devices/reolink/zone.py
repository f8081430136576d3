"""A Reolink camera's time zone, from GetTime.

The UTC offset is ``-timeZone`` seconds, plus the ``Dst`` block's offset (hours) between its start
rule (standard wall time) and its end rule (DST wall time). Rules are read like POSIX TZ
``Mm.w.d``: week 1-4 is the nth weekday of the month, 5 the last one, and weekday 0 is Sunday.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time as dt_time, timedelta, timezone, tzinfo
import logging
from typing import Any

_LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class DstRule:
    """One edge of a Reolink DST rule (month, week 1-5 with 5 = last, weekday 0 = Sunday)."""

    month: int
    week: int
    weekday: int
    at: dt_time

    def wall_time(self, year: int) -> datetime:
        """Return the wall-clock moment the rule fires in ``year``."""
        python_weekday = (self.weekday - 1) % 7
        if self.week >= 5:
            following = date(year + self.month // 12, self.month % 12 + 1, 1)
            last = following - timedelta(days=1)
            day = last - timedelta(days=(last.weekday() - python_weekday) % 7)
        else:
            first = date(year, self.month, 1)
            shift = (python_weekday - first.weekday()) % 7
            day = first + timedelta(days=shift, weeks=self.week - 1)
        return datetime.combine(day, self.at)


class ReolinkZone(tzinfo):
    """A camera's time zone: a standard offset plus a DST rule, as GetTime describes it.

    The start rule is in standard wall time and the end rule in DST wall time. Ambiguous wall
    times at the end of DST follow PEP 495: ``fold=0`` is the DST one.
    """

    def __init__(self, offset: timedelta, saving: timedelta, start: DstRule, end: DstRule) -> None:
        self._offset = offset
        self._saving = saving
        self._start = start
        self._end = end

    def __repr__(self) -> str:
        return f"ReolinkZone(offset={self._offset}, dst={self._saving})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ReolinkZone):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def _key(self) -> tuple[timedelta, timedelta, DstRule, DstRule]:
        return self._offset, self._saving, self._start, self._end

    def fixed(self, *, dst: bool) -> timezone:
        """Return this zone's standard offset, or its daylight-saving one, as a fixed zone."""
        return timezone(self._offset + (self._saving if dst else timedelta(0)))

    def utcoffset(self, dt: datetime | None) -> timedelta:
        """Return the offset from UTC at wall time ``dt``."""
        return self._offset + self.dst(dt)

    def dst(self, dt: datetime | None) -> timedelta:
        """Return the DST saving in force at wall time ``dt``."""
        if dt is None:
            return timedelta(0)
        wall = dt.replace(tzinfo=None)
        start = self._start.wall_time(wall.year) + (timedelta(0) if dt.fold else self._saving)
        end = self._end.wall_time(wall.year) - (self._saving if dt.fold else timedelta(0))
        return self._saving if _in_window(wall, start, end) else timedelta(0)

    def tzname(self, dt: datetime | None) -> str:
        """Return ``UTC+hh:mm`` for the offset at ``dt``."""
        return _offset_name(self.utcoffset(dt))

    def fromutc(self, dt: datetime) -> datetime:
        """Convert a UTC time (tzinfo=self) to wall time, setting ``fold`` for repeated hours."""
        standard = dt.replace(tzinfo=None) + self._offset
        start = self._start.wall_time(standard.year)
        end = self._end.wall_time(standard.year) - self._saving
        if _in_window(standard, start, end):
            return (standard + self._saving).replace(tzinfo=self)
        repeated = end <= standard < end + self._saving
        return standard.replace(tzinfo=self, fold=int(repeated))


def clip_zone(zone: tzinfo, dst_marker: bool) -> tzinfo:
    """Return the fixed offset of a clip whose name has (or lacks) the ``DST`` marker.

    The marker is authoritative: ``-timeZone`` plus the Dst block's offset when the name has it.
    Recomputing DST from the rule puts the repeated autumn hour one hour off. A zone that is not
    a ReolinkZone (GetTime had no DST rule) is returned as it is.
    """
    if not isinstance(zone, ReolinkZone):
        return zone
    return zone.fixed(dst=dst_marker)


def _in_window(moment: datetime, start: datetime, end: datetime) -> bool:
    """Return whether ``moment`` is in [start, end); southern zones' DST wraps the new year."""
    if start <= end:
        return start <= moment < end
    return not end <= moment < start


def zone_from_get_time(value: Mapping[str, Any], fallback: tzinfo = UTC) -> tzinfo:
    """Return the zone a GetTime ``value`` describes (``fallback`` when it has no timeZone)."""
    clock = value.get("Time")
    if not isinstance(clock, Mapping) or not isinstance(clock.get("timeZone"), int):
        return fallback
    offset = timedelta(seconds=-clock["timeZone"])
    dst = value.get("Dst")
    if not isinstance(dst, Mapping) or not dst.get("enable"):
        return timezone(offset)
    try:
        saving = timedelta(hours=int(dst.get("offset", 1)))
        start, end = (_dst_rule(dst, prefix) for prefix in ("start", "end"))
    except (KeyError, TypeError, ValueError):
        _LOGGER.debug("Unreadable Dst block, using the standard offset only")
        return timezone(offset)
    if not saving:
        return timezone(offset)
    return ReolinkZone(offset, saving, start, end)


def _dst_rule(block: Mapping[str, Any], prefix: str) -> DstRule:
    return DstRule(
        month=int(block[f"{prefix}Mon"]),
        week=int(block[f"{prefix}Week"]),
        weekday=int(block[f"{prefix}Weekday"]),
        at=dt_time(
            int(block.get(f"{prefix}Hour", 0)),
            int(block.get(f"{prefix}Min", 0)),
            int(block.get(f"{prefix}Sec", 0)),
        ),
    )


def _offset_name(offset: timedelta) -> str:
    sign = "-" if offset < timedelta(0) else "+"
    minutes = abs(int(offset.total_seconds())) // 60
    return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"
