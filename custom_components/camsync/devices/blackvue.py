"""BlackVue dashcams over their local HTTP API, both firmware families.

Legacy firmware lists recordings at ``/blackvue_vod.cgi`` and serves every file under ``/Record/``;
firmware V1.009+ answers ``/accessible``, lists at ``/vodList``, serves videos at the root and
sidecars through ``POST /vodMetadata``. The listing parser is lenient about format and strict about
names: a line that is not a plain recording name is skipped and counted, never fatal.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
from collections.abc import AsyncIterator, Iterable
import configparser
import contextlib
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from enum import StrEnum
import json
import logging
import re
from typing import Any

import aiohttp

from ..engine.camera import CameraStorage, Capabilities, DeviceInfo
from ..engine.errors import FileTransferError, ProtocolError
from ..engine.files import run_io
from ..engine.models import FileFacts, FileRole, Listing, Recording, RemoteFile
from .base import (
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_READ_TIMEOUT,
    FILE_READ_BUFSIZE,
    camera_request,
    client_timeout,
    fast_constructor,
    file_request,
)

_LOGGER = logging.getLogger(__name__)

MANUFACTURER = "BlackVue"

# Type letters in events-first order (BlackVue Sync's MEIBOATRXGNP, with the DMS letters it
# forgot placed with the other alerts). F is also a direction; its position tells them apart.
TYPE_ORDER = "MEIBOATDLYFRXGNP"
NON_EVENT_TYPES = frozenset("NPRXG")
DIRECTIONS = "FRIO"
# What the options offer to filter on, in that order: type letters (events first), directions.
RECORDING_KINDS = tuple(TYPE_ORDER)
CHANNELS = tuple(DIRECTIONS)

# Camera input is matched with ASCII-only classes and whole-string matches: ``\d`` would take
# Arabic-Indic or full-width digits and ``$`` a trailing newline, and either name would then
# fail the archive's own ASCII check.
_VIDEO_NAME = re.compile(
    r"(?P<date>[0-9]{8})_(?P<time>[0-9]{6})_(?P<type>[A-Z])(?P<direction>[A-Z])(?P<flag>[LS]?)\.mp4",
    re.ASCII,
)
_SIDECAR_NAME = re.compile(
    r"(?P<date>[0-9]{8})_(?P<time>[0-9]{6})_(?P<type>[A-Z])(?P<direction>[A-Z]?)\.(?:thm|gps|3gf)",
    re.ASCII,
)
_LEGACY_LINE = re.compile(r"n:(?P<path>[^,]*)(?:,s:[0-9]+)?", re.ASCII)
_RECORD_PREFIX = "/Record/"
_LEGACY_PREFIX = "n:" + _RECORD_PREFIX
CLOCK_SET_AFTER = 2000
"""Recordings dated before this year were named by a clock that was never set (1970-01-01 on)."""
_SAMPLES = 5
_SNAPSHOT_LIMIT = 4 * 1024 * 1024
SNAPSHOT_TIMEOUT = 10.0
PARKING_KINDS = frozenset("PI")
"""Parking mode's type letters: motion (P) and impact (I) while the car stands."""
PARKING_MOTION_KINDS = frozenset("P")
"""Parking recordings that are no event (motion only): what zone skipping may leave out."""
CAPABILITIES = Capabilities(
    live_snapshot=True,
    # One client at a time: a live frame would stall the download.
    snapshot_while_syncing=False,
    sidecars=True,
    gps=True,
    parking_kinds=PARKING_KINDS,
)


class Firmware(StrEnum):
    """The two API generations."""

    LEGACY = "legacy"
    V1009 = "v1009"


@dataclass(frozen=True, slots=True)
class VideoName:
    """The parts of a recording's file name."""

    name: str
    start: datetime
    type: str
    direction: str

    @property
    def stem(self) -> str:
        """Return ``<date>_<time>_<T>``, the name shared by a recording's GPS and G-sensor data."""
        return self.name[:17]


