"""Running ffmpeg: one process per job, awaited without blocking the event loop.

Thumbnails and timelapses are made by an ffmpeg binary the caller names (Home Assistant's own,
through its ``ffmpeg`` integration). Frames can be fed through standard input while the progress
ffmpeg reports (``-progress pipe:1``) is read from standard output; a cancelled job kills the
process. ffmpeg runs at a lower CPU priority than Home Assistant. Failures are engine errors: the
binary is missing, the disk is full, or ffmpeg failed (with the last line it wrote).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
import contextlib
import logging
import os

from .errors import DiskLimitError, VideoToolError, VideoToolMissingError

_LOGGER = logging.getLogger(__name__)
_STDERR_KEEP = 4096
_NO_SPACE = "No space left on device"
NICENESS = 10

type FrameFeed = AsyncIterator[bytes]


async def run_ffmpeg(
    binary: str,
    arguments: Sequence[str],
    *,
    feed: FrameFeed | None = None,
    on_frame: Callable[[int], None] | None = None,
) -> int:
    """Run ffmpeg with ``arguments``; return the number of frames it reported writing.

    ``feed`` yields the bytes to write to its standard input (frames for ``image2pipe``);
    ``on_frame`` is called with each frame count ffmpeg reports (``-progress pipe:1``).
    """
    command = [binary, "-hide_banner", "-nostats", "-loglevel", "error"]
    command += ["-progress", "pipe:1", *arguments]
    try:
        process = await asyncio.create_subprocess_exec(
            *command,
            stdin=asyncio.subprocess.PIPE if feed is not None else asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
    except OSError as err:  # FileNotFoundError, PermissionError
        raise VideoToolMissingError(f"Cannot run {binary}: {err.strerror or err}") from err
    _lower_priority(process.pid)
    frames = 0

    def note(count: int) -> None:
        nonlocal frames
        frames = count
        if on_frame is not None:
            on_frame(count)

    try:
        feeding = _write_feed(process.stdin, feed) if feed is not None else asyncio.sleep(0)
        _, stderr, _ = await asyncio.gather(
            _read_progress(process.stdout, note), _read_tail(process.stderr), feeding
        )
        returncode = await process.wait()
    except BaseException:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        await process.wait()
        raise
    if returncode != 0:
        last = stderr.strip().splitlines()[-1] if stderr.strip() else f"exit status {returncode}"
        if _NO_SPACE in stderr:
            raise DiskLimitError(f"The disk is full: {last}")
        raise VideoToolError(f"ffmpeg failed: {last}")
    if stderr.strip():
        _LOGGER.debug("ffmpeg said: %s", stderr.strip()[-500:])
    return frames


def _lower_priority(pid: int) -> None:
    """Let Home Assistant go first: ffmpeg runs at a lower CPU priority (niceness 10).

    Set before ffmpeg starts its encoder threads, which inherit it.
    """
    with contextlib.suppress(OSError, AttributeError):
        os.setpriority(os.PRIO_PROCESS, pid, NICENESS)


async def _read_progress(stream: asyncio.StreamReader | None, note: Callable[[int], None]) -> None:
    """Follow ffmpeg's ``key=value`` progress lines and report each ``frame=``."""
    assert stream is not None
    async for raw in stream:
        line = raw.decode("ascii", "replace").strip()
        if line.startswith("frame="):
            with contextlib.suppress(ValueError):
                note(int(line[6:]))


async def _read_tail(stream: asyncio.StreamReader | None) -> str:
    """Read everything ffmpeg writes to standard error; keep the end of it."""
    assert stream is not None
    tail = b""
    while chunk := await stream.read(65536):
        tail = (tail + chunk)[-_STDERR_KEEP:]
    return tail.decode("utf-8", "replace")


async def _write_feed(stream: asyncio.StreamWriter | None, feed: FrameFeed) -> None:
    """Write the feed to ffmpeg's standard input, then close it (an early exit is not ours)."""
    assert stream is not None
    try:
        async for data in feed:
            stream.write(data)
            await stream.drain()
    except (BrokenPipeError, ConnectionResetError):
        return  # ffmpeg stopped reading: its exit status says why
    finally:
        stream.close()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            await stream.wait_closed()
