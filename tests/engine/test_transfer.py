"""One file against a camera that lies about sizes and ranges: never a wrong byte on disk.

A small loopback server sends exactly the headers each case needs; the simulators cannot lie
in all of these ways.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime
import errno
import os
from pathlib import Path
from typing import Any
from unittest.mock import patch

import aiohttp
from aiohttp import web
import pytest

from camera_simulators import content
from custom_components.camsync.engine import files
from custom_components.camsync.engine.archive import Archive
from custom_components.camsync.engine.disk import DiskGuard
from custom_components.camsync.engine.errors import (
    DestinationError,
    DiskLimitError,
    FileTransferError,
    ProtocolError,
)
from custom_components.camsync.engine.models import FileRole, RemoteFile
from custom_components.camsync.engine.transfer import fetch_file

BODY = content.content("clip.mp4", 10_240)  # a well-formed MP4, as every video must be
WHEN = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)

type Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class LiarClient:
    """Just enough of a camera client: GETs one URL, with Range from the offset."""

    def __init__(self, session: aiohttp.ClientSession, base: str) -> None:
        self.session = session
        self.base = base
        self.inline: bytes | Exception = b""
        self.ranges: list[str | None] = []

    @property
    def host(self) -> str:
        return self.base

    def open_file(
        self, file: RemoteFile, offset: int
    ) -> AbstractAsyncContextManager[aiohttp.ClientResponse]:
        headers = {"Range": f"bytes={offset}-"} if offset else {}
        self.ranges.append(headers.get("Range"))
        return self.session.get(self.base + file.locator, headers=headers)

    async def async_fetch_inline(self, file: RemoteFile) -> bytes:
        if isinstance(self.inline, Exception):
            raise self.inline
        return self.inline


@pytest.fixture
async def serve(
    aiohttp_server: Any,
) -> AsyncIterator[Callable[[Handler], Awaitable[LiarClient]]]:
    sessions: list[aiohttp.ClientSession] = []

    async def start(handler: Handler) -> LiarClient:
        app = web.Application()
        app.router.add_get("/{name}", handler)
        server = await aiohttp_server(app, host="127.0.0.1")
        session = aiohttp.ClientSession()
        sessions.append(session)
        return LiarClient(session, f"http://127.0.0.1:{server.port}")

    yield start
    for session in sessions:
        await session.close()


@pytest.fixture
def archive(tmp_path: Path) -> Archive:
    archive = Archive(tmp_path / "dest", "recordings")
    archive.ensure_writable()
    return archive


def _guard(archive: Archive) -> DiskGuard:
    return DiskGuard(archive.destination, 100.0)


async def _fetch(client: LiarClient, archive: Archive, file: RemoteFile) -> Path:
    final = archive.final_path(file.name, WHEN)
    await fetch_file(client, file, archive, final, guard=_guard(archive), chunk_size=4096)  # type: ignore[arg-type]
    return final


def _file(size: int | None = None, *, required: bool = True, inline: bool = False) -> RemoteFile:
    return RemoteFile(
        "clip.mp4", FileRole.VIDEO, "/clip.mp4", size=size, required=required, inline=inline
    )


def _partial(archive: Archive, data: bytes) -> Path:
    partial = archive.partial_path("clip.mp4")
    partial.write_bytes(data)
    return partial


async def test_stated_size_disagreeing_with_content_length_is_refused(
    serve: Callable[[Handler], Awaitable[LiarClient]], archive: Archive
) -> None:
    async def handler(request: web.Request) -> web.Response:
        return web.Response(body=BODY)

    client = await serve(handler)
    with pytest.raises(FileTransferError) as raised:
        await _fetch(client, archive, _file(size=len(BODY) + 5))
    assert raised.value.reason == "size_mismatch"
    assert not archive.final_path("clip.mp4", WHEN).exists()


async def test_content_length_not_matching_content_range_is_refused(
    serve: Callable[[Handler], Awaitable[LiarClient]], archive: Archive
) -> None:
    async def handler(request: web.Request) -> web.Response:
        return web.Response(
            status=206,
            body=BODY[100:],
            headers={"Content-Range": f"bytes 100-{len(BODY) - 1}/{len(BODY) + 50}"},
        )

    _partial(archive, BODY[:100])
    client = await serve(handler)
    with pytest.raises(FileTransferError) as raised:
        await _fetch(client, archive, _file())
    assert raised.value.reason == "size_mismatch"
    assert archive.partial_path("clip.mp4").read_bytes() == BODY[:100]


async def test_a_partial_bigger_than_the_stated_size_is_dropped(
    serve: Callable[[Handler], Awaitable[LiarClient]], archive: Archive
) -> None:
    async def handler(request: web.Request) -> web.Response:
        return web.Response(body=BODY)

    _partial(archive, b"x" * (len(BODY) + 10))
    client = await serve(handler)
    final = await _fetch(client, archive, _file(size=len(BODY)))
    assert final.read_bytes() == BODY
    assert client.ranges == [None]


async def test_a_complete_partial_is_committed_without_asking(
    serve: Callable[[Handler], Awaitable[LiarClient]], archive: Archive
) -> None:
    async def handler(request: web.Request) -> web.Response:
        raise AssertionError("no request expected")

    _partial(archive, BODY)
    client = await serve(handler)
    final = await _fetch(client, archive, _file(size=len(BODY)))
    assert final.read_bytes() == BODY
    assert client.ranges == []


async def test_416_saying_the_partial_is_whole_commits_it(
    serve: Callable[[Handler], Awaitable[LiarClient]], archive: Archive
) -> None:
    async def handler(request: web.Request) -> web.Response:
        return web.Response(status=416, headers={"Content-Range": f"bytes */{len(BODY)}"})

    _partial(archive, BODY)
    client = await serve(handler)
    final = await _fetch(client, archive, _file())
    assert final.read_bytes() == BODY
    assert client.ranges == [f"bytes={len(BODY)}-"]


async def test_a_range_refused_twice_gives_up_without_damage(
    serve: Callable[[Handler], Awaitable[LiarClient]], archive: Archive
) -> None:
    async def handler(request: web.Request) -> web.Response:
        return web.Response(status=206, body=BODY, headers={"Content-Range": "bytes 7-9/10"})

    _partial(archive, BODY[:100])
    client = await serve(handler)
    with pytest.raises(FileTransferError) as raised:
        await _fetch(client, archive, _file())
    assert raised.value.reason == "bad_range"
    assert client.ranges == ["bytes=100-", None]
    assert not archive.final_path("clip.mp4", WHEN).exists()


@pytest.mark.parametrize(
    ("status", "reason"), [(404, "not_found"), (500, "http_500"), (403, "http_403")]
)
async def test_error_statuses_are_per_file_failures(
    serve: Callable[[Handler], Awaitable[LiarClient]], archive: Archive, status: int, reason: str
) -> None:
    async def handler(request: web.Request) -> web.Response:
        return web.Response(status=status, text="no")

    client = await serve(handler)
    with pytest.raises(FileTransferError) as raised:
        await _fetch(client, archive, _file())
    assert raised.value.reason == reason
    assert not raised.value.progressed


async def test_chunked_body_without_length_is_accepted_when_it_ends_cleanly(
    serve: Callable[[Handler], Awaitable[LiarClient]], archive: Archive
) -> None:
    async def handler(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse()
        response.enable_chunked_encoding()
        await response.prepare(request)
        for start in range(0, len(BODY), 1000):
            await response.write(BODY[start : start + 1000])
        await response.write_eof()
        return response

    client = await serve(handler)
    final = await _fetch(client, archive, _file())
    assert final.read_bytes() == BODY


async def test_a_full_disk_mid_write_keeps_the_partial(
    serve: Callable[[Handler], Awaitable[LiarClient]], archive: Archive
) -> None:
    async def handler(request: web.Request) -> web.Response:
        return web.Response(body=BODY)

    client = await serve(handler)

    class FullDisk:
        """The os module as the files module sees it, on a disk that fills at 5,000 bytes."""

        def __getattr__(self, name: str) -> Any:
            return getattr(os, name)

        def writev(self, fd: int, buffers: list[memoryview]) -> int:
            if os.fstat(fd).st_size + sum(len(buffer) for buffer in buffers) > 5000:
                raise OSError(errno.ENOSPC, "No space left on device")
            return os.writev(fd, buffers)

    with patch.object(files, "os", FullDisk()), pytest.raises(DiskLimitError, match="full"):
        await _fetch(client, archive, _file())
    kept = archive.partial_path("clip.mp4").read_bytes()
    assert kept == BODY[: len(kept)]
    assert not archive.final_path("clip.mp4", WHEN).exists()


async def test_a_symlinked_folder_cannot_lead_a_file_outside(
    serve: Callable[[Handler], Awaitable[LiarClient]], archive: Archive, tmp_path: Path
) -> None:
    async def handler(request: web.Request) -> web.Response:
        return web.Response(body=BODY)

    outside = tmp_path / "outside"
    outside.mkdir()
    final = archive.final_path("clip.mp4", WHEN)
    final.parent.parent.mkdir(parents=True, exist_ok=True)
    final.parent.symlink_to(outside)
    client = await serve(handler)
    with pytest.raises(DestinationError, match="outside"):
        await fetch_file(client, _file(), archive, final, guard=_guard(archive), chunk_size=4096)  # type: ignore[arg-type]
    assert list(outside.iterdir()) == []


@pytest.mark.parametrize(
    ("inline", "reason"),
    [(b"", "empty"), (ProtocolError("bad base64"), "bad_metadata"), (b"abc", "size_mismatch")],
)
async def test_inline_files_are_verified(
    serve: Callable[[Handler], Awaitable[LiarClient]],
    archive: Archive,
    inline: bytes | Exception,
    reason: str,
) -> None:
    async def handler(request: web.Request) -> web.Response:
        raise AssertionError("inline files are not fetched over GET")

    client = await serve(handler)
    client.inline = inline
    with pytest.raises(FileTransferError) as raised:
        await _fetch(client, archive, _file(size=5, inline=True))
    assert raised.value.reason == reason
    client.inline = b"12345"
    final = await _fetch(client, archive, _file(size=5, inline=True))
    assert final.read_bytes() == b"12345"
