"""Bus events for automations: a file was saved, a sync ended, a trip finished.

A file's event (and each file of a sync report) says where to find it for people: its
``media-source://`` id, a title, a thumbnail URL and the URL it plays from (``media_ids.py``);
an event recording of a camera with GPS also says where it was made.
"""

from __future__ import annotations

from typing import Any

from homeassistant.core import HomeAssistant, callback

from .const import EVENT_FILE_SAVED, EVENT_SYNC_FINISHED, EVENT_TRIP_FINISHED
from .data import CamsyncConfigEntry
from .engine.facade import CameraArchive, FinishedTrip, Position
from .engine.models import FileRole, SavedFile, SyncReport
from .media_tree import CameraContext, tree_of


@callback
def media_fields(
    hass: HomeAssistant,
    entry: CamsyncConfigEntry,
    archive: CameraArchive,
    role: FileRole,
    name: str,
) -> dict[str, Any]:
    """Return the media id, title, thumbnail and URL of an archived file (None where none)."""
    return CameraContext.of(hass, entry, archive).fields(role, name).as_dict()


KMH = 3.6  # km/h in a m/s


@callback
def fire_file_saved(
    hass: HomeAssistant,
    entry: CamsyncConfigEntry,
    archive: CameraArchive,
    device_id: str | None,
    saved: SavedFile,
    place: Position | None = None,
) -> dict[str, Any]:
    """Fire ``camsync_file_saved`` for a file that reached the archive; return its media fields.

    ``place`` is where it was recorded, when known (an event recording of a camera with GPS).
    """
    context = CameraContext.of(hass, entry, archive)
    fields = context.fields(saved.role, saved.name).as_dict()
    facts = context.catalog.facts(tree_of(saved.role), saved.name)
    hass.bus.async_fire(
        EVENT_FILE_SAVED,
        {
            "entry_id": entry.entry_id,
            "device_id": device_id,
            "name": saved.name,
            "role": saved.role.value,
            "kind": saved.kind,
            "channel": saved.channel,
            "event": saved.event,
            "triggers": sorted(facts.tags) if facts is not None else [],
            "path": saved.path,
            "size": saved.size,
            "recorded": saved.recorded.isoformat(),
            "verified": saved.verified,
            "latitude": None if place is None else place.lat,
            "longitude": None if place is None else place.lon,
        }
        | fields,
    )
    return fields


@callback
def report_dict(
    hass: HomeAssistant, entry: CamsyncConfigEntry, archive: CameraArchive, report: SyncReport
) -> dict[str, Any]:
    """Return a sync report as events and responses give it: each saved file with its media."""
    data = report.as_dict()
    roles = {item.name: item.role for item in report.saved}
    # One context for the whole report: its titles are built from the translations once, not
    # once per file (a report of a few hundred files held the event loop for tens of ms).
    context = CameraContext.of(hass, entry, archive)
    data["saved"] = [
        saved | context.fields(roles[saved["name"]], saved["name"]).as_dict()
        for saved in data["saved"]
    ]
    return data


@callback
def fire_sync_finished(
    hass: HomeAssistant,
    entry: CamsyncConfigEntry,
    archive: CameraArchive,
    device_id: str | None,
    report: SyncReport,
) -> None:
    """Fire ``camsync_sync_finished`` with the run's report."""
    data = report_dict(hass, entry, archive, report)
    hass.bus.async_fire(
        EVENT_SYNC_FINISHED, {"entry_id": entry.entry_id, "device_id": device_id} | data
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
