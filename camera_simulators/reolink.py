"""A simulated Reolink camera: the CGI API over HTTP(S), with fault knobs and firmware profiles.

It speaks what camsync uses of the API (see ``shared/reference/reolink-api.md``): Login/Logout
with leased tokens, GetDevInfo, GetLocalLink, GetHddInfo, GetTime, Snap, Search, Download and
Playback, on ``/cgi-bin/api.cgi`` and ``/api.cgi``. JSON replies are labelled ``text/html`` and
use the camera's spacing (``"key" : value``); errors carry ``code`` 1 and an ``error`` block.

**Profiles.** ``ReolinkSimulator(recordings, ReolinkFaults())`` is the polite RLC-520A of the
vendor guide v7: Download serves exactly Search's size with a Content-Length, errors are JSON.
``ReolinkFaults(profile="v3")`` is an RLC-1224A on firmware v3.2.0.6011 as measured on a real
camera: remuxed fragmented MP4 bodies whose length is neither Search's size nor the name's,
``video/mp4``, chunked without Content-Length, TCP resets instead of answers, HTTP 401 for a lost
session, Playback 404, a single-threaded Search (-54). Pair it with
``make_reolink_recordings(..., firmware="v3")`` for v3 names (``/mnt/sda/Mp4Record/...RecM0A_``,
``DST`` markers, a name size that drifts from Search's). Every knob is documented on
:class:`~camera_simulators.reolink_faults.ReolinkFaults`.

**Content.** Every video is a well-formed MP4 from :mod:`camera_simulators.content` (plain, or
fragmented when remuxed), generated in chunks; ``expected_sha256`` and ``served_size`` say what a
complete copy looks like under the current knobs. With ``clips=`` the simulator serves real clip
files instead (:mod:`camera_simulators.clips`).

**Recordings still being recorded** (``in_progress``) are listed with end ``000000`` and a size
that grows with every listing; :meth:`ReolinkSimulator.finish_recording` gives them their final
name, end and size, after which the old name is gone (-222, or a reset with ``reset_missing``).

Time zone: ``ReolinkFaults.time_zone_seconds`` defaults to -3600, which Reolink uses for UTC+1
(the sign is inverted), with central-European DST (last Sunday of March 02:00 to last Sunday of
October 03:00, one hour). All recording times are camera-local naive datetimes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Iterator
import contextlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time as dt_time, timedelta
import email.utils
import hashlib
import ipaddress
import json
from pathlib import Path
import random
import secrets
import socket
import ssl
import struct
import tempfile
import time
from typing import Any, Self
import urllib.parse

from aiohttp import web
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from . import content
from .clips import ClipLibrary
from .jpeg import make_jpeg
from .reolink_faults import OCTET_STREAM, V3_KNOBS, ReolinkFaults
from .reolink_recordings import (
    TRIGGERS,
    ReolinkRecording,
    make_reolink_recordings,
    make_v3,
    name_size_drift,
    remux_size,
    rule_datetime,
)

__all__ = [
    "LOCKED_DETAIL",
    "OCTET_STREAM",
    "TRIGGERS",
    "V3_KNOBS",
    "ReolinkFaults",
    "ReolinkRecording",
    "ReolinkRequest",
    "ReolinkSimulator",
    "make_reolink_recordings",
    "make_v3",
    "remux_size",
    "self_signed_context",
]

LOCKED_DETAIL = "Login has been locked, please try again later!"
V3_MODEL = "RLC-1224A"
V3_FIRMWARE = "v3.2.0.6011_2607012059"
_CHUNK = 64 * 1024
_BROKEN_PAGE = b"<html><body><h1>500 Internal Server Error</h1></body></html>"
_NOT_FOUND_PAGE = b"<html><body><h1>404 Not Found</h1></body></html>"
_HTTP_ERROR_PAGE = "<html><body><h1>{status}</h1></body></html>"
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
    -54: "the respode of msg is err",  # sic, as a real RLC-1224A answers an overlapping Search
    -220: "Error downloading video file",
    -221: "Busy video recording task",
    -222: "The video file does not exist",
    -507: "login reach max",
}

type Json = dict[str, Any]


@dataclass
class ReolinkRequest:
    """One request the simulator received, for assertions.

    ``url`` is the path and query as received; ``params`` the query (token included);
    ``commands`` the commands it carried (a batch has several); ``body`` the parsed JSON body,
    where Login's password belongs; ``rsp_codes`` one per reply element (0 = success);
    ``body_bytes`` the file or image bytes sent. ``outcome`` says how a file request ended when
    it got no ordinary answer: ``"reset"`` (TCP reset, no reply), ``"hang_up"`` (closed, no reply).
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
    outcome: str = ""


