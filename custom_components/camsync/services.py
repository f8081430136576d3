"""The actions sync, prune, snapshot, timelapse and mirror of the camsync domain.

Each targets one camsync device (or config entry), returns what it did, and fails with a
translated error.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import ATTR_DEVICE_ID
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import config_validation as cv
import voluptuous as vol

from .compat import async_get_device_entry
from .const import DOMAIN
from .data import CamsyncConfigEntry
from .engine.errors import (
    CamsyncError,
    DiskLimitError,
    LockHeldError,
    NoFramesError,
    Outcome,
    VideoToolMissingError,
)
from .engine.models import FileRole
from .errors import camsync_error, outcome_error
from .events import media_fields, report_dict
from .identity import find_device
from .mirroring import mirror_device_key
from .timelapses import describe as describe_timelapse

SERVICE_SYNC = "sync"
SERVICE_PRUNE = "prune"
SERVICE_SNAPSHOT = "snapshot"
SERVICE_TIMELAPSE = "timelapse"
SERVICE_MIRROR = "mirror"

ATTR_CONFIG_ENTRY_ID = "config_entry_id"
ATTR_WAIT = "wait"
ATTR_OLDER_THAN_DAYS = "older_than_days"
ATTR_DRY_RUN = "dry_run"
ATTR_REFETCH_DELETED = "refetch_deleted"
ATTR_START_DATE = "start_date"
ATTR_END_DATE = "end_date"
ATTR_FPS = "fps"
TIMELAPSE_MAX_DAYS = 366
ATTR_MIRROR = "mirror"

_TARGET = {
    vol.Optional(ATTR_DEVICE_ID): vol.All(cv.ensure_list, [cv.string]),
    vol.Optional(ATTR_CONFIG_ENTRY_ID): cv.string,
}


def _schema(fields: dict[Any, Any]) -> vol.All:
    return vol.All(
        vol.Schema({**_TARGET, **fields}),
        cv.has_at_least_one_key(ATTR_DEVICE_ID, ATTR_CONFIG_ENTRY_ID),
    )


SYNC_SCHEMA = _schema(
    {
        vol.Optional(ATTR_WAIT, default=False): cv.boolean,
        vol.Optional(ATTR_REFETCH_DELETED, default=False): cv.boolean,
    }
)
PRUNE_SCHEMA = _schema(
    {
        vol.Optional(ATTR_OLDER_THAN_DAYS): vol.All(vol.Coerce(float), vol.Range(min=0)),
        vol.Optional(ATTR_DRY_RUN, default=False): cv.boolean,
    }
)
SNAPSHOT_SCHEMA = _schema({})
TIMELAPSE_SCHEMA = _schema(
    {
        vol.Required(ATTR_START_DATE): cv.date,
        vol.Optional(ATTR_END_DATE): cv.date,
        vol.Optional(ATTR_FPS): vol.All(vol.Coerce(int), vol.Range(min=1, max=60)),
    }
)
MIRROR_SCHEMA = _schema(
    {
        vol.Optional(ATTR_MIRROR): cv.string,
        vol.Optional(ATTR_WAIT, default=False): cv.boolean,
    }
)


def _validation_error(key: str, **placeholders: str) -> ServiceValidationError:
    return ServiceValidationError(
        translation_domain=DOMAIN, translation_key=key, translation_placeholders=placeholders
    )


def _target_entry(hass: HomeAssistant, call: ServiceCall) -> CamsyncConfigEntry:
    """Return the one loaded camsync entry the call targets."""
    entry_ids: set[str] = set()
    if entry_id := call.data.get(ATTR_CONFIG_ENTRY_ID):
        entry_ids.add(entry_id)
    for device_id in call.data.get(ATTR_DEVICE_ID, []):
        if (owner := async_get_device_entry(hass, device_id, DOMAIN)) is None:
            raise _validation_error("invalid_target", target=device_id)
        entry_ids.add(owner.entry_id)
    if len(entry_ids) != 1:
        raise _validation_error("one_target")
    (entry_id,) = entry_ids
    entry: CamsyncConfigEntry | None = hass.config_entries.async_get_entry(entry_id)
    if entry is None or entry.domain != DOMAIN:
        raise _validation_error("invalid_target", target=entry_id)
    if entry.state is not ConfigEntryState.LOADED:
        raise _validation_error("entry_not_loaded", title=entry.title)
    return entry


async def _async_sync(call: ServiceCall) -> ServiceResponse:
    entry = _target_entry(call.hass, call)
    if call.data[ATTR_REFETCH_DELETED]:
        await entry.runtime_data.archive.forget_deletions()
    task = await entry.runtime_data.coordinator.async_start_sync()
    if not call.data[ATTR_WAIT]:
        return {"started": True, "entry_id": entry.entry_id}
    report = await asyncio.shield(task)
    if report.outcome is not Outcome.COMPLETED:
        raise outcome_error(report.outcome, entry.title, report.message)
    return report_dict(call.hass, entry, entry.runtime_data.archive, report)


async def _async_prune(call: ServiceCall) -> ServiceResponse:
    """Apply retention now; refused while a sync writes to the same folder (no waiting)."""
    entry = _target_entry(call.hass, call)
    days = call.data.get(ATTR_OLDER_THAN_DAYS)
    try:
        report = await entry.runtime_data.coordinator.retention.async_prune(
            timedelta(days=days) if days is not None else None,
            dry_run=call.data[ATTR_DRY_RUN],
        )
    except LockHeldError as err:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="sync_running",
            translation_placeholders={"title": entry.title, "detail": str(err)},
        ) from err
    except CamsyncError as err:
        raise camsync_error(err, entry.title) from err
    except OSError as err:
        raise _validation_error("prune_failed", title=entry.title, detail=str(err)) from err
    return report.as_dict()


async def _async_snapshot(call: ServiceCall) -> ServiceResponse:
    entry = _target_entry(call.hass, call)
    coordinator = entry.runtime_data.coordinator
    if coordinator.sync.running and not coordinator.client.capabilities.snapshot_while_syncing:
        # A dashcam serves one client; the live view would stall the download.
        raise _validation_error("busy_syncing", title=entry.title)
    try:
        saved = await coordinator.snapshots.async_take()
    except CamsyncError as err:
        if err.outcome is Outcome.AUTH_FAILED:
            entry.async_start_reauth(call.hass)
        raise camsync_error(err, entry.title) from err
    response: dict[str, Any] = {
        "path": saved.path,
        "size": saved.size,
        "taken": saved.recorded.isoformat(),
    }
    archive = entry.runtime_data.archive
    return response | media_fields(call.hass, entry, archive, saved.role, saved.name)


async def _async_timelapse(call: ServiceCall) -> ServiceResponse:
    """Make a timelapse of the snapshots of a day (or a range of days) and return it."""
    entry = _target_entry(call.hass, call)
    coordinator = entry.runtime_data.coordinator
    first = call.data[ATTR_START_DATE]
    last = call.data.get(ATTR_END_DATE, first)
    days = {"title": entry.title, "start": first.isoformat(), "end": last.isoformat()}
    if last < first or (last - first).days >= TIMELAPSE_MAX_DAYS:
        raise _validation_error("timelapse_dates", **days, limit=str(TIMELAPSE_MAX_DAYS))
    fps = call.data.get(ATTR_FPS, coordinator.settings.timelapse_fps)
    try:
        timelapse = await coordinator.timelapses.async_make(first, last, fps)
    except NoFramesError as err:
        raise _validation_error("no_snapshots", **days) from err
    except VideoToolMissingError as err:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="ffmpeg_missing",
            translation_placeholders={"detail": str(err)},
        ) from err
    except (CamsyncError, OSError) as err:
        key = "timelapse_disk_full" if isinstance(err, DiskLimitError) else "timelapse_failed"
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key=key,
            translation_placeholders={**days, "detail": str(err)},
        ) from err
    fields = media_fields(
        call.hass, entry, entry.runtime_data.archive, FileRole.TIMELAPSE, timelapse.path.name
    )
    response: dict[str, Any] = describe_timelapse(timelapse) | fields
    response |= {"start_date": first.isoformat(), "end_date": last.isoformat()}
    return response


def _chosen_mirrors(call: ServiceCall, entry: CamsyncConfigEntry) -> list[str]:
    """Return the mirrors a call means: the one named, the mirror devices targeted, or all."""
    mirrors = entry.runtime_data.coordinator.mirrors
    if not mirrors.running:
        raise _validation_error("no_mirrors", title=entry.title)
    by_device = {mirror_device_key(entry, mirror_id): mirror_id for mirror_id in mirrors.running}
    targeted = set(call.data.get(ATTR_DEVICE_ID, []))
    chosen = [
        mirror_id
        for key, mirror_id in by_device.items()
        if (device := find_device(call.hass, entry, key)) is not None and device.id in targeted
    ]
    if (wanted := call.data.get(ATTR_MIRROR)) is not None:
        named = [
            mirror_id
            for mirror_id, running in mirrors.running.items()
            if wanted.strip().casefold() in (running.title.casefold(), mirror_id.casefold())
        ]
        if not named:
            raise _validation_error(
                "unknown_mirror",
                title=entry.title,
                mirror=wanted,
                mirrors=", ".join(sorted(item.title for item in mirrors.running.values())),
            )
        chosen = [mirror_id for mirror_id in named if not chosen or mirror_id in chosen] or named
    return list(dict.fromkeys(chosen)) or list(mirrors.running)


async def _async_mirror(call: ServiceCall) -> ServiceResponse:
    """Copy what a camera's mirrors lack now; with ``wait``, report what was copied or failed."""
    entry = _target_entry(call.hass, call)
    mirrors = entry.runtime_data.coordinator.mirrors
    chosen = _chosen_mirrors(call, entry)
    titles = {mirror_id: mirrors.running[mirror_id].title for mirror_id in chosen}
    if not call.data[ATTR_WAIT]:
        await mirrors.async_run(chosen, wait=False)
        return {"started": list(titles.values()), "entry_id": entry.entry_id}
    reports = await mirrors.async_run(chosen, wait=True)
    failed = [
        (titles[mirror_id], report)
        for mirror_id, report in reports.items()
        if report is not None and report.reason is not None
    ]
    if failed:
        title, report = failed[0]
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="mirror_failed",
            translation_placeholders={
                "title": entry.title,
                "mirror": title,
                "detail": report.detail or str(report.reason),
            },
        )
    return {
        "mirrors": [
            {"mirror": titles[mirror_id], **report.as_dict()}
            for mirror_id, report in reports.items()
            if report is not None
        ]
    }


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the actions (once, for every entry)."""
    hass.services.async_register(
        DOMAIN, SERVICE_SYNC, _async_sync, SYNC_SCHEMA, SupportsResponse.OPTIONAL
    )
    hass.services.async_register(
        DOMAIN, SERVICE_PRUNE, _async_prune, PRUNE_SCHEMA, SupportsResponse.OPTIONAL
    )
    hass.services.async_register(
        DOMAIN, SERVICE_SNAPSHOT, _async_snapshot, SNAPSHOT_SCHEMA, SupportsResponse.OPTIONAL
    )
    hass.services.async_register(
        DOMAIN, SERVICE_TIMELAPSE, _async_timelapse, TIMELAPSE_SCHEMA, SupportsResponse.OPTIONAL
    )
    hass.services.async_register(
        DOMAIN, SERVICE_MIRROR, _async_mirror, MIRROR_SCHEMA, SupportsResponse.OPTIONAL
    )
