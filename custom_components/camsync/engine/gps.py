"""Read a dashcam's ``.gps`` sidecar: NMEA sentences, each after the camera's ``[epoch-ms]`` stamp.

The same text comes from the legacy API's ``/Record/<stem>.gps`` and, base64-decoded, from
V1.009's ``/vodMetadata``. Real files mix ``$GPRMC``/``$GPGGA`` (``$GN…`` on newer units) with
sentences we do not need (GSA, GSV, GLL, VTG), end lines in CRLF or LF, and carry blank lines, NUL
padding, torn sentences and a stray ``[epoch-ms]`` after a checksum. Parsing is lenient: a bad line
is skipped and counted, never fatal; fixes the receiver marks invalid, impossible positions and
jumps no car can make are dropped and counted.

Time comes from the satellites (RMC's date and time, UTC). The ``[epoch-ms]`` stamp is the camera's
clock, which may run on local time, so it only dates a sentence that has no date of its own (a GGA
with no RMC in the file). Everything here blocks: run :func:`parse_gps` / :func:`read_gps_file` in
the executor.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
import re

from .geo import distance, valid_position

KNOT = 1852 / 3600
"""Metres per second in a knot (RMC reports speed over ground in knots)."""
UERE = 5.0
"""Metres of horizontal error per unit of HDOP: a consumer receiver's typical range error."""
MAX_SPEED = 85.0
"""Metres per second (306 km/h) above which a reported or implied speed is not a car's."""
JUMP_SLACK = 50.0
"""Metres two fixes may differ by whatever the time between them (receiver noise)."""
MIN_SEGMENT = 3
"""Consistent fixes needed before a run of fixes counts as real, not a burst of bad ones."""
MAX_FILE_SIZE = 16 * 1024 * 1024
"""A ``.gps`` file is a few kB per minute: anything bigger than this is not one, read its start."""

_SAMPLES = 5
_OPEN_SEGMENTS = 4
_LINE_BREAK = re.compile(r"\r\n|\r|\n", re.ASCII)
_PADDING = " \t\x00"
_HEX = frozenset("0123456789abcdefABCDEF")
_STAMP_DIGITS = 16
# Fields a sentence needs (after its address) to say whether it has a fix: a torn one has fewer.
_MIN_FIELDS = {"RMC": 9, "GGA": 6, "GLL": 6}
_DAY_MS = 86_400_000
_HALF_DAY_MS = _DAY_MS // 2
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Fix:
    """One position the receiver reported as valid.

    ``speed`` in m/s and ``course`` in degrees come from RMC; ``altitude`` (metres above mean sea
    level), ``hdop`` and ``satellites`` from GGA; any of them is None when the camera did not say.
    """

    time: datetime
    lat: float
    lon: float
    speed: float | None = None
    course: float | None = None
    altitude: float | None = None
    hdop: float | None = None
    satellites: int | None = None

    @property
    def accuracy(self) -> float | None:
        """Return an estimate of the horizontal error in metres (HDOP x UERE), None without HDOP."""
        return None if self.hdop is None else round(self.hdop * UERE, 1)


@dataclass(frozen=True, slots=True)
class GpsTrack:
    """The fixes of one ``.gps`` file, in time order, and what was left out and why.

    ``skipped`` counts lines that are not well-formed sentences (or fail their checksum);
    ``invalid`` counts epochs the receiver marked as having no fix, or with an impossible
    position, speed or date; ``jumps`` counts fixes dropped because no car gets there that fast;
    ``ignored`` counts well-formed sentences without a position (GSA, GSV, VTG, …).
    """

    fixes: tuple[Fix, ...]
    lines: int = 0
    skipped: int = 0
    invalid: int = 0
    jumps: int = 0
    ignored: int = 0
    samples: tuple[str, ...] = ()


class _MalformedError(ValueError):
    """A sentence whose fields cannot be read."""


@dataclass(slots=True)
class _Epoch:
    """Everything the sentences of one receiver epoch (one time of day) said."""

    tod: int  # milliseconds since midnight UTC
    stamp: int | None = None
    day: date | None = None
    lat: float | None = None
    lon: float | None = None
    speed: float | None = None
    course: float | None = None
    altitude: float | None = None
    hdop: float | None = None
    satellites: int | None = None
    invalid: bool = False


def read_gps_file(path: Path) -> GpsTrack:
    """Read and parse a ``.gps`` file (blocking; a missing file has no fixes)."""
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_SIZE)
    except FileNotFoundError:
        return GpsTrack(())
    return parse_gps(data)


