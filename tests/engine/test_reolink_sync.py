"""The sync engine with the Reolink client, over loopback, against both firmware profiles.

``polite`` is the camera of the vendor guide (v7: sizes that agree, Content-Length, JSON errors);
``v3`` is the RLC-1224A on firmware v3.2 as measured: remuxed downloads whose length is neither
Search's size nor the name's, chunked bodies, resets instead of answers, 401 for a lost session,
Playback 404, busy and empty Searches, DST markers in names.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest

from camera_simulators.reolink import (
    ReolinkFaults,
    ReolinkRecording,
    ReolinkSimulator,
    make_reolink_recordings,
    make_v3,
)
from custom_components.camsync.devices.reolink import ReolinkClient, SessionLimitError
from custom_components.camsync.engine.archive import Archive
from custom_components.camsync.engine.errors import Outcome
from custom_components.camsync.engine.models import SyncOptions
from custom_components.camsync.engine.plan import Plan
from custom_components.camsync.engine.run import SyncHooks, run_sync
from tests.blackvue_fixtures import archived, partial_of, sha256_file
from tests.reolink_fixtures import REOLINK_NOW, REOLINK_PASSWORD

OPTIONS = SyncOptions(retry_pause=0.01)
SINCE = (REOLINK_NOW - timedelta(days=3)).replace(tzinfo=UTC)


def camera(profile: str, recordings: list[ReolinkRecording] | None = None) -> ReolinkSimulator:
    """Return a simulator (not started) of the profile whose clock stands at REOLINK_NOW."""
    firmware = "v3" if profile == "v3" else "v7"
    if recordings is None:
        recordings = make_reolink_recordings(3, 3, end=REOLINK_NOW, firmware=firmware)
    faults = ReolinkFaults(profile="v3") if profile == "v3" else ReolinkFaults()
    return ReolinkSimulator(recordings, faults, clock=lambda: REOLINK_NOW)


@pytest.fixture(params=["polite", "v3"])
async def sim(request: pytest.FixtureRequest) -> AsyncIterator[ReolinkSimulator]:
    async with camera(request.param) as simulator:
        yield simulator


@pytest.fixture
async def v3() -> AsyncIterator[ReolinkSimulator]:
    async with camera("v3") as simulator:
        yield simulator


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


def client_for(http: aiohttp.ClientSession, simulator: ReolinkSimulator) -> ReolinkClient:
    return ReolinkClient(
        http,
        simulator.host,
        port=simulator.port,
        username="admin",
        password=REOLINK_PASSWORD,
        read_timeout=2.0,
        retry_pause=0.01,
    )


def archive_in(tmp_path: Path) -> Archive:
    return Archive(tmp_path / "archive", "recordings")


def assert_archive_is_the_card(simulator: ReolinkSimulator, destination: Path) -> None:
    files = archived(destination)
    assert set(files) == {recording.basename for recording in simulator.recordings}
    for recording in simulator.recordings:
        assert sha256_file(files[recording.basename]) == simulator.expected_sha256(recording)


# -- both profiles --


async def test_fresh_sync_archives_every_recording_verified(
    sim: ReolinkSimulator, http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    archive = archive_in(tmp_path)
    report = await run_sync(client_for(http, sim), archive, OPTIONS, since=SINCE)

    assert report.outcome is Outcome.COMPLETED, report.message
    assert report.failed == []
    assert_archive_is_the_card(sim, archive.destination)
    assert all(item.verified for item in report.saved)
    assert report.bytes_received == sum(sim.served_size(rec) for rec in sim.recordings)

    again = await run_sync(client_for(http, sim), archive, OPTIONS, since=SINCE)
    assert (again.planned, again.saved) == (0, [])


async def test_an_interrupted_download_resumes_where_it_stopped(
    sim: ReolinkSimulator, http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    archive = archive_in(tmp_path)
    first_clip = sim.recordings[-1]
    sim.faults.truncate[first_clip.basename] = 150_000  # a clean close before the end
    sim.faults.rate_limit = 4_000_000

    first = await run_sync(client_for(http, sim), archive, OPTIONS, since=SINCE)

    assert [(item.name, item.reason) for item in first.failed] == [
        (first_clip.basename, "truncated")
    ]
    kept = partial_of(archive.destination, first_clip.basename).stat().st_size
    assert 0 < kept <= 150_000
    sim.faults.truncate.clear()
    sim.faults.rate_limit = None

    second = await run_sync(client_for(http, sim), archive, OPTIONS, since=SINCE)

    assert [(item.name, item.resumed_from) for item in second.saved] == [
        (first_clip.basename, kept)
    ]
    last = [entry for entry in sim.requests if entry.command == "Download"][-1]
    assert last.range == f"bytes={kept}-"
    assert_archive_is_the_card(sim, archive.destination)


async def test_a_reset_is_retried_once_in_the_run(
    sim: ReolinkSimulator, http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    archive = archive_in(tmp_path)
    clip = sim.recordings[0]
    sim.faults.reset_after[clip.basename] = sim.served_size(clip) - 1000

    report = await run_sync(client_for(http, sim), archive, OPTIONS, since=SINCE)

    assert report.outcome is Outcome.COMPLETED
    assert report.failed == []
    downloads = [e for e in sim.requests if e.command == "Download" and clip.basename in e.url]
    assert len(downloads) == 2
    assert downloads[0].outcome == "reset"
    assert_archive_is_the_card(sim, archive.destination)


# -- the v3 firmware --


async def test_a_camera_whose_downloads_are_wedged_says_so(
    v3: ReolinkSimulator, http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    v3.faults.wedged = True

    report = await run_sync(client_for(http, v3), archive_in(tmp_path), OPTIONS, since=SINCE)

    assert report.outcome is Outcome.DOWNLOADS_WEDGED
    assert "reboot the camera" in report.message
    assert report.saved == []
    assert [item.reason for item in report.failed] == ["reset"] * 3
    # Listing worked: it is the downloads, not the camera, that are gone.
    assert report.listed == len(v3.recordings)


async def test_random_resets_cost_nothing_but_a_retry(
    v3: ReolinkSimulator, http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    archive = archive_in(tmp_path)
    v3.faults.reset_probability = 0.3
    v3.faults.reset_seed = 7

    first = await run_sync(client_for(http, v3), archive, OPTIONS, since=SINCE)
    assert first.outcome is Outcome.COMPLETED
    assert {item.reason for item in first.failed} <= {"reset"}
    assert any(entry.outcome == "reset" for entry in v3.requests)
    v3.faults.reset_probability = 0.0
    second = await run_sync(client_for(http, v3), archive, OPTIONS, since=SINCE)

    assert second.outcome is Outcome.COMPLETED
    assert second.backed_off == []  # a reset is not the file's fault
    assert_archive_is_the_card(v3, archive.destination)


async def test_a_clip_still_being_recorded_is_fetched_once_it_is_final(
    v3: ReolinkSimulator, http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    archive = archive_in(tmp_path)
    growing = v3.start_recording(REOLINK_NOW - timedelta(minutes=4), ("motion", "person"))
    provisional = growing.basename
    assert "_000000_" in provisional

    first = await run_sync(client_for(http, v3), archive, OPTIONS, since=SINCE)

    assert provisional not in {item.name for item in first.saved}
    assert not any(provisional in entry.url for entry in v3.requests)
    v3.finish_recording(growing, end=REOLINK_NOW - timedelta(minutes=3))
    second = await run_sync(client_for(http, v3), archive, OPTIONS, since=SINCE)

    assert [item.name for item in second.saved] == [growing.basename]
    files = archived(archive.destination)
    assert not [name for name in files if "_000000_" in name]
    assert sha256_file(files[growing.basename]) == v3.expected_sha256(growing)


async def test_a_clip_that_ended_moments_ago_waits_for_the_next_run(
    v3: ReolinkSimulator, http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    start = REOLINK_NOW - timedelta(seconds=50)
    just_ended = make_v3(
        ReolinkRecording(start, start + timedelta(seconds=30), frozenset({"motion"}), 120_000)
    )
    v3.recordings.append(just_ended)

    report = await run_sync(client_for(http, v3), archive_in(tmp_path), OPTIONS, since=SINCE)

    assert just_ended.basename not in {item.name for item in report.saved}
    assert report.listed == len(v3.recordings) - 1


async def test_a_clip_that_really_ended_at_midnight_is_archived(
    v3: ReolinkSimulator, http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    start = datetime(2024, 5, 9, 23, 59, 30)
    midnight = make_v3(
        ReolinkRecording(start, start + timedelta(seconds=30), frozenset({"motion"}), 120_000)
    )
    assert "_235930_000000_" in midnight.basename
    v3.recordings.append(midnight)

    report = await run_sync(client_for(http, v3), archive_in(tmp_path), OPTIONS, since=SINCE)

    assert midnight.basename in {item.name for item in report.saved}


async def test_a_lost_session_on_download_logs_in_again(
    v3: ReolinkSimulator, http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    archive = archive_in(tmp_path)

    def drop_the_session(plan: Plan) -> None:
        v3.faults.expire_tokens = True  # the camera rebooted between listing and download

    report = await run_sync(
        client_for(http, v3),
        archive,
        OPTIONS,
        since=SINCE,
        hooks=SyncHooks(on_plan=drop_the_session),
    )

    assert report.outcome is Outcome.COMPLETED
    assert report.failed == []
    assert 401 in [entry.status for entry in v3.requests if entry.command == "Download"]
    assert v3.count("Login") == 2
    assert_archive_is_the_card(v3, archive.destination)


@pytest.mark.parametrize(
    ("knob", "value"),
    [
        ("search_busy_next", 2),  # -54: another client's Search was running
        ("search_http_errors", [502]),  # cured by a new login
        ("search_http_errors", [404]),
        ("search_empty_next", {"2024-05-09"}),  # an empty answer, no error, amid full days
    ],
)
async def test_a_busy_or_confused_search_is_asked_again(
    v3: ReolinkSimulator,
    http: aiohttp.ClientSession,
    tmp_path: Path,
    knob: str,
    value: object,
) -> None:
    archive = archive_in(tmp_path)
    setattr(v3.faults, knob, value)

    report = await run_sync(client_for(http, v3), archive, OPTIONS, since=SINCE)

    assert report.outcome is Outcome.COMPLETED, report.message
    assert report.listed == len(v3.recordings)
    assert_archive_is_the_card(v3, archive.destination)


async def test_a_search_that_keeps_failing_is_a_protocol_error(
    v3: ReolinkSimulator, http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    v3.faults.search_busy_next = 50

    report = await run_sync(client_for(http, v3), archive_in(tmp_path), OPTIONS, since=SINCE)

    assert report.outcome is Outcome.PROTOCOL_ERROR
    assert "-54" in report.message


async def test_a_home_hub_path_with_spaces_goes_as_percent_20(
    v3: ReolinkSimulator, http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    archive = archive_in(tmp_path)
    for recording in v3.recordings:
        recording.folder = "/mnt/sda/95270000ABCD-Front Door"

    report = await run_sync(client_for(http, v3), archive, OPTIONS, since=SINCE)

    assert report.failed == []
    assert_archive_is_the_card(v3, archive.destination)
    downloads = [entry.url for entry in v3.requests if entry.command == "Download"]
    assert all("Front%20Door/Mp4Record/" in url for url in downloads)
    assert not any("%2F" in url.upper() or "+" in url for url in downloads)


async def test_a_rolled_off_clip_is_a_reset_and_download_stays_the_path(
    v3: ReolinkSimulator, http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    archive = archive_in(tmp_path)
    oldest = min(v3.recordings, key=lambda item: item.start)

    def roll_off(plan: Plan) -> None:
        v3.roll_off()  # the card overwrote it between listing and download

    report = await run_sync(
        client_for(http, v3),
        archive,
        SyncOptions(retry_pause=0.01, priority="oldest_first"),  # type: ignore[arg-type]
        since=SINCE,
        hooks=SyncHooks(on_plan=roll_off),
    )

    assert [(item.name, item.reason) for item in report.failed] == [(oldest.basename, "reset")]
    assert report.outcome is Outcome.COMPLETED
    # Playback answered 404 for it; that did not make Playback the first choice.
    commands = [entry.command for entry in v3.requests if entry.command in ("Download", "Playback")]
    assert "Playback" in commands
    after = commands[commands.index("Playback") :]
    later_files = [
        entry.command
        for entry in v3.requests
        if entry.command in ("Download", "Playback") and oldest.basename not in entry.url
    ]
    assert set(later_files) == {"Download"}
    assert after[-1] == "Download"
    assert_archive_is_the_card(v3, archive.destination)


async def test_the_dst_marker_decides_the_offset_in_the_repeated_autumn_hour(
    http: aiohttp.ClientSession,
) -> None:
    # 2023-10-29 02:30 happened twice in central Europe: first in summer time, then in winter.
    summer = make_v3(
        ReolinkRecording(
            datetime(2023, 10, 29, 2, 30),
            datetime(2023, 10, 29, 2, 30, 30),
            frozenset({"motion"}),
            90_000,
        )
    )
    summer.dst_prefix = True
    winter = make_v3(
        ReolinkRecording(
            datetime(2023, 10, 29, 2, 30, 5),
            datetime(2023, 10, 29, 2, 30, 35),
            frozenset({"motion"}),
            90_000,
        )
    )
    winter.dst_prefix = False
    faults = ReolinkFaults(profile="v3")
    async with ReolinkSimulator(
        [summer, winter], faults, clock=lambda: datetime(2023, 10, 29, 12, 0)
    ) as simulator:
        client = client_for(http, simulator)
        listing = await client.async_list_recordings(since=datetime(2023, 10, 28, tzinfo=UTC))

    starts = {item.name: item.start.astimezone(UTC) for item in listing.recordings}
    assert starts[summer.basename] == datetime(2023, 10, 29, 0, 30, tzinfo=UTC)
    assert starts[winter.basename] == datetime(2023, 10, 29, 1, 30, 5, tzinfo=UTC)
    assert client.recorded_at(winter.basename) == starts[winter.basename]


async def test_login_reach_max_is_the_session_limit(
    v3: ReolinkSimulator, http: aiohttp.ClientSession
) -> None:
    v3.faults.max_sessions = 0
    v3.faults.max_sessions_rsp_code = -507

    with pytest.raises(SessionLimitError) as raised:
        await client_for(http, v3).async_get_info()

    assert raised.value.retry_after == 300
