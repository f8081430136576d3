"""The engine's facade: one camera's archive, as the Home Assistant layer and the benchmarks use it.

``CameraArchive`` ties a camera client to its destination folder. ``start`` loads the state in
``.camsync/`` and builds the index with one scan; ``survey`` lists the camera once and plans
against the index; ``sync`` runs (reusing a survey's listing when given one); ``prune``,
``snapshot``, ``timelapse`` and ``rescan`` keep the index current; ``facts`` reads it without
touching the disk, and ``catalog`` browses it (the media source). Every blocking call runs in the
executor.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta, tzinfo
from functools import partial
import logging
from pathlib import Path
import shutil

from .archive import Archive, ArchivedFile, ArchiveTree
from .backoff import FAILURES_FILE, FailureBook
from .camera import CameraClient
from .catalog import RECORDINGS, SNAPSHOTS, TIMELAPSES, TREES, Catalog, CatalogItem
from .context import EventContext
from .deletions import DeletionMemory, Ledger, without_deleted
from .disk import DiskUsageSource, human_size, measure, usable_size, used_percent
from .errors import CamsyncError
from .facts import ArchiveFacts, DiskFacts, RescanReport, Survey
from .files import run_io
from .geo import Zone
from .gpx import gpx_recorded_at
from .index import ArchiveIndex, scan_trees
from .lock import DestinationLock, destination_lock
from .models import (
    FileRole,
    Grouping,
    Listing,
    PruneReport,
    Recording,
    SavedFile,
    SyncOptions,
    SyncReport,
)
from .plan import Plan, make_plan
from .prune import prune
from .run import Clock, Known, SyncHooks, run_sync, utc_now
from .snapshots import camera_slug, save_snapshot, snapshot_archive, snapshot_recorded_at
from .thumbnails import THUMBNAIL_WIDTH, ThumbnailCache, video_thumbnail
from .timelapse import (
    DEFAULT_FPS,
    Timelapse,
    TimelapseProgress,
    frames_between,
    make_timelapse,
    timelapse_archive,
    timelapse_days,
    timelapse_name,
    timelapse_recorded_at,
)
from .triplog import CarFacts, FinishedTrip, GpsReading, TripLog
from .trips import Position, Trip

_LOGGER = logging.getLogger(__name__)

# What the Home Assistant layer and the benchmarks take from the engine besides the camera
# protocol (camera.py), the values (models.py) and the errors (errors.py).
__all__ = [
    "DEFAULT_FPS",
    "RECORDINGS",
    "SNAPSHOTS",
    "THUMBNAIL_WIDTH",
    "TIMELAPSES",
    "TREES",
    "ArchiveFacts",
    "CameraArchive",
    "CarFacts",
    "Catalog",
    "CatalogItem",
    "DiskFacts",
    "EventContext",
    "FinishedTrip",
    "GpsReading",
    "Position",
    "RescanReport",
    "Survey",
    "SyncHooks",
    "ThumbnailCache",
    "Timelapse",
    "TimelapseProgress",
    "Trip",
    "Zone",
    "camera_slug",
    "human_size",
    "prove_writable",
    "timelapse_days",
    "video_thumbnail",
]


def prove_writable(destination: Path) -> None:
    """Create a destination's folders and prove a file can be written there (blocking).

    DestinationError when it cannot.
    """
    Archive(destination).ensure_writable()


class CameraArchive:
    """One camera's archive: its client, destination folder, index and remembered deletions."""

    def __init__(
        self,
        client: CameraClient,
        destination: Path,
        *,
        grouping: Grouping = Grouping.DAILY,
        camera_name: str = "camera",
        local_tz: tzinfo = UTC,
        holder: str = "camsync",
        disk_usage: DiskUsageSource = shutil.disk_usage,
        clock: Clock = utc_now,
    ) -> None:
        """Describe the archive; nothing is read before :meth:`start`."""
        self.client = client
        self.recordings = Archive(destination, "recordings", grouping)
        self.snapshots = snapshot_archive(destination)
        self.timelapses = timelapse_archive(destination)
        self.camera_slug = camera_slug(camera_name)
        self.local_tz = local_tz
        self.holder = holder
        self.disk_usage = disk_usage
        self.clock = clock
        gps = client.capabilities.gps
        # Plain functions, not methods of this object: a cycle through the trees would leave a
        # dropped archive's whole index (tens of thousands of objects) to the garbage collector,
        # whose full pass then stalls the event loop for as long as it takes.
        self.trees = (
            ArchiveTree(
                self.recordings,
                partial(_recording_or_gpx, client.recorded_at, local_tz)
                if gps
                else client.recorded_at,
            ),
            ArchiveTree(self.snapshots, partial(snapshot_recorded_at, tz=local_tz)),
            ArchiveTree(self.timelapses, partial(timelapse_recorded_at, tz=local_tz)),
        )
        self.index = ArchiveIndex(*self.trees)
        self.catalog = Catalog(self.index, client.describe)
        self.thumbnails = ThumbnailCache(self.state_dir)
        self.deletions = DeletionMemory(self.state_dir / "deleted.json")
        self.ledger = Ledger(self.state_dir / "archived.txt", None)
        self.last_listing: tuple[Listing, datetime | None] | None = None
        self.listed_at: datetime | None = None
        self.scanned: datetime | None = None
        self._last_plan: _LastPlan | None = None
        self._book: tuple[tuple[int, ...] | None, FailureBook] | None = None
        self.trips: TripLog | None = (
            TripLog(
                self.recordings,
                self.index.recordings,
                parking_kinds=client.capabilities.parking_kinds,
                local_tz=local_tz,
                clock=clock,
            )
            if gps
            else None
        )

    @property
    def destination(self) -> Path:
        """Return the destination folder."""
        return self.recordings.destination

    @property
    def state_dir(self) -> Path:
        """Return the hidden ``.camsync`` folder."""
        return self.recordings.state_dir

    def recorded_at(self, name: str) -> datetime | None:
        """Return when an archived file of any tree was recorded, None for a name not ours."""
        for tree in self.trees:
            if (recorded := tree.recognise(name)) is not None:
                return recorded
        return None

    # -- state and index --

    async def start(self) -> RescanReport:
        """Load the remembered deletions and the ledger, then build the index with one scan."""
        self.deletions = await run_io(DeletionMemory.load, self.state_dir)
        self.ledger = await run_io(Ledger.load, self.state_dir)
        if self.trips is not None:
            await self.trips.load()
        return await self.rescan()

    async def check_writable(self) -> None:
        """Create the folders and prove a file can be written; DestinationError otherwise."""
        await run_io(self.recordings.ensure_writable)

    async def rescan(self) -> RescanReport:
        """Walk the archive once and rebuild the index; note files the user deleted.

        Deletions are only worked out while holding the destination's lock (no sync of another
        entry is saving files then); when it is busy, the index is rebuilt all the same.
        """
        lock = DestinationLock(self.state_dir, self.holder)
        try:
            await run_io(lock.acquire)
        except CamsyncError:
            return await self._rescan(detect=False)
        try:
            return await self._rescan(detect=True)
        finally:
            await run_io(lock.release)

    async def _rescan(self, *, detect: bool) -> RescanReport:
        self.index.begin_scan()
        try:
            scanned = await run_io(scan_trees, self.trees)
        except BaseException:
            self.index.abort_scan()
            raise
        saved_meanwhile = self.index.finish_scan(scanned)
        self.scanned = self.clock()
        await self._sweep_thumbnails()
        if not detect:
            return RescanReport(len(self.index.recordings), ())
        on_disk = set(self.index.recordings) | saved_meanwhile
        missing = self.ledger.missing(on_disk)
        try:
            await run_io(self._note_deletions, missing, on_disk)
        except (CamsyncError, OSError) as err:  # a full disk, say: the next rescan tries again
            _LOGGER.warning("Cannot note deletions in %s: %s", self.state_dir, err)
            return RescanReport(len(self.index.recordings), ())
        return RescanReport(len(self.index.recordings), tuple(sorted(missing)))

    def _note_deletions(self, missing: set[str], on_disk: set[str]) -> None:
        """Remember what the user deleted and write the ledger anew (blocking)."""
        self.deletions.remember({name: self.client.recorded_at(name) for name in missing})
        if self.ledger.names != on_disk:
            self.ledger.rewrite(on_disk)

    async def _sweep_thumbnails(self) -> None:
        """Delete the thumbnails of files that are no longer archived (the user deleted them)."""
        keep = {name for tree in self.index.trees for name in tree}
        try:
            await run_io(self.thumbnails.sweep, keep)
        except OSError as err:
            _LOGGER.debug("Cannot tidy the thumbnails in %s: %s", self.state_dir, err)

    def facts(self) -> ArchiveFacts:
        """Return the archive's facts from the index (cheap: no disk access)."""
        totals = self.index.totals()
        return ArchiveFacts(
            files=totals.files,
            bytes=totals.bytes,
            newest_capture=totals.newest_capture,
            newest_image=totals.newest_image,
            remembered_deletions=len(self.deletions),
            scanned=self.scanned,
        )

    async def disk(self) -> DiskFacts | None:
        """Return the space of the disk holding the destination, None when it cannot be measured."""
        try:
            usage = await run_io(measure, self.destination, self.disk_usage)
        except OSError:
            return None
        usable = usable_size(usage)
        return DiskFacts(
            total=usable,
            free=usage.free,
            used_percent=used_percent(usage),
            reserved=max(usage.total - usable, 0),
        )

    async def forget_deletions(self) -> int:
        """Forget every remembered deletion, so those files are fetched again; return how many."""
        return await run_io(self.deletions.forget)

    # -- camera --

    async def survey(self, options: SyncOptions, *, since: datetime | None = None) -> Survey:
        """List the camera once and plan against the index (no walk)."""
        listing = await self.client.async_list_recordings(since=since)
        self._note_listing(listing, since)
        return await self._plan(listing, since, options)

    def _note_listing(self, listing: Listing, since: datetime | None) -> None:
        self.last_listing = (listing, since)
        self.listed_at = self.clock()

    async def replan(self, options: SyncOptions) -> Survey | None:
        """Plan the last listing again against the index as it is now (no camera, no walk)."""
        if self.last_listing is None:
            return None
        listing, since = self.last_listing
        return await self._plan(listing, since, options)

    async def _plan(self, listing: Listing, since: datetime | None, options: SyncOptions) -> Survey:
        """Plan ``listing`` against the index; the last plan again when nothing it used changed."""
        book = await run_io(self._failure_book)
        inputs = _PlanInputs(
            listing, self.deletions, self.deletions.version, self.index.recordings.version, book
        )
        now = self.clock()
        last = self._last_plan
        if last is not None and last.still_holds(inputs, options, now):
            return Survey(
                listing, last.plan, since, taken=self.listed_at, skipped_in_zones=last.in_zones
            )
        wanted = await run_io(without_deleted, listing, self.deletions)
        wanted, in_zones = await self._screen(wanted, options)
        plan = await run_io(make_plan, wanted, self.index.recordings, book, options, now)
        self._last_plan = _LastPlan(inputs, options, plan, in_zones)
        return Survey(listing, plan, since, taken=self.listed_at, skipped_in_zones=in_zones)

    async def _screen(self, listing: Listing, options: SyncOptions) -> tuple[Listing, int]:
        """Leave out the recordings made inside the options' zones (when the camera has GPS)."""
        if self.trips is None:
            return listing, 0
        return await self.trips.screen(listing, options)

    def _failure_book(self) -> FailureBook:
        """Return the failure marks, read again only when their file changed (blocking)."""
        path = self.state_dir / FAILURES_FILE
        try:
            stat = path.stat()
            signature: tuple[int, ...] | None = (stat.st_ino, stat.st_size, stat.st_mtime_ns)
        except OSError:
            signature = None
        cached = self._book
        if cached is None or cached[0] != signature:
            cached = self._book = (signature, FailureBook.load(self.state_dir))
        return cached[1]

    async def sync(
        self,
        options: SyncOptions,
        *,
        since: datetime | None = None,
        survey: Survey | None = None,
        hooks: SyncHooks | None = None,
        refetch_deleted: bool = False,
    ) -> SyncReport:
        """Download what is new (the survey's listing, else a fresh one) and keep the index current.

        ``refetch_deleted`` forgets the remembered deletions first, so those files come back.
        """
        if refetch_deleted:
            await self.forget_deletions()
        given = hooks or SyncHooks()
        saved: list[str] = []
        trips = self.trips
        in_zones = 0

        def on_saved(item: SavedFile) -> None:
            self.index.recordings.add(
                ArchivedFile(item.name, Path(item.path), item.size, item.recorded)
            )
            saved.append(item.name)
            if trips is not None:
                trips.note_saved(item)
            if given.on_saved is not None:
                given.on_saved(item)

        def on_listing(listing: Listing) -> None:
            if survey is None:  # a survey's listing was noted when it was taken
                self._note_listing(listing, since)
            if given.on_listing is not None:
                given.on_listing(listing)

        def on_plan(plan: Plan) -> None:
            if trips is not None:
                trips.note_plan(plan)
            if given.on_plan is not None:
                given.on_plan(plan)

        async def screen(listing: Listing) -> Listing:
            nonlocal in_zones
            listing, skipped = await self._screen(listing, options)
            in_zones += skipped
            return listing

        async def in_zone(recording: Recording) -> bool:
            return trips is not None and await trips.in_zone(recording, options)

        known = Known(
            listing=survey.listing if survey is not None else None,
            archived=self.index.recordings,
            deleted=self.deletions,
            screen=screen,
        )
        try:
            report = await run_sync(
                self.client,
                self.recordings,
                options,
                holder=self.holder,
                since=survey.since if survey is not None else since,
                disk_usage=self.disk_usage,
                clock=self.clock,
                hooks=replace(
                    given,
                    on_saved=on_saved,
                    on_listing=on_listing,
                    on_plan=on_plan,
                    in_zone=in_zone,
                ),
                known=known,
            )
        finally:
            if saved:
                await self._note_saved(saved)
            if trips is not None:
                await trips.drained()
                trips.release()
        report.skipped_in_zones += in_zones
        return report

    async def finish_trips(self, survey: Survey | None) -> list[FinishedTrip]:
        """Return the trips that finished since the last call (their GPX written).

        ``survey`` is the last listing planned against the archive as it is now: the archive is
        complete up to the oldest recording it still has to fetch, or up to when the camera was
        listed. Without one nothing is known to be complete.
        """
        if self.trips is None or survey is None or survey.taken is None:
            return []
        pending = [
            planned.recording.start
            for planned in survey.plan.files
            if planned.file.role is FileRole.VIDEO
        ]
        return await self.trips.finish(min([survey.taken, *pending]))

    @property
    def has_gps(self) -> bool:
        """Return True when the camera records GPS (its archive keeps trips)."""
        return self.trips is not None

    def car(self) -> CarFacts | None:
        """Return the car's position, today's distance and the last trip (None without GPS).

        Cheap: worked out in the executor whenever the trips change; at midnight call
        :meth:`refresh_car` so that "today" moves on.
        """
        return None if self.trips is None else self.trips.facts

    async def refresh_car(self) -> CarFacts | None:
        """Work the car's facts out again (a new day began)."""
        return None if self.trips is None else await self.trips.refresh()

    async def place_of(self, video: str, when: datetime) -> Position | None:
        """Return where a saved recording was made (None without GPS, or when unknown)."""
        return None if self.trips is None else await self.trips.place_of(video, when)

    async def place_once_read(self, video: str, when: datetime) -> Position | None:
        """Return where a video saved by the running sync was made, once its GPS is read.

        Waits until its recording's ``.gps`` (which follows the videos) is read, or the sync
        ends; None without GPS, or when the archive cannot tell.
        """
        return None if self.trips is None else await self.trips.place_once_read(video, when)

    async def _note_saved(self, names: list[str]) -> None:
        """Add saved recordings to the ledger; a failure only costs noticing their deletion."""
        try:
            await run_io(self.ledger.append, names)
        except OSError as err:
            _LOGGER.warning("Cannot note saved files in %s: %s", self.state_dir, err)

    async def snapshot(self, taken: datetime) -> SavedFile:
        """Capture a still on the camera and store it in the snapshot tree."""
        data = await self.client.async_snapshot()
        path = await run_io(save_snapshot, self.snapshots, self.camera_slug, taken, data)
        self.index.snapshots.add(ArchivedFile(path.name, path, len(data), taken))
        return SavedFile(
            name=path.name,
            path=str(path),
            role=FileRole.SNAPSHOT,
            size=len(data),
            recorded=taken,
            kind="snapshot",
            channel="",
            event=False,
        )

    # -- retention --

    async def prune(
        self,
        cutoff: datetime,
        *,
        dry_run: bool = False,
        rescan: bool = False,
        keep_away: bool = False,
        keep: Callable[[ArchivedFile], bool] | None = None,
    ) -> PruneReport:
        """Delete files recorded before ``cutoff`` (from the index), holding the destination's lock.

        A prune never runs beside a sync of the same destination, from this entry or another:
        LockHeldError when one holds the lock. A dry run deletes nothing and needs no lock.
        ``rescan`` walks the archive first (under the same lock). ``keep_away`` remembers the
        deleted recordings as the user's deletions, so a camera that still lists them does not
        bring them back (a prune to make room); otherwise they count as retention's.
        ``rescan`` walks the archive first (under the same lock). ``keep`` (the mirrors' prune
        guard) spares the files it returns True for; it is called from the executor.
        """
        if dry_run:
            return await run_io(
                prune, self.trees, cutoff, dry_run=True, indexed=self._older(cutoff), keep=keep
            )
        async with destination_lock(self.state_dir, self.holder):
            if rescan:
                await self._rescan(detect=True)
            report = await run_io(prune, self.trees, cutoff, indexed=self._older(cutoff), keep=keep)
            gone = {Path(path).name for path in report.deleted}
            recordings = [
                item for name in gone if (item := self.index.recordings.discard(name)) is not None
            ]
            for name in gone:
                for tree in self.index.trees[1:]:
                    tree.discard(name)
            await run_io(self._note_pruned, recordings, cutoff, keep_away)
            await run_io(self.thumbnails.forget, gone)
            if self.trips is not None:
                await self.trips.forget_before(cutoff)
        return report

    def cutoff_freeing(self, wanted: int) -> datetime | None:
        """Return the cutoff whose prune frees at least ``wanted`` bytes, oldest files first.

        None when deleting the whole archive would not free that much. Reads the index only.
        """
        files = sorted(
            (item for tree in self.index.trees for item in tree.values()),
            key=lambda item: (item.recorded, item.name),
        )
        freed = 0
        for item in files:
            freed += item.size
            if freed >= wanted:
                # prune() deletes what was recorded before the cutoff: this file and its peers.
                return item.recorded + timedelta(microseconds=1)
        return None

    def _older(self, cutoff: datetime) -> list[list[ArchivedFile]]:
        return [tree.older_than(cutoff) for tree in self.index.trees]

    def _note_pruned(
        self, recordings: list[ArchivedFile], cutoff: datetime, keep_away: bool
    ) -> None:
        """Write pruned recordings off the ledger (blocking).

        Retention's are not the user's deletions; a prune the user asked for to make room is.
        """
        self.ledger.append(removed=[item.name for item in recordings])
        if keep_away:
            self.deletions.remember({item.name: item.recorded for item in recordings})
        else:
            self.deletions.forget_before(cutoff)

    # -- timelapses --

    def count_snapshots(self, first: date, last: date) -> int:
        """Return how many snapshots were taken from ``first`` to ``last`` (from the index)."""
        return sum(first <= item.recorded.date() <= last for item in self.index.snapshots.values())

    async def timelapse(
        self,
        ffmpeg: str,
        first: date,
        last: date,
        fps: float = DEFAULT_FPS,
        *,
        on_progress: Callable[[TimelapseProgress], None] | None = None,
    ) -> Timelapse:
        """Make a timelapse of the snapshots taken from ``first`` to ``last`` with ``ffmpeg``.

        It replaces one made before for the same days. NoFramesError when those days have no
        snapshots; VideoToolError or DiskLimitError when ffmpeg fails.
        """
        frames = await run_io(frames_between, list(self.index.snapshots.values()), first, last)
        name = timelapse_name(self.camera_slug, first, last)
        path, count = await make_timelapse(
            ffmpeg, self.timelapses, name, frames, fps, on_progress=on_progress
        )
        size = (await run_io(path.stat)).st_size
        recorded = timelapse_recorded_at(name, self.local_tz)
        assert recorded is not None  # the name was made here
        assert self.index.timelapses is not None
        self.index.timelapses.add(ArchivedFile(name, path, size, recorded))
        await run_io(self.thumbnails.forget, [name])
        return Timelapse(path, size, first, last, count, fps)