def parse_gps(data: bytes | str, *, max_speed: float = MAX_SPEED) -> GpsTrack:
    """Return the valid fixes in a ``.gps`` payload; never raises on bad input."""
    text = data.decode("ascii", errors="replace") if isinstance(data, bytes) else data
    epochs: list[_Epoch] = []
    current: _Epoch | None = None
    lines = skipped = ignored = 0
    samples: list[str] = []
    # Only CR and LF end a line (str.splitlines would also split at junk control characters).
    for raw in _LINE_BREAK.split(text):
        line = raw.strip(" \t\x00")
        if not line:
            continue
        lines += 1
        # Each "$" starts a sentence; a "[epoch-ms]" right before it is that sentence's stamp.
        parts = line.split("$")
        head, stamp = _split_stamp(parts[0])
        bad = len(parts) == 1 or bool(head.strip(_PADDING))
        for part in parts[1:]:
            text, next_stamp = _split_stamp(part)
            try:
                reading = _read_sentence(text, stamp)
            except _MalformedError:
                bad = True
                continue
            finally:
                stamp = next_stamp
            if reading is None:
                ignored += 1
                continue
            if current is None or current.tod != reading.tod:
                current = reading
                epochs.append(current)
            else:
                _merge(current, reading)
        if bad:
            skipped += 1
            if len(samples) < _SAMPLES:
                samples.append(line[:120])
    fixes, invalid = _fixes(epochs, max_speed)
    kept, jumps = _drop_jumps(fixes, max_speed)
    return GpsTrack(
        fixes=tuple(kept),
        lines=lines,
        skipped=skipped,
        invalid=invalid,
        jumps=jumps,
        ignored=ignored,
        samples=tuple(samples),
    )


def _split_stamp(text: str) -> tuple[str, int | None]:
    """Split a trailing ``[epoch-ms]`` off ``text``; (text, None) when there is none."""
    trimmed = text.rstrip(_PADDING)
    if trimmed.endswith("]"):
        opening = trimmed.rfind("[")
        digits = trimmed[opening + 1 : -1]
        if opening >= 0 and 0 < len(digits) <= _STAMP_DIGITS and _digits(digits):
            return trimmed[:opening], int(digits)
    return text, None


def _digits(value: str) -> bool:
    """Return True for a non-empty run of ASCII digits (``str.isdigit`` alone takes any script)."""
    return value.isdigit() and value.isascii()


def _read_sentence(text: str, stamp: int | None) -> _Epoch | None:
    """Return what a sentence (after its ``$``) says about its epoch; None if it has no position."""
    star = text.rfind("*")
    if star >= 0:
        body, given = text[:star], text[star + 1 :].rstrip(_PADDING)
        if "*" in body or len(given) != 2 or not _HEX.issuperset(given):
            raise _MalformedError(text)
        if _checksum(body) != int(given, 16):
            raise _MalformedError(text)
    else:
        body = text.rstrip(_PADDING)
    fields = body.split(",")
    address = fields[0]
    if len(address) != 5 or not (address.isascii() and address.isalpha() and address.isupper()):
        raise _MalformedError(text)
    kind = address[2:]
    if kind not in _MIN_FIELDS:
        return None
    if len(fields) - 1 < _MIN_FIELDS[kind]:
        raise _MalformedError(text)
    if kind == "RMC":
        return _read_rmc(fields[1:], stamp)
    if kind == "GGA":
        return _read_gga(fields[1:], stamp)
    return _read_gll(fields[1:], stamp)


def _checksum(body: str) -> int:
    value = 0
    for char in body.encode("ascii", errors="replace"):
        value ^= char
    return value


def _field(fields: list[str], index: int) -> str:
    return fields[index] if index < len(fields) else ""


def _read_rmc(fields: list[str], stamp: int | None) -> _Epoch:
    # time, status, lat, N/S, lon, E/W, knots, course, ddmmyy, magvar, E/W, mode, nav status
    status, mode = _field(fields, 1), _field(fields, 11)
    valid = status == "A" and mode != "N"
    epoch = _Epoch(_time_of_day(_field(fields, 0), required=valid), stamp, invalid=not valid)
    if not valid:
        return epoch
    _position(epoch, fields[2:6])
    day = _field(fields, 8)
    if day:  # an empty date is left to the neighbours (or the stamp) to give
        epoch.day = _day(day)
        epoch.invalid = epoch.invalid or epoch.day is None
    knots = _number(_field(fields, 6))
    epoch.speed = None if knots is None else knots * KNOT
    epoch.course = _number(_field(fields, 7))
    if epoch.course is not None and not 0.0 <= epoch.course <= 360.0:
        epoch.course = None
    return epoch


