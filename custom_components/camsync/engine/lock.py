"""One sync per destination, across config entries and processes: a file lock in ``.camsync/``.

``flock`` locks belong to an open file description, so two opens in the same process exclude
each other just like two processes do.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
import contextlib
import fcntl
import os
from pathlib import Path

from .errors import DestinationError, LockHeldError
from .files import run_io

LOCK_FILE = "lock"


class DestinationLock:
    """The lock of one destination; ``acquire`` and ``release`` block (run them in the executor)."""

    def __init__(self, state_dir: Path, holder: str) -> None:
        """Describe the lock; ``holder`` tells a refused caller who has it."""
        self.path = state_dir / LOCK_FILE
        self.holder = holder
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock or raise LockHeldError."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as err:
            raise DestinationError(f"Cannot create {self.path}: {err.strerror or err}") from err
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_holder(fd)
            os.close(fd)
            raise LockHeldError(
                f"Another sync is already writing to {self.path.parent.parent}"
                + (f" ({holder})" if holder else ""),
                holder,
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{self.holder} (pid {os.getpid()})".encode(), 0)
        self._fd = fd

    def release(self) -> None:
        """Give the lock back; the file stays, its holder line is cleared."""
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        try:
            os.ftruncate(fd, 0)
        finally:
            os.close(fd)  # closing the descriptor releases the flock


def _read_holder(fd: int) -> str:
    try:
        return os.pread(fd, 512, 0).decode(errors="replace").strip()
    except OSError:
        return ""


@contextlib.asynccontextmanager
async def destination_lock(state_dir: Path, holder: str) -> AsyncIterator[DestinationLock]:
    """Hold the destination's lock for the duration of the block."""
    lock = DestinationLock(state_dir, holder)
    await run_io(lock.acquire)
    try:
        yield lock
    finally:
        await run_io(lock.release)
