"""A simulated BlackVue dashcam: an ``aiohttp.web`` app that misbehaves on demand.

It serves both API generations described in ``shared/reference/blackvue-api.md`` (legacy firmware
and V1.009+), with deterministic content: videos are well-formed MP4 files from
:mod:`camera_simulators.content`, generated in chunks (never a whole file in memory, so a benchmark
can serve gigabytes), or real clips (``clips=``, :mod:`camera_simulators.clips`); sidecars are
generated from their names. :class:`BlackVueFaults` holds the fault knobs; a test may change them
at any time and each request reads them when it arrives.

Real-camera variants (``shared/reference/real-cameras.md`` §BlackVue 1-5): ``/vodMetadata`` in the
nested, top-level and line-wrapped shapes, with ``{}``/``{"metadata": {}}`` for a type the
recording lacks (``metadata_shape``, ``metadata_line_wrap``, ``metadata_absent``); recordings of a
camera whose clock was never set (:func:`clock_unset_recordings`, ``19700101_000000_*``); names
with non-ASCII digits (:func:`non_ascii_digits`); a 503 once per name (``http_503_once``);
``/Config/config.ini`` with ``[Tab1] TimeZone=``/``Daylight=`` (``time_zone``, ``daylight``);
a mid-file TCP reset (``reset_after``).

**config.ini, what is evidence and what is assumed.** The keys and sections follow a real DR900X
Plus file (firmware 1.015) catalogued by tekgnosis-net/blackvuesync-v2 (85 keys in ``[Tab1]``,
``[Tab2]``, ``[Tab3]``, ``[Wifi]``, ``[Cloud]``; ``TimeZone`` is a signed ``HHMM`` offset,
``1000`` = UTC+10, ``-1100`` = UTC-11; ``Daylight`` 0/1) and the DR900S table of
DavidMetcalfe/BlackVue-DR900S-config (``TimeSet``, ``GpsSync``, ``ap_ssid`` such as
``Blackvue900S-C12C69``, ``*_pw`` stored as 64 hex characters). Assumed: the subset of keys
served here, their order, CRLF line endings, ``100`` for UTC+1 (no leading zero), and that V1.009
firmware serves the file as the legacy firmware does. The password values are invented.

**Identity.** No source shows a serial number in ``version.bin``, ``config.ini`` or the V1.009
JSON: ``version.bin`` holds the model and firmware version, ``config.ini`` has no serial key in
the 85 catalogued; the only per-camera value seen is the default hotspot name ``ap_ssid`` (model
plus six hex digits, user-changeable). The MP4s' own ``cprt`` metadata carries a product serial
(per a real Elite 9 card), which is not served over HTTP here. So the simulator serves
``ap_ssid`` (``ap_ssid`` knob) and no serial.

The module reads top to bottom: the data model (recordings, faults, request log), sidecar content,
Range planning, then :class:`BlackVueSimulator` with its lifecycle, the camera-wide faults
(middleware), the routes, and last the body streamer where the per-file faults live.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Awaitable, Callable, Iterator
import contextlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
import fcntl
from functools import lru_cache
import hashlib
import random
import re
import socket
import struct
import termios
from types import TracebackType
from typing import Any, Literal, Self

from aiohttp import hdrs, web
from aiohttp.web_protocol import RequestHandler

from camera_simulators import content
from camera_simulators.clips import ClipLibrary
from camera_simulators.jpeg import make_jpeg
from camera_simulators.route import DashcamGps, Journey

MODEL = "DR900X-2CH"
FIRMWARE_VERSION = "1.012"
PLACEHOLDER_SIZE = 1000000
"""The ``s:`` value of every legacy listing line: a placeholder, not a byte count."""
THUMBNAIL_SIZE = (704, 480)
LIVE_FPS = 5
LIVE_BOUNDARY = "blackvue-live"
_INVENTED_PASSWORD = "0123456789ABCDEF" * 4  # the camera stores passwords as 64 hex characters
PARKING_KINDS = "PI"
"""Type letters whose recordings :func:`make_recordings` creates without a ``.gps``."""

type Firmware = Literal["legacy", "v1009"]
type RangeMode = Literal["honour", "ignore", "416", "bad_content_range"]
type MetadataShape = Literal["nested", "top_level"]
type _Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

_CHUNK_SIZE = 256 * 1024
_SHUTDOWN_TIMEOUT = 1.0
_FLUSH_TIMEOUT = 1.0
_FLUSH_POLL = 0.002
_GPS_SECONDS = 40
_ACCEL_RECORDS = 600  # 60 s at 10 Hz
_EXCHANGE_KEY = "camsync_blackvue_exchange"
_VIDEO_NAME = re.compile(
    r"^(?P<stamp>\d{8}_\d{6})_(?P<kind>[A-Z])(?P<direction>[A-Z])(?P<flag>[LS]?)\.mp4$"
)
_RANGE = re.compile(r"^bytes=(\d+)-(\d*)$")
_CONTENT_TYPES = {
    ".mp4": "video/mp4",
    ".thm": "image/jpeg",
    ".gps": "text/plain",
    ".3gf": "application/octet-stream",
}


# --- Data model -------------------------------------------------------------------------------


@dataclass
class SimRecording:
    """One video file on the simulated SD card; its sidecars are derived from its name."""

    name: str
    size: int
    has_gps: bool = True
    has_3gf: bool = True

    def sidecar_names(self) -> list[str]:
        """Return the sidecars the legacy API serves for this video: ``.thm``, ``.gps``, ``.3gf``.

        Sidecar names drop the L/S upload flag; ``.gps`` and ``.3gf`` also drop the direction, so
        both channels of a recording share them. A name outside the BlackVue pattern has none.
        """
        match = _VIDEO_NAME.match(self.name)
        if match is None:
            return []
        base = f"{match['stamp']}_{match['kind']}"
        names = [f"{base}{match['direction']}.thm"]
        if self.has_gps:
            names.append(f"{base}.gps")
        if self.has_3gf:
            names.append(f"{base}.3gf")
        return names


def make_recordings(
    count: int,
    *,
    start: datetime,
    step: timedelta = timedelta(minutes=1),
    size_range: tuple[int, int] = (200_000, 400_000),
    kinds: str = "NEP",
    directions: str = "FR",
) -> list[SimRecording]:
    """Return ``count`` recordings, one video per direction each, oldest first.

    Recording ``i`` starts at ``start + i * step`` (camera local time, used as given) with type
    ``kinds[i % len(kinds)]``. Sizes come from :func:`content.size_for`; recordings of a
    :data:`PARKING_KINDS` type have no ``.gps``.
    """
    recordings = []
    for index in range(count):
        kind = kinds[index % len(kinds)]
        stamp = (start + index * step).strftime("%Y%m%d_%H%M%S")
        for direction in directions:
            name = f"{stamp}_{kind}{direction}.mp4"
            size = content.size_for(name, *size_range)
            recordings.append(SimRecording(name, size, has_gps=kind not in PARKING_KINDS))
    return recordings


def journey_recordings(
    journey: Journey,
    *,
    size_range: tuple[int, int] = (200_000, 400_000),
    directions: str = "FR",
) -> list[SimRecording]:
    """Return the recordings a dashcam makes of a journey (``route.Journey``), oldest first.

    Names are the journey's local wall time; parking recordings the journey made without GPS
    have no ``.gps``. Serve them with ``gps=DashcamGps([journey], tz=...)``.
    """
    recordings = []
    for window in journey.recordings():
        for direction in directions:
            name = window.video(direction)
            size = content.size_for(name, *size_range)
            recordings.append(SimRecording(name, size, has_gps=window.has_gps))
    return recordings


def clock_unset_recordings(
    count: int,
    *,
    step: timedelta = timedelta(minutes=1),
    size_range: tuple[int, int] = (200_000, 400_000),
    kinds: str = "NEP",
    directions: str = "FR",
) -> list[SimRecording]:
    """Return recordings of a camera whose clock was never set: ``19700101_000000_NF.mp4`` on.

    Real listings show such names (the clock starts at the epoch after a reset).
    """
    return make_recordings(
        count,
        start=datetime(1970, 1, 1),  # noqa: DTZ001  (camera-local wall time)
        step=step,
        size_range=size_range,
        kinds=kinds,
        directions=directions,
    )


_DIGITS = {
    "arabic_indic": "\u0660\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669",
    "fullwidth": "\uff10\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18\uff19",
}


def non_ascii_digits(
    name: str, style: Literal["arabic_indic", "fullwidth"] = "arabic_indic"
) -> str:
    """Return ``name`` with the digits of its date and time in another script.

    ``20260101_120000_NF.mp4`` becomes the same name written with Arabic-Indic digits (U+0660 to
    U+0669) or full-width digits (U+FF10 to U+FF19): a Unicode-digit pattern matches them, ``[0-9]``
    does not.
    """
    table = str.maketrans("0123456789", _DIGITS[style])
    stamp, rest = name[:15], name[15:]
    return stamp.translate(table) + rest


@dataclass
class BlackVueFaults:
    """Fault knobs. All may change at any time; an empty or ``None`` value means no fault.

    Per-file offsets (``truncate``, ``reset_after``, ``stall``) count from the first byte of the
    body of the response concerned, so they apply to ranged responses too; an offset at or past
    the end of that body has no effect.
    """

    firmware: Firmware = "legacy"
    range_mode: RangeMode = "honour"
    truncate: dict[str, int] = field(default_factory=dict)
    """Name -> send only N body bytes (Content-Length still says all), then close cleanly."""
    reset_after: dict[str, int] = field(default_factory=dict)
    """Name -> after N body bytes, abort the connection with a TCP RST."""
    stall: dict[str, tuple[int, float]] = field(default_factory=dict)
    """Name -> (N, S): after N body bytes, send nothing for S seconds, then carry on."""
    http_500: set[str] = field(default_factory=set)
    """Names answered with HTTP 500 (a corrupt file on the SD card)."""
    listing_error: bool = False
    extra_listing_lines: list[str] = field(default_factory=list)
    """Raw lines appended to the legacy listing (V1.009: ``{"filename": line}`` entries)."""
    line_ending: str = "\r\n"
    version_header: str = "v:1.00"
    version_format: Literal["ini", "bare"] = "ini"
    throughput: int | None = None
    """Cap in bytes per second for file bodies, per connection."""
    latency: float = 0.0
    """Seconds before answering any request."""
    single_client: bool = False
    """A request arriving on a second connection while another one is in flight gets a 503."""
    go_away_after_bytes: int | None = None
    """After this many more video body bytes, the camera goes away (as stop(): the car drove off).

    Counted from when the value is set (or from start() if it was set before), over all
    connections. One-shot: when it fires the simulator sets it back to ``None``, so ``restart()``
    brings back a camera that stays.
    """
    box_damage: dict[str, int] = field(default_factory=dict)
    """Video name -> N: its last ``mdat`` declares N bytes more than it holds (length honest)."""
    http_503_once: set[str] = field(default_factory=set)
    """Names (videos, sidecars, or videos asked for on ``/vodMetadata``) answered 503 once each:
    the name leaves the set when it fires, so the next request is served normally."""
    metadata_shape: MetadataShape = "nested"
    """``/vodMetadata`` answer: ``{"metadata": {type: b64}}`` or the types at the top level."""
    metadata_line_wrap: bool = False
    """Base64 in ``/vodMetadata`` wrapped at 76 characters with newlines (MIME style)."""
    metadata_absent: dict[str, set[str]] = field(default_factory=dict)
    """Video name -> metadata types (``thumbnail``, ``gps``) ``/vodMetadata`` leaves out, as for
    a parking clip without GPS: the answer is then ``{"metadata": {}}`` or ``{}`` by shape."""
    config_ini: bool = True
    """Serve ``/Config/config.ini`` (False: 404)."""
    time_zone: str = "100"
    """``[Tab1] TimeZone``: the UTC offset as signed ``HHMM`` without padding (``-1100``)."""
    daylight: bool = False
    """``[Tab1] Daylight``: the camera applies DST to its clock (and so to file names)."""
    ap_ssid: str = "Blackvue900X-5C1A2B"
    """``[Wifi] ap_ssid``, the camera's default hotspot name: model plus six hex digits."""


