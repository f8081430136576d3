"""Diagnostics: options, the last report, counters, an archive summary and the mirrors' health.

Secrets are redacted: the camera's address and credentials, and every mirror's access key and
secret (also scrubbed from every text, should a message quote one). Where the car was is personal
data: coordinates are redacted (the trip and GPS counts, times and distances stay, which is what
explains the behaviour).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from homeassistant.components.diagnostics import REDACTED, async_redact_data
from homeassistant.const import CONF_HOST, CONF_PASSWORD, CONF_USERNAME
from homeassistant.core import HomeAssistant

from .const import CONF_CAMERA_ID, CONF_DESTINATION
from .data import CamsyncConfigEntry, CamsyncState
from .mirror_config import MIRROR_SECRETS

TO_REDACT = {
    CONF_HOST,
    CONF_PASSWORD,
    CONF_USERNAME,
    "token",
    "serial",
    "mac",
    "unique_id",
    CONF_CAMERA_ID,
    "configuration_url",
    *MIRROR_SECRETS,
}
COORDINATES = {
    "latitude",
    "longitude",
    "start_latitude",
    "start_longitude",
    "end_latitude",
    "end_longitude",
}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: CamsyncConfigEntry
) -> dict[str, Any]:
    """Return what helps to understand a camsync entry's behaviour."""
    coordinator = entry.runtime_data.coordinator
    state = coordinator.data
    report = async_redact_data(
        {
            "entry": {
                "title": entry.title,
                "unique_id": entry.unique_id,
                "version": entry.version,
                "data": dict(entry.data),
                "options": dict(entry.options),
            },
            "device": asdict(state.device) if state.device else None,
            "coordinator": _sync_state(state),
            "archive": _archive(state, entry.data[CONF_DESTINATION]),
            "arrival": _arrival(entry),
            "car": _car(entry),
            "latest_event": state.latest_event.as_dict() if state.latest_event else None,
            "mirrors": coordinator.mirrors.diagnostics(),
        },
        TO_REDACT | COORDINATES,
    )
    # Messages name the camera's address (and a password could be in one by accident).
    secrets = [entry.data.get(key) for key in (CONF_HOST, CONF_PASSWORD)]
    secrets += coordinator.mirrors.secrets()
    scrubbed: dict[str, Any] = _scrub(report, [secret for secret in secrets if secret])
    return scrubbed


def _sync_state(state: CamsyncState) -> dict[str, Any]:
    """Return the sync's state and the counters since the entry was loaded."""
    return {
        "status": state.status.value,
        "status_message": state.message,
        "online": state.online,
        "syncing": state.syncing,
        "progress": None if state.progress is None else state.progress.percent,
        "last_success": state.last_success.isoformat() if state.last_success else None,
        "last_attempt": state.last_attempt.isoformat() if state.last_attempt else None,
        "last_report": state.last_report.as_dict() if state.last_report else None,
        "counters": asdict(state.counters),
    }


def _archive(state: CamsyncState, destination: str) -> dict[str, Any]:
    """Return what the archive holds (from its index) and what is still to fetch."""
    facts, pending, disk = state.archive, state.pending, state.disk
    return {
        "destination": destination,
        "files": facts.files,
        "bytes": facts.bytes,
        "last_capture": facts.newest_capture.isoformat() if facts.newest_capture else None,
        "remembered_deletions": facts.remembered_deletions,
        "scanned": facts.scanned.isoformat() if facts.scanned else None,
        "disk_free": disk.free if disk else None,
        "disk_total": disk.total if disk else None,
        "pending_recordings": pending.recordings if pending else None,
        "pending_bytes": pending.bytes if pending else None,
        "sd_card": asdict(state.storage) if state.storage else None,
    }


def _scrub(value: Any, secrets: list[str]) -> Any:
    """Replace every occurrence of a secret inside the strings of a JSON-like value."""
    if isinstance(value, str):
        for secret in secrets:
            value = value.replace(secret, REDACTED)
        return value
    if isinstance(value, dict):
        return {key: _scrub(item, secrets) for key, item in value.items()}
    if isinstance(value, list):
        return [_scrub(item, secrets) for item in value]
    return value


def _arrival(entry: CamsyncConfigEntry) -> dict[str, Any]:
    """Return how the camera's return is watched for (probes while it is away)."""
    arrival = entry.runtime_data.coordinator.arrival
    return {
        "watching": arrival.watching,
        "probes": arrival.probes,
        "answers": arrival.answers,
        "next_probe_in": arrival.interval().total_seconds(),
    }


def _car(entry: CamsyncConfigEntry) -> dict[str, Any] | None:
    """Return what the archive knows about trips (coordinates redacted by the caller)."""
    runtime = entry.runtime_data
    trips = runtime.archive.trips
    car = runtime.coordinator.data.car
    if trips is None or car is None:
        return None
    return {
        "recordings_with_summaries": car.recordings,
        "trips": car.trips,
        "today_distance": round(car.today_distance, 1),
        "last_trip": car.last_trip.as_dict() if car.last_trip else None,
        "position": car.position.as_dict() if car.position else None,
        "gps_read": asdict(trips.reading),
        "gps_read_last": asdict(trips.last_reading),
    }
