"""The BlackVue client against the simulated dashcam: firmwares, listings, live view."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
import io
import logging
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
from aiohttp import web
from PIL import Image
import pytest

from camera_simulators.blackvue import BlackVueSimulator, SimRecording, clock_unset_recordings
from custom_components.camsync.devices.blackvue import (
    BlackVueClient,
    Firmware,
    first_jpeg,
    parse_legacy_listing,
    parse_version,
    recorded_at,
)
from custom_components.camsync.engine.errors import (
    CameraOfflineError,
    FileTransferError,
    ProtocolError,
)
from custom_components.camsync.engine.models import FileRole, RemoteFile
from tests.blackvue_fixtures import sample_recordings

ALL_TYPES = "NEPMIOATBRXGDLYF"


@pytest.fixture
async def dashcam() -> AsyncIterator[BlackVueSimulator]:
    async with BlackVueSimulator(sample_recordings(2)) as simulator:
        yield simulator


@pytest.fixture
async def client(dashcam: BlackVueSimulator) -> AsyncIterator[BlackVueClient]:
    async with aiohttp.ClientSession() as session:
        yield BlackVueClient(session, f"127.0.0.1:{dashcam.port}", tz=UTC, read_timeout=1.0)


@pytest.mark.parametrize("line_ending", ["\r\n", "\n"])
@pytest.mark.parametrize("header", ["v:1.00", "v:3.00"])
async def test_legacy_listing_in_every_format(
    dashcam: BlackVueSimulator, client: BlackVueClient, line_ending: str, header: str
) -> None:
    dashcam.faults.line_ending = line_ending
    dashcam.faults.version_header = header

    listing = await client.async_list_recordings()

    assert sorted(rec.name for rec in listing.recordings) == sorted(dashcam.listed_names())
    assert listing.skipped == 0
    assert client.firmware is Firmware.LEGACY
    first = next(rec for rec in listing.recordings if rec.name == "20261120_080000_NF.mp4")
    assert first.start == datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
    assert (first.kind, first.channel, first.event) == ("N", "F", False)
    assert [(f.name, f.role, f.locator, f.required) for f in first.files] == [
        ("20261120_080000_NF.mp4", FileRole.VIDEO, "/Record/20261120_080000_NF.mp4", True),
        ("20261120_080000_NF.thm", FileRole.THUMBNAIL, "/Record/20261120_080000_NF.thm", False),
        ("20261120_080000_N.gps", FileRole.GPS, "/Record/20261120_080000_N.gps", False),
        ("20261120_080000_N.3gf", FileRole.ACCELEROMETER, "/Record/20261120_080000_N.3gf", False),
    ]


async def test_every_type_letter_direction_and_upload_flag(
    dashcam: BlackVueSimulator, client: BlackVueClient
) -> None:
    dashcam.recordings = [
        SimRecording(f"20261120_0900{index:02d}_{kind}{direction}{flag}.mp4", 1000)
        for index, kind in enumerate(ALL_TYPES)
        for direction, flag in (("F", ""), ("R", "L"), ("I", "S"), ("O", ""))
    ]

    listing = await client.async_list_recordings()

    assert len(listing.recordings) == len(ALL_TYPES) * 4
    assert listing.skipped == 0
    events = {rec.kind for rec in listing.recordings if rec.event}
    assert events == set(ALL_TYPES) - set("NPRXG")
    flagged = next(rec for rec in listing.recordings if rec.name.endswith("RL.mp4"))
    # Sidecar names drop the upload flag.
    assert flagged.files[1].name == flagged.name.replace("RL.mp4", "R.thm")


async def test_unknown_letters_junk_and_traversal_are_skipped(
    dashcam: BlackVueSimulator, client: BlackVueClient
) -> None:
    dashcam.faults.extra_listing_lines = [
        "n:/Record/20261120_080500_ZF.mp4,s:1000000",
        "n:/Record/20261120_080500_NQ.mp4,s:1000000",
        "n:/Record/../../etc/passwd,s:1000000",
        "n:/Record/sub/20261120_080500_NF.mp4,s:1000000",
        "n:/Record/20261399_256100_NF.mp4,s:1000000",
        "what is this",
    ]

    listing = await client.async_list_recordings()

    assert listing.skipped == 6
    assert len(listing.recordings) == len(dashcam.listed_names())
    assert "20261120_080500_ZF.mp4" in listing.skipped_samples


async def test_new_firmware_lists_at_vodlist_with_inline_sidecars(
    dashcam: BlackVueSimulator, client: BlackVueClient
) -> None:
    dashcam.faults.firmware = "v1009"
    dashcam.faults.extra_listing_lines = ["../../evil.mp4"]

    listing = await client.async_list_recordings()
    info = await client.async_get_info()

    assert client.firmware is Firmware.V1009
    assert info.extra["api"] == "v1009"
    assert listing.skipped == 1
    recording = listing.recordings[0]
    assert recording.files[0].locator == f"/{recording.name}"
    thumbnail = recording.files[1]
    assert thumbnail.inline
    assert await client.async_fetch_inline(thumbnail) == dashcam.expected_bytes(thumbnail.name)
    assert len(recording.files) == 3  # no .3gf on this firmware


@pytest.mark.parametrize("shape", ["nested", "top_level"])
async def test_metadata_without_the_type_means_the_file_is_absent(
    dashcam: BlackVueSimulator, client: BlackVueClient, shape: str
) -> None:
    dashcam.faults.firmware = "v1009"
    dashcam.faults.metadata_shape = shape  # type: ignore[assignment]
    dashcam.recordings[0].has_gps = False  # {"metadata": {}} or {} for the gps
    listing = await client.async_list_recordings()
    recording = next(rec for rec in listing.recordings if rec.name == dashcam.recordings[0].name)
    gps = next(file for file in recording.files if file.role is FileRole.GPS)

    with pytest.raises(FileTransferError) as raised:
        await client.async_fetch_inline(gps)
    assert raised.value.reason == "not_found"


@pytest.mark.parametrize(("shape", "wrap"), [("nested", True), ("top_level", False)])
async def test_metadata_at_the_top_level_or_line_wrapped_is_read(
    dashcam: BlackVueSimulator, client: BlackVueClient, shape: str, wrap: bool
) -> None:
    dashcam.faults.firmware = "v1009"
    dashcam.faults.metadata_shape = shape  # type: ignore[assignment]
    dashcam.faults.metadata_line_wrap = wrap
    listing = await client.async_list_recordings()
    recording = next(rec for rec in listing.recordings if rec.name == dashcam.recordings[0].name)
    for file in recording.files[1:]:
        assert await client.async_fetch_inline(file) == dashcam.expected_bytes(file.name)


@pytest.mark.parametrize("body", ["{not json", '{"metadata": {"gps": "@@@"}}', '{"gps": 5}'])
async def test_broken_metadata_is_a_protocol_error(aiohttp_server: Any, body: str) -> None:
    async def metadata(request: web.Request) -> web.Response:
        return web.Response(text=body, content_type="application/json")

    app = web.Application()
    app.router.add_post("/vodMetadata", metadata)
    server = await aiohttp_server(app, host="127.0.0.1")
    gps = RemoteFile(
        "20261120_080000_N.gps", FileRole.GPS, "x.mp4#gps", required=False, inline=True
    )
    async with aiohttp.ClientSession() as session:
        client = BlackVueClient(session, f"127.0.0.1:{server.port}", tz=UTC)
        with pytest.raises(ProtocolError):
            await client.async_fetch_inline(gps)


@pytest.mark.parametrize(
    ("version_format", "model", "firmware"),
    [("ini", "DR900X-2CH", "1.012"), ("bare", "DR900X-2CH", "1.012")],
)
async def test_device_info_in_both_version_formats(
    dashcam: BlackVueSimulator,
    client: BlackVueClient,
    version_format: str,
    model: str,
    firmware: str,
) -> None:
    dashcam.faults.version_format = version_format  # type: ignore[assignment]
    info = await client.async_get_info()
    assert (info.manufacturer, info.model, info.firmware) == ("BlackVue", model, firmware)
    assert info.unique_id is None
    assert info.configuration_url == f"http://127.0.0.1:{dashcam.port}"


def test_version_parser_tolerates_junk() -> None:
    assert parse_version("[firmware]\nmodel=DR750S\nversion=1.0\n") == ("DR750S", "1.0")
    assert parse_version("[other]\nx=1\n") == (None, None)
    assert parse_version("[broken") == (None, None)
    assert parse_version("DR590X") == ("DR590X", None)


def test_listing_parser_accepts_lines_without_size() -> None:
    names, skipped = parse_legacy_listing("v:1.00\nn:/Record/a_NF.mp4\n\nn:/Other/b.mp4,s:1\n")
    assert names == ["a_NF.mp4"]
    assert skipped == ["n:/Other/b.mp4,s:1"]


async def test_live_snapshot_is_a_jpeg(client: BlackVueClient) -> None:
    frame = await client.async_snapshot()
    image = Image.open(io.BytesIO(frame))
    assert image.format == "JPEG"


def test_first_jpeg_trusts_the_part_length_over_markers() -> None:
    inner = b"\xff\xd8thumb\xff\xd9"
    frame = b"\xff\xd8" + inner + b"rest\xff\xd9"
    part = b"--b\r\nContent-Type: image/jpeg\r\nContent-Length: %d\r\n\r\n" % len(frame)
    assert first_jpeg(part + frame + b"\r\n--b") == frame
    assert first_jpeg(part + frame[:5]) is None
    assert first_jpeg(b"junk" + frame) == frame


async def test_listing_errors(dashcam: BlackVueSimulator, client: BlackVueClient) -> None:
    dashcam.faults.listing_error = True
    with pytest.raises(ProtocolError, match="HTTP 500"):
        await client.async_list_recordings()


async def test_camera_away_is_offline(dashcam: BlackVueSimulator, client: BlackVueClient) -> None:
    await dashcam.stop()
    with pytest.raises(CameraOfflineError):
        await client.async_get_info()
    with pytest.raises(CameraOfflineError):
        await client.async_snapshot()


def test_recorded_at_recognises_videos_and_sidecars_only() -> None:
    zone = timezone(timedelta(hours=1))
    when = datetime(2026, 11, 20, 8, 0, tzinfo=zone)
    assert recorded_at("20261120_080000_EF.mp4", zone) == when
    assert recorded_at("20261120_080000_EF.thm", zone) == when
    assert recorded_at("20261120_080000_E.gps", zone) == when
    assert recorded_at("20261120_080000_E.3gf", zone) == when
    assert recorded_at("20261120_080000_ZF.mp4", zone) is None
    assert recorded_at("notes.txt", zone) is None
    assert recorded_at("20261320_080000_E.gps", zone) is None


async def test_metadata_for_an_unknown_video_is_absent(
    dashcam: BlackVueSimulator, client: BlackVueClient
) -> None:
    dashcam.faults.firmware = "v1009"
    listing = await client.async_list_recordings()
    thumbnail = replace(listing.recordings[0].files[1], locator="gone.mp4#thumbnail")

    with pytest.raises(FileTransferError) as raised:
        await client.async_fetch_inline(thumbnail)
    assert raised.value.reason == "not_found"


@pytest.mark.parametrize("payload", [[], {"files": []}, {"filelist": "nope"}, "text"])
def test_a_vodlist_without_a_file_list_is_a_protocol_error(payload: object) -> None:
    from custom_components.camsync.devices.blackvue import parse_vod_list

    with pytest.raises(ProtocolError, match="no file list"):
        parse_vod_list(payload)


def test_vodlist_entries_that_are_not_names_are_skipped() -> None:
    from custom_components.camsync.devices.blackvue import parse_vod_list

    names, skipped = parse_vod_list(
        {"filelist": [{"filename": "/Record/a_NF.mp4"}, {"name": "x"}, 42]}
    )
    assert names == ["a_NF.mp4"]
    assert len(skipped) == 2


@pytest.mark.parametrize(("daylight", "offset"), [(True, 2), (False, 1)])
async def test_the_cameras_daylight_setting_decides_the_offset(
    dashcam: BlackVueSimulator, daylight: bool, offset: int
) -> None:
    dashcam.faults.daylight = daylight
    dashcam.recordings = [SimRecording("20260701_120000_NF.mp4", 1000)]
    async with aiohttp.ClientSession() as session:
        client = BlackVueClient(
            session,
            f"127.0.0.1:{dashcam.port}",
            tz=timezone(timedelta(hours=1)),  # the standard offset, as Home Assistant passes it
            dst_zone=ZoneInfo("Europe/Paris"),
        )
        info = await client.async_get_info()
        listing = await client.async_list_recordings()

    assert info.extra["daylight"] is daylight
    (recording,) = listing.recordings
    assert recording.start.utcoffset() == timedelta(hours=offset)
    assert recording.start.astimezone(UTC) == datetime(2026, 7, 1, 12 - offset, tzinfo=UTC)
    assert client.recorded_at("20260701_120000_NF.mp4") == recording.start
    assert any(entry.path == "/Config/config.ini" for entry in dashcam.requests)


async def test_a_camera_without_config_ini_keeps_the_given_zone(
    dashcam: BlackVueSimulator, client: BlackVueClient
) -> None:
    dashcam.faults.config_ini = False
    listing = await client.async_list_recordings()
    assert all(item.start.tzinfo is UTC for item in listing.recordings)


async def test_recordings_of_an_unset_clock_are_counted_and_logged_once(
    dashcam: BlackVueSimulator, client: BlackVueClient, caplog: pytest.LogCaptureFixture
) -> None:
    normal = [recording.name for recording in dashcam.recordings]
    dashcam.recordings += clock_unset_recordings(3)

    with caplog.at_level(logging.DEBUG):
        first = await client.async_list_recordings(since=datetime(2026, 11, 1, tzinfo=UTC))
        second = await client.async_list_recordings()

    assert sorted(item.name for item in first.recordings) == sorted(normal)
    assert first.clock_unset == second.clock_unset == 6  # front and rear of 3 recordings
    assert first.skipped == 0
    told = [record for record in caplog.records if "clock was never set" in record.getMessage()]
    assert [record.levelno for record in told] == [logging.INFO, logging.DEBUG]
