"""The engine's facade against the simulated dashcam: one listing, no walks, a current index."""

from __future__ import annotations

from collections import namedtuple
from datetime import UTC, datetime, timedelta
from pathlib import Path
from unittest.mock import patch

import pytest

from camera_simulators.blackvue import BlackVueSimulator
from custom_components.camsync.devices.blackvue import BlackVueClient
from custom_components.camsync.engine import archive as archive_module
from custom_components.camsync.engine.errors import LockHeldError, Outcome
from custom_components.camsync.engine.facade import CameraArchive
from custom_components.camsync.engine.lock import DestinationLock
from custom_components.camsync.engine.models import SyncOptions
from tests.blackvue_fixtures import archived, sha256_file

Usage = namedtuple("Usage", "total used free")
OPTIONS = SyncOptions(sidecars=False)
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@pytest.fixture
def facade(client: BlackVueClient, destination: Path) -> CameraArchive:
    """Return the archive of the simulated dashcam, its clock at NOW."""
    return CameraArchive(client, destination, camera_name="Car", clock=lambda: NOW)


def _listings(dashcam: BlackVueSimulator) -> int:
    return sum(request.path == "/blackvue_vod.cgi" for request in dashcam.requests)


@pytest.fixture
def walks() -> list[str]:
    """Count the walks of archive trees."""
    seen: list[str] = []
    real = archive_module.Archive.scan

    def scan(self: archive_module.Archive, recognise: archive_module.Recognise) -> object:
        seen.append(self.root.name)
        return real(self, recognise)

    with patch.object(archive_module.Archive, "scan", scan):
        yield seen


async def test_a_survey_then_a_sync_lists_once_and_walks_nothing(
    facade: CameraArchive, dashcam: BlackVueSimulator, destination: Path, walks: list[str]
) -> None:
    await facade.start()
    assert walks == ["recordings", "snapshots", "timelapses"]
    assert facade.facts().files == 0

    survey = await facade.survey(OPTIONS)
    assert survey.pending_recordings == survey.pending_files == len(dashcam.listed_names())
    assert survey.pending_bytes is None  # the dashcam states no sizes
    report = await facade.sync(OPTIONS, survey=survey)

    assert report.outcome is Outcome.COMPLETED
    assert _listings(dashcam) == 1
    assert walks == ["recordings", "snapshots", "timelapses"]  # still only the start-up scan
    files = archived(destination)
    assert set(files) == set(dashcam.listed_names())
    for name, path in files.items():
        assert sha256_file(path) == dashcam.expected_sha256(name)
    facts = facade.facts()
    assert (facts.files, facts.bytes) == (len(files), sum(p.stat().st_size for p in files.values()))
    assert facts.newest_capture == max(item.recorded for item in report.saved)
    assert facade.ledger.names == set(files)

    again = await facade.replan(OPTIONS)
    assert again is not None
    assert again.pending_files == 0
    assert _listings(dashcam) == 1


async def test_a_sync_without_a_survey_lists_and_replans_its_own_listing(
    facade: CameraArchive, dashcam: BlackVueSimulator
) -> None:
    await facade.start()
    assert await facade.replan(OPTIONS) is None  # nothing listed yet
    await facade.sync(OPTIONS)
    assert _listings(dashcam) == 1
    survey = await facade.replan(OPTIONS)
    assert survey is not None
    assert survey.pending_files == 0


async def test_a_user_deletion_is_remembered_until_refetch(
    facade: CameraArchive, dashcam: BlackVueSimulator, destination: Path
) -> None:
    await facade.start()
    await facade.sync(OPTIONS)
    victim = dashcam.listed_names()[0]
    archived(destination)[victim].unlink()

    rescan = await facade.rescan()

    assert rescan.deleted == (victim,)
    assert facade.facts().remembered_deletions == 1
    survey = await facade.survey(OPTIONS)
    assert survey.pending_files == 0
    assert len(survey.listing.recordings) == len(dashcam.listed_names())  # still listed
    assert (await facade.sync(OPTIONS, survey=survey)).saved == []

    report = await facade.sync(OPTIONS, refetch_deleted=True)
    assert [item.name for item in report.saved] == [victim]
    assert facade.facts().remembered_deletions == 0
    assert (await facade.rescan()).deleted == ()


async def test_a_rescan_beside_a_running_sync_notes_no_deletions(
    facade: CameraArchive, dashcam: BlackVueSimulator, destination: Path
) -> None:
    await facade.start()
    await facade.sync(OPTIONS)
    archived(destination)[dashcam.listed_names()[0]].unlink()
    lock = DestinationLock(facade.state_dir, "another entry")
    lock.acquire()
    try:
        assert (await facade.rescan()).deleted == ()
        assert len(facade.index.recordings) == len(dashcam.listed_names()) - 1
    finally:
        lock.release()
    assert len((await facade.rescan()).deleted) == 1


async def test_prune_holds_the_lock_and_keeps_the_index_current(
    facade: CameraArchive, dashcam: BlackVueSimulator, destination: Path
) -> None:
    await facade.start()
    await facade.sync(OPTIONS)
    cutoff = max(item.recorded for item in facade.index.recordings.values())
    lock = DestinationLock(facade.state_dir, "a sync")
    lock.acquire()
    try:
        with pytest.raises(LockHeldError, match="a sync"):
            await facade.prune(cutoff)
        dry = await facade.prune(cutoff, dry_run=True)  # deletes nothing: no lock needed
        assert len(dry.deleted) == len(dashcam.listed_names()) - 2  # all but the newest pair
    finally:
        lock.release()
    assert set(archived(destination)) == set(dashcam.listed_names())

    report = await facade.prune(cutoff, rescan=True)

    assert {Path(path).name for path in report.deleted} == {Path(p).name for p in dry.deleted}
    assert len(facade.index.recordings) == 2
    assert facade.ledger.names == set(facade.index.recordings)
    assert (await facade.rescan()).deleted == ()  # retention's deletions are not the user's


async def test_a_snapshot_lands_in_the_index(facade: CameraArchive, destination: Path) -> None:
    await facade.start()
    taken = datetime(2026, 11, 20, 9, 30, 5, tzinfo=UTC)

    saved = await facade.snapshot(taken)

    assert Path(saved.path) == destination / "snapshots" / "2026-11-20" / "car_20261120_093005.jpg"
    assert Path(saved.path).read_bytes()[:2] == b"\xff\xd8"
    facts = facade.facts()
    assert (facts.files, facts.newest_image, facts.newest_capture) == (1, Path(saved.path), taken)
    old = await facade.prune(taken + timedelta(seconds=1))
    assert old.deleted == (saved.path,)
    assert facade.facts().files == 0


async def test_disk_facts(facade: CameraArchive) -> None:
    facade.disk_usage = lambda path: Usage(1000, 250, 750)
    disk = await facade.disk()
    assert disk is not None
    assert (disk.total, disk.free, disk.used_percent) == (1000, 750, 25.0)

    def broken(path: Path) -> Usage:
        raise OSError("stale NFS handle")

    facade.disk_usage = broken
    assert await facade.disk() is None


async def test_a_ledger_that_cannot_be_written_costs_only_the_deletion_memory(
    facade: CameraArchive,
    dashcam: BlackVueSimulator,
    destination: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    (destination / ".camsync" / "archived.txt").mkdir(parents=True)  # not a file

    await facade.start()
    report = await facade.sync(OPTIONS)

    assert report.outcome is Outcome.COMPLETED
    assert len(report.saved) == len(dashcam.listed_names())
    assert "Cannot note deletions" in caplog.text
    assert "Cannot note saved files" in caplog.text