def _read_gga(fields: list[str], stamp: int | None) -> _Epoch:
    # time, lat, N/S, lon, E/W, quality, satellites, hdop, altitude, M, geoid, M, age, station
    quality = _field(fields, 5)
    valid = quality.isdigit() and quality.isascii() and int(quality) > 0
    epoch = _Epoch(_time_of_day(_field(fields, 0), required=valid), stamp, invalid=not valid)
    if not valid:
        return epoch
    _position(epoch, fields[1:5])
    satellites = _field(fields, 6)
    epoch.satellites = int(satellites) if satellites.isdigit() and satellites.isascii() else None
    epoch.hdop = _number(_field(fields, 7))
    epoch.altitude = _number(_field(fields, 8), signed=True)
    return epoch


def _read_gll(fields: list[str], stamp: int | None) -> _Epoch:
    # lat, N/S, lon, E/W, time, status, mode
    valid = _field(fields, 5) == "A" and _field(fields, 6) != "N"
    epoch = _Epoch(_time_of_day(_field(fields, 4), required=valid), stamp, invalid=not valid)
    if not valid:
        return epoch
    _position(epoch, fields[0:4])
    return epoch


def _time_of_day(value: str, *, required: bool) -> int:
    """Return milliseconds since midnight; -1 for a missing time where none is required."""
    if not value and not required:
        return -1
    clock, dot, fraction = value.partition(".")
    if len(clock) != 6 or not _digits(clock) or (dot and not (0 < len(fraction) <= 6)):
        raise _MalformedError(value)
    if fraction and not _digits(fraction):
        raise _MalformedError(value)
    hours, minutes, seconds = int(clock[:2]), int(clock[2:4]), int(clock[4:])
    if hours > 23 or minutes > 59 or seconds > 59:
        raise _MalformedError(value)
    milliseconds = int(fraction.ljust(3, "0")[:3]) if fraction else 0
    return ((hours * 60 + minutes) * 60 + seconds) * 1000 + milliseconds


def _day(value: str) -> date | None:
    if len(value) != 6 or not _digits(value):
        return None
    try:
        return date(2000 + int(value[4:]), int(value[2:4]), int(value[:2]))
    except ValueError:
        return None


def _decimal(value: str, *, signed: bool = False) -> bool:
    """Return True for ``[-]digits[.digits]`` in ASCII (float() would also take nan, 1e9, 1_0)."""
    if signed and value.startswith("-"):
        value = value[1:]
    whole, _, fraction = value.partition(".")
    return _digits(whole) and (not fraction or _digits(fraction))


def _number(value: str, *, signed: bool = False) -> float | None:
    return float(value) if _decimal(value, signed=signed) else None


def _position(epoch: _Epoch, fields: list[str]) -> None:
    """Read ``lat, N|S, lon, E|W``; an empty or impossible position marks the epoch invalid."""
    lat_text, north, lon_text, east = [*fields, "", "", "", ""][:4]
    if not lat_text or not lon_text:
        epoch.invalid = True
        return
    lat, lon = _angle(lat_text), _angle(lon_text)
    if north not in ("N", "S") or east not in ("E", "W"):
        raise _MalformedError(",".join(fields))
    if lat is None or lon is None:
        epoch.invalid = True
        return
    lat = -lat if north == "S" else lat
    lon = -lon if east == "W" else lon
    if not valid_position(lat, lon):
        epoch.invalid = True
        return
    epoch.lat, epoch.lon = lat, lon


