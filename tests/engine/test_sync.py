"""The sync engine against a hostile simulated dashcam, over real HTTP, into a real folder."""

from __future__ import annotations

import asyncio
from collections import namedtuple
from datetime import timedelta
from pathlib import Path
import sys

import pytest

from camera_simulators.blackvue import BlackVueSimulator, clock_unset_recordings
from custom_components.camsync.devices.blackvue import BlackVueClient
from custom_components.camsync.engine.archive import Archive
from custom_components.camsync.engine.errors import Outcome
from custom_components.camsync.engine.models import FileRole, SyncOptions
from custom_components.camsync.engine.run import SyncHooks, run_sync
from tests.blackvue_fixtures import archived, files_under, partial_of, sha256_file

Usage = namedtuple("Usage", "total used free")


def _file_requests(dashcam: BlackVueSimulator) -> list[str]:
    return [
        entry.path
        for entry in dashcam.requests
        if entry.method == "GET" and entry.path.startswith("/Record/")
    ]


def _video(dashcam: BlackVueSimulator, index: int = 0) -> str:
    return dashcam.recordings[index].name


async def test_fresh_sync_archives_every_file_byte_identical(
    dashcam: BlackVueSimulator, client: BlackVueClient, archive: Archive, destination: Path
) -> None:
    saved_events = []
    report = await run_sync(
        client, archive, SyncOptions(), hooks=SyncHooks(on_saved=saved_events.append)
    )

    assert report.outcome is Outcome.COMPLETED
    expected = set(dashcam.listed_names())
    for recording in dashcam.recordings:
        expected.update(recording.sidecar_names())
    files = archived(destination)
    assert set(files) == expected
    for name, path in files.items():
        assert sha256_file(path) == dashcam.expected_sha256(name), name
    # Daily grouping by recording date, under recordings/.
    video = _video(dashcam)
    assert files[video].parent == destination / "recordings" / "2026-11-20"
    assert {event.name for event in saved_events} == expected
    assert report.failed == []
    assert report.bytes_received == sum(path.stat().st_size for path in files.values())
    # Nothing partial is left behind.
    assert not list((destination / ".camsync" / "partial").iterdir())


async def test_second_run_downloads_nothing(
    dashcam: BlackVueSimulator, client: BlackVueClient, archive: Archive
) -> None:
    await run_sync(client, archive, SyncOptions())
    before = len(_file_requests(dashcam))

    report = await run_sync(client, archive, SyncOptions())

    assert report.outcome is Outcome.COMPLETED
    assert report.planned == 0
    assert report.saved == []
    assert len(_file_requests(dashcam)) == before


async def test_events_are_fetched_first(
    dashcam: BlackVueSimulator, client: BlackVueClient, archive: Archive
) -> None:
    await run_sync(client, archive, SyncOptions(sidecars=False))

    videos = [path.rsplit("/", 1)[-1] for path in _file_requests(dashcam)]
    kinds = [name.split("_")[2][0] for name in videos]
    # E (event) before N (normal) before P (parking), newest first within a kind.
    assert kinds == sorted(kinds, key="ENP".index)
    stamps = [name[:15] for name in videos if name.split("_")[2][0] == "N"]
    assert len(stamps) > 2
    assert stamps == sorted(stamps, reverse=True)


async def test_interrupted_download_resumes_with_only_the_missing_bytes(
    dashcam: BlackVueSimulator, client: BlackVueClient, archive: Archive, destination: Path
) -> None:
    video = _video(dashcam)
    size = dashcam.recordings[0].size
    cut = size * 3 // 4
    dashcam.faults.truncate[video] = cut
    dashcam.faults.throughput = 2_000_000  # paced: the client has read what was sent

    first = await run_sync(client, archive, SyncOptions(sidecars=False))

    assert [(item.name, item.reason) for item in first.failed] == [(video, "truncated")]
    assert video not in archived(destination)
    kept = partial_of(destination, video).stat().st_size
    assert cut // 2 < kept <= cut
    dashcam.faults.throughput = None

    dashcam.faults.truncate.clear()
    served_before = dashcam.bytes_served(video)
    second = await run_sync(client, archive, SyncOptions(sidecars=False))

    assert second.outcome is Outcome.COMPLETED
    assert [(item.name, item.resumed_from) for item in second.saved] == [(video, kept)]
    resumed = [entry for entry in dashcam.requests if entry.path.endswith(video)][-1]
    assert resumed.range_header == f"bytes={kept}-"
    assert resumed.status == 206
    assert dashcam.bytes_served(video) - served_before == size - kept
    assert sha256_file(archived(destination)[video]) == dashcam.expected_sha256(video)
    assert not partial_of(destination, video).exists()


