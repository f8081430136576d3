"""The car through the facade, over loopback: GPS read as files land, trips, GPX, context, zones.

The simulated dashcam records :class:`camera_simulators.route.Journey` (park at home, drive to
the shop, park, drive home by a loop, park) and serves its ``.gps`` files, on legacy firmware
from ``/Record/`` and on V1.009 through ``/vodMetadata``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
import xml.etree.ElementTree as ET

import aiohttp
import pytest
import xmlschema

from camera_simulators.blackvue import (
    BlackVueFaults,
    BlackVueSimulator,
    SimRecording,
    journey_recordings,
)
from camera_simulators.route import HOME, SHOP, DashcamGps, Journey, grid_point
from custom_components.camsync.devices.blackvue import BlackVueClient
from custom_components.camsync.engine.context import EventContext
from custom_components.camsync.engine.errors import Outcome
from custom_components.camsync.engine.facade import CameraArchive
from custom_components.camsync.engine.geo import Zone, distance
from custom_components.camsync.engine.gpx import GPX_NAMESPACE
from custom_components.camsync.engine.models import FileRole, Priority, SavedFile, SyncOptions
from custom_components.camsync.engine.run import SyncHooks
from tests.engine.test_gpx import _schema_path

JOURNEY = Journey()
AFTER = JOURNEY.end + timedelta(minutes=30)
NS = {"g": GPX_NAMESPACE}


@pytest.fixture(params=["legacy", "v1009"])
async def car(request: pytest.FixtureRequest) -> AsyncIterator[BlackVueSimulator]:
    """Return a dashcam holding the whole journey, on either firmware."""
    faults = BlackVueFaults(firmware=request.param)
    async with BlackVueSimulator(
        journey_recordings(JOURNEY, size_range=(2000, 4000)), faults, gps=DashcamGps([JOURNEY])
    ) as simulator:
        yield simulator


def archive_of(
    simulator: BlackVueSimulator,
    session: aiohttp.ClientSession,
    destination: Path,
    now: datetime = AFTER,
) -> CameraArchive:
    client = BlackVueClient(session, f"127.0.0.1:{simulator.port}", tz=UTC, read_timeout=2.0)
    return CameraArchive(client, destination, camera_name="Car", clock=lambda: now)


def _distance_to(journey: Journey, when: datetime, place: tuple[float, float]) -> float:
    sample = journey.sample_at(when)
    return distance(sample.lat, sample.lon, *place)


def gps_requests(simulator: BlackVueSimulator) -> int:
    return sum(
        request.path.endswith(".gps") or request.path == "/vodMetadata"
        for request in simulator.requests
    )


async def test_a_synced_journey_makes_two_trips_with_valid_gpx(
    car: BlackVueSimulator, session: aiohttp.ClientSession, destination: Path
) -> None:
    facade = archive_of(car, session, destination)
    await facade.start()
    options = SyncOptions()
    survey = await facade.survey(options)
    report = await facade.sync(options, survey=survey)
    assert not report.failed
    assert facade.trips is not None
    gps_files = [item for item in report.saved if item.role is FileRole.GPS]
    assert facade.trips.reading.files == len(gps_files) > 0

    finished = await facade.finish_trips(await facade.replan(options))

    assert [item.trip.id for item in finished] == [
        f"{leg.start - timedelta(seconds=20):%Y%m%d_%H%M%S}" for leg in JOURNEY.legs
    ]
    schema = xmlschema.XMLSchema(str(_schema_path()))
    for item, leg in zip(finished, JOURNEY.legs, strict=True):
        trip = item.trip
        assert abs(trip.distance - leg.distance) < 0.02 * leg.distance
        assert trip.start <= leg.start + timedelta(seconds=2)
        assert trip.end >= leg.end - timedelta(seconds=2)
        assert item.gpx is not None
        assert item.gpx.parent == destination / "recordings" / "2026-11-20"
        schema.validate(str(item.gpx))
        points = ET.parse(item.gpx).getroot().findall(".//g:trkpt", NS)
        assert len(points) >= (leg.end - leg.start).total_seconds()
        assert item.gpx.name in facade.index.recordings  # retention sees it
    assert (destination / ".camsync" / "trips.json").is_file()

    car_facts = facade.car()
    assert car_facts is not None
    assert car_facts.last_trip == finished[-1].trip
    assert car_facts.trips == 2
    assert abs(car_facts.today_distance - sum(leg.distance for leg in JOURNEY.legs)) < 100
    position = car_facts.position
    assert position is not None
    assert distance(position.lat, position.lon, *grid_point(*HOME)) < 10
    assert position.recording == [w for w in JOURNEY.recordings() if w.has_gps][-1].stem
    # Nothing finishes twice.
    assert await facade.finish_trips(await facade.replan(options)) == []


async def test_trips_wait_for_recordings_still_to_fetch(
    car: BlackVueSimulator, session: aiohttp.ClientSession, destination: Path
) -> None:
    facade = archive_of(car, session, destination)
    await facade.start()
    options = SyncOptions(priority=Priority.OLDEST_FIRST)
    second_leg = JOURNEY.legs[1].start

    def on_saved(item: SavedFile) -> None:
        if item.recorded > second_leg:  # the car drives off during the drive home's sync
            car.faults.go_away_after_bytes = 0

    report = await facade.sync(options, hooks=SyncHooks(on_saved=on_saved))
    assert report.outcome is Outcome.OFFLINE
    survey = await facade.replan(options)
    assert survey is not None
    assert survey.pending_files > 0

    finished = await facade.finish_trips(survey)

    assert len(finished) == 1
    assert finished[0].trip.end < second_leg
    await car.restart()
    rest = await facade.sync(options)
    assert rest.saved
    finished = await facade.finish_trips(await facade.replan(options))
    assert len(finished) == 1
    assert finished[0].trip.start > JOURNEY.legs[0].end


async def test_state_survives_a_restart_and_retention_forgets(
    car: BlackVueSimulator, session: aiohttp.ClientSession, destination: Path
) -> None:
    facade = archive_of(car, session, destination)
    await facade.start()
    options = SyncOptions()
    await facade.sync(options)
    first, second = await facade.finish_trips(await facade.replan(options))

    again = archive_of(car, session, destination)
    await again.start()
    assert again.trips is not None
    assert again.trips.reading.files == 0  # nothing re-read
    facts = again.car()
    assert facts is not None
    assert facts.recordings == len(facade.trips.book.summaries)
    assert first.gpx is not None
    assert first.gpx.name in again.index.recordings

    # Retention up to the second drive deletes the first trip's GPX and forgets its recordings.
    cutoff = second.trip.opened - timedelta(minutes=5)
    report = await again.prune(cutoff)
    assert str(first.gpx) in report.deleted
    assert second.gpx is not None
    assert second.gpx.is_file()
    assert all(summary.start >= cutoff for summary in again.trips.book.summaries.values())
    assert [trip.id for trip in again.trips.book.trips(AFTER)] == [second.trip.id]


async def test_an_archive_from_before_trips_is_caught_up(
    car: BlackVueSimulator, session: aiohttp.ClientSession, destination: Path
) -> None:
    facade = archive_of(car, session, destination)
    await facade.start()
    await facade.sync(SyncOptions())
    (destination / ".camsync" / "trips.json").unlink()

    again = archive_of(car, session, destination)
    await again.start()
    assert again.trips is not None
    assert not again.trips.book.summaries
    read = await again.trips.catch_up()

    assert read == len([n for n in again.index.recordings if n.endswith(".gps")]) > 0
    finished = await again.finish_trips(await again.survey(SyncOptions()))
    assert len(finished) == 2
    assert await again.trips.catch_up() == 0


async def test_an_event_brings_its_context_when_only_events_are_kept(
    car: BlackVueSimulator, session: aiohttp.ClientSession, destination: Path
) -> None:
    facade = archive_of(car, session, destination)
    await facade.start()
    context = EventContext(before=timedelta(minutes=1), after=timedelta(minutes=1))
    options = SyncOptions(kinds=frozenset("E"), channels=frozenset("F"), event_context=context)
    report = await facade.sync(options)

    videos = [
        request.path.rsplit("/", 1)[-1]
        for request in car.requests
        if request.method == "GET" and request.path.endswith(".mp4")
    ]
    event = next(w for w in JOURNEY.recordings() if w.kind == "E")
    before, after = (
        event.start - timedelta(minutes=1),
        event.start + timedelta(minutes=1),
    )
    assert videos == [
        event.video("F"),
        # Nearest first, before the event on a tie: the minute before, then the minute after.
        f"{before:%Y%m%d_%H%M%S}_NF.mp4",
        f"{after:%Y%m%d_%H%M%S}_NF.mp4",
    ]
    assert report.filtered == len(car.listed_names()) - 3


async def test_parking_at_home_is_not_fetched(
    car: BlackVueSimulator, session: aiohttp.ClientSession, destination: Path
) -> None:
    facade = archive_of(car, session, destination)
    await facade.start()
    home = Zone(*grid_point(*HOME), radius=100.0, name="Home")
    options = SyncOptions(skip_zones=(home,), zone_kinds=frozenset("P"))
    survey = await facade.survey(options)
    assert survey.skipped_in_zones == 0  # the archive does not know yet where the car was
    before = len(car.requests)
    # Events first: the drives' GPS arrives before the parking recordings, which are placed
    # then, at fetch time.
    report = await facade.sync(options, survey=survey)

    asked = [request.path for request in car.requests[before:]]
    parking = [w for w in JOURNEY.recordings() if w.kind == "P"]
    shop = grid_point(*SHOP)
    at_home = [w for w in parking if _distance_to(JOURNEY, w.start, shop) > 100]
    at_shop = [w for w in parking if w not in at_home]
    assert at_home
    assert at_shop
    assert report.skipped_in_zones == len(at_home) * 2  # front and rear
    for window in at_home:
        assert not any(window.stem in path for path in asked)
    for window in at_shop:
        assert any(path.endswith(window.video("F")) for path in asked)
    # From now on the plan itself leaves them out: nothing is pending.
    again = await facade.replan(options)
    assert again is not None
    assert again.skipped_in_zones == len(at_home) * 2
    assert again.pending_files == 0


@pytest.mark.parametrize("workers", [1, 2])
async def test_a_long_run_lists_again_and_fetches_a_new_event_next(
    car: BlackVueSimulator, session: aiohttp.ClientSession, destination: Path, workers: int
) -> None:
    now = [AFTER]
    client = BlackVueClient(session, f"127.0.0.1:{car.port}", tz=UTC, read_timeout=2.0)
    facade = CameraArchive(client, destination, camera_name="Car", clock=lambda: now[0])
    await facade.start()
    event = SimRecording(f"{AFTER:%Y%m%d_%H%M%S}_EF.mp4", 3000)

    def on_saved(item: SavedFile) -> None:
        if item.role is FileRole.VIDEO:
            now[0] += timedelta(minutes=1)  # each video takes a minute over the garage Wi-Fi
            if event not in car.recordings:
                car.recordings.append(event)  # a parking impact while the sync runs

    options = SyncOptions(concurrency=workers, relist_after=timedelta(minutes=3))
    async with asyncio.timeout(60):
        report = await facade.sync(options, hooks=SyncHooks(on_saved=on_saved))

    assert report.outcome is Outcome.COMPLETED
    asked = [request.path.rsplit("/", 1)[-1] for request in car.requests]
    listings = [name for name in asked if name in ("blackvue_vod.cgi", "vodList")]
    videos = [name for name in asked if name.endswith(".mp4")]
    assert len(listings) > 2  # every three minutes of the run
    assert videos.index(event.name) <= 3 + workers  # right after the first new listing
    assert sorted(videos) == sorted(car.listed_names())  # everything once, nothing twice
    assert report.planned == len({item.name for item in report.saved}) + len(report.absent)
    survey = await facade.replan(options)
    assert survey is not None
    assert survey.pending_files == 0
