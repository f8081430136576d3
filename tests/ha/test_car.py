"""The car in Home Assistant: its tracker, trips, the trip event and its GPX, the latest event.

The simulated dashcam recorded ``camera_simulators.route.Journey`` (park at home, drive to the
shop, park, drive home by a loop, park) on its own clock, and serves the journey's ``.gps``.
Home Assistant's home is the journey's home.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from homeassistant.util.unit_system import US_CUSTOMARY_SYSTEM
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
import xmlschema

from camera_simulators.blackvue import BlackVueSimulator, journey_recordings
from camera_simulators.route import HOME, SHOP, DashcamGps, Journey, grid_point
from custom_components.camsync.connection import dashcam_time_zone
from custom_components.camsync.const import (
    CONF_CHANNELS,
    CONF_EVENT_CONTEXT,
    CONF_KINDS,
    CONF_SKIP_ZONES,
    CONF_SYNC_INTERVAL,
    EVENT_TRIP_FINISHED,
)
from custom_components.camsync.engine.geo import distance
from tests.engine.test_gpx import _schema_path
from tests.ha.conftest import blackvue_entry, state_of, sync_and_wait

# The dashcam keeps standard time: UTC-8 in the tests' US/Pacific.
CLOCK = timezone(timedelta(hours=-8))
JOURNEY = Journey(datetime(2026, 11, 20, 7, 50, tzinfo=CLOCK))
TRACKER = "device_tracker.dashcam_car"
LAST_TRIP = "sensor.dashcam_last_trip"
TODAY = "sensor.dashcam_distance_today"
LATEST_EVENT = "sensor.dashcam_latest_event"


def near(lat: float, lon: float, place: tuple[float, float], metres: float = 15) -> bool:
    return distance(lat, lon, *place) <= metres


@pytest.fixture
async def car(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> AsyncIterator[BlackVueSimulator]:
    """Return the dashcam of the journey, half an hour after it; Home Assistant's home is home."""
    freezer.move_to((JOURNEY.end + timedelta(minutes=30)).astimezone(UTC))
    assert dashcam_time_zone() == CLOCK
    hass.config.latitude, hass.config.longitude = grid_point(*HOME)
    recordings = journey_recordings(JOURNEY, size_range=(2000, 4000))
    async with BlackVueSimulator(recordings, gps=DashcamGps([JOURNEY], tz=CLOCK)) as simulator:
        yield simulator


async def set_up(hass: HomeAssistant, entry: MockConfigEntry) -> MockConfigEntry:
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


