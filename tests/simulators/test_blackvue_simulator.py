"""The simulated BlackVue dashcam: both APIs, every fault knob, the request log, the CLI."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
import hashlib
import os
from pathlib import Path
import re
import signal
import subprocess
import sys
import time
import tracemalloc
from typing import Any
import urllib.request

import aiohttp
from multidict import CIMultiDictProxy
import pytest

from camera_simulators import content
from camera_simulators.__main__ import build_parser
from camera_simulators.blackvue import (
    BlackVueFaults,
    BlackVueSimulator,
    SimRecording,
    gps_track,
    journey_recordings,
    make_recordings,
    plan_range,
)
from camera_simulators.route import DashcamGps, Journey
from custom_components.camsync.engine.gps import parse_gps

START = datetime(2026, 1, 1, 12, 0, 0)
NF = "20260101_120000_NF.mp4"
NR = "20260101_120000_NR.mp4"
PF = "20260101_120200_PF.mp4"  # parking: no .gps
ROOT = Path(__file__).resolve().parents[2]


def leftovers() -> tuple[set[asyncio.Task[object]], list[asyncio.TimerHandle]]:
    """Tasks and live timers on the running loop, besides the current task."""
    loop = asyncio.get_running_loop()
    tasks = asyncio.all_tasks(loop) - {asyncio.current_task()}
    timers = [timer for timer in loop._scheduled if not timer.cancelled()]  # type: ignore[attr-defined]
    return tasks, timers


@pytest.fixture
async def sim() -> AsyncIterator[BlackVueSimulator]:
    """Yield a legacy camera with 3 two-channel recordings; check close() leaves nothing."""
    tasks_before, _ = leftovers()
    async with BlackVueSimulator(make_recordings(3, start=START)) as simulator:
        yield simulator
    await asyncio.sleep(0)
    tasks, timers = leftovers()
    assert tasks - tasks_before == set()
    assert timers == []


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def fetch(
    http: aiohttp.ClientSession, url: str, **kwargs: Any
) -> tuple[int, CIMultiDictProxy[str], bytes]:
    """GET a whole body: status, headers, bytes."""
    async with http.get(url, **kwargs) as response:
        return response.status, response.headers, await response.read()


async def download(
    http: aiohttp.ClientSession, url: str, received: bytearray, **kwargs: Any
) -> None:
    """GET into ``received`` as the bytes arrive, so a failing test still sees what came."""
    async with http.get(url, **kwargs) as response:
        async for chunk in response.content.iter_any():
            received += chunk


async def read_partially(http: aiohttp.ClientSession, url: str) -> tuple[bytearray, Exception]:
    """Read a body that is meant to fail; return what arrived and the error."""
    received = bytearray()
    with pytest.raises(aiohttp.ClientError) as failure:
        await download(http, url, received)
    return received, failure.value


# --- Recordings -------------------------------------------------------------------------------


def test_make_recordings_is_deterministic() -> None:
    recordings = make_recordings(4, start=START, step=timedelta(minutes=2), kinds="NP")
    assert [r.name for r in recordings] == [
        "20260101_120000_NF.mp4",
        "20260101_120000_NR.mp4",
        "20260101_120200_PF.mp4",
        "20260101_120200_PR.mp4",
        "20260101_120400_NF.mp4",
        "20260101_120400_NR.mp4",
        "20260101_120600_PF.mp4",
        "20260101_120600_PR.mp4",
    ]
    assert recordings == make_recordings(4, start=START, step=timedelta(minutes=2), kinds="NP")
    assert all(200_000 <= r.size <= 400_000 for r in recordings)
    assert recordings[0].size == content.size_for(recordings[0].name, 200_000, 400_000)
    assert [r.has_gps for r in recordings[:4]] == [True, True, False, False]


def test_sidecar_names_drop_the_upload_flag_and_share_gps() -> None:
    assert SimRecording("20260101_120000_NFL.mp4", 10).sidecar_names() == [
        "20260101_120000_NF.thm",
        "20260101_120000_N.gps",
        "20260101_120000_N.3gf",
    ]
    assert SimRecording("20260101_120000_PR.mp4", 10, has_gps=False).sidecar_names() == [
        "20260101_120000_PR.thm",
        "20260101_120000_P.3gf",
    ]
    assert SimRecording("junk.mp4", 10).sidecar_names() == []


# --- Legacy API -------------------------------------------------------------------------------


async def test_legacy_listing_crlf(sim: BlackVueSimulator, http: aiohttp.ClientSession) -> None:
    status, headers, body = await fetch(http, f"{sim.base_url}/blackvue_vod.cgi")
    assert status == 200
    assert headers["Content-Type"].startswith("text/plain")
    expected = ["v:1.00"] + [f"n:/Record/{name},s:1000000" for name in sim.listed_names()]
    assert body.decode() == "".join(line + "\r\n" for line in expected)
    assert len(sim.listed_names()) == 6
    assert (await fetch(http, f"{sim.base_url}/accessible"))[0] == 404
    assert (await fetch(http, f"{sim.base_url}/vodList"))[0] == 404


async def test_legacy_listing_lf_v3_and_extra_lines(
    sim: BlackVueSimulator, http: aiohttp.ClientSession
) -> None:
    extras = [
        "n:/Record/20260101_120000_ZF.mp4,s:1000000",
        "n:/Record/../../etc/passwd,s:1000000",
        "garbage",
    ]
    sim.faults.line_ending = "\n"
    sim.faults.version_header = "v:3.00"
    sim.faults.extra_listing_lines = extras
    sim.recordings = sim.recordings[:1]
    _, _, body = await fetch(http, f"{sim.base_url}/blackvue_vod.cgi")
    assert body.decode() == "\n".join(["v:3.00", f"n:/Record/{NF},s:1000000", *extras]) + "\n"


async def test_listing_follows_recordings(
    sim: BlackVueSimulator, http: aiohttp.ClientSession
) -> None:
    gone = sim.recordings.pop(0)
    sim.recordings.append(SimRecording("20260101_130000_MF.mp4", 1000))
    _, _, body = await fetch(http, f"{sim.base_url}/blackvue_vod.cgi")
    assert gone.name not in body.decode()
    assert "20260101_130000_MF.mp4" in body.decode()
    assert (await fetch(http, f"{sim.base_url}/Record/{gone.name}"))[0] == 404
    assert (await fetch(http, f"{sim.base_url}/Record/20260101_130000_MF.mp4"))[0] == 200


async def test_legacy_video_and_sidecars(
    sim: BlackVueSimulator, http: aiohttp.ClientSession
) -> None:
    status, headers, body = await fetch(http, f"{sim.base_url}/Record/{NF}")
    assert status == 200
    assert headers["Accept-Ranges"] == "bytes"
    assert int(headers["Content-Length"]) == len(body) == sim.recordings[0].size
    assert body == sim.expected_bytes(NF)

    _, _, thm = await fetch(http, f"{sim.base_url}/Record/20260101_120000_NR.thm")
    assert thm.startswith(b"\xff\xd8")
    assert thm.endswith(b"\xff\xd9")
    assert thm == sim.expected_bytes("20260101_120000_NR.thm")
    assert thm != sim.expected_bytes("20260101_120000_NF.thm")

    _, headers, gps = await fetch(http, f"{sim.base_url}/Record/20260101_120000_N.gps")
    # The town drive (camera_simulators.route): RMC and GGA at 1 Hz near 0°/0°, with junk.
    assert gps == sim.expected_bytes("20260101_120000_N.gps")
    track = parse_gps(gps)
    assert 50 <= len(track.fixes) <= 60
    assert track.fixes[0].time.isoformat().startswith("2026-01-01T12:00:0")
    assert all(abs(fix.lat) < 0.02 and abs(fix.lon) < 0.02 for fix in track.fixes)
    assert track.skipped >= 2  # a torn sentence and a bad checksum

    _, _, accel = await fetch(http, f"{sim.base_url}/Record/20260101_120000_N.3gf")
    assert len(accel) % 10 == 0
    assert len(accel) > 100
    assert accel == sim.expected_bytes("20260101_120000_N.3gf")
    assert int.from_bytes(accel[10:14], "big") == 100  # second record: 100 ms


async def test_old_gps_random_walk_on_request(http: aiohttp.ClientSession) -> None:
    async with BlackVueSimulator(make_recordings(1, start=START), gps=gps_track) as old:
        _, _, gps = await fetch(http, f"{old.base_url}/Record/20260101_120000_N.gps")
    lines = gps.decode().splitlines()
    assert 20 <= len(lines) <= 100
    assert all(re.fullmatch(r"\[\d{13}\]\$GPRMC,.*\*[0-9A-F]{2}", line) for line in lines)
    assert lines[0].startswith("[1767268800000]$GPRMC,120000.00,A,")


async def test_journey_recordings_serve_their_window_of_the_drive(
    http: aiohttp.ClientSession,
) -> None:
    journey = Journey()
    recordings = journey_recordings(journey)
    windows = journey.recordings()
    assert [r.name for r in recordings[:2]] == [windows[0].video("F"), windows[0].video("R")]
    async with BlackVueSimulator(recordings, gps=DashcamGps([journey])) as sim:
        for window in windows:
            status, _, body = await fetch(http, f"{sim.base_url}/Record/{window.stem}.gps")
            if window.has_gps:
                assert body == journey.gps_file(window.start, window.seconds)
            else:
                assert status == 404


async def test_connections_are_counted(http: aiohttp.ClientSession) -> None:
    async with BlackVueSimulator(make_recordings(1, start=START)) as sim:
        _, writer = await asyncio.open_connection(sim.host, sim.port)
        writer.close()
        await writer.wait_closed()
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True)) as one:
            for _ in range(2):
                async with one.get(f"{sim.base_url}/blackvue_vod.cgi") as response:
                    await response.read()
        await asyncio.sleep(0)
        assert sim.connections == 3
        assert len(sim.requests) == 2  # a bare connect is no request


async def test_unusual_letters_and_upload_flags(http: aiohttp.ClientSession) -> None:
    recordings = make_recordings(2, start=START, kinds="MZ", directions="IO")
    recordings.append(SimRecording("20260101_130000_NFS.mp4", 5000))
    async with BlackVueSimulator(recordings) as sim:
        _, _, body = await fetch(http, f"{sim.base_url}/blackvue_vod.cgi")
        assert "n:/Record/20260101_120100_ZO.mp4,s:1000000" in body.decode().splitlines()
        for name in ("20260101_120100_ZO.thm", "20260101_120100_Z.gps", "20260101_130000_NF.thm"):
            assert (await fetch(http, f"{sim.base_url}/Record/{name}"))[0] == 200, name
        assert (await fetch(http, f"{sim.base_url}/Record/20260101_130000_NFS.thm"))[0] == 404


async def test_legacy_404s(sim: BlackVueSimulator, http: aiohttp.ClientSession) -> None:
    for path in (
        "/Record/20260101_120200_P.gps",  # parking recording: no .gps
        "/Record/20990101_000000_NF.mp4",
        "/Record/20260101_120000_ZF.mp4",
        f"/{NF}",  # legacy videos live under /Record only
        "/Record/..%2F..%2Fetc%2Fpasswd",
    ):
        assert (await fetch(http, sim.base_url + path))[0] == 404, path
    assert (await fetch(http, f"{sim.base_url}/Record/20260101_120200_P.3gf"))[0] == 200
    assert [entry.status for entry in sim.requests] == [404] * 5 + [200]


async def test_head_is_refused(sim: BlackVueSimulator, http: aiohttp.ClientSession) -> None:
    async with http.head(f"{sim.base_url}/Record/{NF}") as response:
        assert response.status == 405
    assert sim.requests[-1].method == "HEAD"
    assert sim.requests[-1].status == 405


async def test_version_bin_formats(sim: BlackVueSimulator, http: aiohttp.ClientSession) -> None:
    _, _, ini = await fetch(http, f"{sim.base_url}/Config/version.bin")
    assert ini.decode().startswith("[firmware]\nversion=1.012\nmodel=DR900X-2CH\n")
    sim.faults.version_format = "bare"
    _, _, bare = await fetch(http, f"{sim.base_url}/Config/version.bin")
    assert bare == b"DR900X-2CH 1.012"


# --- V1.009 API -------------------------------------------------------------------------------


async def test_v1009_api(sim: BlackVueSimulator, http: aiohttp.ClientSession) -> None:
    sim.faults.firmware = "v1009"
    sim.faults.extra_listing_lines = ["20260101_120000_ZF.mp4"]
    base = sim.base_url
    async with http.get(f"{base}/accessible") as response:
        assert response.status == 200
        assert await response.json() == {"accessible": "OK", "message": "Access possible."}
    assert (await fetch(http, f"{base}/blackvue_vod.cgi"))[::2] == (415, b"mp4 only")
    async with http.get(f"{base}/vodList") as response:
        listing = await response.json()
    assert listing == {
        "filelist": [{"filename": name} for name in [*sim.listed_names(), "20260101_120000_ZF.mp4"]]
    }
    status, _, body = await fetch(http, f"{base}/{NR}")
    assert status == 200
    assert body == sim.expected_bytes(NR)
    assert (await fetch(http, f"{base}/Record/{NR}"))[0] == 400
    assert (await fetch(http, f"{base}/20260101_120000_NR.thm"))[::2] == (415, b"mp4 only")
    assert (await fetch(http, f"{base}/20260101_120000_N.3gf"))[0] == 415
    assert (await fetch(http, f"{base}/20990101_000000_NF.mp4"))[0] == 404


async def test_v1009_metadata(sim: BlackVueSimulator, http: aiohttp.ClientSession) -> None:
    url = f"{sim.base_url}/vodMetadata"
    async with http.post(url, json={"file": NF, "types": ["thumbnail"]}) as response:
        assert response.status == 404  # legacy firmware: no such endpoint
    sim.faults.firmware = "v1009"
    async with http.post(url, json={"file": NF, "types": ["thumbnail", "gps"]}) as response:
        metadata = (await response.json())["metadata"]
    assert base64.b64decode(metadata["thumbnail"]) == sim.expected_bytes("20260101_120000_NF.thm")
    assert base64.b64decode(metadata["gps"]) == sim.expected_bytes("20260101_120000_N.gps")
    async with http.post(url, json={"file": PF, "types": ["thumbnail", "gps"]}) as response:
        assert set((await response.json())["metadata"]) == {"thumbnail"}
    async with http.post(url, json={"file": "20990101_000000_NF.mp4", "types": []}) as response:
        assert response.status == 404
    async with http.post(url, data=b"not json") as response:
        assert response.status == 400


# --- Range ------------------------------------------------------------------------------------


async def test_range_honoured(sim: BlackVueSimulator, http: aiohttp.ClientSession) -> None:
    size = sim.recordings[0].size
    status, headers, body = await fetch(
        http, f"{sim.base_url}/Record/{NF}", headers={"Range": "bytes=1000-"}
    )
    assert status == 206
    assert headers["Content-Range"] == f"bytes 1000-{size - 1}/{size}"
    assert int(headers["Content-Length"]) == size - 1000
    assert body == sim.expected_bytes(NF)[1000:]
    assert sim.requests[-1].range_header == "bytes=1000-"
    assert sim.requests[-1].body_bytes == size - 1000

    status, headers, _ = await fetch(
        http, f"{sim.base_url}/Record/{NF}", headers={"Range": f"bytes={size}-"}
    )
    assert status == 416
    assert headers["Content-Range"] == f"bytes */{size}"


async def test_range_ignored_416_and_bad_content_range(
    sim: BlackVueSimulator, http: aiohttp.ClientSession
) -> None:
    url, size, ranged = (
        f"{sim.base_url}/Record/{NF}",
        sim.recordings[0].size,
        {"Range": "bytes=10-"},
    )
    sim.faults.range_mode = "ignore"
    status, headers, body = await fetch(http, url, headers=ranged)
    assert (status, "Content-Range" in headers) == (200, False)
    assert body == sim.expected_bytes(NF)

    sim.faults.range_mode = "416"
    status, headers, _ = await fetch(http, url, headers=ranged)
    assert (status, headers["Content-Range"]) == (416, f"bytes */{size}")

    sim.faults.range_mode = "bad_content_range"
    status, headers, body = await fetch(http, url, headers=ranged)
    assert status == 206
    assert not headers["Content-Range"].startswith("bytes 10-")
    assert body == sim.expected_bytes(NF)
    status, headers, _ = await fetch(http, url, headers={"Range": "bytes=0-"})
    assert (status, "Content-Range" in headers) == (206, False)

    sim.faults.range_mode = "honour"
    assert (await fetch(http, url))[0] == 200  # no Range header: always the whole file


def test_plan_range_edges() -> None:
    assert plan_range("bytes=5-9", 100, "honour").content_range == "bytes 5-9/100"
    assert plan_range("bytes=-5", 100, "honour").status == 200  # suffix ranges are ignored
    assert plan_range("bytes=5-", 100, "honour").end == 100
    assert plan_range(None, 100, "416").status == 200


# --- Per-file faults --------------------------------------------------------------------------


async def test_truncate(sim: BlackVueSimulator, http: aiohttp.ClientSession) -> None:
    sim.faults.truncate[NF] = 50_000
    received, error = await read_partially(http, f"{sim.base_url}/Record/{NF}")
    assert isinstance(error, aiohttp.ClientPayloadError)
    assert bytes(received) == sim.expected_bytes(NF)[:50_000]
    assert sim.requests[-1].body_bytes == 50_000
    assert sim.requests[-1].status == 200


async def test_truncate_counts_from_the_ranged_body(
    sim: BlackVueSimulator, http: aiohttp.ClientSession
) -> None:
    sim.faults.truncate[NF] = 1000
    with pytest.raises(aiohttp.ClientPayloadError):
        await fetch(http, f"{sim.base_url}/Record/{NF}", headers={"Range": "bytes=5000-"})
    assert sim.requests[-1].body_bytes == 1000
    assert sim.bytes_served(NF) == 1000


async def test_reset(sim: BlackVueSimulator, http: aiohttp.ClientSession) -> None:
    sim.faults.reset_after[NR] = 100_000
    received, error = await read_partially(http, f"{sim.base_url}/Record/{NR}")
    assert isinstance(error, aiohttp.ClientPayloadError)
    assert "ConnectionResetError" in str(error)
    # The N bytes are flushed before the RST, so a client that keeps reading gets all of them.
    assert bytes(received) == sim.expected_bytes(NR)[:100_000]
    assert sim.requests[-1].body_bytes == 100_000
    assert (await fetch(http, f"{sim.base_url}/Record/{NF}"))[0] == 200  # others unaffected


async def test_stall_exceeds_the_read_timeout(
    sim: BlackVueSimulator, http: aiohttp.ClientSession
) -> None:
    sim.faults.stall[NF] = (30_000, 10.0)
    timeout = aiohttp.ClientTimeout(sock_read=0.3)
    received = bytearray()
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        await download(http, f"{sim.base_url}/Record/{NF}", received, timeout=timeout)
    assert len(received) == 30_000
    assert time.monotonic() - started < 5
    # close() (fixture teardown) ends the stalled response at once, not after 10 s.


async def test_stall_then_continue(sim: BlackVueSimulator, http: aiohttp.ClientSession) -> None:
    sim.faults.stall[NF] = (0, 0.3)
    started = time.monotonic()
    _, _, body = await fetch(http, f"{sim.base_url}/Record/{NF}")
    assert time.monotonic() - started >= 0.25
    assert body == sim.expected_bytes(NF)


async def test_http_500_and_listing_error(
    sim: BlackVueSimulator, http: aiohttp.ClientSession
) -> None:
    sim.faults.http_500 = {NF, "20260101_120000_N.gps"}
    assert (await fetch(http, f"{sim.base_url}/Record/{NF}"))[0] == 500
    assert (await fetch(http, f"{sim.base_url}/Record/20260101_120000_N.gps"))[0] == 500
    assert (await fetch(http, f"{sim.base_url}/Record/{NR}"))[0] == 200
    sim.faults.listing_error = True
    assert (await fetch(http, f"{sim.base_url}/blackvue_vod.cgi"))[0] == 500
    sim.faults.firmware = "v1009"
    assert (await fetch(http, f"{sim.base_url}/vodList"))[0] == 500
    assert [entry.status for entry in sim.requests] == [500, 500, 200, 500, 500]


# --- Camera-wide faults -----------------------------------------------------------------------


async def test_throughput_cap(sim: BlackVueSimulator, http: aiohttp.ClientSession) -> None:
    sim.recordings.append(SimRecording("20260101_130000_NF.mp4", 100_000))
    sim.faults.throughput = 200_000
    started = time.monotonic()
    _, _, body = await fetch(http, f"{sim.base_url}/Record/20260101_130000_NF.mp4")
    assert time.monotonic() - started >= 0.3
    assert len(body) == 100_000


async def test_latency(sim: BlackVueSimulator, http: aiohttp.ClientSession) -> None:
    sim.faults.latency = 0.3
    started = time.monotonic()
    assert (await fetch(http, f"{sim.base_url}/nothing/here"))[0] == 404
    assert time.monotonic() - started >= 0.25


async def test_single_client(sim: BlackVueSimulator) -> None:
    sim.faults.single_client = True
    sim.faults.stall[NF] = (1000, 0.5)
    async with aiohttp.ClientSession() as first, aiohttp.ClientSession() as second:
        async with first.get(f"{sim.base_url}/Record/{NF}") as busy:
            await busy.content.readexactly(1000)
            assert (await fetch(second, f"{sim.base_url}/blackvue_vod.cgi"))[0] == 503
            assert len(await busy.read()) == sim.recordings[0].size - 1000
        assert (await fetch(second, f"{sim.base_url}/blackvue_vod.cgi"))[0] == 200
    assert [entry.status for entry in sim.requests] == [200, 503, 200]


async def test_go_away_then_restart(sim: BlackVueSimulator, http: aiohttp.ClientSession) -> None:
    port = sim.port
    sim.faults.go_away_after_bytes = 100_000
    received, error = await read_partially(http, f"{sim.base_url}/Record/{NF}")
    assert isinstance(error, aiohttp.ClientPayloadError)
    assert len(received) <= 100_000
    assert sim.bytes_served(NF) == 100_000
    assert not sim.running
    with pytest.raises(aiohttp.ClientConnectionError):
        await fetch(http, f"{sim.base_url}/blackvue_vod.cgi")

    await sim.restart()
    assert sim.port == port
    assert sim.faults.go_away_after_bytes is None  # one-shot
    _, _, body = await fetch(http, f"{sim.base_url}/Record/{NF}")
    assert body == sim.expected_bytes(NF)


async def test_stop_breaks_a_download_in_flight(
    sim: BlackVueSimulator, http: aiohttp.ClientSession
) -> None:
    sim.faults.throughput = 500_000
    async with http.get(f"{sim.base_url}/Record/{NF}") as response:
        await response.content.readexactly(10_000)
        await sim.stop()
        with pytest.raises(aiohttp.ClientPayloadError):
            await response.read()
    assert sim.requests[-1].body_bytes < sim.recordings[0].size
    await sim.stop()  # idempotent
    await sim.restart()
    assert (await fetch(http, f"{sim.base_url}/accessible"))[0] == 404


# --- Live view --------------------------------------------------------------------------------


async def read_frame(response: aiohttp.ClientResponse) -> bytes:
    reader = aiohttp.MultipartReader.from_response(response)
    part = await reader.next()
    assert isinstance(part, aiohttp.BodyPartReader)
    assert part.headers["Content-Type"] == "image/jpeg"
    return await part.read()


async def test_live_mjpeg(sim: BlackVueSimulator, http: aiohttp.ClientSession) -> None:
    async with http.get(f"{sim.base_url}/blackvue_live.cgi?direction=R") as response:
        assert response.headers["Content-Type"].startswith("multipart/x-mixed-replace; boundary=")
        frame = await read_frame(response)
        assert frame[:2] == b"\xff\xd8"
        assert frame[-2:] == b"\xff\xd9"
        async with aiohttp.ClientSession() as other:
            assert (await fetch(other, f"{sim.base_url}/blackvue_live.cgi"))[0] == 503
    # The viewer left: the stream ends and a new viewer is welcome.
    for _ in range(50):
        if not sim._live_busy:
            break
        await asyncio.sleep(0.05)
    async with http.get(f"{sim.base_url}/blackvue_live.cgi") as response:
        assert response.status == 200
        assert (await read_frame(response))[:2] == b"\xff\xd8"
        # Left open on purpose: close() (fixture teardown) must end the stream.


# --- Content ----------------------------------------------------------------------------------


async def test_expected_sha256_matches_downloads(
    sim: BlackVueSimulator, http: aiohttp.ClientSession
) -> None:
    for name in (NF, "20260101_120000_NF.thm", "20260101_120000_N.gps"):
        _, _, body = await fetch(http, f"{sim.base_url}/Record/{name}")
        assert hashlib.sha256(body).hexdigest() == sim.expected_sha256(name)
    assert sim.bytes_served(NF) == sim.recordings[0].size
    with pytest.raises(KeyError):
        sim.expected_sha256("20990101_000000_NF.mp4")


async def test_big_file_is_streamed_not_built(http: aiohttp.ClientSession) -> None:
    size = 64 * 1024 * 1024
    name = "20260101_120000_NF.mp4"
    async with BlackVueSimulator([SimRecording(name, size)]) as sim:
        expected = sim.expected_sha256(name)
        digest = hashlib.sha256()
        tracemalloc.start()
        try:
            async with http.get(f"{sim.base_url}/Record/{name}") as response:
                async for chunk in response.content.iter_chunked(1024 * 1024):
                    digest.update(chunk)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert digest.hexdigest() == expected
    assert peak < 16 * 1024 * 1024


# --- Lifecycle and CLI ------------------------------------------------------------------------


async def test_lifecycle_without_context_manager() -> None:
    sim = BlackVueSimulator(faults=BlackVueFaults(firmware="v1009"))
    with pytest.raises(RuntimeError):
        _ = sim.port
    await sim.start()
    assert sim.base_url == f"http://127.0.0.1:{sim.port}"
    await sim.close()
    await sim.close()
    with pytest.raises(RuntimeError):
        await sim.start()


def test_cli_arguments() -> None:
    args = build_parser().parse_args(
        ["blackvue", "--port", "0", "--recordings", "5", "--size-range", "1M-2M"]
    )
    assert (args.camera, args.port, args.recordings) == ("blackvue", 0, 5)
    assert args.size_range == (1024**2, 2 * 1024**2)
    assert (args.firmware, args.days, args.throughput, args.host) == (
        "legacy",
        2.0,
        None,
        "127.0.0.1",
    )


def test_cli_serves_until_interrupted() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "camera_simulators", "blackvue", "--port", "0"]
    command += ["--recordings", "4", "--days", "1"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env) as process:
        try:
            assert process.stdout is not None
            line = process.stdout.readline()
            match = re.fullmatch(
                r"BlackVue simulator on (http://127\.0\.0\.1:\d+) \(4 recordings\)\n", line
            )
            assert match, line
            with urllib.request.urlopen(f"{match[1]}/blackvue_vod.cgi", timeout=5) as response:
                listing = response.read().decode().splitlines()
            assert len(listing) == 1 + 4 * 2
            newest = datetime.strptime(listing[-1][10:25], "%Y%m%d_%H%M%S")
            assert abs(newest - datetime.now()) < timedelta(minutes=1)
        finally:
            process.send_signal(signal.SIGINT)
            assert process.wait(timeout=10) == 0
