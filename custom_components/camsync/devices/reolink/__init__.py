"""Reolink cameras over their CGI API: the client, and what it knows about the camera's formats."""

from .client import ReolinkClient, normalise_mac
from .errors import (
    LOCKED_RETRY_AFTER,
    SessionExpiredError,
    SessionLimitError,
    map_reolink_error,
    unlock_seconds,
)
from .names import (
    TRIGGERS,
    decode_triggers,
    is_event_name,
    main_trigger,
    parse_recording_name,
)
from .zone import DstRule, ReolinkZone, zone_from_get_time

__all__ = [
    "LOCKED_RETRY_AFTER",
    "TRIGGERS",
    "DstRule",
    "ReolinkClient",
    "ReolinkZone",
    "SessionExpiredError",
    "SessionLimitError",
    "decode_triggers",
    "is_event_name",
    "main_trigger",
    "map_reolink_error",
    "normalise_mac",
    "parse_recording_name",
    "unlock_seconds",
    "zone_from_get_time",
]
