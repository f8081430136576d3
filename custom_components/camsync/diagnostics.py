"""Diagnostics: options, the last report, counters and an archive summary, secrets redacted."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from homeassistant.components.diagnostics import REDACTED, async_redact_data
from homeassistant.const import CONF_HOST, CONF_PASSWORD, CONF_USERNAME
from homeassistant.core import HomeAssistant

from .const import CONF_DESTINATION
from .coordinator import CamsyncCoordinator
from .data import CamsyncConfigEntry

TO_REDACT = {
    CONF_HOST,
    CONF_PASSWORD,
    CONF_USERNAME,
    "token",
    "serial",
    "mac",
    "unique_id",
    "configuration_url",
}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: CamsyncConfigEntry
) -> dict[str, Any]:
    """Return what helps to understand a camsync entry's behaviour."""
    coordinator = entry.runtime_data.coordinator
    state = coordinator.data
    device = coordinator.device
    report = async_redact_data(
        {
            "entry": {
                "title": entry.title,
                "unique_id": entry.unique_id,
                "data": dict(entry.data),
                "options": dict(entry.options),
            },
            "device": asdict(device) if device else None,
            "coordinator": _coordinator_state(coordinator),
            "archive": {
                "destination": entry.data[CONF_DESTINATION],
                "files": state.archive_files if state else None,
                "bytes": state.archive_bytes if state else None,
                "last_capture": state.last_capture.isoformat()
                if state and state.last_capture
                else None,
                "disk_free": state.disk_free if state else None,
                "disk_total": state.disk_total if state else None,
                "pending_recordings": state.pending_recordings if state else None,
                "pending_bytes": state.pending_bytes if state else None,
            },
        },
        TO_REDACT,
    )
    # Messages name the camera's address (and a password could be in one by accident).
    secrets = [entry.data.get(key) for key in (CONF_HOST, CONF_PASSWORD)]
    scrubbed: dict[str, Any] = _scrub(report, [secret for secret in secrets if secret])
    return scrubbed


def _coordinator_state(coordinator: CamsyncCoordinator) -> dict[str, Any]:
    """Return the sync's state and the counters since the entry was loaded."""
    return {
        "status": coordinator.status.value,
        "status_message": coordinator.status_message,
        "online": coordinator.online,
        "syncing": coordinator.syncing,
        "progress": None if coordinator.progress is None else coordinator.progress.percent,
        "last_sync": coordinator.last_sync.isoformat() if coordinator.last_sync else None,
        "last_report": coordinator.last_report.as_dict() if coordinator.last_report else None,
        "counters": asdict(coordinator.counters),
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
