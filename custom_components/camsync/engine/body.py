"""Read a file's HTTP body in big batches, with next to no Python work per received piece.

Through aiohttp's stream, every piece the socket gives (256 KiB at most, about four thousand per
GB) is copied once more by its parser into a new object, and wakes the reading task. For a body
of known length that is neither chunked nor encoded, the connection's pieces go instead to a
``_Tap``: it stands in for a custom payload parser (the hook aiohttp's WebSocket client uses),
keeps each piece as the transport received it, and wakes the reader once per batch. aiohttp's
errors when the connection is lost or reset stay, and so does the connection's return to the
pool when the body ended exactly. Its read timeout (``sock_read``) is kept too, but watched by
the tap: aiohttp re-arms a timer for every piece (a few thousand per GB), the tap checks four
times per timeout whether pieces still arrive, so a silent peer fails after 1 to 1.25 timeouts.

Anything else (chunked, encoded, unknown length, or an aiohttp without the hook) is read from
``response.content`` piece by piece, the same batches coming out.
"""

from __future__ import annotations

import asyncio
from typing import Any, Protocol

import aiohttp


class BodyReader(Protocol):
    """The body of one response, in batches."""

    async def batch(self) -> list[bytes]:
        """Return the next pieces (at least a batch's worth until the end), [] at the end.

        Raise what aiohttp raises for the body: a timeout, ClientPayloadError, a connection error.
        """

    def leftover(self) -> list[bytes]:
        """Return the pieces received but not handed out (a valid prefix after a failure)."""

    def close(self) -> None:
        """Let the connection go: back to the pool when the body ended exactly, else closed."""


# The tap relies on how aiohttp drives a connection's custom payload parser and read timeout;
# both are the same in 3.13 (Home Assistant 2026.2) and 3.14 (2026.10 and later). Another
# aiohttp reads bodies through its own stream until the tests here have run against it.
TAP_SUPPORTED = aiohttp.__version__.startswith(("3.13.", "3.14."))


def open_body(response: aiohttp.ClientResponse, batch_size: int) -> BodyReader:
    """Return a reader of ``response``'s body handing out about ``batch_size`` bytes at a time."""
    tap = _Tap.attach(response, batch_size)
    return tap if tap is not None else _StreamBatches(response, batch_size)


class _StreamBatches:
    """The body through aiohttp's stream: its pieces as parsed, never joined (no copy)."""

    def __init__(self, response: aiohttp.ClientResponse, batch_size: int) -> None:
        self._response = response
        self._reader = response.content
        self._batch_size = batch_size
        self._pieces: list[bytes] = []

    async def batch(self) -> list[bytes]:
        pieces, buffered = self._pieces, 0
        while buffered < self._batch_size:
            data, end_of_http_chunk = await self._reader.readchunk()
            if not data:
                if end_of_http_chunk:
                    continue
                break
            pieces.append(data)
            buffered += len(data)
        self._pieces = []
        return pieces

    def leftover(self) -> list[bytes]:
        pieces, self._pieces = self._pieces, []
        return pieces

    def close(self) -> None:
        self._response.release()


