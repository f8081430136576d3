"""The Reolink v3 firmware profile and its knobs, each shown on the wire over loopback."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
import hashlib
import re

import aiohttp
import pytest

from camera_simulators.reolink import (
    V3_KNOBS,
    ReolinkFaults,
    ReolinkRecording,
    ReolinkSimulator,
    make_reolink_recordings,
    remux_size,
)
from tests.reolink_fixtures import REOLINK_NOW, RawReolink, search_param
from tests.simulators.boxes import is_well_formed, top_level_boxes
from tests.simulators.wire import WireReply, dechunk, raw_get

DAY = REOLINK_NOW.replace(hour=0, minute=0, second=0)
DAY_PARAM = search_param(DAY, DAY.replace(hour=23, minute=59, second=59))


def v3_simulator(**knobs: object) -> ReolinkSimulator:
    faults = ReolinkFaults(profile="v3")
    for knob, value in knobs.items():
        setattr(faults, knob, value)
    recordings = make_reolink_recordings(3, 4, end=REOLINK_NOW, firmware="v3")
    return ReolinkSimulator(recordings, faults, clock=lambda: REOLINK_NOW)


@pytest.fixture
async def v3() -> AsyncIterator[RawReolink]:
    """Yield a logged-in raw client of a running v3 camera."""
    async with v3_simulator() as simulator, aiohttp.ClientSession() as session:
        raw = RawReolink(session, simulator)
        assert (await raw.login())["code"] == 0
        yield raw


@pytest.fixture
async def polite(reolink_sim: ReolinkSimulator) -> AsyncIterator[RawReolink]:
    async with aiohttp.ClientSession() as session:
        raw = RawReolink(session, reolink_sim)
        assert (await raw.login())["code"] == 0
        yield raw


def target(raw: RawReolink, command: str, source: str, *, token: str | None = None) -> str:
    """Return a request target with ``source`` exactly as given (no encoding)."""
    return f"/cgi-bin/api.cgi?cmd={command}&source={source}&token={token or raw.token}"


async def wire(raw: RawReolink, command: str, source: str, **kwargs: str) -> WireReply:
    simulator = raw.simulator
    return await raw_get(simulator.host, simulator.port, target(raw, command, source, **kwargs))


async def day_files(raw: RawReolink) -> list[dict[str, object]]:
    result = (await raw.call("Search", DAY_PARAM))["value"]["SearchResult"]
    files: list[dict[str, object]] = result.get("File", [])
    return files


# -- the profile --


def test_profile_switches_the_v3_knobs_on_and_the_default_stays_polite() -> None:
    v3 = ReolinkFaults(profile="v3")
    polite = ReolinkFaults()
    for knob, value in V3_KNOBS.items():
        assert getattr(v3, knob) == value
        assert getattr(polite, knob) != value
    assert not v3.wedged
    assert v3.reset_probability == 0
    v3.chunked = False  # each knob can be turned back
    assert not v3.chunked
    simulator = ReolinkSimulator([], v3)
    assert (simulator.model, simulator.firmware) == ("RLC-1224A", "v3.2.0.6011_2607012059")
    assert ReolinkSimulator([]).model == "RLC-520A"


def test_v3_names() -> None:
    recordings = make_reolink_recordings(2, 3, end=REOLINK_NOW, firmware="v3")
    for recording in recordings:
        assert recording.name.startswith(f"/mnt/sda/Mp4Record/{recording.start:%Y-%m-%d}/RecM0A_")
        assert re.fullmatch(
            r"RecM0A_DST\d{8}_\d{6}_\d{6}_0_[0-9A-F]{14}_[0-9A-F]+\.mp4", recording.basename
        )
        name_size = int(recording.basename.rsplit("_", 1)[1][:-4], 16)
        assert len({name_size, recording.size, remux_size(recording)}) == 3
    motion = ReolinkRecording(DAY, DAY, frozenset({"motion"}), 1, variant="10")
    assert motion.flags == "55148080000000"  # as a real RLC-1224A names a motion clip
    assert ReolinkRecording(DAY, DAY, frozenset({"person"}), 1, variant="10").flags == (
        "5514C000000000"
    )
    winter = make_reolink_recordings(1, 1, end=datetime(2024, 1, 10, 12), firmware="v3")
    assert "_DST" not in winter[0].basename


# -- remux, content type, chunked --


async def test_download_is_a_remuxed_fragmented_mp4_sent_chunked(v3: RawReolink) -> None:
    simulator = v3.simulator
    entry = (await day_files(v3))[0]
    assert isinstance(entry["size"], str)  # v3 sends size as a string
    recording = simulator.find(str(entry["name"]))
    reply = await wire(v3, "Download", recording.name)
    assert reply.status == 200
    assert reply.ending == "eof"
    assert reply.header("Content-Type") == "video/mp4"
    assert reply.header("Transfer-Encoding") == "chunked"
    assert reply.header("Content-Length") is None
    body, complete = dechunk(reply.body)
    assert complete  # a clean end: the terminating 0-chunk
    name_size = int(recording.basename.rsplit("_", 1)[1][:-4], 16)
    sizes = {"search": int(str(entry["size"])), "name": name_size, "download": len(body)}
    assert len(set(sizes.values())) == 3, sizes
    assert len(body) == simulator.served_size(recording) == remux_size(recording)
    assert hashlib.sha256(body).hexdigest() == simulator.expected_sha256(recording)
    assert is_well_formed(body)
    kinds = [kind for kind, _, _ in top_level_boxes(body)]
    assert kinds[:2] == ["ftyp", "moov"]
    assert set(kinds[2:]) == {"moof", "mdat"}
    assert body[4:12] == b"ftypmp42"


async def test_polite_download_has_a_content_length_and_a_plain_mp4(polite: RawReolink) -> None:
    recording = polite.simulator.recordings[0]
    reply = await wire(polite, "Download", recording.name)
    assert reply.header("Content-Length") == str(recording.size)
    assert reply.header("Transfer-Encoding") is None
    assert reply.header("Content-Type") == "apolication/octet-stream"
    assert len(reply.body) == recording.size
    assert [kind for kind, _, _ in top_level_boxes(reply.body)] == ["ftyp", "moov", "mdat"]


async def test_a_chunked_body_cut_short_has_no_terminating_chunk(v3: RawReolink) -> None:
    recording = v3.simulator.recordings[0]
    v3.simulator.faults.truncate[recording.basename] = 50_000
    reply = await wire(v3, "Download", recording.name)
    body, complete = dechunk(reply.body)
    assert not complete
    assert body == v3.simulator.expected_bytes(recording)[:50_000]
    with pytest.raises(aiohttp.ClientPayloadError):
        async with v3.get("Download", source=recording.name) as response:
            await response.read()


async def test_ranges_on_the_remuxed_length(v3: RawReolink) -> None:
    recording = v3.simulator.recordings[0]
    served = v3.simulator.served_size(recording)
    async with v3.get("Download", {"Range": "bytes=1000-"}, source=recording.name) as response:
        assert response.status == 206
        assert response.headers["Content-Range"] == f"bytes 1000-{served - 1}/{served}"
        assert await response.read() == v3.simulator.expected_bytes(recording)[1000:]


async def test_box_damage_keeps_the_length_and_breaks_the_chain(polite: RawReolink) -> None:
    simulator = polite.simulator
    recording = simulator.recordings[0]
    simulator.faults.box_damage[recording.basename] = 100
    async with polite.get("Download", source=recording.name) as response:
        body = await response.read()
        assert response.content_length == recording.size == len(body)
    assert not is_well_formed(body)
    assert hashlib.sha256(body).hexdigest() == simulator.expected_sha256(recording)


# -- resets --


async def test_a_rolled_off_name_is_a_reset_on_v3_and_json_on_v7(
    v3: RawReolink, polite: RawReolink
) -> None:
    gone = v3.simulator.roll_off()[0]
    reply = await wire(v3, "Download", gone.name)
    assert (reply.ending, reply.data) == ("reset", b"")
    assert v3.simulator.requests[-1].outcome == "reset"
    with pytest.raises(aiohttp.ClientOSError):
        async with v3.get("Download", source=gone.name):
            pass
    old = polite.simulator.roll_off()[0]
    reply = await wire(polite, "Download", old.name)
    assert (reply.status, reply.ending) == (200, "eof")
    assert b'"rspCode" : -222' in reply.body


async def test_a_hang_up_is_a_fin_not_a_reset(polite: RawReolink) -> None:
    polite.simulator.faults.download_fails = True
    reply = await wire(polite, "Download", polite.simulator.recordings[0].name)
    assert (reply.ending, reply.data) == ("eof", b"")
    with pytest.raises(aiohttp.ServerDisconnectedError):
        async with polite.get("Download", source=polite.simulator.recordings[0].name):
            pass


async def test_random_resets_follow_the_seed(v3: RawReolink) -> None:
    simulator = v3.simulator
    simulator.faults.reset_probability = 0.5
    simulator.faults.reset_seed = 7
    recording = simulator.recordings[0]
    endings = [(await wire(v3, "Download", recording.name)).ending for _ in range(12)]
    assert set(endings) == {"reset", "eof"}
    # A new camera with the same seed resets the same requests.
    again = v3_simulator(reset_probability=0.5, reset_seed=7)
    async with again, aiohttp.ClientSession() as session:
        raw = RawReolink(session, again)
        await raw.login()
        name = again.recordings[0].name
        assert [(await wire(raw, "Download", name)).ending for _ in range(12)] == endings


async def test_wedged_resets_every_download_while_the_rest_works(v3: RawReolink) -> None:
    simulator = v3.simulator
    simulator.faults.wedged = True
    recording = simulator.recordings[0]
    for command in ("Download", "Playback"):
        reply = await wire(v3, command, recording.name)
        assert (reply.ending, reply.data) == ("reset", b"")
    assert (await v3.call("GetDevInfo"))["code"] == 0
    assert await day_files(v3)
    async with v3.get("Snap", channel="0") as response:
        assert response.content_type == "image/jpeg"
    assert (await v3.login())["code"] == 0


async def test_an_overlapping_download_wedges_the_camera(v3: RawReolink) -> None:
    simulator = v3.simulator
    simulator.faults.wedge_on_concurrent_download = True
    simulator.faults.rate_limit = 1_000_000
    first, second = simulator.recordings[:2]
    async with v3.get("Download", source=first.name) as response:
        await response.content.readexactly(1000)
        reply = await wire(v3, "Download", second.name)
        assert reply.ending == "reset"
        await response.read()  # the first one finishes
    assert simulator.faults.wedged
    assert (await wire(v3, "Download", second.name)).ending == "reset"


async def test_an_encoded_slash_in_source_resets(v3: RawReolink) -> None:
    name = v3.simulator.recordings[0].name
    reply = await wire(v3, "Download", name.replace("/", "%2F"))
    assert (reply.ending, reply.data) == ("reset", b"")
    assert (await wire(v3, "Download", name)).status == 200


# -- sessions --


async def test_a_lost_session_is_401_on_download_and_minus_6_elsewhere(v3: RawReolink) -> None:
    simulator = v3.simulator
    name = simulator.recordings[0].name
    simulator.expire_all_tokens()
    for command in ("Download", "Playback"):
        reply = await wire(v3, command, name)
        assert reply.status == 401
        assert reply.header(
            "Content-Type",
        ).startswith("text/html")  # type: ignore[union-attr]
        assert reply.header("Content-Length") == "0"
        assert reply.body == b""
    assert (await v3.call("GetDevInfo"))["error"]["rspCode"] == -6
    async with v3.get("Snap", channel="0") as response:
        assert response.status == 200
        assert response.content_type == "text/html"
        assert (await response.json(content_type=None))[0]["error"]["rspCode"] == -6


async def test_login_reach_max(polite: RawReolink) -> None:
    polite.simulator.faults.max_sessions = 1
    polite.simulator.faults.max_sessions_rsp_code = -507
    reply = await polite.login()
    assert reply["error"] == {"detail": "login reach max", "rspCode": -507}


# -- clips still being recorded --


async def test_a_clip_being_recorded_grows_then_gets_its_final_name(v3: RawReolink) -> None:
    simulator = v3.simulator
    clip = simulator.start_recording(REOLINK_NOW - timedelta(minutes=1), size=200_000)
    first = [entry for entry in await day_files(v3) if "_000000_" in str(entry["name"])]
    assert len(first) == 1
    growing_name = str(first[0]["name"])
    assert re.search(r"_\d{6}_000000_0_", growing_name)
    assert first[0]["EndTime"] == {"day": 10, "hour": 0, "min": 0, "mon": 5, "sec": 0, "year": 2024}
    second = [entry for entry in await day_files(v3) if entry["name"] == growing_name]
    assert int(str(second[0]["size"])) > int(str(first[0]["size"]))
    reply = await wire(v3, "Download", growing_name)
    assert len(dechunk(reply.body)[0]) == simulator.served_size(clip)

    final = simulator.finish_recording(clip)
    names = [str(entry["name"]) for entry in await day_files(v3)]
    assert growing_name not in names
    assert final.name in names
    assert "_000000_" not in final.name
    assert final.end == final.start + timedelta(seconds=30)
    assert (await wire(v3, "Download", growing_name)).ending == "reset"  # gone, like rolled off
    assert (await wire(v3, "Download", final.name)).status == 200


async def test_a_clip_can_finish_by_itself_after_some_listings(polite: RawReolink) -> None:
    simulator = polite.simulator
    clip = simulator.start_recording(REOLINK_NOW - timedelta(minutes=2), size=1000)
    clip.finish_after_listings = 2
    growing = clip.name
    assert "_000000_" in growing
    assert growing in [entry["name"] for entry in await day_files(polite)]
    listed = [entry["name"] for entry in await day_files(polite)]
    assert growing not in listed
    assert clip.name in listed
    reply = await wire(polite, "Download", growing)
    assert b'"rspCode" : -222' in reply.body  # the polite camera says "does not exist"


# -- Search --


async def overlapping_searches(raw: RawReolink) -> tuple[dict[str, object], dict[str, object]]:
    raw.simulator.faults.search_seconds = 0.3
    first = asyncio.ensure_future(raw.call("Search", DAY_PARAM))
    while not raw.simulator.searches_in_progress:
        await asyncio.sleep(0.005)
    second = await raw.call("Search", DAY_PARAM)
    return await first, second


async def test_an_overlapping_search_gets_minus_54(v3: RawReolink) -> None:
    first, second = await overlapping_searches(v3)
    assert "File" in first["value"]["SearchResult"]  # type: ignore[index]
    assert second["error"] == {"detail": "the respode of msg is err", "rspCode": -54}


async def test_an_overlapping_search_can_be_silently_empty(v3: RawReolink) -> None:
    v3.simulator.faults.search_overlap = "empty"
    first, second = await overlapping_searches(v3)
    assert second["code"] == 0
    result = second["value"]["SearchResult"]  # type: ignore[index]
    assert "File" not in result
    assert result["Status"][0]["table"][9] == "1"  # the status still says the day has files
    assert "File" in first["value"]["SearchResult"]  # type: ignore[index]


async def test_polite_searches_may_overlap(polite: RawReolink) -> None:
    _, second = await overlapping_searches(polite)
    assert "File" in second["value"]["SearchResult"]  # type: ignore[index]


async def test_one_shot_search_faults(polite: RawReolink) -> None:
    faults = polite.simulator.faults
    faults.search_busy_next = 2
    assert (await polite.call("Search", DAY_PARAM))["error"]["rspCode"] == -54
    assert (await polite.call("Search", DAY_PARAM))["error"]["rspCode"] == -54
    assert "File" in (await polite.call("Search", DAY_PARAM))["value"]["SearchResult"]
    faults.search_empty_next = {f"{DAY:%Y-%m-%d}"}
    reply = await polite.call("Search", DAY_PARAM)
    assert reply["code"] == 0
    assert "File" not in reply["value"]["SearchResult"]
    assert await day_files(polite)  # once only
    faults.search_http_errors = [502]
    async with polite.session.post(
        polite.url,
        params={"cmd": "Search", "token": polite.token or ""},
        json=[{"cmd": "Search", "param": DAY_PARAM}],
    ) as response:
        assert response.status == 502
        assert response.content_type == "text/html"
    assert await day_files(polite)
    assert polite.simulator.requests[-2].status == 502


# -- Playback, source paths, DST --


async def test_playback_answers_404(v3: RawReolink) -> None:
    reply = await wire(v3, "Playback", v3.simulator.recordings[0].name)
    assert reply.status == 404
    assert (reply.header("Content-Type") or "").startswith("text/html")


@pytest.mark.parametrize("strict", [True, False])
async def test_spaces_in_source_must_be_percent_20(polite: RawReolink, strict: bool) -> None:
    simulator = polite.simulator
    simulator.faults.strict_source = strict
    hub = ReolinkRecording(
        DAY.replace(hour=8),
        DAY.replace(hour=8, second=30),
        frozenset({"motion"}),
        5000,
        folder="/mnt/sda/95270000ABCD-Front Door",
    )
    simulator.recordings.append(hub)
    assert hub.name.startswith("/mnt/sda/95270000ABCD-Front Door/Mp4Record/2024-05-10/")
    assert (await wire(polite, "Download", hub.name.replace(" ", "%20"))).status == 200
    plus = await wire(polite, "Download", hub.name.replace(" ", "+"))
    if strict:
        assert b'"rspCode" : -222' in plus.body
    else:
        assert len(plus.body) == hub.size  # a lenient camera decodes + as a space


async def test_the_names_dst_marker_decides_the_offset(v3: RawReolink) -> None:
    """02:30 on the last Sunday of October happens twice; only the name says which."""
    simulator = v3.simulator
    first_pass = datetime(2024, 10, 27, 2, 30)
    clips = [
        ReolinkRecording(
            first_pass,
            first_pass + timedelta(seconds=20),
            frozenset({"motion"}),
            900,
            variant="10",
            folder="/mnt/sda",
            dst_prefix=dst,
            stream=stream,
        )
        for dst, stream in ((True, "main"), (False, "sub"))
    ]
    simulator.recordings.extend(clips)
    modified = []
    for clip in clips:
        async with v3.get("Download", source=clip.name) as response:
            modified.append(response.headers["Last-Modified"])
            await response.read()
    assert modified == ["Sun, 27 Oct 2024 00:30:20 GMT", "Sun, 27 Oct 2024 01:30:20 GMT"]
    simulator.faults.dst_from_name = False  # the rule alone reads both as summer time
    async with v3.get("Download", source=clips[1].name) as response:
        assert response.headers["Last-Modified"] == "Sun, 27 Oct 2024 00:30:20 GMT"
