"""The simulated Reolink camera speaks the CGI API the way the reference describes it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
import hashlib
import io

import aiohttp
from PIL import Image
import pytest

from camera_simulators import content
from camera_simulators.reolink import (
    LOCKED_DETAIL,
    ReolinkRecording,
    ReolinkSimulator,
    make_reolink_recordings,
    self_signed_context,
)
from tests.reolink_fixtures import (
    REOLINK_NOW,
    RawReolink,
    reolink_simulator,
    search_param,
)


@pytest.fixture
async def reolink_raw(reolink_sim: ReolinkSimulator) -> AsyncIterator[RawReolink]:
    async with aiohttp.ClientSession() as session:
        raw = RawReolink(session, reolink_sim)
        assert (await raw.login())["code"] == 0
        yield raw


def _recording(triggers: set[str], **kwargs: object) -> ReolinkRecording:
    start = datetime(2020, 12, 21, 12, 15, 51)
    return ReolinkRecording(
        start=start,
        end=start + timedelta(seconds=2),
        triggers=frozenset(triggers),
        size=0x2240A8,
        **kwargs,  # type: ignore[arg-type]
    )


# -- names and recordings --


def test_names_follow_the_guide() -> None:
    recording = _recording({"motion"})
    assert recording.name == (
        "Mp4Record/2020-12-21/RecM01_20201221_121551_121553_6D28808_2240A8.mp4"
    )
    assert _recording({"motion", "person"}).flags == "6D28C08"


@pytest.mark.parametrize(
    ("triggers", "flags"),
    [
        (set(), "6D28800"),
        ({"person"}, "6D28C00"),
        ({"vehicle"}, "6D28900"),
        ({"animal"}, "6D28880"),
        ({"timer"}, "6D28810"),
        ({"motion"}, "6D28808"),
        ({"person", "vehicle", "animal", "motion", "timer"}, "6D28D98"),
    ],
)
def test_trigger_flags_use_reolink_aio_bit_positions(triggers: set[str], flags: str) -> None:
    assert _recording(triggers).flags == flags


def test_name_variants() -> None:
    assert _recording({"person"}, stream="sub").basename.startswith("RecS01_20201221_")
    seven = _recording({"person"}, variant="7")
    assert seven.basename == "RecM07_20201221_121551_121553_0_6D28C00000_2240A8.mp4"
    assert _recording({"motion"}, dst_prefix=True).basename.startswith("RecM01_DST20201221_")
    assert _recording({"motion"}, name_size=5).basename.endswith("_6D28808_5.mp4")
    with pytest.raises(ValueError, match="unknown triggers"):
        _ = _recording({"doorbell"}).flags


def test_make_recordings_is_deterministic_and_mixed() -> None:
    first = make_reolink_recordings(3, 5, end=REOLINK_NOW, size_range=(1000, 2000))
    assert first == make_reolink_recordings(3, 5, end=REOLINK_NOW, size_range=(1000, 2000))
    assert len(first) == 15
    assert {item.start.date() for item in first} == {
        REOLINK_NOW.date() - timedelta(days=back) for back in range(3)
    }
    assert all(item.start < item.end <= REOLINK_NOW for item in first)
    assert all(1000 <= item.size <= 2000 for item in first)
    assert first == sorted(first, key=lambda item: item.start)
    assert {trigger for item in first for trigger in item.triggers} == {
        "motion",
        "person",
        "vehicle",
        "animal",
        "timer",
    }
    assert len({item.basename for item in first}) == 15
    sub = make_reolink_recordings(1, 2, end=REOLINK_NOW, stream="sub")
    assert all(item.basename.startswith("RecS01_") for item in sub)


# -- JSON API --


async def test_replies_are_text_html_with_reolink_spacing(reolink_raw: RawReolink) -> None:
    replies, text, content_type = await reolink_raw.post(
        [{"cmd": "GetDevInfo", "param": {}}], token=reolink_raw.token
    )
    assert content_type == "text/html"
    assert '"cmd" : "GetDevInfo"' in text
    assert replies[0]["value"]["DevInfo"]["model"] == "RLC-520A"


async def test_login_gives_a_leased_token(reolink_raw: RawReolink) -> None:
    reply = await reolink_raw.login()
    assert reply["value"]["Token"]["leaseTime"] == 3600
    assert len(reply["value"]["Token"]["name"]) == 15
    assert reolink_raw.simulator.open_sessions == 2


async def test_both_paths_answer(reolink_raw: RawReolink) -> None:
    replies, _, _ = await reolink_raw.post(
        [{"cmd": "GetTime", "param": {}}], token=reolink_raw.token, path="/api.cgi"
    )
    assert replies[0]["code"] == 0


async def test_wrong_password_then_locked(reolink_raw: RawReolink) -> None:
    simulator = reolink_raw.simulator
    for _ in range(3):
        reply = await reolink_raw.login("wrong")
        assert reply["error"] == {"detail": "login failed", "rspCode": -7}
        assert reply["code"] == 1
    reply = await reolink_raw.login()  # the right password, but locked now
    assert reply["error"]["detail"] == LOCKED_DETAIL
    assert reply["error"]["rspCode"] == -7
    assert 0 < reply["error"]["unlock_time"] <= 300
    simulator.faults.lock_rsp_code = -506
    simulator.faults.lock_unlock_time = False
    reply = await reolink_raw.login()
    assert reply["error"] == {"detail": LOCKED_DETAIL, "rspCode": -506}


async def test_lock_expires(reolink_raw: RawReolink) -> None:
    reolink_raw.simulator.faults.lock_after_failures = 1
    reolink_raw.simulator.faults.lock_seconds = 0.05
    await reolink_raw.login("wrong")
    assert (await reolink_raw.login())["error"]["detail"] == LOCKED_DETAIL
    await _sleep(0.06)
    assert (await reolink_raw.login())["code"] == 0


async def test_token_rules(reolink_raw: RawReolink) -> None:
    simulator = reolink_raw.simulator
    token = reolink_raw.token
    reolink_raw.token = None
    assert (await reolink_raw.call("GetDevInfo"))["error"]["rspCode"] == -6
    reolink_raw.token = "0123456789abcde"
    assert (await reolink_raw.call("GetDevInfo"))["error"]["rspCode"] == -6
    reolink_raw.token = token
    assert (await reolink_raw.call("GetDevInfo"))["code"] == 0
    simulator.faults.expire_tokens = True
    assert (await reolink_raw.call("GetDevInfo"))["error"] == {
        "detail": "please login first",
        "rspCode": -6,
    }
    assert simulator.faults.expire_tokens is False  # one-shot
    simulator.faults.lease_time = 0
    await reolink_raw.login()
    assert (await reolink_raw.call("GetDevInfo"))["error"]["rspCode"] == -6


async def test_logout_and_max_sessions(reolink_raw: RawReolink) -> None:
    simulator = reolink_raw.simulator
    simulator.faults.max_sessions = 1
    first = reolink_raw.token
    reply = await reolink_raw.login()
    assert reply["error"] == {"detail": "max session", "rspCode": -5}
    reolink_raw.token = first
    assert (await reolink_raw.call("Logout"))["value"] == {"rspCode": 200}
    assert simulator.open_sessions == 0
    assert (await reolink_raw.login())["code"] == 0


async def test_unknown_unsupported_and_batches(reolink_raw: RawReolink) -> None:
    simulator = reolink_raw.simulator
    simulator.faults.unsupported = {"GetHddInfo"}
    commands = [{"cmd": name, "param": {}} for name in ("GetDevInfo", "GetHddInfo", "Reboot")]
    replies, _, _ = await reolink_raw.post(commands, token=reolink_raw.token)
    assert [reply["cmd"] for reply in replies] == ["GetDevInfo", "GetHddInfo", "Reboot"]
    assert replies[1]["error"] == {"detail": "not support", "rspCode": -9}
    assert replies[2]["error"] == {"detail": "ability error", "rspCode": -26}
    assert simulator.requests[-1].commands == ["GetDevInfo", "GetHddInfo", "Reboot"]
    assert simulator.requests[-1].rsp_codes == [0, -9, -26]
    simulator.faults.short_batch = True
    replies, _, _ = await reolink_raw.post(commands, token=reolink_raw.token)
    assert len(replies) == 2


async def test_identity_and_storage(reolink_raw: RawReolink) -> None:
    simulator = reolink_raw.simulator
    link = await reolink_raw.call("GetLocalLink")
    assert link["value"]["LocalLink"]["mac"] == "EC:71:DB:12:34:56"
    disks = (await reolink_raw.call("GetHddInfo"))["value"]["HddInfo"]
    assert disks == [
        {"capacity": 30462, "format": 1, "mount": 1, "number": 0, "size": 779, "storageType": 2}
    ]
    simulator.faults.hdd = "none"
    assert (await reolink_raw.call("GetHddInfo"))["value"]["HddInfo"] == []
    simulator.faults.hdd = "unformatted"
    disk = (await reolink_raw.call("GetHddInfo"))["value"]["HddInfo"][0]
    assert (disk["format"], disk["mount"]) == (0, 0)


async def test_get_time_has_inverted_zone_and_optional_dst(reolink_raw: RawReolink) -> None:
    value = (await reolink_raw.call("GetTime"))["value"]
    assert value["Time"]["timeZone"] == -3600
    assert (value["Time"]["year"], value["Time"]["hour"]) == (2024, 12)
    assert value["Dst"]["enable"] == 1
    assert (value["Dst"]["startMon"], value["Dst"]["startWeek"], value["Dst"]["endMon"]) == (
        3,
        5,
        10,
    )
    reolink_raw.simulator.faults.dst = False
    assert "Dst" not in (await reolink_raw.call("GetTime"))["value"]


def test_default_clock_follows_the_zone() -> None:
    simulator = ReolinkSimulator()
    simulator.faults.dst = False
    simulator.faults.time_zone_seconds = 5 * 3600  # UTC-5
    expected = datetime.now(UTC).replace(tzinfo=None) - timedelta(hours=5)
    assert abs(simulator.clock() - expected) < timedelta(seconds=5)


# -- Search --


async def test_status_search_marks_days_per_month(reolink_raw: RawReolink) -> None:
    param = search_param(datetime(2024, 4, 1), datetime(2024, 5, 31, 23, 59, 59), status_only=True)
    result = (await reolink_raw.call("Search", param))["value"]["SearchResult"]
    assert "File" not in result
    april, may = result["Status"]
    assert (april["year"], april["mon"], april["table"]) == (2024, 4, "0" * 30)
    assert (may["mon"], len(may["table"])) == (5, 31)
    assert may["table"][7:10] == "111"
    assert may["table"].count("1") == 3


async def test_file_search_only_within_one_day(reolink_raw: RawReolink) -> None:
    day = REOLINK_NOW.replace(hour=0, minute=0)
    param = search_param(day, day.replace(hour=23, minute=59, second=59))
    result = (await reolink_raw.call("Search", param))["value"]["SearchResult"]
    files = result["File"]
    assert len(files) == 4
    assert all(item["name"].startswith("Mp4Record/2024-05-10/RecM01_20240510_") for item in files)
    assert [type(item["size"]) for item in files] == [int, str, int, str]
    assert files[0]["StartTime"]["day"] == 10
    wide = search_param(day - timedelta(days=1), day.replace(hour=23))
    result = (await reolink_raw.call("Search", wide))["value"]["SearchResult"]
    assert "File" not in result
    assert result["Status"][0]["table"][8:10] == "11"


async def test_search_size_modes_stream_and_junk(reolink_raw: RawReolink) -> None:
    simulator = reolink_raw.simulator
    day = REOLINK_NOW.replace(hour=0, minute=0)
    param = search_param(day, day.replace(hour=23))
    simulator.faults.search_size = "str"
    files = (await reolink_raw.call("Search", param))["value"]["SearchResult"]["File"]
    assert {type(item["size"]) for item in files} == {str}
    simulator.faults.junk_files = {"2024-05-10": ["junk.mp4", {"odd": True}]}
    files = (await reolink_raw.call("Search", param))["value"]["SearchResult"]["File"]
    assert files[-2]["name"] == "junk.mp4"
    assert files[-1] == {"odd": True}
    sub = search_param(day, day.replace(hour=23), stream="sub")
    result = (await reolink_raw.call("Search", sub))["value"]["SearchResult"]
    assert [item.get("name") for item in result["File"]] == ["junk.mp4", None]


# -- Download and Playback --


async def test_download_headers_and_content(reolink_raw: RawReolink) -> None:
    simulator = reolink_raw.simulator
    recording = simulator.recordings[-1]
    async with reolink_raw.get("Download", source=recording.name, output="out.mp4") as response:
        body = await response.read()
        headers = response.headers
    assert response.status == 200
    assert headers["Content-Type"] == "apolication/octet-stream"
    assert int(headers["Content-Length"]) == recording.size
    assert headers["Accept-Ranges"] == "bytes"
    assert headers["Content-Disposition"] == "attachment;filename=out.mp4"
    assert headers["ETag"].endswith(f'-{recording.size:x}"')
    # 09:05:51 camera time in CEST is 07:05:51 UTC.
    assert headers["Last-Modified"] == "Fri, 10 May 2024 07:05:51 GMT"
    assert hashlib.sha256(body).hexdigest() == simulator.expected_sha256(recording)
    assert simulator.bytes_served(recording.basename) == recording.size
    entry = simulator.requests[-1]
    assert (entry.command, entry.status, entry.body_bytes) == ("Download", 200, recording.size)


@pytest.mark.parametrize(
    ("mode", "status", "content_range", "first"),
    [
        ("honour", 206, "bytes 1000-{last}/{size}", 1000),
        ("ignore", 200, None, 0),
        ("416", 416, "bytes */{size}", None),
        ("bad_content_range", 206, "bytes 1001-{last}/{size}", 1001),
    ],
)
async def test_range_modes(
    reolink_raw: RawReolink,
    mode: str,
    status: int,
    content_range: str | None,
    first: int | None,
) -> None:
    simulator = reolink_raw.simulator
    simulator.faults.range_mode = mode  # type: ignore[assignment]
    recording = simulator.recordings[0]
    async with reolink_raw.get(
        "Download", {"Range": "bytes=1000-"}, source=recording.name
    ) as response:
        body = await response.read()
    assert response.status == status
    expected_range = (
        content_range.format(last=recording.size - 1, size=recording.size)
        if content_range
        else None
    )
    assert response.headers.get("Content-Range") == expected_range
    if first is not None:
        assert body == content.content(recording.basename, recording.size)[first:]
    assert simulator.requests[-1].range == "bytes=1000-"


async def test_range_past_the_end_is_416(reolink_raw: RawReolink) -> None:
    recording = reolink_raw.simulator.recordings[0]
    async with reolink_raw.get(
        "Download", {"Range": f"bytes={recording.size}-"}, source=recording.name
    ) as response:
        assert response.status == 416
        assert response.headers["Content-Range"] == f"bytes */{recording.size}"


@pytest.mark.parametrize("fault", ["truncate", "reset_after"])
async def test_body_cut_short(reolink_raw: RawReolink, fault: str) -> None:
    simulator = reolink_raw.simulator
    recording = simulator.recordings[0]
    getattr(simulator.faults, fault)[recording.basename] = 100_000
    received = bytearray()
    with pytest.raises(aiohttp.ClientPayloadError):
        await _read_into(reolink_raw, recording, received)
    assert len(received) == 100_000
    assert bytes(received) == content.content(recording.basename, recording.size)[:100_000]


async def test_stall_pauses_then_completes(reolink_raw: RawReolink) -> None:
    simulator = reolink_raw.simulator
    recording = simulator.recordings[0]
    simulator.faults.stall[recording.basename] = (5000, 0.2)
    loop_time = _loop_time()
    async with reolink_raw.get("Download", source=recording.name) as response:
        body = await response.read()
    assert len(body) == recording.size
    assert _loop_time() - loop_time >= 0.2


async def test_download_hangs_up_playback_works(reolink_raw: RawReolink) -> None:
    simulator = reolink_raw.simulator
    simulator.faults.download_fails = True
    recording = simulator.recordings[0]
    with pytest.raises(aiohttp.ServerDisconnectedError):
        async with reolink_raw.get("Download", source=recording.name):
            pass
    async with reolink_raw.get(
        "Playback", source=recording.name, start="20240508000500"
    ) as response:
        assert response.content_type == "apolication/octet-stream"
        assert len(await response.read()) == recording.size
    simulator.faults.playback_flv = True
    async with reolink_raw.get("Playback", source=recording.name) as response:
        assert response.content_type == "video/x-flv"
        assert (await response.read()).startswith(b"FLV")


async def test_file_errors_are_json(reolink_raw: RawReolink) -> None:
    simulator = reolink_raw.simulator
    recording = simulator.recordings[0]
    simulator.faults.busy = {recording.basename}
    async with reolink_raw.get("Download", source=recording.name) as response:
        assert response.content_type == "text/html"
        assert (await response.json(content_type=None))[0]["error"]["rspCode"] == -221
    gone = simulator.roll_off()
    assert gone == [recording]
    async with reolink_raw.get("Download", source=recording.name) as response:
        assert (await response.json(content_type=None))[0]["error"] == {
            "detail": "The video file does not exist",
            "rspCode": -222,
        }
    reolink_raw.token = None
    async with reolink_raw.get("Download", source=simulator.recordings[0].name) as response:
        assert (await response.json(content_type=None))[0]["error"]["rspCode"] == -6


# -- Snap --


async def test_snap_is_a_jpeg_or_a_json_error(reolink_raw: RawReolink) -> None:
    async with reolink_raw.get("Snap", channel="0", rs="abc") as response:
        assert response.content_type == "image/jpeg"
        image = Image.open(io.BytesIO(await response.read()))
        assert image.format == "JPEG"
    async with reolink_raw.get("Snap", channel="0") as response:  # no rs, as reolink-aio
        assert response.content_type == "image/jpeg"
    reolink_raw.simulator.faults.snap_fails = True
    async with reolink_raw.get("Snap", channel="0") as response:
        assert response.content_type == "text/html"
        assert (await response.json(content_type=None))[0]["error"] == {
            "detail": "Fetching a picture failed",
            "rspCode": -48,
        }


# -- lifecycle --


async def test_stop_restart_and_https() -> None:
    simulator = reolink_simulator()
    await simulator.start(ssl_context=self_signed_context())
    try:
        assert simulator.base_url.startswith("https://127.0.0.1:")
        port = simulator.port
        async with aiohttp.ClientSession() as session:
            raw = RawReolink(session, simulator)
            assert (await raw.login())["code"] == 0
            with pytest.raises(RuntimeError, match="already running"):
                await simulator.start()
            await simulator.stop()
            assert not simulator.running
            with pytest.raises(aiohttp.ClientConnectionError):
                await raw.call("GetDevInfo")
            await simulator.restart()
            assert simulator.port == port
            assert (await raw.call("GetDevInfo"))["code"] == 0  # tokens survive a restart
            with pytest.raises(aiohttp.ClientConnectorCertificateError):
                await session.get(simulator.base_url + "/api.cgi?cmd=Login")
    finally:
        await simulator.close()


async def test_request_log_never_has_the_password_in_urls(reolink_raw: RawReolink) -> None:
    await reolink_raw.login()
    await reolink_raw.call("GetDevInfo")
    assert all("secret-pass" not in entry.url for entry in reolink_raw.simulator.requests)
    assert reolink_raw.simulator.count("Login") == 2


async def _read_into(raw: RawReolink, recording: ReolinkRecording, received: bytearray) -> None:
    async with raw.get("Download", source=recording.name) as response:
        async for piece in response.content.iter_any():
            received += piece


async def _sleep(seconds: float) -> None:
    import asyncio

    await asyncio.sleep(seconds)


def _loop_time() -> float:
    import asyncio

    return asyncio.get_running_loop().time()
