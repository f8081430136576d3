"""The trips of one dashcam's archive: GPS read as files land, trips found, finished ones as GPX.

:class:`TripLog` puts the GPS pieces together for the facade: the :class:`~.trips.TripBook`
(state in ``.camsync/trips.json``), the ``.gps`` parser and the GPX writer. Saved files are noted
on the event loop and summarised in the executor, each ``.gps`` read once (the same text arrives
from the legacy API's ``/Record/`` and from V1.009's ``/vodMetadata``: both land as a ``.gps``
file). When the caller knows how complete the archive is (after a sync, after a look at the
camera) it asks which trips finished; each gets its GPX file beside its first recording.
Position, today's distance and the last trip are worked out in the executor after each change
(and at midnight, on request) and read from that cache, so a state push every second costs
nothing and no trip search (tens of milliseconds for a year of driving) runs on the event loop.

Every change to the book happens under one lock, on the loop or in one executor job at a time.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time as day_time, timedelta, tzinfo
import logging
from pathlib import Path
import time

from .archive import Archive, ArchivedFile
from .context import skip_in_zones
from .files import run_io
from .geo import LatLon
from .gps import Fix, GpsTrack, read_gps_file
from .gpx import save_trip_gpx
from .index import TreeIndex
from .models import FileRole, Listing, Recording, SavedFile, SyncOptions
from .plan import Plan
from .trips import (
    TRIPS_FILE,
    Position,
    RecordingSummary,
    Trip,
    TripBook,
    TripSettings,
    summarise,
)

_LOGGER = logging.getLogger(__name__)

GPS_SUFFIX = ".gps"
_BATCH = 200
"""``.gps`` files read per executor job when catching up on an archive from before trips."""


@dataclass(frozen=True, slots=True)
class FinishedTrip:
    """A trip that just finished, and its GPX file (None when it could not be written)."""

    trip: Trip
    gpx: Path | None
    gpx_size: int = 0


@dataclass(frozen=True, slots=True)
class CarFacts:
    """Where the car is and where it went, as the archive knows it.

    ``today_distance`` is in metres, over the trips that began in the day asked for;
    ``last_trip`` is the newest finished trip; ``finished`` every finished trip, oldest first.
    """

    position: Position | None
    today_distance: float
    last_trip: Trip | None
    trips: int
    recordings: int
    finished: tuple[Trip, ...] = ()


@dataclass(slots=True)
class GpsReading:
    """What reading ``.gps`` files cost and found (the last batch, and in total)."""

    files: int = 0
    fixes: int = 0
    skipped_lines: int = 0
    dropped_fixes: int = 0
    seconds: float = 0.0

    def add(self, track: GpsTrack) -> None:
        """Count one file's result."""
        self.files += 1
        self.fixes += len(track.fixes)
        self.skipped_lines += track.skipped
        self.dropped_fixes += track.invalid + track.jumps


def gps_name(recording: Recording) -> str | None:
    """Return the name of a recording's ``.gps`` file, None when it has none."""
    return next((file.name for file in recording.files if file.role is FileRole.GPS), None)


def _stem(name: str) -> str:
    return name.removesuffix(GPS_SUFFIX)


