"""A fault-injecting proxy between an S3 client and the S3 server, on the test's event loop.

It forwards every request untouched (the Host header too, so signatures hold) and, per request:
- counts the body bytes it received (``received``: all; ``part_bytes``: by object and part), and
  logs method, path, query and the headers that matter (``requests``);
- verifies ``x-amz-checksum-sha256`` against the body, answering ``400 BadDigest`` on a mismatch
  as AWS does (moto 5.2 stores the header but never checks it), so a client's checksum is proven
  to protect the bytes;
- applies the first matching :class:`Fault`: ``reset`` (read ``after`` body bytes, then drop the
  connection), ``status`` (answer an S3 error), ``delay`` (wait, then forward), ``corrupt``
  (flip one body byte before the check, as a bad link would), ``hang`` (never answer until
  released).
"""

from __future__ import annotations

import asyncio
import base64
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
import hashlib
import socket
import struct
from typing import Self

import aiohttp
from aiohttp import web
from yarl import URL

_HOP = {"connection", "transfer-encoding", "content-length", "expect", "keep-alive", "upgrade"}


@dataclass(slots=True)
class Seen:
    """One request the proxy received."""

    method: str
    path: str
    query: dict[str, str]
    body: int
    headers: dict[str, str]
    status: int = 0
    fault: str = ""

    @property
    def part(self) -> int | None:
        """Return the part number of an UploadPart."""
        number = self.query.get("partNumber")
        return int(number) if number else None


type Match = Callable[[web.Request], bool]


@dataclass(slots=True)
class Fault:
    """What to do to the requests ``match`` selects, ``times`` times (None: always)."""

    match: Match
    action: str
    times: int | None = 1
    after: int = 0
    status: int = 500
    code: str = "InternalError"
    delay: float = 0.0
    started: asyncio.Event = field(default_factory=asyncio.Event)
    release: asyncio.Event = field(default_factory=asyncio.Event)
    hits: int = 0


def upload_part(number: int | None = None) -> Match:
    """Match UploadPart requests (of one part number, when given)."""

    def match(request: web.Request) -> bool:
        part = request.query.get("partNumber")
        return (
            request.method == "PUT" and part is not None and (number is None or int(part) == number)
        )

    return match


def put_object(request: web.Request) -> bool:
    """Match PutObject and UploadPart requests."""
    return request.method == "PUT" and "x-amz-copy-source" not in request.headers


def xml_error(code: str, message: str) -> str:
    """Return an S3 error document."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{code}</Code><Message>{message}</Message></Error>"
    )


class FaultProxy:
    """The proxy; ``async with FaultProxy(upstream) as proxy`` serves on ``proxy.endpoint``."""

    def __init__(self, upstream: str, *, verify_checksums: bool = True) -> None:
        """Forward to ``upstream`` (``http://127.0.0.1:PORT``)."""
        self.upstream = upstream.rstrip("/")
        self.verify_checksums = verify_checksums
        self.faults: list[Fault] = []
        self.requests: list[Seen] = []
        self.received = 0
        self.part_bytes: dict[tuple[str, int], int] = defaultdict(int)
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self.port = 0

    @property
    def endpoint(self) -> str:
        """Return the proxy's URL."""
        return f"http://127.0.0.1:{self.port}"

    def add(self, fault: Fault) -> Fault:
        """Add a fault rule (first match wins)."""
        self.faults.append(fault)
        return fault

    def clear(self) -> None:
        """Remove every fault rule (and release hung requests)."""
        for fault in self.faults:
            fault.release.set()
        self.faults.clear()

    def reset_counts(self) -> None:
        """Forget what was received so far."""
        self.requests.clear()
        self.received = 0
        self.part_bytes.clear()

    async def __aenter__(self) -> Self:
        """Start serving on an ephemeral port."""
        app = web.Application(client_max_size=1024**3)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, handler_cancellation=True)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self._session = aiohttp.ClientSession(auto_decompress=False)
        return self

    async def __aexit__(self, *exc: object) -> None:
        """Stop serving."""
        self.clear()
        if self._session is not None:
            await self._session.close()
        if self._runner is not None:
            await self._runner.cleanup()

    def _fault_for(self, request: web.Request) -> Fault | None:
        for fault in self.faults:
            if (fault.times is None or fault.hits < fault.times) and fault.match(request):
                fault.hits += 1
                return fault
        return None

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        fault = self._fault_for(request)
        seen = Seen(
            request.method,
            request.path,
            dict(request.query),
            0,
            {
                name.lower(): value
                for name, value in request.headers.items()
                if name.lower().startswith("x-amz-") or name.lower() in ("content-encoding",)
            },
            fault=fault.action if fault else "",
        )
        self.requests.append(seen)
        if fault is not None:
            fault.started.set()
        if fault is not None and fault.action == "reset":
            got = 0
            while got < fault.after and (chunk := await request.content.read(fault.after - got)):
                got += len(chunk)
            self._count(seen, got)
            transport = request.transport
            assert transport is not None
            sock = transport.get_extra_info("socket")
            if sock is not None:  # linger 0: the close sends a TCP reset, not a clean end
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            transport.abort()
            seen.status = -1
            await asyncio.sleep(3600)  # cancelled with the connection; nothing more is sent
            raise AssertionError("unreachable")
        body = await request.read()
        self._count(seen, len(body))
        if fault is not None:
            if fault.action == "hang":
                await fault.release.wait()
            elif fault.action == "delay":
                await asyncio.sleep(fault.delay)
            elif fault.action == "status":
                seen.status = fault.status
                return web.Response(
                    status=fault.status,
                    text=xml_error(fault.code, "injected by the test proxy"),
                    content_type="application/xml",
                )
            elif fault.action == "corrupt" and body:
                body = bytes([body[0] ^ 0xFF]) + body[1:]
        claimed = request.headers.get("x-amz-checksum-sha256")
        if self.verify_checksums and claimed is not None:
            actual = base64.b64encode(hashlib.sha256(body).digest()).decode()
            if actual != claimed:
                seen.status = 400
                return web.Response(
                    status=400,
                    text=xml_error(
                        "BadDigest",
                        "The SHA256 you specified did not match the calculated checksum.",
                    ),
                    content_type="application/xml",
                )
        return await self._forward(request, body, seen)

    def _count(self, seen: Seen, size: int) -> None:
        seen.body = size
        self.received += size
        if seen.part is not None:
            self.part_bytes[(seen.path, seen.part)] += size
        elif seen.method == "PUT":
            self.part_bytes[(seen.path, 0)] += size

    async def _forward(self, request: web.Request, body: bytes, seen: Seen) -> web.Response:
        assert self._session is not None
        headers = {
            name: value for name, value in request.headers.items() if name.lower() not in _HOP
        }
        async with self._session.request(
            request.method,
            URL(self.upstream + request.rel_url.raw_path_qs, encoded=True),
            headers=headers,
            data=body if body else None,
            skip_auto_headers=("Accept-Encoding", "User-Agent", "Content-Type"),
            allow_redirects=False,
        ) as upstream:
            payload = await upstream.read()
            seen.status = upstream.status
            response_headers = {
                name: value
                for name, value in upstream.headers.items()
                if name.lower() not in _HOP and name.lower() != "content-encoding"
            }
            if request.method == "HEAD" and "Content-Length" in upstream.headers:
                response_headers["Content-Length"] = upstream.headers["Content-Length"]
            return web.Response(status=upstream.status, body=payload, headers=response_headers)
