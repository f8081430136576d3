"""Remembered deletions: a recording the user deleted from the archive is not downloaded again.

Two small files in ``.camsync/`` make that possible. The ledger (``archived.txt``) names what
camsync knows is in the recordings tree: rewritten after a full scan, appended to (``+name``,
``-name``) on every save and prune. A later scan that misses a name the ledger has found a file
someone deleted (Media panel > Manage, or by hand); its name goes to ``deleted.json`` and the
planner skips it while the camera still lists it. Files retention deletes are written off the
ledger first, so they never count as the user's deletions. Every method here blocks: run them in
the executor (each object takes a lock, so two executor threads never interleave on one).
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Mapping, Sized
from dataclasses import replace
from datetime import datetime
import json
import logging
import os
from pathlib import Path
import threading
from typing import Any

from .files import write_atomically
from .models import Listing

_LOGGER = logging.getLogger(__name__)

LEDGER_FILE = "archived.txt"
DELETIONS_FILE = "deleted.json"


class Ledger:
    """The names camsync knows are in the recordings tree."""

    def __init__(self, path: Path, names: set[str] | None) -> None:
        """Wrap the names read from ``path``; None when there is no ledger yet."""
        self.path = path
        self.names = names
        self._lock = threading.Lock()

    @classmethod
    def load(cls, state_dir: Path) -> Ledger:
        """Read the ledger, applying its ``+``/``-`` lines in order."""
        path = state_dir / LEDGER_FILE
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return cls(path, None)
        except OSError as err:
            _LOGGER.warning("Ignoring the unreadable ledger %s: %s", path, err)
            return cls(path, None)
        names: set[str] = set()
        for line in text.splitlines():
            if line.startswith("+"):
                names.add(line[1:])
            elif line.startswith("-"):
                names.discard(line[1:])
        return cls(path, names)

    def missing(self, on_disk: Iterable[str]) -> set[str]:
        """Return the names the ledger has and the disk does not; none without a ledger.

        When not one of the ledger's files is on disk, the disk is more likely unmounted than
        emptied by hand: that finds nothing, so a remount does not turn into mass deletions.
        """
        if not self.names:
            return set()
        missing = self.names.difference(on_disk)
        if missing == self.names:
            _LOGGER.warning(
                "None of the %d files camsync archived in %s is there; if the disk is not "
                "mounted, mount it (they are not remembered as deleted)",
                len(missing),
                self.path.parent.parent,
            )
            return set()
        return missing

    def rewrite(self, names: Iterable[str]) -> None:
        """Replace the ledger with ``names`` (after a full scan)."""
        with self._lock:
            self.names = set(names)
            body = "".join(f"+{name}\n" for name in sorted(self.names)).encode()
            write_atomically(
                body, self.path.with_name(f"{LEDGER_FILE}.tmp"), self.path, self.path.parent
            )

    def append(self, added: Iterable[str] = (), removed: Iterable[str] = ()) -> None:
        """Note files saved and files pruned since the last rewrite."""
        lines = [f"+{name}\n" for name in added] + [f"-{name}\n" for name in removed]
        if not lines:
            return
        with self._lock:
            if self.names is not None:
                self.names.update(added)
                self.names.difference_update(removed)
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
            try:
                os.write(fd, "".join(lines).encode())
            finally:
                os.close(fd)


class DeletionMemory:
    """The recordings the user deleted, by name, with when they were recorded."""

    def __init__(self, path: Path, deleted: dict[str, float | None] | None = None) -> None:
        """Wrap the names read from ``path``."""
        self.path = path
        self.deleted: dict[str, float | None] = deleted or {}
        self._lock = threading.RLock()

    @classmethod
    def load(cls, state_dir: Path) -> DeletionMemory:
        """Read the memory; a missing or damaged file means none."""
        path = state_dir / DELETIONS_FILE
        try:
            raw: Any = json.loads(path.read_text())
            deleted = {str(name): _stamp(value) for name, value in raw["deleted"].items()}
        except FileNotFoundError:
            deleted = {}
        except (ValueError, TypeError, KeyError, AttributeError, OSError) as err:
            _LOGGER.warning("Ignoring unreadable deletions in %s: %s", path, err)
            deleted = {}
        return cls(path, deleted)

    def __contains__(self, name: object) -> bool:
        """Return True when the user deleted a file of that name."""
        return name in self.deleted

    def __len__(self) -> int:
        """Return how many deletions are remembered."""
        return len(self.deleted)

    def remember(self, names: Mapping[str, datetime | None]) -> None:
        """Remember deleted files (and when they were recorded), then save."""
        if not names:
            return
        with self._lock:
            for name, recorded in names.items():
                self.deleted[name] = recorded.timestamp() if recorded is not None else None
            self.save()

    def forget(self, names: Iterable[str] | None = None) -> int:
        """Forget some deletions (all when ``names`` is None), then save; return how many."""
        with self._lock:
            doomed = (
                list(self.deleted) if names is None else [n for n in names if n in self.deleted]
            )
            for name in doomed:
                del self.deleted[name]
            if doomed:
                self.save()
            return len(doomed)

    def forget_before(self, cutoff: datetime) -> int:
        """Forget deletions of files recorded before ``cutoff``: retention would not keep them."""
        limit = cutoff.timestamp()
        with self._lock:
            return self.forget(
                [
                    name
                    for name, stamp in self.deleted.items()
                    if stamp is not None and stamp < limit
                ]
            )

    def save(self) -> None:
        """Write the memory."""
        with self._lock:
            body = json.dumps({"version": 1, "deleted": self.deleted}, indent=1, sort_keys=True)
            write_atomically(
                body.encode(),
                self.path.with_name(f"{DELETIONS_FILE}.tmp"),
                self.path,
                self.path.parent,
            )


def without_deleted(listing: Listing, deleted: Container[str]) -> Listing:
    """Return the listing without the files the user deleted (blocking for a big listing).

    A deleted video takes its whole recording with it: its sidecars are not wanted either.
    """
    if isinstance(deleted, Sized) and not len(deleted):
        return listing
    kept = []
    for recording in listing.recordings:
        if recording.files and recording.files[0].name in deleted:
            continue
        files = tuple(file for file in recording.files if file.name not in deleted)
        kept.append(
            recording if len(files) == len(recording.files) else replace(recording, files=files)
        )
    return replace(listing, recordings=tuple(kept))


def _stamp(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) else None
