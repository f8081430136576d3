"""Plan a sync: what the camera lists, minus what is archived, backed off or filtered out.

Linear in the listing apart from one sort by priority, of the recordings that still have
something to fetch (on an idle camera, none).
"""

from __future__ import annotations

from collections.abc import Container, Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from operator import attrgetter

from .backoff import FailureBook
from .context import order_with_context
from .models import FileRole, Listing, Priority, Recording, RemoteFile, SyncOptions


@dataclass(frozen=True, slots=True)
class PlannedFile:
    """One file to fetch, with the recording it belongs to.

    ``owners`` names the videos of this plan a sidecar is worth fetching for: it is fetched only
    once one of them is saved (empty: fetch it anyway, as its video is already archived).
    Sidecars shared by several videos (a BlackVue front and rear share ``.gps`` and ``.3gf``)
    belong to the recording, so any of its videos will do.
    """

    recording: Recording
    file: RemoteFile
    owners: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Plan:
    """The files to fetch, in order, and what was left out."""

    files: tuple[PlannedFile, ...]
    recordings: int
    known_bytes: int
    unknown_sizes: int
    filtered: int
    backed_off: tuple[str, ...]
    stable_until: datetime | None = None
    """Until when the same inputs give the same plan: the first back-off that ends, or the first
    recording that ages out of the window (None: until the inputs change)."""

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


_BY_NAME = attrgetter("name")
_BY_START = attrgetter("start")


def _event_rank(recording: Recording) -> tuple[bool, int]:
    return not recording.event, recording.rank


def _sort(recordings: list[Recording], priority: Priority) -> None:
    """Order by priority, then by name; stable sorts, least significant key first.

    Several passes with plain keys cost less than one with a tuple key built per recording.
    """
    recordings.sort(key=_BY_NAME)
    if priority is Priority.OLDEST_FIRST:
        recordings.sort(key=_BY_START)
        return
    recordings.sort(key=_BY_START, reverse=True)  # reverse=True keeps equal keys in order
    if priority is not Priority.NEWEST_FIRST:
        recordings.sort(key=_event_rank)


def _settled(recording: Recording, archived: Container[str], sidecars: bool) -> bool:
    """Return True when nothing of the recording can be planned: what it has is archived.

    Such a recording plays no part in the plan (an archived video is never checked for
    back-off, an archived sidecar never planned), so it is left out before the sort.
    """
    files = recording.files
    if not files:
        return True
    if files[0].name not in archived:
        return False
    if not sidecars:
        return True
    return all(file.name in archived for file in files)


def make_plan(
    listing: Listing,
    archived: Container[str],
    book: FailureBook,
    options: SyncOptions,
    now: datetime,
) -> Plan:
    """Return what to download now, in priority order (each event's context right after it).

    A video comes first and its own sidecars follow it; a sidecar several videos share follows
    the last of them that is planned, so it is fetched once whichever of them arrives.
    """
    if options.kinds is None and options.channels is None and options.max_age is None:
        kept = list(listing.recordings)
    else:
        kept = [rec for rec in listing.recordings if wanted(rec, options, now)]
    if options.event_context is not None:
        # An event's context may be of a kind the filter leaves out (events only): it is
        # fetched all the same, right after its event.
        _sort(kept, options.priority)
        unfiltered = replace(options, kinds=None)
        pool = [rec for rec in listing.recordings if wanted(rec, unfiltered, now)]
        kept = order_with_context(kept, options.event_context, pool)
    filtered = len(listing.recordings) - len(kept)
    stable_until = None
    if options.max_age is not None and kept:
        stable_until = min(rec.start for rec in kept) + options.max_age  # the first to age out
    kept = [rec for rec in kept if not _settled(rec, archived, options.sidecars)]
    if options.event_context is None:
        _sort(kept, options.priority)  # fewer to sort once the settled ones are gone
    planned_videos: set[str] = set()
    seen: set[str] = set()
    backed_off: list[str] = []
    # Which video can make each sidecar worth having: archived ones make it unconditional.
    sidecar_owners: dict[str, list[str]] = {}
    unconditional: set[str] = set()
    for recording in kept:
        video, *sidecars = recording.files or (None,)
        if video is None:
            continue
        video_state = _video_state(video, archived, book, options, now, seen, backed_off)
        if video_state == "planned":
            planned_videos.add(video.name)
        for file in sidecars:
            if file is None or (not options.sidecars and file.role is not FileRole.VIDEO):
                continue
            if video_state == "archived":
                unconditional.add(file.name)
            elif video_state == "planned":
                sidecar_owners.setdefault(file.name, []).append(video.name)
    last_owner = {name: owners[-1] for name, owners in sidecar_owners.items()}
    files: list[PlannedFile] = []
    recordings = known_bytes = unknown_sizes = 0
    for recording in kept:
        planned_here: list[PlannedFile] = []
        video, *sidecars = recording.files or (None,)
        if video is not None and video.name in planned_videos:
            planned_videos.discard(video.name)  # a video listed twice is planned once
            planned_here.append(PlannedFile(recording, video))
        for file in sidecars:
            if file is None or file.name in seen:
                continue
            if file.name in unconditional:
                owners: tuple[str, ...] = ()
            elif video is not None and last_owner.get(file.name) == video.name:
                owners = tuple(sidecar_owners[file.name])
            else:
                continue
            seen.add(file.name)
            if file.name in archived or book.is_absent(file.name):
                continue
            if book.is_backed_off(file.name, now, options.retry_base, options.retry_max):
                backed_off.append(file.name)
                continue
            planned_here.append(PlannedFile(recording, file, owners))
        for planned in planned_here:
            if planned.file.size is None:
                unknown_sizes += 1
            else:
                known_bytes += planned.file.size
        files.extend(planned_here)
        recordings += bool(planned_here)
    return Plan(
        files=tuple(files),
        recordings=recordings,
        known_bytes=known_bytes,
        unknown_sizes=unknown_sizes,
        filtered=filtered,
        backed_off=tuple(backed_off),
        stable_until=_earliest(
            stable_until,
            (book.retry_at(name, options.retry_base, options.retry_max) for name in backed_off),
        ),
    )


def _earliest(first: datetime | None, others: Iterable[datetime | None]) -> datetime | None:
    moments = [moment for moment in (first, *others) if moment is not None]
    return min(moments, default=None)


def _video_state(
    video: RemoteFile,
    archived: Container[str],
    book: FailureBook,
    options: SyncOptions,
    now: datetime,
    seen: set[str],
    backed_off: list[str],
) -> str:
    """Return whether a recording's video is "archived", "planned" or "skipped" this time."""
    if video.name in archived:
        return "archived"
    if video.name in seen:
        return "skipped"
    seen.add(video.name)
    if book.is_absent(video.name):
        return "skipped"
    if book.is_backed_off(video.name, now, options.retry_base, options.retry_max):
        backed_off.append(video.name)
        return "skipped"
    return "planned"