@dataclass
class LoggedRequest:
    """One request as the camera saw it; ``body_bytes`` grows as the body is written."""

    method: str
    path: str
    range_header: str | None
    status: int
    body_bytes: int


# --- Sidecar content --------------------------------------------------------------------------


def _rng(name: str) -> random.Random:
    return random.Random(hashlib.sha256(b"sidecar:" + name.encode()).digest())


def _start_ms(name: str) -> int:
    """Milliseconds since the epoch of the name's timestamp, read as UTC (0 if it has none)."""
    try:
        moment = datetime.strptime(name[:15], "%Y%m%d_%H%M%S").replace(tzinfo=UTC)
    except ValueError:
        return 0
    return int(moment.timestamp()) * 1000


@lru_cache(maxsize=512)
def thumbnail(name: str) -> bytes:
    """Return the JPEG a ``.thm`` named ``name`` holds."""
    return make_jpeg(f"BlackVue {name}", *THUMBNAIL_SIZE)


def _nmea_angle(value: float, degree_digits: int) -> str:
    degrees = int(value)
    return f"{degrees:0{degree_digits}d}{(value - degrees) * 60:07.4f}"


def _nmea_checksum(sentence: str) -> int:
    checksum = 0
    for char in sentence.encode("ascii"):
        checksum ^= char
    return checksum