class _Tap:
    """Takes a response's body off its connection, piece by piece as the transport reads it.

    aiohttp calls ``feed_data`` (with each piece the socket gave), ``feed_eof`` and
    ``set_exception`` (when the connection is lost or the read timeout expires), and asks
    ``is_eof``; the task that reads calls ``batch``. Above two batches it pauses reading.
    """

    def __init__(
        self,
        response: aiohttp.ClientResponse,
        protocol: Any,
        first: bytes,
        remaining: int,
        size: int,
    ) -> None:
        self._response = response
        self._protocol = protocol
        self._pieces = [first] if first else []
        self._buffered = len(first)
        self._remaining = remaining
        self._batch_size = size
        self._ended = False
        self._lost = False
        self._overrun = False
        self._paused = False
        self._exception: BaseException | None = None
        self._waiter: asyncio.Future[None] | None = None
        self._loop = asyncio.get_running_loop()
        self._timeout: float | None = None
        self._watchdog: asyncio.TimerHandle | None = None
        self._quiet_since = 0.0
        self._remaining_seen = remaining

    @classmethod
    def attach(cls, response: aiohttp.ClientResponse, batch_size: int) -> _Tap | None:
        """Put a tap on the response's connection; None when its body is not for one."""
        headers = response.headers
        connection = response.connection
        protocol = connection.protocol if connection is not None else None
        if (
            not TAP_SUPPORTED
            or protocol is None
            or not hasattr(protocol, "set_parser")
            or not hasattr(protocol, "read_timeout")
            or response.content_length is None
            or "Transfer-Encoding" in headers
            or headers.get("Content-Encoding", "identity").lower() != "identity"
            or response.content.is_eof()
            or response.content.exception() is not None
            or response.content.total_bytes >= response.content_length
        ):
            return None
        # What the parser already took from the connection comes first, and nothing can
        # arrive between taking it and setting the tap: no await in between.
        first = response.content.read_nowait(-1)
        remaining = response.content_length - len(first)
        tap = cls(response, protocol, first, remaining, batch_size)
        protocol.set_parser(tap, tap)  # which also stopped aiohttp's read timeout
        tap._watch(protocol.read_timeout)
        protocol.read_timeout = None  # until the next request on this connection sets it again
        return tap

    # -- called by aiohttp's protocol --

    def feed_data(self, data: bytes) -> tuple[bool, bytes]:
        """Keep one piece; the tap stays attached after the body's end until ``close``.

        It always answers "not ended": aiohttp 3.14 takes a True as a protocol error and then
        drops everything the connection receives, so a pooled connection would never see its
        next answer. ``close`` detaches the tap instead.
        """
        remaining = self._remaining
        size = len(data)
        if not size:  # aiohttp 3.14 feeds b"" when reading resumes
            return False, b""
        if size < remaining:
            self._pieces.append(data)
            self._remaining = remaining - size
            self._buffered += size
            if self._buffered >= self._batch_size:
                self._wake()
                if not self._paused and self._buffered >= 2 * self._batch_size:
                    self._paused = True
                    self._protocol.pause_reading()
            return False, b""
        # The last piece. Bytes beyond the announced length are dropped, and the connection
        # with them: it cannot carry another answer.
        self._pieces.append(data if size == remaining else data[:remaining])
        self._buffered += remaining
        self._remaining = 0
        self._ended = True
        self._overrun = size > remaining
        self._wake()
        return False, b""

    def feed_eof(self) -> None:
        """Note that the connection is gone (aiohttp says why through ``set_exception`` next)."""
        self._lost = True
        self._wake()

    def set_exception(self, exc: BaseException, exc_cause: BaseException | None = None) -> None:
        """Remember the failure aiohttp reports (a read timeout, a lost connection)."""
        if self._exception is None:
            self._exception = exc
        self._wake()

    def is_eof(self) -> bool:
        """Return whether the whole body arrived."""
        return self._ended

    # -- called by the reader --

    async def batch(self) -> list[bytes]:
        while not (
            self._buffered >= self._batch_size
            or self._ended
            or self._lost
            or self._exception is not None
        ):
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        if self._exception is not None:
            raise self._exception
        if self._lost and not self._ended:
            raise aiohttp.ClientPayloadError("the connection closed before the body ended")
        pieces = self._pieces
        self._pieces, self._buffered = [], 0
        if self._paused:
            self._paused = False
            self._protocol.resume_reading()
        return pieces

    def leftover(self) -> list[bytes]:
        pieces = self._pieces
        self._pieces, self._buffered = [], 0
        return pieces

    def close(self) -> None:
        if self._watchdog is not None:
            self._watchdog.cancel()
            self._watchdog = None
        if self._ended and not self._overrun and self._exception is None:
            self._protocol.set_parser(None, None)
            self._response.release()
        else:
            self._response.close()

    def _watch(self, timeout: float | None) -> None:
        """Fail the body like aiohttp's read timeout when no piece arrives for ``timeout``."""
        if timeout:
            self._timeout = timeout
            self._quiet_since = self._loop.time()
            self._watchdog = self._loop.call_later(timeout / 4, self._check)

    def _check(self) -> None:
        self._watchdog = None
        timeout = self._timeout
        if timeout is None or self._ended or self._lost or self._exception is not None:
            return
        now = self._loop.time()
        if self._paused or self._remaining != self._remaining_seen:
            # Pieces arrived, or reading is paused for the reader: the peer is not to blame.
            self._remaining_seen = self._remaining
            self._quiet_since = now
        elif now - self._quiet_since >= timeout:
            self.set_exception(aiohttp.SocketTimeoutError("Timeout on reading data from socket"))
            return
        self._watchdog = self._loop.call_later(timeout / 4, self._check)

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)
