"""One mirror at work: its own queue and task, one transfer at a time, back-off, health, events.

The camera sync never waits for a mirror: it hands over what it saved (``notify_saved``) and goes
on; the mirror copies in its own task, events first, then oldest first. A pass of the mirror:

1. open the target and, unless it is known good, check it (mounted, credentials, bucket, ...);
2. read what the mirror holds (its listing) when it never did, or every ``relist_every``;
3. on a rescan, walk the archive and queue every file the mirror lacks and wants (within its
   retention); files that vanished from the archive leave the queue;
4. copy the queue, file after file; a failure of one file backs that file off, a failure of the
   target (away, refused) ends the pass and backs the mirror off;
5. apply the mirror's own retention (at most every ``prune_every``).

A pass runs when files are queued, when ``run_now`` asks, when a back-off ends, and every
``rescan_every``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import contextlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
import heapq
import logging
from pathlib import Path
import shutil

from ..files import run_io
from ..models import SavedFile
from .errors import MirrorError
from .models import (
    MirroredFile,
    MirrorFailure,
    MirrorHealth,
    MirrorItem,
    MirrorReason,
    MirrorRunReport,
    MirrorStatus,
    Priority,
    RemoteEntry,
    RetryPolicy,
)
from .scan import Classify, Recognise, scan_destination
from .state import (
    FileFailure,
    MirrorState,
    from_timestamp,
    mirror_work_dir,
    timestamp,
    write_state,
)
from .target import MirrorTarget

_LOGGER = logging.getLogger(__name__)

type Clock = Callable[[], datetime]
type MirroredListener = Callable[[MirroredFile], None]
type HealthListener = Callable[[MirrorHealth], None]


def utc_now() -> datetime:
    """Return the current time, aware, in UTC."""
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class MirrorSnapshot:
    """What one mirror holds and wants, frozen for the local prune (which runs in the executor)."""

    mirror_id: str
    ready: bool
    holds: dict[str, int]
    cutoff: datetime | None
    """Files recorded before this are not wanted by the mirror (its retention); None: all are."""


class Mirror:
    """Copies one camera's archive to one target, verified, without ever slowing the sync."""

    def __init__(
        self,
        mirror_id: str,
        target: MirrorTarget,
        destination: Path,
        *,
        retention: timedelta | None = None,
        recognise: Recognise | None = None,
        classify: Classify | None = None,
        on_mirrored: MirroredListener | None = None,
        on_health: HealthListener | None = None,
        retry: RetryPolicy | None = None,
        rescan_every: timedelta = timedelta(minutes=30),
        prune_every: timedelta = timedelta(hours=1),
        clock: Clock = utc_now,
    ) -> None:
        """Describe the mirror; ``start`` begins its task."""
        self.mirror_id = mirror_id
        self.target = target
        self.destination = destination
        self.retention = retention
        self.recognise = recognise
        self.classify = classify
        self.on_mirrored = on_mirrored
        self.on_health = on_health
        self.retry = retry or RetryPolicy()
        self.rescan_every = rescan_every
        self.prune_every = prune_every
        self.clock = clock
        self.work_dir = mirror_work_dir(destination, mirror_id)
        self._state = MirrorState(target.fingerprint)
        self._have: dict[str, RemoteEntry] = {}
        self._ready = False
        self._listed_at: datetime | None = None
        self._pending: dict[str, MirrorItem] = {}
        self._pending_bytes = 0
        self._heap: list[tuple[int, float, int, str]] = []
        self._queued_seq: dict[str, int] = {}
        self._seq = 0
        self._wake = asyncio.Event()
        self._rescan = True
        self._relist = False
        self._waiters: list[asyncio.Future[MirrorRunReport]] = []
        self._task: asyncio.Task[None] | None = None
        self._opened = False
        self._checked = False
        self._status = MirrorStatus.IDLE
        self._current: str | None = None
        self._mirror_failures = 0
        self._retry_at: datetime | None = None
        self._next_rescan = clock()
        self._next_file_retry: datetime | None = None

    def __repr__(self) -> str:
        """Return the mirror's id and target (no credentials)."""
        return f"Mirror({self.mirror_id!r}, {self.target.description})"

    # --- life cycle -------------------------------------------------------------------------

    async def start(self) -> None:
        """Load the state file and start the mirror's task (a first pass follows at once)."""
        if self._task is not None:
            return
        self._state = await run_io(MirrorState.load, self.work_dir, self.target.fingerprint)
        self._rescan = True
        self._wake.set()
        self._task = asyncio.get_running_loop().create_task(
            self._run_forever(), name=f"camsync mirror {self.mirror_id}"
        )

    async def stop(self) -> None:
        """Stop the task (an upload in progress keeps its finished parts) and close the target."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for waiter in self._waiters:
            waiter.cancel()
        self._waiters.clear()
        await self.target.close()
        self._opened = self._checked = False
        await asyncio.shield(run_io(write_state, self.work_dir, self._state.dump()))

    async def retire(self) -> None:
        """Stop for good: drop what unfinished copies left on the target, and the state.

        What the mirror holds stays there. Failures (the target away) are only logged: the
        mirror is gone either way.
        """
        await self.stop()
        try:
            await self.target.open(self.work_dir)
            await self.target.abandon()
        except MirrorError as err:
            _LOGGER.info(
                "Could not tidy %s after removing mirror %s: %s",
                self.target.description,
                self.mirror_id,
                err,
            )
        finally:
            await self.target.close()
        await run_io(shutil.rmtree, self.work_dir, ignore_errors=True)

    @property
    def running(self) -> bool:
        """Return True while the mirror's task runs."""
        return self._task is not None and not self._task.done()

    # --- what goes in ------------------------------------------------------------------------

    def notify_saved(self, saved: SavedFile) -> None:
        """Queue a file the sync just saved (the sync's ``on_saved`` hook)."""
        try:
            relative = Path(saved.path).relative_to(self.destination).as_posix()
        except ValueError:
            _LOGGER.debug("%s is not in %s; not mirrored", saved.path, self.destination)
            return
        self.enqueue(
            MirrorItem(
                relative,
                saved.size,
                saved.recorded,
                Priority.EVENT if saved.event else Priority.NORMAL,
            )
        )

    def enqueue(self, item: MirrorItem) -> None:
        """Queue one archived file (it is copied unless the mirror has it or does not want it)."""
        if not self._queue(item):
            return
        self._publish()
        if self._retry_at is None:
            self._wake.set()

    async def run_now(
        self, *, wait: bool = False, rescan: bool = True, relist: bool = False
    ) -> MirrorRunReport | None:
        """Run a pass now, even during a back-off; with ``wait``, return its report."""
        if not self.running:
            raise RuntimeError(f"mirror {self.mirror_id} is not started")
        self._rescan = self._rescan or rescan
        self._relist = self._relist or relist
        self._retry_at = None
        waiter: asyncio.Future[MirrorRunReport] | None = None
        if wait:
            waiter = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
        self._wake.set()
        return await waiter if waiter is not None else None

    # --- what comes out ----------------------------------------------------------------------

    @property
    def health(self) -> MirrorHealth:
        """Return the status, backlog, last copy and failure of the mirror."""
        state = self._state
        error = state.last_error
        return MirrorHealth(
            mirror_id=self.mirror_id,
            kind=self.target.kind,
            status=self._status,
            backlog_files=len(self._pending),
            backlog_bytes=self._pending_bytes,
            last_copied=from_timestamp(state.last_copied),
            last_copied_name=state.last_copied_name,
            failing_since=from_timestamp(state.failing_since),
            last_error=MirrorReason(error) if error else None,
            last_error_detail=state.last_error_detail,
            current=self._current,
            ready=self._ready,
        )

    def holds(self, relative: str, size: int | None = None) -> bool:
        """Return True when the mirror has the file (of that size, when given)."""
        entry = self._have.get(relative)
        return entry is not None and (size is None or entry.size == size)

    def cutoff(self, now: datetime | None = None) -> datetime | None:
        """Return the retention cutoff of the mirror (None: it keeps everything)."""
        if self.retention is None:
            return None
        return (now or self.clock()) - self.retention

    def wants(self, recorded: datetime, now: datetime | None = None) -> bool:
        """Return True when the mirror keeps files recorded at ``recorded``."""
        cutoff = self.cutoff(now)
        return cutoff is None or recorded >= cutoff

    def snapshot(self, now: datetime | None = None) -> MirrorSnapshot:
        """Return what the mirror holds and wants, for the local prune guard."""
        return MirrorSnapshot(
            self.mirror_id,
            self._ready,
            {relative: entry.size for relative, entry in self._have.items()},
            self.cutoff(now),
        )

    # --- the task ----------------------------------------------------------------------------

    async def _run_forever(self) -> None:
        while True:
            await self._wait()
            rescan, relist = self._rescan, self._relist
            self._rescan = self._relist = False
            waiters, self._waiters = self._waiters, []
            report = await self._pass(rescan=rescan, relist=relist)
            for waiter in waiters:
                if not waiter.done():
                    waiter.set_result(report)

    async def _wait(self) -> None:
        """Return when a pass is due: work queued or asked for, a back-off over, a rescan due."""
        while True:
            if self._wake.is_set():
                self._wake.clear()
                return
            now = self.clock()
            if self._retry_at is not None:
                if now >= self._retry_at:
                    self._retry_at = None
                    self._rescan = True
                    return
                deadline = self._retry_at
            else:
                if now >= self._next_rescan:
                    self._rescan = True
                    return
                deadline = self._next_rescan
                if self._next_file_retry is not None:
                    if now >= self._next_file_retry:
                        self._next_file_retry = None
                        return
                    deadline = min(deadline, self._next_file_retry)
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(max(0.0, (deadline - now).total_seconds())):
                    await self._wake.wait()

    async def _pass(self, *, rescan: bool, relist: bool) -> MirrorRunReport:
        now = self.clock()
        report = MirrorRunReport(self.mirror_id, started=now)
        try:
            await self._prepare(relist=relist)
            if rescan:
                await self._rescan_archive()
            await self._drain(report)
            await self._apply_retention(report)
        except MirrorError as err:
            self._target_failed(err, report)
        else:
            self._target_ok(report)
        finally:
            self._current = None
            report.finished = self.clock()
            report.backlog_files = len(self._pending)
            report.backlog_bytes = self._pending_bytes
            self._publish()
            await asyncio.shield(run_io(write_state, self.work_dir, self._state.dump()))
        return report

    async def _prepare(self, *, relist: bool) -> None:
        if not self._opened:
            await self.target.open(self.work_dir)
            self._opened = True
        if not self._checked:
            await self.target.check()
            self._checked = True
        now = self.clock()
        stale = self._listed_at is None or now - self._listed_at >= self.retry.relist_every
        if not self._ready or relist or stale:
            self._have = await self.target.list_entries()
            self._ready = True
            self._listed_at = now
            for relative, item in list(self._pending.items()):
                if self.holds(relative, item.size):
                    self._unqueue(relative)

    async def _rescan_archive(self) -> None:
        items = await run_io(scan_destination, self.destination, self.recognise, self.classify)
        present = {item.relative for item in items}
        for relative in [name for name in self._pending if name not in present]:
            self._unqueue(relative)
        for relative in [name for name in self._state.failures if name not in present]:
            del self._state.failures[relative]  # pruned from the archive: forget its failures
        for item in sorted(items, key=lambda item: (item.priority, item.recorded, item.relative)):
            self._queue(item)
        await self.target.tidy(self.destination)
        self._next_rescan = self.clock() + self.rescan_every

    async def _drain(self, report: MirrorRunReport) -> None:
        deferred: list[tuple[int, float, int, str]] = []
        try:
            while (item := self._next(deferred)) is not None:
                await self._copy_one(item, report, deferred)
        finally:
            for entry in deferred:
                heapq.heappush(self._heap, entry)
            report.backed_off = len({entry[3] for entry in deferred})

    def _next(self, deferred: list[tuple[int, float, int, str]]) -> MirrorItem | None:
        """Pop the next item to copy; set aside those backed off."""
        now = self.clock()
        while self._heap:
            entry = heapq.heappop(self._heap)
            relative = entry[3]
            item = self._pending.get(relative)
            if item is None or self._queued_seq.get(relative) != entry[2]:
                continue  # copied or re-queued since
            if self.holds(relative, item.size) or not self.wants(item.recorded, now):
                self._unqueue(relative)
                continue
            retry_at = self._file_retry_at(relative)
            if retry_at is not None and now < retry_at:
                deferred.append(entry)
                if self._next_file_retry is None or retry_at < self._next_file_retry:
                    self._next_file_retry = retry_at
                continue
            return item
        return None

    async def _copy_one(
        self,
        item: MirrorItem,
        report: MirrorRunReport,
        deferred: list[tuple[int, float, int, str]],
    ) -> None:
        relative = item.relative
        self._current = relative
        self._status = MirrorStatus.COPYING
        self._publish()
        started = self.clock()
        try:
            result = await self.target.copy(self.destination / relative, item)
        except MirrorError as err:
            if err.reason is MirrorReason.SOURCE_MISSING:
                _LOGGER.debug("Not mirroring %s: %s", relative, err.detail)
                self._unqueue(relative)
                await self.target.tidy(self.destination)
                return
            entry = self._entry(item)  # it stays pending, under a fresh queue entry
            if not err.reason.per_file:
                heapq.heappush(self._heap, entry)
                raise
            self._file_failed(item, err, report)
            deferred.append(entry)
            return
        finally:
            self._current = None
        now = self.clock()
        self._have[relative] = RemoteEntry(item.size, now)
        self._unqueue(relative)
        self._state.failures.pop(relative, None)
        self._state.last_copied = timestamp(now)
        self._state.last_copied_name = item.name
        mirrored = MirroredFile(
            mirror_id=self.mirror_id,
            kind=self.target.kind,
            relative=relative,
            size=item.size,
            sha256=result.sha256,
            location=self.target.location(relative),
            mirrored=now,
            recorded=item.recorded,
            sent_bytes=result.sent_bytes,
            reused_bytes=result.reused_bytes,
        )
        report.copied.append(mirrored)
        _LOGGER.debug(
            "Mirrored %s to %s in %.1f s (%d bytes sent, %d already there)",
            relative,
            mirrored.location,
            (now - started).total_seconds(),
            result.sent_bytes,
            result.reused_bytes,
        )
        self._notify(self.on_mirrored, mirrored)

    def _file_failed(self, item: MirrorItem, err: MirrorError, report: MirrorRunReport) -> None:
        now = self.clock()
        previous = self._state.failures.get(item.relative)
        count = previous.count + 1 if previous is not None else 1
        self._state.failures[item.relative] = FileFailure(count, now.timestamp(), err.reason)
        report.failed.append(MirrorFailure(item.relative, err.reason, err.detail))
        _LOGGER.info(
            "Could not mirror %s to %s: %s (retry in %s)",
            item.relative,
            self.target.description,
            err,
            self.retry.delay(count, per_file=True),
        )

    def _file_retry_at(self, relative: str) -> datetime | None:
        failure = self._state.failures.get(relative)
        if failure is None:
            return None
        return datetime.fromtimestamp(failure.last, UTC) + self.retry.delay(
            failure.count, per_file=True
        )

    async def _apply_retention(self, report: MirrorRunReport) -> None:
        cutoff = self.cutoff()
        if cutoff is None:
            return
        now = self.clock()
        last = from_timestamp(self._state.last_pruned)
        if last is not None and now - last < self.prune_every:
            return
        old = [
            relative
            for relative, entry in self._have.items()
            if (recorded := self._recorded(relative, entry)) is not None and recorded < cutoff
        ]
        if old:
            deleted = await self.target.delete(sorted(old))
            for relative in deleted:
                self._have.pop(relative, None)
            report.deleted.extend(deleted)
            _LOGGER.info(
                "Deleted %d files recorded before %s from %s",
                len(deleted),
                cutoff.isoformat(),
                self.target.description,
            )
        self._state.last_pruned = timestamp(now)

    def _recorded(self, relative: str, entry: RemoteEntry) -> datetime | None:
        """Return when a mirrored file was recorded; None for a file camsync does not know."""
        if self.recognise is None:
            return entry.modified
        return self.recognise(relative.rsplit("/", 1)[-1])

    def _target_failed(self, err: MirrorError, report: MirrorRunReport) -> None:
        now = self.clock()
        report.reason, report.detail = err.reason, err.detail
        self._mirror_failures += 1
        self._retry_at = now + self.retry.delay(self._mirror_failures, per_file=False)
        self._checked = False
        status = MirrorStatus.AWAY if err.reason.away else MirrorStatus.ERROR
        changed = status != self._status or self._state.last_error != err.reason
        self._status = status
        state = self._state
        if state.failing_since is None:
            state.failing_since = now.timestamp()
        state.last_error, state.last_error_detail = err.reason.value, err.detail
        if changed:
            _LOGGER.log(
                logging.INFO if err.reason.away else logging.WARNING,
                "Mirror %s (%s) %s: %s; camsync keeps trying",
                self.mirror_id,
                self.target.description,
                "is not reachable" if err.reason.away else "refuses files",
                err,
            )

    def _target_ok(self, report: MirrorRunReport) -> None:
        if self._status in (MirrorStatus.AWAY, MirrorStatus.ERROR):
            _LOGGER.info("Mirror %s (%s) works again", self.mirror_id, self.target.description)
        self._status = MirrorStatus.IDLE
        self._mirror_failures = 0
        self._retry_at = None
        state = self._state
        if report.failed:
            if state.failing_since is None:
                state.failing_since = self.clock().timestamp()
            last = report.failed[-1]
            state.last_error, state.last_error_detail = last.reason.value, last.detail
        else:
            state.failing_since = None
            state.last_error, state.last_error_detail = None, ""

    # --- the queue ---------------------------------------------------------------------------

    def _queue(self, item: MirrorItem) -> bool:
        """Add an item unless held, unwanted or already queued; return True when added."""
        queued = self._pending.get(item.relative)
        if queued is not None and queued.priority <= item.priority:
            return False
        if self._ready and self.holds(item.relative, item.size):
            return False
        if not self.wants(item.recorded):
            return False
        if queued is not None:
            self._unqueue(item.relative)  # an event found by a rescan first: move it up
        self._pending[item.relative] = item
        self._pending_bytes += item.size
        heapq.heappush(self._heap, self._entry(item))
        return True

    def _entry(self, item: MirrorItem) -> tuple[int, float, int, str]:
        """Return a fresh queue entry for a pending item (older entries of it become stale)."""
        self._seq += 1
        self._queued_seq[item.relative] = self._seq
        return (item.priority, item.recorded.timestamp(), self._seq, item.relative)

    def _unqueue(self, relative: str) -> None:
        item = self._pending.pop(relative, None)
        if item is not None:
            self._pending_bytes -= item.size
        self._queued_seq.pop(relative, None)

    # --- listeners ---------------------------------------------------------------------------

    def _publish(self) -> None:
        self._notify(self.on_health, self.health)

    def _notify[T](self, listener: Callable[[T], None] | None, value: T) -> None:
        if listener is None:
            return
        try:
            listener(value)
        except Exception:
            _LOGGER.exception("A mirror listener failed")
