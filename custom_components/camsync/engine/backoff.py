"""Failure marks: a file that keeps failing is retried later, not on every run.

The marks are a small JSON file in ``.camsync/``, so they move with the archive. A failure that
grew the partial file does not count: that file is making progress. A file the camera says does
not exist (an optional sidecar) is marked absent and not asked for again.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
import json
import logging
from pathlib import Path
from typing import Any

from .files import write_atomically

_LOGGER = logging.getLogger(__name__)

FAILURES_FILE = "failures.json"


@dataclass(slots=True)
class FailureMark:
    """Why and when a file last failed, and how many times in a row."""

    count: int
    last: float
    reason: str
    absent: bool = False


class FailureBook:
    """The failure marks of one destination; ``load`` and ``save`` block."""

    def __init__(self, path: Path, marks: dict[str, FailureMark] | None = None) -> None:
        """Wrap marks loaded from ``path``."""
        self.path = path
        self.marks = marks or {}
        self._dirty = False

    @classmethod
    def load(cls, state_dir: Path) -> FailureBook:
        """Read the marks; a missing or damaged file means none."""
        path = state_dir / FAILURES_FILE
        try:
            raw: Any = json.loads(path.read_text())
            marks = {name: FailureMark(**value) for name, value in raw["marks"].items()}
        except FileNotFoundError:
            marks = {}
        except (ValueError, TypeError, KeyError, AttributeError, OSError) as err:
            _LOGGER.warning("Ignoring unreadable failure marks in %s: %s", path, err)
            marks = {}
        return cls(path, marks)

    def retry_at(self, name: str, base: timedelta, limit: timedelta) -> datetime | None:
        """Return when ``name`` may be tried again; None when it is not marked."""
        mark = self.marks.get(name)
        if mark is None:
            return None
        if mark.absent:
            return datetime.max.replace(tzinfo=UTC)
        delay: timedelta = min(base * (2 ** (mark.count - 1)), limit)
        return datetime.fromtimestamp(mark.last, UTC) + delay

    def is_backed_off(self, name: str, now: datetime, base: timedelta, limit: timedelta) -> bool:
        """Return True when ``name`` must not be tried now."""
        retry_at = self.retry_at(name, base, limit)
        return retry_at is not None and now < retry_at

    def is_absent(self, name: str) -> bool:
        """Return True when the camera said the file does not exist."""
        mark = self.marks.get(name)
        return mark is not None and mark.absent

    def record_failure(self, name: str, reason: str, now: datetime, *, progressed: bool) -> None:
        """Count a failure; one that made progress only notes the reason."""
        mark = self.marks.get(name)
        if progressed:
            if mark is not None:
                mark.reason = reason
                self._dirty = True
            return
        count = mark.count + 1 if mark is not None and not mark.absent else 1
        self.marks[name] = FailureMark(count, now.timestamp(), reason)
        self._dirty = True

    def record_absent(self, name: str, now: datetime) -> None:
        """Remember that the camera does not have this (optional) file."""
        self.marks[name] = FailureMark(1, now.timestamp(), "not_found", absent=True)
        self._dirty = True

    def record_success(self, name: str) -> None:
        """Forget a file's failures."""
        if self.marks.pop(name, None) is not None:
            self._dirty = True

    def forget_before(self, cutoff: datetime) -> int:
        """Drop marks last written before ``cutoff``; return how many."""
        stale = [name for name, mark in self.marks.items() if mark.last < cutoff.timestamp()]
        for name in stale:
            del self.marks[name]
        self._dirty = self._dirty or bool(stale)
        return len(stale)

    def save(self) -> None:
        """Write the marks back when they changed."""
        if not self._dirty:
            return
        data = json.dumps(
            {"version": 1, "marks": {name: asdict(mark) for name, mark in self.marks.items()}},
            indent=1,
            sort_keys=True,
        ).encode()
        partial = self.path.with_name(f"{self.path.name}.tmp")
        write_atomically(data, partial, self.path, self.path.parent)
        self._dirty = False
