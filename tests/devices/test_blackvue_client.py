"""The BlackVue client against the simulated dashcam: firmwares, listings, live view."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
import io

import aiohttp
from PIL import Image
import pytest

from camera_simulators.blackvue import BlackVueSimulator, SimRecording
from custom_components.camsync.devices.blackvue import (
    BlackVueClient,
    Firmware,
    first_jpeg,
    parse_legacy_listing,
    parse_version,
    recorded_at,
)
from custom_components.camsync.engine.errors import CameraOfflineError, ProtocolError
from custom_components.camsync.engine.models import FileRole
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


async def test_missing_inline_metadata_is_a_protocol_error(
    dashcam: BlackVueSimulator, client: BlackVueClient
) -> None:
    dashcam.faults.firmware = "v1009"
    dashcam.recordings[0].has_gps = False
    listing = await client.async_list_recordings()
    recording = next(rec for rec in listing.recordings if rec.name == dashcam.recordings[0].name)
    gps = next(file for file in recording.files if file.role is FileRole.GPS)

    with pytest.raises(ProtocolError, match="No gps"):
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


async def test_metadata_for_an_unknown_video_is_a_protocol_error(
    dashcam: BlackVueSimulator, client: BlackVueClient
) -> None:
    dashcam.faults.firmware = "v1009"
    listing = await client.async_list_recordings()
    thumbnail = replace(listing.recordings[0].files[1], locator="gone.mp4#thumbnail")

    with pytest.raises(ProtocolError, match=r"No thumbnail in the camera's metadata for gone\.mp4"):
        await client.async_fetch_inline(thumbnail)


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