@lru_cache(maxsize=512)
def gps_track(name: str) -> bytes:
    """Return the old ``.gps`` file: one ``[epoch_ms]$GPRMC,…`` line per second, LF-terminated.

    Random positions around a point; the simulator serves :class:`~.route.DashcamGps` (a drive
    through a made-up town) unless given ``gps=gps_track``.
    """
    rng = _rng(name)
    start_ms = _start_ms(name)
    latitude, longitude = 48.80 + rng.random() / 10, 2.30 + rng.random() / 10
    lines = []
    for second in range(_GPS_SECONDS):
        epoch_ms = start_ms + second * 1000
        moment = datetime.fromtimestamp(epoch_ms / 1000, UTC)
        latitude += rng.uniform(-1, 1) / 10_000
        longitude += rng.uniform(-1, 1) / 10_000
        sentence = (
            f"GPRMC,{moment:%H%M%S}.00,A,{_nmea_angle(latitude, 2)},N,"
            f"{_nmea_angle(longitude, 3)},E,{rng.uniform(0, 60):.1f},{rng.uniform(0, 360):.1f},"
            f"{moment:%d%m%y},,,A"
        )
        lines.append(f"[{epoch_ms}]${sentence}*{_nmea_checksum(sentence):02X}\n")
    return "".join(lines).encode("ascii")