async def test_camera_ignoring_range_restarts_and_ends_identical(
    dashcam: BlackVueSimulator, client: BlackVueClient, archive: Archive, destination: Path
) -> None:
    video = _video(dashcam)
    size = dashcam.recordings[0].size
    dashcam.faults.truncate[video] = size * 3 // 4
    dashcam.faults.throughput = 2_000_000
    await run_sync(client, archive, SyncOptions(sidecars=False))
    kept = partial_of(destination, video).stat().st_size
    assert kept > 0
    dashcam.faults.throughput = None
    dashcam.faults.truncate.clear()
    dashcam.faults.range_mode = "ignore"
    served_before = dashcam.bytes_served(video)

    report = await run_sync(client, archive, SyncOptions(sidecars=False))

    assert report.outcome is Outcome.COMPLETED
    assert [item.name for item in report.saved] == [video]
    assert report.saved[0].resumed_from == 0
    last = [entry for entry in dashcam.requests if entry.path.endswith(video)][-1]
    assert (last.range_header, last.status) == (f"bytes={kept}-", 200)
    assert dashcam.bytes_served(video) - served_before == size
    assert sha256_file(archived(destination)[video]) == dashcam.expected_sha256(video)


@pytest.mark.parametrize("mode", ["416", "bad_content_range"])
async def test_refused_or_wrong_range_restarts_from_zero(
    dashcam: BlackVueSimulator,
    client: BlackVueClient,
    archive: Archive,
    destination: Path,
    mode: str,
) -> None:
    video = _video(dashcam)
    dashcam.faults.truncate[video] = 100_000
    dashcam.faults.throughput = 2_000_000
    await run_sync(client, archive, SyncOptions(sidecars=False))
    assert partial_of(destination, video).stat().st_size > 0
    dashcam.faults.throughput = None
    dashcam.faults.truncate.clear()
    dashcam.faults.range_mode = mode  # type: ignore[assignment]

    report = await run_sync(client, archive, SyncOptions(sidecars=False))

    assert [(item.name, item.resumed_from) for item in report.saved] == [(video, 0)]
    statuses = [entry.status for entry in dashcam.requests if entry.path.endswith(video)]
    if mode == "416":  # the partial is dropped and the file asked for again, whole
        assert statuses[-2:] == [416, 200]
    else:  # a 206 from byte 0 is a whole body: used as a restart, never appended
        assert statuses[-1] == 206
    assert sha256_file(archived(destination)[video]) == dashcam.expected_sha256(video)


async def test_truncated_reset_and_stalled_files_never_reach_a_final_name(
    dashcam: BlackVueSimulator, client: BlackVueClient, archive: Archive, destination: Path
) -> None:
    truncated, reset, stalled = (_video(dashcam, index) for index in range(3))
    dashcam.faults.truncate[truncated] = 5000
    dashcam.faults.reset_after[reset] = 7000
    dashcam.faults.stall[stalled] = (9000, 3.0)  # longer than the client's 0.5 s read timeout

    report = await run_sync(client, archive, SyncOptions(sidecars=False, retry_pause=0.01))

    assert report.outcome is Outcome.COMPLETED
    assert {(item.name, item.reason) for item in report.failed} == {
        (truncated, "truncated"),
        (reset, "reset"),  # an RST mid-body is a reset, not a body that ended early
        (stalled, "stalled"),
    }
    details = {item.name: item.detail for item in report.failed}
    assert details[truncated].startswith("the connection ended after ")
    assert "after 9000 bytes" in details[stalled]
    files = archived(destination)
    assert not {truncated, reset, stalled} & set(files)
    others = set(dashcam.listed_names()) - {truncated, reset, stalled}
    assert set(files) == others
    for name in others:
        assert sha256_file(files[name]) == dashcam.expected_sha256(name)
    # A partial never holds more than the camera sent (aiohttp may drop its last unread buffer).
    assert partial_of(destination, truncated).stat().st_size <= 5000
    # The reset one was tried once more in the run (the others not), and reset again.
    assert partial_of(destination, reset).stat().st_size <= 14000
    asked = [entry.path.rsplit("/", 1)[-1] for entry in dashcam.requests]
    assert (asked.count(reset), asked.count(truncated), asked.count(stalled)) == (2, 1, 1)
    assert partial_of(destination, stalled).stat().st_size == 9000