async def test_trips_become_events_gpx_files_sensors_and_a_place_on_the_map(
    hass: HomeAssistant, media: Path, car: BlackVueSimulator
) -> None:
    finished = async_capture_events(hass, EVENT_TRIP_FINISHED)
    entry = await set_up(hass, blackvue_entry(car, media / "dashcam"))
    assert state_of(hass, TRACKER) == "unknown"  # nothing archived yet
    assert state_of(hass, LAST_TRIP) == "unknown"

    report = await sync_and_wait(hass, entry)
    await hass.async_block_till_done()

    assert report["outcome"] == "completed"
    # Two trips, announced once each, in order, with a GPX 1.1 file beside the recordings.
    assert [event.data["id"] for event in finished] == [
        f"{leg.start - timedelta(seconds=20):%Y%m%d_%H%M%S}" for leg in JOURNEY.legs
    ]
    schema = xmlschema.XMLSchema(str(_schema_path()))
    for event, leg in zip(finished, JOURNEY.legs, strict=True):
        data = event.data
        assert data["entry_id"] == entry.entry_id
        assert data["device_id"] is not None
        assert abs(data["distance"] - leg.distance) < 0.02 * leg.distance
        assert data["distance_km"] == round(data["distance"] / 1000, 1)
        assert 50 <= data["max_speed_kmh"] <= 71
        gpx = Path(data["gpx_path"])
        assert gpx.parent == media / "dashcam" / "recordings" / "2026-11-20"
        assert gpx.name == data["gpx"]
        schema.validate(str(gpx))

    # The tracker: home, where the last fix is, with the recording it came from.
    tracker = hass.states.get(TRACKER)
    assert tracker is not None
    assert tracker.state == "home"
    assert near(tracker.attributes["latitude"], tracker.attributes["longitude"], grid_point(*HOME))
    assert 0 < tracker.attributes["gps_accuracy"] < 10
    last_gps = [window for window in JOURNEY.recordings() if window.has_gps][-1]
    assert tracker.attributes["recording"] == last_gps.stem
    assert tracker.attributes["source_type"] == "gps"
    assert "location_name" not in tracker.attributes

    # Today's distance, and the last trip with what an automation needs.
    total = sum(leg.distance for leg in JOURNEY.legs) / 1000
    assert abs(float(state_of(hass, TODAY)) - total) < 0.1
    last = hass.states.get(LAST_TRIP)
    assert last is not None
    assert float(last.state) == pytest.approx(finished[-1].data["distance"] / 1000, abs=0.001)
    assert last.attributes["unit_of_measurement"] == "km"
    second = JOURNEY.legs[1]
    assert dt_util.parse_datetime(last.attributes["start"]) <= second.start
    assert dt_util.parse_datetime(last.attributes["end"]) >= second.end - timedelta(seconds=2)
    minutes = (second.end - second.start).total_seconds() / 60
    assert minutes <= last.attributes["duration_minutes"] <= minutes + 1
    assert 60 < last.attributes["max_speed_kmh"] <= 71  # the avenue is 70 km/h
    assert near(
        last.attributes["start_latitude"], last.attributes["start_longitude"], grid_point(*SHOP)
    )
    assert near(
        last.attributes["end_latitude"], last.attributes["end_longitude"], grid_point(*HOME)
    )
    assert last.attributes["gpx"] == finished[-1].data["gpx"]

    # The latest event: the hard brake on the way to the shop, where it happened.
    event_window = next(window for window in JOURNEY.recordings() if window.kind == "E")
    latest = hass.states.get(LATEST_EVENT)
    assert latest is not None
    assert dt_util.parse_datetime(latest.state) == event_window.start
    assert latest.attributes["kind"] == "E"
    assert latest.attributes["video"] == event_window.video("F")
    assert latest.attributes["thumbnail"] == f"{event_window.stem}F.thm"
    there = JOURNEY.sample_at(event_window.start + timedelta(seconds=1))
    assert near(
        latest.attributes["latitude"], latest.attributes["longitude"], (there.lat, there.lon), 30
    )

    # Nothing is announced twice (another sync, nothing new).
    await sync_and_wait(hass, entry)
    assert len(finished) == 2


async def test_today_starts_again_at_midnight_and_the_event_survives_a_restart(
    hass: HomeAssistant, media: Path, car: BlackVueSimulator, freezer: FrozenDateTimeFactory
) -> None:
    # A check once a day: only the midnight update can bring today's distance back to 0.
    entry = await set_up(hass, blackvue_entry(car, media / "dashcam", **{CONF_SYNC_INTERVAL: 1440}))
    await sync_and_wait(hass, entry)
    assert float(state_of(hass, TODAY)) > 5
    event_time = state_of(hass, LATEST_EVENT)

    midnight = dt_util.start_of_local_day() + timedelta(days=1)
    freezer.move_to(midnight + timedelta(seconds=1))
    async_fire_time_changed(hass, midnight + timedelta(seconds=1))
    await hass.async_block_till_done(wait_background_tasks=True)
    assert float(state_of(hass, TODAY)) == 0
    assert float(state_of(hass, LAST_TRIP)) > 5  # yesterday's last trip is still the last

    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert state_of(hass, LATEST_EVENT) == event_time  # the archive's names alone do not tell
    assert hass.states.get(LATEST_EVENT).attributes["kind"] == "E"
    assert state_of(hass, TRACKER) == "home"  # from .camsync/trips.json, nothing re-read
    assert entry.runtime_data.archive.trips.reading.files == 0


