"""Reolink recording file names: what they say about time, triggers and size.

``RecM01_<date>_<start>_<end>_<hexflags>_<hexsize>.mp4`` (and the 7- and 9-part variants).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time as dt_time, timedelta
import re

TRIGGER_RANK: Mapping[str, int] = {"person": 0, "vehicle": 1, "animal": 2, "motion": 3, "timer": 4}
TRIGGERS = tuple(TRIGGER_RANK)  # what the options offer to filter on, in that order
OTHER_KIND = "other"
OTHER_RANK = 5

# Trigger bits, counted from the most significant bit of the name's hex flags field
# (reolink-aio typings.py FLAGS_CAM_V2 and the hub's version-2 layout).
_CAM_BITS: Mapping[str, int] = {
    "person": 17,
    "vehicle": 19,
    "animal": 20,
    "timer": 23,
    "motion": 24,
}
_HUB_V2_BITS: Mapping[str, int] = {**_CAM_BITS, "timer": 24, "motion": 25}

# ASCII digits only, matched against the whole name (``\d`` takes any Unicode digit).
_NAME = re.compile(
    r"Rec(?P<stream>[MS])(?P<version>[0-9A-Fa-f]{2})_(?P<dst>DST)?(?P<date>[0-9]{8})"
    r"_(?P<start>[0-9]{6})_(?P<end>[0-9]{6})_(?P<extra>[0-9]+_|[0-9]+_[0-9]+_[0-9]+_)?"
    r"(?P<flags>[0-9A-Fa-f]{7,16})_(?P<size>[0-9A-Fa-f]{1,16})\.mp4",
    re.ASCII,
)


@dataclass(frozen=True, slots=True)
class ParsedName:
    """What a recording's file name says (camera-local naive times)."""

    stream: str
    start: datetime
    end: datetime
    triggers: frozenset[str]
    size: int
    dst: bool = False
    """The name carries the ``DST`` marker: the camera recorded it in daylight-saving time."""
    open_end: bool = False
    """The end field reads ``000000``: midnight, or (usually) a clip still being recorded."""


def parse_recording_name(basename: str) -> ParsedName | None:
    """Parse a Reolink recording file name; None when it is not one (strict pattern)."""
    match = _NAME.fullmatch(basename)
    if match is None:
        return None
    try:
        day = datetime.strptime(match["date"], "%Y%m%d")  # noqa: DTZ007 (camera wall time)
        start = datetime.combine(day.date(), _hms(match["start"]))
        end = datetime.combine(day.date(), _hms(match["end"]))
    except ValueError:
        return None
    if end < start:
        end += timedelta(days=1)
    hub_v2 = match["extra"] is not None and match["extra"].count("_") == 3
    hub_v2 = hub_v2 and int(match["version"], 16) == 2
    return ParsedName(
        stream="sub" if match["stream"] == "S" else "main",
        start=start,
        end=end,
        triggers=decode_triggers(match["flags"], hub_v2=hub_v2),
        size=int(match["size"], 16),
        dst=match["dst"] is not None,
        open_end=match["end"] == "000000",
    )


def is_event_name(basename: str) -> bool:
    """Return True for a recording a detection triggered (person, vehicle, animal, motion)."""
    parsed = parse_recording_name(basename)
    return parsed is not None and bool(parsed.triggers - {"timer"})


def _hms(text: str) -> dt_time:
    return dt_time(int(text[:2]), int(text[2:4]), int(text[4:]))


def decode_triggers(flags: str, *, hub_v2: bool = False) -> frozenset[str]:
    """Return the triggers a hex flags field encodes (bits counted from its top bit)."""
    width = len(flags) * 4
    value = int(flags, 16)
    positions = _HUB_V2_BITS if hub_v2 else _CAM_BITS
    return frozenset(
        trigger
        for trigger, bit in positions.items()
        if bit < width and (value >> (width - 1 - bit)) & 1
    )


def main_trigger(triggers: frozenset[str]) -> str:
    """Return the trigger that names a recording: person > vehicle > animal > motion > timer."""
    known = [trigger for trigger in triggers if trigger in TRIGGER_RANK]
    return min(known, key=TRIGGER_RANK.__getitem__) if known else OTHER_KIND
