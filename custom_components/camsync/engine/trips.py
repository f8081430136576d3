"""Trips from a dashcam's GPS: recordings with moving fixes, split by parking and by long stops.

Each archived recording is read once and kept as a :class:`RecordingSummary` (a few numbers);
trips are derived from the summaries, so adding a recording, even one that arrives out of order
(events are downloaded first), never re-reads the archive. The summaries and the trips already
announced live in ``.camsync/trips.json``, so a restart does not either.

A trip is a run of non-parking recordings with moving fixes; stationary recordings between two
moving ones belong to it. It ends at a parking recording, or when the car has not moved for more
than ``gap``. It is *finished* once the archive is complete up to the moment it ended
(``known_until``, given by the caller: the archive lags behind the camera and fills out of order).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import pairwise
import json
import logging
import math
from pathlib import Path
import statistics
from typing import Any

from .files import write_atomically
from .geo import Point, distance, valid_position
from .gps import MAX_SPEED, Fix

_LOGGER = logging.getLogger(__name__)

TRIPS_FILE = "trips.json"
STATE_VERSION = 1
MOVING_SPEED = 2.0
"""Metres per second (7.2 km/h) from which a fix counts as moving, above a receiver's drift."""
DEFAULT_GAP = timedelta(minutes=10)
CLOCK_STEP = 900
"""Seconds: time zones (and DST) move a camera's clock in quarter hours."""
_ANNOUNCED_KEPT = 500
_FIX_WINDOW = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class TripSettings:
    """How trips are cut: the longest stop inside a trip, and the speed that counts as moving."""

    gap: timedelta = DEFAULT_GAP
    moving_speed: float = MOVING_SPEED


@dataclass(frozen=True, slots=True)
class Position:
    """A fix, reduced to what a map (and Home Assistant's device tracker) needs, and its source."""

    time: datetime
    lat: float
    lon: float
    accuracy: float | None = None
    recording: str = ""

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-friendly form (event data, attributes)."""
        return {
            "time": self.time.isoformat(),
            "latitude": self.lat,
            "longitude": self.lon,
            "accuracy": self.accuracy,
            "recording": self.recording,
        }


@dataclass(frozen=True, slots=True)
class RecordingSummary:
    """What trips need from one recording's GPS; small enough to keep for the whole archive.

    ``name`` identifies the recording (the ``.gps`` stem ``YYYYMMDD_HHMMSS_T``: front and rear
    share it); ``start`` is when its name says it began (camera clock); fix times are UTC.
    ``distance`` counts only stretches where the car moved, not a parked receiver's drift.
    """

    name: str
    start: datetime
    parking: bool
    fixes: int = 0
    first: Position | None = None
    last: Position | None = None
    first_moving: datetime | None = None
    last_moving: datetime | None = None
    distance: float = 0.0
    max_speed: float | None = None

    @property
    def moving(self) -> bool:
        """Return True when the car moved during this recording."""
        return self.first_moving is not None


def summarise(
    name: str,
    start: datetime,
    fixes: Sequence[Fix],
    *,
    parking: bool,
    settings: TripSettings | None = None,
) -> RecordingSummary:
    """Summarise a recording's fixes (fixes more than a day from ``start`` are ignored)."""
    moving_speed = (settings or TripSettings()).moving_speed
    usable = [fix for fix in fixes if abs(fix.time - start) <= _FIX_WINDOW]
    if not usable:
        return RecordingSummary(name, start, parking)
    total = 0.0
    top: float | None = None
    first_moving: datetime | None = None
    last_moving: datetime | None = None
    for index, fix in enumerate(usable):
        speed = fix.speed
        if index:
            before = usable[index - 1]
            step = distance(before.lat, before.lon, fix.lat, fix.lon)
            seconds = (fix.time - before.time).total_seconds()
            implied = step / seconds if seconds > 0 else 0.0
            if speed is None:
                speed = implied
            if max(speed, before.speed or implied) >= moving_speed and implied <= MAX_SPEED:
                total += step
        if speed is not None and speed >= moving_speed:
            first_moving = first_moving or fix.time
            last_moving = fix.time
            top = speed if top is None else max(top, speed)
    head, tail = usable[0], usable[-1]
    return RecordingSummary(
        name=name,
        start=start,
        parking=parking,
        fixes=len(usable),
        first=Position(head.time, head.lat, head.lon, head.accuracy, name),
        last=Position(tail.time, tail.lat, tail.lon, tail.accuracy, name),
        first_moving=first_moving,
        last_moving=last_moving,
        distance=total,
        max_speed=top,
    )