def parse_video_name(name: str, tz: tzinfo) -> VideoName | None:
    """Return the parts of a BlackVue recording name, or None when it is not one we know."""
    if _VIDEO_NAME.fullmatch(name) is None:
        return None
    # The pattern fixed every position: slices are much cheaper than the match's groups.
    kind, direction = name[16], name[17]
    if kind not in TYPE_ORDER or direction not in DIRECTIONS:
        return None
    start = _parse_time(name[:8], name[9:15], tz)
    if start is None:
        return None
    return VideoName(name, start, kind, direction)


def _parse_time(day: str, clock: str, tz: tzinfo) -> datetime | None:
    # Slices of digits the pattern already checked: several times faster than strptime.
    try:
        return datetime(
            int(day[:4]),
            int(day[4:6]),
            int(day[6:]),
            int(clock[:2]),
            int(clock[2:4]),
            int(clock[4:]),
            tzinfo=tz,
        )
    except ValueError:
        return None


def recorded_at(name: str, tz: tzinfo) -> datetime | None:
    """Return when a BlackVue video or sidecar was recorded, None for any other name."""
    video = parse_video_name(name, tz)
    if video is not None:
        return video.start
    match = _SIDECAR_NAME.fullmatch(name)
    if match is None or match["type"] not in TYPE_ORDER:
        return None
    return _parse_time(match["date"], match["time"], tz)


def recording_kind(name: str) -> str | None:
    """Return the type letter of a BlackVue video or sidecar name, None for any other name."""
    match = _VIDEO_NAME.fullmatch(name) or _SIDECAR_NAME.fullmatch(name)
    if match is None or match["type"] not in TYPE_ORDER:
        return None
    return match["type"]


_SIDECAR_ROLES = {".thm": FileRole.THUMBNAIL, ".gps": FileRole.GPS, ".3gf": FileRole.ACCELEROMETER}


def is_event_name(name: str) -> bool:
    """Return True for a video or sidecar of an event recording (impact, manual, alerts)."""
    facts = describe(name)
    return facts is not None and facts.event


def describe(name: str) -> FileFacts | None:
    """Return a video's or sidecar's type letter, direction and role; None for other names.

    A video's thumbnail is ``<date>_<time>_<type><direction>.thm``; that thumbnail's video is
    the same name with ``.mp4`` (a video with a flag letter has the same thumbnail).
    """
    video = _VIDEO_NAME.fullmatch(name)
    if video is not None:
        if video["type"] not in TYPE_ORDER or video["direction"] not in DIRECTIONS:
            return None
        return FileFacts(
            role=FileRole.VIDEO,
            kind=video["type"],
            channel=video["direction"],
            event=video["type"] not in NON_EVENT_TYPES,
            thumbnail=f"{name[:17]}{video['direction']}.thm",
        )
    sidecar = _SIDECAR_NAME.fullmatch(name)
    if sidecar is None or sidecar["type"] not in TYPE_ORDER:
        return None
    direction = sidecar["direction"]
    role = _SIDECAR_ROLES[name[-4:]]
    return FileFacts(
        role=role,
        kind=sidecar["type"],
        channel=direction,
        event=sidecar["type"] not in NON_EVENT_TYPES,
        video=f"{name[:-4]}.mp4" if role is FileRole.THUMBNAIL and direction else None,
    )


def parse_legacy_listing(text: str) -> tuple[list[str], list[str]]:
    """Split a ``blackvue_vod.cgi`` body into listed names and skipped lines."""
    names: list[str] = []
    skipped: list[str] = []
    add = names.append
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("v:"):
            continue
        # Most lines are "n:/Record/<name>,s:<digits>": cut there, and check what the cut
        # leaves with the line pattern only when it is anything else.
        name, comma, size = line[10:].partition(",")
        if (
            line.startswith(_LEGACY_PREFIX)
            and "," not in size
            and (not comma or (size.startswith("s:") and size[2:].isdigit() and size.isascii()))
        ):
            add(name)
            continue
        match = _LEGACY_LINE.fullmatch(line)
        path = match["path"] if match else ""
        if not path.startswith(_RECORD_PREFIX):
            skipped.append(line)
            continue
        add(path.removeprefix(_RECORD_PREFIX))
    return names, skipped


