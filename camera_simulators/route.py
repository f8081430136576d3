"""A made-up car journey for the simulated dashcam: where it drives and parks, and its ``.gps``.

Everything is generated and deterministic (a seed, no real person's data). The town is a grid of
streets 400 m apart around 0°/0° in the Gulf of Guinea, so no fix can be mistaken for a real place
and the route crosses the equator and the prime meridian (every hemisphere letter appears). A
:class:`Journey` parks at home, drives to a shop (stopping at junctions, slowing for turns, at 50
km/h on streets and 70 km/h on the avenue), parks there longer than a trip gap, drives home by a
longer loop, and parks again. :meth:`Journey.recordings` says which one-minute recordings a
dashcam makes of it (normal while the ignition is on, one of them an event; parking recordings now
and then while parked, half of them without GPS), and :meth:`Journey.gps_file` writes the ``.gps``
file of any window: ``[epoch-ms]$GPRMC`` and ``$GPGGA`` lines at 1 Hz, CRLF, with the junk real
files carry (a satellite-view sentence, a blank line, a torn sentence, a bad checksum, a cold start
without a fix, NUL padding).

:class:`DashcamGps` is what the simulated BlackVue serves as ``.gps`` files: the windows of given
journeys exactly, and for a recording at any other time the same drive repeated back to back
(so any simulated archive has trips, always in the made-up town).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from functools import lru_cache
from itertools import pairwise
import math
import random

BLOCK = 0.0036
"""Degrees between two streets of the town grid (about 400 m)."""
KNOT = 1852 / 3600
STREET_SPEED = 50 / 3.6
AVENUE_SPEED = 70 / 3.6
TURN_SPEED = 5.0
ACCELERATION = 2.0
BRAKING = 2.5
IDLE_BEFORE = 20
"""Seconds the engine runs before the car moves off."""
IDLE_AFTER = 15
RECORDING_SECONDS = 60
AVENUE_ROW = 0
"""The street at this grid row (along the equator's side) is the avenue."""

_EARTH_RADIUS = 6_371_008.8
_SATELLITES = 9


def grid_point(row: int, column: int) -> tuple[float, float]:
    """Return (lat, lon) of a junction; rows and columns are offset half a block from 0°/0°."""
    return (row + 0.5) * BLOCK, (column + 0.5) * BLOCK


def _distance(a: tuple[float, float], b: tuple[float, float]) -> float:
    phi1, phi2 = math.radians(a[0]), math.radians(b[0])
    dphi, dlambda = phi2 - phi1, math.radians(b[1] - a[1])
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * _EARTH_RADIUS * math.asin(min(1.0, math.sqrt(h)))


def _bearing(a: tuple[float, float], b: tuple[float, float]) -> float:
    phi1, phi2 = math.radians(a[0]), math.radians(b[0])
    dlambda = math.radians(b[1] - a[1])
    y = math.sin(dlambda) * math.cos(phi2)
    x = math.cos(phi1) * math.sin(phi2) - math.sin(phi1) * math.cos(phi2) * math.cos(dlambda)
    return math.degrees(math.atan2(y, x)) % 360.0


HOME = (-2, -2)
SHOP = (1, 2)
# Grid junctions (row, column); the car goes straight between consecutive ones.
TO_SHOP = ((-2, -2), (-2, 0), (0, 0), (0, 2), (1, 2))
HOME_BY_THE_LOOP = ((1, 2), (1, 3), (-1, 3), (-1, 1), (0, 1), (0, -3), (-2, -3), (-2, -2))


@dataclass(frozen=True, slots=True)
class Sample:
    """Where the car is at one second: position, speed (m/s), course, and whether it is on."""

    time: datetime
    lat: float
    lon: float
    speed: float
    course: float
    ignition: bool


@dataclass(frozen=True, slots=True)
class Leg:
    """One drive of the journey: when the car moved off and stopped, and how far it went."""

    start: datetime
    end: datetime
    distance: float
    path: tuple[tuple[float, float], ...]


@dataclass(frozen=True, slots=True)
class Window:
    """One recording the dashcam makes of the journey."""

    start: datetime
    kind: str
    seconds: int
    has_gps: bool

    @property
    def stem(self) -> str:
        """Return ``YYYYMMDD_HHMMSS_T``: the name of the recording's ``.gps``."""
        return f"{self.start:%Y%m%d_%H%M%S}_{self.kind}"

    def video(self, direction: str = "F") -> str:
        """Return the name of the recording's video for one camera direction."""
        return f"{self.stem}{direction}.mp4"

    @property
    def parking(self) -> bool:
        """Return True for a parking-mode recording."""
        return self.kind in "PI"


class Journey:
    """A deterministic drive through the made-up town, one sample per second."""

    def __init__(
        self,
        start: datetime = datetime(2026, 11, 20, 7, 50, tzinfo=UTC),
        *,
        seed: int = 0,
        park_first: timedelta = timedelta(minutes=10),
        shop_stay: timedelta = timedelta(minutes=25),
        park_last: timedelta = timedelta(minutes=15),
    ) -> None:
        """Plan the journey from ``start`` (aware; recording names use its time zone)."""
        self.start = start
        self.seed = seed
        self._rng = random.Random(seed)
        self.samples: list[Sample] = []
        self.legs: list[Leg] = []
        self._parked: list[tuple[datetime, datetime]] = []
        self._park(grid_point(*HOME), park_first)
        self._drive(tuple(grid_point(*node) for node in TO_SHOP))
        self._park(grid_point(*SHOP), shop_stay)
        self._drive(tuple(grid_point(*node) for node in HOME_BY_THE_LOOP))
        self._park(grid_point(*HOME), park_last)
        self._times = [sample.time for sample in self.samples]

    @property
    def end(self) -> datetime:
        """Return the time just after the last sample."""
        return self.samples[-1].time + timedelta(seconds=1)

    def _now(self) -> datetime:
        return self.start + timedelta(seconds=len(self.samples))

    def _park(self, where: tuple[float, float], duration: timedelta) -> None:
        begin = self._now()
        course = self.samples[-1].course if self.samples else 0.0
        for _ in range(int(duration.total_seconds())):
            self.samples.append(Sample(self._now(), where[0], where[1], 0.0, course, False))
        self._parked.append((begin, self._now()))

    def _drive(self, path: tuple[tuple[float, float], ...]) -> None:
        rng = self._rng
        course = _bearing(path[0], path[1])
        for _ in range(IDLE_BEFORE):
            self.samples.append(Sample(self._now(), *path[0], 0.0, course, True))
        moved_off = self._now()
        lengths = [_distance(a, b) for a, b in pairwise(path)]
        marks = [0.0]
        for length in lengths:
            marks.append(marks[-1] + length)
        # Junctions: turns slow the car down; some straight junctions have a stop.
        limits = [0.0] * len(path)
        waits = [0] * len(path)
        for index in range(1, len(path) - 1):
            turn = abs(
                (
                    _bearing(path[index], path[index + 1])
                    - _bearing(path[index - 1], path[index])
                    + 180
                )
                % 360
                - 180
            )
            limits[index] = TURN_SPEED if turn > 30 else AVENUE_SPEED
            if rng.random() < 0.5:
                limits[index], waits[index] = 0.0, rng.randint(8, 30)
        position = speed = 0.0
        target = 1
        while target < len(path):
            segment = bisect_right(marks, position) - 1
            segment = min(max(segment, 0), len(lengths) - 1)
            row = round(path[segment][0] / BLOCK - 0.5)
            cruise = (
                AVENUE_SPEED
                if row == AVENUE_ROW and path[segment][0] == path[segment + 1][0]
                else STREET_SPEED
            )
            ahead = marks[target] - position
            allowed = math.sqrt(limits[target] ** 2 + 2 * BRAKING * max(ahead - speed * 0.5, 0.0))
            new_speed = max(min(speed + ACCELERATION, cruise, allowed), min(1.0, ahead))
            position += (speed + new_speed) / 2
            speed = new_speed
            if position >= marks[target] - 0.5:
                position = marks[target]
                if limits[target] == 0.0:
                    speed = 0.0
                reached = target
                target += 1
                lat, lon = path[reached]
                heading = _bearing(path[reached - 1], path[reached])
                self.samples.append(Sample(self._now(), lat, lon, speed, heading, True))
                for _ in range(waits[reached]):
                    self.samples.append(Sample(self._now(), lat, lon, 0.0, heading, True))
                continue
            share = (position - marks[segment]) / lengths[segment] if lengths[segment] else 0.0
            a, b = path[segment], path[segment + 1]
            lat = a[0] + (b[0] - a[0]) * share
            lon = a[1] + (b[1] - a[1]) * share
            self.samples.append(Sample(self._now(), lat, lon, speed, _bearing(a, b), True))
        stopped = self._now()
        for _ in range(IDLE_AFTER):
            self.samples.append(Sample(self._now(), *path[-1], 0.0, course, True))
        self.legs.append(Leg(moved_off, stopped, marks[-1], path))

    def sample_at(self, moment: datetime) -> Sample:
        """Return the sample of the second ``moment`` falls in (the first or last outside)."""
        index = bisect_right(self._times, moment) - 1
        return self.samples[min(max(index, 0), len(self.samples) - 1)]

    def recordings(self) -> list[Window]:
        """Return the recordings a dashcam makes of the journey, in time order.

        One-minute normal recordings while the ignition is on (the one around the first leg's
        middle is an event, a hard brake); while parked, a parking recording two minutes after
        parking and then every seven minutes, every other one without GPS.
        """
        windows: list[Window] = []
        driving = [
            (leg.start - timedelta(seconds=IDLE_BEFORE), leg.end + timedelta(seconds=IDLE_AFTER))
            for leg in self.legs
        ]
        event_at = self.legs[0].start + (self.legs[0].end - self.legs[0].start) / 2
        for begin, finish in driving:
            moment = begin
            while moment < finish:
                seconds = min(RECORDING_SECONDS, int((finish - moment).total_seconds()))
                kind = "E" if moment <= event_at < moment + timedelta(seconds=seconds) else "N"
                windows.append(Window(moment, kind, seconds, True))
                moment += timedelta(seconds=seconds)
        parked = 0
        for begin, finish in self._parked:
            moment = begin + timedelta(minutes=2)
            while moment + timedelta(seconds=RECORDING_SECONDS) <= finish:
                windows.append(Window(moment, "P", RECORDING_SECONDS, parked % 2 == 0))
                parked += 1
                moment += timedelta(minutes=7)
        windows.sort(key=lambda window: window.start)
        return windows

    def gps_file(
        self,
        start: datetime,
        seconds: int = RECORDING_SECONDS,
        *,
        junk: bool = True,
        talker: str = "GP",
        stamp_offset: timedelta = timedelta(0),
    ) -> bytes:
        """Return the ``.gps`` file of the window ``[start, start + seconds)``.

        ``stamp_offset`` shifts the ``[epoch-ms]`` stamps (a camera clock on local time); the
        sentences always carry satellite (UTC) time.
        """
        rng = random.Random(f"{self.seed}:{start.timestamp()}")
        cold_start = junk and self.sample_at(start - timedelta(seconds=1)).ignition is False
        lines: list[str] = []
        for second in range(seconds):
            moment = start + timedelta(seconds=second)
            sample = self.sample_at(moment)
            stamp = int((moment + stamp_offset).timestamp() * 1000) + rng.randint(0, 40)
            utc = moment.astimezone(UTC)
            if cold_start and second < 2:
                lines.append(_line(stamp, f"{talker}RMC,{utc:%H%M%S}.00,V,,,,,,,{utc:%d%m%y},,,N"))
                lines.append(_line(stamp, f"{talker}GGA,{utc:%H%M%S}.00,,,,,0,00,99.99,,,,,,"))
                continue
            lat, lon = sample.lat, sample.lon
            if sample.speed == 0.0:
                # A standing receiver drifts by a metre or so.
                lat += rng.uniform(-1, 1) * 1e-5
                lon += rng.uniform(-1, 1) * 1e-5
            lines.append(_line(stamp, rmc(utc, lat, lon, sample.speed, sample.course, talker)))
            hdop = 0.8 + rng.random() * 0.4 if sample.ignition else 1.6
            lines.append(_line(stamp, gga(utc, lat, lon, hdop, 12.0 + lat * 1000, talker)))
        if junk and lines:
            stamp = int((start + stamp_offset).timestamp() * 1000)
            torn = _line(stamp, f"{talker}GGA,{start.astimezone(UTC):%H%M%S}.00,00")
            torn = torn.split("*")[0]
            # A sentence whose checksum does not match (a bit flipped on the SD card).
            good = lines[-2]
            bad = f"{good[:-2]}{int(good[-2:], 16) ^ 0x01:02X}"
            lines.insert(
                0, _line(stamp, "GPGSV,3,1,11,02,67,331,39,04,08,040,21,05,28,214,30,06,53,047,31")
            )
            lines.insert(len(lines) // 3, "")
            lines.insert(len(lines) // 2, bad)
            lines.insert(2 * len(lines) // 3, torn)
        text = "".join(f"{line}\r\n" for line in lines)
        return text.encode("ascii") + (b"\x00" * 32 if junk else b"")


def _line(stamp: int, sentence: str) -> str:
    return f"[{stamp}]${sentence}*{checksum(sentence):02X}"


def checksum(sentence: str) -> int:
    """Return the NMEA checksum of the text between ``$`` and ``*``."""
    value = 0
    for char in sentence.encode("ascii"):
        value ^= char
    return value


def nmea_angle(value: float, degree_digits: int) -> str:
    """Return NMEA's ``(d)ddmm.mmmmm`` for a magnitude in degrees (the sign goes in N/S, E/W)."""
    total = round(abs(value) * 60, 5)
    degrees = int(total // 60)
    return f"{degrees:0{degree_digits}d}{total - degrees * 60:08.5f}"


def rmc(
    moment: datetime, lat: float, lon: float, speed: float, course: float, talker: str = "GP"
) -> str:
    """Return an RMC sentence (without ``$`` and checksum); speed in m/s, time UTC."""
    return (
        f"{talker}RMC,{moment:%H%M%S}.{moment.microsecond // 10000:02d},A,"
        f"{nmea_angle(lat, 2)},{'N' if lat >= 0 else 'S'},"
        f"{nmea_angle(lon, 3)},{'E' if lon >= 0 else 'W'},"
        f"{speed / KNOT:.3f},{course:.2f},{moment:%d%m%y},,,A"
    )


def gga(
    moment: datetime, lat: float, lon: float, hdop: float, altitude: float, talker: str = "GP"
) -> str:
    """Return a GGA sentence (without ``$`` and checksum) for a GPS fix."""
    return (
        f"{talker}GGA,{moment:%H%M%S}.{moment.microsecond // 10000:02d},"
        f"{nmea_angle(lat, 2)},{'N' if lat >= 0 else 'S'},"
        f"{nmea_angle(lon, 3)},{'E' if lon >= 0 else 'W'},"
        f"1,{_SATELLITES:02d},{hdop:.2f},{altitude:.1f},M,17.0,M,,"
    )


_CYCLE_ANCHOR = datetime(2000, 1, 1, tzinfo=UTC)


@lru_cache(maxsize=8)
def _cycle(index: int) -> Journey:
    """Return the ``index``-th drive of the endless repetition (each starts as the last ends)."""
    length = _cycle_length()
    return Journey(_CYCLE_ANCHOR + index * length)


@lru_cache(maxsize=1)
def _cycle_length() -> timedelta:
    journey = Journey(_CYCLE_ANCHOR)
    return journey.end - journey.start


def _stamp(name: str, tz: tzinfo) -> datetime | None:
    try:
        return datetime.strptime(name[:15], "%Y%m%d_%H%M%S").replace(tzinfo=tz)
    except ValueError:
        return None


class DashcamGps:
    """The ``.gps`` file of any recording name: a journey's window, else the repeated drive.

    ``tz`` is the camera clock's zone (recording names are wall time in it); ``journeys`` name
    their recordings in their own start's zone, which should be the same. ``drive=False``: other
    names find the car parked at home (a receiver standing still, drifting by a metre), so an
    archive made of them has no trips.
    """

    def __init__(
        self, journeys: Iterable[Journey] = (), *, tz: tzinfo = UTC, drive: bool = True
    ) -> None:
        """Serve the windows of ``journeys``; other names follow the repeated drive."""
        self.tz = tz
        self.drive = drive
        self._windows: dict[str, tuple[Journey, Window]] = {
            window.stem: (journey, window)
            for journey in journeys
            for window in journey.recordings()
        }

    def __call__(self, name: str) -> bytes:
        """Return the ``.gps`` file named ``name`` (``YYYYMMDD_HHMMSS_T.gps``)."""
        found = self._windows.get(name.removesuffix(".gps"))
        if found is not None:
            journey, window = found
            return journey.gps_file(window.start, window.seconds)
        start = _stamp(name, self.tz)
        if start is None:
            return b""
        if not self.drive:
            return _cycle(-1).gps_file(start)  # long over: parked at home ever since
        length = _cycle_length()
        index = (start - _CYCLE_ANCHOR) // length
        return _cycle(index).gps_file(start)
