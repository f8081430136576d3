"""Folder mirrors on real directories: tmpfs mounts for a full disk and an unmounted share."""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable
from datetime import timedelta
import json
import os
from pathlib import Path
from typing import Any

import pytest

from custom_components.camsync.engine.mirrors import (
    FolderSettings,
    FolderTarget,
    Mirror,
    MirroredFile,
    MirrorItem,
    MirrorReason,
    MirrorStatus,
    Priority,
    check_folder,
)
from custom_components.camsync.engine.mirrors.errors import MirrorError

from .conftest import FAST_RETRY, MIB, START, recognise_stamp, tree_hashes, unmount, write_archive

ARCHIVE = {
    "recordings/2026-11-20/20261120_080000_NF.mp4": 3 * MIB + 17,
    "recordings/2026-11-20/20261120_080000_NF.thm": 10_000,
    "recordings/2026-11-20/20261120_081000_EF.mp4": 2 * MIB,
    "snapshots/2026-11-20/front_20261120_090000.jpg": 120_000,
    "timelapses/front_2026-11-20.mp4": 300_000,
}

Usage = namedtuple("Usage", "total used free")


def folder_mirror(
    settings: FolderSettings, destination: Path, **kwargs: Any
) -> tuple[Mirror, list[MirroredFile]]:
    copied: list[MirroredFile] = []
    kwargs.setdefault("retry", FAST_RETRY)
    target = FolderTarget(settings, destination, disk_usage=kwargs.pop("disk_usage", _usage))
    mirror = Mirror(
        "nas",
        target,
        destination,
        recognise=kwargs.pop("recognise", recognise_stamp),
        on_mirrored=copied.append,
        **kwargs,
    )
    return mirror, copied


def _usage(path: Path) -> Any:
    import shutil

    return shutil.disk_usage(path)


async def run_once(mirror: Mirror) -> Any:
    await mirror.start()
    try:
        return await mirror.run_now(wait=True)
    finally:
        await mirror.stop()


async def test_a_mounted_disk_gets_every_file_verified_and_byte_identical(
    tmp_path: Path, tmpfs: Callable[..., Path]
) -> None:
    destination = tmp_path / "archive"
    write_archive(destination, ARCHIVE)
    write_archive(destination, {".camsync/lock": b"", ".camsync/partial/x.part": b"half"})
    disk = tmpfs(tmp_path / "usb", 32 * MIB)
    settings = FolderSettings(disk / "camsync" / "front", mount_point=disk, reserve_bytes=0)
    assert (await check_folder(settings, destination)).ok
    mirror, copied = folder_mirror(settings, destination)

    report = await run_once(mirror)

    assert report is not None
    assert report.reason is None
    assert tree_hashes(settings.path) == tree_hashes(destination)
    assert not (settings.path / ".camsync").exists()
    # Nothing hidden is left behind: no temporary copy, no probe.
    leftovers = [name for _, _, files in os.walk(settings.path) for name in files]
    assert sorted(leftovers) == sorted(Path(path).name for path in ARCHIVE)
    by_name = {item.relative: item for item in copied}
    assert set(by_name) == set(ARCHIVE)
    for relative, digest in tree_hashes(destination).items():
        assert by_name[relative].sha256 == digest
        assert by_name[relative].location == str(settings.path / relative)


async def test_an_unmounted_mount_point_is_refused_and_nothing_is_written(
    tmp_path: Path, tmpfs: Callable[..., Path], caplog: pytest.LogCaptureFixture
) -> None:
    destination = tmp_path / "archive"
    write_archive(destination, ARCHIVE)
    share = tmp_path / "nas"
    tmpfs(share, 32 * MIB)
    settings = FolderSettings(share / "cams", mount_point=share, reserve_bytes=0)
    assert (await check_folder(settings, destination)).ok
    unmount(share)  # the NAS went away: share is an empty folder on the local disk again

    check = await check_folder(settings, destination)
    assert check.reason is MirrorReason.UNMOUNTED
    mirror, copied = folder_mirror(settings, destination)
    await mirror.start()
    try:
        report = await mirror.run_now(wait=True)
        assert report is not None
        assert report.reason is MirrorReason.UNMOUNTED
        assert mirror.health.status is MirrorStatus.AWAY
        assert mirror.health.backlog_files == 0  # it could not even list what it holds
        assert list(share.iterdir()) == []  # not a byte on the local disk
        assert "is not reachable" in caplog.text

        tmpfs(share, 32 * MIB)  # back
        report = await mirror.run_now(wait=True)
    finally:
        await mirror.stop()
    assert report is not None
    assert report.reason is None
    assert tree_hashes(settings.path) == tree_hashes(destination)
    assert len(copied) == len(ARCHIVE)


