"""Event context ordering and zone skipping, as the planner will apply them to a listing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from camera_simulators.route import HOME, Journey, grid_point
from custom_components.camsync.engine.context import (
    EventContext,
    order_with_context,
    skip_in_zones,
)
from custom_components.camsync.engine.geo import Point, Zone
from custom_components.camsync.engine.gps import parse_gps
from custom_components.camsync.engine.models import FileRole, Recording, RemoteFile
from custom_components.camsync.engine.trips import TripBook, summarise

T0 = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
# BlackVue's vocabulary, as data: events-first rank, and which letters are events.
TYPE_ORDER = "MEIBOATDLYFRXGNP"
EVENTS = frozenset("MEIBOATDLYF")


def rec(minute: float, kind: str = "N", channel: str = "F") -> Recording:
    start = T0 + timedelta(minutes=minute)
    name = f"{start:%Y%m%d_%H%M%S}_{kind}{channel}.mp4"
    return Recording(
        name=name,
        start=start,
        kind=kind,
        channel=channel,
        event=kind in EVENTS,
        rank=TYPE_ORDER.index(kind),
        files=(RemoteFile(name, FileRole.VIDEO, f"/Record/{name}"),),
    )


def events_first(recordings: list[Recording]) -> list[Recording]:
    """Return the planner's default order: events by rank, newest first, then the rest."""
    return sorted(
        recordings, key=lambda item: (not item.event, item.rank, -item.start.timestamp(), item.name)
    )


def names(recordings: list[Recording]) -> list[str]:
    return [item.name[9:18] for item in recordings]  # HHMMSS_KC


def test_context_follows_its_event_nearest_first() -> None:
    listing = [rec(minute) for minute in range(10)] + [rec(5.5, "E"), rec(5.5, "E", "R")]
    listing += [rec(minute, channel="R") for minute in (5, 6)]
    context = EventContext(before=timedelta(minutes=2), after=timedelta(minutes=1))

    ordered = order_with_context(events_first(listing), context)

    assert names(ordered)[:8] == [
        "080530_EF",
        # 30 s either side: before first, then the event's own channel; 90 s before last.
        "080500_NF",
        "080500_NR",
        "080600_NF",
        "080600_NR",
        "080400_NF",
        # The rear event comes next; its context is already placed.
        "080530_ER",
        # Then everything else in the planner's order (newest first).
        "080900_NF",
    ]
    assert sorted(item.name for item in ordered) == sorted(item.name for item in listing)
    assert len(ordered) == len(listing)


def test_without_events_nothing_moves_and_window_edges_count() -> None:
    listing = events_first([rec(minute) for minute in range(5)])
    assert order_with_context(listing, EventContext()) == listing
    with_event = events_first([*listing, rec(2, "M")])
    ordered = order_with_context(with_event, EventContext())
    # Exactly one minute before and after is inside the window.
    assert names(ordered)[:4] == ["080200_MF", "080200_NF", "080100_NF", "080300_NF"]


def test_context_kinds_and_parking_events() -> None:
    listing = [rec(0, "P"), rec(1, "I"), rec(1.5, "P"), rec(2, "N"), rec(30, "P")]
    # By default any non-event is context: a parking impact brings its parking recordings.
    ordered = order_with_context(events_first(listing), EventContext())
    assert names(ordered) == ["080100_IF", "080130_PF", "080000_PF", "080200_NF", "083000_PF"]
    only_normal = EventContext(kinds=frozenset("N"))
    ordered = order_with_context(events_first(listing), only_normal)
    assert names(ordered)[:2] == ["080100_IF", "080200_NF"]


def test_context_also_works_newest_first() -> None:
    listing = [rec(minute) for minute in range(6)] + [rec(2.5, "E")]
    newest_first = sorted(listing, key=lambda item: -item.start.timestamp())
    ordered = order_with_context(newest_first, EventContext())
    assert names(ordered) == [
        "080500_NF",
        "080400_NF",
        "080300_NF",
        "080230_EF",
        "080200_NF",
        "080100_NF",
        "080000_NF",
    ]


def test_zone_skips_parking_recordings_made_at_home(tmp_path: Path) -> None:
    journey = Journey()
    book = TripBook(tmp_path / "trips.json")
    windows = journey.recordings()
    gps = {}
    for window in windows:
        track = (
            parse_gps(journey.gps_file(window.start, window.seconds)) if window.has_gps else None
        )
        fixes = track.fixes if track else ()
        if fixes:
            gps[window.video()] = fixes[-1]
        book.add(summarise(window.stem, window.start, fixes, parking=window.parking))
    listing = [
        Recording(
            window.video(),
            window.start,
            window.kind,
            "F",
            window.kind in EVENTS,
            TYPE_ORDER.index(window.kind),
            (),
        )
        for window in windows
    ]
    home = Zone(*grid_point(*HOME), radius=100.0, name="home")

    def locate(recording: Recording) -> Point | None:
        fix = gps.get(recording.name)
        if fix is not None:
            return Point(fix.lat, fix.lon)
        position = book.position_at(recording.start)
        return None if position is None else Point(position.lat, position.lon)

    split = skip_in_zones(listing, [home], kinds=frozenset("P"), locate=locate)

    # Parking at home is skipped, by its own GPS or (without) by where the car last stood;
    # parking at the shop and every drive recording (even those starting at home) are kept.
    assert [item.name for item in split.skipped] == [
        "20261120_075200_PF.mp4",
        "20261120_075900_PF.mp4",
        "20261120_083842_PF.mp4",
        "20261120_084542_PF.mp4",
    ]
    assert [item.name for item in split.kept if item.kind == "P"] == [
        "20261120_080614_PF.mp4",
        "20261120_081314_PF.mp4",
        "20261120_082014_PF.mp4",
        "20261120_082714_PF.mp4",
    ]
    assert len(split.kept) + len(split.skipped) == len(listing)
    assert [item.name for item in split.kept] == [
        item.name for item in listing if item not in split.skipped
    ]


def test_zone_rules() -> None:
    here = Point(0.01, 0.02)
    zone = Zone(0.01, 0.02, radius=50.0)
    parked, impact, normal = rec(0, "P"), rec(1, "I"), rec(2, "N")
    everything = [parked, impact, normal]

    split = skip_in_zones(everything, [zone], kinds=frozenset("P"), locate=lambda _: here)
    assert (split.kept, split.skipped) == ([impact, normal], [parked])
    split = skip_in_zones(everything, [zone], kinds=frozenset("PI"), locate=lambda _: here)
    assert split.skipped == [parked, impact]
    # 60 m away is outside a 50 m zone; the edge itself is inside.
    away = Point(0.01 + 60 / 111_195, 0.02)
    assert (
        skip_in_zones(everything, [zone], kinds=frozenset("P"), locate=lambda _: away).skipped == []
    )
    edge = Point(0.01 + 50 / 111_195 - 1e-9, 0.02)
    assert skip_in_zones([parked], [zone], kinds=frozenset("P"), locate=lambda _: edge).skipped == [
        parked
    ]
    # No position, or no zone: kept.
    assert (
        skip_in_zones(everything, [zone], kinds=frozenset("P"), locate=lambda _: None).skipped == []
    )
    assert (
        skip_in_zones(everything, [], kinds=frozenset("P"), locate=lambda _: here).kept
        == everything
    )
    # Any of several zones.
    other = Zone(1.0, 1.0, radius=10.0)
    assert skip_in_zones(
        [parked], [other, zone], kinds=frozenset("P"), locate=lambda _: here
    ).skipped == [parked]
