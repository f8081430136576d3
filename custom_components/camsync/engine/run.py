"""Run a sync: lock, list, plan, fetch file after file, and report what happened.

A file that fails is marked and the run goes on, whatever went wrong with it: a reset or an HTTP
5xx gets one more try after a short pause, and an unexpected error is one failed file, not the end
of the run. The camera going away, the disk limit, a rejected login, a destination that cannot be
written, or a camera that resets every download end the run. The report always says which.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Container, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
import logging
import shutil

from .archive import Archive
from .backoff import FailureBook
from .camera import CameraClient
from .deletions import without_deleted
from .disk import DiskGuard, DiskUsageSource
from .errors import (
    CamsyncError,
    DownloadsWedgedError,
    FileTransferError,
    Outcome,
    ProtocolError,
)
from .files import run_io
from .lock import destination_lock
from .models import (
    FailedFile,
    FileRole,
    Listing,
    Progress,
    Recording,
    SavedFile,
    SyncOptions,
    SyncReport,
)
from .plan import Plan, PlannedFile, make_plan
from .transfer import FetchResult, fetch_file

_LOGGER = logging.getLogger(__name__)

WEDGED_AFTER = 3
"""Files in a row whose download the camera resets (after their retry) before a run stops."""

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
    in_zone: Callable[[Recording], Awaitable[bool]] | None = None
    """Asked right before each video: True leaves its recording out (made inside a skip zone).

    Asked again at fetch time because what the archive knows of where the car was grows during
    the run (the drives' GPS arrives before the parking recordings in events-first order).
    """


@dataclass(frozen=True, slots=True)
class Known:
    """What the caller already knows, so a run neither lists the camera nor walks the archive.

    ``listing``: a listing taken moments ago (None: list the camera). ``archived``: the names in
    the recordings tree, from an index kept current (None: scan the tree). ``deleted``: names the
    user deleted, not to be fetched again. ``screen``: the caller's last say over the listing
    before it is planned (zone skipping).
    """

    listing: Listing | None = None
    archived: Container[str] | None = None
    deleted: Container[str] = frozenset()
    screen: Callable[[Listing], Awaitable[Listing]] | None = None


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
        self.in_flight.setdefault(name, 0)  # a retry keeps counting where the first try stopped
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
                    DiskGuard(
                        archive.destination,
                        options.disk_limit_percent,
                        disk_usage,
                        keep_free=options.keep_free_bytes,
                    ),
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
    except Exception as err:  # noqa: BLE001 (a bug must not leave the caller without a report)
        _LOGGER.warning("Sync of %s failed unexpectedly: %r", client.host, err)
        _LOGGER.debug("Traceback of the failed sync", exc_info=err)
        report.outcome = Outcome.PROTOCOL_ERROR
        report.message = "an unexpected error in camsync (details in the log)"
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
    if known.screen is not None:
        wanted = await known.screen(wanted)
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
    saved_names: set[str] = field(default_factory=set)
    settled: dict[str, asyncio.Event] = field(default_factory=dict)
    resets_in_a_row: int = 0
    planned_names: set[str] = field(default_factory=set)
    segment_started: datetime | None = None
    videos_in_segment: int = 0
    relisting: bool = False

    async def sync(self, since: datetime | None, guard: DiskGuard, known: Known) -> None:
        """List (unless ``known`` has a listing), plan and fetch.

        A run longer than ``options.relist_after`` lists the camera again between two videos and
        goes on with the new plan, so what was recorded meanwhile (a parking event) is fetched
        in priority order instead of after the whole backlog.
        """
        listing, plan = await _list_and_plan(
            self.client, self.archive, self.options, self.book, since, self.clock, known
        )
        while True:
            self._note_plan(listing, plan)
            await self._fetch_plan(plan, guard)
            if not self.relisting:
                return
            self.relisting = False
            listing, plan = await _list_and_plan(
                self.client,
                self.archive,
                self.options,
                self.book,
                since,
                self.clock,
                replace(known, listing=None),
            )
            _LOGGER.debug(
                "Listed %s again during the sync: %d files to fetch",
                self.client.host,
                len(plan.files),
            )

    async def _fetch_plan(self, plan: Plan, guard: DiskGuard) -> None:
        """Fetch a plan's files (until the run is due to list the camera again)."""
        self.segment_started, self.videos_in_segment = self.clock(), 0
        self.settled = {planned.file.name: asyncio.Event() for planned in plan.files}
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
        report.clock_unset = listing.clock_unset
        report.filtered = plan.filtered
        self.planned_names.update(planned.file.name for planned in plan.files)
        report.planned = len(self.planned_names)
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
            if planned.file.role is FileRole.VIDEO:
                if self._due_to_relist():
                    self.relisting = True
                    self.settled[planned.file.name].set()  # its sidecars, if taken, are skipped
                    return
                if await self._in_zone(planned):
                    self.report.skipped_in_zones += 1
                    tracker.finish(planned, None)
                    self.settled[planned.file.name].set()
                    continue
                self.videos_in_segment += 1
            try:
                if planned.owners and not await self._an_owner_saved(planned):
                    tracker.finish(planned, None)
                    continue  # no sidecars without a video of their recording
                await guard.check(planned.file.size)
                await self._fetch(planned, guard, tracker)
            finally:
                self.settled[planned.file.name].set()

    async def _in_zone(self, planned: PlannedFile) -> bool:
        """Return True when the caller places the video's recording inside a skip zone."""
        return self.hooks.in_zone is not None and await self.hooks.in_zone(planned.recording)

    def _due_to_relist(self) -> bool:
        """Return True when the plan is older than ``relist_after`` (and fetched a video)."""
        after = self.options.relist_after
        if self.relisting:
            return True  # another worker already stopped: all stop
        return (
            after is not None
            and self.segment_started is not None
            and self.videos_in_segment > 0
            and self.clock() - self.segment_started >= after
        )

    async def _an_owner_saved(self, planned: PlannedFile) -> bool:
        """Wait for the sidecar's videos still in flight; return whether one of them was saved."""
        for owner in planned.owners:
            if owner in self.saved_names:
                return True
            event = self.settled.get(owner)
            if event is not None:
                await event.wait()
        return any(owner in self.saved_names for owner in planned.owners)

    async def _fetch(self, planned: PlannedFile, guard: DiskGuard, tracker: _Tracker) -> None:
        """Fetch one file; any failure of that file is recorded, only run-level errors rise."""
        for attempt in range(2):
            try:
                result = await self._fetch_once(planned, guard, tracker)
            except FileTransferError as err:
                if attempt == 0 and _worth_a_retry(err):
                    _LOGGER.debug(
                        "%s: %s; trying again in %g s",
                        planned.file.name,
                        err.reason,
                        self.options.retry_pause,
                    )
                    await asyncio.sleep(self.options.retry_pause)
                    continue
                tracker.finish(planned, None)
                self._record_failure(planned, err)
                return
            self._record_success(planned, result, tracker)
            return

    async def _fetch_once(
        self, planned: PlannedFile, guard: DiskGuard, tracker: _Tracker
    ) -> FetchResult:
        """Fetch one file once; turn whatever goes wrong with it into a FileTransferError."""
        file = planned.file
        try:
            try:
                final = self.archive.final_path(file.name, planned.recording.start)
            except ValueError as err:  # the device client let a name through it should not
                raise FileTransferError(file.name, "bad_name", str(err)) from err
            return await fetch_file(
                self.client,
                file,
                self.archive,
                final,
                guard=guard,
                chunk_size=self.options.chunk_size,
                on_bytes=tracker.counter(planned),
            )
        except FileTransferError:
            raise
        except ProtocolError as err:  # the camera's answer for this one file made no sense
            raise FileTransferError(file.name, "protocol_error", str(err)) from err
        except CamsyncError:
            raise  # offline, disk limit, login refused, destination: the run ends
        except Exception as err:
            _LOGGER.debug("Unexpected error while fetching %r", file.name, exc_info=err)
            raise FileTransferError(
                file.name, "internal_error", f"an unexpected error in camsync: {err}"[:200]
            ) from err

    def _record_success(self, planned: PlannedFile, result: FetchResult, tracker: _Tracker) -> None:
        recording, file = planned.recording, planned.file
        self.book.record_success(file.name)
        self.saved_names.add(file.name)
        self.resets_in_a_row = 0
        tracker.finish(planned, result.size)
        self.report.bytes_received += result.received
        self.report.damaged += bool(result.damaged)
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
            verified=result.verified,
        )
        self.report.saved.append(saved)
        _LOGGER.debug(
            "Saved %s (%d bytes, resumed from %d)", result.path, result.size, result.resumed_from
        )
        if self.hooks.on_saved is not None:
            self.hooks.on_saved(saved)

    def _record_failure(self, planned: PlannedFile, err: FileTransferError) -> None:
        now = self.clock()
        if err.reason == "damaged":
            self.report.damaged += 1
        if err.reason == "not_found" and not planned.file.required:
            self.book.record_absent(planned.file.name, now)
            self.report.absent.append(planned.file.name)
            return
        # A reset is the camera's state, not the file's: try it again next run, no back-off.
        transient = err.progressed or err.reason == "reset"
        self.book.record_failure(planned.file.name, err.reason, now, progressed=transient)
        self.report.failed.append(FailedFile(planned.file.name, err.reason, err.detail))
        why = f"{err.reason} ({err.detail})" if err.detail else err.reason
        _LOGGER.info("Could not fetch %s: %s", _printable(planned.file.name), _printable(why))
        if planned.file.role is not FileRole.VIDEO:
            return
        self.resets_in_a_row = self.resets_in_a_row + 1 if err.reason == "reset" else 0
        if self.resets_in_a_row >= WEDGED_AFTER:
            raise DownloadsWedgedError(
                f"{self.client.host} answers, but reset the download of {self.resets_in_a_row} "
                "files in a row: its download function is stuck; reboot the camera"
            )


def _printable(text: str) -> str:
    """Return text from the camera as it can go into one log line."""
    return text if text.isprintable() else repr(text)


def _worth_a_retry(err: FileTransferError) -> bool:
    """Return whether a failure may be gone a moment later (a reset, a busy camera's 5xx)."""
    return err.reason == "reset" or err.reason.startswith("http_5")


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
