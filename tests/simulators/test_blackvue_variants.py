"""Real BlackVue variants in the simulator: metadata shapes, odd names, 503 once, config.ini."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from datetime import datetime
import hashlib
import re
import urllib.parse

import aiohttp
import pytest

from camera_simulators.blackvue import (
    BlackVueFaults,
    BlackVueSimulator,
    SimRecording,
    clock_unset_recordings,
    make_recordings,
    non_ascii_digits,
    thumbnail,
)
from camera_simulators.clips import ClipLibrary
from tests.simulators.boxes import is_well_formed, top_level_boxes
from tests.simulators.wire import raw_get

START = datetime(2026, 1, 1, 12, 0, 0)
NF = "20260101_120000_NF.mp4"
PF = "20260101_120100_PF.mp4"  # parking: no .gps


@pytest.fixture
async def v1009() -> AsyncIterator[BlackVueSimulator]:
    recordings = make_recordings(2, start=START, kinds="NP")
    async with BlackVueSimulator(recordings, BlackVueFaults(firmware="v1009")) as simulator:
        yield simulator


@pytest.fixture
async def legacy() -> AsyncIterator[BlackVueSimulator]:
    async with BlackVueSimulator(make_recordings(2, start=START, kinds="NP")) as simulator:
        yield simulator


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def metadata(
    http: aiohttp.ClientSession, sim: BlackVueSimulator, name: str, kind: str
) -> tuple[int, object]:
    payload = {"file": name, "types": [kind]}
    async with http.post(f"{sim.base_url}/vodMetadata", json=payload) as response:
        if response.status != 200:
            return response.status, await response.text()
        return response.status, await response.json()


# -- /vodMetadata shapes --


async def test_metadata_shapes(v1009: BlackVueSimulator, http: aiohttp.ClientSession) -> None:
    expected = base64.b64encode(thumbnail("20260101_120000_NF.thm")).decode()
    assert await metadata(http, v1009, NF, "thumbnail") == (
        200,
        {"metadata": {"thumbnail": expected}},
    )
    v1009.faults.metadata_shape = "top_level"
    assert await metadata(http, v1009, NF, "thumbnail") == (200, {"thumbnail": expected})
    v1009.faults.metadata_line_wrap = True
    _, answer = await metadata(http, v1009, NF, "thumbnail")
    wrapped = answer["thumbnail"]  # type: ignore[index]
    assert "\n" in wrapped
    assert max(len(line) for line in wrapped.splitlines()) == 76
    assert base64.b64decode(wrapped) == thumbnail("20260101_120000_NF.thm")


async def test_a_missing_type_is_an_empty_answer(
    v1009: BlackVueSimulator, http: aiohttp.ClientSession
) -> None:
    assert await metadata(http, v1009, PF, "gps") == (200, {"metadata": {}})  # parking: no GPS
    v1009.faults.metadata_absent = {NF: {"gps"}}
    assert await metadata(http, v1009, NF, "gps") == (200, {"metadata": {}})
    status, answer = await metadata(http, v1009, NF, "thumbnail")
    assert "thumbnail" in answer["metadata"]  # type: ignore[index]
    v1009.faults.metadata_shape = "top_level"
    assert await metadata(http, v1009, NF, "gps") == (200, {})
    assert status == 200


# -- odd names --


async def test_clock_unset_recordings(http: aiohttp.ClientSession) -> None:
    recordings = clock_unset_recordings(2)
    assert [r.name for r in recordings] == [
        "19700101_000000_NF.mp4",
        "19700101_000000_NR.mp4",
        "19700101_000100_EF.mp4",
        "19700101_000100_ER.mp4",
    ]
    async with BlackVueSimulator(recordings) as sim:
        async with http.get(f"{sim.base_url}/blackvue_vod.cgi") as response:
            listing = await response.text()
        assert "n:/Record/19700101_000000_NF.mp4,s:1000000\r\n" in listing
        async with http.get(f"{sim.base_url}/Record/19700101_000000_NF.mp4") as response:
            assert response.status == 200


@pytest.mark.parametrize(
    ("style", "first"),
    [("arabic_indic", "\u0662\u0660\u0662\u0666"), ("fullwidth", "\uff12\uff10")],
)
async def test_non_ascii_digits(http: aiohttp.ClientSession, style: str, first: str) -> None:
    name = non_ascii_digits(NF, style)  # type: ignore[arg-type]
    assert name.startswith(first)
    assert name.endswith("_NF.mp4")
    assert re.fullmatch(r"\d{8}_\d{6}_NF\.mp4", name)  # Unicode \d accepts it
    assert not re.fullmatch(r"[0-9]{8}_[0-9]{6}_NF\.mp4", name)
    recordings = [SimRecording(name, 5000), *make_recordings(1, start=START)]
    async with BlackVueSimulator(recordings) as sim:
        async with http.get(f"{sim.base_url}/blackvue_vod.cgi") as response:
            assert f"n:/Record/{name},s:1000000" in await response.text()
        async with http.get(f"{sim.base_url}/Record/{urllib.parse.quote(name)}") as response:
            assert response.status == 200
            assert len(await response.read()) == 5000
        sim.faults.firmware = "v1009"
        async with http.get(f"{sim.base_url}/vodList") as response:
            names = [item["filename"] for item in (await response.json())["filelist"]]
        assert names[0] == name


# -- transient and broken answers --


async def test_503_once_then_served(legacy: BlackVueSimulator, http: aiohttp.ClientSession) -> None:
    legacy.faults.http_503_once = {NF, "20260101_120000_N.gps"}
    for name in (NF, "20260101_120000_N.gps"):
        async with http.get(f"{legacy.base_url}/Record/{name}") as response:
            assert response.status == 503
        async with http.get(f"{legacy.base_url}/Record/{name}") as response:
            assert response.status == 200
            assert hashlib.sha256(await response.read()).hexdigest() == legacy.expected_sha256(name)
    assert legacy.faults.http_503_once == set()


async def test_503_once_on_metadata(v1009: BlackVueSimulator, http: aiohttp.ClientSession) -> None:
    v1009.faults.http_503_once = {NF}
    assert (await metadata(http, v1009, NF, "thumbnail"))[0] == 503
    assert (await metadata(http, v1009, NF, "thumbnail"))[0] == 200


async def test_videos_are_well_formed_mp4(legacy: BlackVueSimulator) -> None:
    reply = await raw_get(legacy.host, legacy.port, f"/Record/{NF}")
    assert reply.header("Content-Type") == "video/mp4"
    assert [kind for kind, _, _ in top_level_boxes(reply.body)] == ["ftyp", "moov", "mdat"]


async def test_box_damage(legacy: BlackVueSimulator, http: aiohttp.ClientSession) -> None:
    legacy.faults.box_damage[NF] = -12
    async with http.get(f"{legacy.base_url}/Record/{NF}") as response:
        body = await response.read()
        assert response.content_length == len(body) == legacy.recordings[0].size
    assert not is_well_formed(body)
    assert hashlib.sha256(body).hexdigest() == legacy.expected_sha256(NF)


async def test_a_mid_file_reset_is_a_real_rst(legacy: BlackVueSimulator) -> None:
    legacy.faults.reset_after[NF] = 10_000
    reply = await raw_get(legacy.host, legacy.port, f"/Record/{NF}")
    assert reply.ending == "reset"
    assert reply.status == 200
    legacy.faults.truncate[PF] = 10_000
    reply = await raw_get(legacy.host, legacy.port, f"/Record/{PF}")
    assert reply.ending == "eof"  # truncate is a clean FIN
    assert len(reply.body) == 10_000


# -- config.ini --


async def test_config_ini(legacy: BlackVueSimulator, http: aiohttp.ClientSession) -> None:
    async with http.get(f"{legacy.base_url}/Config/config.ini") as response:
        assert response.status == 200
        text = await response.text()
    assert text.startswith("[Tab1]\r\n")
    assert "\r\nTimeZone=100\r\nDaylight=0\r\n" in text
    for section in ("[Tab2]", "[Tab3]", "[Wifi]", "[Cloud]"):
        assert f"\r\n{section}\r\n" in text
    assert "\r\nap_ssid=Blackvue900X-5C1A2B\r\n" in text
    assert re.search(r"\r\nap_pw=[0-9A-F]{64}\r\n", text)
    legacy.faults.daylight = True
    legacy.faults.time_zone = "-1100"
    async with http.get(f"{legacy.base_url}/Config/config.ini") as response:
        text = await response.text()
    assert "\r\nTimeZone=-1100\r\nDaylight=1\r\n" in text
    legacy.faults.config_ini = False
    async with http.get(f"{legacy.base_url}/Config/config.ini") as response:
        assert response.status == 404


# -- real clips --


async def test_clip_mode_serves_the_clip(http: aiohttp.ClientSession) -> None:
    clips = ClipLibrary([b"clip-one" * 100, b"clip-two" * 150])
    async with BlackVueSimulator(make_recordings(1, start=START), clips=clips) as sim:
        async with http.get(f"{sim.base_url}/Record/{NF}") as response:
            body = await response.read()
        assert body == clips.clip(NF)
        assert sim.expected_bytes(NF) == body
        assert sim.bytes_served(NF) == len(body)
