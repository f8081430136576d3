"""GPS and trips cost, in-process: parse ``.gps`` files, derive trips, save their state, write GPX.

The ``.gps`` files are the simulated journey's (``camera_simulators.route``: RMC and GGA at 1 Hz,
CRLF, with junk), parsed as the Home Assistant layer will, one file per archived recording. The
trip state is the journey's summaries repeated day after day, as an archive of months would hold.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
import statistics
import time
from typing import Any

from bench.report import heading, ms, table
from camera_simulators.route import Journey
from custom_components.camsync.engine.archive import Archive
from custom_components.camsync.engine.gps import Fix, parse_gps
from custom_components.camsync.engine.gpx import gpx_document, save_trip_gpx
from custom_components.camsync.engine.trips import (
    RecordingSummary,
    TripBook,
    TripSettings,
    find_trips,
    summarise,
)


def _best(step: Callable[[], object], repeats: int) -> tuple[float, float]:
    times = []
    for _ in range(repeats):
        begun = time.perf_counter()
        step()
        times.append(time.perf_counter() - begun)
    return min(times), statistics.median(times)


def _shifted(summary: RecordingSummary, days: int) -> RecordingSummary:
    delta = timedelta(days=days)
    return replace(
        summary,
        name=f"{days:04d}_{summary.name}",
        start=summary.start + delta,
        first=None
        if summary.first is None
        else replace(summary.first, time=summary.first.time + delta),
        last=None
        if summary.last is None
        else replace(summary.last, time=summary.last.time + delta),
        first_moving=None if summary.first_moving is None else summary.first_moving + delta,
        last_moving=None if summary.last_moving is None else summary.last_moving + delta,
    )


def measure(work: Path, *, files: int, days: int, repeats: int) -> dict[str, Any]:
    """Measure parsing ``files`` one-minute ``.gps`` files and trips over ``days`` of journeys."""
    journey = Journey()
    windows = [window for window in journey.recordings() if window.has_gps]
    payloads = [journey.gps_file(window.start, window.seconds) for window in windows]
    corpus = [payloads[index % len(payloads)] for index in range(files)]
    lines = sum(payload.count(b"\n") for payload in corpus)
    parse = _best(lambda: [parse_gps(payload) for payload in corpus], repeats)

    tracks = {
        window.stem: parse_gps(payload).fixes
        for window, payload in zip(windows, payloads, strict=True)
    }
    one_day = [
        summarise(window.stem, window.start, tracks.get(window.stem, ()), parking=window.parking)
        for window in journey.recordings()
    ]
    summaries = [_shifted(summary, day) for day in range(days) for summary in one_day]
    settings = TripSettings()
    known = journey.end + timedelta(days=days)
    trips_time = _best(lambda: find_trips(summaries, settings, known), repeats)
    trips = find_trips(summaries, settings, known)

    book = TripBook(work / "trips.json", settings, {item.name: item for item in summaries})
    state = work / "trips.json"

    def save() -> None:
        book._dirty = True  # noqa: SLF001 - force the write being measured
        book.save()

    save_time = _best(save, repeats)
    load_time = _best(lambda: TripBook.load(work, settings), repeats)
    position_time = _best(lambda: book.position_at(known), repeats)

    hour = journey.start
    fixes = [
        Fix(
            hour + timedelta(seconds=second), 0.001 + second * 1e-6, 0.002, 13.9, 90.0, 12.0, 0.9, 9
        )
        for second in range(3600)
    ]
    hour_trip = replace(trips[0], start=fixes[0].time, end=fixes[-1].time)
    archive = Archive(work / "archive", "recordings")
    gpx_time = _best(lambda: gpx_document(hour_trip, fixes), repeats)
    save_gpx_time = _best(lambda: save_trip_gpx(archive, hour_trip, fixes), repeats)
    return {
        "files": files,
        "lines": lines,
        "bytes": sum(len(payload) for payload in corpus),
        "parse": parse,
        "summaries": len(summaries),
        "trips": len(trips),
        "find_trips": trips_time,
        "state_bytes": state.stat().st_size,
        "save": save_time,
        "load": load_time,
        "position_at": position_time,
        "gpx": gpx_time,
        "save_gpx": save_gpx_time,
        "gpx_bytes": len(gpx_document(hour_trip, fixes)),
        "repeats": repeats,
    }


def render(result: dict[str, Any]) -> str:
    """Return the GPS section of the report."""
    best, median = result["parse"]
    per_file = best / result["files"]
    rows = [
        [f"parse_gps, {result['files']:,} one-minute files", ms(best), ms(median)],
        [
            f"find_trips, {result['summaries']:,} recordings -> {result['trips']:,} trips",
            *map(ms, result["find_trips"]),
        ],
        [
            f"TripBook.save ({result['state_bytes'] / 1e6:.1f} MB of trips.json)",
            *map(ms, result["save"]),
        ],
        ["TripBook.load", *map(ms, result["load"])],
        ["TripBook.position_at", *map(ms, result["position_at"])],
        [
            f"gpx_document, 1 h at 1 Hz ({result['gpx_bytes'] / 1e3:.0f} kB)",
            *map(ms, result["gpx"]),
        ],
        ["save_trip_gpx (atomic, fsync)", *map(ms, result["save_gpx"])],
    ]
    return "\n".join(
        [
            heading(f"6. GPS and trips (in-process, best of {result['repeats']})"),
            table(["step", "best", "median"], rows),
            f"  parsing: {ms(per_file)} per one-minute file, "
            f"{result['lines'] / best / 1000:,.0f} k lines/s, "
            f"{result['bytes'] / best / 1e6:.1f} MB/s;"
            "\n  every step blocks and runs in the executor",
        ]
    )
