"""Fetch one file: resumable, verified, and never a partial file under its final name.

The body streams into ``.camsync/partial/<name>.part``. A retry sends ``Range: bytes=N-`` and
appends only to a 206 whose Content-Range starts at N; a 200 restarts from zero; a 416 drops the
partial (unless it says the partial already is the whole file). The file is complete only when
the bytes received match Content-Length (a clean end of a chunked body otherwise), and the size
the camera listed when the device says that size is exact (otherwise it is only an estimate). A
video must also pass content verification (``verify.py``); one that does not is dropped and
fetched once more from its first byte. Then it is fsynced and renamed atomically. Any other
failure or cancellation keeps the partial for the next attempt.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
import re

import aiohttp

from .archive import Archive
from .camera import CameraClient
from .disk import DiskGuard
from .errors import FileTransferError, ProtocolError
from .files import PartialWriter, commit, file_size, remove_file, run_io, write_atomically
from .models import FileRole, RemoteFile
from .verify import mp4_damage

_CONTENT_RANGE = re.compile(r"bytes ([0-9]+)-([0-9]+)/([0-9]+|\*)", re.ASCII)
_UNSATISFIED_RANGE = re.compile(r"bytes \*/([0-9]+)", re.ASCII)

type ByteCounter = Callable[[int], None]


@dataclass(frozen=True, slots=True)
class FetchResult:
    """A file that reached its final name.

    ``verified``: its content passed verification. ``damaged``: downloads of it that failed
    verification on the way (dropped and fetched again).
    """

    path: Path
    size: int
    resumed_from: int
    verified: bool = False
    damaged: int = 0

    @property
    def received(self) -> int:
        """Return the bytes the last download of it received."""
        return self.size - self.resumed_from


@dataclass(frozen=True, slots=True)
class _Body:
    """How to use a response: where its bytes start and how long the file is."""

    start: int
    total: int | None


class _RestartNeededError(Exception):
    """The response cannot be appended; ask again from byte zero."""


class _DamagedError(Exception):
    """The complete body failed content verification."""


async def fetch_file(
    client: CameraClient,
    file: RemoteFile,
    archive: Archive,
    final: Path,
    *,
    guard: DiskGuard,
    chunk_size: int,
    on_bytes: ByteCounter | None = None,
) -> FetchResult:
    """Download ``file`` to ``final`` through its partial file; FileTransferError on failure."""
    partial = archive.partial_path(file.name)
    if file.inline:
        return await _fetch_inline(client, file, archive, partial, final, guard)
    verify = file.role is FileRole.VIDEO
    offset = await run_io(file_size, partial)
    exact = file.size if file.size_exact else None
    if exact is not None and offset > exact:
        await run_io(remove_file, partial)
        offset = 0
    restarted = damaged = 0
    if offset and offset == exact:
        size, start = offset, offset  # the partial already is the whole file: ask nothing
    else:
        size, start = -1, offset
    while True:
        try:
            if size < 0:
                size, start = await _fetch_range(
                    client, file, partial, offset, guard, chunk_size, on_bytes or _ignore
                )
            if verify:
                await _verify(file, partial)
            await run_io(commit, partial, final, archive.root)
            return FetchResult(final, size, start, verified=verify, damaged=damaged)
        except _RestartNeededError:
            if restarted:
                raise FileTransferError(
                    file.name, "bad_range", "the camera keeps refusing"
                ) from None
            restarted += 1
        except _DamagedError as err:
            damaged += 1
            if damaged > 1:
                await run_io(remove_file, partial)  # nothing in it is worth resuming from
                raise FileTransferError(file.name, "damaged", str(err)) from None
        await run_io(remove_file, partial)
        offset, size = 0, -1


async def _verify(file: RemoteFile, partial: Path) -> None:
    """Raise _DamagedError when the complete video's container does not hold together."""
    damage = await run_io(mp4_damage, partial)
    if damage is not None:
        raise _DamagedError(f"not a whole MP4: {damage}")


async def _fetch_range(
    client: CameraClient,
    file: RemoteFile,
    partial: Path,
    offset: int,
    guard: DiskGuard,
    chunk_size: int,
    on_bytes: ByteCounter,
) -> tuple[int, int]:
    """Send one request from ``offset`` and stream what can be used.

    Return the file's size and the byte the body started at (``offset`` when resumed).
    """
    async with client.open_file(file, offset) as response:
        if response.status == 416:
            total = _unsatisfied_total(response)
            if offset and total == offset:
                return offset, offset  # the partial already holds the whole file
            raise _RestartNeededError
        body = _interpret(file, response, offset)
        expected = None if body.total is None else body.total - body.start
        if (
            expected is not None
            and response.content_length is not None
            and response.content_length != expected
        ):
            raise FileTransferError(
                file.name,
                "size_mismatch",
                f"Content-Length {response.content_length} for {expected} bytes",
            )
        await guard.check(expected)
        received = await _stream(response, file, partial, body.start, chunk_size, on_bytes)
    size = body.start + received
    if body.total is not None and size != body.total:
        raise FileTransferError(
            file.name, "truncated", f"{size} of {body.total} bytes", progressed=received > 0
        )
    return size, body.start


