"""Bus events for automations: a file was saved, a sync ended, a trip finished."""

from __future__ import annotations

from homeassistant.core import HomeAssistant, callback

from .const import EVENT_FILE_SAVED, EVENT_SYNC_FINISHED, EVENT_TRIP_FINISHED
from .engine.facade import FinishedTrip
from .engine.models import SavedFile, SyncReport

KMH = 3.6  # km/h in a m/s


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


@callback
def fire_trip_finished(
    hass: HomeAssistant, entry_id: str, device_id: str | None, finished: FinishedTrip
) -> None:
    """Fire ``camsync_trip_finished``: the trip in SI units (m, s, m/s), km and km/h, its GPX."""
    trip = finished.trip
    hass.bus.async_fire(
        EVENT_TRIP_FINISHED,
        {"entry_id": entry_id, "device_id": device_id}
        | trip.as_dict()
        | {
            "distance_km": round(trip.distance / 1000, 1),
            "duration_minutes": round(trip.duration.total_seconds() / 60, 1),
            "max_speed_kmh": None if trip.max_speed is None else round(trip.max_speed * KMH, 1),
            "gpx_path": None if finished.gpx is None else str(finished.gpx),
        },
    )