async def test_diagnostics_keep_the_trips_but_not_the_places(
    hass: HomeAssistant,
    media: Path,
    car: BlackVueSimulator,
    hass_client: ClientSessionGenerator,
) -> None:
    entry = await set_up(hass, blackvue_entry(car, media / "dashcam"))
    await sync_and_wait(hass, entry)

    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)

    car_facts = diagnostics["car"]
    assert car_facts["trips"] == 2
    assert car_facts["gps_read"]["files"] > 0
    assert car_facts["last_trip"]["distance"] > 5000
    assert car_facts["position"]["latitude"] == "**REDACTED**"
    assert car_facts["last_trip"]["end_longitude"] == "**REDACTED**"
    assert diagnostics["latest_event"]["kind"] == "E"
    assert diagnostics["latest_event"]["latitude"] == "**REDACTED**"
    # No coordinate of the town (all within 0.02 degrees of 0/0) anywhere.
    assert not any(
        isinstance(value, float) and 0 < abs(value) < 0.02 for value in _leaves(diagnostics)
    )


def _leaves(value: Any) -> list[Any]:
    """Return every value in a JSON-like tree (timings in seconds left out)."""
    if isinstance(value, dict):
        return [leaf for key, item in value.items() if key != "seconds" for leaf in _leaves(item)]
    if isinstance(value, list):
        return [leaf for item in value for leaf in _leaves(item)]
    return [value]


def videos_asked(camera: BlackVueSimulator, since: int = 0) -> list[str]:
    return [
        request.path.rsplit("/", 1)[-1]
        for request in camera.requests[since:]
        if request.method == "GET" and request.path.endswith(".mp4")
    ]


async def test_an_event_comes_with_the_minute_before_and_after_it(
    hass: HomeAssistant, media: Path, car: BlackVueSimulator
) -> None:
    options = {CONF_KINDS: ["E"], CONF_CHANNELS: ["F"], CONF_EVENT_CONTEXT: 1}
    entry = await set_up(hass, blackvue_entry(car, media / "dashcam", **options))
    assert state_of(hass, "sensor.dashcam_pending_downloads") == "3"

    report = await sync_and_wait(hass, entry)

    event = next(window for window in JOURNEY.recordings() if window.kind == "E")
    before, after = event.start - timedelta(minutes=1), event.start + timedelta(minutes=1)
    assert videos_asked(car) == [
        event.video("F"),
        f"{before:%Y%m%d_%H%M%S}_NF.mp4",
        f"{after:%Y%m%d_%H%M%S}_NF.mp4",
    ]
    assert report["saved_files"] == 3 + 3 * 3  # and their thumbnails, GPS and G-sensor files


async def test_parking_recordings_at_home_are_not_downloaded(
    hass: HomeAssistant, media: Path, car: BlackVueSimulator
) -> None:
    entry = await set_up(
        hass, blackvue_entry(car, media / "dashcam", **{CONF_SKIP_ZONES: ["zone.home"]})
    )

    report = await sync_and_wait(hass, entry)

    asked = videos_asked(car)
    parking = [window for window in JOURNEY.recordings() if window.kind == "P"]
    home = grid_point(*HOME)
    at_home = [w for w in parking if near(*_where(w.start), home, 100)]
    assert len(at_home) == 4  # two before the drive to the shop, two after the drive home
    assert report["skipped_in_zones"] == len(at_home) * 2
    assert not any(window.stem in name for window in at_home for name in asked)
    assert all(window.video("F") in asked for window in parking if window not in at_home)
    assert state_of(hass, "sensor.dashcam_pending_downloads") == "0"  # nothing left to fetch


def _where(when: datetime) -> tuple[float, float]:
    sample = JOURNEY.sample_at(when)
    return sample.lat, sample.lon


async def test_distances_follow_the_unit_system(
    hass: HomeAssistant, media: Path, car: BlackVueSimulator
) -> None:
    hass.config.units = US_CUSTOMARY_SYSTEM
    entry = await set_up(hass, blackvue_entry(car, media / "dashcam"))
    await sync_and_wait(hass, entry)

    total_km = sum(leg.distance for leg in JOURNEY.legs) / 1000
    today = hass.states.get(TODAY)
    assert today is not None
    assert today.attributes["unit_of_measurement"] == "mi"
    assert float(today.state) == pytest.approx(total_km / 1.609344, abs=0.1)
    assert hass.states.get(LAST_TRIP).attributes["unit_of_measurement"] == "mi"
