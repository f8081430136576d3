"""The archive on disk: where each file goes and what is already there.

The folder is the state. A file is archived when it sits under its final name; partial downloads,
failure marks and the lock live in the hidden ``.camsync/`` folder of the destination.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
import os
from pathlib import Path
import re
import uuid

from .errors import DestinationError
from .models import Grouping

STATE_FOLDER = ".camsync"
PARTIAL_FOLDER = "partial"
PARTIAL_SUFFIX = ".part"

# Plain file names only: no separators, no leading dot, no "..", bounded length.
_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,199}", re.ASCII)

type Recognise = Callable[[str], datetime | None]


def is_safe_name(name: str) -> bool:
    """Return True when ``name`` can be used as a file name inside the archive."""
    return bool(_SAFE_NAME.fullmatch(name)) and ".." not in name


def group_folder(grouping: Grouping, day: date) -> str:
    """Return the subfolder for a recording date ("" when recordings are not grouped)."""
    match grouping:
        case Grouping.DAILY:
            return day.isoformat()
        case Grouping.WEEKLY:
            return (day - timedelta(days=day.weekday())).isoformat()
        case Grouping.MONTHLY:
            return f"{day.year:04d}-{day.month:02d}"
        case Grouping.YEARLY:
            return f"{day.year:04d}"
    return ""


@dataclass(frozen=True, slots=True)
class ArchivedFile:
    """A file in the archive that camsync recognises as its own."""

    name: str
    path: Path
    size: int
    recorded: datetime


class ScanResult:
    """What one walk of an archive tree found, by file name."""

    def __init__(self, files: dict[str, ArchivedFile]) -> None:
        """Wrap the scanned files."""
        self.files = files

    def __contains__(self, name: object) -> bool:
        """Return True when a file of that name is archived."""
        return name in self.files

    def __len__(self) -> int:
        """Return the number of archived files."""
        return len(self.files)


class Archive:
    """One tree of archived files (recordings or snapshots) inside a destination folder."""

    def __init__(
        self, destination: Path, subfolder: str = "", grouping: Grouping = Grouping.DAILY
    ) -> None:
        """Describe the tree; nothing is touched on disk here."""
        self.destination = destination
        self.root = destination / subfolder if subfolder else destination
        self.grouping = grouping
        self.state_dir = destination / STATE_FOLDER
        self.partial_dir = self.state_dir / PARTIAL_FOLDER

    def final_path(self, name: str, recorded: datetime) -> Path:
        """Return where a file recorded at ``recorded`` is archived."""
        self._check(name)
        folder = group_folder(self.grouping, recorded.date())
        return self.root / folder / name if folder else self.root / name

    def partial_path(self, name: str) -> Path:
        """Return where a file is downloaded before it is complete."""
        self._check(name)
        return self.partial_dir / f"{name}{PARTIAL_SUFFIX}"

    def scan(self, recognise: Recognise) -> ScanResult:
        """Index the files camsync recognises (blocking: run it in the executor)."""
        files: dict[str, ArchivedFile] = {}
        for entry in _walk(self.root):
            recorded = recognise(entry.name)
            if recorded is None:
                continue
            files[entry.name] = ArchivedFile(
                entry.name, Path(entry.path), entry.stat().st_size, recorded
            )
        return ScanResult(files)

    def scan_partials(self) -> dict[str, int]:
        """Return the partial downloads and their sizes (blocking)."""
        partials: dict[str, int] = {}
        try:
            entries = list(os.scandir(self.partial_dir))
        except FileNotFoundError:
            return partials
        for entry in entries:
            if entry.is_file() and entry.name.endswith(PARTIAL_SUFFIX):
                partials[entry.name.removesuffix(PARTIAL_SUFFIX)] = entry.stat().st_size
        return partials

    def ensure_writable(self) -> None:
        """Create the folders and prove a file can be written there (blocking)."""
        probe = self.state_dir / f"write-test-{uuid.uuid4().hex}"
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            self.partial_dir.mkdir(parents=True, exist_ok=True)
            probe.write_bytes(b"camsync")
            probe.unlink()
        except OSError as err:
            raise DestinationError(
                f"Cannot write to {self.destination}: {err.strerror or err}"
            ) from err

    def _check(self, name: str) -> None:
        if not is_safe_name(name):
            raise ValueError(f"Refusing unsafe file name {name!r}")


def _walk(folder: Path) -> Iterator[os.DirEntry[str]]:
    """Yield the files under ``folder``, skipping hidden entries (the state folder among them)."""
    try:
        entries = list(os.scandir(folder))
    except (FileNotFoundError, NotADirectoryError):
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_dir(follow_symlinks=False):
            yield from _walk(Path(entry.path))
        elif entry.is_file(follow_symlinks=False):
            yield entry


@dataclass(frozen=True, slots=True)
class ArchiveTree:
    """An archive tree and how to recognise (and date) the files camsync wrote in it."""

    archive: Archive
    recognise: Recognise
