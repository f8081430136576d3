"""The ``.gps`` parser: real formats, lenient about junk, strict about what counts as a fix."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
import json
import math
from pathlib import Path

from hypothesis import given, strategies as st

from camera_simulators.route import checksum, gga, rmc
from custom_components.camsync.engine.gps import (
    KNOT,
    MAX_FILE_SIZE,
    MAX_SPEED,
    UERE,
    Fix,
    parse_gps,
    read_gps_file,
)

# Lines as a BlackVue writes them (published as a test fixture by mapillary_tools, whose
# expected coordinates match ours): GSA/GSV/GLL/VTG among RMC/GGA, a blank line after every
# sentence, a stray stamp after a checksum, and torn sentences.
BLACKVUE_SAMPLE = b"""
[1623057130221]$GPGGA,201205.00,3853.16949,N,07659.54604,W,2,10,0.82,7.7,M,-34.7,M,,0000*6F

[1623057129253]$GPGGA,201204.00,3853.16945,N,07659.54371,W,2,10,0.99,10.2,M,-34.7,M,,0000*5C

[1623057129253]$GPGSA,A,3,19,02,06,12,17,09,05,20,04,25,,,1.83,0.99,1.54*0C

[1623057129253]$GPGSV,3,1,12,02,67,331,39,04,08,040,21,05,28,214,30,06,53,047,31*71

[1623057129253]$GPGSV,3,2,12,09,23,071,28,12,48,268,41,17,17,124,26,19,38,117,35*78

[1623057129253]$GPGSV,3,3,12,20,23,221,35,25,26,307,39,46,20,244,35,51,35,223,40*72

[1623057129255]$GPGLL,3853.16945,N,07659.54371,W,201204.00,A,D*70

[1623057129256]$GPRMC,201205.00,A,3853.16949,N,07659.54604,W,5.849,284.43,070621,,,D*76

[1623057129257]$GPVTG,284.43,T,,M,5.849,N,10.833,K,D*08[1623057130221]

[1623057130258]$GPGGA,201205.00,3853.16949,N,07659.54604,W,2,10,0.82,7.7,M,-34.7,M,,0000*6F

# invalid line
[1623057130221]$GPGGA,**&^%$%$&(&(*(&&(^^*^*^^*&^&*))))

# invalid line
[1623057130221]$GPGGA,\x00\x00\x1c\xff