async def test_a_file_that_always_fails_is_backed_off(
    dashcam: BlackVueSimulator, client: BlackVueClient, archive: Archive, destination: Path
) -> None:
    broken = _video(dashcam)
    dashcam.faults.http_500.add(broken)

    first = await run_sync(client, archive, SyncOptions(sidecars=False, retry_pause=0.01))
    second = await run_sync(client, archive, SyncOptions(sidecars=False))

    assert [(item.name, item.reason) for item in first.failed] == [(broken, "http_500")]
    assert second.failed == []
    assert second.backed_off == [broken]
    # Asked twice in the first run (a 5xx gets one more try), never in the second.
    assert [entry.path for entry in dashcam.requests].count(f"/Record/{broken}") == 2
    assert set(archived(destination)) == set(dashcam.listed_names()) - {broken}
    marks = (destination / ".camsync" / "failures.json").read_text()
    assert broken in marks


async def test_back_off_expires_and_success_clears_the_mark(
    dashcam: BlackVueSimulator, client: BlackVueClient, archive: Archive, destination: Path
) -> None:
    broken = _video(dashcam)
    dashcam.faults.http_500.add(broken)
    await run_sync(client, archive, SyncOptions(sidecars=False))
    dashcam.faults.http_500.clear()

    later = await run_sync(client, archive, SyncOptions(sidecars=False, retry_base=timedelta()))

    assert [item.name for item in later.saved] == [broken]
    assert broken not in (destination / ".camsync" / "failures.json").read_text()


async def test_junk_and_traversal_names_are_skipped_and_counted(
    dashcam: BlackVueSimulator, client: BlackVueClient, archive: Archive, tmp_path: Path
) -> None:
    dashcam.faults.extra_listing_lines = [
        "n:/Record/20261120_080500_ZF.mp4,s:1000000",
        "n:/Record/../../../../tmp/evil.mp4,s:1000000",
        "n:/Record/..%2F..%2Fescape_NF.mp4,s:1000000",
        "n:/etc/passwd,s:1000000",
        "garbage line",
        "n:/Record/20261120_080600_NF.mp4/../../x,s:1000000",
    ]
    before = set(files_under(tmp_path))

    report = await run_sync(client, archive, SyncOptions(sidecars=False))

    assert report.outcome is Outcome.COMPLETED
    assert report.skipped_listing == 6
    assert report.listed == len(dashcam.listed_names())
    written = set(files_under(tmp_path)) - before
    assert all(path.startswith("archive/") for path in written)
    assert not any("evil" in path or "escape" in path for path in written)


async def test_disk_limit_stops_the_run_before_passing_it(
    dashcam: BlackVueSimulator, client: BlackVueClient, archive: Archive, destination: Path
) -> None:
    sizes = [recording.size for recording in dashcam.recordings]
    total = 10_000_000
    limit_percent = 90.0
    # The disk starts just under the limit with room for about two and a half videos.
    base_used = int(total * limit_percent / 100) - int(2.5 * max(sizes))
    peaks: list[int] = []

    def usage(path: Path) -> Usage:
        stored = sum(item.stat().st_size for item in destination.rglob("*") if item.is_file())
        used = base_used + stored
        peaks.append(used)
        return Usage(total, used, total - used)

    report = await run_sync(
        client,
        archive,
        SyncOptions(sidecars=False, disk_limit_percent=limit_percent),
        disk_usage=usage,
    )

    assert report.outcome is Outcome.DISK_LIMIT
    assert "90% limit" in report.message
    assert 1 <= len(report.saved) <= 3
    assert max(peaks) <= total * limit_percent / 100


async def test_a_second_run_on_the_same_destination_is_refused(
    dashcam: BlackVueSimulator, client: BlackVueClient, archive: Archive
) -> None:
    dashcam.faults.throughput = 2_000_000
    first = asyncio.create_task(run_sync(client, archive, SyncOptions(), holder="first"))
    while not dashcam.requests or not any(
        entry.path.startswith("/Record/") for entry in dashcam.requests
    ):
        await asyncio.sleep(0.01)

    second = await run_sync(client, archive, SyncOptions(), holder="second")

    assert second.outcome is Outcome.LOCK_HELD
    assert "first" in second.message
    assert (await first).outcome is Outcome.COMPLETED


