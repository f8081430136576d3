"""The archive's destination repairs: raised when it cannot be written, cleared once it is fixed.

The disk limit's issue is raised by the sync (``outcomes.py``); both clear here, at each tick,
once their cause went away, and the sync status they set clears with them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.core import HomeAssistant

from . import issues
from .const import LOGGER, SyncStatus
from .data import CamsyncConfigEntry
from .engine.errors import CamsyncError
from .engine.facade import CameraArchive, DiskFacts
from .settings import Settings
from .sync_task import SyncTask

if TYPE_CHECKING:
    from .coordinator import CamsyncCoordinator


async def async_check_writable(
    hass: HomeAssistant, entry: CamsyncConfigEntry, archive: CameraArchive, sync: SyncTask
) -> None:
    """Raise the destination issue (and an error status) when the archive cannot be written."""
    try:
        await archive.check_writable()
    except CamsyncError as err:
        LOGGER.warning("%s: %s", entry.title, err)
        issues.raise_issue(hass, entry, issues.DESTINATION, str(err))
        sync.set_status(SyncStatus.ERROR, str(err))


async def async_clear_solved(
    hass: HomeAssistant,
    entry: CamsyncConfigEntry,
    archive: CameraArchive,
    sync: SyncTask,
    settings: Settings,
    disk: DiskFacts | None,
) -> None:
    """Clear the destination's issues (and statuses) whose cause went away."""
    if (
        issues.is_raised(hass, entry, issues.DISK_LIMIT)
        and disk is not None
        and disk.limit_problem(settings.disk_limit, settings.keep_free) is None
    ):
        issues.clear(hass, entry, issues.DISK_LIMIT)
        sync.clear_status(SyncStatus.DISK_FULL)
    if issues.is_raised(hass, entry, issues.DESTINATION):
        try:
            await archive.check_writable()
        except CamsyncError:
            return
        issues.clear(hass, entry, issues.DESTINATION)
        sync.clear_status(SyncStatus.ERROR)


async def async_room_made(coordinator: CamsyncCoordinator) -> None:
    """Forget the disk limit (its repair was fixed) and look at the camera again."""
    issues.clear(coordinator.hass, coordinator.config_entry, issues.DISK_LIMIT)
    coordinator.sync.clear_status(SyncStatus.DISK_FULL)
    coordinator.async_publish()
    await coordinator.async_request_refresh()