def parse_vod_list(payload: Any) -> tuple[list[str], list[str]]:
    """Split a ``/vodList`` JSON answer into listed names and skipped entries."""
    if not isinstance(payload, dict) or not isinstance(payload.get("filelist"), list):
        raise ProtocolError("The camera's /vodList answer has no file list")
    names: list[str] = []
    skipped: list[str] = []
    for entry in payload["filelist"]:
        name = entry.get("filename") if isinstance(entry, dict) else None
        if isinstance(name, str):
            names.append(name.removeprefix(_RECORD_PREFIX).lstrip("/"))
        else:
            skipped.append(repr(entry)[:80])
    return names, skipped


@dataclass(frozen=True, slots=True)
class _Shared:
    """What the front and rear videos of one moment share: their start, GPS and G-sensor files."""

    start: datetime
    gps: RemoteFile | None
    accelerometer: RemoteFile | None


@dataclass(frozen=True, slots=True)
class _Built:
    """The recordings of the last listing by name, and the zone and API they were read with."""

    tz: tzinfo | None
    firmware: Firmware | None
    recordings: dict[str, Recording]


@dataclass(frozen=True, slots=True)
class _LastListing:
    """The camera's last listing answer and what it was turned into."""

    text: str
    since: datetime | None
    tz: tzinfo
    firmware: Firmware
    listing: Listing

    def matches(self, text: str, since: datetime | None, tz: tzinfo, firmware: Firmware) -> bool:
        """Return whether a new answer would be turned into the same listing."""
        return (
            self.firmware is firmware
            and self.since == since
            and self.tz == tz
            and self.text == text
        )


_RANKS = {kind: rank for rank, kind in enumerate(TYPE_ORDER)}
_CLOCK_UNSET = "clock unset"
# A listing builds thousands of these: positional constructors that skip the frozen
# dataclasses' per-field object.__setattr__ (see fast_constructor).
_remote_file = fast_constructor(RemoteFile)
_new_recording = fast_constructor(Recording)
_NO_TAGS: frozenset[str] = frozenset()


def _listed_recording(
    name: str, tz: tzinfo, legacy: bool, shared: dict[str, _Shared]
) -> Recording | str | None:
    """Build a listed recording and its files (video first); None when the name is not one.

    Return ``_CLOCK_UNSET`` for a recording named by a clock that was never set. A front and a
    rear video of one moment share one start and, on legacy firmware, one GPS and one G-sensor
    file: they are built once (``shared``), which saves a listing a third of its objects.
    """
    if _VIDEO_NAME.fullmatch(name) is None:
        return None
    # The pattern fixed every position: slices are much cheaper than the match's groups.
    kind, direction = name[16], name[17]
    if kind not in TYPE_ORDER or direction not in DIRECTIONS:
        return None
    stem = name[:17]
    common = shared.get(stem)
    if common is None:
        start = _parse_time(name[:8], name[9:15], tz)
        if start is None:
            return None
        gps = accelerometer = None
        if legacy:
            gps = _remote_file(
                f"{stem}.gps", FileRole.GPS, f"{_RECORD_PREFIX}{stem}.gps", None, False, False, True
            )
            accelerometer = _remote_file(
                f"{stem}.3gf",
                FileRole.ACCELEROMETER,
                f"{_RECORD_PREFIX}{stem}.3gf",
                None,
                False,
                False,
                True,
            )
        common = shared[stem] = _Shared(start, gps, accelerometer)
    if common.start.year < CLOCK_SET_AFTER:
        return _CLOCK_UNSET  # the clock was never set: the name's time means nothing
    thumbnail = f"{stem}{direction}.thm"
    files: tuple[RemoteFile, ...]
    if common.gps is not None and common.accelerometer is not None:
        files = (
            _remote_file(name, FileRole.VIDEO, _RECORD_PREFIX + name, None, True, False, True),
            _remote_file(
                thumbnail,
                FileRole.THUMBNAIL,
                _RECORD_PREFIX + thumbnail,
                None,
                False,
                False,
                True,
            ),
            common.gps,
            common.accelerometer,
        )
    else:
        files = (
            _remote_file(name, FileRole.VIDEO, "/" + name, None, True, False, True),
            _remote_file(
                thumbnail, FileRole.THUMBNAIL, f"{name}#thumbnail", None, False, True, True
            ),
            _remote_file(f"{stem}.gps", FileRole.GPS, f"{name}#gps", None, False, True, True),
        )
    return _new_recording(
        name,
        common.start,
        kind,
        direction,
        kind not in NON_EVENT_TYPES,
        _RANKS[kind],
        files,
        _NO_TAGS,
    )


