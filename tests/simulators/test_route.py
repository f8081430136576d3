"""The generated journey: plausible, synthetic, deterministic ``.gps`` the parser reads back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from camera_simulators.route import (
    AVENUE_SPEED,
    BLOCK,
    HOME,
    RECORDING_SECONDS,
    SHOP,
    STREET_SPEED,
    Journey,
    grid_point,
    nmea_angle,
)
from custom_components.camsync.engine.geo import distance
from custom_components.camsync.engine.gps import parse_gps


def test_journey_drives_two_legs_between_three_parked_spells() -> None:
    journey = Journey()
    first, second = journey.legs
    assert first.start == journey.start + timedelta(minutes=10, seconds=20)
    # Street and avenue blocks: 7 blocks out, 13 blocks back by the loop.
    assert 7 * 395 < first.distance < 7 * 405
    assert 13 * 395 < second.distance < 13 * 405
    assert second.start - first.end > timedelta(minutes=25)
    speeds = [sample.speed for sample in journey.samples]
    assert max(speeds) <= AVENUE_SPEED + 1e-9
    assert any(abs(speed - STREET_SPEED) < 1e-9 for speed in speeds)
    # No teleporting: consecutive samples are at most one second of the avenue apart.
    for before, after in zip(journey.samples, journey.samples[1:], strict=False):
        step = distance(before.lat, before.lon, after.lat, after.lon)
        assert step <= AVENUE_SPEED + 0.5
    assert journey.sample_at(journey.start).ignition is False
    home, shop = grid_point(*HOME), grid_point(*SHOP)
    assert (journey.samples[0].lat, journey.samples[0].lon) == home
    assert (journey.sample_at(first.end).lat, journey.sample_at(first.end).lon) == shop


def test_town_is_synthetic_and_crosses_both_hemispheres() -> None:
    journey = Journey()
    assert all(
        abs(sample.lat) < 3 * BLOCK and abs(sample.lon) < 4 * BLOCK for sample in journey.samples
    )
    text = b"".join(
        journey.gps_file(window.start, window.seconds) for window in journey.recordings()
    )
    for hemisphere in (b",N,", b",S,", b",E,", b",W,"):
        assert hemisphere in text


def test_recordings_follow_the_ignition() -> None:
    journey = Journey()
    windows = journey.recordings()
    kinds = "".join(window.kind for window in windows)
    assert kinds == "PP" + "NNENN" + "PPPP" + "NNNNNNNN" + "PP"
    assert [window.has_gps for window in windows if window.parking] == [True, False] * 4
    assert all(window.seconds <= RECORDING_SECONDS for window in windows)
    assert windows[2].stem == "20261120_080000_N"
    assert windows[2].video("R") == "20261120_080000_NR.mp4"


def test_gps_files_read_back_with_exactly_their_junk() -> None:
    journey = Journey()
    windows = journey.recordings()
    first_drive = windows[2]
    data = journey.gps_file(first_drive.start, first_drive.seconds)
    assert data.endswith(b"\r\n" + b"\x00" * 32)
    assert b"\n" not in data.replace(b"\r\n", b"")
    track = parse_gps(data)
    # A satellite view (ignored), a torn GGA and a bad checksum (skipped), two seconds without a
    # fix right after the ignition (invalid): the other 58 seconds are fixes.
    assert (track.ignored, track.skipped, track.invalid, track.jumps) == (1, 2, 2, 0)
    assert len(track.fixes) == first_drive.seconds - 2
    for fix in track.fixes:
        sample = journey.sample_at(fix.time)
        assert distance(fix.lat, fix.lon, sample.lat, sample.lon) < 2.0
        assert abs((fix.speed or 0) - sample.speed) < 0.01
    # Mid-drive recordings start with a fix in their first second.
    middle = parse_gps(journey.gps_file(windows[3].start, windows[3].seconds))
    assert middle.invalid == 0
    assert middle.fixes[0].time == windows[3].start
    clean = parse_gps(journey.gps_file(windows[3].start, windows[3].seconds, junk=False))
    assert (clean.ignored, clean.skipped, clean.invalid) == (0, 0, 0)
    assert clean.fixes == middle.fixes


def test_journey_is_deterministic_and_seeded() -> None:
    start = datetime(2026, 11, 20, 7, 50, tzinfo=UTC)
    one, two = Journey(start), Journey(start)
    window = one.recordings()[4]
    assert one.gps_file(window.start) == two.gps_file(window.start)
    assert Journey(start, seed=1).samples != one.samples


def test_stamps_can_run_on_local_time() -> None:
    journey = Journey()
    window = journey.recordings()[3]
    utc = parse_gps(journey.gps_file(window.start))
    local = parse_gps(journey.gps_file(window.start, stamp_offset=timedelta(hours=2)))
    assert local.fixes == utc.fixes
    assert b"GNRMC" in journey.gps_file(window.start, talker="GN")


def test_nmea_angle_never_writes_sixty_minutes() -> None:
    assert nmea_angle(0.9999999999, 2) == "0100.00000"
    assert nmea_angle(-12.5, 3) == "01230.00000"