def _interpret(file: RemoteFile, response: aiohttp.ClientResponse, offset: int) -> _Body:
    """Decide where the response's bytes go, or raise when they cannot be used."""
    if response.status == 206:
        match = _CONTENT_RANGE.fullmatch(response.headers.get("Content-Range", ""))
        if match is None or int(match[1]) not in (offset, 0):
            raise _RestartNeededError
        start = int(match[1])
        total = None if match[3] == "*" else int(match[3])
    elif response.status == 200:
        start, total = 0, response.content_length
    elif response.status == 404:
        raise FileTransferError(file.name, "not_found", "the camera does not have it")
    else:
        raise FileTransferError(file.name, f"http_{response.status}", response.reason or "")
    if total is None and response.content_length is not None:
        total = start + response.content_length
    exact = file.size if file.size_exact else None
    if exact is not None and total is not None and total != exact:
        raise FileTransferError(
            file.name, "size_mismatch", f"the camera listed {exact} bytes, sends {total}"
        )
    return _Body(start, total if total is not None else exact)


def _was_reset(err: aiohttp.ClientPayloadError) -> bool:
    """Return whether a body ended by a TCP reset (RST) rather than a clean close (FIN).

    aiohttp says so only in the message: it appends the connection error that cut the body.
    """
    text = str(err)
    return any(name in text for name in ("ConnectionResetError", "ConnectionAbortedError"))


def _unsatisfied_total(response: aiohttp.ClientResponse) -> int | None:
    match = _UNSATISFIED_RANGE.fullmatch(response.headers.get("Content-Range", ""))
    return int(match[1]) if match else None


async def _stream(
    response: aiohttp.ClientResponse,
    file: RemoteFile,
    partial: Path,
    start: int,
    chunk_size: int,
    on_bytes: ByteCounter,
) -> int:
    """Append the body to the partial file; return the bytes received.

    Network reads and disk writes overlap: one chunk is written in the executor while the next
    arrives. The received pieces go to ``writev`` as they are, never copied into a buffer.
    Bytes received before a failure are still written, since they are a valid prefix.
    """
    loop = asyncio.get_running_loop()
    writer = await run_io(PartialWriter, partial, append=start > 0)
    pieces: list[bytes] = []
    buffered = 0
    # The write in flight. It is only ever awaited through shield(): a cancelled await must not
    # let a second write (the tail in _close) run beside it on the same file.
    pending: asyncio.Future[None] | None = None
    received = 0
    complete = False
    try:
        async for data in response.content.iter_any():
            pieces.append(data)
            buffered += len(data)
            received += len(data)
            if buffered >= chunk_size:
                if pending is not None:
                    await asyncio.shield(pending)
                pending = loop.run_in_executor(None, writer.write, pieces)
                on_bytes(buffered)
                pieces, buffered = [], 0
        on_bytes(buffered)
        complete = True
    except TimeoutError as err:  # aiohttp's read timeout is also a connection error: first
        raise FileTransferError(
            file.name,
            "stalled",
            f"no data within the read timeout after {start + received} bytes",
            progressed=received > 0,
        ) from err
    except aiohttp.ClientPayloadError as err:
        reset = _was_reset(err)
        raise FileTransferError(
            file.name,
            "reset" if reset else "truncated",
            f"the connection {'was reset' if reset else 'ended'} after {start + received} bytes",
            progressed=received > 0,
        ) from err
    except (aiohttp.ClientConnectionError, ConnectionError) as err:
        raise FileTransferError(
            file.name,
            "reset",
            f"the connection failed after {start + received} bytes",
            progressed=received > 0,
        ) from err
    finally:
        await asyncio.shield(_close(writer, pending, pieces, durable=complete))
    return received


async def _close(
    writer: PartialWriter,
    pending: asyncio.Future[None] | None,
    tail: list[bytes],
    *,
    durable: bool,
) -> None:
    """Finish the in-flight write, then append the tail and close (fsync when complete)."""
    try:
        if pending is not None:
            await pending
    finally:
        await run_io(writer.finish, tail, durable=durable)


async def _fetch_inline(
    client: CameraClient,
    file: RemoteFile,
    archive: Archive,
    partial: Path,
    final: Path,
    guard: DiskGuard,
) -> FetchResult:
    """Fetch a small file the camera embeds in another answer, and write it atomically."""
    try:
        data = await client.async_fetch_inline(file)
    except ProtocolError as err:
        raise FileTransferError(file.name, "bad_metadata", str(err)) from err
    if not data:
        raise FileTransferError(file.name, "empty", "the camera sent no bytes")
    if file.size is not None and len(data) != file.size:
        raise FileTransferError(
            file.name, "size_mismatch", f"expected {file.size} bytes, got {len(data)}"
        )
    await guard.check(len(data))
    await run_io(write_atomically, data, partial, final, archive.root)
    return FetchResult(final, len(data), 0)


def _ignore(_: int) -> None:
    """Count nothing."""
