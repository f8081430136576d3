"""The archive as a catalogue to browse: per tree, its days and each day's files, newest first.

Everything is read from the index (no walk). What a recording's name says (its kind, triggers,
direction, thumbnail sidecar) is asked of the camera's client once per name and remembered. A
listing walks a copy of the tree's index, so the Home Assistant layer can run it in the executor.
Only what a person watches is listed: videos, snapshots and timelapses; a video's thumbnail
sidecar comes with it, its GPS and G-sensor files are not shown.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from datetime import date, datetime

from .archive import ArchivedFile
from .index import ArchiveIndex, TreeIndex
from .models import FileFacts, FileRole

RECORDINGS = "recordings"
SNAPSHOTS = "snapshots"
TIMELAPSES = "timelapses"
TREES = (RECORDINGS, SNAPSHOTS, TIMELAPSES)

_SNAPSHOT = FileFacts(role=FileRole.SNAPSHOT, kind="snapshot")
_TIMELAPSE = FileFacts(role=FileRole.TIMELAPSE, kind="timelapse")
_SHOWN = {FileRole.VIDEO, FileRole.SNAPSHOT, FileRole.TIMELAPSE}

type Describe = Callable[[str], FileFacts | None]


@dataclass(frozen=True, slots=True)
class CatalogItem:
    """One archived file as a person browses it."""

    tree: str
    file: ArchivedFile
    facts: FileFacts
    thumbnail: ArchivedFile | None = None
    """The image the camera made for it (a BlackVue ``.thm``), when archived."""

    @property
    def name(self) -> str:
        """Return the file's name (unique in the destination)."""
        return self.file.name

    @property
    def recorded(self) -> datetime:
        """Return when it was recorded (the camera's local time)."""
        return self.file.recorded

    @property
    def day(self) -> date:
        """Return the day it was recorded on, as the camera's clock saw it."""
        return self.file.recorded.date()

    @property
    def shown(self) -> bool:
        """Return True for what a person watches (not a sidecar)."""
        return self.facts.role in _SHOWN


type Match = Callable[[FileFacts], bool]
"""Which files a view shows, by what their names say."""


def _newest_first(item: CatalogItem) -> tuple[datetime, str]:
    return item.recorded, item.name


def _age(file: ArchivedFile) -> tuple[datetime, str]:
    return file.recorded, file.name