@dataclass(frozen=True, slots=True)
class Trip:
    """One drive: when, how far and fast, from where to where, and the recordings it covers.

    ``start``/``end`` are UTC (satellite time); ``opened`` is the first recording's start on the
    camera's clock, which names the GPX file and picks its folder like the recordings'.
    ``closes_at`` is when the trip counts as over (a parking recording, or ``gap`` without moving);
    ``finished`` says the archive is complete up to then.
    """

    start: datetime
    end: datetime
    distance: float
    max_speed: float | None
    start_point: Point
    end_point: Point
    recordings: tuple[str, ...]
    opened: datetime
    closes_at: datetime
    finished: bool

    @property
    def id(self) -> str:
        """Return the trip's name: its first recording's start on the camera clock."""
        return f"{self.opened:%Y%m%d_%H%M%S}"

    @property
    def gpx_name(self) -> str:
        """Return the name of the trip's GPX file (beside its first recording)."""
        return f"trip_{self.id}.gpx"

    @property
    def duration(self) -> timedelta:
        """Return how long the trip took."""
        return self.end - self.start

    @property
    def average_speed(self) -> float | None:
        """Return the average speed in m/s over the whole trip (None for an instant)."""
        seconds = self.duration.total_seconds()
        return self.distance / seconds if seconds > 0 else None

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-friendly summary (event data, sensor attributes), in SI units."""
        return {
            "id": self.id,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "distance": round(self.distance, 1),
            "duration": round(self.duration.total_seconds()),
            "max_speed": None if self.max_speed is None else round(self.max_speed, 2),
            "average_speed": (None if self.average_speed is None else round(self.average_speed, 2)),
            "start_latitude": self.start_point.lat,
            "start_longitude": self.start_point.lon,
            "end_latitude": self.end_point.lat,
            "end_longitude": self.end_point.lon,
            "recordings": list(self.recordings),
            "gpx": self.gpx_name,
            "finished": self.finished,
        }


@dataclass(slots=True)
class _Builder:
    members: list[RecordingSummary] = field(default_factory=list)
    last_moving: datetime = field(default_factory=lambda: datetime.min.replace(tzinfo=UTC))

    def add(self, summaries: Iterable[RecordingSummary]) -> None:
        for summary in summaries:
            self.members.append(summary)
            if summary.last_moving is not None:
                self.last_moving = max(self.last_moving, summary.last_moving)


def clock_offset(summaries: Iterable[RecordingSummary]) -> timedelta:
    """Return how far the camera's clock (recording names) runs ahead of the satellites.

    The median over recordings with fixes, in quarter hours: a camera set to the wrong zone or
    ignoring DST names its recordings an hour off, while a few seconds are just GPS start-up.
    """
    offsets = [
        (summary.start - summary.first.time).total_seconds()
        for summary in summaries
        if summary.first is not None
    ]
    if not offsets:
        return timedelta(0)
    return timedelta(seconds=round(statistics.median(offsets) / CLOCK_STEP) * CLOCK_STEP)


def find_trips(
    summaries: Iterable[RecordingSummary],
    settings: TripSettings,
    known_until: datetime | None,
) -> list[Trip]:
    """Return the trips the summaries make, oldest first.

    ``known_until`` says every recording that began before it (on the camera's clock, like the
    recordings' names and ``Recording.start``) is in ``summaries`` or never will be; a trip that
    ended by then is finished. None: nothing is known to be complete.
    """
    items = list(summaries)
    offset = clock_offset(items)
    complete = None if known_until is None else (known_until - offset).astimezone(UTC)
    items.sort(key=lambda summary: (_began(summary, offset), summary.name))
    trips: list[Trip] = []
    current: _Builder | None = None
    between: list[RecordingSummary] = []
    for summary in items:
        if summary.parking:
            if current is not None:
                closes = max(current.last_moving, _began(summary, offset))
                trips.append(_trip(current, settings, closes, complete))
                current = None
            between.clear()
            continue
        if summary.first_moving is None:
            if current is not None:
                between.append(summary)
            continue
        if current is not None and summary.first_moving - current.last_moving <= settings.gap:
            current.add(between)
        else:
            if current is not None:
                trips.append(_trip(current, settings, None, complete))
            current = _Builder()
        between.clear()
        current.add([summary])
    if current is not None:
        trips.append(_trip(current, settings, None, complete))
    return trips


def _began(summary: RecordingSummary, offset: timedelta) -> datetime:
    """Return when a recording began in UTC: its name's time, corrected for the camera's clock."""
    return (summary.start - offset).astimezone(UTC)


def _trip(
    builder: _Builder,
    settings: TripSettings,
    parked: datetime | None,
    complete: datetime | None,
) -> Trip:
    members = builder.members
    # A trip always has a moving member, so at least one with fixes.
    spans = [
        (member.first, member.last)
        for member in members
        if member.first is not None and member.last is not None
    ]
    head = spans[0][0]
    tail = max((last for _, last in spans), key=lambda position: position.time)
    total = sum(member.distance for member in members)
    for (_, before), (after, _) in pairwise(spans):
        total += _join(before, after, settings)
    speeds = [member.max_speed for member in members if member.max_speed is not None]
    gap_end = builder.last_moving + settings.gap
    closes = gap_end if parked is None else min(parked, gap_end)
    return Trip(
        start=head.time,
        end=tail.time,
        distance=total,
        max_speed=max(speeds) if speeds else None,
        start_point=Point(head.lat, head.lon),
        end_point=Point(tail.lat, tail.lon),
        recordings=tuple(member.name for member in members),
        opened=members[0].start,
        closes_at=closes,
        finished=complete is not None and complete >= closes,
    )


def _join(before: Position, after: Position, settings: TripSettings) -> float:
    """Return the distance driven between two recordings (none when they overlap or stood)."""
    seconds = (after.time - before.time).total_seconds()
    if seconds <= 0:
        return 0.0
    step = distance(before.lat, before.lon, after.lat, after.lon)
    return step if settings.moving_speed <= step / seconds <= MAX_SPEED else 0.0


class TripBook:
    """The GPS summaries of one archive and the trips already announced; ``load``/``save`` block."""

    def __init__(
        self,
        path: Path,
        settings: TripSettings | None = None,
        summaries: dict[str, RecordingSummary] | None = None,
        announced: Iterable[str] = (),
    ) -> None:
        """Wrap state read from ``path`` (``.camsync/trips.json``)."""
        self.path = path
        self.settings = settings or TripSettings()
        self.summaries = summaries or {}
        self.announced = list(announced)
        self._dirty = False
        self._timeline: _Timeline | None = None

    @classmethod
    def load(cls, state_dir: Path, settings: TripSettings | None = None) -> TripBook:
        """Read the state; a missing, damaged or outdated file means starting over."""
        settings = settings or TripSettings()
        path = state_dir / TRIPS_FILE
        try:
            raw: Any = json.loads(path.read_bytes())
            if raw.get("version") != STATE_VERSION or raw.get("moving_speed") != (
                settings.moving_speed
            ):
                return cls(path, settings)
            summaries = {
                name: _summary_from_json(name, value) for name, value in raw["recordings"].items()
            }
            announced = [str(item) for item in raw.get("announced", [])]
        except FileNotFoundError:
            return cls(path, settings)
        except (ValueError, TypeError, KeyError, AttributeError, OSError) as err:
            _LOGGER.warning("Ignoring unreadable trip state in %s: %s", path, err)
            return cls(path, settings)
        return cls(path, settings, summaries, announced)

    def save(self) -> None:
        """Write the state back when it changed (atomically)."""
        if not self._dirty:
            return
        data = json.dumps(
            {
                "version": STATE_VERSION,
                "moving_speed": self.settings.moving_speed,
                "recordings": {
                    name: _summary_to_json(summary)
                    for name, summary in sorted(self.summaries.items())
                },
                "announced": self.announced,
            },
            separators=(",", ":"),
        ).encode()
        partial = self.path.with_name(f"{self.path.name}.tmp")
        write_atomically(data, partial, self.path, self.path.parent)
        self._dirty = False

    def __contains__(self, name: object) -> bool:
        """Return True when the recording is summarised already (no need to read its GPS)."""
        return name in self.summaries

    def add(self, summary: RecordingSummary) -> None:
        """Add (or replace) a recording's summary."""
        if self.summaries.get(summary.name) != summary:
            self.summaries[summary.name] = summary
            self._dirty = True
            self._timeline = None

    def forget(self, names: Iterable[str]) -> None:
        """Drop the summaries of recordings that left the archive (pruned, deleted)."""
        for name in names:
            if self.summaries.pop(name, None) is not None:
                self._dirty = True
                self._timeline = None

    def trips(self, known_until: datetime | None = None) -> list[Trip]:
        """Return every trip in the archive, oldest first."""
        return find_trips(self.summaries.values(), self.settings, known_until)

    def newly_finished(self, known_until: datetime) -> list[Trip]:
        """Return the finished trips not announced before, and remember them as announced.

        The Home Assistant layer fires ``camsync_trip_finished`` for each (and writes its GPX).
        """
        fresh = [
            trip
            for trip in self.trips(known_until)
            if trip.finished and trip.id not in self.announced
        ]
        if fresh:
            self.announced = [*self.announced, *(trip.id for trip in fresh)][-_ANNOUNCED_KEPT:]
            self._dirty = True
        return fresh

    def newest_position(self) -> Position | None:
        """Return the newest fix in the archive (where the car is, as far as the archive knows)."""
        lasts = [summary.last for summary in self.summaries.values() if summary.last is not None]
        return max(lasts, key=lambda position: position.time) if lasts else None

    def position_at(self, when: datetime) -> Position | None:
        """Return the last fix at or before ``when`` (a recording's start, camera clock).

        A parking recording without GPS was made where the car last stood: where its last drive
        ended, which is what zone skipping needs.
        """
        if self._timeline is None:
            self._timeline = _Timeline.of(self.summaries.values())
        return self._timeline.position_at(when)

    def distance_between(self, start: datetime, end: datetime) -> float:
        """Return the metres driven in trips that began in ``[start, end)`` (today's distance)."""
        return sum(trip.distance for trip in self.trips() if start <= trip.start < end)


@dataclass(frozen=True, slots=True)
class _Timeline:
    """The recordings with fixes by first fix, for quick "where was the car" look-ups."""

    offset: timedelta
    firsts: list[datetime]
    spans: list[tuple[Position, Position]]

    # Recordings overlap by seconds (an event interrupting a normal recording), never by more
    # than a few: looking back this many covers them.
    LOOK_BACK = 8

    @classmethod
    def of(cls, summaries: Iterable[RecordingSummary]) -> _Timeline:
        items = list(summaries)
        spans = sorted(
            (
                (summary.first, summary.last)
                for summary in items
                if summary.first is not None and summary.last is not None
            ),
            key=lambda span: span[0].time,
        )
        return cls(clock_offset(items), [first.time for first, _ in spans], spans)

    def position_at(self, when: datetime) -> Position | None:
        moment = (when - self.offset).astimezone(UTC)
        index = bisect_right(self.firsts, moment)
        best: Position | None = None
        for first, last in self.spans[max(0, index - self.LOOK_BACK) : index]:
            candidate = last if last.time <= moment else first
            if best is None or candidate.time > best.time:
                best = candidate
        return best


def _position_to_json(position: Position | None) -> list[Any] | None:
    if position is None:
        return None
    return [position.time.timestamp(), position.lat, position.lon, position.accuracy]


def _position_from_json(value: Any, name: str) -> Position | None:
    if value is None:
        return None
    moment, lat, lon, accuracy = value
    if not valid_position(float(lat), float(lon)):
        raise ValueError(f"impossible position in {name}")
    return Position(
        datetime.fromtimestamp(float(moment), UTC),
        float(lat),
        float(lon),
        None if accuracy is None else float(accuracy),
        name,
    )


def _time_to_json(moment: datetime | None) -> float | None:
    return None if moment is None else moment.timestamp()


def _time_from_json(value: Any) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(float(value), UTC)


def _summary_to_json(summary: RecordingSummary) -> dict[str, Any]:
    return {
        "start": summary.start.isoformat(),
        "parking": summary.parking,
        "fixes": summary.fixes,
        "first": _position_to_json(summary.first),
        "last": _position_to_json(summary.last),
        "first_moving": _time_to_json(summary.first_moving),
        "last_moving": _time_to_json(summary.last_moving),
        "distance": summary.distance,
        "max_speed": summary.max_speed,
    }


def _summary_from_json(name: str, value: dict[str, Any]) -> RecordingSummary:
    start = datetime.fromisoformat(value["start"])
    if start.tzinfo is None:
        raise ValueError(f"naive start time in {name}")
    total = float(value["distance"])
    top = value.get("max_speed")
    if not math.isfinite(total) or total < 0:
        raise ValueError(f"bad distance in {name}")
    return RecordingSummary(
        name=name,
        start=start,
        parking=bool(value["parking"]),
        fixes=int(value["fixes"]),
        first=_position_from_json(value["first"], name),
        last=_position_from_json(value["last"], name),
        first_moving=_time_from_json(value["first_moving"]),
        last_moving=_time_from_json(value["last_moving"]),
        distance=total,
        max_speed=None if top is None else float(top),
    )
