"""Retention: exactly the files older than the window go, and nothing camsync did not write."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from camera_simulators.jpeg import make_jpeg
from custom_components.camsync.devices.blackvue import recorded_at
from custom_components.camsync.engine.archive import Archive, ArchiveTree
from custom_components.camsync.engine.backoff import FailureBook
from custom_components.camsync.engine.prune import prune
from custom_components.camsync.engine.snapshots import (
    save_snapshot,
    snapshot_archive,
    snapshot_recorded_at,
)
from tests.blackvue_fixtures import files_under

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def _recognise(name: str) -> datetime | None:
    return recorded_at(name, UTC)


def _put(archive: Archive, name: str, when: datetime, size: int = 10) -> Path:
    path = archive.final_path(name, when)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x" * size)
    return path


def _stamp(days_ago: float) -> tuple[str, datetime]:
    when = NOW - timedelta(days=days_ago)
    return when.strftime("%Y%m%d_%H%M%S"), when


def _layout(destination: Path) -> tuple[Archive, dict[str, Path]]:
    archive = Archive(destination, "recordings")
    files = {}
    for days in (40, 31, 29, 1):
        stamp, when = _stamp(days)
        for name in (f"{stamp}_NF.mp4", f"{stamp}_NF.thm", f"{stamp}_N.gps"):
            files[name] = _put(archive, name, when)
    # Not camsync's: a user's note in a date folder, and an unknown file at the root.
    stamp, when = _stamp(40)
    note = archive.final_path(f"{stamp}_NF.mp4", when).parent / "notes.txt"
    note.write_text("mine")
    (destination / "keep-me.bin").write_bytes(b"user data")
    files["notes.txt"] = note
    return archive, files


def test_prune_deletes_exactly_the_files_older_than_the_window(tmp_path: Path) -> None:
    destination = tmp_path / "archive"
    archive, files = _layout(destination)
    cutoff = NOW - timedelta(days=30)

    report = prune([ArchiveTree(archive, _recognise)], cutoff)

    old = {name for name in files if name != "notes.txt" and name[:8] <= _stamp(31)[0][:8]}
    assert {Path(path).name for path in report.deleted} == old
    assert len(old) == 6
    remaining = {path.name for path in files_under(destination).values()}
    assert remaining.isdisjoint(old)
    assert {"notes.txt", "keep-me.bin"} <= remaining
    assert report.bytes == 60
    # The 31-day folder emptied and went; the 40-day one keeps the user's note.
    assert str(files[f"{_stamp(31)[0]}_NF.mp4"].parent) in report.folders_removed
    assert files["notes.txt"].exists()
    assert (destination / "recordings").is_dir()


def test_dry_run_deletes_nothing(tmp_path: Path) -> None:
    destination = tmp_path / "archive"
    archive, _ = _layout(destination)
    before = files_under(destination)

    report = prune([ArchiveTree(archive, _recognise)], NOW - timedelta(days=30), dry_run=True)

    assert report.dry_run
    assert len(report.deleted) == 6
    assert files_under(destination) == before


def test_prune_covers_snapshots_partials_and_failure_marks(tmp_path: Path) -> None:
    destination = tmp_path / "archive"
    archive = Archive(destination, "recordings")
    snapshots = snapshot_archive(destination)
    old_shot = save_snapshot(snapshots, "yard", NOW - timedelta(days=10), make_jpeg("old"))
    new_shot = save_snapshot(snapshots, "yard", NOW - timedelta(hours=1), make_jpeg("new"))
    stamp, _ = _stamp(10)
    partial = archive.partial_path(f"{stamp}_NF.mp4")
    partial.parent.mkdir(parents=True, exist_ok=True)
    partial.write_bytes(b"half")
    book = FailureBook.load(archive.state_dir)
    book.record_failure("old.mp4", "http_500", NOW - timedelta(days=10), progressed=False)
    book.record_failure("new.mp4", "http_500", NOW, progressed=False)
    book.save()

    report = prune(
        [
            ArchiveTree(archive, _recognise),
            ArchiveTree(snapshots, lambda name: snapshot_recorded_at(name, UTC)),
        ],
        NOW - timedelta(days=7),
    )

    assert [Path(path).name for path in report.deleted] == [old_shot.name]
    assert not old_shot.exists()
    assert new_shot.exists()
    assert not partial.exists()
    assert set(FailureBook.load(archive.state_dir).marks) == {"new.mp4"}
