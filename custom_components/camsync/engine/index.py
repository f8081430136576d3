"""The archive index: what a destination holds, in memory, kept current without walking the disk.

A full scan (blocking: the executor) builds it at start-up and at most hourly after that; saves,
prunes and deletions update it one file at a time, and it keeps its totals as it goes, so the
archive's facts cost nothing to read. A scan that runs while files are saved loses none of them:
what changes during a scan is applied again on top of the scan's result.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, ValuesView
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from .archive import ArchivedFile, ArchiveTree

IMAGE_SUFFIXES = (".jpg", ".thm")


def _age_key(item: ArchivedFile) -> tuple[datetime, str]:
    return item.recorded, item.name


def is_image(name: str) -> bool:
    """Return True for a file the camera entity can show (a snapshot or a thumbnail)."""
    return name.lower().endswith(IMAGE_SUFFIXES)


class TreeIndex(Mapping[str, ArchivedFile]):
    """The files of one archive tree by name, with their count, bytes and newest file.

    Adding and removing are O(1); removing the newest file makes the next read of ``newest``
    look through the tree once.
    """

    def __init__(self, tree: ArchiveTree) -> None:
        """Start empty."""
        self.tree = tree
        self._files: dict[str, ArchivedFile] = {}
        self._bytes = 0
        self._newest: ArchivedFile | None = None
        self._newest_image: ArchivedFile | None = None
        self._stale = False
        self._added: dict[str, ArchivedFile] | None = None  # while a scan runs
        self._removed: set[str] | None = None

    def __getitem__(self, name: str) -> ArchivedFile:
        """Return the archived file of that name."""
        return self._files[name]

    def __iter__(self) -> Iterator[str]:
        """Iterate over the names."""
        return iter(self._files)

    def __len__(self) -> int:
        """Return the number of files."""
        return len(self._files)

    def __contains__(self, name: object) -> bool:
        """Return True when a file of that name is archived (O(1))."""
        return name in self._files

    def get(self, name: str, default: ArchivedFile | None = None) -> ArchivedFile | None:  # type: ignore[override]
        """Return the archived file of that name, else ``default`` (the dict's own lookup)."""
        return self._files.get(name, default)

    def values(self) -> ValuesView[ArchivedFile]:
        """Return the archived files (the dict's own view: browsing reads thousands)."""
        return self._files.values()

    @property
    def bytes(self) -> int:
        """Return the size of every file together."""
        return self._bytes

    @property
    def newest(self) -> ArchivedFile | None:
        """Return the most recently recorded file."""
        self._refresh()
        return self._newest

    @property
    def newest_image(self) -> ArchivedFile | None:
        """Return the most recently recorded snapshot or thumbnail."""
        self._refresh()
        return self._newest_image

    def add(self, item: ArchivedFile) -> None:
        """Record a file that reached the archive (replacing one of the same name)."""
        self._put(item)
        if self._added is not None and self._removed is not None:
            self._added[item.name] = item
            self._removed.discard(item.name)

    def discard(self, name: str) -> ArchivedFile | None:
        """Forget a file that left the archive; return it, None when it was not indexed."""
        item = self._drop(name)
        if self._added is not None and self._removed is not None:
            self._added.pop(name, None)
            self._removed.add(name)
        return item

    def older_than(self, cutoff: datetime) -> list[ArchivedFile]:
        """Return the files recorded before ``cutoff``, oldest first."""
        return sorted(
            (item for item in self._files.values() if item.recorded < cutoff), key=_age_key
        )

    def begin_scan(self) -> None:
        """Start noting changes, so a scan's result can be brought up to date."""
        self._added, self._removed = {}, set()

    def abort_scan(self) -> None:
        """Stop noting changes: the scan failed, the contents stay as they are."""
        self._added = self._removed = None

    def finish_scan(self, scanned: Mapping[str, ArchivedFile]) -> set[str]:
        """Replace the contents with a scan's result plus what changed meanwhile.

        Return the names saved while the scan ran (they may be missing from ``scanned``).
        """
        added, removed = self._added or {}, self._removed or set()
        self._added = self._removed = None
        self._files, self._bytes = {}, 0
        self._newest = self._newest_image = None
        self._stale = False
        for item in scanned.values():
            if item.name not in removed:
                self._put(item)
        for item in added.values():
            self._put(item)
        return set(added)

    def _put(self, item: ArchivedFile) -> None:
        self._drop(item.name)
        self._files[item.name] = item
        self._bytes += item.size
        if not self._stale:
            if self._newest is None or _age_key(item) > _age_key(self._newest):
                self._newest = item
            if is_image(item.name) and (
                self._newest_image is None or _age_key(item) > _age_key(self._newest_image)
            ):
                self._newest_image = item

    def _drop(self, name: str) -> ArchivedFile | None:
        item = self._files.pop(name, None)
        if item is None:
            return None
        self._bytes -= item.size
        if item is self._newest or item is self._newest_image:
            self._stale = True
        return item

    def _refresh(self) -> None:
        if not self._stale:
            return
        files = self._files.values()
        self._newest = max(files, key=_age_key, default=None)
        self._newest_image = max(
            (item for item in files if is_image(item.name)), key=_age_key, default=None
        )
        self._stale = False


@dataclass(frozen=True, slots=True)
class ArchiveTotals:
    """The archive's facts as the index knows them (no disk access)."""

    files: int
    bytes: int
    newest_capture: datetime | None
    newest_image: Path | None


class ArchiveIndex:
    """The index of a destination: its recordings, snapshot and (optionally) timelapse trees."""

    def __init__(
        self,
        recordings: ArchiveTree,
        snapshots: ArchiveTree,
        timelapses: ArchiveTree | None = None,
    ) -> None:
        """Start empty; :meth:`scan` fills it."""
        self.recordings = TreeIndex(recordings)
        self.snapshots = TreeIndex(snapshots)
        self.timelapses = TreeIndex(timelapses) if timelapses is not None else None

    @property
    def trees(self) -> tuple[TreeIndex, ...]:
        """Return the tree indexes: recordings, snapshots, then timelapses when indexed."""
        if self.timelapses is None:
            return self.recordings, self.snapshots
        return self.recordings, self.snapshots, self.timelapses

    def totals(self) -> ArchiveTotals:
        """Return the counts and bytes of every tree, and the newest capture and image.

        A timelapse is made from snapshots, not captured: it is no capture of its own.
        """
        captures = (self.recordings, self.snapshots)
        newest = [item for tree in captures if (item := tree.newest) is not None]
        images = [item for tree in captures if (item := tree.newest_image) is not None]
        newest_image = max(images, key=_age_key, default=None)
        return ArchiveTotals(
            files=sum(len(tree) for tree in self.trees),
            bytes=sum(tree.bytes for tree in self.trees),
            newest_capture=max((item.recorded for item in newest), default=None),
            newest_image=newest_image.path if newest_image else None,
        )

    def begin_scan(self) -> None:
        """Note changes from now on (see :meth:`TreeIndex.begin_scan`)."""
        for tree in self.trees:
            tree.begin_scan()

    def abort_scan(self) -> None:
        """Stop noting changes after a failed scan."""
        for tree in self.trees:
            tree.abort_scan()

    def finish_scan(self, scanned: Iterable[Mapping[str, ArchivedFile]]) -> set[str]:
        """Apply one scan result per tree; return the names saved while it ran."""
        saved: set[str] = set()
        for tree, result in zip(self.trees, scanned, strict=True):
            saved |= tree.finish_scan(result)
        return saved


def scan_trees(trees: Iterable[ArchiveTree]) -> list[dict[str, ArchivedFile]]:
    """Walk each tree once and return its recognised files by name (blocking)."""
    return [tree.archive.scan(tree.recognise).files for tree in trees]