async def test_the_share_going_away_mid_run_stops_the_run_before_the_next_file(
    tmp_path: Path, tmpfs: Callable[..., Path]
) -> None:
    destination = tmp_path / "archive"
    write_archive(destination, ARCHIVE)
    share = tmpfs(tmp_path / "nas", 32 * MIB)
    settings = FolderSettings(share / "cams", mount_point=share, reserve_bytes=0)

    def unmount_after_first(item: MirroredFile) -> None:
        if len(copied) == 1:
            unmount(share)

    mirror, copied = folder_mirror(settings, destination)
    mirror.on_mirrored = lambda item: (copied.append(item), unmount_after_first(item))
    report = await run_once(mirror)
    assert report is not None
    assert report.reason is MirrorReason.UNMOUNTED
    assert len(copied) == 1
    assert list(share.iterdir()) == []
    assert mirror.health.backlog_files == len(ARCHIVE) - 1


async def test_without_a_mount_point_the_archive_disk_is_refused(tmp_path: Path) -> None:
    destination = tmp_path / "archive"
    write_archive(destination, ARCHIVE)
    settings = FolderSettings(tmp_path / "not-mounted" / "cams")
    check = await check_folder(settings, destination)
    assert check.reason is MirrorReason.SAME_DISK
    assert not (tmp_path / "not-mounted").exists()


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda tmp: (tmp / "archive" / "mirror", None), MirrorReason.INSIDE_ARCHIVE),
        (
            lambda tmp: (tmp / "elsewhere" / "cams", tmp / "other"),
            MirrorReason.NOT_UNDER_MOUNT_POINT,
        ),
        (lambda tmp: (tmp / "plain" / "cams", tmp / "plain"), MirrorReason.UNMOUNTED),
    ],
)
async def test_placement_mistakes_have_their_reason(
    tmp_path: Path, make: Callable[[Path], tuple[Path, Path | None]], reason: MirrorReason
) -> None:
    destination = tmp_path / "archive"
    write_archive(destination, ARCHIVE)
    (tmp_path / "plain").mkdir()
    path, mount_point = make(tmp_path)
    check = await check_folder(
        FolderSettings(path, mount_point=mount_point, allow_same_disk=True), destination
    )
    assert check.reason is reason


async def test_a_full_disk_stops_the_mirror_and_leaves_no_partial_copy(
    tmp_path: Path, tmpfs: Callable[..., Path]
) -> None:
    destination = tmp_path / "archive"
    write_archive(destination, {"recordings/20261120_080000_NF.mp4": 3 * MIB})
    disk = tmpfs(tmp_path / "sd", 2 * MIB)
    settings = FolderSettings(disk / "cams", mount_point=disk, reserve_bytes=0)
    # The free-space check is bypassed, so the write itself hits ENOSPC.
    lying = Usage(2 * MIB, 0, 100 * MIB)
    mirror, copied = folder_mirror(settings, destination, disk_usage=lambda path: lying)
    report = await run_once(mirror)
    assert report is not None
    assert report.reason is MirrorReason.DISK_FULL
    assert mirror.health.status is MirrorStatus.ERROR
    assert copied == []
    assert [name for _, _, files in os.walk(disk) for name in files] == []


async def test_a_disk_without_room_is_refused_before_writing(
    tmp_path: Path, tmpfs: Callable[..., Path]
) -> None:
    destination = tmp_path / "archive"
    write_archive(destination, {"recordings/20261120_080000_NF.mp4": 3 * MIB})
    disk = tmpfs(tmp_path / "sd", 8 * MIB)
    settings = FolderSettings(disk / "cams", mount_point=disk, reserve_bytes=6 * MIB)
    assert (await check_folder(settings, destination)).ok
    mirror, copied = folder_mirror(settings, destination)
    report = await run_once(mirror)
    assert report is not None
    assert report.reason is MirrorReason.DISK_FULL
    assert copied == []


