"""Blocking file operations, and the one way the engine runs them: in the executor.

Nothing in here may be called on the event loop directly; ``run_io`` is the bridge.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
import contextlib
import errno
import functools
import os
from pathlib import Path

from .errors import DestinationError, DiskLimitError

_NO_SPACE = {errno.ENOSPC, errno.EDQUOT}
_IOV_MAX = 512  # pieces per writev call (Linux allows 1024)
_WRITEBACK_EVERY = 8 * 1024 * 1024


async def run_io[**P, T](func: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """Run a blocking function in the loop's default executor and return its result."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(None, functools.partial(func, *args, **kwargs))


def file_size(path: Path) -> int:
    """Return the size of a file, 0 when it does not exist."""
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def remove_file(path: Path) -> None:
    """Delete a file if it exists."""
    with contextlib.suppress(FileNotFoundError):
        path.unlink()


def storage_error(err: OSError, path: Path) -> DiskLimitError | DestinationError:
    """Turn an OSError from writing into the engine's error for it."""
    if err.errno in _NO_SPACE:
        return DiskLimitError(f"The disk holding {path.parent} is full")
    return DestinationError(f"Cannot write {path}: {err.strerror or err}")


def fsync_directory(path: Path) -> None:
    """Make a rename inside ``path`` durable."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class PartialWriter:
    """Appends to a partial file; every method blocks and runs in the executor."""

    def __init__(self, path: Path, append: bool) -> None:
        """Open (or truncate) the partial file."""
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._fd = os.open(
                path, os.O_WRONLY | os.O_CREAT | (os.O_APPEND if append else os.O_TRUNC), 0o644
            )
        except OSError as err:
            raise storage_error(err, path) from err
        # Where appends land, and how far the kernel was asked to write back.
        self._position = self._advised = os.fstat(self._fd).st_size

    def write(self, pieces: Sequence[bytes]) -> None:
        """Append the pieces, in order, with as few system calls and copies as possible."""
        views = [memoryview(piece) for piece in pieces if piece]
        try:
            while views:
                written = os.writev(self._fd, views[:_IOV_MAX])
                self._position += written
                while views and written >= len(views[0]):
                    written -= len(views.pop(0))
                if written:
                    views[0] = views[0][written:]
            if self._position - self._advised >= _WRITEBACK_EVERY:
                self._start_writeback()
        except OSError as err:
            raise storage_error(err, self.path) from err

    def _start_writeback(self) -> None:
        """Ask the kernel to start writing the new bytes, and to drop the ones it wrote.

        The final fsync then has little left to wait for, and a big download does not push
        Home Assistant's own pages out of the page cache. Only the last two windows are named:
        advising the whole file each time would grow with its size.
        """
        start = max(0, self._advised - _WRITEBACK_EVERY)
        if hasattr(os, "posix_fadvise"):
            os.posix_fadvise(self._fd, start, self._position - start, os.POSIX_FADV_DONTNEED)
        self._advised = self._position

    def finish(self, tail: Sequence[bytes], *, durable: bool) -> None:
        """Append the last pieces, flush them to disk when ``durable``, and close."""
        try:
            self.write(tail)
            if durable:
                os.fsync(self._fd)
        finally:
            os.close(self._fd)


def commit(partial: Path, final: Path, root: Path) -> None:
    """Move a complete partial file to its final name, atomically and durably.

    ``final`` must resolve inside ``root``: a symlinked folder cannot lead a file elsewhere.
    """
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
        if not final.parent.resolve().is_relative_to(root.resolve()):
            raise DestinationError(f"{final.parent} resolves outside {root}")
        partial.replace(final)
        fsync_directory(final.parent)
    except OSError as err:
        raise storage_error(err, final) from err


def write_atomically(data: bytes, partial: Path, final: Path, root: Path) -> None:
    """Write a small file completely under a partial name, then commit it."""
    writer = PartialWriter(partial, append=False)
    writer.finish([data], durable=True)
    commit(partial, final, root)