class Catalog:
    """Browsable views of one destination's index.

    A listing walks the tree's files once and builds an item only for what it returns, so the
    days of 10,000 recordings cost a few milliseconds (``scripts/bench --only media``).
    """

    def __init__(self, index: ArchiveIndex, describe: Describe) -> None:
        """Read ``index``; ``describe`` reads a recording's name (the camera client's)."""
        self.index = index
        self._describe = describe
        self._facts: dict[str, FileFacts | None] = {}

    def tree(self, tree: str) -> TreeIndex | None:
        """Return the index of a tree by its name, None for an unknown one."""
        if tree == RECORDINGS:
            return self.index.recordings
        if tree == SNAPSHOTS:
            return self.index.snapshots
        if tree == TIMELAPSES:
            return self.index.timelapses
        return None

    def facts(self, tree: str, name: str) -> FileFacts | None:
        """Return what a file's name says (remembered: names never change)."""
        if tree == SNAPSHOTS:
            return _SNAPSHOT
        if tree == TIMELAPSES:
            return _TIMELAPSE
        if name not in self._facts:
            if len(self._facts) > 2 * len(self.index.recordings) + 1000:
                self._facts.clear()  # names that left the archive
            self._facts[name] = self._describe(name)
        return self._facts[name]

    def item(self, tree: str, name: str) -> CatalogItem | None:
        """Return one archived file, None when the tree holds no file of that name."""
        index = self.tree(tree)
        if index is None or (file := index.get(name)) is None:
            return None
        facts = self.facts(tree, name)
        return None if facts is None else self._item(tree, index, file, facts)

    @staticmethod
    def _item(tree: str, index: TreeIndex, file: ArchivedFile, facts: FileFacts) -> CatalogItem:
        thumbnail = index.get(facts.thumbnail) if facts.thumbnail else None
        return CatalogItem(tree, file, facts, thumbnail)

    def _shown(self, tree: str, match: Match | None) -> Iterator[tuple[ArchivedFile, FileFacts]]:
        """Yield the files a person watches in ``tree`` (that ``match``), with their facts."""
        index = self.tree(tree)
        if index is None:
            return
        memo, facts_of = self._facts, self.facts
        fixed = {SNAPSHOTS: _SNAPSHOT, TIMELAPSES: _TIMELAPSE}.get(tree)
        # A copy (made at once, under the GIL): the executor walks it while the loop may add.
        for file in list(index.values()):
            facts = fixed or memo.get(file.name) or facts_of(tree, file.name)
            if facts is not None and facts.role in _SHOWN and (match is None or match(facts)):
                yield file, facts

    def items(self, tree: str, match: Match | None = None) -> Iterator[CatalogItem]:
        """Yield the files a person watches in ``tree`` (that ``match``), in no order."""
        index = self.tree(tree)
        if index is not None:
            for file, facts in self._shown(tree, match):
                yield self._item(tree, index, file, facts)

    def any(self, tree: str, match: Match | None = None) -> bool:
        """Return True when ``tree`` has a file to show (that ``match``)."""
        return next(self._shown(tree, match), None) is not None

    def days(self, tree: str, match: Match | None = None) -> list[date]:
        """Return the days with files (that ``match``), newest first."""
        return sorted({file.recorded.date() for file, _ in self._shown(tree, match)}, reverse=True)

    def newest_by_day(self, tree: str, match: Match | None = None) -> list[CatalogItem]:
        """Return the newest file of each day with files (that ``match``), newest day first."""
        index = self.tree(tree)
        if index is None:
            return []
        newest: dict[date, tuple[ArchivedFile, FileFacts]] = {}
        for file, facts in self._shown(tree, match):
            day = file.recorded.date()
            known = newest.get(day)
            if known is None or _age(file) > _age(known[0]):
                newest[day] = (file, facts)
        return [
            self._item(tree, index, file, facts)
            for _, (file, facts) in sorted(newest.items(), reverse=True)
        ]

    def newest_by_kind(self) -> dict[str, CatalogItem]:
        """Return the newest recording of each kind and trigger the archive holds."""
        newest: dict[str, tuple[ArchivedFile, FileFacts]] = {}
        for file, facts in self._shown(RECORDINGS, None):
            for kind in (facts.kind, *facts.tags):
                known = newest.get(kind)
                if known is None or _age(file) > _age(known[0]):
                    newest[kind] = (file, facts)
        index = self.index.recordings
        return {kind: self._item(RECORDINGS, index, *pair) for kind, pair in newest.items()}

    def on_day(self, tree: str, day: date, match: Match | None = None) -> list[CatalogItem]:
        """Return the files of one day (that ``match``), newest first."""
        index = self.tree(tree)
        if index is None:
            return []
        chosen = [
            self._item(tree, index, file, facts)
            for file, facts in self._shown(tree, match)
            if file.recorded.date() == day
        ]
        return sorted(chosen, key=_newest_first, reverse=True)

    def newest(self, tree: str, match: Match | None = None) -> list[CatalogItem]:
        """Return every file of ``tree`` (that ``match``), newest first."""
        return sorted(self.items(tree, match), key=_newest_first, reverse=True)

    def by_stem(self, tree: str, stems: Collection[str]) -> dict[str, list[CatalogItem]]:
        """Return the files to show whose names begin with one of ``stems``, by stem, oldest first.

        One walk of the tree. A trip names its recordings by their ``.gps`` stem
        (``YYYYMMDD_HHMMSS_T``); their videos are that stem and a direction (front and rear).
        """
        wanted = set(stems)
        lengths = sorted({len(stem) for stem in wanted})
        index = self.tree(tree)
        found: dict[str, list[CatalogItem]] = {}
        if index is None or not wanted:
            return found
        for file, facts in self._shown(tree, None):
            stem = next(
                (file.name[:length] for length in lengths if file.name[:length] in wanted), None
            )
            if stem is not None:
                found.setdefault(stem, []).append(self._item(tree, index, file, facts))
        for items in found.values():
            items.sort(key=_newest_first)
        return found

    def kinds(self) -> set[str]:
        """Return every kind and trigger the archived recordings carry."""
        found: set[str] = set()
        for _, facts in self._shown(RECORDINGS, None):
            found.add(facts.kind)
            found |= facts.tags
        return found
