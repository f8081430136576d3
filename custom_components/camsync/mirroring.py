"""A camera's mirrors at work in Home Assistant: one engine ``MirrorSet`` per config entry.

The mirrors are the entry's ``mirror`` subentries (``mirror_flow.py``). They start with the entry
and stop when it unloads or Home Assistant stops (an upload in progress keeps its finished parts);
adding, editing or removing a mirror changes the running set at once, without reloading the
camera (a camera sync in progress goes on). The camera's sync and snapshots hand every saved file
over (``notify_saved``); each mirror also rescans the archive on its own, so nothing is missed.

What the mirrors tell goes out from here: their health to the mirror entities (status changes at
once, backlog counts at most once a second), ``camsync_file_mirrored`` events, a repair issue for
a mirror that has been failing for an hour (its reason in the user's words) and one for files the
disk limit made the local prune delete before every mirror had them. The local prune asks
:meth:`CameraMirrors.prune_guard` which files it must keep.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from homeassistant.config_entries import (
    SIGNAL_CONFIG_ENTRY_CHANGED,
    ConfigEntry,
    ConfigEntryChange,
    ConfigSubentry,
)
from homeassistant.const import EVENT_HOMEASSISTANT_STOP
from homeassistant.core import CALLBACK_TYPE, Event, HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.event import async_call_later, async_track_point_in_utc_time
from homeassistant.util import dt as dt_util

from . import mirror_issues
from .const import CONF_KIND, EVENT_FILE_MIRRORED, LOGGER, CameraKind
from .engine.facade import CameraArchive
from .engine.mirrors import (
    LocalPruneGuard,
    Mirror,
    MirroredFile,
    MirrorHealth,
    MirrorItem,
    MirrorRunReport,
    MirrorSet,
    MirrorStatus,
    Priority,
)
from .engine.models import SavedFile
from .identity import device_key, find_device
from .kinds import PROFILES
from .mirror_config import SUBENTRY_MIRROR, MirrorConfig

FAILING_REPAIR_AFTER = timedelta(hours=1)
HEALTH_PUSH_INTERVAL = 1.0  # seconds between backlog pushes to the entities while copying


def mirror_device_key(entry: ConfigEntry, mirror_id: str) -> str:
    """Return the identifier of a mirror's device (the camera's key and the subentry id)."""
    return f"{device_key(entry)}_mirror_{mirror_id}"


@dataclass(slots=True)
class RunningMirror:
    """One mirror as it runs: its subentry's title and settings, the engine mirror, its health."""

    mirror_id: str
    title: str
    data: dict[str, Any]
    config: MirrorConfig
    mirror: Mirror
    health: MirrorHealth
    listeners: list[Callable[[], None]] = field(default_factory=list)
    push: CALLBACK_TYPE | None = None
    failing_timer: CALLBACK_TYPE | None = None


