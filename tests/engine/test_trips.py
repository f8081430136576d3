"""Trips from recordings' GPS: splitting, finishing, out-of-order arrival and the saved state."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
import json
import logging
from pathlib import Path

import pytest

from camera_simulators.route import HOME, SHOP, Journey, Window, grid_point
from custom_components.camsync.engine.gps import Fix, parse_gps
from custom_components.camsync.engine.trips import (
    TRIPS_FILE,
    RecordingSummary,
    TripBook,
    TripSettings,
    clock_offset,
    find_trips,
    summarise,
)

T0 = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
SETTINGS = TripSettings()


def journey_summaries(
    journey: Journey, windows: Iterable[Window] | None = None
) -> list[RecordingSummary]:
    """Summarise each recording of the journey as the HA layer will: its .gps, if it has one."""
    summaries = []
    for window in journey.recordings() if windows is None else windows:
        fixes = (
            parse_gps(journey.gps_file(window.start, window.seconds)).fixes
            if window.has_gps
            else ()
        )
        summaries.append(summarise(window.stem, window.start, fixes, parking=window.parking))
    return summaries


def straight(
    name: str, start: datetime, seconds: int, speed: float, *, lon: float = 0.02
) -> RecordingSummary:
    """Summarise a recording driving east at ``speed`` m/s (0: standing) from ``lon``."""
    fixes = [
        Fix(start + timedelta(seconds=second), 0.01, lon + second * speed / 111_320, speed, 90.0)
        for second in range(seconds)
    ]
    return summarise(name, start, fixes, parking=False)


def parking(name: str, start: datetime) -> RecordingSummary:
    return summarise(name, start, (), parking=True)


def test_journey_makes_two_trips_as_driven() -> None:
    journey = Journey()
    first_leg, second_leg = journey.legs
    trips = find_trips(journey_summaries(journey), SETTINGS, journey.end)

    assert [trip.id for trip in trips] == ["20261120_080000", "20261120_082914"]
    one, two = trips
    assert one.recordings == (
        "20261120_080000_N",
        "20261120_080100_N",
        "20261120_080200_E",
        "20261120_080300_N",
    )
    # The ignition-on idle counts (it is in the first recording), the trailing idle recording not.
    assert one.start == T0 + timedelta(seconds=2)
    assert one.end == first_leg.end
    assert abs(one.distance - first_leg.distance) < 0.01 * first_leg.distance
    assert abs(two.distance - second_leg.distance) < 0.01 * second_leg.distance
    assert one.max_speed == pytest.approx(70 / 3.6, abs=0.01)
    assert one.average_speed is not None
    assert abs(one.average_speed - one.distance / one.duration.total_seconds()) < 1e-9
    home, shop = grid_point(*HOME), grid_point(*SHOP)
    assert (one.start_point.lat, one.start_point.lon) == pytest.approx(home, abs=2e-5)
    assert (one.end_point.lat, one.end_point.lon) == pytest.approx(shop, abs=2e-5)
    assert (two.end_point.lat, two.end_point.lon) == pytest.approx(home, abs=2e-5)
    # Each trip ends when parking mode starts, at the shop and at home.
    assert one.closes_at == datetime(2026, 11, 20, 8, 6, 14, tzinfo=UTC)
    assert two.closes_at == datetime(2026, 11, 20, 8, 38, 42, tzinfo=UTC)
    assert one.finished
    assert two.finished
    assert one.gpx_name == "trip_20261120_080000.gpx"
    data = one.as_dict()
    assert data["id"] == "20261120_080000"
    assert data["duration"] == round(one.duration.total_seconds())
    assert data["distance"] == round(one.distance, 1)
    json.dumps(data)


def test_trip_finishes_only_once_the_archive_is_complete_to_its_end() -> None:
    summaries = journey_summaries(Journey())
    assert [trip.finished for trip in find_trips(summaries, SETTINGS, None)] == [False, False]
    parked_at_shop = datetime(2026, 11, 20, 8, 6, 14, tzinfo=UTC)
    states = [
        [trip.finished for trip in find_trips(summaries, SETTINGS, moment)]
        for moment in (parked_at_shop - timedelta(seconds=1), parked_at_shop)
    ]
    assert states == [[False, False], [True, False]]


def test_out_of_order_arrival_gives_the_same_trips_and_announces_each_once(tmp_path: Path) -> None:
    journey = Journey()
    summaries = journey_summaries(journey)
    expected = find_trips(summaries, SETTINGS, journey.end)
    # Events first, then newest first: the order camsync downloads in by default.
    arrival = sorted(
        summaries, key=lambda summary: (summary.name[-1] != "E", -summary.start.timestamp())
    )
    book = TripBook(tmp_path / TRIPS_FILE)
    announced = []
    pending = sorted(summary.start for summary in summaries)
    for index, summary in enumerate(arrival):
        book.add(summary)
        # The HA layer's watermark: everything before the oldest recording still to fetch.
        left = sorted(item.start for item in arrival[index + 1 :])
        known_until = left[0] if left else journey.end
        announced += [trip.id for trip in book.newly_finished(known_until)]
    assert pending
    assert book.trips(journey.end) == expected
    assert announced == [trip.id for trip in expected]
    assert book.newly_finished(journey.end + timedelta(days=1)) == []


def test_in_order_arrival_announces_a_trip_as_soon_as_it_is_over(tmp_path: Path) -> None:
    journey = Journey()
    book = TripBook(tmp_path / TRIPS_FILE)
    announced_at = {}
    for summary in journey_summaries(journey):
        book.add(summary)
        for trip in book.newly_finished(summary.start):
            announced_at[trip.id] = summary.name
    # Each as soon as the parking recording that ends it arrives.
    assert announced_at == {
        "20261120_080000": "20261120_080614_P",
        "20261120_082914": "20261120_083842_P",
    }


def test_a_long_stop_without_parking_splits_trips() -> None:
    summaries = [
        straight("a", T0, 60, 12.0),
        straight("b", T0 + timedelta(minutes=1), 60, 12.0, lon=0.03),
        # Fifteen minutes standing with the engine on: normal recordings, no movement.
        *(
            straight(f"s{minute}", T0 + timedelta(minutes=minute), 60, 0.0, lon=0.04)
            for minute in range(2, 17)
        ),
        straight("c", T0 + timedelta(minutes=17), 60, 12.0, lon=0.04),
    ]
    assert [trip.recordings for trip in find_trips(summaries, SETTINGS, None)] == [
        ("a", "b"),
        ("c",),
    ]
    patient = TripSettings(gap=timedelta(minutes=20))
    (trip,) = find_trips(summaries, patient, None)
    # The stop belongs to the trip; standing adds no distance.
    assert trip.recordings == ("a", "b", *(f"s{minute}" for minute in range(2, 17)), "c")
    assert abs(trip.distance - 3 * 59 * 12.0 - 2 * 12.0) < 50


def test_parking_ends_a_trip_however_short_the_stop() -> None:
    summaries = [
        straight("a", T0, 60, 12.0),
        parking("p", T0 + timedelta(minutes=1, seconds=30)),
        straight("b", T0 + timedelta(minutes=3), 60, 12.0, lon=0.03),
    ]
    trips = find_trips(summaries, SETTINGS, T0 + timedelta(minutes=2))
    assert [trip.recordings for trip in trips] == [("a",), ("b",)]
    assert trips[0].closes_at == T0 + timedelta(minutes=1, seconds=30)
    assert [trip.finished for trip in trips] == [True, False]


def test_standing_and_gps_less_recordings_make_no_trip() -> None:
    summaries = [
        straight("s", T0, 60, 0.0),
        summarise("n", T0 + timedelta(minutes=1), (), parking=False),
        parking("p", T0 + timedelta(minutes=2)),
    ]
    assert find_trips(summaries, SETTINGS, None) == []


def test_wrong_camera_clock_keeps_parking_in_its_place() -> None:
    # The camera names recordings an hour ahead of UTC (a zone set wrong, or DST it ignores): a
    # parking recording without GPS must still split the two drives five minutes apart.
    ahead = timedelta(hours=1)

    def shifted(summary: RecordingSummary) -> RecordingSummary:
        return RecordingSummary(
            summary.name,
            summary.start + ahead,
            summary.parking,
            summary.fixes,
            summary.first,
            summary.last,
            summary.first_moving,
            summary.last_moving,
            summary.distance,
            summary.max_speed,
        )

    summaries = [
        shifted(straight("a", T0, 60, 12.0)),
        parking("p", T0 + timedelta(minutes=2) + ahead),
        shifted(straight("b", T0 + timedelta(minutes=5), 60, 12.0, lon=0.03)),
    ]
    assert clock_offset(summaries) == ahead
    # known_until is on the camera's clock too: five minutes after "b" started, the car may
    # still be driving, so trip "b" is not over yet.
    one, two = find_trips(summaries, SETTINGS, T0 + ahead + timedelta(minutes=10))
    assert (one.recordings, two.recordings) == (("a",), ("b",))
    assert one.closes_at == T0 + timedelta(minutes=2)
    assert two.closes_at == T0 + timedelta(minutes=5, seconds=59) + SETTINGS.gap
    assert (one.finished, two.finished) == (True, False)
    # A few seconds between a name and its first fix is GPS start-up, not a clock offset.
    late_fix = straight("c", T0, 60, 12.0)
    assert clock_offset(
        [RecordingSummary("c", T0 - timedelta(seconds=20), False, 1, late_fix.first)]
    ) == timedelta(0)


def test_summarise_ignores_drift_and_fixes_from_another_day() -> None:
    drift = [
        Fix(T0 + timedelta(seconds=second), 0.01 + (second % 2) * 1e-5, 0.02, 0.2, 0.0)
        for second in range(60)
    ]
    standing = summarise("s", T0, drift, parking=False)
    assert standing.distance == 0.0
    assert standing.moving is False
    assert standing.fixes == 60
    stray = Fix(T0 + timedelta(days=3), 0.5, 0.5, 10.0, 0.0)
    assert summarise("s", T0, [*drift, stray], parking=False) == standing
    # Without RMC speeds, movement comes from the distance between fixes.
    gga_only = [
        Fix(T0 + timedelta(seconds=second), 0.01, 0.02 + second * 10 / 111_320)
        for second in range(10)
    ]
    moving = summarise("g", T0, gga_only, parking=False)
    assert moving.moving
    assert abs(moving.distance - 90.0) < 1.0
    assert moving.max_speed == pytest.approx(10.0, abs=0.1)


def test_positions_for_the_tracker_and_for_parking_recordings() -> None:
    journey = Journey()
    book = TripBook(Path("unused"))
    for summary in journey_summaries(journey):
        book.add(summary)
    newest = book.newest_position()
    assert newest is not None
    assert newest.recording == "20261120_083842_P"  # the later one has no GPS
    assert (newest.lat, newest.lon) == pytest.approx(grid_point(*HOME), abs=2e-5)
    assert newest.accuracy == 8.0  # HDOP 1.6 while parked
    # A parking recording at the shop has no GPS: the car stands where the first trip ended.
    at_shop = book.position_at(datetime(2026, 11, 20, 8, 13, 14, tzinfo=UTC))
    assert at_shop is not None
    assert (at_shop.lat, at_shop.lon) == pytest.approx(grid_point(*SHOP), abs=2e-5)
    assert book.position_at(journey.start - timedelta(minutes=1)) is None
    assert newest.as_dict()["recording"] == "20261120_083842_P"


def test_distance_between_sums_the_days_driving() -> None:
    journey = Journey()
    book = TripBook(Path("unused"))
    for summary in journey_summaries(journey):
        book.add(summary)
    day = datetime(2026, 11, 20, tzinfo=UTC)
    today = book.distance_between(day, day + timedelta(days=1))
    assert today == sum(trip.distance for trip in book.trips())
    assert abs(today - sum(leg.distance for leg in journey.legs)) < 0.01 * today
    assert book.distance_between(day + timedelta(days=1), day + timedelta(days=2)) == 0.0


def test_state_survives_a_restart(tmp_path: Path) -> None:
    journey = Journey()
    book = TripBook.load(tmp_path)
    for summary in journey_summaries(journey):
        book.add(summary)
    announced = book.newly_finished(journey.end)
    book.save()
    raw = json.loads((tmp_path / TRIPS_FILE).read_bytes())
    assert raw["version"] == 1
    assert raw["announced"] == [trip.id for trip in announced]
    entry = raw["recordings"]["20261120_080000_N"]
    assert set(entry) == {
        "start",
        "parking",
        "fixes",
        "first",
        "last",
        "first_moving",
        "last_moving",
        "distance",
        "max_speed",
    }
    assert entry["start"] == "2026-11-20T08:00:00+00:00"
    assert entry["fixes"] == 58
    assert not list(tmp_path.glob("*.tmp"))

    again = TripBook.load(tmp_path)
    assert "20261120_080000_N" in again
    assert [trip.as_dict() for trip in again.trips(journey.end)] == [
        trip.as_dict() for trip in book.trips(journey.end)
    ]
    assert again.newly_finished(journey.end) == []
    again.forget(["20261120_080000_N", "not-there"])
    again.save()
    assert "20261120_080000_N" not in TripBook.load(tmp_path)


def test_saving_is_skipped_when_nothing_changed(tmp_path: Path) -> None:
    book = TripBook.load(tmp_path)
    book.save()
    assert not (tmp_path / TRIPS_FILE).exists()
    summary = straight("a", T0, 10, 12.0)
    book.add(summary)
    book.save()
    written = (tmp_path / TRIPS_FILE).stat().st_mtime_ns
    book.add(summary)
    book.save()
    assert (tmp_path / TRIPS_FILE).stat().st_mtime_ns == written


@pytest.mark.parametrize(
    "content",
    [
        b"not json",
        b'{"version": 1, "moving_speed": 2.0, "recordings": {"a": {"start": "nope"}}}',
        b'{"version": 1, "moving_speed": 2.0, "recordings": {"a": {"start": "2026-11-20T08:00:00",'
        b' "parking": false, "fixes": 0, "first": null, "last": null, "first_moving": null,'
        b' "last_moving": null, "distance": 0, "max_speed": null}}}',
        b'{"version": 1, "moving_speed": 2.0, "recordings": {"a": {"start": "2026-11-20T08:00:00Z",'
        b' "parking": false, "fixes": 1, "first": [0, 91, 0, null], "last": null,'
        b' "first_moving": null, "last_moving": null, "distance": 0, "max_speed": null}}}',
        b'{"version": 1, "moving_speed": 2.0, "recordings": {"a": {"start": "2026-11-20T08:00:00Z",'
        b' "parking": false, "fixes": 0, "first": null, "last": null, "first_moving": null,'
        b' "last_moving": null, "distance": -5, "max_speed": null}}}',
        b"[]",
    ],
)
def test_damaged_state_starts_over(
    tmp_path: Path, content: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / TRIPS_FILE).write_bytes(content)
    with caplog.at_level(logging.WARNING):
        book = TripBook.load(tmp_path)
    assert book.summaries == {}
    assert "Ignoring unreadable trip state" in caplog.text


def test_other_version_or_moving_speed_starts_over(tmp_path: Path) -> None:
    book = TripBook.load(tmp_path)
    book.add(straight("a", T0, 10, 12.0))
    book.save()
    assert "a" in TripBook.load(tmp_path)
    assert "a" not in TripBook.load(tmp_path, TripSettings(moving_speed=3.0))
    raw = json.loads((tmp_path / TRIPS_FILE).read_bytes())
    raw["version"] = 99
    (tmp_path / TRIPS_FILE).write_text(json.dumps(raw))
    assert "a" not in TripBook.load(tmp_path)


def test_overlapping_recordings_add_no_join_and_no_fixes_no_offset() -> None:
    # An event recording overlaps the normal one it interrupts: no distance between them.
    normal = straight("n", T0, 60, 12.0)
    event = straight("e", T0 + timedelta(seconds=50), 20, 12.0, lon=0.02 + 50 * 12 / 111_320)
    (trip,) = find_trips([normal, event], SETTINGS, None)
    assert trip.distance == normal.distance + event.distance
    assert clock_offset([parking("p", T0)]) == timedelta(0)


def test_position_at_follows_new_recordings_and_overlaps() -> None:
    book = TripBook(Path("unused"))
    book.add(straight("a", T0, 360, 12.0))  # 08:00:00 to 08:05:59
    book.add(straight("b", T0 + timedelta(minutes=5), 30, 12.0, lon=0.5))  # overlaps "a"
    # At 08:05:40 "a" is still running (only its first fix is known to be older) and "b" ended.
    at = book.position_at(T0 + timedelta(minutes=5, seconds=40))
    assert at is not None
    assert (at.recording, at.time) == ("b", T0 + timedelta(minutes=5, seconds=29))
    later = T0 + timedelta(minutes=7)
    position = book.position_at(later)
    assert position is not None
    assert (position.recording, position.time) == ("a", T0 + timedelta(minutes=5, seconds=59))
    book.add(straight("c", T0 + timedelta(minutes=6), 10, 12.0, lon=0.7))
    position = book.position_at(later)
    assert position is not None
    assert position.recording == "c"
    book.forget(["c"])
    position = book.position_at(later)
    assert position is not None
    assert position.recording == "a"
