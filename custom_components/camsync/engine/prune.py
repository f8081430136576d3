"""Retention: delete archived files recorded before a cutoff, and tidy the folders they leave.

Only files camsync recognises as its own (by their name) are ever deleted, and only inside the
archive's root; a folder goes only when deleting emptied it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
import logging
from pathlib import Path

from .archive import Archive, ArchivedFile, ArchiveTree, Recognise
from .backoff import FailureBook
from .files import remove_file
from .models import PruneReport

_LOGGER = logging.getLogger(__name__)


def prune(
    trees: Iterable[ArchiveTree],
    cutoff: datetime,
    *,
    dry_run: bool = False,
    indexed: Sequence[Iterable[ArchivedFile]] | None = None,
    keep: Callable[[ArchivedFile], bool] | None = None,
) -> PruneReport:
    """Delete (or, in a dry run, list) files recorded before ``cutoff`` (blocking).

    ``indexed`` gives each tree's files from an index kept current, so no tree is walked.
    ``keep`` (the mirrors' prune guard) spares files it returns True for: files a mirror still
    lacks. It is called from this (executor) thread.
    """
    deleted: list[str] = []
    kept: list[str] = []
    folders: list[str] = []
    times: list[datetime] = []
    size = 0
    state_dirs: set[Path] = set()
    for position, tree in enumerate(trees):
        archive = tree.archive
        state_dirs.add(archive.state_dir)
        files = (
            indexed[position]
            if indexed is not None
            else archive.scan(tree.recognise).files.values()
        )
        old = sorted(
            (item for item in files if item.recorded < cutoff),
            key=lambda item: (item.recorded, item.name),
        )
        if keep is not None:
            remaining: list[ArchivedFile] = []
            for item in old:
                if keep(item):
                    kept.append(str(item.path))
                else:
                    remaining.append(item)
            old = remaining
        for item in old:
            deleted.append(str(item.path))
            times.append(item.recorded)
            size += item.size
            if not dry_run:
                remove_file(item.path)
        if not dry_run:
            folders.extend(_remove_emptied({item.path.parent for item in old}, archive.root))
            _drop_stale_partials(archive, tree.recognise, cutoff)
    if not dry_run:
        for state_dir in state_dirs:
            book = FailureBook.load(state_dir)
            book.forget_before(cutoff)
            book.save()
    if deleted:
        _LOGGER.info(
            "%s %d files (%d bytes) recorded before %s",
            "Would delete" if dry_run else "Deleted",
            len(deleted),
            size,
            cutoff.isoformat(),
        )
    if kept:
        _LOGGER.info("Kept %d files older than %s for the mirrors", len(kept), cutoff.isoformat())
    return PruneReport(
        cutoff,
        dry_run,
        tuple(deleted),
        size,
        tuple(folders),
        oldest=min(times, default=None),
        newest=max(times, default=None),
        kept=tuple(kept),
    )


def _remove_emptied(folders: set[Path], root: Path) -> list[str]:
    """Remove the given folders (and then their parents) while they are empty, up to ``root``."""
    removed: list[str] = []
    for folder in sorted(folders, key=lambda path: len(path.parts), reverse=True):
        current = folder
        while current != root and current.is_relative_to(root):
            try:
                current.rmdir()
            except OSError:
                break  # not empty (or already gone): leave it
            removed.append(str(current))
            current = current.parent
    return removed


def _drop_stale_partials(archive: Archive, recognise: Recognise, cutoff: datetime) -> None:
    """Delete partial downloads of files that retention would delete anyway."""
    for name in archive.scan_partials():
        recorded = recognise(name)
        if recorded is not None and recorded < cutoff:
            remove_file(archive.partial_path(name))