@dataclass
class _Token:
    expires: float


class ReolinkSimulator:
    """A fake Reolink camera on 127.0.0.1 (an aiohttp.web app) with fault knobs.

    ``model``/``firmware`` default to the RLC-520A of the guide, or to the RLC-1224A v3.2 when
    ``faults.profile`` is ``"v3"``. ``clips``: serve these real clips for every video.
    """

    def __init__(
        self,
        recordings: Iterable[ReolinkRecording] | None = None,
        faults: ReolinkFaults | None = None,
        *,
        model: str | None = None,
        mac: str = "EC:71:DB:12:34:56",
        name: str = "Front yard",
        firmware: str | None = None,
        serial: str = "00000000012345",
        sd_capacity_mb: int = 30462,
        sd_free_mb: int = 779,
        clock: Callable[[], datetime] | None = None,
        clips: ClipLibrary | None = None,
    ) -> None:
        self.recordings: list[ReolinkRecording] = list(recordings or [])
        self.faults = faults or ReolinkFaults()
        v3 = self.faults.profile == "v3"
        self.model = model or (V3_MODEL if v3 else "RLC-520A")
        self.mac = mac
        self.name = name
        self.firmware = firmware or (V3_FIRMWARE if v3 else "v3.0.0.2356_23062000")
        self.serial = serial
        self.sd_capacity_mb = sd_capacity_mb
        self.sd_free_mb = sd_free_mb
        self.clock: Callable[[], datetime] = clock or self._default_clock
        self.clips = clips
        self.requests: list[ReolinkRequest] = []
        self._tokens: dict[str, _Token] = {}
        self._failures = 0
        self._locked_until = 0.0
        self._served: dict[str, int] = {}
        self._searching = 0
        self._sending = 0
        self._rng: random.Random | None = None
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

    def served_size(self, recording_or_basename: ReolinkRecording | str) -> int:
        """Return the length a Download of the recording serves under the current knobs."""
        recording = self.find(recording_or_basename)
        if self.clips is not None:
            return self.clips.size(recording.key)
        return remux_size(recording) if self.faults.remux else recording.size

    def expected_sha256(self, recording_or_basename: ReolinkRecording | str) -> str:
        """Return the sha256 a complete Download of the recording has under the current knobs."""
        recording = self.find(recording_or_basename)
        digest = hashlib.sha256()
        for piece in self._chunks(recording, 0, self.served_size(recording), content.BLOCK_SIZE):
            digest.update(piece)
        return digest.hexdigest()

    def expected_bytes(self, recording_or_basename: ReolinkRecording | str) -> bytes:
        """Return a complete Download's bytes (meant for small files)."""
        recording = self.find(recording_or_basename)
        return b"".join(self._chunks(recording, 0, self.served_size(recording), _CHUNK))

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

    def start_recording(
        self,
        start: datetime,
        triggers: Iterable[str] = ("motion",),
        *,
        size: int = 100_000,
        stream: str = "main",
        v3: bool | None = None,
    ) -> ReolinkRecording:
        """Add a clip that is still being recorded (end ``000000``, growing); return it.

        ``v3`` (default: the profile is v3) names it as v3 firmware does.
        """
        recording = ReolinkRecording(
            start=start,
            end=start,
            triggers=frozenset(triggers),
            size=size,
            stream=stream,
            in_progress=True,
        )
        if self.faults.profile == "v3" if v3 is None else v3:
            make_v3(recording)
        else:
            recording.name_size = size
        self.recordings.append(recording)
        return recording

    def finish_recording(
        self,
        recording_or_name: ReolinkRecording | str,
        *,
        end: datetime | None = None,
        size: int | None = None,
    ) -> ReolinkRecording:
        """Stop recording a clip; return it.

        It gets its real end (default 30 s after its start), a final size (default: one more
        growth step) and so a new name; the old name is gone.
        """
        recording = self.find(recording_or_name)
        recording.in_progress = False
        recording.finish_after_listings = None
        recording.end = end or recording.start + timedelta(seconds=30)
        recording.size = size if size is not None else recording.size + self.faults.growth_bytes
        recording.name_size = (
            recording.size - name_size_drift(recording) if recording.variant == "10" else None
        )
        return recording

    @property
    def searches_in_progress(self) -> int:
        """Return how many Search requests the camera is working on now."""
        return self._searching

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
        return rule_datetime(year, faults.dst_start), rule_datetime(year, faults.dst_end)

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

    def _to_utc(self, local: datetime, dst: bool | None = None) -> datetime:
        """Camera-local to UTC; ``dst`` (the name's marker) overrides the rule when given."""
        offset = timedelta(seconds=self.faults.time_zone_seconds)
        if dst is None and self._dst_active():
            start, end = self._dst_window(local.year)
            dst = start <= local < end
        if dst:
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
        if "Search" not in entry.commands:
            return self._replies(entry, body, overlapped=False)
        faults = self.faults
        if faults.search_http_errors:
            entry.status = faults.search_http_errors.pop(0)
            page = _HTTP_ERROR_PAGE.format(status=entry.status)
            return web.Response(status=entry.status, text=page, content_type="text/html")
        # The camera searches one request at a time: a Search arriving during another overlaps.
        overlapped = self._searching > 0
        self._searching += 1
        try:
            if faults.search_seconds > 0:
                await asyncio.sleep(faults.search_seconds)
            return self._replies(entry, body, overlapped=overlapped)
        finally:
            self._searching -= 1

    def _replies(
        self, entry: ReolinkRequest, body: list[Json], *, overlapped: bool
    ) -> web.Response:
        replies = [self._command(item, entry.token, overlapped=overlapped) for item in body]
        if self.faults.short_batch and len(replies) > 1:
            replies = replies[:-1]
        return self._json_reply(entry, replies)

    def _json_reply(self, entry: ReolinkRequest, replies: list[Json]) -> web.Response:
        entry.status = 200
        entry.rsp_codes = [
            int(reply["error"]["rspCode"]) if reply.get("code") else 0 for reply in replies
        ]
        return web.Response(body=_dumps(replies), content_type="text/html")

    def _command(self, item: Json, token: str | None, *, overlapped: bool = False) -> Json:
        name = str(item.get("cmd", ""))
        param = item.get("param")
        param = param if isinstance(param, dict) else {}
        if name == "Login":
            return self._login(param)
        if not self._token_valid(token):
            return _error(name, -6)
        if name in self.faults.unsupported:
            return _error(name, -9)
        if name == "Search":
            return self._search(param, overlapped=overlapped)
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
            return _error("Login", faults.max_sessions_rsp_code)
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

    def _search(self, param: Json, *, overlapped: bool) -> Json:
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
        faults = self.faults
        if faults.search_busy_next > 0:
            faults.search_busy_next -= 1
            return _error("Search", -54)
        if overlapped and faults.search_overlap == "busy":
            return _error("Search", -54)
        stream = str(search.get("streamType", "main"))
        recordings = [item for item in self.recordings if item.stream == stream]
        result: Json = {"Status": self._status(recordings, start, end), "channel": channel}
        if not status_only and start.date() == end.date():
            day = f"{start:%Y-%m-%d}"
            empty = overlapped and faults.search_overlap == "empty"
            if day in faults.search_empty_next:
                faults.search_empty_next.discard(day)
                empty = True
            files = [] if empty else self._listed(recordings, start, end)
            entries = [self._file_entry(item, index) for index, item in enumerate(files)]
            if not empty:
                entries += [_junk_entry(raw) for raw in faults.junk_files.get(day, [])]
            if entries:
                result["File"] = entries
        return _ok("Search", {"SearchResult": result})

    def _listed(
        self, recordings: list[ReolinkRecording], start: datetime, end: datetime
    ) -> list[ReolinkRecording]:
        """Return what a file search lists; clips still recording grow (or finish) first."""
        files = sorted(
            (item for item in recordings if start <= item.start <= end),
            key=lambda item: item.start,
        )
        for item in files:
            if not item.in_progress:
                continue
            if item.finish_after_listings is not None:
                item.finish_after_listings -= 1
                if item.finish_after_listings <= 0:
                    self.finish_recording(item)
                    continue
            item.size += self.faults.growth_bytes
        return files

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
        end = recording.end
        if recording.in_progress:
            end = datetime.combine(recording.start.date(), dt_time())
        return {
            "EndTime": _time_block(end),
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
        """Answer Download/Playback; the checks run in the order the v3 firmware showed."""
        faults = self.faults
        raw_source = _raw_query_value(request, "source")
        if faults.wedged:
            return await self._reset(request, entry)
        if faults.reset_on_encoded_slash and "%2f" in raw_source.lower():
            return await self._reset(request, entry)
        if not self._token_valid(entry.token):
            if faults.session_401:
                entry.status = 401
                return web.Response(status=401, body=b"", content_type="text/html")
            return self._json_reply(entry, [_error(command, -6)])
        if command in faults.unsupported:
            return self._json_reply(entry, [_error(command, -9)])
        if command == "Playback" and faults.playback_404:
            entry.status = 404
            return web.Response(status=404, body=_NOT_FOUND_PAGE, content_type="text/html")
        if faults.reset_probability > 0 and self._draw() < faults.reset_probability:
            return await self._reset(request, entry)
        if command == "Download" and faults.download_fails:
            entry.outcome = "hang_up"
            return await _hang_up(request)
        if command == "Download" and faults.wedge_on_concurrent_download and self._sending:
            faults.wedged = True
            return await self._reset(request, entry)
        if faults.strict_source:
            source = urllib.parse.unquote(raw_source)
        else:
            source = request.query.get("source", "")
        recording = next((item for item in self.recordings if item.name == source), None)
        if recording is None:
            if faults.reset_missing:
                return await self._reset(request, entry)
            return self._json_reply(entry, [_error(command, -222)])
        if recording.basename in faults.busy:
            return self._json_reply(entry, [_error(command, -221)])
        content_type = (
            faults.download_content_type if command == "Download" else faults.playback_content_type
        )
        if command == "Playback" and faults.playback_flv:
            content_type = "video/x-flv"
        return await self._stream(request, entry, recording, content_type)

    def _draw(self) -> float:
        if self._rng is None:
            self._rng = random.Random(self.faults.reset_seed)
        return self._rng.random()

    async def _reset(self, request: web.Request, entry: ReolinkRequest) -> web.Response:
        """Reset the connection (RST) without any HTTP reply."""
        entry.outcome = "reset"
        await _close_connection(request, abort=True)
        return web.Response()

    def _file_headers(
        self, request: web.Request, recording: ReolinkRecording, size: int
    ) -> dict[str, str]:
        dst = recording.dst_prefix if self.faults.dst_from_name else None
        modified = self._to_utc(recording.end, dst)
        output = request.query.get("output") or recording.basename
        return {
            "Last-Modified": email.utils.format_datetime(modified, usegmt=True),
            "ETag": f'"{int(modified.timestamp()):x}-{size:x}"',
            "Content-Disposition": f"attachment;filename={output}",
            "Accept-Ranges": "bytes",
        }

    def _chunks(
        self, recording: ReolinkRecording, start: int, stop: int, chunk_size: int
    ) -> Iterator[bytes]:
        """Return the served bytes ``start``..``stop`` of a recording under the current knobs."""
        if self.clips is not None:
            return self.clips.chunks(recording.key, start, stop, chunk_size)
        faults = self.faults
        return content.iter_content(
            recording.basename,
            self.served_size(recording),
            start,
            stop,
            chunk_size,
            layout="fragmented" if faults.remux else "plain",
            damage=faults.box_damage.get(recording.basename, 0),
        )

    async def _stream(
        self,
        request: web.Request,
        entry: ReolinkRequest,
        recording: ReolinkRecording,
        content_type: str,
    ) -> web.StreamResponse:
        size = self.served_size(recording)
        headers = self._file_headers(request, recording, size)
        status, start, stop = self._range(entry.range, size, headers)
        entry.status = status
        response = web.StreamResponse(status=status, headers=headers)
        response.content_type = content_type
        if status == 416:
            response.content_length = 0
            await response.prepare(request)
            return response
        if self.faults.chunked:
            response.enable_chunked_encoding()
        else:
            response.content_length = stop - start
        await response.prepare(request)
        if content_type == "video/x-flv":
            await response.write(b"FLV\x01\x05\x00\x00\x00\x09" + bytes(stop - start - 9))
            return response
        chunks = self._chunks(recording, start, stop, _CHUNK)
        self._sending += 1
        try:
            with contextlib.suppress(ConnectionError):  # the client went away
                await self._send_body(request, entry, response, recording.basename, chunks)
        finally:
            self._sending -= 1
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
        chunks: Iterator[bytes],
    ) -> bool:
        """Send the body, playing the per-file faults; return whether it ended normally."""
        sent = 0
        events = self._body_events(basename)
        for chunk in chunks:
            piece = chunk
            while events and events[0][0] <= sent + len(piece):
                at, action, pause = events.pop(0)
                head, piece = piece[: max(at - sent, 0)], piece[max(at - sent, 0) :]
                await self._write(response, entry, basename, head)
                sent += len(head)
                if action != "stall":
                    entry.outcome = "reset" if action == "reset" else "truncated"
                    await _close_connection(request, abort=action == "reset")
                    return False
                await asyncio.sleep(pause)
            await self._write(response, entry, basename, piece)
            sent += len(piece)
            if self.faults.rate_limit:
                await asyncio.sleep(len(piece) / self.faults.rate_limit)
        return True

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


def _raw_query_value(request: web.Request, key: str) -> str:
    """Return a query parameter exactly as it arrived on the request line (not decoded)."""
    for part in request.raw_path.partition("?")[2].split("&"):
        name, _, value = part.partition("=")
        if name == key:
            return value
    return ""


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