[1623057130221]$GPGSA,A,3,19,02,06,12,17,09,05,20,04,25,,,1.65,0.82,1.43*08
    """


def nmea(stamp: int, sentence: str) -> str:
    return f"[{stamp}]${sentence}*{checksum(sentence):02X}"


def test_blackvue_sample() -> None:
    track = parse_gps(BLACKVUE_SAMPLE)

    assert [fix.time for fix in track.fixes] == [
        datetime(2021, 6, 7, 20, 12, 4, tzinfo=UTC),
        datetime(2021, 6, 7, 20, 12, 5, tzinfo=UTC),
    ]
    first, second = track.fixes
    # The GGA before any RMC is dated by the RMC that follows it.
    assert first.lat == 38.886157499999996
    assert first.speed is None
    assert (first.altitude, first.hdop, first.satellites) == (10.2, 0.99, 10)
    # RMC and the GGA of the same second (one before it, one after) make one fix.
    assert second.lat == 38.88615816666667
    assert second.lon == -76.992434
    assert second.speed == 5.849 * KNOT
    assert second.course == 284.43
    assert (second.altitude, second.hdop, second.satellites) == (7.7, 0.82, 10)
    assert second.accuracy == round(0.82 * UERE, 1)
    # Comment lines and two torn GGAs are skipped; GSA/GSV/VTG are known but carry no fix.
    assert track.skipped == 4
    assert track.ignored == 6
    assert track.invalid == 0
    assert track.jumps == 0
    assert track.samples[0] == "# invalid line"


def test_gga_only_is_dated_by_the_camera_stamp() -> None:
    # RTK quality 5 from a real unit; no RMC, so the [epoch-ms] stamp picks the date.
    track = parse_gps(
        b"[1623057074211]$GPGGA,202530.00,5109.0262,N,11401.8407,W,5,40,0.5,1097.36,M,-17.00,M,"
        b"18,TSTR*61"
    )
    (fix,) = track.fixes
    assert fix.time == datetime(2021, 6, 7, 20, 25, 30, tzinfo=UTC)
    assert math.isclose(fix.lat, 51.150436666666664)
    assert math.isclose(fix.lon, -114.03067833333333)
    assert (fix.altitude, fix.hdop, fix.satellites) == (1097.36, 0.5, 40)


def test_gn_talker_and_gll() -> None:
    track = parse_gps(b"[1629874404069]$GNGLL,4404.14012,N,12118.85993,W,001037.00,A,A*67")
    (fix,) = track.fixes
    assert fix.time == datetime(2021, 8, 25, 0, 10, 37, tzinfo=UTC)
    assert (fix.lat, fix.lon) == (44.069002, -121.31433216666667)

    moment = datetime(2026, 11, 20, 8, 0, 1, tzinfo=UTC)
    text = "\n".join(
        [
            nmea(1, rmc(moment, -0.5, 0.25, 10.0, 90.0, talker="GN")),
            nmea(1, gga(moment, -0.5, 0.25, 0.9, 12.0, talker="GN")),
        ]
    )
    (fix,) = parse_gps(text.encode()).fixes
    assert math.isclose(fix.lat, -0.5)
    assert math.isclose(fix.lon, 0.25)
    assert math.isclose(fix.speed or 0, 10.0, rel_tol=1e-4)
    assert fix.hdop == 0.9


def test_line_endings_padding_and_vod_metadata_give_the_same_fixes() -> None:
    start = datetime(2026, 11, 20, 23, 59, 58, tzinfo=UTC)
    lines = []
    for second in range(4):
        moment = start + timedelta(seconds=second)
        stamp = int(moment.timestamp() * 1000)
        lines.append(nmea(stamp, rmc(moment, 0.01, 0.02 + second * 1e-4, 11.0, 90.0)))
        lines.append(nmea(stamp, gga(moment, 0.01, 0.02 + second * 1e-4, 1.1, 30.0)))
    lf = ("\n".join(lines) + "\n").encode()
    crlf = ("\r\n".join(lines) + "\r\n").encode() + b"\x00" * 64
    # V1.009 firmware: {"metadata": {"gps": "<base64>"}}, possibly line-wrapped.
    payload = json.dumps({"metadata": {"gps": base64.encodebytes(lf).decode()}})
    decoded = base64.b64decode(json.loads(payload)["metadata"]["gps"])

    reference = parse_gps(lf)
    assert len(reference.fixes) == 4
    assert [fix.time.day for fix in reference.fixes] == [20, 20, 21, 21]  # across midnight
    assert parse_gps(crlf).fixes == reference.fixes
    assert parse_gps(decoded).fixes == reference.fixes
    assert parse_gps(lf.decode()).fixes == reference.fixes
    assert parse_gps(crlf).skipped == 0


def test_gga_after_midnight_takes_the_next_day() -> None:
    before = datetime(2026, 11, 20, 23, 59, 59, tzinfo=UTC)
    after = before + timedelta(seconds=1)
    text = "\n".join(
        [
            nmea(0, rmc(before, 0.01, 0.02, 0.0, 0.0)),
            # No stamp (0 = 1970): only the RMC before can date it.
            nmea(0, gga(after, 0.01, 0.02, 1.0, 10.0)),
        ]
    )
    times = [fix.time for fix in parse_gps(text).fixes]
    assert times == [before, after]


def test_camera_stamp_on_local_time_does_not_move_fixes() -> None:
    # A camera on UTC+2 stamps local time: satellites still rule, the stamp only picks the date.
    moment = datetime(2026, 11, 20, 23, 30, 0, tzinfo=UTC)
    stamp = int((moment + timedelta(hours=2)).timestamp() * 1000)  # already 21 Nov locally
    (fix,) = parse_gps(nmea(stamp, gga(moment, 0.01, 0.02, 1.0, 10.0))).fixes
    assert fix.time == moment


def test_invalid_fixes_are_dropped_and_counted() -> None:
    moment = datetime(2026, 11, 20, 8, 0, 0, tzinfo=UTC)
    good = rmc(moment, 0.01, 0.02, 5.0, 10.0)
    sentences = [
        "GPRMC,075955.00,V,,,,,,,201126,,,N",  # cold start: status V
        "GPRMC,,V,,,,,,,,,,N",  # no time at all
        "GPGGA,075956.00,,,,,0,00,99.99,,,,,,",  # quality 0
        "GPRMC,075957.00,A,9130.00000,N,00001.20000,E,1.0,1.0,201126,,,A",  # latitude > 90
        "GPRMC,075958.00,A,0061.00000,N,00001.20000,E,1.0,1.0,201126,,,A",  # 61 minutes
        "GPRMC,075959.00,A,0000.00000,N,00000.00000,E,1.0,1.0,201126,,,A",  # null island
        "GPRMC,075959.50,A,0000.60000,N,00001.20000,E,999.0,1.0,201126,,,A",  # 1850 km/h
        "GPRMC,075954.00,A,0000.60000,N,00001.20000,E,1.0,1.0,321326,,,A",  # 32 Dec 2026
        "GPRMC,075953.00,A,,N,,E,1.0,1.0,201126,,,A",  # valid status, no position
        "GPRMC,075952.00,A,0000.60000,N,00001.20000,E,1.0,1.0,201126,,,N",  # mode N
        "GNGLL,0000.60000,N,00001.20000,E,075951.00,V,N",
        good,
    ]
    track = parse_gps("\n".join(nmea(0, sentence) for sentence in sentences))
    assert [fix.time for fix in track.fixes] == [moment]
    assert track.invalid == len(sentences) - 1
    assert track.skipped == 0


def test_bad_lines_are_skipped_and_counted() -> None:
    moment = datetime(2026, 11, 20, 8, 0, 0, tzinfo=UTC)
    good = rmc(moment, 0.01, 0.02, 5.0, 10.0)
    lowercase = f"[1]${good}*{checksum(good):02x}"
    wrong = f"[1]${good}*{checksum(good) ^ 0x10:02X}"
    lines = [
        wrong,  # checksum mismatch
        f"[1]${good}"[:40],  # torn, no checksum
        "[1]$GPRMC,080000.00,A,00ab.60000,N,00001.20000,E,1.0,1.0,201126,,,A",  # letters in lat
        "[1]$GPRMC,080000.00,A,0000.60000,Q,00001.20000,E,1.0,1.0,201126,,,A",  # hemisphere Q
        "[1]$GPRMC,250000.00,A,0000.60000,N,00001.20000,E,1.0,1.0,201126,,,A",  # hour 25
        "[1]$gprmc,080000.00,A",  # not an address
        "garbage before [1]" + lowercase,
        "\xff\xfe\x00",
        "[1]",
        lowercase,  # a lower-case checksum is fine
    ]
    track = parse_gps("\r\n".join(lines).encode("latin-1"))
    assert len(track.fixes) == 1
    assert track.skipped == len(lines) - 1
    assert len(track.samples) == 5
    assert track.lines == len(lines)


def test_sentence_without_checksum_is_accepted() -> None:
    moment = datetime(2026, 11, 20, 8, 0, 0, tzinfo=UTC)
    (fix,) = parse_gps(f"[1]${rmc(moment, 0.01, 0.02, 5.0, 10.0)}").fixes
    assert fix.time == moment


def _drive(seconds: int, *, start: datetime, lon: float = 0.02, speed: float = 10.0) -> list[str]:
    lines = []
    for second in range(seconds):
        moment = start + timedelta(seconds=second)
        here = lon + second * speed / 111_320
        lines.append(nmea(0, rmc(moment, 0.01, here, speed, 90.0)))
    return lines


def test_a_spike_and_a_bad_first_fix_are_jumps() -> None:
    start = datetime(2026, 11, 20, 8, 0, 0, tzinfo=UTC)
    lines = _drive(10, start=start)
    # Second 0 comes from 11 km away (a receiver's first guess); second 5 spikes 5 km north.
    lines[0] = nmea(0, rmc(start, 0.11, 0.02, 10.0, 90.0))
    spike = start + timedelta(seconds=5)
    lines[5] = nmea(0, rmc(spike, 0.055, 0.02 + 5 * 10 / 111_320, 10.0, 90.0))
    track = parse_gps("\n".join(lines))
    assert track.jumps == 2
    assert [fix.time for fix in track.fixes] == [
        start + timedelta(seconds=second) for second in (1, 2, 3, 4, 6, 7, 8, 9)
    ]


def test_a_long_gap_is_not_a_jump() -> None:
    start = datetime(2026, 11, 20, 8, 0, 0, tzinfo=UTC)
    # A tunnel: no fixes for 60 s, then 1 km further on: 17 m/s is plausible.
    later = _drive(5, start=start + timedelta(seconds=65), lon=0.02 + 1000 / 111_320)
    track = parse_gps("\n".join(_drive(5, start=start) + later))
    assert track.jumps == 0
    assert len(track.fixes) == 10


def test_read_gps_file(tmp_path: Path) -> None:
    assert read_gps_file(tmp_path / "missing.gps").fixes == ()
    path = tmp_path / "20261120_080000_N.gps"
    path.write_bytes(BLACKVUE_SAMPLE)
    assert read_gps_file(path) == parse_gps(BLACKVUE_SAMPLE)


def test_read_gps_file_reads_at_most_the_cap(tmp_path: Path) -> None:
    moment = datetime(2026, 11, 20, 8, 0, 0, tzinfo=UTC)
    line = (nmea(0, rmc(moment, 0.01, 0.02, 5.0, 10.0)) + "\n").encode()
    path = tmp_path / "huge.gps"
    path.write_bytes(line + b"\x00" * MAX_FILE_SIZE + line.replace(b"080000", b"090000"))
    track = read_gps_file(path)
    assert [fix.time for fix in track.fixes] == [moment]


def test_accuracy_needs_hdop() -> None:
    moment = datetime(2026, 11, 20, 8, 0, 0, tzinfo=UTC)
    assert Fix(moment, 0.1, 0.1).accuracy is None
    assert Fix(moment, 0.1, 0.1, hdop=1.3).accuracy == 6.5


# --- properties ---------------------------------------------------------------------------

_NMEA_ALPHABET = st.sampled_from(
    [
        *"$*,.[]0123456789ABCDEFGNPRSVWMLQ\r\n\x00 -",
        *("$GPRMC,", "$GPGGA,", "$GNRMC,", "[1700000000000]", "*6F", ",A,", ",V,", ",N,", ",W,"),
    ]
)


@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_raise(data: bytes) -> None:
    track = parse_gps(data)
    assert track.lines >= track.skipped


@given(st.lists(_NMEA_ALPHABET, max_size=300).map("".join))
def test_nmea_like_text_never_raises_and_yields_plausible_fixes(text: str) -> None:
    track = parse_gps(text)
    times = [fix.time for fix in track.fixes]
    assert times == sorted(set(times))
    for fix in track.fixes:
        assert -90 <= fix.lat <= 90
        assert -180 <= fix.lon <= 180
        assert fix.speed is None or 0 <= fix.speed <= MAX_SPEED


_times = st.datetimes(
    min_value=datetime(2000, 1, 2), max_value=datetime(2099, 12, 30), timezones=st.just(UTC)
).map(lambda moment: moment.replace(microsecond=moment.microsecond // 10000 * 10000))
_lats = st.floats(min_value=-89.9, max_value=89.9).filter(lambda value: abs(value) > 1e-6)
_lons = st.floats(min_value=-179.9, max_value=179.9).filter(lambda value: abs(value) > 1e-6)


@given(
    moment=_times,
    lat=_lats,
    lon=_lons,
    speed=st.floats(min_value=0, max_value=80),
    course=st.floats(min_value=0, max_value=359.99),
    hdop=st.floats(min_value=0.5, max_value=20).map(lambda value: round(value, 2)),
    altitude=st.floats(min_value=-400, max_value=8000).map(lambda value: round(value, 1)),
    talker=st.sampled_from(["GP", "GN"]),
    crlf=st.booleans(),
    gga_first=st.booleans(),
)
def test_generated_sentences_round_trip(
    moment: datetime,
    lat: float,
    lon: float,
    speed: float,
    course: float,
    hdop: float,
    altitude: float,
    talker: str,
    crlf: bool,
    gga_first: bool,
) -> None:
    stamp = int(moment.timestamp() * 1000)
    sentences = [
        nmea(stamp, rmc(moment, lat, lon, speed, course, talker)),
        nmea(stamp, gga(moment, lat, lon, hdop, altitude, talker)),
    ]
    if gga_first:
        sentences.reverse()
    text = ("\r\n" if crlf else "\n").join(sentences)
    track = parse_gps(text.encode())
    assert track.skipped == track.invalid == track.jumps == 0
    (fix,) = track.fixes
    assert fix.time == moment
    # Five decimals of a minute: 2 cm.
    assert math.isclose(fix.lat, lat, abs_tol=2e-7)
    assert math.isclose(fix.lon, lon, abs_tol=2e-7)
    assert math.isclose(fix.speed or 0.0, speed, abs_tol=0.001)
    assert math.isclose(fix.course or 0.0, course, abs_tol=0.006) or (
        math.isclose(course, 360, abs_tol=0.006) and fix.course == 0
    )
    assert (fix.hdop, fix.altitude, fix.satellites) == (hdop, altitude, 9)


def test_odd_fields_are_tolerated_or_invalid() -> None:
    sentences = [
        # Course 400 and a speed in letters: the position stands, they do not.
        "GPRMC,080000.00,A,0000.60000,N,00001.20000,E,fast,400.0,201126,,,A",
        # An empty date: the next RMC dates it.
        "GPRMC,080001.00,A,0000.60000,N,00001.20006,E,0.1,10.0,,,,A",
        "GPRMC,080002.00,A,0000.60000,N,00001.20012,E,0.1,10.0,201126,,,A",
        # A date in letters makes the fix invalid.
        "GPRMC,080003.00,A,0000.60000,N,00001.20018,E,0.1,10.0,2011ab,,,A",
    ]
    track = parse_gps("\n".join(nmea(0, sentence) for sentence in sentences))
    first, second, third = track.fixes
    assert (first.speed, first.course) == (None, None)
    assert second.time == datetime(2026, 11, 20, 8, 0, 1, tzinfo=UTC)
    assert third.speed == 0.1 * KNOT
    assert track.invalid == 1
    # A time that is not hhmmss is a malformed sentence.
    for clock in ("08:00:00", "080000.ab", "080000.", "080000.1234567"):
        bad_time = parse_gps(nmea(0, f"GPRMC,{clock},A,0000.6,N,00001.2,E,0.1,10.0,201126,,,A"))
        assert (bad_time.skipped, bad_time.fixes) == (1, ())


def test_gga_just_before_midnight_takes_the_rmc_day_before() -> None:
    before = datetime(2026, 11, 20, 23, 59, 59, tzinfo=UTC)
    after = before + timedelta(seconds=1)
    text = "\n".join(
        [
            nmea(0, gga(before, 0.01, 0.02, 1.0, 10.0)),
            nmea(0, rmc(after, 0.01, 0.02, 0.0, 0.0)),
        ]
    )
    assert [fix.time for fix in parse_gps(text).fixes] == [before, after]


def test_stamp_dates_a_gga_only_file_either_side_of_midnight() -> None:
    # The camera stamps 22:00 local (UTC-5) while the satellites say 03:00 UTC the next day.
    moment = datetime(2026, 11, 21, 3, 0, 0, tzinfo=UTC)
    stamp = int((moment - timedelta(hours=5)).timestamp() * 1000)
    # The stamp comes on the second sentence of the epoch only.
    sentence = gga(moment, 0.01, 0.02, 1.0, 10.0)
    text = f"${sentence}*{checksum(sentence):02X}\n{nmea(stamp, sentence)}"
    (fix,) = parse_gps(text).fixes
    assert fix.time == moment
    # A stamp past the year 9999 dates nothing.
    huge = parse_gps(nmea(9_999_999_999_999_999, gga(moment, 0.01, 0.02, 1.0, 10.0)))
    assert (huge.fixes, huge.invalid) == ((), 1)


def test_the_last_day_of_year_9999_does_not_overflow() -> None:
    # Late on 31 Dec 9999 by the stamp, and a time of day that would fall on the day after.
    stamp = int((datetime(9999, 12, 31, 23, 0, tzinfo=UTC)).timestamp() * 1000)
    early = parse_gps(nmea(stamp, "GPGGA,003000.00,0000.60000,N,00001.20000,E,1,08,1.0,1.0,M,,M,,"))
    assert (early.fixes, early.invalid) == ((), 1)
