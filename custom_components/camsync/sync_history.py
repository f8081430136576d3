"""When the last sync ran and when one last succeeded, kept across restarts.

A sync that ended in any way (the camera away, the disk limit, a refused login) is an attempt;
one that completed is a success. Both are stored in Home Assistant's storage (``.storage/``),
one small file per entry, so the sensors know them right after a restart.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypedDict

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from .const import DOMAIN
from .engine.errors import Outcome
from .engine.models import SyncReport

STORAGE_VERSION = 1
SAVE_DELAY = 5.0  # seconds: several runs in a row are written once


class _Stored(TypedDict, total=False):
    last_success: str | None
    last_attempt: str | None
    last_outcome: str | None


def _time(value: Any) -> datetime | None:
    return dt_util.parse_datetime(value) if isinstance(value, str) else None


class SyncHistory:
    """The last attempt and the last success of one entry's sync."""

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        """Describe the history; :meth:`async_load` reads it."""
        self._store: Store[_Stored] = Store(hass, STORAGE_VERSION, f"{DOMAIN}.{entry_id}.history")
        self.last_success: datetime | None = None
        self.last_attempt: datetime | None = None
        self.last_outcome: str | None = None

    async def async_load(self) -> None:
        """Read what the last Home Assistant run stored (nothing: a new entry)."""
        stored = await self._store.async_load() or _Stored()
        self.last_success = _time(stored.get("last_success"))
        self.last_attempt = _time(stored.get("last_attempt"))
        self.last_outcome = stored.get("last_outcome")

    @callback
    def note(self, report: SyncReport) -> None:
        """Remember a finished run (written a few seconds later)."""
        finished = report.finished or dt_util.utcnow()
        self.last_attempt = finished
        self.last_outcome = report.outcome.value
        if report.outcome is Outcome.COMPLETED:
            self.last_success = finished
        self._store.async_delay_save(self._data, SAVE_DELAY)

    async def async_remove(self) -> None:
        """Delete the stored history (the entry is being removed)."""
        await self._store.async_remove()

    def _data(self) -> _Stored:
        return _Stored(
            last_success=self.last_success.isoformat() if self.last_success else None,
            last_attempt=self.last_attempt.isoformat() if self.last_attempt else None,
            last_outcome=self.last_outcome,
        )