class TripLog:
    """The GPS side of one archive: summaries, trips, GPX files and the car's position."""

    def __init__(
        self,
        archive: Archive,
        files: TreeIndex,
        *,
        parking_kinds: frozenset[str],
        settings: TripSettings | None = None,
        local_tz: tzinfo = UTC,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        """Describe the log; :meth:`load` reads its state. ``local_tz`` says when a day begins."""
        self.archive = archive
        self.local_tz = local_tz
        self.clock = clock or (lambda: datetime.now(UTC))
        self.files = files
        self.parking_kinds = parking_kinds
        self.settings = settings or TripSettings()
        self.book = TripBook(archive.state_dir / TRIPS_FILE, self.settings)
        self.reading = GpsReading()
        self.last_reading = GpsReading()
        self._queue: list[SavedFile] = []
        self._gps_of: dict[str, str] = {}
        self._lock = asyncio.Lock()
        self._drain: asyncio.Task[None] | None = None
        self._version = 0
        self._known_until: datetime | None = None
        self._facts: tuple[tuple[object, ...], CarFacts] | None = None
        self._placing: dict[str, asyncio.Future[None]] = {}
        """Recordings (``.gps`` stems) whose place someone waits for, until their GPS is read."""

    async def load(self) -> None:
        """Read ``.camsync/trips.json`` (a missing or damaged file starts over)."""
        book = await run_io(TripBook.load, self.archive.state_dir, self.settings)
        async with self._lock:
            self.book = book
            self._changed()
            await self._refresh()

    def _changed(self) -> None:
        self._version += 1

    # -- feeding --

    def note_plan(self, plan: Plan) -> None:
        """Remember which ``.gps`` each planned video belongs to (front and rear share one)."""
        for planned in plan.files:
            if planned.file.role is FileRole.VIDEO and (name := gps_name(planned.recording)):
                self._gps_of[planned.file.name] = name

    def note_saved(self, saved: SavedFile) -> None:
        """Queue a saved ``.gps`` (or a video, which says whether the car was parked); on loop."""
        if saved.role is FileRole.GPS or (
            saved.role is FileRole.VIDEO and saved.name in self._gps_of
        ):
            self._queue.append(saved)
            if self._drain is None or self._drain.done():
                self._drain = asyncio.get_running_loop().create_task(self.settle())

    async def settle(self, *, refresh: bool = True) -> None:
        """Summarise what was queued (in the executor) and save the state when it changed.

        ``refresh=False`` leaves the car's facts to the caller (a catch-up in batches).
        """
        async with self._lock:
            changed = False
            while self._queue:
                batch, self._queue = self._queue, []
                reading = GpsReading()
                summaries = await run_io(self._summarise, batch, reading)
                self._count(reading)
                for summary in summaries:
                    self.book.add(summary)
                changed = changed or bool(summaries)
                for saved in batch:
                    if saved.role is FileRole.GPS:
                        self._placed(_stem(saved.name))
            if changed:
                self._changed()
                await self._save()
                if refresh:
                    await self._refresh()

    async def drained(self) -> None:
        """Wait until every noted file is summarised (the end of a sync)."""
        drain = self._drain
        if drain is not None and not drain.done():
            await asyncio.shield(drain)
        await self.settle()

    def _count(self, reading: GpsReading) -> None:
        self.last_reading = reading
        total = self.reading
        total.files += reading.files
        total.fixes += reading.fixes
        total.skipped_lines += reading.skipped_lines
        total.dropped_fixes += reading.dropped_fixes
        total.seconds += reading.seconds
        if reading.files:
            _LOGGER.debug(
                "Read %d GPS files in %.1f ms: %d fixes, %d lines skipped, %d fixes dropped",
                reading.files,
                reading.seconds * 1000,
                reading.fixes,
                reading.skipped_lines,
                reading.dropped_fixes,
            )

    def _summarise(self, batch: Sequence[SavedFile], reading: GpsReading) -> list[RecordingSummary]:
        """Read the batch's ``.gps`` files and summarise its recordings (blocking)."""
        begun = time.perf_counter()
        out: dict[str, RecordingSummary] = {}
        for saved in batch:
            parking = saved.kind in self.parking_kinds
            if saved.role is FileRole.GPS:
                track = read_gps_file(Path(saved.path))
                reading.add(track)
                name = _stem(saved.name)
                out[name] = summarise(
                    name, saved.recorded, track.fixes, parking=parking, settings=self.settings
                )
                continue
            # A video: its recording counts (parked or not) even when it has no GPS at all.
            name = _stem(self._gps_of[saved.name])
            if name not in out and name not in self.book:
                out[name] = summarise(name, saved.recorded, (), parking=parking)
        reading.seconds = time.perf_counter() - begun
        return list(out.values())

    async def catch_up(self) -> int:
        """Summarise the archived ``.gps`` files the book does not know (an older archive).

        Runs in batches, so a sync is never held up for long; return how many were read.
        """
        names = [
            name
            for name, item in list(self.files.items())
            if name.endswith(GPS_SUFFIX) and _stem(name) not in self.book
        ]
        for start in range(0, len(names), _BATCH):
            batch = [
                SavedFile(
                    name=name,
                    path=str(item.path),
                    role=FileRole.GPS,
                    size=item.size,
                    recorded=item.recorded,
                    kind="",
                    channel="",
                    event=False,
                )
                for name in names[start : start + _BATCH]
                if (item := self.files.get(name)) is not None
            ]
            self._queue.extend(batch)
            await self.settle(refresh=False)
        if names:
            await self.refresh()
            _LOGGER.info("Read the GPS of %d archived recordings for trips", len(names))
        return len(names)

    async def forget_before(self, cutoff: datetime) -> None:
        """Forget the recordings retention deleted (recorded before ``cutoff``).

        A ``.gps`` retention spared (a mirror still lacks it) keeps its recording.
        """
        async with self._lock:
            old = [
                name
                for name, item in self.book.summaries.items()
                if item.start < cutoff and name + GPS_SUFFIX not in self.files
            ]
            if old:
                self.book.forget(old)
                self._changed()
                await self._save()
                await self._refresh()

    async def _save(self) -> None:
        try:
            await run_io(self.book.save)
        except OSError as err:  # a full disk: the next change tries again
            _LOGGER.warning("Cannot save the trips of %s: %s", self.archive.destination, err)

    # -- finished trips --

    async def finish(self, known_until: datetime) -> list[FinishedTrip]:
        """Return the trips that finished since the last call, each with its GPX written.

        ``known_until``: every recording that began before it is archived or never will be
        (the start of the oldest recording still to fetch, else when the camera was listed).
        """
        await self.drained()
        async with self._lock:
            if known_until != self._known_until:
                self._known_until = known_until
                self._changed()
            fresh = await run_io(self.book.newly_finished, known_until)
            if not fresh:
                await self._refresh()
                return []
            self._changed()
            written = await run_io(self._write_gpx, fresh)
            for item in written:
                if item.gpx is not None:
                    self.files.add(
                        ArchivedFile(item.gpx.name, item.gpx, item.gpx_size, item.trip.opened)
                    )
            await self._save()
            await self._refresh()
        return written

    def _write_gpx(self, trips: Iterable[Trip]) -> list[FinishedTrip]:
        """Write each trip's GPX from its recordings' ``.gps`` files (blocking)."""
        done: list[FinishedTrip] = []
        for trip in trips:
            fixes: list[Fix] = []
            for name in trip.recordings:
                item = self.files.get(name + GPS_SUFFIX)
                if item is not None:
                    fixes.extend(read_gps_file(item.path).fixes)
            try:
                path = save_trip_gpx(self.archive, trip, fixes)
                done.append(FinishedTrip(trip, path, path.stat().st_size))
            except OSError as err:
                _LOGGER.warning("Cannot write the GPX of trip %s: %s", trip.id, err)
                done.append(FinishedTrip(trip, None))
        return done

    # -- reading --

    @property
    def facts(self) -> CarFacts | None:
        """Return the car's facts as last worked out (None before the state was loaded)."""
        return None if self._facts is None else self._facts[1]

    def today(self) -> tuple[datetime, datetime]:
        """Return when today began and when it ends, in the local time zone."""
        day = self.clock().astimezone(self.local_tz).date()
        start = datetime.combine(day, day_time.min, self.local_tz)
        return start, datetime.combine(day + timedelta(days=1), day_time.min, self.local_tz)

    async def refresh(self) -> CarFacts | None:
        """Work the facts out again if the day changed (midnight) or the book did."""
        async with self._lock:
            await self._refresh()
        return self.facts

    async def _refresh(self) -> None:
        """Work the facts out in the executor unless the cached ones are current (under lock)."""
        day = self.today()
        key = (self._version, day)
        if self._facts is None or self._facts[0] != key:
            self._facts = (key, await run_io(self._work_out, *day))

    def _work_out(self, day_start: datetime, day_end: datetime) -> CarFacts:
        """Return position, the day's distance and the last finished trip (blocking)."""
        trips = self.book.trips(self._known_until)
        finished = [trip for trip in trips if trip.finished]
        return CarFacts(
            position=self.book.newest_position(),
            today_distance=sum(
                trip.distance for trip in trips if day_start <= trip.start < day_end
            ),
            last_trip=finished[-1] if finished else None,
            trips=len(trips),
            recordings=len(self.book.summaries),
            finished=tuple(finished),
        )

    async def place_of(self, video: str, when: datetime) -> Position | None:
        """Return where a recording was made: its own first fix, else the car's place then."""
        name = self._gps_of.get(video)
        summary = self.book.summaries.get(_stem(name)) if name else None
        if summary is not None and summary.first is not None:
            return summary.first
        async with self._lock:
            return await run_io(self.book.position_at, when)

    async def place_once_read(self, video: str, when: datetime) -> Position | None:
        """Return where a video just saved was made, once its recording's ``.gps`` is read.

        The ``.gps`` follows a recording's videos: this waits until it is summarised, or until
        the sync ends (:meth:`release`; it was not fetched). Then as :meth:`place_of`.
        """
        name = self._gps_of.get(video)
        if name is not None:
            if name in self.files:  # archived before (or just now): read by the time it drains
                await self.drained()
            else:
                stem = _stem(name)
                waiter = self._placing.get(stem)
                if waiter is None:
                    waiter = self._placing[stem] = asyncio.get_running_loop().create_future()
                await asyncio.shield(waiter)
        return await self.place_of(video, when)

    def _placed(self, stem: str) -> None:
        waiter = self._placing.pop(stem, None)
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def release(self) -> None:
        """Stop every wait for a place (the sync ended: no more ``.gps`` files come)."""
        for stem in list(self._placing):
            self._placed(stem)

    def locate(self, recording: Recording) -> LatLon | None:
        """Return where a listed recording was made, as far as the archive knows (blocking-safe).

        Its own GPS when it was read, else where the car was at its start, else the newest fix.
        """
        name = gps_name(recording)
        summary = self.book.summaries.get(_stem(name)) if name else None
        if summary is not None and summary.first is not None:
            return summary.first
        return self.book.position_at(recording.start) or self.book.newest_position()

    async def in_zone(self, recording: Recording, options: SyncOptions) -> bool:
        """Return True when a recording of a zone kind was made inside a skip zone (fetch time).

        What was saved so far in the run is summarised first, so the drives just fetched place
        the parking recordings that follow them.
        """
        if recording.kind not in options.zone_kinds or not options.skip_zones:
            return False
        await self.drained()
        async with self._lock:
            point = await run_io(self.locate, recording)
        return point is not None and any(
            zone.contains(point.lat, point.lon) for zone in options.skip_zones
        )

    async def screen(self, listing: Listing, options: SyncOptions) -> tuple[Listing, int]:
        """Leave out the recordings made inside the options' zones; return them counted."""
        if not options.skip_zones or not options.zone_kinds:
            return listing, 0
        async with self._lock:
            split = await run_io(
                skip_in_zones,
                listing.recordings,
                options.skip_zones,
                kinds=options.zone_kinds,
                locate=self.locate,
            )
        if split.skipped:
            _LOGGER.debug(
                "Left out %d recordings made inside %s",
                len(split.skipped),
                ", ".join(zone.name or "a zone" for zone in options.skip_zones),
            )
        return replace(listing, recordings=tuple(split.kept)), len(split.skipped)