class BlackVueClient:
    """A BlackVue dashcam; follows ``engine.camera.CameraClient``."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        host: str,
        *,
        tz: tzinfo,
        dst_zone: tzinfo | None = None,
        connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
        read_timeout: float = DEFAULT_READ_TIMEOUT,
    ) -> None:
        """Talk to the dashcam at ``host`` (a host name or address, with an optional port).

        ``tz`` is the camera clock's zone when it keeps standard time (a fixed offset).
        ``dst_zone`` is the local zone with its daylight-saving rules: used instead when the
        camera's own settings say it applies DST (``Daylight=1``) and its offset agrees.
        """
        self._session = session
        self._host = host
        self._base = f"http://{host}"
        self._given_tz = tz
        self._dst_zone = dst_zone
        self._tz = tz
        self._clock: ClockSettings | None = None
        self._timeout = client_timeout(connect_timeout, read_timeout)
        self.firmware: Firmware | None = None
        self._told_clock_unset = False
        self._built = _Built(None, None, {})
        self._last_listing: _LastListing | None = None

    @property
    def host(self) -> str:
        """Return the host (and port) of the dashcam."""
        return self._host

    @property
    def capabilities(self) -> Capabilities:
        """Return what a dashcam can do: sidecars, a live frame when no sync runs."""
        return CAPABILITIES

    @property
    def time_zone(self) -> tzinfo:
        """Return the zone the camera's file names are read in (after its settings were read)."""
        return self._tz

    async def async_get_info(self) -> DeviceInfo:
        """Detect the firmware family and read the model and version when the camera tells."""
        firmware = await self._detect_firmware()
        model, version = await self._read_version()
        await self._read_clock()
        extra: dict[str, Any] = {"api": firmware.value, "time_zone": self._tz.tzname(None)}
        if self._clock is not None:
            extra["daylight"] = self._clock.daylight
        return DeviceInfo(
            manufacturer=MANUFACTURER,
            model=model,
            firmware=version,
            configuration_url=self._base,
            extra=extra,
        )

    async def async_list_recordings(self, *, since: datetime | None = None) -> Listing:
        """List the recordings; ``since`` drops older ones (the camera cannot filter).

        The same answer as last time (the usual case between two recordings) returns the same
        listing without parsing it again; a changed one builds only the recordings it did not
        list before.
        """
        firmware = await self._detect_firmware()
        await self._read_clock()
        path = "/blackvue_vod.cgi" if firmware is Firmware.LEGACY else "/vodList"
        text = await self._get_text(path)
        last = self._last_listing
        if last is not None and last.matches(text, since, self._tz, firmware):
            self._note_clock_unset(last.listing.clock_unset)
            return last.listing
        if firmware is Firmware.LEGACY:
            names, skipped = parse_legacy_listing(text)
        else:
            names, skipped = parse_vod_list(_decode_json(path, text))
        # A full SD card lists thousands of recordings: build them off the event loop.
        listing = await run_io(self._recordings, names, skipped, firmware, since)
        self._last_listing = _LastListing(text, since, self._tz, firmware, listing)
        return listing

    @contextlib.asynccontextmanager
    async def open_file(
        self, file: RemoteFile, offset: int
    ) -> AsyncIterator[aiohttp.ClientResponse]:
        """GET the file, asking for the bytes from ``offset`` on."""
        headers = {"Range": f"bytes={offset}-"} if offset else {}
        with file_request(self._host, file.name):
            response = await self._session.get(
                self._base + file.locator,
                headers=headers,
                timeout=self._timeout,
                allow_redirects=False,
                auto_decompress=False,
                read_bufsize=FILE_READ_BUFSIZE,
            )
        try:
            yield response
        finally:
            response.release()

    async def async_fetch_inline(self, file: RemoteFile) -> bytes:
        """Fetch a sidecar through ``POST /vodMetadata`` (firmware V1.009+).

        A well-formed answer without the asked type (``{}``, ``{"metadata": {}}``: a parking
        clip has no GPS) means the recording has no such file, as the legacy API's 404 does.
        Broken JSON or base64 is a ProtocolError.
        """
        video, _, kind = file.locator.rpartition("#")
        with file_request(self._host, file.name):
            async with self._session.post(
                f"{self._base}/vodMetadata",
                json={"file": video, "types": [kind]},
                timeout=self._timeout,
                allow_redirects=False,
            ) as response:
                status = response.status
                text = await response.text(errors="replace")
        if status == 404:
            raise FileTransferError(file.name, "not_found", "the camera does not know the video")
        if status != 200:  # a busy camera's 503 is retried by the engine
            raise FileTransferError(file.name, f"http_{status}", "/vodMetadata")
        encoded = metadata_entry(_decode_json("/vodMetadata", text), kind)
        if encoded is None:
            raise FileTransferError(file.name, "not_found", f"the camera has no {kind} for it")
        try:
            # Some firmwares wrap the base64 at 76 characters (MIME style).
            return base64.b64decode("".join(encoded.split()), validate=True)
        except (binascii.Error, ValueError) as err:
            raise ProtocolError(f"The {kind} of {video} is not valid base64") from err

    async def async_snapshot(self, direction: str = "F") -> bytes:
        """Return one JPEG frame from the live MJPEG stream (read with a byte and time cap)."""
        url = f"{self._base}/blackvue_live.cgi?direction={direction}"
        buffer = bytearray()
        with camera_request(self._host):
            async with (
                asyncio.timeout(SNAPSHOT_TIMEOUT),
                self._session.get(url, timeout=self._timeout) as resp,
            ):
                if resp.status != 200:
                    raise ProtocolError(f"Live view answered HTTP {resp.status}")
                async for data in resp.content.iter_any():
                    buffer += data
                    frame = first_jpeg(buffer)
                    if frame is not None:
                        return frame
                    if len(buffer) > _SNAPSHOT_LIMIT:
                        break
        raise ProtocolError("The live view sent no complete JPEG frame")

    async def async_get_storage(self) -> CameraStorage | None:
        """Return None: the dashcam does not report its SD card over HTTP."""
        return None

    def recorded_at(self, name: str) -> datetime | None:
        """Return when an archived video or sidecar was recorded (its name says so)."""
        return recorded_at(name, self._tz)

    def describe(self, name: str) -> FileFacts | None:
        """Return what an archived video's or sidecar's name says."""
        return describe(name)

    async def async_close(self) -> None:
        """Nothing to release: the dashcam has no sessions."""

    async def _detect_firmware(self) -> Firmware:
        if self.firmware is not None:
            return self.firmware
        with camera_request(self._host):
            async with self._session.get(
                f"{self._base}/accessible", timeout=self._timeout, allow_redirects=False
            ) as response:
                await response.read()
                status = response.status
        if status == 200:
            self.firmware = Firmware.V1009
        elif status == 404:
            self.firmware = Firmware.LEGACY
        else:
            raise ProtocolError(f"Unexpected answer to /accessible: HTTP {status}")
        _LOGGER.debug("%s speaks the %s API", self._host, self.firmware.value)
        return self.firmware

    async def _read_version(self) -> tuple[str | None, str | None]:
        """Return (model, firmware) from ``/Config/version.bin``; it is unreliable, so optional."""
        try:
            text = await self._get_text("/Config/version.bin")
        except ProtocolError:
            return None, None
        return parse_version(text)

    async def _read_clock(self) -> None:
        """Learn from ``/Config/config.ini`` how the camera keeps time; keep the zone if it won't.

        Only ``TimeZone`` and ``Daylight`` are read: the file also holds Wi-Fi passwords, so
        its text goes nowhere else.
        """
        try:
            text = await self._get_text("/Config/config.ini")
        except ProtocolError as err:
            _LOGGER.debug("%s: no clock settings (%s)", self._host, err)
            return
        clock = parse_clock_settings(text)
        if clock is None:
            return
        zone = clock_zone(clock, self._given_tz, self._dst_zone)
        if clock != self._clock:
            standard = self._given_tz.utcoffset(None)
            _LOGGER.debug(
                "%s: camera time zone %s%s, daylight saving %s: file names read in %s",
                self._host,
                clock.offset,
                "" if clock.offset in (None, standard) else f" (not the expected {standard})",
                "on" if clock.daylight else "off",
                zone,
            )
        self._clock, self._tz = clock, zone

    def _recordings(
        self,
        names: Iterable[str],
        skipped_lines: list[str],
        firmware: Firmware,
        since: datetime | None,
    ) -> Listing:
        tz = self._tz
        built = self._built
        known = built.recordings if built.tz == tz and built.firmware is firmware else {}
        kept: dict[str, Recording] = {}
        shared: dict[str, _Shared] = {}
        recordings: list[Recording] = []
        skipped = list(skipped_lines)
        clock_unset = 0
        legacy = firmware is Firmware.LEGACY
        for name in names:
            recording = known.get(name)
            if recording is None:
                try:
                    built_now = _listed_recording(name, tz, legacy, shared)
                except Exception:  # noqa: BLE001 (one odd entry never ends a listing)
                    _LOGGER.debug("Cannot read listed name %r", name, exc_info=True)
                    built_now = None
                if built_now is None:
                    skipped.append(name)
                    continue
                if isinstance(built_now, str):
                    clock_unset += 1
                    continue
                recording = built_now
            kept[name] = recording
            if since is None or recording.start >= since:
                recordings.append(recording)
        self._built = _Built(tz, firmware, kept)
        self._note_clock_unset(clock_unset)
        return Listing(
            tuple(recordings),
            len(skipped),
            tuple(s[:120] for s in skipped[:_SAMPLES]),
            clock_unset=clock_unset,
        )

    def _note_clock_unset(self, count: int) -> None:
        """Say once (per client) that the dashcam's clock was never set; debug after that."""
        if not count:
            return
        level = logging.DEBUG if self._told_clock_unset else logging.INFO
        self._told_clock_unset = True
        _LOGGER.log(
            level,
            "%s lists %d recordings dated 1970: its clock was never set, so camsync cannot "
            "tell when they were recorded and leaves them on the camera; set the dashcam's clock",
            self._host,
            count,
        )

    async def _get_text(self, path: str) -> str:
        with camera_request(self._host):
            async with self._session.get(
                self._base + path, timeout=self._timeout, allow_redirects=False
            ) as response:
                if response.status != 200:
                    raise ProtocolError(f"{path} answered HTTP {response.status}")
                body = await response.read()
                charset = response.charset or "utf-8"
        try:
            return body.decode(charset, errors="replace")
        except LookupError:
            return body.decode("utf-8", errors="replace")

    async def _get_json(self, path: str) -> Any:
        return _decode_json(path, await self._get_text(path))


