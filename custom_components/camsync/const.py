"""Constants: the domain, config keys, option defaults and event names."""

from __future__ import annotations

from enum import StrEnum
import logging
from typing import Final

DOMAIN: Final = "camsync"
LOGGER = logging.getLogger(__package__)


class CameraKind(StrEnum):
    """The camera families camsync talks to."""

    BLACKVUE = "blackvue"
    REOLINK = "reolink"


# Config entry data (what identifies the camera and where its archive lives)
CONF_KIND: Final = "kind"
CONF_DESTINATION: Final = "destination"
CONF_USE_HTTPS: Final = "use_https"
CONF_CHANNEL: Final = "channel"
CONF_CAMERA_ID: Final = "camera_id"  # the camera's own id (MAC, serial) when it has one

# Options (how it syncs); defaults below
CONF_SYNC_INTERVAL: Final = "sync_interval"
CONF_AUTO_SYNC: Final = "auto_sync"
CONF_RETENTION_DAYS: Final = "retention_days"
CONF_DISK_LIMIT: Final = "disk_limit"
CONF_KINDS: Final = "kinds"
CONF_CHANNELS: Final = "channels"
CONF_PRIORITY: Final = "priority"
CONF_SIDECARS: Final = "sidecars"
CONF_GROUPING: Final = "grouping"
CONF_SNAPSHOT_MODE: Final = "snapshot_mode"
CONF_SNAPSHOT_INTERVAL: Final = "snapshot_interval"
CONF_RECORDING_SYNC: Final = "recording_sync"
CONF_STREAM: Final = "stream"
CONF_DAYS_BACK: Final = "days_back"
CONF_AWAY_PROBE_INTERVAL: Final = "away_probe_interval"
CONF_ARRIVAL_TRACKER: Final = "arrival_tracker"
CONF_EVENT_CONTEXT: Final = "event_context"
CONF_SKIP_ZONES: Final = "skip_parking_zones"
CONF_TIMELAPSE: Final = "timelapse"
CONF_TIMELAPSE_FPS: Final = "timelapse_fps"
CONF_KEEP_FREE: Final = "keep_free"  # GB that must stay free on the archive's disk
CONF_SNAPSHOT_RESUME: Final = "snapshot_resume"  # the mode the snapshot switch turns back on

DEFAULT_SYNC_INTERVAL: Final = 10  # minutes
DEFAULT_RETENTION_DAYS: Final = 30
DEFAULT_DISK_LIMIT: Final = 90  # percent used
DEFAULT_SNAPSHOT_INTERVAL: Final = 60  # minutes
DEFAULT_DAYS_BACK: Final = 7
DEFAULT_AWAY_PROBE_INTERVAL: Final = 30  # seconds between connects while the camera is away
DEFAULT_EVENT_CONTEXT: Final = 0  # minutes around an event (0: off)
DEFAULT_TIMELAPSE_FPS: Final = 10
DEFAULT_KEEP_FREE: Final = 0  # GB; 0: only the percent limit


class SnapshotMode(StrEnum):
    """When scheduled snapshots are taken."""

    OFF = "off"
    INTERVAL = "interval"
    HOURLY = "hourly"


class SyncStatus(StrEnum):
    """The state of the sync status sensor."""

    IDLE = "idle"
    SYNCING = "syncing"
    OFFLINE = "offline"
    DISK_FULL = "disk_full"
    DOWNLOADS_WEDGED = "downloads_wedged"
    ERROR = "error"


EVENT_FILE_SAVED: Final = "camsync_file_saved"
EVENT_SYNC_FINISHED: Final = "camsync_sync_finished"
EVENT_TRIP_FINISHED: Final = "camsync_trip_finished"
EVENT_TIMELAPSE_FINISHED: Final = "camsync_timelapse_finished"
EVENT_FILE_MIRRORED: Final = "camsync_file_mirrored"

MEDIA_SUBFOLDER: Final = "camsync"
