"""Run a sync: lock, list, plan, fetch file after file, and report what happened.

A file that fails is marked and the run goes on; the camera going away, the disk limit, a
rejected login or a destination that cannot be written end the run. The report always says which.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Container, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
import logging
import shutil

from .archive import Archive
from .backoff import FailureBook
from .camera import CameraClient
from .deletions import without_deleted
from .disk import DiskGuard, DiskUsageSource
from .errors import CamsyncError, FileTransferError, Outcome
from .files import run_io
from .lock import destination_lock
from .models import FailedFile, Listing, Progress, SavedFile, SyncOptions, SyncReport
from .plan import Plan, PlannedFile, make_plan
from .transfer import fetch_file

_LOGGER = logging.getLogger(__name__)

type Clock = Callable[[], datetime]
type ProgressListener = Callable[[Progress], None]
type SavedListener = Callable[[SavedFile], None]


def utc_now() -> datetime:
    """Return the current time, aware, in UTC."""
    return datetime.now(UTC)


@dataclass(slots=True)
class SyncHooks:
    """Optional callbacks a caller gets during a run."""

    on_progress: ProgressListener | None = None
    on_saved: SavedListener | None = None
    on_plan: Callable[[Plan], None] | None = None
    on_listing: Callable[[Listing], None] | None = None


@dataclass(frozen=True, slots=True)
class Known:
    """What the caller already knows, so a run neither lists the camera nor walks the archive.

    ``listing``: a listing taken moments ago (None: list the camera). ``archived``: the names in
    the recordings tree, from an index kept current (None: scan the tree). ``deleted``: names the
    user deleted, not to be fetched again.
    """

    listing: Listing | None = None
    archived: Container[str] | None = None
    deleted: Container[str] = frozenset()


@dataclass(slots=True)
class _Tracker:
    """Counts bytes and files as they arrive and tells the listener."""

    total_files: int
    total_bytes: int
    listener: ProgressListener | None
    done_files: int = 0
    done_bytes: int = 0
    current: str | None = None
    in_flight: dict[str, int] = field(default_factory=dict)

    def publish(self) -> None:
        if self.listener is not None:
            self.listener(
                Progress(
                    self.total_files,
                    self.done_files,
                    self.total_bytes,
                    self.done_bytes,
                    self.current,
                )
            )

    def counter(self, planned: PlannedFile) -> Callable[[int], None]:
        name = planned.file.name
        self.in_flight[name] = 0
        self.current = name

        def count(received: int) -> None:
            self.in_flight[name] += received
            self.done_bytes += received
            self.publish()

        return count

    def finish(self, planned: PlannedFile, size: int | None) -> None:
        received = self.in_flight.pop(planned.file.name, 0)
        if size is not None:
            stated = planned.file.size
            # A resumed file counts as wholly done; a file of unknown size adds its size now.
            self.done_bytes += size - received
            if stated is None:
                self.total_bytes += size
        self.done_files += 1
        self.publish()


async def run_sync(
    client: CameraClient,
    archive: Archive,
    options: SyncOptions,
    *,
    holder: str = "camsync",
    since: datetime | None = None,
    disk_usage: DiskUsageSource = shutil.disk_usage,
    clock: Clock = utc_now,
    hooks: SyncHooks | None = None,
    known: Known | None = None,
) -> SyncReport:
    """Download what is new on the camera into the archive and return a report.

    Cancelling the task stops after keeping the current partial; the report is then not returned.
    """
    report = SyncReport(started=clock())
    try:
        async with destination_lock(archive.state_dir, holder):
            await run_io(archive.ensure_writable)
            book: FailureBook = await run_io(FailureBook.load, archive.state_dir)
            run = _Run(client, archive, options, book, report, clock, hooks or SyncHooks())
            try:
                await run.sync(
                    since,
                    DiskGuard(archive.destination, options.disk_limit_percent, disk_usage),
                    known or Known(),
                )
            finally:
                await asyncio.shield(run_io(book.save))
    except CamsyncError as err:
        report.outcome = err.outcome
        report.message = str(err)
    except asyncio.CancelledError:
        report.outcome = Outcome.CANCELLED
        raise
    finally:
        report.finished = clock()
        _log_report(report)
    return report


async def _list_and_plan(
    client: CameraClient,
    archive: Archive,
    options: SyncOptions,
    book: FailureBook,
    since: datetime | None,
    clock: Clock,
    known: Known,
) -> tuple[Listing, Plan]:
    listing = known.listing
    if listing is None:
        listing = await client.async_list_recordings(since=since)
    archived = known.archived
    if archived is None:
        archived = await run_io(archive.scan, client.recorded_at)
    wanted = await run_io(without_deleted, listing, known.deleted)
    plan = await run_io(make_plan, wanted, archived, book, options, clock())
    return listing, plan


@dataclass(slots=True)
class _Run:
    """The state of one run while it fetches."""

    client: CameraClient
    archive: Archive
    options: SyncOptions
    book: FailureBook
    report: SyncReport
    clock: Clock
    hooks: SyncHooks
    failed_videos: set[str] = field(default_factory=set)

    async def sync(self, since: datetime | None, guard: DiskGuard, known: Known) -> None:
        """List (unless ``known`` has a listing), plan and fetch."""
        listing, plan = await _list_and_plan(
            self.client, self.archive, self.options, self.book, since, self.clock, known
        )
        self._note_plan(listing, plan)
        tracker = _Tracker(len(plan.files), plan.known_bytes, self.hooks.on_progress)
        tracker.publish()
        queue = iter(plan.files)
        workers = max(1, self.options.concurrency)
        if workers == 1:
            await self._work(queue, guard, tracker)
            return
        try:
            async with asyncio.TaskGroup() as group:
                for _ in range(workers):
                    group.create_task(self._work(queue, guard, tracker))
        except* CamsyncError as errors:
            raise errors.exceptions[0] from None

    def _note_plan(self, listing: Listing, plan: Plan) -> None:
        report = self.report
        report.listed = len(listing.recordings)
        report.skipped_listing = listing.skipped
        report.filtered = plan.filtered
        report.planned = len(plan.files)
        report.backed_off = list(plan.backed_off)
        if listing.skipped:
            _LOGGER.info(
                "Skipped %d listing entries from %s that are not recordings, e.g. %s",
                listing.skipped,
                self.client.host,
                ", ".join(repr(sample) for sample in listing.skipped_samples[:3]),
            )
        if self.hooks.on_listing is not None:
            self.hooks.on_listing(listing)
        if self.hooks.on_plan is not None:
            self.hooks.on_plan(plan)

    async def _work(
        self, queue: Iterator[PlannedFile], guard: DiskGuard, tracker: _Tracker
    ) -> None:
        for planned in queue:
            if planned.recording.name in self.failed_videos:
                tracker.finish(planned, None)
                continue  # no sidecars without their video
            await guard.check(planned.file.size)
            await self._fetch(planned, guard, tracker)

    async def _fetch(self, planned: PlannedFile, guard: DiskGuard, tracker: _Tracker) -> None:
        recording, file = planned.recording, planned.file
        final = self.archive.final_path(file.name, recording.start)
        try:
            result = await fetch_file(
                self.client,
                file,
                self.archive,
                final,
                guard=guard,
                chunk_size=self.options.chunk_size,
                on_bytes=tracker.counter(planned),
            )
        except FileTransferError as err:
            tracker.finish(planned, None)
            self._record_failure(planned, err)
            if file.name == recording.name:
                self.failed_videos.add(recording.name)
            return
        self.book.record_success(file.name)
        tracker.finish(planned, result.size)
        self.report.bytes_received += result.size - result.resumed_from
        saved = SavedFile(
            name=file.name,
            path=str(result.path),
            role=file.role,
            size=result.size,
            recorded=recording.start,
            kind=recording.kind,
            channel=recording.channel,
            event=recording.event,
            resumed_from=result.resumed_from,
        )
        self.report.saved.append(saved)
        _LOGGER.debug(
            "Saved %s (%d bytes, resumed from %d)", final, result.size, result.resumed_from
        )
        if self.hooks.on_saved is not None:
            self.hooks.on_saved(saved)

    def _record_failure(self, planned: PlannedFile, err: FileTransferError) -> None:
        now = self.clock()
        if err.reason == "not_found" and not planned.file.required:
            self.book.record_absent(planned.file.name, now)
            self.report.absent.append(planned.file.name)
            return
        self.book.record_failure(planned.file.name, err.reason, now, progressed=err.progressed)
        self.report.failed.append(FailedFile(planned.file.name, err.reason, err.detail))
        _LOGGER.info("Could not fetch %s: %s", planned.file.name, err)


def _log_report(report: SyncReport) -> None:
    level = (
        logging.DEBUG if report.outcome in (Outcome.COMPLETED, Outcome.OFFLINE) else logging.INFO
    )
    _LOGGER.log(
        level,
        "Sync %s: %d files saved (%d bytes received), %d failed, %d backed off%s",
        report.outcome.value,
        len(report.saved),
        report.bytes_received,
        len(report.failed),
        len(report.backed_off),
        f": {report.message}" if report.message else "",
    )