@dataclass(frozen=True, slots=True)
class _PlanInputs:
    """What a plan was made from; compared by identity and version, never element by element."""

    listing: Listing
    deletions: DeletionMemory
    deletions_version: int
    index_version: int
    book: FailureBook

    def same_as(self, other: _PlanInputs) -> bool:
        return (
            self.listing is other.listing
            and self.deletions is other.deletions
            and self.deletions_version == other.deletions_version
            and self.index_version == other.index_version
            and self.book is other.book
        )


@dataclass(frozen=True, slots=True)
class _LastPlan:
    """The last plan made, so an idle tick does not plan the same listing again."""

    inputs: _PlanInputs
    options: SyncOptions
    plan: Plan
    in_zones: int = 0

    def still_holds(self, inputs: _PlanInputs, options: SyncOptions, now: datetime) -> bool:
        """Return whether planning ``inputs`` with ``options`` at ``now`` gives this plan."""
        until = self.plan.stable_until
        return (
            self.inputs.same_as(inputs)
            and self.options == options
            and (until is None or now < until)
        )


def _recording_or_gpx(
    recorded_at: Callable[[str], datetime | None], tz: tzinfo, name: str
) -> datetime | None:
    """Recognise the camera's files and the trips' GPX files camsync wrote beside them."""
    return recorded_at(name) or gpx_recorded_at(name, tz)