class CameraMirrors:
    """The mirrors of one camera entry: their life cycle, health, events and repairs."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        archive: CameraArchive,
        camera_device_id: Callable[[], str | None],
    ) -> None:
        """Describe the mirrors of ``entry``; :meth:`async_start` starts them."""
        self.hass = hass
        self.entry = entry
        self.archive = archive
        self._camera_device_id = camera_device_id
        self.mirrors = MirrorSet(archive.destination)
        self.running: dict[str, RunningMirror] = {}
        self._is_event = PROFILES[CameraKind(entry.data[CONF_KIND])].is_event
        self._lock = asyncio.Lock()
        self._entity_adder: Callable[[list[str]], None] | None = None
        self._forced_from: set[str] = set()
        self._forced_files = 0
        self._started = False

    # --- life cycle ------------------------------------------------------------------------

    async def async_start(self) -> None:
        """Start every mirror of the entry, and follow changes of its mirror subentries."""
        async with self._lock:
            for subentry in _mirror_subentries(self.entry):
                await self._async_add(subentry)
            self._started = True
        self.entry.async_on_unload(
            async_dispatcher_connect(self.hass, SIGNAL_CONFIG_ENTRY_CHANGED, self._on_entry_changed)
        )
        self.entry.async_on_unload(
            self.hass.bus.async_listen_once(EVENT_HOMEASSISTANT_STOP, self._async_on_stop)
        )

    async def async_stop(self) -> None:
        """Stop every mirror (what they copied and their state stay)."""
        async with self._lock:
            self._started = False
            for running in self.running.values():
                _cancel(running)
            await self.mirrors.stop()

    async def _async_on_stop(self, _event: Event) -> None:
        await self.async_stop()

    @callback
    def _on_entry_changed(self, change: ConfigEntryChange, entry: ConfigEntry) -> None:
        """Apply added, edited and removed mirror subentries to the running mirrors."""
        if change is not ConfigEntryChange.UPDATED or entry.entry_id != self.entry.entry_id:
            return
        wanted = {sub.subentry_id: (sub.title, dict(sub.data)) for sub in _mirror_subentries(entry)}
        running = {key: (item.title, item.data) for key, item in self.running.items()}
        if wanted != running:
            self.entry.async_create_task(self.hass, self._async_apply(), "camsync mirrors changed")

    async def _async_apply(self) -> None:
        async with self._lock:
            if not self._started:
                return
            subentries = {sub.subentry_id: sub for sub in _mirror_subentries(self.entry)}
            for mirror_id in [key for key in self.running if key not in subentries]:
                await self._async_remove(mirror_id)
            added: list[str] = []
            for mirror_id, subentry in subentries.items():
                running = self.running.get(mirror_id)
                if running is None:
                    if await self._async_add(subentry):
                        added.append(mirror_id)
                elif dict(subentry.data) != running.data:
                    await self._async_replace(running, subentry)
                elif subentry.title != running.title:
                    self._rename(running, subentry.title)
            if added and self._entity_adder is not None:
                self._entity_adder(added)

    async def _async_add(self, subentry: ConfigSubentry) -> bool:
        """Build and start one mirror; a subentry that cannot be read is logged and left out."""
        try:
            config = MirrorConfig.from_data(subentry.data)
        except (KeyError, ValueError) as err:
            LOGGER.error("Mirror %s of %s is not usable: %s", subentry.title, self.entry.title, err)
            return False
        destination = self.archive.destination
        mirror = Mirror(
            subentry.subentry_id,
            config.target(destination),
            destination,
            retention=config.retention,
            recognise=self.archive.recorded_at,
            classify=self._classify,
            on_mirrored=self._on_mirrored,
            on_health=self._on_health,
            clock=dt_util.utcnow,
        )
        self.mirrors.add(mirror)
        self.running[subentry.subentry_id] = RunningMirror(
            subentry.subentry_id,
            subentry.title,
            dict(subentry.data),
            config,
            mirror,
            mirror.health,
        )
        await mirror.start()
        return True

    async def _async_replace(self, running: RunningMirror, subentry: ConfigSubentry) -> None:
        """Restart a mirror with its edited settings; its entities stay."""
        listeners = running.listeners
        _cancel(running)
        mirror_issues.clear_failing(self.hass, self.entry, running.mirror_id)
        try:
            moved = MirrorConfig.from_data(subentry.data).fingerprint != running.config.fingerprint
        except (KeyError, ValueError):
            moved = True
        if moved:  # another place: what the old one left unfinished goes
            await self.mirrors.retire(running.mirror_id)
        else:
            await self.mirrors.remove(running.mirror_id)
        del self.running[running.mirror_id]
        if await self._async_add(subentry):
            self.running[subentry.subentry_id].listeners = listeners
            self._rename(self.running[subentry.subentry_id], subentry.title)
            self._push(subentry.subentry_id)

    async def _async_remove(self, mirror_id: str) -> None:
        """Retire a removed mirror: stop it, abort its unfinished uploads, drop its state."""
        running = self.running.pop(mirror_id)
        _cancel(running)
        mirror_issues.clear_failing(self.hass, self.entry, mirror_id)
        await self.mirrors.retire(mirror_id)
        LOGGER.info("Mirror %s of %s removed", running.title, self.entry.title)

    @callback
    def _rename(self, running: RunningMirror, title: str) -> None:
        running.title = title
        device = find_device(
            self.hass, self.entry, mirror_device_key(self.entry, running.mirror_id)
        )
        if device is not None and device.name != title:
            dr.async_get(self.hass).async_update_device(device.id, name=title)

    # --- what goes in ------------------------------------------------------------------------

    @callback
    def notify_saved(self, saved: SavedFile) -> None:
        """Queue a file the sync or a snapshot just saved on every mirror."""
        self.mirrors.notify_saved(saved)

    @callback
    def enqueue_file(self, path: Path, size: int, recorded: datetime) -> None:
        """Queue another archived file (a timelapse, say) on every mirror."""
        try:
            relative = path.relative_to(self.archive.destination).as_posix()
        except ValueError:
            return
        self.mirrors.enqueue(MirrorItem(relative, size, recorded, self._classify(path.name)))

    def _classify(self, name: str) -> int:
        """Return a file's place in the queue: events first (called from the executor)."""
        return Priority.EVENT if self._is_event(name) else Priority.NORMAL

    async def async_run(
        self, mirror_ids: list[str], *, wait: bool
    ) -> dict[str, MirrorRunReport | None]:
        """Run a pass of these mirrors now; with ``wait``, return their reports."""
        results = await asyncio.gather(
            *(self.running[key].mirror.run_now(wait=wait) for key in mirror_ids)
        )
        return dict(zip(mirror_ids, results, strict=True))

    # --- the local prune ---------------------------------------------------------------------

    @callback
    def prune_guard(self, *, force: bool = False) -> LocalPruneGuard | None:
        """Return what the local prune asks before deleting a file (None without mirrors)."""
        if not self.running:
            return None
        return self.mirrors.prune_guard(force=force, now=dt_util.utcnow())

    @callback
    def note_prune(self, guard: LocalPruneGuard | None) -> None:
        """Log what the mirrors kept; raise the repair for files deleted before they had them."""
        if guard is None:
            return
        if guard.held_back:
            LOGGER.info(
                "%s: kept %d files past the retention window until every mirror has them",
                self.entry.title,
                len(guard.held_back),
            )
        if guard.forced:
            self._forced_from |= guard.forced_from
            self._forced_files += len(guard.forced)
            names = sorted(
                self.running[key].title for key in self._forced_from if key in self.running
            )
            LOGGER.warning(
                "%s: the disk limit made retention delete %d files before %s had them",
                self.entry.title,
                len(guard.forced),
                ", ".join(names),
            )
            mirror_issues.raise_pruned_early(self.hass, self.entry, self._forced_files, names)

    # --- what comes out ----------------------------------------------------------------------

    @callback
    def async_add_listener(self, mirror_id: str, listener: Callable[[], None]) -> CALLBACK_TYPE:
        """Call ``listener`` when the mirror's health changes; return the unsubscribe."""
        running = self.running.get(mirror_id)
        if running is None:
            return lambda: None
        running.listeners.append(listener)

        @callback
        def remove() -> None:
            current = self.running.get(mirror_id)
            if current is not None and listener in current.listeners:
                current.listeners.remove(listener)

        return remove

    @callback
    def set_entity_adder(self, adder: Callable[[list[str]], None]) -> None:
        """Let the sensor platform add the entities of mirrors added later; add today's now."""
        self._entity_adder = adder
        adder(list(self.running))

    def health(self, mirror_id: str) -> MirrorHealth | None:
        """Return a mirror's health (None when it is gone)."""
        running = self.running.get(mirror_id)
        return running.health if running is not None else None

    @callback
    def _on_health(self, health: MirrorHealth) -> None:
        running = self.running.get(health.mirror_id)
        if running is None:
            return
        before, running.health = running.health, health
        if (
            before.status != health.status
            or before.last_error != health.last_error
            or before.ready != health.ready
            or before.last_copied != health.last_copied
            or (health.backlog_files == 0) != (before.backlog_files == 0)
        ):
            self._push(health.mirror_id)
        elif running.push is None:

            @callback
            def push_later(_now: datetime) -> None:
                running.push = None
                self._push(health.mirror_id)

            running.push = async_call_later(self.hass, HEALTH_PUSH_INTERVAL, push_later)
        self._update_failing(running)
        self._update_pruned_early()

    @callback
    def _push(self, mirror_id: str) -> None:
        running = self.running.get(mirror_id)
        if running is None:
            return
        if running.push is not None:
            running.push()
            running.push = None
        for listener in list(running.listeners):
            listener()

    @callback
    def _on_mirrored(self, mirrored: MirroredFile) -> None:
        running = self.running.get(mirrored.mirror_id)
        self.hass.bus.async_fire(
            EVENT_FILE_MIRRORED,
            {
                "entry_id": self.entry.entry_id,
                "device_id": self._camera_device_id(),
                "mirror": running.title if running is not None else mirrored.mirror_id,
            }
            | mirrored.as_dict(),
        )

    @callback
    def _update_failing(self, running: RunningMirror, now: datetime | None = None) -> None:
        """Raise the repair once a mirror has failed for an hour; clear it when it works again."""
        health = running.health
        if health.failing_since is None or health.last_error is None:
            if running.failing_timer is not None:
                running.failing_timer()
                running.failing_timer = None
            mirror_issues.clear_failing(self.hass, self.entry, running.mirror_id)
            return
        due = health.failing_since + FAILING_REPAIR_AFTER
        if (now or dt_util.utcnow()) >= due:
            mirror_issues.raise_failing(
                self.hass,
                self.entry,
                running.mirror_id,
                health.last_error,
                mirror=running.title,
                location=running.config.location,
                detail=_scrub(health.last_error_detail, running.config.secrets()),
            )
        elif running.failing_timer is None:

            @callback
            def recheck(when: datetime) -> None:
                running.failing_timer = None
                if self.running.get(running.mirror_id) is running:
                    self._update_failing(running, when)

            running.failing_timer = async_track_point_in_utc_time(self.hass, recheck, due)

    @callback
    def _update_pruned_early(self) -> None:
        """Clear the "pruned before mirrored" repair once those mirrors caught up."""
        if not self._forced_from:
            return
        lagging = [
            key
            for key in self._forced_from
            if (running := self.running.get(key)) is not None and not _caught_up(running.health)
        ]
        if not lagging:
            self._forced_from.clear()
            self._forced_files = 0
            mirror_issues.clear_pruned_early(self.hass, self.entry)

    # --- diagnostics -------------------------------------------------------------------------

    def diagnostics(self) -> list[dict[str, Any]]:
        """Return each mirror's kind, settings (no credentials) and health."""
        return [
            {
                "mirror_id": running.mirror_id,
                "title": running.title,
                "kind": running.config.kind.value,
                "settings": running.config.redacted(),
                "health": running.health.as_dict(),
            }
            for running in self.running.values()
        ]

    def secrets(self) -> list[str]:
        """Return every mirror credential (diagnostics scrub them from every text)."""
        return [secret for running in self.running.values() for secret in running.config.secrets()]


def _mirror_subentries(entry: ConfigEntry) -> list[ConfigSubentry]:
    return [sub for sub in entry.subentries.values() if sub.subentry_type == SUBENTRY_MIRROR]


def _caught_up(health: MirrorHealth) -> bool:
    return (
        health.ready
        and health.backlog_files == 0
        and health.failing_since is None
        and health.status is MirrorStatus.IDLE
    )


def _cancel(running: RunningMirror) -> None:
    for handle in (running.push, running.failing_timer):
        if handle is not None:
            handle()
    running.push = running.failing_timer = None


def _scrub(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, "**REDACTED**")
    return text