async def test_an_injected_disk_usage_source_reports_a_full_disk(tmp_path: Path) -> None:
    destination = tmp_path / "archive"
    write_archive(destination, ARCHIVE)
    settings = FolderSettings(tmp_path / "usb", allow_same_disk=True)
    full = Usage(100 * MIB, 100 * MIB - 1, 1)
    check = await check_folder(settings, destination, disk_usage=lambda path: full)
    assert check.reason is MirrorReason.DISK_FULL


async def test_a_read_only_disk_is_refused(tmp_path: Path, tmpfs: Callable[..., Path]) -> None:
    destination = tmp_path / "archive"
    write_archive(destination, ARCHIVE)
    disk = tmpfs(tmp_path / "card", 4 * MIB, read_only=True)
    check = await check_folder(FolderSettings(disk, mount_point=disk), destination)
    assert check.reason is MirrorReason.READ_ONLY


class CorruptingTarget(FolderTarget):
    """Flips a byte of the temporary copy after it was written, the first ``times`` times."""

    times = 1

    def _write_temp(self, src: int, temp: Path, size: int) -> str:
        digest = super()._write_temp(src, temp, size)
        if self.times:
            self.times -= 1
            with temp.open("r+b") as handle:
                first = handle.read(1)
                handle.seek(0)
                handle.write(bytes([first[0] ^ 0xFF]))
        return digest


async def test_a_copy_that_reads_back_wrong_never_gets_its_final_name(tmp_path: Path) -> None:
    destination = tmp_path / "archive"
    relative = "recordings/20261120_080000_NF.mp4"
    write_archive(destination, {relative: 2 * MIB})
    settings = FolderSettings(tmp_path / "usb", allow_same_disk=True, reserve_bytes=0)
    copied: list[MirroredFile] = []
    mirror = Mirror(
        "usb",
        CorruptingTarget(settings, destination),
        destination,
        retry=FAST_RETRY,
        on_mirrored=copied.append,
    )
    await mirror.start()
    try:
        first = await mirror.run_now(wait=True)
        assert not (settings.path / relative).exists()
        assert list((settings.path / "recordings").iterdir()) == []  # no temporary copy either
        import asyncio

        await asyncio.sleep(0.1)
        second = await mirror.run_now(wait=True)
    finally:
        await mirror.stop()
    assert first is not None
    assert [(item.relative, item.reason) for item in first.failed] == [
        (relative, MirrorReason.CHECKSUM_MISMATCH)
    ]
    assert second is not None
    assert [item.relative for item in second.copied] == [relative]
    assert tree_hashes(settings.path) == tree_hashes(destination)
    state = json.loads((destination / ".camsync/mirrors/usb/state.json").read_text())
    assert state["failures"] == {}  # the file made it: its failure is forgotten


async def test_failures_of_files_pruned_from_the_archive_are_forgotten(tmp_path: Path) -> None:
    destination = tmp_path / "archive"
    relative = "recordings/20261120_080000_NF.mp4"
    write_archive(destination, {relative: 2 * MIB})
    settings = FolderSettings(tmp_path / "usb", allow_same_disk=True, reserve_bytes=0)
    target = CorruptingTarget(settings, destination)
    target.times = 99
    mirror = Mirror("usb", target, destination, retry=FAST_RETRY)
    await mirror.start()
    try:
        first = await mirror.run_now(wait=True)
        assert first is not None
        assert len(first.failed) == 1
        (destination / relative).unlink()  # the local retention pruned it
        await mirror.run_now(wait=True)
    finally:
        await mirror.stop()
    state = json.loads((destination / ".camsync/mirrors/usb/state.json").read_text())
    assert state["failures"] == {}
    assert mirror.health.backlog_files == 0


