"""Retention per mirror, and the guard that keeps the local prune from outrunning the mirrors."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from custom_components.camsync.engine.archive import Archive, ArchiveTree
from custom_components.camsync.engine.mirrors import (
    FolderSettings,
    FolderTarget,
    Mirror,
    MirroredFile,
    MirrorSet,
)
from custom_components.camsync.engine.prune import prune

from .conftest import FAST_RETRY, START, recognise_stamp, tree_hashes, write_archive

DAY0 = "recordings/2026-11-20/20261120_080000_NF.mp4"
DAY5 = "recordings/2026-11-25/20261125_080000_NF.mp4"
DAY9 = "recordings/2026-11-29/20261129_080000_NF.mp4"


class Clock:
    """A clock the test moves."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def make_mirror(
    destination: Path,
    folder: Path,
    clock: Clock,
    retention: timedelta | None,
    mirror_id: str = "nas",
) -> tuple[Mirror, list[MirroredFile]]:
    copied: list[MirroredFile] = []
    mirror = Mirror(
        mirror_id,
        FolderTarget(FolderSettings(folder, allow_same_disk=True, reserve_bytes=0), destination),
        destination,
        retention=retention,
        recognise=recognise_stamp,
        on_mirrored=copied.append,
        retry=FAST_RETRY,
        clock=clock,
    )
    return mirror, copied


async def test_a_mirror_keeps_its_own_window_and_only_deletes_its_own_files(tmp_path: Path) -> None:
    destination = tmp_path / "archive"
    write_archive(destination, dict.fromkeys((DAY0, DAY5, DAY9), 1000))
    folder = tmp_path / "nas"
    write_archive(folder, {"notes.txt": b"the user's own file"})
    clock = Clock(START + timedelta(days=10))
    mirror, copied = make_mirror(destination, folder, clock, timedelta(days=7))
    await mirror.start()
    try:
        first = await mirror.run_now(wait=True)
        # Four days later the day-5 recording leaves the mirror's 7-day window.
        clock.now += timedelta(days=4)
        second = await mirror.run_now(wait=True)
    finally:
        await mirror.stop()
    assert first is not None
    assert second is not None
    # The day-0 recording was already outside the window: never copied.
    assert sorted(item.relative for item in copied) == [DAY5, DAY9]
    assert second.deleted == [DAY5]
    assert sorted(tree_hashes(folder)) == ["notes.txt", DAY9]
    assert not (folder / "recordings/2026-11-25").exists()  # the emptied folder went too
    # The local archive is untouched by the mirror's retention.
    assert sorted(tree_hashes(destination)) == [DAY0, DAY5, DAY9]


async def test_keep_forever_deletes_nothing(tmp_path: Path) -> None:
    destination = tmp_path / "archive"
    write_archive(destination, dict.fromkeys((DAY0, DAY5, DAY9), 1000))
    clock = Clock(START + timedelta(days=1000))
    mirror, copied = make_mirror(destination, tmp_path / "nas", clock, None)
    await mirror.start()
    try:
        report = await mirror.run_now(wait=True)
    finally:
        await mirror.stop()
    assert report is not None
    assert report.deleted == []
    assert len(copied) == 3


def recordings_tree(destination: Path) -> ArchiveTree:
    return ArchiveTree(Archive(destination, "recordings"), recognise_stamp)


async def test_the_local_prune_waits_for_every_mirror_that_wants_a_file(tmp_path: Path) -> None:
    destination = tmp_path / "archive"
    write_archive(destination, dict.fromkeys((DAY0, DAY5), 1000))
    clock = Clock(START + timedelta(days=6))
    nas, _ = make_mirror(destination, tmp_path / "nas", clock, None)  # keeps everything
    usb, _ = make_mirror(destination, tmp_path / "usb", clock, timedelta(days=2), "usb")
    mirrors = MirrorSet(destination, [nas, usb])
    await mirrors.start()
    try:
        await mirrors.run_now(wait=True)  # both files reach the NAS; the USB disk wants neither
        write_archive(destination, {DAY9: 1000})  # a new file no mirror has yet
        guard = mirrors.prune_guard(now=clock.now)
    finally:
        await mirrors.stop()

    # Local retention of 1 day, "now" at day 10: every file is due.
    report = prune([recordings_tree(destination)], START + timedelta(days=9, hours=12), keep=guard)

    assert sorted(Path(path).name for path in report.deleted) == [Path(DAY0).name, Path(DAY5).name]
    assert guard.held_back == [DAY9]
    assert guard.forced == []
    assert sorted(tree_hashes(destination)) == [DAY9]
    # Pruning the archive never deletes from a mirror.
    assert sorted(tree_hashes(tmp_path / "nas")) == [DAY0, DAY5]


async def test_a_forced_prune_says_what_never_reached_a_mirror(tmp_path: Path) -> None:
    destination = tmp_path / "archive"
    write_archive(destination, dict.fromkeys((DAY0, DAY5), 1000))
    clock = Clock(START + timedelta(days=6))
    nas, _ = make_mirror(destination, tmp_path / "nas", clock, None)
    mirrors = MirrorSet(destination, [nas])
    await mirrors.start()
    try:
        await mirrors.run_now(wait=True)
        write_archive(destination, {DAY9: 1000})
        guard = mirrors.prune_guard(force=True, now=clock.now)  # the disk limit forces it
    finally:
        await mirrors.stop()
    prune([recordings_tree(destination)], START + timedelta(days=30), keep=guard)
    assert guard.forced == [DAY9]
    assert guard.held_back == []
    assert tree_hashes(destination) == {}


async def test_a_mirror_that_never_listed_keeps_everything(tmp_path: Path) -> None:
    destination = tmp_path / "archive"
    write_archive(destination, dict.fromkeys((DAY0, DAY5), 1000))
    clock = Clock(START + timedelta(days=6))
    away = Mirror(
        "away",
        FolderTarget(FolderSettings(tmp_path / "nas", mount_point=tmp_path / "nas"), destination),
        destination,
        clock=clock,
    )
    (tmp_path / "nas").mkdir()  # a mount point with nothing mounted on it
    mirrors = MirrorSet(destination, [away])
    guard = mirrors.prune_guard(now=clock.now)
    report = prune([recordings_tree(destination)], START + timedelta(days=30), keep=guard)
    assert report.deleted == ()
    assert sorted(guard.held_back) == [DAY0, DAY5]
