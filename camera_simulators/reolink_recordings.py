"""Recordings on a simulated Reolink SD card: names, sizes and the v3 firmware's drift.

Trigger flags in file names follow the bit layout reolink-aio decodes (``typings.py``,
``FLAGS_CAM_V2``; slayer/reolink-ctl ``vod.py`` reads the same nibbles). Bits are counted from
the most significant bit of the hex field: person 17, vehicle 19, animal 20, timer (schedule)
23, motion 24. The other bits come from the guide's example ``6D28808`` (resolution, frame rate,
audio), so a motion-only main-stream file is named ``..._6D28808_<HEXSIZE>.mp4`` and a person
recording with motion ``..._6D28C08_...``, as in the guide.

Name layouts (``ReolinkRecording.variant``):

- ``"6"``: ``RecM01_<date>_<start>_<end>_<7 hex flags>_<hex size>.mp4`` (the guide, RLC-520A);
- ``"7"``: ``RecM07_..._<end>_0_<10 hex flags>_<hex size>.mp4``;
- ``"10"``: ``RecM0A_..._<end>_0_<14 hex flags>_<hex size>.mp4``, as a real RLC-1224A on firmware
  v3.2.0.6011 names them (``RecS0A_DST20260926_065221_065224_0_55148080000000_4AC87.mp4``, where
  ``55148080000000`` is motion only).

The v3 firmware's sizes drift apart (``make_reolink_recordings(firmware="v3")``): the size in the
name (:attr:`ReolinkRecording.name_size`) is a little below Search's ``size``, and the remuxed bytes
Download serves (:func:`remux_size`) are a little above it; all three differ, deterministically per
recording.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time as dt_time, timedelta
import hashlib
from typing import Literal

from . import content

TRIGGERS = ("person", "vehicle", "animal", "motion", "timer")

type Variant = Literal["6", "7", "10"]
type Firmware = Literal["v7", "v3"]
type DstRule = tuple[int, int, int, int, int, int]

# Bit positions counted from the most significant bit of the flags field (reolink-aio layout).
_FLAG_BITS = {"person": 17, "vehicle": 19, "animal": 20, "timer": 23, "motion": 24}
# The guide's RLC flags without trigger bits: resolution index, PAL, 20 fps, audio.
_BASE_FLAGS = 0x6D28800
# Per variant: hex digits of the flags field, the flags without trigger bits, the name version.
_FLAG_LAYOUT: dict[str, tuple[int, int, str]] = {
    "6": (7, _BASE_FLAGS, "01"),
    "7": (10, _BASE_FLAGS << 12, "07"),
    "10": (14, 0x55148000000000, "0A"),
}
CET_DST_START: DstRule = (3, 5, 0, 2, 0, 0)
"""Central-European DST start: last Sunday of March, 02:00 (Reolink's Dst block layout)."""
CET_DST_END: DstRule = (10, 5, 0, 3, 0, 0)
"""Central-European DST end: last Sunday of October, 03:00."""


def _hash(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


@dataclass
class ReolinkRecording:
    """One file on the simulated SD card.

    ``variant`` picks the name layout (see the module docstring). ``dst_prefix`` writes the date
    as ``DST20230426`` (the camera marks clips recorded during DST). ``name_size`` makes the hex
    size in the name differ from ``size`` (Search's size; default: equal). ``folder`` goes before
    ``Mp4Record`` in the card path: ``"/mnt/sda"`` on v3 firmware, ``"/mnt/sda/<UID>-<NAME>"``
    (spaces allowed) on a Home Hub.

    ``in_progress``: the clip is still being recorded. Its name and Search entry end at
    ``000000``, and each Search that lists it shows ``size`` grown by the simulator's
    ``growth_bytes``; ``ReolinkSimulator.finish_recording`` (or ``finish_after_listings``
    listings) gives it its final end time, size and name.
    """

    start: datetime
    end: datetime
    triggers: frozenset[str]
    size: int
    stream: str = "main"
    variant: Variant = "6"
    dst_prefix: bool = False
    name_size: int | None = None
    folder: str | None = None
    in_progress: bool = False
    finish_after_listings: int | None = None

    @property
    def flags(self) -> str:
        """Return the hex trigger-flags field of the name."""
        unknown = set(self.triggers) - set(TRIGGERS)
        if unknown:
            raise ValueError(f"unknown triggers {sorted(unknown)}")
        digits, value, _ = _FLAG_LAYOUT[self.variant]
        bits = digits * 4
        for trigger in self.triggers:
            value |= 1 << (bits - 1 - _FLAG_BITS[trigger])
        return f"{value:0{digits}X}"

    @property
    def end_field(self) -> str:
        """Return the end time as the name writes it: ``000000`` while still recording."""
        return "000000" if self.in_progress else f"{self.end:%H%M%S}"

    @property
    def basename(self) -> str:
        """Return the file name without its folder."""
        letter = "S" if self.stream == "sub" else "M"
        version = _FLAG_LAYOUT[self.variant][2]
        day = ("DST" if self.dst_prefix else "") + self.start.strftime("%Y%m%d")
        extra = "" if self.variant == "6" else "_0"
        size = self.size if self.name_size is None else self.name_size
        return (
            f"Rec{letter}{version}_{day}_{self.start:%H%M%S}_{self.end_field}"
            f"{extra}_{self.flags}_{size:X}.mp4"
        )

    @property
    def name(self) -> str:
        """Return the SD-card path Search lists and Download takes as ``source``."""
        path = f"Mp4Record/{self.start:%Y-%m-%d}/{self.basename}"
        return f"{self.folder.rstrip('/')}/{path}" if self.folder else path

    @property
    def key(self) -> str:
        """Return a stable key for the recording (stream and start), unlike its name."""
        return f"{self.stream}:{self.start:%Y%m%d%H%M%S}"


def name_size_drift(recording: ReolinkRecording) -> int:
    """How far below Search's size a v3 name's hex size is (16..63 bytes, per recording)."""
    return 16 + _hash("name:" + recording.key) % 48


def remux_size(recording: ReolinkRecording) -> int:
    """Return the length of the remuxed (fragmented) file a v3 Download serves.

    Above Search's size by 1000..3999 bytes (fragment headers), per recording.
    """
    return recording.size + 1000 + _hash("remux:" + recording.key) % 3000


def rule_datetime(year: int, rule: DstRule) -> datetime:
    """Return when a Reolink DST rule fires: week 1-4 = nth weekday, 5 = last; Sunday is 0."""
    month, week, weekday, hour, minute, second = rule
    python_weekday = (weekday - 1) % 7
    first = date(year, month, 1)
    if week >= 5:
        following = date(year + month // 12, month % 12 + 1, 1)
        day = following - timedelta(days=1)
        day -= timedelta(days=(day.weekday() - python_weekday) % 7)
    else:
        day = first + timedelta(days=(python_weekday - first.weekday()) % 7, weeks=week - 1)
    return datetime.combine(day, dt_time(hour, minute, second))


def in_dst(local: datetime, start: DstRule = CET_DST_START, end: DstRule = CET_DST_END) -> bool:
    """Whether camera-local ``local`` falls in the DST window of its year (end excluded)."""
    return rule_datetime(local.year, start) <= local < rule_datetime(local.year, end)


_TRIGGER_CYCLE: tuple[frozenset[str], ...] = (
    frozenset({"motion"}),
    frozenset({"motion", "person"}),
    frozenset({"timer"}),
    frozenset({"motion", "vehicle"}),
    frozenset({"motion", "animal"}),
    frozenset({"motion", "person", "vehicle"}),
    frozenset({"timer", "motion"}),
)


def make_reolink_recordings(
    days: int,
    per_day: int,
    *,
    end: datetime,
    size_range: tuple[int, int] = (200_000, 400_000),
    stream: str = "main",
    firmware: Firmware = "v7",
) -> list[ReolinkRecording]:
    """Return ``per_day`` recordings on each of ``days`` days up to ``end`` (camera-local).

    Deterministic: start times are spread evenly over each day (the last day stops at
    ``end``), triggers cycle through motion, person, timer, vehicle, animal and mixes, and sizes
    come from ``content.size_for``. Sorted oldest first.

    ``firmware="v3"`` names them as the RLC-1224A on v3.2 does: variant ``"10"``, folder
    ``/mnt/sda``, the ``DST`` marker on clips recorded during central-European DST, and a name
    size :func:`name_size_drift` bytes below Search's size.
    """
    recordings: list[ReolinkRecording] = []
    for back in range(days - 1, -1, -1):
        midnight = datetime.combine(end.date() - timedelta(days=back), datetime.min.time())
        window_end = min(midnight + timedelta(days=1), end)
        step = (window_end - midnight) / max(per_day, 1)
        for index in range(per_day):
            start = (midnight + step * index + min(step / 4, timedelta(minutes=5))).replace(
                microsecond=0
            )
            length = min(step / 2, timedelta(seconds=30 + 7 * (index % 9)))
            stop = (start + length).replace(microsecond=0)
            if stop <= start or stop > end:
                continue
            key = f"{stream}:{start:%Y%m%d%H%M%S}"
            recording = ReolinkRecording(
                start=start,
                end=stop,
                triggers=_TRIGGER_CYCLE[len(recordings) % len(_TRIGGER_CYCLE)],
                size=content.size_for(key, *size_range),
                stream=stream,
            )
            if firmware == "v3":
                make_v3(recording)
            recordings.append(recording)
    return recordings


def make_v3(recording: ReolinkRecording) -> ReolinkRecording:
    """Name ``recording`` as v3 firmware does (in place; see ``make_reolink_recordings``)."""
    recording.variant = "10"
    recording.folder = recording.folder or "/mnt/sda"
    recording.dst_prefix = in_dst(recording.start)
    recording.name_size = recording.size - name_size_drift(recording)
    return recording
