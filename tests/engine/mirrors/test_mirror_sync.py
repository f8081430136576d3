"""A camera sync then mirroring: every file in a folder and a bucket; a hung mirror never waits."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

from camera_simulators.blackvue import BlackVueSimulator
from custom_components.camsync.devices.blackvue import BlackVueClient
from custom_components.camsync.engine.archive import Archive
from custom_components.camsync.engine.errors import Outcome
from custom_components.camsync.engine.mirrors import (
    FolderSettings,
    FolderTarget,
    Mirror,
    MirroredFile,
    MirrorSet,
    MirrorStatus,
    Priority,
    S3Settings,
    S3Target,
)
from custom_components.camsync.engine.models import SyncOptions
from custom_components.camsync.engine.run import SyncHooks, run_sync
from custom_components.camsync.engine.snapshots import save_snapshot, snapshot_archive
from tests.s3server.proxy import Fault, FaultProxy, put_object

from .conftest import FAST_RETRY, MIB, START, bucket_objects, tree_hashes

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 1000 + b"\xff\xd9"


async def test_sync_then_mirror_puts_every_archived_file_in_the_folder_and_the_bucket(
    dashcam: BlackVueSimulator,
    client: BlackVueClient,
    archive: Archive,
    destination: Path,
    tmp_path: Path,
    tmpfs: Callable[..., Path],
    s3_settings: Callable[..., S3Settings],
    admin: Any,
    bucket: str,
) -> None:
    disk = tmpfs(tmp_path / "usb", 64 * MIB)
    events: list[MirroredFile] = []

    def classify(name: str) -> int:
        return Priority.EVENT if "_E" in name else Priority.NORMAL

    usb = Mirror(
        "usb",
        FolderTarget(
            FolderSettings(disk / "front", mount_point=disk, reserve_bytes=MIB), destination
        ),
        destination,
        recognise=client.recorded_at,
        classify=classify,
        on_mirrored=events.append,
        retry=FAST_RETRY,
    )
    cloud = Mirror(
        "cloud",
        S3Target(s3_settings()),
        destination,
        recognise=client.recorded_at,
        classify=classify,
        on_mirrored=events.append,
        retry=FAST_RETRY,
    )
    mirrors = MirrorSet(destination, [usb, cloud])
    await mirrors.start()
    try:
        report = await run_sync(
            client, archive, SyncOptions(), hooks=SyncHooks(on_saved=mirrors.notify_saved)
        )
        await_snapshot = save_snapshot(snapshot_archive(destination), "front", START, JPEG)
        reports = await mirrors.run_now(wait=True)
    finally:
        await mirrors.stop()

    assert report.outcome is Outcome.COMPLETED
    assert {key: value.reason for key, value in reports.items() if value} == {
        "usb": None,
        "cloud": None,
    }
    assert await_snapshot.exists()
    archived = tree_hashes(destination)
    assert len(archived) == len(report.saved) + 1
    assert tree_hashes(disk / "front") == archived
    objects = await bucket_objects(admin, bucket, "cams/front/")
    assert objects == {f"cams/front/{relative}": digest for relative, digest in archived.items()}
    for mirror_id in ("usb", "cloud"):
        mirrored = {item.relative: item.sha256 for item in events if item.mirror_id == mirror_id}
        assert mirrored == archived
        assert reports[mirror_id] is not None
        assert mirrors.health()[mirror_id].backlog_files == 0


async def test_a_mirror_that_hangs_never_holds_the_camera_sync_up(
    dashcam: BlackVueSimulator,
    client: BlackVueClient,
    archive: Archive,
    destination: Path,
    s3_settings: Callable[..., S3Settings],
    s3_proxy: FaultProxy,
    admin: Any,
    bucket: str,
) -> None:
    def archived_file(request: Any) -> bool:  # not the check's probe
        return put_object(request) and ".camsync-probe-" not in request.path

    stuck = s3_proxy.add(Fault(archived_file, "hang"))  # the first upload never gets an answer
    cloud = Mirror(
        "cloud",
        S3Target(s3_settings(read_timeout=60.0)),
        destination,
        recognise=client.recorded_at,
        retry=FAST_RETRY,
    )
    await cloud.start()
    try:
        report = await run_sync(
            client, archive, SyncOptions(), hooks=SyncHooks(on_saved=cloud.notify_saved)
        )
        # The sync finished while the mirror is still stuck on its first file (the sync may
        # end before that upload has even begun: the mirror copies in its own task).
        assert report.outcome is Outcome.COMPLETED
        await asyncio.wait_for(stuck.started.wait(), timeout=30)
        assert cloud.health.status is MirrorStatus.COPYING
        assert cloud.health.backlog_files == len(report.saved)
        stuck.release.set()
        await cloud.run_now(wait=True)
    finally:
        await cloud.stop()
    assert cloud.health.backlog_files == 0
    objects = await bucket_objects(admin, bucket, "cams/front/")
    assert objects == {
        f"cams/front/{relative}": digest for relative, digest in tree_hashes(destination).items()
    }