async def test_a_lost_state_file_costs_a_listing_not_a_copy(tmp_path: Path) -> None:
    destination = tmp_path / "archive"
    write_archive(destination, ARCHIVE)
    settings = FolderSettings(tmp_path / "usb", allow_same_disk=True, reserve_bytes=0)
    mirror, _ = folder_mirror(settings, destination)
    await run_once(mirror)
    times = {path: path.stat().st_mtime_ns for path in settings.path.rglob("*") if path.is_file()}
    for path in (destination / ".camsync").rglob("*"):
        if path.is_file():
            path.unlink()

    mirror, copied = folder_mirror(settings, destination)
    report = await run_once(mirror)
    assert report is not None
    assert report.copied == []
    assert copied == []
    assert {path: path.stat().st_mtime_ns for path in times} == times


async def test_events_first_then_oldest_first(tmp_path: Path) -> None:
    destination = tmp_path / "archive"
    names = {
        "recordings/20261120_080000_NF.mp4": Priority.NORMAL,
        "recordings/20261120_070000_NF.mp4": Priority.NORMAL,
        "recordings/20261120_090000_EF.mp4": Priority.EVENT,
        "recordings/20261120_060000_EF.mp4": Priority.EVENT,
        "snapshots/front_20261120_050000.jpg": Priority.LOW,
    }
    write_archive(destination, dict.fromkeys(names, 1000))
    settings = FolderSettings(tmp_path / "usb", allow_same_disk=True, reserve_bytes=0)
    mirror, copied = folder_mirror(
        settings,
        destination,
        classify=lambda name: names[next(k for k in names if k.endswith(name))],
    )
    report = await run_once(mirror)
    assert report is not None
    assert [item.relative for item in copied] == [
        "recordings/20261120_060000_EF.mp4",
        "recordings/20261120_090000_EF.mp4",
        "recordings/20261120_070000_NF.mp4",
        "recordings/20261120_080000_NF.mp4",
        "snapshots/front_20261120_050000.jpg",
    ]


async def test_files_handed_over_by_the_sync_are_copied_without_a_rescan(tmp_path: Path) -> None:
    from custom_components.camsync.engine.models import FileRole, SavedFile

    destination = tmp_path / "archive"
    settings = FolderSettings(tmp_path / "usb", allow_same_disk=True, reserve_bytes=0)
    mirror, copied = folder_mirror(settings, destination, rescan_every=timedelta(days=1))
    await mirror.start()
    try:
        await mirror.run_now(wait=True)  # nothing yet
        relative = "recordings/20261120_080000_EF.mp4"
        write_archive(destination, {relative: 5000})
        mirror.notify_saved(
            SavedFile(
                name="20261120_080000_EF.mp4",
                path=str(destination / relative),
                role=FileRole.VIDEO,
                size=5000,
                recorded=START,
                kind="E",
                channel="F",
                event=True,
            )
        )
        assert mirror.health.backlog_files == 1
        assert mirror.health.backlog_bytes == 5000
        report = await mirror.run_now(wait=True, rescan=False)
    finally:
        await mirror.stop()
    assert report is not None
    assert [item.relative for item in copied] == [relative]
    assert mirror.health.last_copied_name == "20261120_080000_EF.mp4"
    assert mirror.health.last_copied is not None
    assert mirror.health.backlog_files == 0


async def test_a_file_gone_from_the_archive_leaves_the_queue(tmp_path: Path) -> None:
    destination = tmp_path / "archive"
    settings = FolderSettings(tmp_path / "usb", allow_same_disk=True, reserve_bytes=0)
    mirror, copied = folder_mirror(settings, destination)
    await mirror.start()
    try:
        await mirror.run_now(wait=True)
        mirror.enqueue(MirrorItem("recordings/20261120_080000_NF.mp4", 10, START))
        report = await mirror.run_now(wait=True, rescan=False)
    finally:
        await mirror.stop()
    assert report is not None
    assert report.failed == []
    assert copied == []
    assert mirror.health.backlog_files == 0


async def test_placement_errors_are_mirror_errors(tmp_path: Path) -> None:
    target = FolderTarget(FolderSettings(Path("relative/path")), tmp_path)
    with pytest.raises(MirrorError) as caught:
        await target.check()
    assert caught.value.reason is MirrorReason.NOT_WRITABLE
