"""A config entry's options, with their defaults, as the engine and the scheduler need them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from homeassistant.util import dt as dt_util

from .const import (
    CONF_ARRIVAL_TRACKER,
    CONF_AUTO_SYNC,
    CONF_AWAY_PROBE_INTERVAL,
    CONF_CHANNELS,
    CONF_DAYS_BACK,
    CONF_DISK_LIMIT,
    CONF_EVENT_CONTEXT,
    CONF_GROUPING,
    CONF_KEEP_FREE,
    CONF_KINDS,
    CONF_PRIORITY,
    CONF_RECORDING_SYNC,
    CONF_RETENTION_DAYS,
    CONF_SIDECARS,
    CONF_SKIP_ZONES,
    CONF_SNAPSHOT_INTERVAL,
    CONF_SNAPSHOT_MODE,
    CONF_STREAM,
    CONF_SYNC_INTERVAL,
    CONF_TIMELAPSE,
    CONF_TIMELAPSE_FPS,
    DEFAULT_AWAY_PROBE_INTERVAL,
    DEFAULT_DAYS_BACK,
    DEFAULT_DISK_LIMIT,
    DEFAULT_EVENT_CONTEXT,
    DEFAULT_KEEP_FREE,
    DEFAULT_RETENTION_DAYS,
    DEFAULT_SNAPSHOT_INTERVAL,
    DEFAULT_SYNC_INTERVAL,
    DEFAULT_TIMELAPSE_FPS,
    CameraKind,
    SnapshotMode,
)
from .engine.facade import EventContext, Zone
from .engine.models import Grouping, Priority, SyncOptions
from .kinds import PROFILES


def default_options(kind: CameraKind) -> dict[str, Any]:
    """Return the options a new entry of ``kind`` starts with."""
    options: dict[str, Any] = {
        CONF_AUTO_SYNC: True,
        CONF_SYNC_INTERVAL: DEFAULT_SYNC_INTERVAL,
        CONF_RETENTION_DAYS: DEFAULT_RETENTION_DAYS,
        CONF_DISK_LIMIT: DEFAULT_DISK_LIMIT,
        CONF_KEEP_FREE: DEFAULT_KEEP_FREE,
        CONF_KINDS: [],
        CONF_PRIORITY: Priority.EVENTS_FIRST.value,
        CONF_GROUPING: Grouping.DAILY.value,
        CONF_AWAY_PROBE_INTERVAL: DEFAULT_AWAY_PROBE_INTERVAL,
        CONF_EVENT_CONTEXT: DEFAULT_EVENT_CONTEXT,
    }
    if PROFILES[kind].capabilities.gps:
        options |= {CONF_SKIP_ZONES: []}
    if kind is CameraKind.BLACKVUE:
        options |= {CONF_CHANNELS: [], CONF_SIDECARS: True}
    else:
        options |= {
            CONF_RECORDING_SYNC: True,
            CONF_STREAM: "main",
            CONF_DAYS_BACK: DEFAULT_DAYS_BACK,
            CONF_SNAPSHOT_MODE: SnapshotMode.INTERVAL.value,
            CONF_SNAPSHOT_INTERVAL: DEFAULT_SNAPSHOT_INTERVAL,
            CONF_TIMELAPSE: False,
            CONF_TIMELAPSE_FPS: DEFAULT_TIMELAPSE_FPS,
        }
    return options


@dataclass(frozen=True, slots=True)
class Settings:
    """Every option of an entry, resolved against the defaults."""

    kind: CameraKind
    auto_sync: bool
    sync_interval: timedelta
    retention: timedelta | None
    disk_limit: float
    keep_free: int
    """Bytes that must stay free on the archive's disk."""
    kinds: frozenset[str] | None
    channels: frozenset[str] | None
    priority: Priority
    grouping: Grouping
    sidecars: bool
    recording_sync: bool
    days_back: timedelta | None
    snapshot_mode: SnapshotMode
    snapshot_interval: timedelta
    away_probe_interval: timedelta
    arrival_tracker: str | None
    event_context: timedelta
    skip_zones: tuple[str, ...]
    zone_kinds: frozenset[str]
    timelapse: bool
    """A timelapse of each day's snapshots, made after midnight."""
    timelapse_fps: int

    @classmethod
    def from_options(cls, kind: CameraKind, options: Mapping[str, Any]) -> Settings:
        """Read the options of an entry."""
        merged = default_options(kind) | dict(options)
        retention_days = int(merged[CONF_RETENTION_DAYS])
        days_back = int(merged.get(CONF_DAYS_BACK) or 0)
        return cls(
            kind=kind,
            auto_sync=bool(merged[CONF_AUTO_SYNC]),
            sync_interval=timedelta(minutes=float(merged[CONF_SYNC_INTERVAL])),
            retention=timedelta(days=retention_days) if retention_days > 0 else None,
            disk_limit=float(merged[CONF_DISK_LIMIT]),
            keep_free=int(float(merged.get(CONF_KEEP_FREE) or 0) * 1_000_000_000),
            kinds=frozenset(merged[CONF_KINDS]) or None,
            channels=frozenset(merged.get(CONF_CHANNELS) or ()) or None,
            priority=Priority(merged[CONF_PRIORITY]),
            grouping=Grouping(merged[CONF_GROUPING]),
            sidecars=bool(merged.get(CONF_SIDECARS, False)),
            recording_sync=bool(merged.get(CONF_RECORDING_SYNC, True)),
            days_back=timedelta(days=days_back) if days_back > 0 else None,
            snapshot_mode=SnapshotMode(merged.get(CONF_SNAPSHOT_MODE, SnapshotMode.OFF)),
            snapshot_interval=timedelta(
                minutes=float(merged.get(CONF_SNAPSHOT_INTERVAL, DEFAULT_SNAPSHOT_INTERVAL))
            ),
            away_probe_interval=timedelta(seconds=float(merged[CONF_AWAY_PROBE_INTERVAL])),
            arrival_tracker=merged.get(CONF_ARRIVAL_TRACKER) or None,
            event_context=timedelta(minutes=float(merged[CONF_EVENT_CONTEXT])),
            skip_zones=tuple(merged.get(CONF_SKIP_ZONES) or ()),
            zone_kinds=PROFILES[kind].zone_skip_kinds,
            timelapse=bool(merged.get(CONF_TIMELAPSE, False)),
            timelapse_fps=int(merged.get(CONF_TIMELAPSE_FPS, DEFAULT_TIMELAPSE_FPS)),
        )

    @property
    def has_snapshot_schedule(self) -> bool:
        """Return True for a kind whose options include a snapshot schedule (on or off)."""
        return CONF_SNAPSHOT_MODE in default_options(self.kind)

    @property
    def look_back(self) -> timedelta | None:
        """Return how far back recordings are wanted: the shorter of retention and days back."""
        windows = [window for window in (self.retention, self.days_back) if window is not None]
        return min(windows, default=None)

    def since(self) -> datetime | None:
        """Return the oldest recording time wanted now (None: every recording)."""
        window = self.look_back
        return dt_util.utcnow() - window if window else None

    def sync_options(self, zones: tuple[Zone, ...] = ()) -> SyncOptions:
        """Return what the engine needs for a run; ``zones``: the skip zones as they are now.

        A run lists the camera again after one check interval, so a parking event recorded
        during a long catch-up is fetched next, not after the backlog.
        """
        context = self.event_context
        return SyncOptions(
            kinds=self.kinds,
            channels=self.channels,
            max_age=self.look_back,
            priority=self.priority,
            sidecars=self.sidecars,
            disk_limit_percent=self.disk_limit,
            event_context=EventContext(before=context, after=context) if context else None,
            skip_zones=zones,
            zone_kinds=self.zone_kinds if zones else frozenset(),
            relist_after=self.sync_interval,
            keep_free_bytes=self.keep_free,
        )
