"""Bus events for automations: a file was saved, a sync ended."""

from __future__ import annotations

from homeassistant.core import HomeAssistant, callback

from .const import EVENT_FILE_SAVED, EVENT_SYNC_FINISHED
from .engine.models import SavedFile, SyncReport


@callback
def fire_file_saved(
    hass: HomeAssistant, entry_id: str, device_id: str | None, saved: SavedFile
) -> None:
    """Fire ``camsync_file_saved`` for a file that reached the archive."""
    hass.bus.async_fire(
        EVENT_FILE_SAVED,
        {
            "entry_id": entry_id,
            "device_id": device_id,
            "name": saved.name,
            "role": saved.role.value,
            "kind": saved.kind,
            "channel": saved.channel,
            "event": saved.event,
            "path": saved.path,
            "size": saved.size,
            "recorded": saved.recorded.isoformat(),
            "verified": saved.verified,
        },
    )


@callback
def fire_sync_finished(
    hass: HomeAssistant, entry_id: str, device_id: str | None, report: SyncReport
) -> None:
    """Fire ``camsync_sync_finished`` with the run's report."""
    hass.bus.async_fire(
        EVENT_SYNC_FINISHED, {"entry_id": entry_id, "device_id": device_id} | report.as_dict()
    )
