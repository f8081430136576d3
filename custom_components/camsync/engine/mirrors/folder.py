"""A folder mirror: a NAS share, a USB disk or an SD card mounted on the Home Assistant host.

A copy goes to a hidden temporary name beside its final one, is flushed to disk, read back and
checked (size and SHA-256 against the bytes read from the archive), then renamed and the folder
flushed. Before every file the placement rule (:mod:`.placement`) runs again and the free space is
checked, so a share that goes away mid-run stops the run instead of filling the local disk.
"""

from __future__ import annotations

from collections.abc import Sequence
import contextlib
from dataclasses import dataclass
from datetime import UTC, datetime
import errno
import hashlib
import os
from pathlib import Path
import shutil
import threading
import time
import uuid

from ..disk import DiskUsageSource
from ..files import fsync_directory, run_io
from .errors import MirrorError
from .models import CopyResult, MirrorItem, MirrorKind, MirrorReason, RemoteEntry
from .placement import check_placement

TEMP_MARK = ".camsync-"
TEMP_SUFFIX = ".tmp"
_CHUNK = 1024 * 1024
_WRITEBACK_EVERY = 8 * 1024 * 1024
_STALE_TEMP_SECONDS = 3600.0


@dataclass(frozen=True, slots=True)
class FolderSettings:
    """A folder mirror as the user configures it.

    ``mount_point``: the folder the share or disk is mounted on (the mirror folder or a parent);
    ``None`` relies on the same-disk rule alone. ``allow_same_disk`` lets a mirror live on the
    archive's own disk (a second copy on one disk is no backup; tests and odd setups only).
    ``reserve_bytes``: free space always left on the mirror's disk.
    """

    path: Path
    mount_point: Path | None = None
    allow_same_disk: bool = False
    reserve_bytes: int = 64 * 1024 * 1024


