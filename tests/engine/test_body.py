"""Bodies read in batches off the connection: every byte once, in order, and a sound connection.

A raw loopback server sends exactly what each case needs (the length it announces, more bytes
than that, a chunked body, a stall, a close or a reset mid-body) and counts its connections.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
import hashlib
import socket
import struct

import aiohttp
import pytest

from custom_components.camsync.engine.body import TAP_SUPPORTED, open_body

# The tap and its raw test server are aiohttp 3.13's (the minimum target); elsewhere every
# transfer test reads bodies through aiohttp's stream.
pytestmark = pytest.mark.skipif(not TAP_SUPPORTED, reason="the tap is for aiohttp 3.13 and 3.14")

MIB = 1024 * 1024

type Scenario = Callable[[asyncio.StreamWriter], Awaitable[None]]


def payload(size: int) -> bytes:
    """Return ``size`` deterministic bytes that differ at every offset a bug could shift."""
    block = hashlib.sha256(str(size).encode()).digest() * 2048  # 64 KiB
    counter = bytes(range(251)) * (len(block) // 251 + 1)
    whole = bytes(a ^ b for a, b in zip(block, counter, strict=False))
    return (whole * (size // len(whole) + 1))[:size]


@dataclass
class RawServer:
    """Answers every GET with the scenario of its path; counts the connections it accepted."""

    scenarios: dict[str, Scenario] = field(default_factory=dict)
    connections: int = 0
    port: int = 0
    _server: asyncio.Server | None = None
    _handlers: set[asyncio.Task[None]] = field(default_factory=set)

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        assert self._server is not None
        self._server.close()
        self._server.close_clients()
        for handler in self._handlers:  # a stalled scenario may still be sleeping
            handler.cancel()
        await self._server.wait_closed()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        handler = asyncio.current_task()
        assert handler is not None
        self._handlers.add(handler)
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                path = head.split(b" ", 2)[1].decode()
                await self.scenarios[path](writer)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()
            self._handlers.discard(handler)


@pytest.fixture
async def server() -> AsyncIterator[RawServer]:
    raw = RawServer()
    await raw.start()
    yield raw
    await raw.stop()


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    timeout = aiohttp.ClientTimeout(sock_read=0.3)
    async with aiohttp.ClientSession(timeout=timeout) as client_session:
        yield client_session


def whole(body: bytes, *, extra: bytes = b"") -> Scenario:
    async def send(writer: asyncio.StreamWriter) -> None:
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body))
        writer.write(body + extra)

    return send


def chunked(body: bytes, piece: int = 100_000) -> Scenario:
    async def send(writer: asyncio.StreamWriter) -> None:
        writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
        for start in range(0, len(body), piece):
            part = body[start : start + piece]
            writer.write(b"%x\r\n%s\r\n" % (len(part), part))
        writer.write(b"0\r\n\r\n")

    return send


def broken(body: bytes, announced: int, *, reset: bool = False, stall: bool = False) -> Scenario:
    """Send the headers for ``announced`` bytes and ``body``, then stall or go on.

    Going on: ``body`` once more (after the client attached its reader), then a reset or a close.
    """

    async def send(writer: asyncio.StreamWriter) -> None:
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % announced)
        writer.write(body)
        await writer.drain()
        if stall:  # nothing more after what came with the headers
            await asyncio.sleep(5)
        await asyncio.sleep(0.05)
        writer.write(body)
        await writer.drain()
        if reset:
            sock = writer.get_extra_info("socket")
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        writer.transport.abort() if reset else writer.close()
        raise ConnectionError  # this connection is over

    return send


async def read_all(
    session: aiohttp.ClientSession, url: str, batch: int = MIB
) -> tuple[bytes, list[int], str]:
    """GET ``url`` and read its body through open_body; return it, the batch sizes, the reader."""
    async with session.get(url) as response:
        reader = open_body(response, batch)
        sizes: list[int] = []
        parts: list[bytes] = []
        try:
            while pieces := await reader.batch():
                sizes.append(sum(map(len, pieces)))
                parts.extend(pieces)
        finally:
            reader.close()
    return b"".join(parts), sizes, type(reader).__name__


async def test_a_body_of_known_length_arrives_whole_in_batches_on_a_connection_kept(
    server: RawServer, session: aiohttp.ClientSession
) -> None:
    body = payload(8 * MIB + 12_345)
    server.scenarios["/clip"] = whole(body)

    data, sizes, kind = await read_all(session, server.url("/clip"))

    assert data == body
    assert kind == "_Tap"  # taken off the connection, not through aiohttp's stream
    assert all(size >= MIB for size in sizes[:-1])
    assert len(sizes) <= 9
    # Idle for longer than the read timeout: the connection is reused, and no timeout that was
    # running for the first body fires on it.
    await asyncio.sleep(0.5)
    again, _, _ = await read_all(session, server.url("/clip"))
    assert again == body
    assert server.connections == 1


async def test_a_chunked_body_is_read_through_aiohttps_stream(
    server: RawServer, session: aiohttp.ClientSession
) -> None:
    body = payload(3 * MIB + 7)
    server.scenarios["/chunked"] = chunked(body)

    data, sizes, kind = await read_all(session, server.url("/chunked"))

    assert data == body
    assert kind == "_StreamBatches"
    assert all(size >= MIB for size in sizes[:-1])


async def test_bytes_beyond_the_announced_length_are_dropped_with_the_connection(
    server: RawServer, session: aiohttp.ClientSession
) -> None:
    body = payload(2 * MIB + 3)
    server.scenarios["/over"] = whole(body, extra=b"not part of it")
    server.scenarios["/clip"] = whole(body[:1000])

    data, _, _ = await read_all(session, server.url("/over"))
    after, _, _ = await read_all(session, server.url("/clip"))

    assert data == body
    assert after == body[:1000]
    assert server.connections == 2  # the first connection could not carry another answer


async def test_a_reader_that_falls_behind_pauses_the_connection(
    server: RawServer, session: aiohttp.ClientSession
) -> None:
    body = payload(32 * MIB)
    server.scenarios["/clip"] = whole(body)

    async with session.get(server.url("/clip")) as response:
        reader = open_body(response, MIB)
        parts = await reader.batch()
        assert response.connection is not None
        transport = response.connection.transport
        assert transport is not None
        for _ in range(500):  # the camera could send everything meanwhile
            if not transport.is_reading():
                break
            await asyncio.sleep(0.01)
        assert not transport.is_reading()  # held back at two batches, not 32 MiB in memory
        while pieces := await reader.batch():
            parts.extend(pieces)
        reader.close()

    assert b"".join(parts) == body


def trickle(body: bytes, pieces: int, pause: float) -> Scenario:
    """Send ``body`` in ``pieces`` parts, ``pause`` seconds apart."""

    async def send(writer: asyncio.StreamWriter) -> None:
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body))
        step = -(-len(body) // pieces)
        for start in range(0, len(body), step):
            await asyncio.sleep(pause)
            writer.write(body[start : start + step])
            await writer.drain()

    return send


async def test_a_body_slower_than_the_read_timeout_but_never_silent_that_long_arrives(
    server: RawServer, session: aiohttp.ClientSession
) -> None:
    body = payload(200_000)
    server.scenarios["/slow"] = trickle(body, pieces=10, pause=0.1)  # 1 s; sock_read is 0.3 s

    data, _, kind = await read_all(session, server.url("/slow"))

    assert data == body
    assert kind == "_Tap"


async def test_a_reader_paused_for_longer_than_the_read_timeout_is_not_timed_out(
    server: RawServer, session: aiohttp.ClientSession
) -> None:
    body = payload(8 * MIB)
    server.scenarios["/clip"] = whole(body)

    async with session.get(server.url("/clip")) as response:
        reader = open_body(response, MIB)
        parts = await reader.batch()
        await asyncio.sleep(1.0)  # the reader is busy: reading pauses, the peer is not silent
        while pieces := await reader.batch():
            parts.extend(pieces)
        reader.close()

    assert b"".join(parts) == body


@pytest.mark.parametrize(
    ("reset", "stall", "error"),
    [
        (False, False, "ClientPayloadError"),
        (True, False, "ClientPayloadError"),
        (False, True, "SocketTimeoutError"),
    ],
    ids=["closed", "reset", "stalled"],
)
async def test_a_body_cut_short_raises_and_hands_back_what_arrived(
    server: RawServer,
    session: aiohttp.ClientSession,
    reset: bool,
    stall: bool,
    error: str,
) -> None:
    sent = payload(9000)  # all of it comes with the headers, before the reader is attached
    server.scenarios["/cut"] = broken(sent, 10 * MIB, reset=reset, stall=stall)

    async with session.get(server.url("/cut")) as response:
        reader = open_body(response, MIB)
        with pytest.raises((aiohttp.ClientError, TimeoutError)) as caught:
            await reader.batch()
        received = b"".join(reader.leftover())
        reader.close()

    assert type(caught.value).__name__ == error
    assert received == (sent if stall else sent * 2)
    if reset:
        assert "ConnectionResetError" in str(caught.value)
