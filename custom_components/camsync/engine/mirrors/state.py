"""A mirror's small state file: ``.camsync/mirrors/<mirror id>/state.json`` in the archive.

It holds only what the mirror itself cannot tell: which target it was made for, the files that
keep failing (back-off), since when the mirror fails, and what it copied last. What the mirror
holds is read from the mirror (a listing), so losing this file costs a listing, never an upload.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
import json
import logging
from pathlib import Path
from typing import Any
import uuid

from ..archive import STATE_FOLDER, is_safe_name
from ..files import write_atomically
from .models import MirrorReason

_LOGGER = logging.getLogger(__name__)

MIRRORS_FOLDER = "mirrors"
STATE_FILE = "state.json"


def mirror_work_dir(destination: Path, mirror_id: str) -> Path:
    """Return the folder of one mirror's state under the archive's ``.camsync/``."""
    if not is_safe_name(mirror_id):
        raise ValueError(f"Refusing unsafe mirror id {mirror_id!r}")
    return destination / STATE_FOLDER / MIRRORS_FOLDER / mirror_id


@dataclass(slots=True)
class FileFailure:
    """A file that failed on this mirror, how often in a row, and why."""

    count: int
    last: float
    reason: str


@dataclass(slots=True)
class MirrorState:
    """What the state file holds."""

    fingerprint: str = ""
    failing_since: float | None = None
    last_error: str | None = None
    last_error_detail: str = ""
    last_copied: float | None = None
    last_copied_name: str | None = None
    last_pruned: float | None = None
    failures: dict[str, FileFailure] = field(default_factory=dict)

    @classmethod
    def load(cls, work_dir: Path, fingerprint: str) -> MirrorState:
        """Read the state (blocking); missing, damaged or for another target: a fresh one."""
        path = work_dir / STATE_FILE
        try:
            raw: Any = json.loads(path.read_text())
            failures = {
                str(name): FileFailure(**value) for name, value in raw.pop("failures").items()
            }
            state = cls(**raw, failures=failures)
        except FileNotFoundError:
            return cls(fingerprint)
        except (ValueError, TypeError, KeyError, AttributeError, OSError) as err:
            _LOGGER.warning("Ignoring unreadable mirror state %s: %s", path, err)
            return cls(fingerprint)
        if state.fingerprint != fingerprint:
            return cls(fingerprint)  # another target: nothing carries over
        if state.last_error is not None and state.last_error not in MirrorReason:
            state.last_error = MirrorReason.UNKNOWN.value
        return state

    def dump(self) -> bytes:
        """Return the state as the file holds it (on the event loop, where it changes)."""
        return json.dumps(asdict(self), indent=1, sort_keys=True).encode()

    def save(self, work_dir: Path) -> None:
        """Write the state atomically (blocking; the state must not change meanwhile)."""
        write_state(work_dir, self.dump())


def write_state(work_dir: Path, data: bytes) -> None:
    """Write a dumped state atomically (blocking); concurrent writes never share a temp file."""
    work_dir.mkdir(parents=True, exist_ok=True)
    path = work_dir / STATE_FILE
    write_atomically(data, work_dir / f".{STATE_FILE}.{uuid.uuid4().hex[:8]}.tmp", path, work_dir)


def timestamp(moment: datetime | None) -> float | None:
    """Return a datetime as a POSIX timestamp."""
    return moment.timestamp() if moment is not None else None


def from_timestamp(value: float | None) -> datetime | None:
    """Return a POSIX timestamp as an aware datetime."""
    return datetime.fromtimestamp(value, UTC) if value is not None else None
