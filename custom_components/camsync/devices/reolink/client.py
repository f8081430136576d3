"""Reolink cameras: camsync's own thin aiohttp client for the CGI API (no reolink-aio).

It logs in with a leased token (never user/password in URLs), lists SD-card recordings with a
status search per month and a file search per day, downloads with ``Range`` and falls back to
Playback when Download fails, and takes JPEG snapshots. Facts and sources are in
``shared/reference/reolink-api.md``.

Secrets: the token travels in query strings, so no URL is ever logged or put in an exception;
aiohttp errors (whose text names the URL) are never chained into the errors raised here.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time as dt_time, timedelta, tzinfo
import logging
import re
import secrets
import ssl
import time
from typing import Any
from urllib.parse import quote

import aiohttp
from yarl import URL

from ...engine.camera import CameraStorage, Capabilities, DeviceInfo
from ...engine.errors import (
    CameraAuthError,
    CamsyncError,
    FileTransferError,
    LoginLockedError,
    ProtocolError,
    UnsupportedError,
)
from ...engine.models import FileFacts, FileRole, Listing, Recording, RemoteFile
from ..base import (
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_READ_TIMEOUT,
    camera_request,
    client_timeout,
    file_request,
)
from .errors import (
    UNSUPPORTED_CODES,
    ReplyError,
    error_in_body,
    map_reolink_error,
    reply_error,
)
from .names import OTHER_RANK, TRIGGER_RANK, ParsedName, main_trigger, parse_recording_name
from .protocol import (
    API_PATH,
    CAMERA_TLS,
    JPEG_MAGIC,
    MAX_BATCH,
    MAX_JSON_BYTES,
    MAX_SNAPSHOT_BYTES,
    VIDEO_TYPES,
    Json,
    command_body,
    int_or_none,
    month_end,
    months,
    parse_json,
    read_limited,
    search_command,
    status_days,
)
from .zone import clip_zone, zone_from_get_time

_LOGGER = logging.getLogger(__name__)

MANUFACTURER = "Reolink"
RENEW_MARGIN = 300.0

DEFAULT_LISTING_DAYS = 7
SETTLE_TIME = timedelta(minutes=2)
"""A clip is listed once it ended at least this long ago (camera clock): it is final then."""
MAX_CLIP_LENGTH = timedelta(hours=1)
"""The longest clip taken to have really ended at midnight when Search gives no end time."""
SEARCH_BUSY = -54
DEFAULT_RETRY_PAUSE = 1.0

MAX_SKIPPED_SAMPLES = 5

_MB = 1024 * 1024

CAPABILITIES = Capabilities(
    storage=True, live_snapshot=True, live_preview=True, stable_identity=True, listed_sizes=True
)

_LOCATOR_BAD = re.compile(r"[\x00-\x1f\x7f\\]|(?:^|/)\.\.(?:/|\Z)", re.ASCII)


def normalise_mac(mac: str) -> str:
    """Return a MAC address as lowercase colon-separated pairs (like HA's ``format_mac``)."""
    digits = re.sub(r"[^0-9A-Fa-f]", "", mac)
    if len(digits) != 12:
        return mac.lower()
    return ":".join(digits[index : index + 2] for index in range(0, 12, 2)).lower()


class HttpStatusError(ProtocolError):
    """A JSON command answered with an HTTP error status instead of JSON."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


@dataclass(slots=True)
class _Session:
    token: str = field(repr=False)
    expires: float
    lease: float


class _Skipped:
    """Junk listing entries: a count and a few samples."""

    def __init__(self) -> None:
        self.count = 0
        self.samples: list[str] = []

    def add(self, entry: Any) -> None:
        self.count += 1
        if len(self.samples) < MAX_SKIPPED_SAMPLES:
            name = entry.get("name") if isinstance(entry, Mapping) else entry
            self.samples.append(str(name)[:120])


class ReolinkClient:
    """A Reolink camera (RLC-520A-like) as camsync sees it; follows ``CameraClient``.

    One token is reused for its lease and renewed when fewer than 300 s remain (or half the
    lease, for short leases), logging out first. A token the camera rejects (-6/-21) is
    replaced once per request. A refused login (wrong credentials, lockout) is remembered: the
    client raises again without asking the camera, so it never logs in in a loop; build a new
    client with new credentials. After a lockout it tries again once ``retry_after`` passed.
    """

    def __init__(
        self,
        session: aiohttp.ClientSession,
        host: str,
        *,
        port: int | None = None,
        use_https: bool = False,
        username: str,
        password: str,
        channel: int = 0,
        stream: str = "main",
        tz: tzinfo = UTC,
        connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
        read_timeout: float = DEFAULT_READ_TIMEOUT,
        retry_pause: float = DEFAULT_RETRY_PAUSE,
    ) -> None:
        self._http = session
        self._retry_pause = retry_pause
        self._names_mark_dst = False
        self._hostname = host
        self._port = port
        self._https = use_https
        self._username = username
        self._password = password
        self._channel = channel
        self._stream = stream
        self._tz = tz
        self._timeout = client_timeout(connect_timeout, read_timeout)
        self._ssl: ssl.SSLContext | bool = CAMERA_TLS if use_https else True
        self._session: _Session | None = None
        self._refusal: CamsyncError | None = None
        self._locked_until = 0.0
        self._prefer_playback = False
        self._monotonic: Callable[[], float] = time.monotonic
        self._login_lock = asyncio.Lock()
        bracketed = f"[{host}]" if ":" in host and not host.startswith("[") else host
        scheme = "https" if use_https else "http"
        default_port = 443 if use_https else 80
        suffix = f":{port}" if port is not None and port != default_port else ""
        self._base = f"{scheme}://{bracketed}{suffix}"
        self._url = self._base + API_PATH

    def __repr__(self) -> str:
        return f"ReolinkClient(host={self.host!r}, username={self._username!r})"

    @property
    def host(self) -> str:
        """Return the host (and port when one was given) the client talks to."""
        return self._hostname if self._port is None else f"{self._hostname}:{self._port}"

    @property
    def capabilities(self) -> Capabilities:
        """Return what a Reolink camera can do: SD card, live snapshots, a MAC for identity."""
        return CAPABILITIES

    @property
    def time_zone(self) -> tzinfo:
        """Return the camera's zone (learned from GetTime, else the one given at creation)."""
        return self._tz

    # -- transport --

    @contextmanager
    def _transport(self) -> Iterator[None]:
        """Map transport failures, and keep aiohttp errors (which name the URL) out of them."""
        try:
            with camera_request(self.host):
                yield
        except CamsyncError as err:
            raise err from None

    async def _post(self, commands: Sequence[Json], token: str | None) -> list[Any]:
        """POST one batch and return the reply elements (no token handling)."""
        name = str(commands[0]["cmd"])
        params = {"cmd": name} if token is None else {"cmd": name, "token": token}
        _LOGGER.debug("%s: POST %s (%d commands)", self.host, name, len(commands))
        with self._transport():
            async with self._http.post(
                self._url, params=params, json=list(commands), ssl=self._ssl, timeout=self._timeout
            ) as response:
                data = await read_limited(response, MAX_JSON_BYTES)
                status = response.status
        if status != 200:
            hint = " (does the camera expect HTTPS?)" if status in (300, 301, 302) else ""
            raise HttpStatusError(f"{self.host}: {name} answered HTTP {status}{hint}", status)
        replies = parse_json(data)
        if not isinstance(replies, list):
            raise ProtocolError(f"{self.host}: {name} answered something that is not JSON")
        return replies

    async def _batch(self, commands: Sequence[Json]) -> list[Any]:
        """Send commands with a valid token; one reply element per command."""
        replies: list[Any] = []
        for first in range(0, len(commands), MAX_BATCH):
            chunk = commands[first : first + MAX_BATCH]
            answer = await self._with_session(chunk)
            if len(answer) != len(chunk):
                _LOGGER.debug("%s: short batch reply, sending one by one", self.host)
                answer = [(await self._with_session([item]))[0] for item in chunk]
            replies.extend(answer)
        return replies

    async def _with_session(self, commands: Sequence[Json]) -> list[Any]:
        """POST with the current token, replacing it once when the camera rejects it."""
        for attempt in range(2):
            token = await self._token()
            replies = await self._post(commands, token)
            if not replies and len(commands) == 1:
                raise ProtocolError(f"{self.host}: {commands[0]['cmd']} got an empty reply")
            errors = [reply_error(reply) for reply in replies]
            if attempt == 0 and any(error and error.session_expired for error in errors):
                _LOGGER.debug("%s: the camera dropped our session, logging in again", self.host)
                self._session = None
                continue
            return replies
        raise AssertionError("unreachable")  # pragma: no cover

    def _value(self, reply: Any, command: str) -> Json:
        """Return a reply element's value, or raise its mapped error."""
        error = reply_error(reply)
        if error is not None:
            raise map_reolink_error(
                error.code,
                error.detail,
                host=self.host,
                command=command,
                retry_after=error.retry_after,
            )
        value = reply.get("value")
        if not isinstance(value, dict):
            raise ProtocolError(f"{self.host}: {command} answered without a value")
        return value

    async def _call(self, name: str, param: Json | None = None) -> Json:
        """Send one command and return its value."""
        replies = await self._batch([command_body(name, param)])
        return self._value(replies[0], name)

    # -- login --

    async def _token(self) -> str:
        """Return a token with enough lease left, logging in (once) when needed."""
        async with self._login_lock:
            now = self._monotonic()
            session = self._session
            if session is not None:
                margin = min(RENEW_MARGIN, session.lease / 2)
                if session.expires - now > margin:
                    return session.token
                _LOGGER.debug("%s: token lease ends soon, renewing", self.host)
                await self._logout()
            self._check_refusal(now)
            return await self._login()

    def _check_refusal(self, now: float) -> None:
        """Raise again a refusal the camera gave, instead of asking it again."""
        refusal = self._refusal
        if refusal is None:
            return
        if isinstance(refusal, LoginLockedError):
            if now < self._locked_until:
                raise type(refusal)(str(refusal), self._locked_until - now)
            self._refusal = None
            return
        raise type(refusal)(str(refusal))

    async def _login(self) -> str:
        user = {"userName": self._username, "password": self._password}
        replies = await self._post([command_body("Login", {"User": user})], None)
        try:
            value = self._value(replies[0] if replies else None, "Login")
            token = value["Token"]
            name, lease = str(token["name"]), float(token.get("leaseTime", 3600))
        except (CameraAuthError, LoginLockedError) as err:
            self._remember_refusal(err)
            raise
        except (KeyError, TypeError, ValueError):
            raise ProtocolError(f"{self.host}: Login answered without a token") from None
        self._session = _Session(name, self._monotonic() + lease, lease)
        _LOGGER.debug("%s: logged in, lease %.0f s", self.host, lease)
        return name

    def _remember_refusal(self, err: CamsyncError) -> None:
        self._refusal = err
        if isinstance(err, LoginLockedError):
            self._locked_until = self._monotonic() + err.retry_after
            _LOGGER.debug("%s: logins refused for %.0f s", self.host, err.retry_after)

    async def _logout(self) -> None:
        """Log the current token out; failures only matter to the camera's session count."""
        session, self._session = self._session, None
        if session is None:
            return
        try:
            await self._post([command_body("Logout")], session.token)
        except CamsyncError as err:
            _LOGGER.debug("%s: logout failed: %s", self.host, err)

    async def async_close(self) -> None:
        """Log out, so the camera's session slot is free at once."""
        async with self._login_lock:
            await self._logout()

    # -- identity, storage, time --

    async def async_get_info(self) -> DeviceInfo:
        """Return the camera's identity (GetDevInfo, GetLocalLink) and learn its time zone."""
        names = ("GetDevInfo", "GetLocalLink", "GetTime")
        replies = await self._batch([command_body(name) for name in names])
        device = self._value(replies[0], "GetDevInfo").get("DevInfo")
        if not isinstance(device, dict):
            raise ProtocolError(f"{self.host}: GetDevInfo answered without DevInfo")
        link = self._optional(replies[1], "GetLocalLink").get("LocalLink")
        mac_raw = link.get("mac") if isinstance(link, dict) else None
        mac = normalise_mac(mac_raw) if isinstance(mac_raw, str) and mac_raw else None
        self._apply_time(self._optional(replies[2], "GetTime"))
        return DeviceInfo(
            manufacturer=MANUFACTURER,
            model=_text(device.get("model")),
            firmware=_text(device.get("firmVer")),
            serial=_text(device.get("serial")),
            mac=mac,
            name=_text(device.get("name")),
            unique_id=mac,
            configuration_url=self._base,
            extra={
                "channels": device.get("channelNum"),
                "hardware": device.get("hardVer"),
                "device_type": device.get("exactType") or device.get("type"),
                "disks": device.get("diskNum"),
                "time_zone": self._tz.tzname(None),
                "stream": self._stream,
            },
        )

    def _optional(self, reply: Any, command: str) -> Json:
        """Return a reply's value, or {} when the camera could not answer this command."""
        try:
            return self._value(reply, command)
        except ProtocolError as err:
            _LOGGER.debug("%s: %s unavailable: %s", self.host, command, err)
            return {}

    def _apply_time(self, value: Json) -> datetime | None:
        """Learn the zone from a GetTime value; return the camera's wall clock, if it said."""
        if not value:
            return None
        zone = zone_from_get_time(value, self._tz)
        if zone != self._tz:  # keep the same object while nothing changes
            self._tz = zone
        clock = value.get("Time", {})
        try:
            return datetime.combine(
                date(int(clock["year"]), int(clock["mon"]), int(clock["day"])),
                dt_time(int(clock["hour"]), int(clock["min"]), int(clock["sec"])),
            )
        except (KeyError, TypeError, ValueError):
            return None

    async def _camera_now(self) -> datetime:
        """Return the camera's wall clock (GetTime), learning its zone on the way."""
        try:
            value = await self._call("GetTime")
        except ProtocolError as err:
            _LOGGER.debug("%s: GetTime unavailable, using the local clock: %s", self.host, err)
            value = {}
        wall = self._apply_time(value)
        return wall if wall is not None else datetime.now(self._tz).replace(tzinfo=None)

    async def async_get_storage(self) -> CameraStorage | None:
        """Return the SD card's size and free space (GetHddInfo), None when there is no card.

        Sizes come in MB from the camera and are converted with 1 MB = 1 MiB.
        """
        disks = (await self._call("GetHddInfo")).get("HddInfo")
        if not isinstance(disks, list) or not disks:
            return None
        valid = [disk for disk in disks if isinstance(disk, dict)]
        if not valid:
            return None
        return CameraStorage(
            capacity_bytes=sum(int_or_none(disk.get("capacity")) or 0 for disk in valid) * _MB,
            free_bytes=sum(int_or_none(disk.get("size")) or 0 for disk in valid) * _MB,
            usable=all(disk.get("format") == 1 and disk.get("mount") == 1 for disk in valid),
            disks=len(valid),
            kind="hdd" if any(disk.get("storageType") == 1 for disk in valid) else "sd",
        )

    # -- listing --

    async def async_list_recordings(self, *, since: datetime | None = None) -> Listing:
        """List recordings that end after ``since`` (default: the last 7 days).

        A status search per month finds the days with recordings, then one file search per
        such day (the camera returns file names only for windows within one day). A naive
        ``since`` is read as camera wall time. Clips still being recorded are left out until
        they are final: the camera renames them when they end.
        """
        now = await self._camera_now()
        if since is None:
            first = now - timedelta(days=DEFAULT_LISTING_DAYS)
        elif since.tzinfo is None:
            first = since
        else:
            first = since.astimezone(self._tz).replace(tzinfo=None)
        days = await self._days_with_recordings(first.date(), now.date())
        entries = [entry for day in days for entry in await self._files_of(day)]
        self._learn_dst_marking(entries)
        skipped = _Skipped()
        unfinished = 0
        found: dict[str, Recording] = {}
        for entry in entries:
            try:
                recording = self._recording(entry, now)
            except _UnfinishedError:
                unfinished += 1
                continue
            except Exception:  # noqa: BLE001 (one odd entry never ends a listing)
                _LOGGER.debug("%s: cannot read Search entry %r", self.host, entry, exc_info=True)
                recording = None
            if recording is None:
                skipped.add(entry)
            elif recording.name not in found and self._ends_after(recording, first):
                found[recording.name] = recording
        if skipped.count:
            _LOGGER.debug("%s: skipped %d listing entries", self.host, skipped.count)
        if unfinished:
            _LOGGER.debug("%s: %d clips still being recorded, fetched later", self.host, unfinished)
        ordered = sorted(found.values(), key=lambda item: (item.start, item.name))
        return Listing(tuple(ordered), skipped.count, tuple(skipped.samples))

    def _ends_after(self, recording: Recording, first: datetime) -> bool:
        parsed = parse_recording_name(recording.name)
        return parsed is None or parsed.end >= first

    def _learn_dst_marking(self, entries: Sequence[Any]) -> None:
        """Note whether this camera marks daylight-saving clips with ``DST`` in their names."""
        if self._names_mark_dst:
            return
        for entry in entries:
            name = entry.get("name") if isinstance(entry, Mapping) else None
            parsed = (
                parse_recording_name(name.rsplit("/", 1)[-1]) if isinstance(name, str) else None
            )
            if parsed is not None and parsed.dst:
                self._names_mark_dst = True
                return

    async def _days_with_recordings(self, first: date, last: date) -> list[date]:
        wanted = list(months(first, last))
        commands = [
            search_command(
                self._channel,
                self._stream,
                datetime.combine(month, dt_time()),
                datetime.combine(month_end(month), dt_time(23, 59, 59)),
                status_only=True,
            )
            for month in wanted
        ]
        replies = await self._search(commands)
        days: set[date] = set()
        for reply in replies:
            result = self._value(reply, "Search").get("SearchResult", {})
            days.update(status_days(result.get("Status") if isinstance(result, dict) else None))
        return sorted(day for day in days if first <= day <= last)

    async def _files_of(self, day: date) -> list[Any]:
        """Return a day's file entries; the status table said it has some, so ask twice."""
        command = search_command(
            self._channel,
            self._stream,
            datetime.combine(day, dt_time()),
            datetime.combine(day, dt_time(23, 59, 59)),
            status_only=False,
        )
        for attempt in range(2):
            replies = await self._search([command])
            result = self._value(replies[0], "Search").get("SearchResult")
            files = result.get("File") if isinstance(result, dict) else None
            if isinstance(files, list) and files:
                return files
            if attempt == 0:
                # A Search that overlapped another client's can come back empty, no error.
                _LOGGER.debug(
                    "%s: no files on %s, which has recordings; asking again", self.host, day
                )
                await asyncio.sleep(self._retry_pause)
        return []

    async def _search(self, commands: Sequence[Json]) -> list[Any]:
        """Send Search commands, retrying what a busy or confused camera answers.

        The camera runs one Search at a time: one overlapping another client's gets ``-54``
        (retried after a short wait, twice). An HTTP 502 or 404 on Search is cured by a new
        login (as reolink-aio does), once. Only a repeated failure reaches the caller.
        """
        relogged = False
        for attempt in range(3):
            try:
                replies = await self._batch(commands)
            except HttpStatusError as err:
                if err.status not in (502, 404) or relogged:
                    raise
                _LOGGER.debug(
                    "%s: Search answered HTTP %d, logging in again", self.host, err.status
                )
                relogged = True
                async with self._login_lock:
                    await self._logout()
                continue
            busy = any(
                (error := reply_error(reply)) is not None and error.code == SEARCH_BUSY
                for reply in replies
            )
            if not busy or attempt == 2:
                return replies
            _LOGGER.debug("%s: Search is busy (-54), asking again", self.host)
            await asyncio.sleep(self._retry_pause)
        raise AssertionError("unreachable")  # pragma: no cover

    def _recording(self, entry: Any, now: datetime | None = None) -> Recording | None:
        """Return the Recording a Search file entry describes, None for junk.

        Raise _UnfinishedError for a clip still being recorded (its end reads ``000000``,
        unless it really ended at midnight) or that ended less than SETTLE_TIME before ``now``
        (camera wall time).
        """
        if not isinstance(entry, Mapping) or not isinstance(entry.get("name"), str):
            return None
        locator: str = entry["name"]
        basename = locator.rsplit("/", 1)[-1]
        parsed = parse_recording_name(basename)
        if parsed is None or _LOCATOR_BAD.search(locator) or len(locator) > 512:
            return None
        if parsed.open_end and not _ended_at_midnight(parsed, entry.get("EndTime")):
            raise _UnfinishedError
        if now is not None and parsed.end > now - SETTLE_TIME:
            raise _UnfinishedError
        size = self._size(entry.get("size"), parsed.size, basename)
        kind = main_trigger(parsed.triggers)
        return Recording(
            name=basename,
            start=self._clip_time(parsed),
            kind=kind,
            channel=str(self._channel),
            event=bool(parsed.triggers - {"timer"}),
            rank=TRIGGER_RANK.get(kind, OTHER_RANK),
            files=(
                # Download serves the clip remuxed on the fly (v3 firmware): its length is
                # neither Search's size nor the name's, so the size is only an estimate.
                RemoteFile(
                    name=basename,
                    role=FileRole.VIDEO,
                    locator=locator,
                    size=size,
                    size_exact=False,
                ),
            ),
            tags=parsed.triggers,
        )

    def _clip_time(self, parsed: ParsedName) -> datetime:
        """Return when a clip started: the name's ``DST`` marker decides the offset.

        A camera seen marking names is trusted for unmarked ones too (standard time); one that
        never marks them gets the GetTime rule.
        """
        zone = self._tz
        if parsed.dst or self._names_mark_dst:
            zone = clip_zone(zone, parsed.dst)
        return parsed.start.replace(tzinfo=zone)

    def _size(self, stated: Any, in_name: int, basename: str) -> int | None:
        """Return the file's size: Search's, else the name's hex size (0 counts as unknown)."""
        size = int_or_none(stated)
        if size is not None and size > 0:
            if size != in_name:
                _LOGGER.debug(
                    "%s: %s: Search says %d bytes, the name %d; using Search's",
                    self.host,
                    basename,
                    size,
                    in_name,
                )
            return size
        return in_name if in_name > 0 else None

    def recorded_at(self, name: str) -> datetime | None:
        """Return when a file named by this client was recorded (camera zone), else None."""
        parsed = parse_recording_name(name)
        return None if parsed is None else self._clip_time(parsed)

    def describe(self, name: str) -> FileFacts | None:
        """Return what a recording's name says: its triggers (the main one first)."""
        parsed = parse_recording_name(name)
        if parsed is None:
            return None
        return FileFacts(
            role=FileRole.VIDEO,
            kind=main_trigger(parsed.triggers),
            channel=str(self._channel),
            event=bool(parsed.triggers - {"timer"}),
            tags=parsed.triggers,
        )

    # -- files --

    @asynccontextmanager
    async def open_file(
        self, file: RemoteFile, offset: int
    ) -> AsyncIterator[aiohttp.ClientResponse]:
        """GET a recording (Download, else Playback) with ``Range: bytes=offset-`` when > 0."""
        response = await self._open_video(file, offset)
        try:
            yield response
        finally:
            response.release()

    async def _open_video(self, file: RemoteFile, offset: int) -> aiohttp.ClientResponse:
        """Return the answer of Download (or Playback) for the file.

        Download is the path: Playback is tried when Download cannot serve the file, and only a
        Playback that serves it (200/206) makes Playback the first choice. Real v3 firmware
        answers Playback with 404 and resets a Download it cannot serve: that is the file's
        ``reset`` failure, not a "not found".
        """
        order = ("Playback", "Download") if self._prefer_playback else ("Download", "Playback")
        reset: FileTransferError | None = None
        problem = ""
        for command in order:
            try:
                response, why = await self._request_video(command, file, offset)
            except FileTransferError as err:
                if err.reason != "reset":
                    raise
                _LOGGER.debug("%s: %s of %s: %s", self.host, command, file.name, err.detail)
                reset = reset or err
                continue
            if response is None:
                problem = problem or f"{command} {why}"
                _LOGGER.debug("%s: %s %s", self.host, command, why)
                continue
            served = response.status in (200, 206)
            if not served and command != order[0] and reset is not None:
                response.release()  # the fallback's 404 says nothing about the file
                raise reset
            if served:
                self._prefer_playback = command == "Playback"
            return response
        if problem:
            raise FileTransferError(file.name, "unusable_reply", problem)
        assert reset is not None
        raise reset

    async def _request_video(
        self, command: str, file: RemoteFile, offset: int
    ) -> tuple[aiohttp.ClientResponse | None, str]:
        """Return the response, or (None, why) when this command cannot serve the file.

        Only 200/206 answers are checked: other statuses (416, 404, ...) go to the engine. A 401
        means the camera lost our session (a reboot, a password change): log in again once.
        """
        for attempt in range(2):
            token = await self._token()
            response = await self._get_video(command, file, offset, token)
            if response.status == 401 and attempt == 0:
                response.release()
                _LOGGER.debug("%s: %s answered 401, logging in again", self.host, command)
                self._session = None
                continue
            content_type = response.content_type
            if response.status not in (200, 206) or content_type in VIDEO_TYPES:
                return response, ""
            error = await self._json_error(response)
            if error is None:
                return None, f"answered {content_type or 'without a content type'}"
            if error.session_expired and attempt == 0:
                self._session = None
                continue
            if command == "Download" and error.code in UNSUPPORTED_CODES:
                return None, f"is not supported ({error.code})"
            raise map_reolink_error(
                error.code, error.detail, host=self.host, command=command, file_name=file.name
            )
        raise AssertionError("unreachable")  # pragma: no cover

    async def _get_video(
        self, command: str, file: RemoteFile, offset: int, token: str
    ) -> aiohttp.ClientResponse:
        """Send the GET; a reset or a hang-up without a reply is the file's ``reset``."""
        params = {"cmd": command, "source": file.locator, "output": file.name}
        parsed = parse_recording_name(file.name)
        if command == "Playback" and parsed is not None:
            params["start"] = parsed.start.strftime("%Y%m%d%H%M%S")
        headers = {"Accept-Encoding": "identity"}
        if offset > 0:
            headers["Range"] = f"bytes={offset}-"
        _LOGGER.debug("%s: GET %s %s from byte %d", self.host, command, file.name, offset)
        with file_request(self.host, file.name):
            return await self._http.get(
                file_url(self._url, {**params, "token": token}),
                headers=headers,
                ssl=self._ssl,
                timeout=self._timeout,
            )

    async def _json_error(self, response: aiohttp.ClientResponse) -> ReplyError | None:
        """Read a small non-video answer; return its Reolink error, None when it is not one."""
        try:
            if response.content_type != "text/html":
                return None
            with self._transport():
                data = await read_limited(response, 64 * 1024)
            return error_in_body(data)
        except ProtocolError:
            return None
        finally:
            response.release()

    async def async_fetch_inline(self, file: RemoteFile) -> bytes:
        """Reolink cameras serve no files inside other answers."""
        raise UnsupportedError(f"{self.host}: Reolink has no inline files ({file.name})")

    # -- snapshot --

    async def async_snapshot(self) -> bytes:
        """Return one JPEG from the camera (Snap); ProtocolError when it sends anything else."""
        for attempt in range(2):
            token = await self._token()
            params = {"cmd": "Snap", "channel": str(self._channel), "rs": secrets.token_hex(6)}
            _LOGGER.debug("%s: GET Snap", self.host)
            with self._transport():
                async with self._http.get(
                    self._url,
                    params={**params, "token": token},
                    ssl=self._ssl,
                    timeout=self._timeout,
                ) as response:
                    data = await read_limited(response, MAX_SNAPSHOT_BYTES)
                    content_type, status = response.content_type, response.status
            if status == 200 and content_type == "image/jpeg" and data.startswith(JPEG_MAGIC):
                return data
            error = error_in_body(data)
            if error is not None and error.session_expired and attempt == 0:
                self._session = None
                continue
            if error is not None:
                raise map_reolink_error(error.code, error.detail, host=self.host, command="Snap")
            raise ProtocolError(
                f"{self.host}: Snap answered HTTP {status} {content_type or 'without a type'} "
                f"({len(data)} bytes), not a JPEG"
            )
        raise AssertionError("unreachable")  # pragma: no cover


def file_url(base: str, params: Mapping[str, str]) -> URL:
    """Return the URL of a Download or Playback with the query encoded as the camera needs.

    Slashes in ``source`` stay raw (an encoded ``%2F`` makes v3 firmware reset the connection)
    and spaces become ``%20``, not ``+`` (Home Hub paths have spaces; the camera does not read
    ``+`` as one).
    """
    query = "&".join(f"{key}={quote(value, safe='/:')}" for key, value in params.items())
    return URL(f"{base}?{query}", encoded=True)


class _UnfinishedError(Exception):
    """The clip is still being recorded (or only just ended): list it once it is final."""


def _ended_at_midnight(parsed: ParsedName, end_block: Any) -> bool:
    """Return whether a clip whose end reads ``000000`` really ended at midnight.

    The Search entry's EndTime says so when it is the next day's 00:00:00 (a clip still being
    recorded lists its own day's). Without one, a clip that started less than MAX_CLIP_LENGTH
    before midnight is taken as ended then (the settle check still waits for midnight to pass).
    """
    if isinstance(end_block, Mapping):
        try:
            ended = datetime.combine(
                date(int(end_block["year"]), int(end_block["mon"]), int(end_block["day"])),
                dt_time(
                    int(end_block.get("hour", 0)),
                    int(end_block.get("min", 0)),
                    int(end_block.get("sec", 0)),
                ),
            )
        except (KeyError, TypeError, ValueError):
            ended = None
        if ended is not None:
            return ended == datetime.combine(parsed.start.date() + timedelta(days=1), dt_time())
    midnight = datetime.combine(parsed.start.date() + timedelta(days=1), dt_time())
    return timedelta(0) < midnight - parsed.start <= MAX_CLIP_LENGTH


def _text(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None
