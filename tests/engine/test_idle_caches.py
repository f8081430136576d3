"""Idle ticks are cheap but never wrong: listings and plans are built again exactly when changed.

A listing or plan is reused only while everything it depends on is unchanged, and always rebuilt
when something is.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
import gc
from pathlib import Path
import weakref

import pytest

from camera_simulators.blackvue import BlackVueSimulator, SimRecording
from custom_components.camsync.devices.blackvue import BlackVueClient
from custom_components.camsync.engine.backoff import FailureBook
from custom_components.camsync.engine.facade import CameraArchive
from custom_components.camsync.engine.models import SyncOptions
from tests.blackvue_fixtures import archived

OPTIONS = SyncOptions(sidecars=False)
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@pytest.fixture
def facade(client: BlackVueClient, destination: Path) -> CameraArchive:
    """Return the archive of the simulated dashcam, its clock at NOW."""
    return CameraArchive(client, destination, camera_name="Car", clock=lambda: NOW)


async def test_the_same_answer_gives_the_same_listing_and_a_new_one_adds_what_is_new(
    client: BlackVueClient, dashcam: BlackVueSimulator
) -> None:
    first = await client.async_list_recordings()
    again = await client.async_list_recordings()
    assert again is first  # not parsed again

    newest = dashcam.recordings[-1].name
    later = newest.replace(newest[9:15], "235959")
    dashcam.recordings.append(SimRecording(later, 1000))
    grown = await client.async_list_recordings()

    assert [r.name for r in grown.recordings] == [*(r.name for r in first.recordings), later]
    # Recordings listed before are the same values (built once), the new one is built.
    assert all(a is b for a, b in zip(first.recordings, grown.recordings, strict=False))
    assert grown.recordings[-1].files[0].name == later

    since = grown.recordings[-1].start
    assert [r.name for r in (await client.async_list_recordings(since=since)).recordings] == [later]


async def test_a_changed_time_zone_builds_every_recording_again(
    client: BlackVueClient, dashcam: BlackVueSimulator
) -> None:
    utc = await client.async_list_recordings()
    dashcam.faults.daylight = True  # the camera now applies DST: names are read in dst_zone
    client._dst_zone = zone = __import__("zoneinfo").ZoneInfo("Europe/Berlin")

    local = await client.async_list_recordings()

    assert local is not utc
    assert [r.start.tzinfo for r in local.recordings] == [zone] * len(local.recordings)
    assert [r.start - s.start for r, s in zip(local.recordings, utc.recordings, strict=True)] == [
        -(r.start.utcoffset() or timedelta()) for r in local.recordings
    ]


async def test_front_and_rear_share_their_start_and_legacy_gps_and_g_sensor_files(
    client: BlackVueClient,
) -> None:
    listing = await client.async_list_recordings()
    front, rear = listing.recordings[0], listing.recordings[1]
    assert front.name[:17] == rear.name[:17]
    assert front.files[2] is rear.files[2]
    assert front.files[3] is rear.files[3]
    assert front.files[2].name.endswith(".gps")
    assert front.files[3].name.endswith(".3gf")
    assert front.files[1] != rear.files[1]  # each video its own thumbnail


async def test_an_idle_survey_plans_again_only_when_something_changed(
    facade: CameraArchive, dashcam: BlackVueSimulator, destination: Path
) -> None:
    await facade.start()
    first = await facade.survey(OPTIONS)
    assert first.pending_files == len(dashcam.listed_names())
    again = await facade.survey(OPTIONS)
    assert again.plan is first.plan  # nothing changed: the same plan

    report = await facade.sync(OPTIONS, survey=again)  # saves: the index changed
    assert len(report.saved) == len(dashcam.listed_names())
    after_sync = await facade.replan(OPTIONS)
    assert after_sync is not None
    assert after_sync.pending_files == 0

    victim = dashcam.listed_names()[0]
    archived(destination)[victim].unlink()
    await facade.rescan()  # a user deletion: remembered, not planned again
    assert (await facade.survey(OPTIONS)).pending_files == 0

    await facade.forget_deletions()  # the deletion memory changed
    assert [p.file.name for p in (await facade.survey(OPTIONS)).plan.files] == [victim]

    wider = await facade.survey(SyncOptions(sidecars=True))  # other options
    assert len(wider.plan.files) > 1


async def test_a_failure_mark_written_by_a_run_is_seen_by_the_next_survey(
    facade: CameraArchive, dashcam: BlackVueSimulator
) -> None:
    await facade.start()
    first = await facade.survey(OPTIONS)
    name = first.plan.files[0].file.name
    book = FailureBook.load(facade.state_dir)
    book.record_failure(name, "http_500", NOW, progressed=False)
    book.save()

    marked = await facade.survey(OPTIONS)

    assert marked.plan is not first.plan
    assert name not in [p.file.name for p in marked.plan.files]
    assert name in marked.plan.backed_off
    assert marked.plan.stable_until == NOW + OPTIONS.retry_base


async def test_a_back_off_that_ends_makes_the_next_survey_plan_the_file_again(
    client: BlackVueClient, destination: Path
) -> None:
    clock = [NOW]
    facade = CameraArchive(client, destination, clock=lambda: clock[0])
    await facade.start()
    name = (await facade.survey(OPTIONS)).plan.files[0].file.name
    book = FailureBook.load(facade.state_dir)
    book.record_failure(name, "http_500", NOW, progressed=False)
    book.save()
    assert name not in [p.file.name for p in (await facade.survey(OPTIONS)).plan.files]

    clock[0] = NOW + OPTIONS.retry_base  # nothing on disk changed, only the time

    assert name in [p.file.name for p in (await facade.survey(OPTIONS)).plan.files]


def test_fast_constructor_builds_what_the_real_constructor_builds() -> None:
    from custom_components.camsync.devices.base import fast_constructor
    from custom_components.camsync.engine.models import FileRole, Recording, RemoteFile

    values = ("a.mp4", FileRole.VIDEO, "/Record/a.mp4", 12, False, True, False)
    built = fast_constructor(RemoteFile)(*values)
    assert built == RemoteFile(*values)
    assert hash(built) == hash(RemoteFile(*values))
    with pytest.raises(AttributeError):
        built.name = "b"  # type: ignore[misc]
    start = datetime(2026, 1, 1, tzinfo=UTC)
    fields = ("a.mp4", start, "N", "F", False, 3, (built,), frozenset({"x"}))
    assert fast_constructor(Recording)(*fields) == Recording(*fields)


async def test_the_index_version_moves_on_every_change(
    facade: CameraArchive, dashcam: BlackVueSimulator
) -> None:
    await facade.start()
    tree = facade.index.recordings
    seen = [tree.version]
    await facade.sync(OPTIONS)
    seen.append(tree.version)
    name = next(iter(tree))
    tree.discard(name)
    seen.append(tree.version)
    tree.discard(name)  # not there any more: no change
    seen.append(tree.version)
    await facade.rescan()
    seen.append(tree.version)
    assert seen[0] < seen[1] < seen[2] == seen[3] < seen[4]


async def test_a_dropped_archive_is_freed_at_once_not_left_to_the_garbage_collector(
    client: BlackVueClient, destination: Path
) -> None:
    # In Home Assistant an entry's reload drops its archive; left to the cyclic garbage
    # collector, an index of 30,000 files made its next full pass stall the loop for ~150 ms.
    facade = CameraArchive(client, destination, camera_name="Car", clock=lambda: NOW)
    await facade.sync(OPTIONS)
    assert archived(destination)
    index = weakref.ref(facade.index)
    gc.collect()
    gc.disable()
    try:
        del facade
        assert index() is None  # freed by reference counting, no collection needed
    finally:
        gc.enable()
