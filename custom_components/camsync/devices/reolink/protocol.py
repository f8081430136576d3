"""The Reolink CGI wire format: command bodies, time blocks, status tables, bounded reads, TLS."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
import json
import ssl
from typing import Any

import aiohttp

from ...engine.errors import ProtocolError

API_PATH = "/cgi-bin/api.cgi"

MAX_BATCH = 35
MAX_JSON_BYTES = 16 * 1024 * 1024
MAX_SNAPSHOT_BYTES = 20 * 1024 * 1024

VIDEO_TYPES = frozenset({"video/mp4", "application/octet-stream", "apolication/octet-stream"})
JPEG_MAGIC = b"\xff\xd8"

type Json = dict[str, Any]


def parse_json(data: bytes) -> Any:
    """Return the JSON in ``data``, None when it is not JSON."""
    try:
        return json.loads(data)
    except ValueError:
        return None


async def read_limited(response: aiohttp.ClientResponse, limit: int) -> bytes:
    """Read a whole body, refusing one longer than ``limit`` bytes."""
    if response.content_length is not None and response.content_length > limit:
        raise ProtocolError(f"answer of {response.content_length} bytes is too large")
    data = bytearray()
    async for piece in response.content.iter_chunked(64 * 1024):
        data += piece
        if len(data) > limit:
            raise ProtocolError(f"answer longer than {limit} bytes")
    return bytes(data)


def camera_ssl_context() -> ssl.SSLContext:
    """Return a TLS context for Reolink's self-signed certificates and old ciphers."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.set_ciphers("DEFAULT:@SECLEVEL=0")
    return context


# Built once at import: creating a context is cheap without CA loading, but not free.
CAMERA_TLS = camera_ssl_context()


def command_body(name: str, param: Json | None = None) -> Json:
    """Return one command of a request body."""
    return {"cmd": name, "action": 0, "param": param or {}}


def search_command(
    channel: int, stream: str, first: datetime, last: datetime, *, status_only: bool
) -> Json:
    """Return a Search command for the window (status only: one flag per day)."""
    return command_body(
        "Search",
        {
            "Search": {
                "channel": channel,
                "onlyStatus": int(status_only),
                "streamType": stream,
                "StartTime": time_block(first),
                "EndTime": time_block(last),
            }
        },
    )


def time_block(moment: datetime) -> Json:
    """Return a camera-time block (``StartTime`` / ``EndTime``) for a wall-clock moment."""
    return {
        "year": moment.year,
        "mon": moment.month,
        "day": moment.day,
        "hour": moment.hour,
        "min": moment.minute,
        "sec": moment.second,
    }


def months(first: date, last: date) -> Iterator[date]:
    """Yield the first day of each month from ``first``'s to ``last``'s."""
    month = first.replace(day=1)
    while month <= last:
        yield month
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)


def month_end(month: date) -> date:
    """Return the last day of ``month``'s month."""
    following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return following - timedelta(days=1)


def int_or_none(value: Any) -> int | None:
    """Return an int from an int or a digit string (cameras send both), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    text = value.strip() if isinstance(value, str) else ""
    if text.isascii() and text.isdigit():  # int() would also take other scripts' digits
        return int(text)
    return None


def status_days(statuses: Any) -> set[date]:
    """Return the days a Search status list marks as having recordings."""
    days: set[date] = set()
    if not isinstance(statuses, list):
        return days
    for status in statuses:
        if not isinstance(status, dict) or not isinstance(status.get("table"), str):
            continue
        year, month = int_or_none(status.get("year")), int_or_none(status.get("mon"))
        if year is None or month is None or not 1 <= month <= 12 or not 1 <= year < 9999:
            continue
        for index, flag in enumerate(status["table"], start=1):
            if flag == "1" and index <= month_end(date(year, month, 1)).day:
                days.add(date(year, month, index))
    return days
