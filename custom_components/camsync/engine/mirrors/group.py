"""A camera's mirrors together, and the guard that keeps the local prune from outrunning them.

The local prune (``engine.prune.prune(..., keep=guard)``) asks the guard about every file it is
about to delete: the guard keeps a file until every mirror that wants it (the file is inside that
mirror's retention) holds it. A mirror that has not read its listing yet keeps everything. When
the disk limit forces a prune (``force=True``), the guard lets every file go but lists those that
had not reached a mirror, so the HA layer can raise a repair issue.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Protocol

from ..models import SavedFile
from .mirror import Mirror, MirrorSnapshot
from .models import MirrorHealth, MirrorItem, MirrorRunReport


class Archived(Protocol):
    """What the guard needs to know of a file the prune is about to delete."""

    @property
    def path(self) -> Path:
        """Return the file's path."""

    @property
    def size(self) -> int:
        """Return the file's size."""

    @property
    def recorded(self) -> datetime:
        """Return when the file was recorded."""


@dataclass(slots=True)
class LocalPruneGuard:
    """Says which files the local prune must keep; call it from any thread."""

    destination: Path
    mirrors: tuple[MirrorSnapshot, ...]
    force: bool = False
    held_back: list[str] = field(default_factory=list)
    """Files kept because a mirror still lacks them."""
    forced: list[str] = field(default_factory=list)
    """Files deleted (``force``) although a mirror still lacked them: raise a repair issue."""
    forced_from: set[str] = field(default_factory=set)
    """The ids of the mirrors that lacked the ``forced`` files."""

    def __call__(self, file: Archived) -> bool:
        """Return True when ``file`` must be kept."""
        missing = self.missing_from(file)
        if not missing:
            return False
        relative = self._relative(file.path)
        if self.force:
            self.forced.append(relative)
            self.forced_from.update(missing)
            return False
        self.held_back.append(relative)
        return True

    def missing_from(self, file: Archived) -> list[str]:
        """Return the ids of the mirrors that want ``file`` and do not hold it yet."""
        relative = self._relative(file.path)
        missing: list[str] = []
        for mirror in self.mirrors:
            if mirror.cutoff is not None and file.recorded < mirror.cutoff:
                continue  # older than the mirror keeps: it does not want it
            if not mirror.ready or mirror.holds.get(relative) != file.size:
                missing.append(mirror.mirror_id)
        return missing

    def _relative(self, path: Path) -> str:
        try:
            return path.relative_to(self.destination).as_posix()
        except ValueError:
            return path.as_posix()


class MirrorSet:
    """The mirrors of one camera (one archive destination)."""

    def __init__(self, destination: Path, mirrors: Iterable[Mirror] = ()) -> None:
        """Group mirrors of ``destination``."""
        self.destination = destination
        self.mirrors: dict[str, Mirror] = {}
        for mirror in mirrors:
            self.add(mirror)

    def add(self, mirror: Mirror) -> None:
        """Add a mirror (start it with ``start``)."""
        if mirror.destination != self.destination:
            raise ValueError(f"{mirror!r} mirrors {mirror.destination}, not {self.destination}")
        if mirror.mirror_id in self.mirrors:
            raise ValueError(f"mirror {mirror.mirror_id} already exists")
        self.mirrors[mirror.mirror_id] = mirror

    async def remove(self, mirror_id: str) -> None:
        """Stop and forget a mirror (what it copied stays where it is)."""
        mirror = self.mirrors.pop(mirror_id, None)
        if mirror is not None:
            await mirror.stop()

    async def retire(self, mirror_id: str) -> None:
        """Remove a mirror for good: stop it, drop its unfinished uploads and its state."""
        mirror = self.mirrors.pop(mirror_id, None)
        if mirror is not None:
            await mirror.retire()

    async def start(self) -> None:
        """Start every mirror."""
        for mirror in self.mirrors.values():
            await mirror.start()

    async def stop(self) -> None:
        """Stop every mirror."""
        for mirror in self.mirrors.values():
            await mirror.stop()

    def notify_saved(self, saved: SavedFile) -> None:
        """Queue a file the sync saved on every mirror (the sync's ``on_saved`` hook)."""
        for mirror in self.mirrors.values():
            mirror.notify_saved(saved)

    def enqueue(self, item: MirrorItem) -> None:
        """Queue an archived file (a snapshot, a timelapse) on every mirror."""
        for mirror in self.mirrors.values():
            mirror.enqueue(item)

    async def run_now(self, *, wait: bool = False) -> dict[str, MirrorRunReport | None]:
        """Run a pass of every mirror now; with ``wait``, return their reports."""
        ids = list(self.mirrors)
        results = await asyncio.gather(*(self.mirrors[item].run_now(wait=wait) for item in ids))
        return dict(zip(ids, results, strict=True))

    def health(self) -> dict[str, MirrorHealth]:
        """Return every mirror's health."""
        return {mirror_id: mirror.health for mirror_id, mirror in self.mirrors.items()}

    def prune_guard(self, *, force: bool = False, now: datetime | None = None) -> LocalPruneGuard:
        """Return a guard for one local prune (take it on the event loop, use it anywhere)."""
        return LocalPruneGuard(
            self.destination,
            tuple(mirror.snapshot(now) for mirror in self.mirrors.values()),
            force=force,
        )