class FolderTarget:
    """Copies archived files into a folder, verified."""

    kind = MirrorKind.FOLDER

    def __init__(
        self,
        settings: FolderSettings,
        archive: Path,
        *,
        disk_usage: DiskUsageSource = shutil.disk_usage,
    ) -> None:
        """Describe the target; nothing is touched until ``check`` or ``copy``."""
        self.settings = settings
        self.archive = archive
        self.disk_usage = disk_usage
        self._stop = threading.Event()

    @property
    def fingerprint(self) -> str:
        """Return the folder's path."""
        return f"folder:{self.settings.path}"

    @property
    def description(self) -> str:
        """Return the folder's path."""
        return str(self.settings.path)

    def location(self, relative: str) -> str:
        """Return the copy's path."""
        return str(self.settings.path / relative)

    async def open(self, work_dir: Path | None) -> None:
        """Nothing to prepare."""
        self._stop.clear()

    async def close(self) -> None:
        """Stop a copy in progress at its next chunk (its temporary file is removed)."""
        self._stop.set()

    async def check(self) -> None:
        """Raise unless the folder is mounted, separate from the archive, writable, with room."""
        await run_io(self._check_blocking)

    def _check_blocking(self) -> None:
        self._placement()
        root = self.settings.path
        probe = root / f".{TEMP_MARK}probe-{uuid.uuid4().hex}{TEMP_SUFFIX}"
        try:
            root.mkdir(parents=True, exist_ok=True)
            fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            try:
                os.write(fd, b"camsync")
                os.fsync(fd)
            finally:
                os.close(fd)
            probe.unlink()
        except OSError as err:
            with contextlib.suppress(OSError):
                probe.unlink()
            raise _os_error(err, root) from err
        self._ensure_room(0)

    def _placement(self) -> None:
        settings = self.settings
        try:
            check_placement(
                settings.path,
                self.archive,
                settings.mount_point,
                allow_same_disk=settings.allow_same_disk,
            )
        except OSError as err:
            raise _os_error(err, settings.path) from err

    def _ensure_room(self, size: int) -> None:
        try:
            usage = self.disk_usage(self.settings.path)
        except OSError as err:
            raise _os_error(err, self.settings.path) from err
        if usage.free < size + self.settings.reserve_bytes:
            raise MirrorError(
                MirrorReason.DISK_FULL,
                f"{self.settings.path} has {usage.free} bytes free; {size} more would leave "
                f"less than {self.settings.reserve_bytes}",
            )

    async def list_entries(self) -> dict[str, RemoteEntry]:
        """Return the files under the folder (hidden ones and temporary copies aside)."""
        return await run_io(self._list_blocking)

    def _list_blocking(self) -> dict[str, RemoteEntry]:
        self._placement()
        root = self.settings.path
        entries: dict[str, RemoteEntry] = {}
        now = time.time()
        for folder, dirs, files in os.walk(root):
            dirs[:] = [name for name in dirs if not name.startswith(".")]
            base = Path(folder)
            for name in files:
                path = base / name
                try:
                    stat = path.stat(follow_symlinks=False)
                except OSError:
                    continue
                if name.startswith("."):
                    if TEMP_MARK in name and now - stat.st_mtime > _STALE_TEMP_SECONDS:
                        with contextlib.suppress(OSError):
                            path.unlink()  # left by a copy that was killed
                    continue
                entries[path.relative_to(root).as_posix()] = RemoteEntry(
                    stat.st_size, datetime.fromtimestamp(stat.st_mtime, UTC)
                )
        return entries

    async def copy(self, source: Path, item: MirrorItem) -> CopyResult:
        """Copy ``source`` to ``item.relative`` under the folder, verified."""
        return await run_io(self._copy_blocking, source, item.relative)

    def _copy_blocking(self, source: Path, relative: str) -> CopyResult:
        root = self.settings.path
        self._placement()
        final = root / relative
        if not Path(os.path.normpath(final)).is_relative_to(root):
            raise MirrorError(MirrorReason.NOT_WRITABLE, f"{relative} leads outside {root}")
        try:
            src = os.open(source, os.O_RDONLY)
        except FileNotFoundError as err:
            raise MirrorError(MirrorReason.SOURCE_MISSING, f"{source} is gone") from err
        temp = final.parent / f".{final.name}{TEMP_MARK}{uuid.uuid4().hex[:8]}{TEMP_SUFFIX}"
        try:
            size = os.fstat(src).st_size
            self._ensure_room(size)
            try:
                final.parent.mkdir(parents=True, exist_ok=True)
                if not final.parent.resolve().is_relative_to(root.resolve()):
                    raise MirrorError(
                        MirrorReason.NOT_WRITABLE, f"{final.parent} resolves outside {root}"
                    )
                digest = self._write_temp(src, temp, size)
                _verify(temp, size, digest)
                temp.replace(final)
                fsync_directory(final.parent)
            except OSError as err:
                raise _os_error(err, final) from err
        except BaseException:
            with contextlib.suppress(OSError):
                temp.unlink()
            raise
        finally:
            os.close(src)
        return CopyResult(sha256=digest, sent_bytes=size)

    def _write_temp(self, src: int, temp: Path, size: int) -> str:
        """Copy ``src`` into ``temp`` while hashing what was read; flush it; return the hash."""
        digest = hashlib.sha256()
        buffer = bytearray(_CHUNK)
        view = memoryview(buffer)
        dst = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        try:
            copied = advised = 0
            while True:
                if self._stop.is_set():
                    raise MirrorError(MirrorReason.UNKNOWN, "stopped")
                count = os.readv(src, [buffer])
                if not count:
                    break
                digest.update(view[:count])
                written = 0
                while written < count:
                    written += os.write(dst, view[written:count])
                copied += count
                if copied - advised >= _WRITEBACK_EVERY and hasattr(os, "posix_fadvise"):
                    # Start writing back now, so the final fsync is short (as the sync does).
                    os.posix_fadvise(dst, advised, copied - advised, os.POSIX_FADV_DONTNEED)
                    advised = copied
            if copied != size:
                raise MirrorError(
                    MirrorReason.SOURCE_MISSING, f"read {copied} bytes of {size}: the file changed"
                )
            os.fsync(dst)
            if hasattr(os, "posix_fadvise"):
                # Drop the cached pages, so the check below reads what the disk holds.
                os.posix_fadvise(dst, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(dst)
        return digest.hexdigest()

    async def tidy(self, archive: Path) -> None:
        """Nothing to do: the listing removes stale temporary copies."""

    async def abandon(self) -> None:
        """Nothing to do: a copy in progress removes its temporary file when it stops."""

    async def delete(self, relatives: Sequence[str]) -> list[str]:
        """Delete copies (retention) and the folders they leave empty."""
        return await run_io(self._delete_blocking, list(relatives))

    def _delete_blocking(self, relatives: list[str]) -> list[str]:
        self._placement()
        root = self.settings.path
        deleted: list[str] = []
        folders: set[Path] = set()
        for relative in relatives:
            path = root / relative
            if not Path(os.path.normpath(path)).is_relative_to(root):
                continue
            try:
                path.unlink()
            except FileNotFoundError:
                pass
            except OSError as err:
                raise _os_error(err, path) from err
            deleted.append(relative)
            folders.add(path.parent)
        for folder in sorted(folders, key=lambda item: len(item.parts), reverse=True):
            current = folder
            while current != root and current.is_relative_to(root):
                try:
                    current.rmdir()
                except OSError:
                    break
                current = current.parent
        return deleted


def _verify(temp: Path, size: int, digest: str) -> None:
    """Read the flushed copy back and compare its size and SHA-256 with the source's."""
    check = hashlib.sha256()
    with temp.open("rb", buffering=0) as handle:
        actual = os.fstat(handle.fileno()).st_size
        if actual != size:
            raise MirrorError(
                MirrorReason.CHECKSUM_MISMATCH, f"{temp.name}: {actual} bytes, expected {size}"
            )
        while chunk := handle.read(_CHUNK):
            check.update(chunk)
    if check.hexdigest() != digest:
        raise MirrorError(MirrorReason.CHECKSUM_MISMATCH, f"{temp.name}: SHA-256 differs")


def _os_error(err: OSError, path: Path) -> MirrorError:
    if err.errno in (errno.ENOSPC, errno.EDQUOT):
        return MirrorError(MirrorReason.DISK_FULL, f"the disk holding {path} is full")
    if err.errno == errno.EROFS:
        return MirrorError(MirrorReason.READ_ONLY, f"{path} is on a read-only file system")
    if err.errno in (errno.ENOTCONN, errno.ESTALE, errno.EHOSTDOWN, errno.EHOSTUNREACH):
        return MirrorError(MirrorReason.UNMOUNTED, f"{path}: {err.strerror or err}")
    return MirrorError(MirrorReason.NOT_WRITABLE, f"{path}: {err.strerror or err}")
