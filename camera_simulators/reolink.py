"""A simulated Reolink camera (RLC-520A-like): the CGI API over HTTP(S), with fault knobs.

It speaks what camsync uses of the API (see ``shared/reference/reolink-api.md``): Login/Logout
with leased tokens, GetDevInfo, GetLocalLink, GetHddInfo, GetTime, Snap, Search, Download and
Playback, on ``/cgi-bin/api.cgi`` and ``/api.cgi``. JSON replies are labelled ``text/html`` and
use the camera's spacing (``"key" : value``); errors carry ``code`` 1 and an ``error`` block.

Trigger flags in file names follow the bit layout reolink-aio decodes (``typings.py``,
``FLAGS_CAM_V2``; slayer/reolink-ctl ``vod.py`` reads the same nibbles). Bits are counted from
the most significant bit of the hex field: person 17, vehicle 19, animal 20, timer (schedule)
23, motion 24. The other bits come from the guide's example ``6D28808`` (resolution, frame rate,
audio), so a motion-only main-stream file is named ``..._6D28808_<HEXSIZE>.mp4`` and a person
recording with motion ``..._6D28C08_...``, as in the guide.

Time zone: ``ReolinkFaults.time_zone_seconds`` defaults to -3600, which Reolink uses for UTC+1
(the sign is inverted), with central-European DST (last Sunday of March 02:00 to last Sunday of
October 03:00, one hour). All recording times are camera-local naive datetimes.

Faults are plain attributes of ``ReolinkFaults``; tests change them at any time.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
import contextlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time as dt_time, timedelta
import email.utils
import ipaddress
import json
from pathlib import Path
import secrets
import socket
import ssl
import struct
import tempfile
import time
from typing import Any, Literal, Self

from aiohttp import web
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from . import content
from .jpeg import make_jpeg

TRIGGERS = ("person", "vehicle", "animal", "motion", "timer")

# Bit positions counted from the most significant bit of the flags field (reolink-aio layout).
_FLAG_BITS = {"person": 17, "vehicle": 19, "animal": 20, "timer": 23, "motion": 24}
# The guide's RLC flags without trigger bits: resolution index, PAL, 20 fps, audio.
_BASE_FLAGS = 0x6D28800
_FLAG_DIGITS = {"6": 7, "7": 10}

LOCKED_DETAIL = "Login has been locked, please try again later!"
OCTET_STREAM = "apolication/octet-stream"  # sic: the firmware's typo
_CHUNK = 64 * 1024
_BROKEN_PAGE = b"<html><body><h1>500 Internal Server Error</h1></body></html>"
_DETAILS = {
    -1: "not exist",
    -4: "param error",
    -5: "max session",
    -6: "please login first",
    -7: "login failed",
    -9: "not support",
    -26: "ability error",
    -48: "Fetching a picture failed",
    -49: "Channel invalid",
    -220: "Error downloading video file",
    -221: "Busy video recording task",
    -222: "The video file does not exist",
}

type Json = dict[str, Any]
type RangeMode = Literal["honour", "ignore", "416", "bad_content_range"]
type HddMode = Literal["ok", "none", "unformatted", "unmounted"]
type SizeMode = Literal["int", "str", "mixed"]
type DstRule = tuple[int, int, int, int, int, int]


@dataclass
class ReolinkRecording:
    """One file on the simulated SD card.

    ``variant`` picks the name layout: "6" parts (``RecM01_date_start_end_flags_size``, the
    RLC-520A's), or "7" (``RecM07_..._0_<10 hex flags>_size``). ``dst_prefix`` writes the date
    as ``DST20230426``. ``name_size`` makes the hex size in the name lie (default: ``size``).
    """

    start: datetime
    end: datetime
    triggers: frozenset[str]
    size: int
    stream: str = "main"
    variant: Literal["6", "7"] = "6"
    dst_prefix: bool = False
    name_size: int | None = None

    @property
    def flags(self) -> str:
        """Return the hex trigger-flags field of the name."""
        unknown = set(self.triggers) - set(TRIGGERS)
        if unknown:
            raise ValueError(f"unknown triggers {sorted(unknown)}")
        digits = _FLAG_DIGITS[self.variant]
        bits = digits * 4
        value = _BASE_FLAGS << (bits - 28)
        for trigger in self.triggers:
            value |= 1 << (bits - 1 - _FLAG_BITS[trigger])
        return f"{value:0{digits}X}"

    @property
    def basename(self) -> str:
        """Return the file name without its folder."""
        letter = "S" if self.stream == "sub" else "M"
        version = "07" if self.variant == "7" else "01"
        day = ("DST" if self.dst_prefix else "") + self.start.strftime("%Y%m%d")
        extra = "_0" if self.variant == "7" else ""
        size = self.size if self.name_size is None else self.name_size
        return (
            f"Rec{letter}{version}_{day}_{self.start:%H%M%S}_{self.end:%H%M%S}"
            f"{extra}_{self.flags}_{size:X}.mp4"
        )

    @property
    def name(self) -> str:
        """Return the SD-card path Search lists and Download takes as ``source``."""
        return f"Mp4Record/{self.start:%Y-%m-%d}/{self.basename}"


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
) -> list[ReolinkRecording]:
    """Return ``per_day`` recordings on each of ``days`` days up to ``end`` (camera-local).

    Deterministic: start times are spread evenly over each day (the last day stops at
    ``end``), triggers cycle through motion, person, timer, vehicle, animal and mixes, and sizes
    come from ``content.size_for``. Sorted oldest first.
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
            recordings.append(
                ReolinkRecording(
                    start=start,
                    end=stop,
                    triggers=_TRIGGER_CYCLE[len(recordings) % len(_TRIGGER_CYCLE)],
                    size=content.size_for(key, *size_range),
                    stream=stream,
                )
            )
    return recordings


@dataclass
class ReolinkFaults:
    """Knobs a test turns; every one is read at request time.

    ``expire_tokens`` is one-shot: the next request invalidates every open token and resets it.
    ``truncate``/``reset_after``/``stall`` are keyed by file basename and count body bytes of
    each response: send N bytes then close cleanly / abort the connection / pause S seconds.
    They stay until the test removes them. ``junk_files`` adds raw Search entries (a name string
    or a whole dict) to the file search of a day ("YYYY-MM-DD"). A request naming a command in
    ``broken_replies`` gets an HTML error page instead of JSON (or of a JPEG, for Snap).
    """

    username: str = "admin"
    password: str = "secret-pass"
    lease_time: int = 3600
    expire_tokens: bool = False
    lock_after_failures: int = 3
    lock_seconds: float = 300.0
    lock_rsp_code: int = -7
    lock_unlock_time: bool = True
    max_sessions: int | None = None
    range_mode: RangeMode = "honour"
    truncate: dict[str, int] = field(default_factory=dict)
    reset_after: dict[str, int] = field(default_factory=dict)
    stall: dict[str, tuple[int, float]] = field(default_factory=dict)
    rate_limit: int | None = None
    download_fails: bool = False
    playback_flv: bool = False
    playback_content_type: str = OCTET_STREAM
    busy: set[str] = field(default_factory=set)
    snap_fails: bool = False
    unsupported: set[str] = field(default_factory=set)
    short_batch: bool = False
    broken_replies: set[str] = field(default_factory=set)
    hdd: HddMode = "ok"
    search_size: SizeMode = "mixed"
    junk_files: dict[str, list[Any]] = field(default_factory=dict)
    time_zone_seconds: int = -3600
    dst: bool = True
    dst_enable: bool = True
    dst_offset_hours: int = 1
    dst_start: DstRule = (3, 5, 0, 2, 0, 0)
    dst_end: DstRule = (10, 5, 0, 3, 0, 0)


@dataclass
class ReolinkRequest:
    """One request the simulator received, for assertions.

    ``url`` is the path and query as received; ``params`` the query (token included);
    ``commands`` the commands it carried (a batch has several); ``body`` the parsed JSON body,
    where Login's password belongs; ``rsp_codes`` one per reply element (0 = success);
    ``body_bytes`` the file or image bytes sent.
    """

    method: str
    path: str
    url: str
    command: str
    params: dict[str, str]
    token: str | None
    range: str | None
    commands: list[str] = field(default_factory=list)
    body: list[Json] | None = None
    status: int = 0
    rsp_codes: list[int] = field(default_factory=list)
    body_bytes: int = 0


@dataclass
class _Token:
    expires: float


class ReolinkSimulator:
    """A fake Reolink camera on 127.0.0.1 (an aiohttp.web app) with fault knobs."""

    def __init__(
        self,
        recordings: Iterable[ReolinkRecording] | None = None,
        faults: ReolinkFaults | None = None,
        *,
        model: str = "RLC-520A",
        mac: str = "EC:71:DB:12:34:56",
        name: str = "Front yard",
        firmware: str = "v3.0.0.2356_23062000",
        serial: str = "00000000012345",
        sd_capacity_mb: int = 30462,
        sd_free_mb: int = 779,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.recordings: list[ReolinkRecording] = list(recordings or [])
        self.faults = faults or ReolinkFaults()
        self.model = model
        self.mac = mac
        self.name = name
        self.firmware = firmware
        self.serial = serial
        self.sd_capacity_mb = sd_capacity_mb
        self.sd_free_mb = sd_free_mb
        self.clock: Callable[[], datetime] = clock or self._default_clock
        self.requests: list[ReolinkRequest] = []
        self._tokens: dict[str, _Token] = {}
        self._failures = 0
        self._locked_until = 0.0
        self._served: dict[str, int] = {}
        self._runner: web.AppRunner | None = None
        self._host = "127.0.0.1"
        self._port = 0
        self._ssl: ssl.SSLContext | None = None

    # -- lifecycle --

    async def start(
        self, host: str = "127.0.0.1", port: int = 0, *, ssl_context: ssl.SSLContext | None = None
    ) -> None:
        """Start serving; port 0 picks a free one (kept for ``restart``)."""
        if self._runner is not None:
            raise RuntimeError("the simulator is already running")
        app = web.Application()
        for path in ("/cgi-bin/api.cgi", "/api.cgi"):
            app.router.add_route("*", path, self._handle)
        runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=0.2)
        await runner.setup()
        site = web.TCPSite(runner, host, port, ssl_context=ssl_context)
        await site.start()
        self._runner = runner
        self._host = host
        self._ssl = ssl_context
        self._port = int(runner.addresses[0][1])

    async def stop(self) -> None:
        """Stop serving (the camera goes away); ``restart`` brings it back on the same port."""
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    async def restart(self) -> None:
        """Serve again on the same host, port and TLS setting (tokens survive)."""
        await self.stop()
        await self.start(self._host, self._port, ssl_context=self._ssl)

    async def close(self) -> None:
        """Stop serving for good."""
        await self.stop()

    async def __aenter__(self) -> Self:
        """Start on a free port of 127.0.0.1."""
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        """Stop serving."""
        await self.close()

    @property
    def running(self) -> bool:
        """Return whether the camera is listening (False after ``stop``)."""
        return self._runner is not None

    @property
    def host(self) -> str:
        """Return the address the simulator listens on."""
        return self._host

    @property
    def port(self) -> int:
        """Return the port the simulator listens on."""
        return self._port

    @property
    def base_url(self) -> str:
        """Return ``http(s)://host:port``."""
        scheme = "https" if self._ssl else "http"
        return f"{scheme}://{self._host}:{self._port}"

    # -- helpers for tests --

    def find(self, recording_or_name: ReolinkRecording | str) -> ReolinkRecording:
        """Return the recording with this basename or card path (KeyError when absent)."""
        if isinstance(recording_or_name, ReolinkRecording):
            return recording_or_name
        for recording in self.recordings:
            if recording_or_name in (recording.basename, recording.name):
                return recording
        raise KeyError(recording_or_name)

    def expected_sha256(self, recording_or_basename: ReolinkRecording | str) -> str:
        """Return the sha256 a complete copy of the recording has."""
        recording = self.find(recording_or_basename)
        return content.sha256(recording.basename, recording.size)

    def bytes_served(self, basename: str) -> int:
        """Return the body bytes sent for this file over every request."""
        return self._served.get(basename, 0)

    def commands(self) -> list[str]:
        """Return every command received, batches expanded, in order."""
        return [name for entry in self.requests for name in entry.commands]

    def count(self, command: str) -> int:
        """Return how many times ``command`` was received."""
        return self.commands().count(command)

    def roll_off(self, count: int = 1) -> list[ReolinkRecording]:
        """Overwrite the ``count`` oldest recordings, as a full card does; return them."""
        self.recordings.sort(key=lambda item: item.start)
        gone, self.recordings = self.recordings[:count], self.recordings[count:]
        return gone

    def expire_all_tokens(self) -> None:
        """Invalidate every open token now."""
        self._tokens.clear()

    @property
    def open_sessions(self) -> int:
        """Return how many tokens are valid now."""
        self._drop_expired()
        return len(self._tokens)

    # -- time --

    def _dst_window(self, year: int) -> tuple[datetime, datetime]:
        faults = self.faults
        return _rule_datetime(year, faults.dst_start), _rule_datetime(year, faults.dst_end)

    def _dst_active(self) -> bool:
        return self.faults.dst and self.faults.dst_enable

    def _default_clock(self) -> datetime:
        """Return the camera-local wall time derived from the real UTC time."""
        standard = datetime.now(UTC).replace(tzinfo=None) - timedelta(
            seconds=self.faults.time_zone_seconds
        )
        if self._dst_active():
            start, end = self._dst_window(standard.year)
            if start <= standard < end - timedelta(hours=self.faults.dst_offset_hours):
                return standard + timedelta(hours=self.faults.dst_offset_hours)
        return standard

    def _to_utc(self, local: datetime) -> datetime:
        offset = timedelta(seconds=self.faults.time_zone_seconds)
        if self._dst_active():
            start, end = self._dst_window(local.year)
            if start <= local < end:
                offset -= timedelta(hours=self.faults.dst_offset_hours)
        return (local + offset).replace(tzinfo=UTC)

    # -- request handling --

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        command = request.query.get("cmd", "")
        entry = ReolinkRequest(
            method=request.method,
            path=request.path,
            url=request.path_qs,
            command=command,
            params=dict(request.query),
            token=request.query.get("token"),
            range=request.headers.get("Range"),
        )
        self.requests.append(entry)
        if self.faults.expire_tokens:
            self.faults.expire_tokens = False
            self._tokens.clear()
        if command in self.faults.broken_replies:
            entry.commands, entry.status = [command], 200
            return web.Response(body=_BROKEN_PAGE, content_type="text/html")
        if command in ("Download", "Playback"):
            entry.commands = [command]
            return await self._serve_file(request, entry, command)
        if command == "Snap":
            entry.commands = [command]
            return self._snap(request, entry)
        return await self._json_commands(request, entry)

    async def _json_commands(self, request: web.Request, entry: ReolinkRequest) -> web.Response:
        raw = await request.read()
        try:
            body = json.loads(raw) if raw.strip() else [{"cmd": entry.command, "param": {}}]
        except ValueError:
            body = None
        if not isinstance(body, list) or not all(isinstance(item, dict) for item in body):
            entry.commands = [entry.command]
            return self._json_reply(entry, [_error(entry.command or "Unknown", -4)])
        entry.body = body
        entry.commands = [str(item.get("cmd", "")) for item in body]
        replies = [self._command(item, entry.token) for item in body]
        if self.faults.short_batch and len(replies) > 1:
            replies = replies[:-1]
        return self._json_reply(entry, replies)

    def _json_reply(self, entry: ReolinkRequest, replies: list[Json]) -> web.Response:
        entry.status = 200
        entry.rsp_codes = [
            int(reply["error"]["rspCode"]) if reply.get("code") else 0 for reply in replies
        ]
        return web.Response(body=_dumps(replies), content_type="text/html")

    def _command(self, item: Json, token: str | None) -> Json:
        name = str(item.get("cmd", ""))
        param = item.get("param")
        param = param if isinstance(param, dict) else {}
        if name == "Login":
            return self._login(param)
        if not self._token_valid(token):
            return _error(name, -6)
        if name in self.faults.unsupported:
            return _error(name, -9)
        handler = self._handlers().get(name)
        if handler is None:
            return _error(name, -26)
        if name == "Logout":
            assert token is not None
            self._tokens.pop(token, None)
        return handler(param)

    def _handlers(self) -> dict[str, Callable[[Json], Json]]:
        return {
            "Logout": lambda _: _ok("Logout", {"rspCode": 200}),
            "GetDevInfo": lambda _: _ok("GetDevInfo", {"DevInfo": self._dev_info()}),
            "GetLocalLink": lambda _: _ok("GetLocalLink", {"LocalLink": self._local_link()}),
            "GetHddInfo": lambda _: _ok("GetHddInfo", {"HddInfo": self._hdd_info()}),
            "GetTime": lambda _: _ok("GetTime", self._time()),
            "Search": self._search,
        }

    # -- login --

    def _login(self, param: Json) -> Json:
        faults = self.faults
        now = time.monotonic()
        if now < self._locked_until:
            extra = (
                {"unlock_time": round(self._locked_until - now)} if faults.lock_unlock_time else {}
            )
            return _error("Login", faults.lock_rsp_code, LOCKED_DETAIL, **extra)
        user = param.get("User")
        user = user if isinstance(user, dict) else {}
        if user.get("userName") != faults.username or user.get("password") != faults.password:
            self._failures += 1
            if self._failures >= faults.lock_after_failures:
                self._failures = 0
                self._locked_until = now + faults.lock_seconds
            return _error("Login", -7)
        self._failures = 0
        self._drop_expired()
        if faults.max_sessions is not None and len(self._tokens) >= faults.max_sessions:
            return _error("Login", -5)
        token = secrets.token_hex(8)[:15]
        self._tokens[token] = _Token(expires=now + faults.lease_time)
        return _ok("Login", {"Token": {"leaseTime": faults.lease_time, "name": token}})

    def _drop_expired(self) -> None:
        now = time.monotonic()
        for token in [key for key, value in self._tokens.items() if value.expires <= now]:
            del self._tokens[token]

    def _token_valid(self, token: str | None) -> bool:
        self._drop_expired()
        return token is not None and token in self._tokens

    # -- identity, storage, time --

    def _dev_info(self) -> Json:
        return {
            "B485": 0,
            "IOInputNum": 0,
            "IOOutputNum": 0,
            "audioNum": 1,
            "buildDay": "build 23062000",
            "cfgVer": "v3.0.0.0",
            "channelNum": 1,
            "detail": "IPC_51516M5M0000000000000",
            "diskNum": 1,
            "exactType": "IPC",
            "firmVer": self.firmware,
            "frameworkVer": 1,
            "hardVer": "IPC_51516M5M",
            "model": self.model,
            "name": self.name,
            "pakSuffix": "pak",
            "serial": self.serial,
            "type": "IPC",
            "wifi": 0,
        }

    def _local_link(self) -> Json:
        return {
            "activeLink": "LAN",
            "dns": {"auto": 1, "dns1": "192.168.1.1", "dns2": "0.0.0.0"},
            "mac": self.mac,
            "static": {"gateway": "192.168.1.1", "ip": "192.168.1.20", "mask": "255.255.255.0"},
            "type": "DHCP",
        }

    def _hdd_info(self) -> list[Json]:
        mode = self.faults.hdd
        if mode == "none":
            return []
        return [
            {
                "capacity": self.sd_capacity_mb,
                "format": 0 if mode == "unformatted" else 1,
                "mount": 0 if mode in ("unformatted", "unmounted") else 1,
                "number": 0,
                "size": self.sd_free_mb,
                "storageType": 2,
            }
        ]

    def _time(self) -> Json:
        now = self.clock()
        faults = self.faults
        value: Json = {
            "Time": {
                "day": now.day,
                "hour": now.hour,
                "hourFmt": 0,
                "min": now.minute,
                "mon": now.month,
                "sec": now.second,
                "timeFmt": "DD/MM/YYYY",
                "timeZone": faults.time_zone_seconds,
                "year": now.year,
            }
        }
        if faults.dst:
            value["Dst"] = {"enable": int(faults.dst_enable), "offset": faults.dst_offset_hours}
            for prefix, rule in (("start", faults.dst_start), ("end", faults.dst_end)):
                for key, number in zip(
                    ("Mon", "Week", "Weekday", "Hour", "Min", "Sec"), rule, strict=True
                ):
                    value["Dst"][prefix + key] = number
        return value

    # -- search --

    def _search(self, param: Json) -> Json:
        search = param.get("Search")
        if not isinstance(search, dict):
            return _error("Search", -4)
        try:
            start = _parse_time(search["StartTime"])
            end = _parse_time(search["EndTime"])
            channel = int(search.get("channel", 0))
            status_only = int(search.get("onlyStatus", 0)) == 1
        except (KeyError, TypeError, ValueError):
            return _error("Search", -4)
        if channel != 0:
            return _error("Search", -49)
        stream = str(search.get("streamType", "main"))
        recordings = [item for item in self.recordings if item.stream == stream]
        result: Json = {"Status": self._status(recordings, start, end), "channel": channel}
        if not status_only and start.date() == end.date():
            files = sorted(
                (item for item in recordings if start <= item.start <= end),
                key=lambda item: item.start,
            )
            entries = [self._file_entry(item, index) for index, item in enumerate(files)]
            entries += [
                _junk_entry(raw) for raw in self.faults.junk_files.get(f"{start:%Y-%m-%d}", [])
            ]
            if entries:
                result["File"] = entries
        return _ok("Search", {"SearchResult": result})

    def _status(
        self, recordings: list[ReolinkRecording], start: datetime, end: datetime
    ) -> list[Json]:
        days = {item.start.date() for item in recordings}
        days |= {date.fromisoformat(day) for day in self.faults.junk_files}
        statuses = []
        month = date(start.year, start.month, 1)
        while month <= end.date():
            following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
            length = (following - month).days
            table = "".join(
                "1" if month + timedelta(days=offset) in days else "0" for offset in range(length)
            )
            statuses.append({"mon": month.month, "table": table, "year": month.year})
            month = following
        return statuses

    def _file_entry(self, recording: ReolinkRecording, index: int) -> Json:
        mode = self.faults.search_size
        as_text = mode == "str" or (mode == "mixed" and index % 2 == 1)
        return {
            "EndTime": _time_block(recording.end),
            "StartTime": _time_block(recording.start),
            "frameRate": 0,
            "height": 0,
            "name": recording.name,
            "size": str(recording.size) if as_text else recording.size,
            "type": recording.stream,
            "width": 0,
        }

    # -- snapshot --

    def _snap(self, request: web.Request, entry: ReolinkRequest) -> web.Response:
        if not self._token_valid(entry.token):
            return self._json_reply(entry, [_error("Snap", -6)])
        if "Snap" in self.faults.unsupported:
            return self._json_reply(entry, [_error("Snap", -9)])
        if request.query.get("channel", "0") != "0":
            return self._json_reply(entry, [_error("Snap", -49)])
        if self.faults.snap_fails:
            return self._json_reply(entry, [_error("Snap", -48)])
        image = make_jpeg(f"{self.name}  {self.clock():%Y-%m-%d %H:%M:%S}")
        entry.status = 200
        entry.body_bytes = len(image)
        return web.Response(body=image, content_type="image/jpeg")

    # -- download / playback --

    async def _serve_file(
        self, request: web.Request, entry: ReolinkRequest, command: str
    ) -> web.StreamResponse:
        faults = self.faults
        if not self._token_valid(entry.token):
            return self._json_reply(entry, [_error(command, -6)])
        if command in faults.unsupported:
            return self._json_reply(entry, [_error(command, -9)])
        if command == "Download" and faults.download_fails:
            return await _hang_up(request)
        source = request.query.get("source", "")
        recording = next((item for item in self.recordings if item.name == source), None)
        if recording is None:
            return self._json_reply(entry, [_error(command, -222)])
        if recording.basename in faults.busy:
            return self._json_reply(entry, [_error(command, -221)])
        content_type = OCTET_STREAM if command == "Download" else faults.playback_content_type
        if command == "Playback" and faults.playback_flv:
            content_type = "video/x-flv"
        return await self._stream(request, entry, recording, content_type)

    def _file_headers(self, request: web.Request, recording: ReolinkRecording) -> dict[str, str]:
        modified = self._to_utc(recording.end)
        output = request.query.get("output") or recording.basename
        return {
            "Last-Modified": email.utils.format_datetime(modified, usegmt=True),
            "ETag": f'"{int(modified.timestamp()):x}-{recording.size:x}"',
            "Content-Disposition": f"attachment;filename={output}",
            "Accept-Ranges": "bytes",
        }

    async def _stream(
        self,
        request: web.Request,
        entry: ReolinkRequest,
        recording: ReolinkRecording,
        content_type: str,
    ) -> web.StreamResponse:
        size = recording.size
        headers = self._file_headers(request, recording)
        status, start, stop = self._range(entry.range, size, headers)
        entry.status = status
        response = web.StreamResponse(status=status, headers=headers)
        response.content_type = content_type
        if status == 416:
            response.content_length = 0
            await response.prepare(request)
            return response
        response.content_length = stop - start
        await response.prepare(request)
        if content_type == "video/x-flv":
            await response.write(b"FLV\x01\x05\x00\x00\x00\x09" + bytes(stop - start - 9))
            return response
        await self._send_body(request, entry, response, recording.basename, (start, stop), size)
        return response

    def _range(
        self, header: str | None, size: int, headers: dict[str, str]
    ) -> tuple[int, int, int]:
        """Return (status, first byte, end byte exclusive) and set Content-Range."""
        mode = self.faults.range_mode
        first = _range_start(header)
        if first is None or mode == "ignore":
            return 200, 0, size
        if mode == "416" or first >= size:
            headers["Content-Range"] = f"bytes */{size}"
            return 416, 0, 0
        if mode == "bad_content_range":
            headers["Content-Range"] = f"bytes {first + 1}-{size - 1}/{size}"
            return 206, first + 1, size
        headers["Content-Range"] = f"bytes {first}-{size - 1}/{size}"
        return 206, first, size

    async def _send_body(
        self,
        request: web.Request,
        entry: ReolinkRequest,
        response: web.StreamResponse,
        basename: str,
        span: tuple[int, int],
        size: int,
    ) -> None:
        sent = 0
        events = self._body_events(basename)
        for chunk in content.iter_content(basename, size, span[0], span[1], _CHUNK):
            piece = chunk
            while events and events[0][0] <= sent + len(piece):
                at, action, pause = events.pop(0)
                head, piece = piece[: max(at - sent, 0)], piece[max(at - sent, 0) :]
                await self._write(response, entry, basename, head)
                sent += len(head)
                if action != "stall":
                    await _close_connection(request, abort=action == "reset")
                    return
                await asyncio.sleep(pause)
            await self._write(response, entry, basename, piece)
            sent += len(piece)
            if self.faults.rate_limit:
                await asyncio.sleep(len(piece) / self.faults.rate_limit)

    def _body_events(self, basename: str) -> list[tuple[int, str, float]]:
        """Return the faults to play while sending a body: (after N bytes, action, pause)."""
        faults = self.faults
        events: list[tuple[int, str, float]] = []
        if basename in faults.stall:
            at, pause = faults.stall[basename]
            events.append((at, "stall", pause))
        if basename in faults.truncate:
            events.append((faults.truncate[basename], "truncate", 0.0))
        if basename in faults.reset_after:
            events.append((faults.reset_after[basename], "reset", 0.0))
        return sorted(events)

    async def _write(
        self, response: web.StreamResponse, entry: ReolinkRequest, basename: str, piece: bytes
    ) -> None:
        if not piece:
            return
        await response.write(piece)
        entry.body_bytes += len(piece)
        self._served[basename] = self._served.get(basename, 0) + len(piece)


# -- module helpers --


def _ok(command: str, value: Json) -> Json:
    return {"cmd": command, "code": 0, "value": value}


def _error(command: str, code: int, detail: str | None = None, **extra: Any) -> Json:
    text = detail if detail is not None else _DETAILS.get(code, "error")
    return {"cmd": command, "code": 1, "error": {"detail": text, "rspCode": code, **extra}}


def _dumps(value: object) -> bytes:
    """Serialise like the firmware: three-space indent and ``"key" : value``."""
    return json.dumps(value, indent=3, separators=(",", " : ")).encode()


def _time_block(moment: datetime) -> Json:
    return {
        "day": moment.day,
        "hour": moment.hour,
        "min": moment.minute,
        "mon": moment.month,
        "sec": moment.second,
        "year": moment.year,
    }


def _parse_time(block: Json) -> datetime:
    day = date(int(block["year"]), int(block["mon"]), int(block["day"]))
    clock = dt_time(int(block.get("hour", 0)), int(block.get("min", 0)), int(block.get("sec", 0)))
    return datetime.combine(day, clock)


def _junk_entry(raw: Any) -> Any:
    if isinstance(raw, str):
        return {"name": raw, "size": 1000, "type": "main", "frameRate": 0, "height": 0, "width": 0}
    return raw


def _rule_datetime(year: int, rule: DstRule) -> datetime:
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


def _range_start(header: str | None) -> int | None:
    """Return N of ``bytes=N-`` / ``bytes=N-M`` (the simulator always serves to the end)."""
    if not header or not header.startswith("bytes="):
        return None
    first, _, _ = header[6:].partition("-")
    return int(first) if first.strip().isdigit() else None


async def _close_connection(request: web.Request, *, abort: bool) -> None:
    """Close the connection now: cleanly (FIN after pending bytes) or with a TCP reset.

    Before a reset, wait (up to a second) until the bytes already written left the process,
    so the client does receive the N bytes the fault promises.
    """
    transport = request.transport
    if transport is None:
        return
    if not abort:
        transport.close()
        return
    for _ in range(500):
        if transport.is_closing() or not transport.get_write_buffer_size():
            break
        await asyncio.sleep(0.002)
    await asyncio.sleep(0.01)  # the kernel's send queue
    sock = transport.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()


async def _hang_up(request: web.Request) -> web.Response:
    """Drop the connection without any HTTP reply, as some firmwares do on Download."""
    await _close_connection(request, abort=False)
    return web.Response()


def self_signed_context() -> ssl.SSLContext:
    """Return a server SSL context with a throwaway self-signed certificate for 127.0.0.1."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "reolink-simulator")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    with tempfile.TemporaryDirectory() as folder:
        cert_path = Path(folder) / "cert.pem"
        key_path = Path(folder) / "key.pem"
        cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
        key_path.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        context.load_cert_chain(cert_path, key_path)
    return context
