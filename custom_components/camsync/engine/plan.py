"""Plan a sync: what the camera lists, minus what is archived, backed off or filtered out.

Linear in the listing apart from one sort by priority.
"""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass
from datetime import datetime

from .backoff import FailureBook
from .models import FileRole, Listing, Priority, Recording, RemoteFile, SyncOptions


@dataclass(frozen=True, slots=True)
class PlannedFile:
    """One file to fetch, with the recording it belongs to."""

    recording: Recording
    file: RemoteFile


@dataclass(frozen=True, slots=True)
class Plan:
    """The files to fetch, in order, and what was left out."""

    files: tuple[PlannedFile, ...]
    recordings: int
    known_bytes: int
    unknown_sizes: int
    filtered: int
    backed_off: tuple[str, ...]

    @property
    def empty(self) -> bool:
        """Return True when there is nothing to fetch."""
        return not self.files


def wanted(recording: Recording, options: SyncOptions, now: datetime) -> bool:
    """Return True when the filters keep ``recording``."""
    if options.kinds is not None and not (
        recording.kind in options.kinds or recording.tags & options.kinds
    ):
        return False
    if options.channels is not None and recording.channel not in options.channels:
        return False
    return options.max_age is None or recording.start >= now - options.max_age


def _order_key(priority: Priority) -> object:
    if priority is Priority.NEWEST_FIRST:
        return lambda rec: (-rec.start.timestamp(), rec.name)
    if priority is Priority.OLDEST_FIRST:
        return lambda rec: (rec.start.timestamp(), rec.name)
    return lambda rec: (not rec.event, rec.rank, -rec.start.timestamp(), rec.name)


def make_plan(
    listing: Listing,
    archived: Container[str],
    book: FailureBook,
    options: SyncOptions,
    now: datetime,
) -> Plan:
    """Return what to download now, in priority order."""
    kept = [rec for rec in listing.recordings if wanted(rec, options, now)]
    kept.sort(key=_order_key(options.priority))  # type: ignore[arg-type]
    files: list[PlannedFile] = []
    seen: set[str] = set()
    backed_off: list[str] = []
    recordings = known_bytes = unknown_sizes = 0
    for recording in kept:
        planned_here = 0
        for file in recording.files:
            if file.name in seen or file.name in archived:
                continue
            if not options.sidecars and file.role is not FileRole.VIDEO:
                continue
            seen.add(file.name)
            if book.is_absent(file.name):
                continue
            if book.is_backed_off(file.name, now, options.retry_base, options.retry_max):
                backed_off.append(file.name)
                continue
            files.append(PlannedFile(recording, file))
            planned_here += 1
            if file.size is None:
                unknown_sizes += 1
            else:
                known_bytes += file.size
        recordings += planned_here > 0
    return Plan(
        files=tuple(files),
        recordings=recordings,
        known_bytes=known_bytes,
        unknown_sizes=unknown_sizes,
        filtered=len(listing.recordings) - len(kept),
        backed_off=tuple(backed_off),
    )