def _angle(value: str) -> float | None:
    """Return degrees from NMEA's ``(d)ddmm.mmmm``; None when the minutes are impossible."""
    if not _decimal(value):
        raise _MalformedError(value)
    number = float(value)
    degrees = int(number // 100)
    minutes = number - degrees * 100
    if minutes >= 60.0:
        return None
    return degrees + minutes / 60.0


def _merge(epoch: _Epoch, other: _Epoch) -> None:
    """Fold a second sentence of the same epoch in; the first one's values win."""
    epoch.invalid = epoch.invalid or other.invalid
    if epoch.stamp is None:
        epoch.stamp = other.stamp
    for name in ("day", "lat", "lon", "speed", "course", "altitude", "hdop", "satellites"):
        if getattr(epoch, name) is None:
            setattr(epoch, name, getattr(other, name))


def _fixes(epochs: list[_Epoch], max_speed: float) -> tuple[list[Fix], int]:
    """Date the epochs and turn the valid ones into fixes, sorted by time, one per instant."""
    days = _dates(epochs)
    found: dict[datetime, _Epoch] = {}
    invalid = 0
    for epoch, day in zip(epochs, days, strict=True):
        if (
            epoch.invalid
            or day is None
            or epoch.lat is None
            or epoch.lon is None
            or (epoch.speed is not None and epoch.speed > max_speed)
        ):
            invalid += 1
            continue
        # A valid date plus less than a day always fits in a datetime (even on 31 Dec 9999).
        moment = datetime(day.year, day.month, day.day, tzinfo=UTC)
        moment += timedelta(milliseconds=epoch.tod)
        if moment in found:
            _merge(found[moment], epoch)
        else:
            found[moment] = epoch
    fixes = [
        Fix(
            time=moment,
            lat=epoch.lat,
            lon=epoch.lon,
            speed=epoch.speed,
            course=epoch.course,
            altitude=epoch.altitude,
            hdop=epoch.hdop,
            satellites=epoch.satellites,
        )
        for moment, epoch in sorted(found.items())
        if epoch.lat is not None and epoch.lon is not None
    ]
    return fixes, invalid


def _dates(epochs: list[_Epoch]) -> list[date | None]:
    """Give every epoch a date: its own (RMC), a neighbour's across midnight, or its stamp's."""
    days: list[date | None] = [epoch.day for epoch in epochs]
    anchor: tuple[date, int] | None = None
    for index, epoch in enumerate(epochs):
        if epoch.day is not None and not epoch.invalid:
            anchor = (epoch.day, epoch.tod)
        elif anchor is not None and days[index] is None:
            days[index] = _roll(anchor, epoch.tod, forward=True)
    anchor = None
    for index in range(len(epochs) - 1, -1, -1):
        epoch = epochs[index]
        if epoch.day is not None and not epoch.invalid:
            anchor = (epoch.day, epoch.tod)
        elif anchor is not None and days[index] is None:
            days[index] = _roll(anchor, epoch.tod, forward=False)
    for index, epoch in enumerate(epochs):
        if days[index] is None and epoch.stamp is not None:
            days[index] = _date_from_stamp(epoch.stamp, epoch.tod)
    return days


def _roll(anchor: tuple[date, int], tod: int, *, forward: bool) -> date:
    """Return the date of a time of day seen after (or before) an anchor, across midnight."""
    day, anchor_tod = anchor
    if forward and tod < anchor_tod - _HALF_DAY_MS:
        return day + timedelta(days=1)
    if not forward and tod > anchor_tod + _HALF_DAY_MS:
        return day - timedelta(days=1)
    return day


def _date_from_stamp(stamp: int, tod: int) -> date | None:
    """Return the date putting the time of day nearest the camera's stamp (maybe local time)."""
    try:
        stamped = _EPOCH + timedelta(milliseconds=stamp)
    except OverflowError:
        return None
    stamp_tod = (stamped - stamped.replace(hour=0, minute=0, second=0, microsecond=0)) // (
        timedelta(milliseconds=1)
    )
    day = stamped.date()
    try:
        if tod - stamp_tod > _HALF_DAY_MS:
            return day - timedelta(days=1)
        if stamp_tod - tod > _HALF_DAY_MS:
            return day + timedelta(days=1)
    except OverflowError:
        return None
    return day


def _plausible(before: Fix, after: Fix, max_speed: float) -> bool:
    seconds = (after.time - before.time).total_seconds()
    reach = max(JUMP_SLACK, max_speed * seconds)
    return distance(before.lat, before.lon, after.lat, after.lon) <= reach


def _drop_jumps(fixes: Iterable[Fix], max_speed: float) -> tuple[list[Fix], int]:
    """Drop fixes no car could reach in time from the fixes around them.

    Fixes are chained into runs where each follows from the previous one at a plausible speed; a
    fix that fits no recent run starts a new one. Runs of at least ``MIN_SEGMENT`` fixes are real
    (a file with none keeps its longest run); the fixes of shorter runs are jumps.
    """
    runs: list[list[Fix]] = []
    for fix in fixes:
        candidates = [run for run in runs[-_OPEN_SEGMENTS:] if _plausible(run[-1], fix, max_speed)]
        if candidates:
            max(candidates, key=len).append(fix)
        else:
            runs.append([fix])
    if not runs:
        return [], 0
    kept_runs = [run for run in runs if len(run) >= MIN_SEGMENT] or [max(runs, key=len)]
    kept = sorted((fix for run in kept_runs for fix in run), key=lambda fix: fix.time)
    total = sum(len(run) for run in runs)
    return kept, total - len(kept)