async def test_the_lock_is_shared_with_other_processes(
    client: BlackVueClient, archive: Archive, destination: Path
) -> None:
    state = destination / ".camsync"
    state.mkdir(parents=True)
    holder = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        "import fcntl, os, sys, time\n"
        f"fd = os.open({str(state / 'lock')!r}, os.O_RDWR | os.O_CREAT)\n"
        "fcntl.flock(fd, fcntl.LOCK_EX)\n"
        "os.write(fd, b'cron job')\n"
        "print('locked', flush=True)\n"
        "sys.stdin.read()\n",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    assert holder.stdout is not None
    assert holder.stdin is not None
    assert await holder.stdout.readline() == b"locked\n"
    try:
        report = await run_sync(client, archive, SyncOptions())
    finally:
        holder.stdin.close()
        await holder.wait()

    assert report.outcome is Outcome.LOCK_HELD
    assert "cron job" in report.message
    assert (await run_sync(client, archive, SyncOptions())).outcome is Outcome.COMPLETED


async def test_cancelling_mid_transfer_keeps_a_resumable_partial(
    dashcam: BlackVueSimulator, client: BlackVueClient, archive: Archive, destination: Path
) -> None:
    video = _video(dashcam)
    dashcam.faults.throughput = 300_000
    task = asyncio.create_task(run_sync(client, archive, SyncOptions(sidecars=False)))
    partial = partial_of(destination, video)
    progress = 0
    while progress < 100_000:
        await asyncio.sleep(0.02)
        progress = dashcam.bytes_served(video)

    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    kept = partial.stat().st_size
    assert kept > 0
    assert video not in archived(destination)
    dashcam.faults.throughput = None
    report = await run_sync(client, archive, SyncOptions(sidecars=False))
    assert report.outcome is Outcome.COMPLETED
    resumed = next(item for item in report.saved if item.name == video)
    assert resumed.resumed_from == kept
    assert sha256_file(archived(destination)[video]) == dashcam.expected_sha256(video)


async def test_camera_going_away_mid_run_then_coming_back(
    dashcam: BlackVueSimulator, client: BlackVueClient, archive: Archive, destination: Path
) -> None:
    # Paced, so the client has read what was sent when the camera drops the connection.
    dashcam.faults.throughput = 4_000_000
    dashcam.faults.go_away_after_bytes = dashcam.recordings[0].size + 150_000

    away = await run_sync(client, archive, SyncOptions(sidecars=False))

    assert away.outcome is Outcome.OFFLINE
    assert len(away.saved) >= 1
    await dashcam.restart()
    back = await run_sync(client, archive, SyncOptions(sidecars=False))
    assert back.outcome is Outcome.COMPLETED
    assert any(item.resumed_from > 0 for item in back.saved)
    files = archived(destination)
    assert set(files) == set(dashcam.listed_names())
    for name, path in files.items():
        assert sha256_file(path) == dashcam.expected_sha256(name)


async def test_new_firmware_fetches_sidecars_through_vod_metadata(
    dashcam: BlackVueSimulator, client: BlackVueClient, archive: Archive, destination: Path
) -> None:
    dashcam.faults.firmware = "v1009"

    report = await run_sync(client, archive, SyncOptions())

    assert report.outcome is Outcome.COMPLETED
    files = archived(destination)
    videos = set(dashcam.listed_names())
    assert videos <= set(files)
    thumbnails = {name for name in files if name.endswith(".thm")}
    assert len(thumbnails) == len(videos)
    for name in thumbnails:
        assert files[name].read_bytes() == dashcam.expected_bytes(name)
    assert not any(name.endswith(".3gf") for name in files)
    assert any(entry.path == "/vodMetadata" for entry in dashcam.requests)
    assert {item.role for item in report.saved} >= {FileRole.VIDEO, FileRole.THUMBNAIL}


async def test_missing_optional_sidecars_are_not_errors_and_not_asked_again(
    dashcam: BlackVueSimulator, client: BlackVueClient, archive: Archive
) -> None:
    first = await run_sync(client, archive, SyncOptions())
    parking_gps = [name for name in first.absent if name.endswith(".gps")]
    assert parking_gps  # parking recordings have no GPS track
    assert first.failed == []
    before = len(dashcam.requests)

    second = await run_sync(client, archive, SyncOptions())

    assert second.planned == 0
    assert all(not entry.path.endswith(".gps") for entry in dashcam.requests[before:])