@lru_cache(maxsize=512)
def accelerometer(name: str) -> bytes:
    """Return a ``.3gf`` file: big-endian 10-byte records (uint32 ms, int16 x, y, z) at 10 Hz."""
    rng = _rng(name)
    records = []
    for index in range(_ACCEL_RECORDS):
        # Raw units are g/128: a camera at rest reads about 128 on z.
        x, y, z = rng.randint(-20, 20), rng.randint(-20, 20), 128 + rng.randint(-9, 9)
        records.append(struct.pack(">Ihhh", index * 100, x, y, z))
    return b"".join(records)


_SIDECARS: dict[str, Callable[[str], bytes]] = {
    ".thm": thumbnail,
    ".gps": gps_track,
    ".3gf": accelerometer,
}


@dataclass(frozen=True)
class _File:
    """A servable file: a video generated in chunks (or a real clip), or a sidecar held whole."""

    name: str
    size: int
    data: bytes | None = None
    is_video: bool = True
    damage: int = 0

    @classmethod
    def sidecar(cls, name: str, data: bytes) -> _File:
        return cls(name, len(data), data, is_video=False)

    @property
    def content_type(self) -> str:
        return _CONTENT_TYPES.get(self.name[-4:], "application/octet-stream")

    def chunks(self, start: int, end: int, chunk_size: int) -> Iterator[bytes]:
        if self.data is None:
            return content.iter_content(
                self.name, self.size, start, end, chunk_size, damage=self.damage
            )
        data = self.data
        return (data[i : min(i + chunk_size, end)] for i in range(start, end, chunk_size))


# --- Range ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RangePlan:
    """What to answer to a request for a file of some size: status, body slice, Content-Range."""

    status: int
    start: int = 0
    end: int = 0
    content_range: str | None = None


def plan_range(header: str | None, size: int, mode: RangeMode) -> RangePlan:
    """Decide the answer to a ``Range`` header (``bytes=N-`` or ``bytes=N-M``) under ``mode``.

    A missing or unparsable header (suffix or multiple ranges) gets the whole file, as from a
    server that ignores Range. ``bad_content_range`` answers 206 with the whole file and a
    Content-Range that claims byte 0 (left out when N is 0): a client that trusts any 206 appends
    a second copy of the file.
    """
    whole = RangePlan(200, 0, size)
    match = _RANGE.match(header.strip()) if header else None
    if match is None or mode == "ignore":
        return whole
    unsatisfiable = RangePlan(416, content_range=f"bytes */{size}")
    first = int(match[1])
    end = min(int(match[2]) + 1, size) if match[2] else size
    if mode == "416":
        return unsatisfiable
    if mode == "bad_content_range":
        return RangePlan(206, 0, size, f"bytes 0-{size - 1}/{size}" if first else None)
    if first >= end:
        return unsatisfiable
    return RangePlan(206, first, end, f"bytes {first}-{end - 1}/{size}")


# --- Per-request state ------------------------------------------------------------------------


@dataclass
class _Exchange:
    """What the middleware hands a route: its log entry and its server generation's stop signal."""

    entry: LoggedRequest
    gone: asyncio.Event

    async def sleep(self, seconds: float) -> bool:
        """Sleep, cut short when the camera goes away; return whether it is still here."""
        if seconds > 0 and not self.gone.is_set():
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(seconds):
                    await self.gone.wait()
        return not self.gone.is_set()


def _exchange(request: web.Request) -> _Exchange:
    exchange: _Exchange = request[_EXCHANGE_KEY]
    return exchange


