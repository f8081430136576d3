"""Disk arithmetic on the space a user can really use: reserved blocks are no room for camsync.

The first tests run on a real ext4 file system with 20 % of its blocks reserved for root (a
loop-mounted image, made and mounted by the test; it needs root and ``mkfs.ext4``), and compare
camsync's numbers with ``df``'s. The others give the same arithmetic measured numbers.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Iterator
import math
import os
from pathlib import Path
import shutil
import subprocess

import pytest

from custom_components.camsync.devices.blackvue import BlackVueClient
from custom_components.camsync.engine.archive import Archive
from custom_components.camsync.engine.disk import (
    DiskGuard,
    human_size,
    limit_problem,
    measure,
    used_percent,
)
from custom_components.camsync.engine.errors import DiskLimitError, Outcome
from custom_components.camsync.engine.facade import CameraArchive
from custom_components.camsync.engine.models import SyncOptions
from custom_components.camsync.engine.run import run_sync
from tests.blackvue_fixtures import archived

Usage = namedtuple("Usage", "total used free")
MIB = 1024 * 1024
# df on a 64 MiB ext4 image made with `mkfs.ext4 -m 20`, holding a 14 MiB file (1K blocks):
# Size 56037, Used 14350, Avail 27270, Use% 35%. camsync used to divide by Size: 25.6 %.
MEASURED = Usage(56037 * 1024, 14350 * 1024, 27270 * 1024)


def _can_loop_mount() -> str | None:
    """Return why a loop-mounted ext4 cannot be made here, None when it can."""
    if os.geteuid() != 0:
        return "mounting a file system needs root"
    for tool in ("mkfs.ext4", "mount", "umount", "df"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed"
    return None


@pytest.fixture
def reserved_fs(tmp_path: Path) -> Iterator[Path]:
    """Mount a 64 MiB ext4 with 20 % reserved blocks; hold a 14 MiB file; unmount after."""
    if (reason := _can_loop_mount()) is not None:
        pytest.skip(f"{reason}; the same numbers are tested by test_measured_numbers_*")
    image, mountpoint = tmp_path / "reserved.img", tmp_path / "mnt"
    mountpoint.mkdir()
    with image.open("wb") as handle:
        handle.truncate(64 * MIB)
    subprocess.run(["mkfs.ext4", "-q", "-F", "-m", "20", str(image)], check=True)
    mounted = subprocess.run(
        ["mount", "-o", "loop", str(image), str(mountpoint)], capture_output=True, check=False
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot loop-mount here: {mounted.stderr.decode().strip()}")
    try:
        (mountpoint / "ballast.bin").write_bytes(b"\0" * (14 * MIB))
        os.sync()
        yield mountpoint
    finally:
        subprocess.run(["umount", str(mountpoint)], check=True)


def _df(path: Path) -> tuple[int, int, int]:
    """Return df's Used and Avail (bytes) and Use% (rounded up) for ``path``."""
    output = subprocess.run(
        ["df", "-B1", "--output=used,avail,pcent", str(path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()[1]
    used, avail, percent = output.split()
    return int(used), int(avail), int(percent.rstrip("%"))


def test_the_share_used_is_what_df_says_on_a_disk_with_reserved_blocks(
    reserved_fs: Path,
) -> None:
    usage = measure(reserved_fs)
    df_used, df_avail, df_percent = _df(reserved_fs)

    assert (usage.used, usage.free) == (df_used, df_avail)
    assert math.ceil(used_percent(usage)) == df_percent
    # About a fifth of the disk is reserved: dividing by its whole size would say much less.
    assert 100.0 * usage.used / usage.total < df_percent - 5


async def test_the_facade_reports_the_usable_space(
    reserved_fs: Path, client: BlackVueClient
) -> None:
    disk = await CameraArchive(client, reserved_fs / "archive").disk()

    assert disk is not None
    df_used, df_avail, df_percent = _df(reserved_fs)
    assert (disk.free, disk.total) == (df_avail, df_used + df_avail)
    assert math.ceil(disk.used_percent) == df_percent
    assert disk.reserved > shutil.disk_usage(reserved_fs).total // 10
    assert disk.limit_problem(30.0) is not None
    assert disk.limit_problem(50.0) is None


async def test_a_limit_below_what_df_shows_stops_the_sync(
    reserved_fs: Path, client: BlackVueClient
) -> None:
    """At 35 % used (df), 25.6 % by whole-disk arithmetic: a 30 % limit must stop the sync."""
    destination = reserved_fs / "archive"
    report = await run_sync(
        client, Archive(destination, "recordings"), SyncOptions(disk_limit_percent=30.0)
    )

    assert report.outcome is Outcome.DISK_LIMIT
    assert not archived(destination)  # the old arithmetic wrote 2.4 MB before it stopped
    assert "(as df counts it)" in report.message
    assert "30% limit" in report.message


async def test_keeping_space_free_stops_the_sync(reserved_fs: Path, client: BlackVueClient) -> None:
    destination = reserved_fs / "archive"
    free = shutil.disk_usage(reserved_fs).free
    report = await run_sync(
        client,
        Archive(destination, "recordings"),
        SyncOptions(disk_limit_percent=98.0, keep_free_bytes=free - 500_000),
    )

    assert report.outcome is Outcome.DISK_LIMIT
    assert "must stay free" in report.message
    # At most the first file or two fitted into the half megabyte that could be written.
    assert sum(path.stat().st_size for path in archived(destination).values()) <= 500_000


def test_measured_numbers_are_judged_as_df_judges_them() -> None:
    assert math.ceil(used_percent(MEASURED)) == 35
    assert limit_problem(MEASURED, 30.0) == "is 34.5% used (as df counts it), past the 30% limit"
    assert limit_problem(MEASURED, 40.0) is None
    assert limit_problem(MEASURED, 40.0, incoming=3 * MIB) == (
        "is 34.5% used (as df counts it); 3.1 MB more would pass the 40% limit"
    )


def test_measured_numbers_with_space_to_keep_free() -> None:
    keep = 26 * MIB
    assert limit_problem(MEASURED, 90.0, keep) is None
    assert limit_problem(MEASURED, 90.0, keep, incoming=MIB) == (
        "has 27.9 MB free (1.0 MB more to write); 27.3 MB must stay free"
    )


async def test_the_guard_raises_with_the_measured_numbers(tmp_path: Path) -> None:
    guard = DiskGuard(tmp_path, 30.0, lambda path: MEASURED)
    with pytest.raises(DiskLimitError) as raised:
        await guard.check(None)
    assert str(raised.value) == (
        f"The disk holding {tmp_path} is 34.5% used (as df counts it), past the 30% limit"
    )
    await DiskGuard(tmp_path, 40.0, lambda path: MEASURED).check(1000)


@pytest.mark.parametrize(
    ("size", "text"),
    [(0, "0 B"), (999, "999 B"), (11_800_000, "11.8 MB"), (1_250_000_000, "1.2 GB")],
)
def test_sizes_for_people(size: int, text: str) -> None:
    assert human_size(size) == text