async def test_two_transfers_at_a_time_archive_everything_once(
    dashcam: BlackVueSimulator, client: BlackVueClient, archive: Archive, destination: Path
) -> None:
    dashcam.faults.throughput = 2_000_000
    report = await run_sync(client, archive, SyncOptions(sidecars=False, concurrency=2))

    assert report.outcome is Outcome.COMPLETED
    files = archived(destination)
    assert set(files) == set(dashcam.listed_names())
    for name, path in files.items():
        assert sha256_file(path) == dashcam.expected_sha256(name)
    videos = [entry.path for entry in dashcam.requests if entry.path.endswith(".mp4")]
    assert len(videos) == len(set(videos))  # no file fetched twice


async def test_a_run_level_error_in_one_worker_stops_the_others(
    dashcam: BlackVueSimulator, client: BlackVueClient, archive: Archive
) -> None:
    dashcam.faults.throughput = 2_000_000
    dashcam.faults.go_away_after_bytes = 100_000

    report = await run_sync(client, archive, SyncOptions(sidecars=False, concurrency=2))

    assert report.outcome is Outcome.OFFLINE
    assert "cannot be reached" in report.message


@pytest.mark.parametrize("firmware", ["legacy", "v1009"])
async def test_a_listed_name_with_foreign_digits_or_a_newline_cannot_end_the_run(
    dashcam: BlackVueSimulator,
    client: BlackVueClient,
    archive: Archive,
    destination: Path,
    firmware: str,
) -> None:
    dashcam.faults.firmware = firmware  # type: ignore[assignment]
    odd = ["٢٠٢٦١١٢٠_080000_NF.mp4", "２０２６１１２０_080100_EF.mp4"]
    if firmware == "v1009":
        odd.append("20261120_080500_NF.mp4\n")  # JSON can carry a newline a regex "$" accepts
        dashcam.faults.extra_listing_lines = odd
    else:
        dashcam.faults.extra_listing_lines = [f"n:/Record/{name},s:1000000" for name in odd]

    report = await run_sync(client, archive, SyncOptions(sidecars=False))

    assert report.outcome is Outcome.COMPLETED
    assert report.skipped_listing == len(odd)
    files = archived(destination)
    assert set(files) == set(dashcam.listed_names())
    for name, path in files.items():
        assert sha256_file(path) == dashcam.expected_sha256(name)


async def test_a_damaged_video_never_gets_its_final_name(
    dashcam: BlackVueSimulator, client: BlackVueClient, archive: Archive, destination: Path
) -> None:
    damaged = _video(dashcam)
    # Content-Length is honest; the last mdat claims more bytes than the file holds.
    dashcam.faults.box_damage[damaged] = 1000

    report = await run_sync(client, archive, SyncOptions(sidecars=False))

    assert report.outcome is Outcome.COMPLETED
    assert [(item.name, item.reason) for item in report.failed] == [(damaged, "damaged")]
    assert "needs 1000 more bytes" in report.failed[0].detail
    assert report.damaged == 1
    assert damaged not in archived(destination)
    assert not partial_of(destination, damaged).exists()  # dropped, not resumed from
    # Fetched twice: the first damaged copy was dropped and the file asked for again.
    assert dashcam.bytes_served(damaged) == 2 * dashcam.recordings[0].size
    assert all(item.verified for item in report.saved)
    assert all(item["verified"] for item in report.as_dict()["saved"])

    dashcam.faults.box_damage.clear()
    later = await run_sync(client, archive, SyncOptions(sidecars=False, retry_base=timedelta()))
    assert [(item.name, item.verified) for item in later.saved] == [(damaged, True)]
    assert sha256_file(archived(destination)[damaged]) == dashcam.expected_sha256(damaged)


async def test_a_busy_cameras_503_is_retried_in_the_run(
    dashcam: BlackVueSimulator, client: BlackVueClient, archive: Archive, destination: Path
) -> None:
    dashcam.faults.http_503_once = set(dashcam.listed_names())

    report = await run_sync(client, archive, SyncOptions(sidecars=False, retry_pause=0.01))

    assert report.outcome is Outcome.COMPLETED
    assert report.failed == []
    files = archived(destination)
    assert set(files) == set(dashcam.listed_names())
    for name, path in files.items():
        assert sha256_file(path) == dashcam.expected_sha256(name)


