"""The typed runtime data of an entry, and the coordinator's data."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from homeassistant.config_entries import ConfigEntry

from .engine.camera import CameraClient, CameraStorage

if TYPE_CHECKING:
    from .coordinator import CamsyncCoordinator


@dataclass(slots=True)
class CamsyncRuntimeData:
    """What a loaded entry holds."""

    client: CameraClient
    coordinator: CamsyncCoordinator


type CamsyncConfigEntry = ConfigEntry[CamsyncRuntimeData]


@dataclass(frozen=True, slots=True)
class CameraState:
    """The coordinator's data: what the camera and the archive look like now."""

    online: bool
    pending_recordings: int | None = None
    pending_files: int | None = None
    pending_bytes: int | None = None
    last_capture: datetime | None = None
    newest_image: Path | None = None
    archive_files: int = 0
    archive_bytes: int = 0
    disk_total: int | None = None
    disk_free: int | None = None
    sd_card: CameraStorage | None = None


@dataclass(slots=True)
class SyncCounters:
    """Totals since the entry was loaded (diagnostics)."""

    runs: int = 0
    files_saved: int = 0
    bytes_saved: int = 0
    files_failed: int = 0
    snapshots: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
