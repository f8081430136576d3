"""The Reolink client against the simulated camera, over real HTTP on 127.0.0.1."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, time as dt_time, timedelta, timezone
import hashlib
import io
import logging
from pathlib import Path
import time
from typing import Any

import aiohttp
from PIL import Image
import pytest

from camera_simulators import content
from camera_simulators.reolink import (
    ReolinkRecording,
    ReolinkSimulator,
    self_signed_context,
)
from custom_components.camsync.devices.reolink import (
    LOCKED_RETRY_AFTER,
    DstRule,
    ReolinkClient,
    ReolinkZone,
    SessionExpiredError,
    SessionLimitError,
    decode_triggers,
    map_reolink_error,
    normalise_mac,
    parse_recording_name,
    unlock_seconds,
    zone_from_get_time,
)
from custom_components.camsync.engine.archive import Archive
from custom_components.camsync.engine.camera import CameraClient, CameraStorage
from custom_components.camsync.engine.errors import (
    CameraAuthError,
    CameraOfflineError,
    CamsyncError,
    FileTransferError,
    LoginLockedError,
    Outcome,
    ProtocolError,
    UnsupportedError,
)
from custom_components.camsync.engine.models import FileRole, RemoteFile, SyncOptions
from custom_components.camsync.engine.run import run_sync
from tests.blackvue_fixtures import archived, partial_of, sha256_file
from tests.reolink_fixtures import (
    REOLINK_NOW,
    REOLINK_PASSWORD,
    reolink_recordings,
    reolink_simulator,
)

CEST = timezone(timedelta(hours=2))
CET = timezone(timedelta(hours=1))


@pytest.fixture
async def reolink_http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


def _client(
    session: aiohttp.ClientSession, simulator: ReolinkSimulator, **kwargs: Any
) -> ReolinkClient:
    options: dict[str, Any] = {"username": "admin", "password": REOLINK_PASSWORD}
    options.update(kwargs)
    return ReolinkClient(session, simulator.host, port=simulator.port, **options)


@pytest.fixture
async def reolink_client(
    reolink_sim: ReolinkSimulator, reolink_http: aiohttp.ClientSession
) -> AsyncIterator[ReolinkClient]:
    client = _client(reolink_http, reolink_sim)
    yield client
    await client.async_close()


@pytest.fixture
def reolink_logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    with caplog.at_level(logging.DEBUG):
        yield caplog


def _since(days: float) -> datetime:
    return (REOLINK_NOW - timedelta(days=days)).replace(tzinfo=CEST)


def _file(recording: ReolinkRecording) -> RemoteFile:
    return RemoteFile(
        name=recording.basename, role=FileRole.VIDEO, locator=recording.name, size=recording.size
    )


def _searches(simulator: ReolinkSimulator, *, status_only: bool) -> list[dict[str, Any]]:
    found = []
    for entry in simulator.requests:
        for command in entry.body or []:
            search = command.get("param", {}).get("Search")
            if command.get("cmd") == "Search" and search["onlyStatus"] == int(status_only):
                found.append(search)
    return found


# -- the protocol and identity --


def test_follows_the_camera_client_protocol(reolink_client: ReolinkClient) -> None:
    client: CameraClient = reolink_client
    assert client.host == f"127.0.0.1:{reolink_client._port}"
    assert REOLINK_PASSWORD not in repr(reolink_client)


async def test_get_info(reolink_client: ReolinkClient, reolink_sim: ReolinkSimulator) -> None:
    info = await reolink_client.async_get_info()
    assert info.manufacturer == "Reolink"
    assert (info.model, info.name, info.serial) == ("RLC-520A", "Front yard", "00000000012345")
    assert info.firmware == "v3.0.0.2356_23062000"
    assert info.mac == info.unique_id == "ec:71:db:12:34:56"
    assert info.configuration_url == f"http://127.0.0.1:{reolink_sim.port}"
    assert info.extra["channels"] == 1
    assert info.extra["time_zone"] == "UTC+01:00"
    assert reolink_sim.commands() == ["Login", "GetDevInfo", "GetLocalLink", "GetTime"]
    assert len(reolink_sim.requests) == 2  # the login, then one batch
    assert all("password" not in entry.params for entry in reolink_sim.requests)
    assert all(REOLINK_PASSWORD not in entry.url for entry in reolink_sim.requests)
    assert "token" not in reolink_sim.requests[0].params


async def test_get_info_without_optional_commands(
    reolink_client: ReolinkClient, reolink_sim: ReolinkSimulator
) -> None:
    reolink_sim.faults.unsupported = {"GetLocalLink", "GetTime"}
    info = await reolink_client.async_get_info()
    assert info.mac is None
    assert info.unique_id is None
    assert reolink_client.time_zone is UTC


async def test_short_batch_reply_is_resent_one_by_one(
    reolink_client: ReolinkClient, reolink_sim: ReolinkSimulator
) -> None:
    reolink_sim.faults.short_batch = True
    info = await reolink_client.async_get_info()
    assert info.model == "RLC-520A"
    assert info.mac == "ec:71:db:12:34:56"


@pytest.mark.parametrize(
    ("mac", "expected"),
    [
        ("EC:71:DB:12:34:56", "ec:71:db:12:34:56"),
        ("ec-71-db-12-34-56", "ec:71:db:12:34:56"),
        ("EC71DB123456", "ec:71:db:12:34:56"),
        ("weird", "weird"),
    ],
)
def test_normalise_mac(mac: str, expected: str) -> None:
    assert normalise_mac(mac) == expected


async def test_sd_card(reolink_client: ReolinkClient, reolink_sim: ReolinkSimulator) -> None:
    card = await reolink_client.async_get_storage()
    assert card == CameraStorage(
        capacity_bytes=30462 * 1024 * 1024, free_bytes=779 * 1024 * 1024, usable=True
    )
    assert card.used_percent == pytest.approx(100 * (1 - 779 / 30462))
    reolink_sim.faults.hdd = "unformatted"
    card = await reolink_client.async_get_storage()
    assert card is not None
    assert not card.usable
    reolink_sim.faults.hdd = "none"
    assert await reolink_client.async_get_storage() is None


# -- login, token, lease --


async def test_one_token_per_lease_and_logout_on_close(
    reolink_client: ReolinkClient, reolink_sim: ReolinkSimulator
) -> None:
    await reolink_client.async_get_info()
    await reolink_client.async_get_storage()
    await reolink_client.async_snapshot()
    assert reolink_sim.count("Login") == 1
    tokens = {entry.token for entry in reolink_sim.requests[1:]}
    assert len(tokens) == 1
    await reolink_client.async_close()
    assert reolink_sim.requests[-1].commands == ["Logout"]
    assert reolink_sim.requests[-1].token in tokens
    assert reolink_sim.open_sessions == 0
    await reolink_client.async_close()  # nothing left to log out
    assert reolink_sim.count("Logout") == 1


async def test_token_renewed_before_the_lease_ends(
    reolink_client: ReolinkClient, reolink_sim: ReolinkSimulator
) -> None:
    now = [1000.0]
    reolink_client._monotonic = lambda: now[0]
    await reolink_client.async_get_storage()
    now[0] += 3600 - 301
    await reolink_client.async_get_storage()
    assert reolink_sim.count("Login") == 1
    now[0] += 2
    await reolink_client.async_get_storage()
    assert reolink_sim.commands() == [
        "Login",
        "GetHddInfo",
        "GetHddInfo",
        "Logout",
        "Login",
        "GetHddInfo",
    ]
    old, new = reolink_sim.requests[1].token, reolink_sim.requests[-1].token
    assert reolink_sim.requests[3].token == old != new
    assert reolink_sim.open_sessions == 1


async def test_token_expiry_mid_run_logs_in_again_once(
    reolink_client: ReolinkClient, reolink_sim: ReolinkSimulator
) -> None:
    listing = await reolink_client.async_list_recordings(since=_since(3))
    reolink_sim.faults.expire_tokens = True
    async with reolink_client.open_file(listing.recordings[0].files[0], 0) as response:
        assert response.status == 200
        await response.read()
    reolink_sim.faults.expire_tokens = True
    assert await reolink_client.async_snapshot()
    reolink_sim.faults.expire_tokens = True
    await reolink_client.async_get_storage()
    assert reolink_sim.count("Login") == 4
    assert [entry.rsp_codes for entry in reolink_sim.requests if entry.command == "GetHddInfo"] == [
        [-6],
        [0],
    ]


async def test_token_refused_twice_raises_without_looping(
    reolink_client: ReolinkClient, reolink_sim: ReolinkSimulator
) -> None:
    reolink_sim.faults.lease_time = 0  # every token is dead on arrival
    with pytest.raises(SessionExpiredError, match="please login first"):
        await reolink_client.async_get_storage()
    assert reolink_sim.count("Login") == 2


async def test_wrong_password(
    reolink_sim: ReolinkSimulator, reolink_http: aiohttp.ClientSession
) -> None:
    client = _client(reolink_http, reolink_sim, password="not-it")
    with pytest.raises(CameraAuthError, match="login failed"):
        await client.async_get_info()
    with pytest.raises(CameraAuthError):
        await client.async_list_recordings()
    assert reolink_sim.count("Login") == 1  # the refusal is remembered, not retried


@pytest.mark.parametrize(
    ("rsp_code", "unlock_time", "retry_after"),
    [(-7, True, 300.0), (-506, False, LOCKED_RETRY_AFTER)],
)
async def test_locked_login_is_not_retried(
    reolink_sim: ReolinkSimulator,
    reolink_http: aiohttp.ClientSession,
    rsp_code: int,
    unlock_time: bool,
    retry_after: float,
) -> None:
    reolink_sim.faults.lock_rsp_code = rsp_code
    reolink_sim.faults.lock_unlock_time = unlock_time
    for _ in range(3):
        with pytest.raises(CameraAuthError):
            await _client(reolink_http, reolink_sim, password="wrong").async_get_storage()
    client = _client(reolink_http, reolink_sim)
    with pytest.raises(LoginLockedError, match="locked") as caught:
        await client.async_get_storage()
    assert caught.value.retry_after == pytest.approx(retry_after, abs=2)
    for _ in range(3):
        with pytest.raises(LoginLockedError):
            await client.async_snapshot()
    assert reolink_sim.count("Login") == 4


async def test_login_allowed_again_after_the_lock(
    reolink_sim: ReolinkSimulator, reolink_http: aiohttp.ClientSession
) -> None:
    reolink_sim.faults.lock_after_failures = 1
    await _expect(
        CameraAuthError, _client(reolink_http, reolink_sim, password="x").async_get_info()
    )
    client = _client(reolink_http, reolink_sim)
    now = [0.0]
    client._monotonic = lambda: now[0]
    await _expect(LoginLockedError, client.async_get_info())
    reolink_sim.faults.lock_seconds = 0
    reolink_sim._locked_until = 0
    now[0] += 301
    assert (await client.async_get_info()).model == "RLC-520A"


async def test_too_many_sessions(
    reolink_sim: ReolinkSimulator, reolink_http: aiohttp.ClientSession
) -> None:
    reolink_sim.faults.max_sessions = 1
    first = _client(reolink_http, reolink_sim)
    await first.async_get_info()
    with pytest.raises(SessionLimitError, match="max session") as caught:
        await _client(reolink_http, reolink_sim).async_get_info()
    assert isinstance(caught.value, LoginLockedError)
    assert caught.value.retry_after == 300
    await first.async_close()
    await _client(reolink_http, reolink_sim).async_get_info()


async def test_concurrent_calls_share_one_login(
    reolink_client: ReolinkClient, reolink_sim: ReolinkSimulator
) -> None:
    await asyncio.gather(
        reolink_client.async_get_info(),
        reolink_client.async_get_storage(),
        reolink_client.async_snapshot(),
    )
    assert reolink_sim.count("Login") == 1


async def test_unsupported_command(
    reolink_client: ReolinkClient, reolink_sim: ReolinkSimulator
) -> None:
    reolink_sim.faults.unsupported = {"GetHddInfo", "Snap", "Search"}
    with pytest.raises(UnsupportedError, match="not support"):
        await reolink_client.async_get_storage()
    with pytest.raises(UnsupportedError):
        await reolink_client.async_snapshot()
    with pytest.raises(UnsupportedError):
        await reolink_client.async_list_recordings()


async def test_camera_away(reolink_client: ReolinkClient, reolink_sim: ReolinkSimulator) -> None:
    await reolink_client.async_get_info()
    await reolink_sim.stop()
    with pytest.raises(CameraOfflineError):
        await reolink_client.async_get_info()
    with pytest.raises(CameraOfflineError):
        await reolink_client.async_snapshot()
    with pytest.raises(CameraOfflineError):
        async with reolink_client.open_file(_file(reolink_sim.recordings[0]), 0):
            pass
    await reolink_client.async_close()  # logout fails quietly
    await reolink_sim.restart()
    assert (await reolink_client.async_get_info()).model == "RLC-520A"


async def test_camera_away_before_first_login(
    reolink_sim: ReolinkSimulator, reolink_http: aiohttp.ClientSession
) -> None:
    await reolink_sim.stop()
    with pytest.raises(CameraOfflineError) as caught:
        await _client(reolink_http, reolink_sim).async_get_info()
    assert caught.value.__cause__ is None


@pytest.mark.parametrize(
    ("code", "detail", "expected"),
    [
        (-7, "login failed", CameraAuthError),
        (-27, "invalid user", CameraAuthError),
        (-502, "password err", CameraAuthError),
        (-7, "Login has been locked, please try again later!", LoginLockedError),
        (-503, "login deny", LoginLockedError),
        (-506, "login locked", LoginLockedError),
        (-507, "login reach max", SessionLimitError),  # the session limit, not a lockout
        (-105, "Frequent logins, please try again later!", LoginLockedError),
        (-5, "max session", SessionLimitError),
        (-6, "please login first", SessionExpiredError),
        (-21, "error token", SessionExpiredError),
        (-9, "not support", UnsupportedError),
        (-26, "ability error", UnsupportedError),
        (-99, "Device offline", CameraOfflineError),
        (-48, "Fetching a picture failed", ProtocolError),
        (-17, "rcv failed", ProtocolError),
        (-222, "The video file does not exist", ProtocolError),
        (None, "", ProtocolError),
    ],
)
def test_error_mapping(code: int | None, detail: str, expected: type[CamsyncError]) -> None:
    error = map_reolink_error(code, detail, host="cam", command="X")
    assert type(error) is expected
    if detail:
        assert detail in str(error)


def test_error_mapping_of_file_commands_and_lock_durations() -> None:
    for code, reason in ((-220, "camera_error"), (-221, "busy"), (-222, "not_found")):
        error = map_reolink_error(code, "d", host="cam", command="Download", file_name="a.mp4")
        assert isinstance(error, FileTransferError)
        assert (error.name, error.reason) == ("a.mp4", reason)
    locked = map_reolink_error(-506, "", host="cam", command="Login", retry_after=42)
    assert isinstance(locked, LoginLockedError)
    assert locked.retry_after == 42
    default = map_reolink_error(-7, "Login has been locked", host="cam", command="Login")
    assert isinstance(default, LoginLockedError)
    assert default.retry_after == LOCKED_RETRY_AFTER
    frequent = map_reolink_error(-105, "", host="cam", command="Login")
    assert isinstance(frequent, LoginLockedError)
    assert frequent.retry_after == 60


# -- listing --


async def test_listing_over_several_days(
    reolink_client: ReolinkClient, reolink_sim: ReolinkSimulator
) -> None:
    listing = await reolink_client.async_list_recordings(since=_since(3))
    assert [item.name for item in listing.recordings] == [
        item.basename for item in reolink_sim.recordings
    ]
    assert listing.skipped == 0
    statuses = _searches(reolink_sim, status_only=True)
    assert len(statuses) == 1  # one month
    files = _searches(reolink_sim, status_only=False)
    assert [search["StartTime"]["day"] for search in files] == [8, 9, 10]
    for search in files:
        start, end = search["StartTime"], search["EndTime"]
        assert (start["year"], start["mon"], start["day"]) == (end["year"], end["mon"], end["day"])
        assert (start["hour"], start["min"], end["hour"], end["min"]) == (0, 0, 23, 59)
        assert search["streamType"] == "main"
    assert all(REOLINK_PASSWORD not in entry.url for entry in reolink_sim.requests)


async def test_listing_spans_months_and_skips_empty_days(
    reolink_sim: ReolinkSimulator, reolink_http: aiohttp.ClientSession
) -> None:
    end = datetime(2024, 6, 1, 10, 0)
    reolink_sim.clock = lambda: end
    reolink_sim.recordings = [
        item for item in reolink_recordings(4, 2) if item.start.day != 9
    ] + _shifted(reolink_recordings(1, 3), days=22)
    client = _client(reolink_http, reolink_sim)
    listing = await client.async_list_recordings(since=datetime(2024, 5, 1, tzinfo=CEST))
    assert len(listing.recordings) == 6 + 3
    assert len(_searches(reolink_sim, status_only=True)) == 2
    days = [
        (search["StartTime"]["mon"], search["StartTime"]["day"])
        for search in _searches(reolink_sim, status_only=False)
    ]
    assert days == [(5, 7), (5, 8), (5, 10), (6, 1)]


async def test_listing_defaults_to_the_last_seven_days(
    reolink_sim: ReolinkSimulator, reolink_http: aiohttp.ClientSession
) -> None:
    reolink_sim.recordings = reolink_recordings(10, 1)
    listing = await _client(reolink_http, reolink_sim).async_list_recordings()
    assert len(listing.recordings) == 7
    assert listing.recordings[0].start.date() == (REOLINK_NOW - timedelta(days=6)).date()


async def test_listing_fields(reolink_client: ReolinkClient, reolink_sim: ReolinkSimulator) -> None:
    start = datetime(2024, 5, 10, 8, 0, 0)
    cases = [
        ({"motion", "person", "vehicle"}, "person", True, 0),
        ({"motion", "vehicle"}, "vehicle", True, 1),
        ({"animal"}, "animal", True, 2),
        ({"motion"}, "motion", True, 3),
        ({"timer"}, "timer", False, 4),
        ({"timer", "motion"}, "motion", True, 3),
        (set(), "other", False, 5),
    ]
    reolink_sim.recordings = [
        ReolinkRecording(
            start + timedelta(minutes=index),
            start + timedelta(minutes=index, seconds=30),
            frozenset(triggers),
            1000 + index,
        )
        for index, (triggers, *_) in enumerate(cases)
    ]
    listing = await reolink_client.async_list_recordings(since=_since(1))
    for recording, simulated, (triggers, kind, event, rank) in zip(
        listing.recordings, reolink_sim.recordings, cases, strict=True
    ):
        assert recording.name == simulated.basename
        assert recording.start == simulated.start.replace(tzinfo=CEST)
        assert (recording.kind, recording.event, recording.rank) == (kind, event, rank)
        assert recording.tags == frozenset(triggers)
        assert recording.channel == "0"
        assert recording.files == (  # Search's size is an estimate: v3 firmware remuxes
            RemoteFile(
                simulated.basename, FileRole.VIDEO, simulated.name, simulated.size, size_exact=False
            ),
        )
        assert recording.size == simulated.size


@pytest.mark.parametrize("mode", ["int", "str", "mixed"])
async def test_search_sizes_as_int_or_text(
    reolink_client: ReolinkClient, reolink_sim: ReolinkSimulator, mode: str
) -> None:
    reolink_sim.faults.search_size = mode  # type: ignore[assignment]
    listing = await reolink_client.async_list_recordings(since=_since(3))
    assert [item.size for item in listing.recordings] == [
        item.size for item in reolink_sim.recordings
    ]


async def test_search_size_wins_over_the_name(
    reolink_client: ReolinkClient,
    reolink_sim: ReolinkSimulator,
    reolink_logs: pytest.LogCaptureFixture,
) -> None:
    reolink_sim.recordings[-1].name_size = 1234
    listing = await reolink_client.async_list_recordings(since=_since(1))
    assert listing.recordings[-1].size == reolink_sim.recordings[-1].size
    assert "the name 1234" in reolink_logs.text


async def test_junk_names_are_skipped_and_counted(
    reolink_client: ReolinkClient, reolink_sim: ReolinkSimulator
) -> None:
    good = "RecM01_20240510_100000_100030_6D28808_3E8.mp4"
    reolink_sim.faults.junk_files = {
        "2024-05-10": [
            "Mp4Record/2024-05-10/../../etc/passwd",
            "Mp4Record/2024-05-10/RecM01_20241310_100000_100030_6D28808_3E8.mp4",
            "Mp4Record/2024-05-10/RecM01_20240510_250000_100030_6D28808_3E8.mp4",
            "Mp4Record/2024-05-10/RecX01_20240510_100000_100030_6D28808_3E8.mp4",
            f"Mp4Record/2024-05-10/{good[:-4]}.exe",
            f"Mp4Record/../{good}",
            f"Mp4Record/2024-05-10\\{good}",
            {"size": 5},
            42,
        ]
    }
    listing = await reolink_client.async_list_recordings(since=_since(3))
    assert listing.skipped == 9
    assert len(listing.skipped_samples) == 5
    assert listing.skipped_samples[0] == "Mp4Record/2024-05-10/../../etc/passwd"
    assert len(listing.recordings) == 12


async def test_name_variants_are_listed(
    reolink_client: ReolinkClient, reolink_sim: ReolinkSimulator
) -> None:
    day = "Mp4Record/2024-05-10/"
    names = [
        "RecM01_DST20240510_101000_101030_6D28C08_3E8.mp4",
        "RecM07_20240510_102000_102030_0_6D28900000_3E8.mp4",
        "RecM02_DST20240510_103000_103034_0_800_800_033C824000_3E8.mp4",
    ]
    past_midnight = "RecM01_DST20240509_235950_000020_6D28808_3E8.mp4"  # ends the next day
    reolink_sim.recordings = []
    reolink_sim.faults.junk_files = {
        "2024-05-10": [{"name": day + name, "size": 1000} for name in names],
        "2024-05-09": [{"name": f"Mp4Record/2024-05-09/{past_midnight}", "size": 1000}],
    }
    names.append(past_midnight)
    listing = await reolink_client.async_list_recordings(since=_since(1))
    assert listing.skipped == 0
    by_name = {item.name: item for item in listing.recordings}
    assert by_name[names[0]].tags == {"person", "motion"}
    assert by_name[names[0]].start == datetime(2024, 5, 10, 10, 10, tzinfo=CEST)
    assert by_name[names[1]].kind == "vehicle"
    assert by_name[names[2]].tags == {"motion"}  # the hub's version-2 layout: motion is bit 25
    assert by_name[names[3]].start == datetime(2024, 5, 9, 23, 59, 50, tzinfo=CEST)
    assert parse_recording_name(names[3]).end == datetime(2024, 5, 10, 0, 0, 20)  # type: ignore[union-attr]


def test_decode_triggers_matches_the_guide() -> None:
    assert decode_triggers("6D28808") == {"motion"}
    assert decode_triggers("6D28C08") == {"person", "motion"}
    assert decode_triggers("6D28D98") == {"person", "vehicle", "animal", "timer", "motion"}
    assert decode_triggers("2B14808") == {"motion"}
    assert decode_triggers("A714C0A000") == {"person", "motion"}


async def test_recorded_at(reolink_client: ReolinkClient, reolink_sim: ReolinkSimulator) -> None:
    await reolink_client.async_get_info()
    recording = reolink_sim.recordings[-1]
    assert reolink_client.recorded_at(recording.basename) == recording.start.replace(tzinfo=CEST)
    assert reolink_client.recorded_at("20240510_090500_NF.mp4") is None
    assert reolink_client.recorded_at("snapshot.jpg") is None


async def test_naive_since_is_camera_time_and_zero_sizes_use_the_name(
    reolink_client: ReolinkClient, reolink_sim: ReolinkSimulator
) -> None:
    reolink_sim.faults.search_size = "str"
    reolink_sim.faults.junk_files = {
        "2024-05-10": [
            {
                "name": "Mp4Record/2024-05-10/RecM01_20240510_110000_110030_6D28808_3E8.mp4",
                "size": 0,
            }
        ]
    }
    listing = await reolink_client.async_list_recordings(since=datetime(2024, 5, 10, 9, 5, 40))
    assert [item.start.hour for item in listing.recordings] == [
        9,
        11,
    ]  # 09:05:00-09:05:51 ends after
    assert listing.recordings[-1].size == 1000


async def test_listing_without_get_time_uses_the_local_clock(
    reolink_sim: ReolinkSimulator, reolink_http: aiohttp.ClientSession
) -> None:
    reolink_sim.faults.unsupported = {"GetTime"}
    reolink_sim.recordings = [
        ReolinkRecording(moment, moment + timedelta(seconds=9), frozenset({"motion"}), 1000)
        for moment in (datetime.now() - timedelta(days=2), datetime.now() - timedelta(days=9))
    ]
    client = _client(reolink_http, reolink_sim, tz=CET)
    listing = await client.async_list_recordings()
    assert len(listing.recordings) == 1
    assert listing.recordings[0].start.tzinfo is CET


async def test_zone_object_is_kept_while_unchanged(reolink_client: ReolinkClient) -> None:
    await reolink_client.async_get_info()
    zone = reolink_client.time_zone
    await reolink_client.async_list_recordings(since=_since(1))
    assert reolink_client.time_zone is zone
    assert zone == _eu_zone()
    assert hash(zone) == hash(_eu_zone())


@pytest.mark.parametrize("command", ["Login", "GetDevInfo", "Snap"])
async def test_replies_that_are_not_json(
    reolink_client: ReolinkClient, reolink_sim: ReolinkSimulator, command: str
) -> None:
    reolink_sim.faults.broken_replies = {command}
    call = reolink_client.async_snapshot if command == "Snap" else reolink_client.async_get_info
    with pytest.raises(ProtocolError, match=r"not JSON|not a JPEG"):
        await call()


async def test_broken_download_reply_falls_back_to_playback(
    reolink_client: ReolinkClient, reolink_sim: ReolinkSimulator
) -> None:
    reolink_sim.faults.broken_replies = {"Download"}
    async with reolink_client.open_file(_file(reolink_sim.recordings[0]), 0) as response:
        assert response.status == 200
    assert reolink_sim.commands()[-2:] == ["Download", "Playback"]


def test_unlock_time_as_seconds_or_epoch() -> None:
    assert unlock_seconds(120) == 120
    assert unlock_seconds(time.time() + 600) == pytest.approx(600, abs=5)
    assert unlock_seconds(0) is None
    assert unlock_seconds("soon") is None


# -- time zones --


@pytest.mark.parametrize(
    ("dst", "dst_enable", "summer_offset"),
    [(True, True, 2), (True, False, 1), (False, True, 1)],
)
async def test_times_follow_the_camera_zone(
    reolink_sim: ReolinkSimulator,
    reolink_http: aiohttp.ClientSession,
    dst: bool,
    dst_enable: bool,
    summer_offset: int,
) -> None:
    reolink_sim.faults.dst = dst
    reolink_sim.faults.dst_enable = dst_enable
    winter = datetime(2024, 1, 15, 9, 30)
    reolink_sim.recordings.append(
        ReolinkRecording(winter, winter + timedelta(seconds=30), frozenset({"motion"}), 999)
    )
    client = _client(reolink_http, reolink_sim, tz=timezone(timedelta(hours=-7)))
    listing = await client.async_list_recordings(since=datetime(2024, 1, 1, tzinfo=UTC))
    by_start = {item.start.replace(tzinfo=None): item.start for item in listing.recordings}
    assert by_start[winter].utcoffset() == timedelta(hours=1)
    assert by_start[winter].astimezone(UTC) == datetime(2024, 1, 15, 8, 30, tzinfo=UTC)
    may = reolink_sim.recordings[-2].start
    assert by_start[may].astimezone(UTC) == (may - timedelta(hours=summer_offset)).replace(
        tzinfo=UTC
    )


async def test_western_zone_and_fallback(
    reolink_sim: ReolinkSimulator, reolink_http: aiohttp.ClientSession
) -> None:
    reolink_sim.faults.time_zone_seconds = 5 * 3600  # New York standard time, UTC-5
    reolink_sim.faults.dst_start = (3, 2, 0, 2, 0, 0)
    reolink_sim.faults.dst_end = (11, 1, 0, 2, 0, 0)
    client = _client(reolink_http, reolink_sim)
    assert client.recorded_at("RecM01_20240510_090500_090530_6D28808_3E8.mp4") == datetime(
        2024, 5, 10, 9, 5, 0, tzinfo=UTC
    )  # before GetTime: the zone given at creation
    await client.async_get_info()
    moment = client.recorded_at("RecM01_20240510_090500_090530_6D28808_3E8.mp4")
    assert moment is not None
    assert moment.utcoffset() == timedelta(hours=-4)
    moment = client.recorded_at("RecM01_20240110_090500_090530_6D28808_3E8.mp4")
    assert moment is not None
    assert moment.utcoffset() == timedelta(hours=-5)


def _eu_zone() -> ReolinkZone:
    zone = zone_from_get_time(
        {
            "Time": {"timeZone": -3600},
            "Dst": {
                "enable": 1,
                "offset": 1,
                "startMon": 3,
                "startWeek": 5,
                "startWeekday": 0,
                "startHour": 2,
                "startMin": 0,
                "startSec": 0,
                "endMon": 10,
                "endWeek": 5,
                "endWeekday": 0,
                "endHour": 3,
                "endMin": 0,
                "endSec": 0,
            },
        }
    )
    assert isinstance(zone, ReolinkZone)
    return zone


def test_dst_transitions() -> None:
    zone = _eu_zone()
    hour = timedelta(hours=1)
    assert datetime(2024, 3, 31, 1, 59, tzinfo=zone).utcoffset() == hour
    assert datetime(2024, 3, 31, 3, 0, tzinfo=zone).utcoffset() == 2 * hour
    assert datetime(2024, 10, 27, 2, 30, tzinfo=zone).utcoffset() == 2 * hour
    assert datetime(2024, 10, 27, 2, 30, fold=1, tzinfo=zone).utcoffset() == hour
    assert datetime(2024, 10, 27, 3, 0, tzinfo=zone).utcoffset() == hour
    first = datetime(2024, 10, 27, 0, 30, tzinfo=UTC).astimezone(zone)
    second = datetime(2024, 10, 27, 1, 30, tzinfo=UTC).astimezone(zone)
    assert (
        first.replace(tzinfo=None) == second.replace(tzinfo=None) == datetime(2024, 10, 27, 2, 30)
    )
    assert (first.fold, second.fold) == (0, 1)
    assert first.astimezone(UTC).hour == 0
    assert second.astimezone(UTC).hour == 1
    summer = datetime(2024, 7, 1, 12, 0, tzinfo=UTC).astimezone(zone)
    assert (summer.hour, summer.tzname()) == (14, "UTC+02:00")


def test_southern_hemisphere_dst() -> None:
    sydney = ReolinkZone(
        timedelta(hours=10),
        timedelta(hours=1),
        DstRule(10, 1, 0, dt_time(2)),
        DstRule(4, 1, 0, dt_time(3)),
    )
    assert datetime(2024, 1, 15, 12, tzinfo=sydney).utcoffset() == timedelta(hours=11)
    assert datetime(2024, 6, 15, 12, tzinfo=sydney).utcoffset() == timedelta(hours=10)
    assert datetime(2024, 10, 6, 3, tzinfo=sydney).utcoffset() == timedelta(hours=11)
    assert datetime(2024, 10, 5, 3, tzinfo=sydney).utcoffset() == timedelta(hours=10)


def test_zone_without_dst_block() -> None:
    assert zone_from_get_time({"Time": {"timeZone": -19800}}) == timezone(
        timedelta(hours=5, minutes=30)
    )
    assert zone_from_get_time({}, fallback=CET) is CET


# -- files --


async def test_open_file_whole_and_resumed(
    reolink_client: ReolinkClient, reolink_sim: ReolinkSimulator
) -> None:
    recording = reolink_sim.recordings[-1]
    async with reolink_client.open_file(_file(recording), 0) as response:
        assert response.status == 200
        assert response.content_length == recording.size
        body = await response.read()
    assert hashlib.sha256(body).hexdigest() == reolink_sim.expected_sha256(recording)
    async with reolink_client.open_file(_file(recording), 150_000) as response:
        assert response.status == 206
        assert response.headers["Content-Range"] == (
            f"bytes 150000-{recording.size - 1}/{recording.size}"
        )
        tail = await response.read()
    assert tail == content.content(recording.basename, recording.size)[150_000:]
    downloads = [entry for entry in reolink_sim.requests if entry.command == "Download"]
    assert [entry.range for entry in downloads] == [None, "bytes=150000-"]
    assert downloads[0].params["source"] == recording.name
    assert downloads[0].params["output"] == recording.basename


@pytest.mark.parametrize(("mode", "status"), [("ignore", 200), ("416", 416)])
async def test_open_file_passes_other_range_answers_on(
    reolink_client: ReolinkClient, reolink_sim: ReolinkSimulator, mode: str, status: int
) -> None:
    reolink_sim.faults.range_mode = mode  # type: ignore[assignment]
    async with reolink_client.open_file(_file(reolink_sim.recordings[0]), 10) as response:
        assert response.status == status


async def test_download_failing_falls_back_to_playback(
    reolink_client: ReolinkClient, reolink_sim: ReolinkSimulator
) -> None:
    reolink_sim.faults.download_fails = True
    first, second = reolink_sim.recordings[-2:]
    async with reolink_client.open_file(_file(first), 0) as response:
        assert response.status == 200
        body = await response.read()
    assert hashlib.sha256(body).hexdigest() == reolink_sim.expected_sha256(first)
    playback = [entry for entry in reolink_sim.requests if entry.command == "Playback"]
    assert playback[0].params["start"] == first.start.strftime("%Y%m%d%H%M%S")
    downloads = reolink_sim.count("Download")
    async with reolink_client.open_file(_file(second), 1000) as response:
        assert response.status == 206
    assert reolink_sim.count("Download") == downloads  # Playback straight away now
    assert reolink_sim.requests[-1].range == "bytes=1000-"


async def test_playback_mp4_is_accepted_and_flv_is_not(
    reolink_client: ReolinkClient, reolink_sim: ReolinkSimulator
) -> None:
    reolink_sim.faults.download_fails = True
    reolink_sim.faults.playback_content_type = "video/mp4"
    recording = reolink_sim.recordings[0]
    async with reolink_client.open_file(_file(recording), 0) as response:
        assert response.content_type == "video/mp4"
    reolink_sim.faults.playback_flv = True
    with pytest.raises(FileTransferError) as caught:
        async with reolink_client.open_file(_file(recording), 0):
            pass
    assert caught.value.reason == "unusable_reply"
    assert "video/x-flv" in str(caught.value)


async def test_download_unsupported_uses_playback(
    reolink_client: ReolinkClient, reolink_sim: ReolinkSimulator
) -> None:
    reolink_sim.faults.unsupported = {"Download"}
    async with reolink_client.open_file(_file(reolink_sim.recordings[0]), 0) as response:
        assert response.status == 200
    assert reolink_sim.commands()[-2:] == ["Download", "Playback"]


@pytest.mark.parametrize(("fault", "reason"), [("busy", "busy"), ("gone", "not_found")])
async def test_file_errors(
    reolink_client: ReolinkClient, reolink_sim: ReolinkSimulator, fault: str, reason: str
) -> None:
    recording = reolink_sim.recordings[0]
    if fault == "busy":
        reolink_sim.faults.busy = {recording.basename}
    else:
        reolink_sim.roll_off()
    with pytest.raises(FileTransferError) as caught:
        async with reolink_client.open_file(_file(recording), 0):
            pass
    assert (caught.value.name, caught.value.reason) == (recording.basename, reason)


async def test_fetch_inline_is_not_supported(reolink_client: ReolinkClient) -> None:
    file = RemoteFile("x.gps", FileRole.GPS, "x.gps", inline=True)
    with pytest.raises(ProtocolError, match="no inline files"):
        await reolink_client.async_fetch_inline(file)


# -- snapshot --


async def test_snapshot_is_a_real_jpeg(
    reolink_client: ReolinkClient, reolink_sim: ReolinkSimulator
) -> None:
    data = await reolink_client.async_snapshot()
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG"
    assert image.size == (640, 360)
    snap = reolink_sim.requests[-1]
    assert (snap.method, snap.params["channel"]) == ("GET", "0")
    assert snap.params["rs"]


async def test_failing_snapshot_raises(
    reolink_client: ReolinkClient, reolink_sim: ReolinkSimulator
) -> None:
    reolink_sim.faults.snap_fails = True
    with pytest.raises(ProtocolError, match=r"Fetching a picture failed \(-48\)"):
        await reolink_client.async_snapshot()


async def test_snapshot_on_a_bad_channel(
    reolink_sim: ReolinkSimulator, reolink_http: aiohttp.ClientSession
) -> None:
    client = _client(reolink_http, reolink_sim, channel=3)
    with pytest.raises(ProtocolError, match="Channel invalid"):
        await client.async_snapshot()


# -- HTTPS --


async def test_https_with_a_self_signed_certificate(reolink_http: aiohttp.ClientSession) -> None:
    simulator = reolink_simulator()
    await simulator.start(ssl_context=self_signed_context())
    try:
        client = _client(reolink_http, simulator, use_https=True)
        info = await client.async_get_info()
        assert info.configuration_url == f"https://127.0.0.1:{simulator.port}"
        listing = await client.async_list_recordings(since=_since(1))
        async with client.open_file(listing.recordings[-1].files[0], 100) as response:
            assert response.status == 206
            await response.read()
        assert await client.async_snapshot()
        await client.async_close()
        # The shared session still verifies certificates: only this camera's requests do not.
        with pytest.raises(aiohttp.ClientConnectorCertificateError):
            await reolink_http.get(simulator.base_url + "/api.cgi")
        plain = _client(reolink_http, simulator)
        with pytest.raises((CameraOfflineError, ProtocolError)):
            await plain.async_get_info()
    finally:
        await simulator.close()


# -- secrets --


async def test_secrets_stay_out_of_logs_and_errors(
    reolink_sim: ReolinkSimulator,
    reolink_http: aiohttp.ClientSession,
    reolink_logs: pytest.LogCaptureFixture,
) -> None:
    client = _client(reolink_http, reolink_sim)
    await client.async_get_info()
    listing = await client.async_list_recordings(since=_since(3))
    reolink_sim.faults.expire_tokens = True
    reolink_sim.faults.download_fails = True
    recording = listing.recordings[0]
    async with client.open_file(recording.files[0], 10) as response:
        await response.read()
    await client.async_snapshot()
    reolink_sim.faults.truncate[recording.name] = 10
    reolink_sim.faults.snap_fails = True
    reolink_sim.faults.busy = {recording.name}
    errors = [
        await _expect(CamsyncError, call)
        for call in (
            client.async_snapshot(),
            _open_and_read(client, recording.files[0]),
            _client(reolink_http, reolink_sim, password=REOLINK_PASSWORD + "x").async_get_info(),
        )
    ]
    await reolink_sim.stop()
    errors.append(await _expect(CamsyncError, client.async_snapshot()))
    await client.async_close()
    tokens = {entry.token for entry in reolink_sim.requests if entry.token}
    assert len(tokens) >= 2
    assert "logged in" in reolink_logs.text
    assert "Download of " in reolink_logs.text
    assert "the connection closed without a reply" in reolink_logs.text
    texts = [reolink_logs.text] + [f"{error!s} {error!r}" for error in errors]
    texts += [repr(client)]
    for text in texts:
        assert REOLINK_PASSWORD not in text
        for token in tokens:
            assert token not in text
    for error in errors:
        assert error.__cause__ is None or isinstance(error.__cause__, CamsyncError)
        assert error.__suppress_context__ or error.__context__ is None


async def _open_and_read(client: ReolinkClient, file: RemoteFile) -> None:
    async with client.open_file(file, 0) as response:
        await response.read()


async def _expect(kind: type[BaseException], call: Any) -> BaseException:
    with pytest.raises(kind) as caught:
        await call
    return caught.value


def _shifted(recordings: list[ReolinkRecording], *, days: int) -> list[ReolinkRecording]:
    delta = timedelta(days=days)
    return [
        ReolinkRecording(item.start + delta, item.end + delta, item.triggers, item.size)
        for item in recordings
    ]


# -- with the engine --


async def test_engine_sync_resumes_through_playback(
    reolink_sim: ReolinkSimulator, reolink_http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    client = _client(reolink_http, reolink_sim, read_timeout=5.0)
    destination = tmp_path / "archive"
    archive = Archive(destination, "recordings")
    reolink_sim.recordings = reolink_sim.recordings[-3:]
    target = reolink_sim.recordings[-1]
    cut = target.size // 2
    reolink_sim.faults.truncate[target.basename] = cut
    # Paced, so the engine reads as bytes arrive: aiohttp drops what it buffered when the
    # connection ends early.
    reolink_sim.faults.rate_limit = 4_000_000

    first = await run_sync(client, archive, SyncOptions(), since=_since(3))

    assert [(item.name, item.reason) for item in first.failed] == [(target.basename, "truncated")]
    assert len(first.saved) == len(reolink_sim.recordings) - 1
    kept = partial_of(destination, target.basename).stat().st_size
    assert cut // 2 < kept <= cut
    reolink_sim.faults.truncate.clear()
    reolink_sim.faults.rate_limit = None
    reolink_sim.faults.download_fails = True

    second = await run_sync(client, archive, SyncOptions(), since=_since(3))

    assert second.outcome is Outcome.COMPLETED
    assert [(item.name, item.resumed_from) for item in second.saved] == [(target.basename, kept)]
    resumed = reolink_sim.requests[-1]
    assert (resumed.command, resumed.range, resumed.status) == ("Playback", f"bytes={kept}-", 206)
    files = archived(destination)
    assert sorted(files) == sorted(item.basename for item in reolink_sim.recordings)
    for recording in reolink_sim.recordings:
        assert sha256_file(files[recording.basename]) == reolink_sim.expected_sha256(recording)
    await client.async_close()
    assert reolink_sim.open_sessions == 0