async def test_shared_sidecars_come_with_whichever_video_of_the_recording_arrives(
    dashcam: BlackVueSimulator, client: BlackVueClient, archive: Archive, destination: Path
) -> None:
    front, rear = dashcam.recordings[0].name, dashcam.recordings[1].name
    stem = front[:17]
    dashcam.faults.http_500.add(front)

    first = await run_sync(client, archive, SyncOptions(retry_pause=0.01))

    files = archived(destination)
    assert front not in files
    assert {rear, f"{stem}.gps", f"{stem}.3gf", rear.replace(".mp4", ".thm")} <= set(files)
    assert front.replace(".mp4", ".thm") not in files  # the front's own thumbnail waits for it
    assert [item.name for item in first.failed] == [front]
    asked = [entry.path for entry in dashcam.requests]
    assert asked.count(f"/Record/{stem}.gps") == 1

    # With both videos of a recording failing, its sidecars are not fetched at all.
    both = dashcam.recordings[2].name, dashcam.recordings[3].name
    dashcam.faults.http_500.update(both)
    for name in archived(destination):
        (archived(destination)[name]).unlink()
    second = await run_sync(client, archive, SyncOptions(retry_pause=0.01))
    other_stem = both[0][:17]
    assert f"/Record/{other_stem}.gps" not in [entry.path for entry in dashcam.requests[-30:]]
    assert {item.name for item in second.failed} >= set(both)


async def test_v1009_sidecars_the_recording_lacks_are_absent_not_failed(
    dashcam: BlackVueSimulator, client: BlackVueClient, archive: Archive
) -> None:
    dashcam.faults.firmware = "v1009"
    dashcam.faults.metadata_shape = "top_level"
    dashcam.faults.metadata_line_wrap = True
    front, rear = dashcam.recordings[0].name, dashcam.recordings[1].name
    dashcam.faults.metadata_absent = {front: {"thumbnail", "gps"}, rear: {"gps"}}

    first = await run_sync(client, archive, SyncOptions())

    assert first.failed == []
    stem = front[:17]
    assert {f"{stem}F.thm", f"{stem}.gps"} <= set(first.absent)
    assert f"{stem}R.thm" in {item.name for item in first.saved}
    before = len(dashcam.requests)
    second = await run_sync(client, archive, SyncOptions())
    assert second.planned == 0
    assert not [entry for entry in dashcam.requests[before:] if entry.path == "/vodMetadata"]


async def test_recordings_of_an_unset_clock_are_counted_not_archived(
    dashcam: BlackVueSimulator, client: BlackVueClient, archive: Archive, destination: Path
) -> None:
    dashcam.recordings += clock_unset_recordings(2)

    report = await run_sync(client, archive, SyncOptions(sidecars=False))

    assert report.outcome is Outcome.COMPLETED
    assert report.clock_unset == 4
    assert report.as_dict()["clock_unset"] == 4
    assert not [name for name in archived(destination) if name.startswith("1970")]


@pytest.mark.parametrize("profile", ["polite", "real"])
async def test_fresh_sync_on_new_firmware_archives_everything_verified(
    dashcam: BlackVueSimulator,
    client: BlackVueClient,
    archive: Archive,
    destination: Path,
    profile: str,
) -> None:
    dashcam.faults.firmware = "v1009"
    if profile == "real":  # what real V1.009+ cameras were seen doing
        dashcam.faults.metadata_shape = "top_level"
        dashcam.faults.metadata_line_wrap = True
        dashcam.faults.http_503_once = {dashcam.recordings[0].name, dashcam.recordings[3].name}
    report = await run_sync(client, archive, SyncOptions(retry_pause=0.01))

    assert report.outcome is Outcome.COMPLETED
    assert report.failed == []
    files = archived(destination)
    assert set(dashcam.listed_names()) <= set(files)
    for name, path in files.items():
        if name.endswith(".mp4"):
            assert sha256_file(path) == dashcam.expected_sha256(name)
        else:
            assert path.read_bytes() == dashcam.expected_bytes(name)
    assert all(item.verified for item in report.saved if item.role is FileRole.VIDEO)
    parking = [rec.name for rec in dashcam.recordings if not rec.has_gps]
    assert {f"{name[:17]}.gps" for name in parking} <= set(report.absent)