@dataclass
class _BodyFaults:
    """The per-file faults of one response body, read once when the response starts."""

    truncate: int | None
    reset: int | None
    stall: tuple[int, float] | None
    throughput: int | None

    @classmethod
    def read(cls, faults: BlackVueFaults, name: str) -> _BodyFaults:
        return cls(
            truncate=faults.truncate.get(name),
            reset=faults.reset_after.get(name),
            stall=faults.stall.get(name),
            throughput=faults.throughput,
        )

    @property
    def chunk_size(self) -> int:
        # About ten writes a second under a cap, so the pacing stays smooth.
        if self.throughput is None:
            return _CHUNK_SIZE
        return max(1024, min(_CHUNK_SIZE, self.throughput // 10))

    def room(self, sent: int) -> int | None:
        """Bytes that may be written from offset ``sent`` before the next fault is due."""
        offsets = [self.truncate, self.reset, self.stall[0] if self.stall else None]
        ahead = [offset - sent for offset in offsets if offset is not None and offset > sent]
        return min(ahead, default=None)


class _Pacer:
    """Keeps one body under a throughput cap by sleeping between writes."""

    def __init__(self, rate: int | None) -> None:
        self._rate = rate
        self._loop = asyncio.get_running_loop()
        self._origin = self._loop.time()

    async def pace(self, sent: int, exchange: _Exchange) -> bool:
        """Sleep until ``sent`` bytes are within the cap; return whether the camera is here."""
        if not self._rate:
            return True
        return await exchange.sleep(self._origin + sent / self._rate - self._loop.time())

    def rebase(self, sent: int) -> None:
        """Forget a pause, so the body does not burst to catch up after a stall."""
        if self._rate:
            self._origin = self._loop.time() - sent / self._rate


# --- Connection helpers -----------------------------------------------------------------------


def _unsent(transport: asyncio.BaseTransport) -> int:
    """Bytes written but still in the kernel's send queue (0 where the OS cannot tell)."""
    sock = transport.get_extra_info("socket")
    if sock is None:
        return 0
    try:
        raw = fcntl.ioctl(sock.fileno(), termios.TIOCOUTQ, b"\0\0\0\0")
    except (OSError, AttributeError):
        return 0
    count: int = struct.unpack("i", raw)[0]
    return count


async def _flushed(transport: asyncio.WriteTransport) -> None:
    """Wait (up to a second) until what was written has left the server.

    So a reset after N bytes lets a client that keeps reading receive those N bytes first.
    """
    for _ in range(int(_FLUSH_TIMEOUT / _FLUSH_POLL)):
        if transport.is_closing() or not (transport.get_write_buffer_size() or _unsent(transport)):
            return
        await asyncio.sleep(_FLUSH_POLL)


async def _reset(transport: asyncio.WriteTransport) -> None:
    """Abort the connection with a TCP RST (SO_LINGER 0) after flushing what was written."""
    await _flushed(transport)
    sock = transport.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()


def _text(status: int, text: str) -> web.Response:
    return web.Response(status=status, text=text)


@dataclass
class _Serving:
    """One generation of the listening server, from start() to stop()."""

    runner: web.AppRunner
    listener: asyncio.Server
    gone: asyncio.Event


# --- The simulator ----------------------------------------------------------------------------


class BlackVueSimulator:
    """A fake BlackVue dashcam on a real TCP port, with fault knobs and a request log.

    Use ``async with BlackVueSimulator(recordings) as sim:`` (binds 127.0.0.1 on a free port) or
    call :meth:`start` and :meth:`close`. :attr:`recordings` and :attr:`faults` may be changed at
    any time; the listing always reflects :attr:`recordings`. ``clips``: serve these real clips
    for every video (a recording's ``size`` is then ignored: the clip's length is served).
    ``gps``: the content of each ``.gps`` by name (default: :class:`~.route.DashcamGps`, a drive
    through a made-up town, names read as UTC; :func:`gps_track` is the old random walk).
    :attr:`connections` counts the TCP connections the camera accepted (probes included).
    """

    def __init__(
        self,
        recordings: list[SimRecording] | None = None,
        faults: BlackVueFaults | None = None,
        *,
        clips: ClipLibrary | None = None,
        gps: Callable[[str], bytes] | None = None,
    ) -> None:
        self.recordings: list[SimRecording] = recordings if recordings is not None else []
        self.faults: BlackVueFaults = faults if faults is not None else BlackVueFaults()
        self.clips = clips
        self.gps: Callable[[str], bytes] = gps if gps is not None else DashcamGps()
        self.connections = 0
        self.requests: list[LoggedRequest] = []
        self.app = web.Application(middlewares=[self._middleware])
        self.app.add_routes(self._routes())
        self._serving: _Serving | None = None
        self._host = "127.0.0.1"
        self._port: int | None = None
        self._closed = False
        self._cleanups: set[asyncio.Task[None]] = set()
        self._busy: set[RequestHandler] = set()
        self._live_busy = False
        self._video_bytes = 0
        self._go_away_threshold: int | None = None
        self._go_away_origin = 0

    # Lifecycle

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    @property
    def host(self) -> str:
        """The address the simulator binds."""
        return self._host

    @property
    def port(self) -> int:
        """The bound port (kept after stop(), so a client can see it refused)."""
        if self._port is None:
            raise RuntimeError("the simulator has not been started")
        return self._port

    @property
    def base_url(self) -> str:
        """``http://HOST:PORT``."""
        return f"http://{self.host}:{self.port}"

    @property
    def running(self) -> bool:
        """Whether the camera is listening (False after stop() or after it went away)."""
        return self._serving is not None

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Start listening; port 0 picks a free one."""
        if self._closed:
            raise RuntimeError("the simulator is closed")
        if self._serving is not None:
            raise RuntimeError("the simulator is already running")
        await self._settle()
        runner = web.AppRunner(self.app, access_log=None, shutdown_timeout=_SHUTDOWN_TIMEOUT)
        await runner.setup()
        assert runner.server is not None
        server = runner.server

        def accept() -> RequestHandler:
            self.connections += 1
            return server()

        try:
            listener = await asyncio.get_running_loop().create_server(
                accept, host, port, reuse_address=True
            )
        except BaseException:
            await runner.cleanup()
            raise
        self._host, self._port = host, listener.sockets[0].getsockname()[1]
        self._serving = _Serving(runner, listener, asyncio.Event())

    async def stop(self) -> None:
        """Go away: stop listening and drop every connection (a download in flight breaks)."""
        serving = self._detach()
        if serving is not None:
            await self._shut_down(serving)
        await self._settle()

    async def restart(self) -> None:
        """Come back on the same host and port."""
        port = self.port
        await self.stop()
        await self.start(self._host, port)

    async def close(self) -> None:
        """Stop for good; safe to call more than once."""
        self._closed = True
        await self.stop()

    def _detach(self) -> _Serving | None:
        """Go away at once, synchronously: stop listening, abort every connection, wake sleepers.

        Returns the server generation that still needs an (async) shutdown.
        """
        serving, self._serving = self._serving, None
        if serving is not None:
            serving.gone.set()
            serving.listener.close()
            serving.listener.abort_clients()
        return serving

    async def _shut_down(self, serving: _Serving) -> None:
        await serving.runner.cleanup()
        await serving.listener.wait_closed()

    async def _settle(self) -> None:
        """Wait for the shutdowns that going away scheduled."""
        while self._cleanups:
            await asyncio.gather(*self._cleanups)

    def _go_away(self) -> None:
        """Leave as if the car drove off: drop everything now, finish the shutdown in a task."""
        self.faults.go_away_after_bytes = None
        serving = self._detach()
        if serving is not None:
            task = asyncio.get_running_loop().create_task(self._shut_down(serving))
            self._cleanups.add(task)
            task.add_done_callback(self._cleanups.discard)

    # Expectations for tests

    def listed_names(self) -> list[str]:
        """Return the video names the listing shows (without ``extra_listing_lines``)."""
        return [recording.name for recording in self.recordings if recording.name.endswith(".mp4")]

    def expected_bytes(self, name: str) -> bytes:
        """Return a servable file's whole content (meant for sidecars and small videos)."""
        file = self._require(name)
        if file.data is not None:
            return file.data
        return content.content(file.name, file.size, damage=file.damage)

    def expected_sha256(self, name: str) -> str:
        """Return the sha256 hex digest of a servable file (videos are hashed in chunks)."""
        file = self._require(name)
        if file.data is None:
            return content.sha256(file.name, file.size, damage=file.damage)
        return hashlib.sha256(file.data).hexdigest()

    def bytes_served(self, name: str) -> int:
        """Return the body bytes written for ``name`` over all requests so far."""
        return sum(
            entry.body_bytes
            for entry in self.requests
            if entry.method == "GET" and entry.path.rsplit("/", 1)[-1] == name
        )

    def _require(self, name: str) -> _File:
        file = self._find(name)
        if file is None:
            raise KeyError(name)
        return file

    def _find(self, name: str) -> _File | None:
        """Resolve a name against the current recordings: a video or one of its sidecars."""
        is_video = name.endswith(".mp4")
        for recording in self.recordings:
            if recording.name == name:
                if self.clips is not None:
                    clip = self.clips.clip(name)
                    return _File(name, len(clip), clip)
                return _File(name, recording.size, damage=self.faults.box_damage.get(name, 0))
            if not is_video and name in recording.sidecar_names():
                return _File.sidecar(name, self._sidecar(name))
        return None

    def _sidecar(self, name: str) -> bytes:
        """Return a sidecar's content (``.gps`` from :attr:`gps`)."""
        if name.endswith(".gps"):
            return self.gps(name)
        return _SIDECARS[name[-4:]](name)

    def _recording(self, name: str) -> SimRecording | None:
        return next((r for r in self.recordings if r.name == name), None)

    # Camera-wide faults

    @web.middleware
    async def _middleware(self, request: web.Request, handler: _Handler) -> web.StreamResponse:
        """Log every request, then apply single-client and latency before routing."""
        entry = LoggedRequest(request.method, request.path, request.headers.get(hdrs.RANGE), 0, 0)
        self.requests.append(entry)
        gone = self._serving.gone if self._serving is not None else _gone_event()
        exchange = _Exchange(entry, gone)
        request[_EXCHANGE_KEY] = exchange
        try:
            response = await self._admit(request, handler, exchange)
        except web.HTTPException as exc:
            entry.status = exc.status
            raise
        entry.status = response.status
        return response

    async def _admit(
        self, request: web.Request, handler: _Handler, exchange: _Exchange
    ) -> web.StreamResponse:
        connection = request.protocol
        if self.faults.single_client and any(other is not connection for other in self._busy):
            refused = _text(503, "another client is connected")
            refused.force_close()
            return refused
        self._busy.add(connection)
        try:
            if not await exchange.sleep(self.faults.latency):
                raise web.HTTPServiceUnavailable
            return await handler(request)
        finally:
            self._busy.discard(connection)

    # Routes

    def _routes(self) -> list[web.RouteDef]:
        # Specific paths first: "/{name}" (videos at the root, V1.009) matches any single segment.
        return [
            web.get("/accessible", self._accessible, allow_head=False),
            web.get("/blackvue_vod.cgi", self._vod_cgi, allow_head=False),
            web.get("/vodList", self._vod_list, allow_head=False),
            web.post("/vodMetadata", self._vod_metadata),
            web.get("/Config/version.bin", self._version, allow_head=False),
            web.get("/Config/config.ini", self._config_ini, allow_head=False),
            web.get("/blackvue_live.cgi", self._live, allow_head=False),
            web.get("/Record/{name}", self._record_file, allow_head=False),
            web.get("/{name}", self._root_file, allow_head=False),
        ]

    @property
    def _legacy(self) -> bool:
        return self.faults.firmware == "legacy"

    async def _accessible(self, request: web.Request) -> web.StreamResponse:
        if self._legacy:
            raise web.HTTPNotFound
        return web.json_response({"accessible": "OK", "message": "Access possible."})

    async def _vod_cgi(self, request: web.Request) -> web.StreamResponse:
        if not self._legacy:
            return _text(415, "mp4 only")
        if self.faults.listing_error:
            return _text(500, "listing failed")
        faults = self.faults
        lines = [
            faults.version_header,
            *(f"n:/Record/{name},s:{PLACEHOLDER_SIZE}" for name in self.listed_names()),
            *faults.extra_listing_lines,
        ]
        body = "".join(line + faults.line_ending for line in lines)
        return web.Response(body=body.encode(), content_type="text/plain")

    async def _vod_list(self, request: web.Request) -> web.StreamResponse:
        if self._legacy:
            raise web.HTTPNotFound
        if self.faults.listing_error:
            return _text(500, "listing failed")
        names = [*self.listed_names(), *self.faults.extra_listing_lines]
        return web.json_response({"filelist": [{"filename": name} for name in names]})

    async def _vod_metadata(self, request: web.Request) -> web.StreamResponse:
        if self._legacy:
            raise web.HTTPNotFound
        try:
            payload: Any = await request.json()
        except ValueError:
            payload = None
        if not isinstance(payload, dict) or not isinstance(payload.get("file"), str):
            return _text(400, "bad request")
        types = payload.get("types")
        recording = self._recording(payload["file"])
        if recording is None or not isinstance(types, list):
            return _text(404 if recording is None else 400, "bad request")
        faults = self.faults
        sidecars = recording.sidecar_names()
        if recording.name in faults.http_500 or faults.http_500 & set(sidecars):
            return _text(500, "file read error")
        if self._busy_once(recording.name):
            return _text(503, "busy")
        absent = faults.metadata_absent.get(recording.name, set())
        metadata = {}
        for kind, suffix in (("thumbnail", ".thm"), ("gps", ".gps")):
            name = next((n for n in sidecars if n.endswith(suffix)), None)
            if kind in types and name is not None and kind not in absent:
                data = self._sidecar(name)
                encoded = (
                    base64.encodebytes(data)
                    if faults.metadata_line_wrap
                    else (base64.b64encode(data))
                )
                metadata[kind] = encoded.decode("ascii")
        if faults.metadata_shape == "top_level":
            return web.json_response(metadata)
        return web.json_response({"metadata": metadata})

    def _busy_once(self, name: str) -> bool:
        """Whether ``name`` gets its one 503 now (``http_503_once``)."""
        if name in self.faults.http_503_once:
            self.faults.http_503_once.discard(name)
            return True
        return False

    async def _version(self, request: web.Request) -> web.StreamResponse:
        if self.faults.version_format == "bare":
            text = f"{MODEL} {FIRMWARE_VERSION}"
        else:
            text = f"[firmware]\nversion={FIRMWARE_VERSION}\nmodel={MODEL}\nlanguage=English\n"
        return web.Response(body=text.encode(), content_type="application/octet-stream")

    async def _config_ini(self, request: web.Request) -> web.StreamResponse:
        faults = self.faults
        if not faults.config_ini:
            raise web.HTTPNotFound
        sections = {
            "Tab1": {
                "TimeSet": "0",
                "SetTime": "0000",
                "TimeZone": faults.time_zone,
                "Daylight": str(int(faults.daylight)),
                "GpsSync": "1",
                "ImageSetting": "0",
                "VideoQuality": "1",
                "NormalRecord": "1",
                "VoiceRecord": "1",
                "DateDisplay": "1",
                "SpeedUnit": "0",
                "RecordTime": "1",
            },
            "Tab2": {"NORMALSENSOR1": "5", "PARKINGSENSOR1": "7", "MOTIONSENSOR": "3"},
            "Tab3": {"RECLED": "1", "VOLUME": "5", "ScheduledReboot": "1"},
            "Wifi": {"ap_ssid": faults.ap_ssid, "ap_pw": _INVENTED_PASSWORD, "WiFiBand": "1"},
            "Cloud": {
                "CloudService": "0",
                "sta_ssid": "",
                "sta_pw": "",
                "CloudSettingVersion": "1",
            },
        }
        lines = []
        for section, keys in sections.items():
            lines.append(f"[{section}]")
            lines += [f"{key}={value}" for key, value in keys.items()]
        body = "".join(line + "\r\n" for line in lines)
        return web.Response(body=body.encode(), content_type="application/octet-stream")

    async def _record_file(self, request: web.Request) -> web.StreamResponse:
        if not self._legacy:
            return _text(400, "invalid filename")
        return await self._serve_file(request, request.match_info["name"])

    async def _root_file(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        if self._legacy:
            raise web.HTTPNotFound
        if not name.endswith(".mp4"):
            return _text(415, "mp4 only")
        return await self._serve_file(request, name)

    async def _live(self, request: web.Request) -> web.StreamResponse:
        """Endless MJPEG, one client at a time; ends when the client leaves or the camera does."""
        if self._live_busy:
            return _text(503, "live view in use")
        direction = request.query.get("direction", "F")
        direction = direction if direction in ("F", "R", "I", "O") else "F"
        exchange = _exchange(request)
        response = web.StreamResponse(
            headers={hdrs.CONTENT_TYPE: f"multipart/x-mixed-replace; boundary={LIVE_BOUNDARY}"}
        )
        exchange.entry.status = response.status
        self._live_busy = True
        try:
            await response.prepare(request)
            frame = 0
            while not exchange.gone.is_set():
                jpeg = make_jpeg(f"live {direction} frame {frame}")
                head = f"--{LIVE_BOUNDARY}\r\nContent-Type: image/jpeg\r\n"
                head += f"Content-Length: {len(jpeg)}\r\n\r\n"
                await response.write(head.encode() + jpeg + b"\r\n")
                exchange.entry.body_bytes += len(head) + len(jpeg) + 2
                frame += 1
                await exchange.sleep(1 / LIVE_FPS)
        except ConnectionError:
            pass  # the viewer went away
        finally:
            self._live_busy = False
        return response

    # Files and the per-file faults

    async def _serve_file(self, request: web.Request, name: str) -> web.StreamResponse:
        if name in self.faults.http_500:
            return _text(500, "file read error")
        if self._busy_once(name):
            return _text(503, "busy")
        file = self._find(name)
        if file is None:
            raise web.HTTPNotFound
        plan = plan_range(request.headers.get(hdrs.RANGE), file.size, self.faults.range_mode)
        if plan.status == 416:
            assert plan.content_range is not None
            return web.Response(status=416, headers={hdrs.CONTENT_RANGE: plan.content_range})
        response = web.StreamResponse(status=plan.status)
        response.content_type = file.content_type
        response.content_length = plan.end - plan.start
        response.headers[hdrs.ACCEPT_RANGES] = "bytes"
        if plan.content_range is not None:
            response.headers[hdrs.CONTENT_RANGE] = plan.content_range
        exchange = _exchange(request)
        exchange.entry.status = plan.status
        await response.prepare(request)
        with contextlib.suppress(ConnectionError):  # the client went away
            await self._send_body(request, response, file, plan)
        return response

    async def _send_body(
        self, request: web.Request, response: web.StreamResponse, file: _File, plan: RangePlan
    ) -> None:
        """Write the body slice, cut at each fault offset so every fault fires at its exact byte."""
        exchange = _exchange(request)
        faults = _BodyFaults.read(self.faults, file.name)
        pacer = _Pacer(faults.throughput)
        sent = 0
        for chunk in file.chunks(plan.start, plan.end, faults.chunk_size):
            view = memoryview(chunk)
            while view:
                if not await self._before_write(request, exchange, faults, pacer, sent, file):
                    return
                limits = [len(view), faults.room(sent), self._go_away_room(file)]
                part = view[: min(limit for limit in limits if limit is not None)]
                await response.write(part)
                sent += len(part)
                view = view[len(part) :]
                exchange.entry.body_bytes = sent
                if file.is_video:
                    self._video_bytes += len(part)
                if not await pacer.pace(sent, exchange):
                    return

    async def _before_write(
        self,
        request: web.Request,
        exchange: _Exchange,
        faults: _BodyFaults,
        pacer: _Pacer,
        sent: int,
        file: _File,
    ) -> bool:
        """Fire the faults due at offset ``sent``; return whether to keep sending."""
        transport = request.transport
        if exchange.gone.is_set() or transport is None:
            return False
        if faults.reset is not None and sent >= faults.reset:
            await _reset(transport)
            return False
        if faults.truncate is not None and sent >= faults.truncate:
            transport.close()  # flushes what was written, then a clean FIN
            return False
        if file.is_video and self._go_away_room(file) == 0:
            self._go_away()
            return False
        if faults.stall is not None and sent >= faults.stall[0]:
            seconds = faults.stall[1]
            faults.stall = None
            if not await exchange.sleep(seconds):
                return False
            pacer.rebase(sent)
        return True

    def _go_away_room(self, file: _File) -> int | None:
        """Video bytes left before the camera goes away (None: it stays)."""
        threshold = self.faults.go_away_after_bytes
        if threshold != self._go_away_threshold:  # newly set: count from now
            self._go_away_threshold, self._go_away_origin = threshold, self._video_bytes
        if threshold is None or not file.is_video:
            return None
        return max(0, self._go_away_origin + threshold - self._video_bytes)


def _gone_event() -> asyncio.Event:
    """Return an already-set event, for a request arriving while the camera goes away."""
    event = asyncio.Event()
    event.set()
    return event
