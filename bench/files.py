"""Workspace, disk room and verification of what a tool left in its destination folder."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
import hashlib
import os
from pathlib import Path
import shutil

from camera_simulators import content
from camera_simulators.blackvue import SimRecording

WORK = Path(__file__).resolve().parent / ".work"
MIB = 1024 * 1024
GIB = 1024 * MIB


def scratch(name: str) -> Path:
    """Return an empty folder ``bench/.work/tmp/<name>`` (emptied if it existed)."""
    folder = WORK / "tmp" / name
    remove_tree(folder)
    folder.mkdir(parents=True)
    return folder


def remove_tree(folder: Path) -> None:
    """Delete a folder and what it holds, then flush, so the next run starts from a quiet disk."""
    if folder.exists():
        shutil.rmtree(folder)
    os.sync()


def free_bytes(folder: Path = WORK) -> int:
    """Return the bytes available on the disk holding ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    return shutil.disk_usage(folder).free


@cache
def expected_sha256(name: str, size: int) -> str:
    """Return the sha256 a complete copy of a simulated video has."""
    return content.sha256(name, size)


def sha256_file(path: Path) -> str:
    """Return the sha256 of a file on disk."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(4 * MIB):
            digest.update(block)
    return digest.hexdigest()


def final_files(dest: Path) -> dict[str, Path]:
    """Return the files under their final names: not hidden, not in a hidden folder."""
    found: dict[str, Path] = {}
    for folder, dirs, names in os.walk(dest):
        dirs[:] = [item for item in dirs if not item.startswith(".")]
        for name in names:
            if not name.startswith("."):
                found[name] = Path(folder) / name
    return found


def partial_bytes(dest: Path) -> int:
    """Return the size of unfinished videos under ``dest``.

    camsync keeps them as ``.camsync/partial/<name>.part``, BlackVue Sync as ``.<name>``.
    """
    total = 0
    for folder, _, names in os.walk(dest):
        for name in names:
            if name.endswith(".mp4.part") or (name.startswith(".") and name.endswith(".mp4")):
                total += (Path(folder) / name).stat().st_size
    return total


@dataclass(frozen=True, slots=True)
class Check:
    """How the videos under their final names compare with what the camera holds."""

    intact: int
    short: int
    corrupt: int
    missing: int
    short_detail: tuple[str, ...] = ()

    @property
    def expected(self) -> int:
        """Return the number of videos the camera holds."""
        return self.intact + self.short + self.corrupt + self.missing

    def summary(self) -> str:
        """Return e.g. ``3/4 intact, 1 SHORT`` (bad outcomes in capitals)."""
        parts = [f"{self.intact}/{self.expected} intact"]
        if self.short:
            parts.append(f"{self.short} SHORT ({', '.join(self.short_detail)})")
        if self.corrupt:
            parts.append(f"{self.corrupt} CORRUPT")
        return ", ".join(parts)


def check_videos(
    dest: Path, recordings: Iterable[SimRecording], *, hash_them: bool = True
) -> Check:
    """Compare every video under its final name with the camera's (size, then sha256)."""
    files = final_files(dest)
    intact = short = corrupt = missing = 0
    details: list[str] = []
    for recording in recordings:
        path = files.get(recording.name)
        if path is None:
            missing += 1
            continue
        size = path.stat().st_size
        if size != recording.size:
            short += 1
            details.append(f"{size / MIB:.1f} of {recording.size / MIB:.1f} MiB")
        elif hash_them and sha256_file(path) != expected_sha256(recording.name, recording.size):
            corrupt += 1
        else:
            intact += 1
    return Check(intact, short, corrupt, missing, tuple(details))
