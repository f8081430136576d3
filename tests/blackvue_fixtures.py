"""Helpers for tests that drive the engine against the simulated BlackVue dashcam."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
import hashlib
from pathlib import Path

from camera_simulators.blackvue import SimRecording, make_recordings
from custom_components.camsync.engine.archive import PARTIAL_SUFFIX

# Recordings are stamped in the camera's local time; these tests run the camera clock on UTC.
RECORDING_START = datetime(2026, 11, 20, 8, 0, 0)


def sample_recordings(count: int = 4, **kwargs: object) -> list[SimRecording]:
    """Return ``count`` two-channel recordings a minute apart (N, E, P types in turn)."""
    return make_recordings(count, start=RECORDING_START, **kwargs)  # type: ignore[arg-type]


def sha256_file(path: Path) -> str:
    """Return the sha256 of a file on disk."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def files_under(folder: Path) -> dict[str, Path]:
    """Return every file under ``folder`` (hidden state included) by relative path."""
    return {
        str(path.relative_to(folder)): path for path in sorted(folder.rglob("*")) if path.is_file()
    }


def archived(folder: Path) -> dict[str, Path]:
    """Return the files under their final names (outside ``.camsync``), by file name."""
    return {
        path.name: path
        for relative, path in files_under(folder).items()
        if not relative.startswith(".camsync")
    }


def partial_of(destination: Path, name: str) -> Path:
    """Return where the partial download of ``name`` lives."""
    return destination / ".camsync" / "partial" / f"{name}{PARTIAL_SUFFIX}"


def utc(minutes_after_start: float) -> datetime:
    """Return an aware time relative to the first sample recording."""
    return RECORDING_START.replace(tzinfo=UTC) + timedelta(minutes=minutes_after_start)