def metadata_entry(payload: Any, kind: str) -> str | None:
    """Return the base64 text of ``kind`` in a ``/vodMetadata`` answer, None when it has none.

    The types sit under ``metadata`` on most firmwares and at the top level on some. Anything
    that is there but is not text is a ProtocolError.
    """
    if not isinstance(payload, dict):
        raise ProtocolError("The camera's /vodMetadata answer is not an object")
    nested = payload.get("metadata")
    found = nested.get(kind) if isinstance(nested, dict) else payload.get(kind)
    if found is None or found == "":
        return None
    if not isinstance(found, str):
        raise ProtocolError(f"The camera's {kind} metadata is not text")
    return found


def _decode_json(path: str, text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as err:
        raise ProtocolError(f"{path} did not answer JSON") from err


@dataclass(frozen=True, slots=True)
class ClockSettings:
    """How the dashcam keeps its clock (``[Tab1]`` of config.ini)."""

    offset: timedelta | None
    daylight: bool


_TIME_ZONE = re.compile(r"([+-]?)([0-9]{1,4})", re.ASCII)


def parse_clock_settings(text: str) -> ClockSettings | None:
    """Return ``TimeZone`` (signed ``HHMM``: ``100`` is UTC+1) and ``Daylight`` from config.ini."""
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string(text.replace("\x00", ""))
    except configparser.Error:
        return None
    if not parser.has_section("Tab1"):
        return None
    section = parser["Tab1"]
    offset = None
    match = _TIME_ZONE.fullmatch(section.get("TimeZone", "").strip())
    if match is not None:
        hours, minutes = divmod(int(match[2]), 100)
        if minutes < 60 and hours <= 14:
            offset = timedelta(hours=hours, minutes=minutes) * (-1 if match[1] == "-" else 1)
    return ClockSettings(offset, section.get("Daylight", "0").strip() == "1")


def clock_zone(clock: ClockSettings, given: tzinfo, dst_zone: tzinfo | None) -> tzinfo:
    """Return the zone the camera's names are in: ``dst_zone`` when it applies DST, else ``given``.

    The camera says whether it applies daylight saving but not by which rules: the local zone's
    are the best guess. Its ``TimeZone`` is only compared (in the log), since the meaning of
    that field is documented by third parties only.
    """
    return dst_zone if clock.daylight and dst_zone is not None else given


def parse_version(text: str) -> tuple[str | None, str | None]:
    """Return (model, firmware) from version.bin: INI on newer firmware, a bare string before."""
    text = text.strip().strip("\x00")
    if text.startswith("["):
        parser = configparser.ConfigParser(interpolation=None)
        try:
            parser.read_string(text)
        except configparser.Error:
            return None, None
        section = parser["firmware"] if parser.has_section("firmware") else None
        if section is None:
            return None, None
        return section.get("model"), section.get("version")
    model, _, version = text.partition(" ")
    return (model or None), (version.strip() or None)


_PART_LENGTH = re.compile(rb"Content-Length:[ \t]*([0-9]+)\r?\n\r?\n", re.IGNORECASE)


def first_jpeg(buffer: bytes | bytearray) -> bytes | None:
    """Return the first whole JPEG in a multipart MJPEG buffer, None until one has arrived.

    The part's Content-Length is trusted first: scanning for the end marker alone would stop
    at the end of a thumbnail embedded in the frame's EXIF data.
    """
    match = _PART_LENGTH.search(buffer)
    if match is not None:
        start, length = match.end(), int(match[1])
        frame = bytes(buffer[start : start + length])
        return frame if len(frame) == length and frame.startswith(b"\xff\xd8") else None
    start = buffer.find(b"\xff\xd8")
    end = buffer.rfind(b"\xff\xd9")
    return bytes(buffer[start : end + 2]) if 0 <= start < end else None
