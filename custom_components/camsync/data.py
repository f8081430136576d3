"""The typed runtime data of an entry, and the state snapshot entities and diagnostics read."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from homeassistant.config_entries import ConfigEntry

from .const import SyncStatus
from .engine.camera import CameraClient, CameraStorage, DeviceInfo
from .engine.facade import (
    ArchiveFacts,
    CameraArchive,
    CarFacts,
    DiskFacts,
    Survey,
    TimelapseProgress,
)
from .engine.models import Progress, SyncReport
from .latest_event import LatestEvent
from .settings import Settings

if TYPE_CHECKING:
    from .coordinator import CamsyncCoordinator


@dataclass(slots=True)
class CamsyncRuntimeData:
    """What a loaded entry holds: the camera client, its archive and the coordinator."""

    client: CameraClient
    archive: CameraArchive
    coordinator: CamsyncCoordinator


type CamsyncConfigEntry = ConfigEntry[CamsyncRuntimeData]


@dataclass(frozen=True, slots=True)
class Pending:
    """What is still to download, as the last look at the camera planned it."""

    recordings: int
    files: int
    bytes: int | None
    """None when the camera does not state every size before a download."""

    @classmethod
    def of(cls, survey: Survey) -> Pending:
        """Return what a survey found still to fetch."""
        return cls(survey.pending_recordings, survey.pending_files, survey.pending_bytes)


@dataclass(slots=True)
class SyncCounters:
    """Totals since the entry was loaded (diagnostics)."""

    runs: int = 0
    files_saved: int = 0
    bytes_saved: int = 0
    files_failed: int = 0
    snapshots: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)

    def copy(self) -> SyncCounters:
        """Return a copy that later counting does not change."""
        return SyncCounters(
            self.runs,
            self.files_saved,
            self.bytes_saved,
            self.files_failed,
            self.snapshots,
            dict(self.outcomes),
        )


@dataclass(frozen=True, slots=True)
class TimelapseState:
    """The current or last timelapse of a camera."""

    progress: TimelapseProgress
    running: bool


@dataclass(frozen=True, slots=True)
class CamsyncState:
    """The coordinator's data: one consistent snapshot of a camera and its archive.

    ``pending`` is None until the camera was listed (and while a sync runs, the last value
    stays); ``storage`` is the camera's SD card where it reports one. ``last_success`` and
    ``last_attempt`` survive restarts (``sync_history.py``); ``settings`` are the options in
    force (the switches change some without a reload). ``car`` is the car's position, today's
    distance and last trip, for a camera with GPS; ``latest_event`` the newest event recording
    in the archive.
    """

    status: SyncStatus
    message: str
    online: bool
    syncing: bool
    progress: Progress | None
    pending: Pending | None
    archive: ArchiveFacts
    disk: DiskFacts | None
    storage: CameraStorage | None
    device: DeviceInfo | None
    last_success: datetime | None
    last_attempt: datetime | None
    last_report: SyncReport | None
    counters: SyncCounters
    settings: Settings
    timelapse: TimelapseState | None = None
    car: CarFacts | None = None
    latest_event: LatestEvent | None = None

    @property
    def last_capture(self) -> datetime | None:
        """Return when the newest archived recording or snapshot was taken."""
        return self.archive.newest_capture

    @property
    def newest_image(self) -> Path | None:
        """Return the newest archived snapshot or thumbnail."""
        return self.archive.newest_image


def compose_state(coordinator: CamsyncCoordinator) -> CamsyncState:
    """Return the one snapshot of a camera and its archive that entities and diagnostics read."""
    sync = coordinator.sync
    return CamsyncState(
        status=sync.status,
        message=sync.message,
        online=coordinator.presence.online or sync.running,
        syncing=sync.running,
        progress=sync.progress,
        pending=coordinator.look.pending,
        archive=coordinator.archive.facts(),
        disk=coordinator.disk,
        storage=coordinator.look.storage,
        device=coordinator.presence.device,
        last_success=coordinator.history.last_success,
        last_attempt=coordinator.history.last_attempt,
        last_report=sync.last_report,
        counters=sync.counters.copy(),
        timelapse=coordinator.timelapses.state,
        settings=coordinator.settings,
        car=coordinator.car.facts(),
        latest_event=coordinator.latest_event.event,
    )
