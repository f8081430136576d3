"""The archive index: totals kept as files come and go, and scans that lose no save."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from custom_components.camsync.engine.archive import Archive, ArchivedFile, ArchiveTree
from custom_components.camsync.engine.index import ArchiveIndex, TreeIndex, scan_trees

T0 = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


def _file(name: str, minutes: int, size: int = 10) -> ArchivedFile:
    return ArchivedFile(name, Path("/archive") / name, size, T0 + timedelta(minutes=minutes))


def _name(item: ArchivedFile | None) -> str | None:
    return item.name if item is not None else None


def _recognise(name: str) -> datetime | None:
    return T0 if name.endswith((".mp4", ".thm", ".jpg")) else None


def _tree(tmp_path: Path, subfolder: str) -> ArchiveTree:
    return ArchiveTree(Archive(tmp_path, subfolder), _recognise)


def test_totals_follow_adds_and_removals(tmp_path: Path) -> None:
    tree = TreeIndex(_tree(tmp_path, "recordings"))
    tree.add(_file("a.mp4", 0, 100))
    tree.add(_file("b.thm", 5, 3))
    tree.add(_file("c.mp4", 10, 50))

    assert (len(tree), tree.bytes) == (3, 153)
    assert _name(tree.newest) == "c.mp4"
    assert _name(tree.newest_image) == "b.thm"
    assert "a.mp4" in tree
    assert "z.mp4" not in tree

    tree.add(_file("a.mp4", 0, 120))  # the same name again replaces it
    assert (len(tree), tree.bytes) == (3, 173)

    assert tree.discard("c.mp4") is not None
    assert tree.discard("missing.mp4") is None
    assert (len(tree), tree.bytes) == (2, 123)
    assert _name(tree.newest) == "b.thm"  # looked up again
    tree.discard("b.thm")
    assert tree.newest_image is None
    assert [item.name for item in tree.older_than(T0 + timedelta(minutes=1))] == ["a.mp4"]


def test_a_scan_keeps_what_was_saved_or_deleted_while_it_ran(tmp_path: Path) -> None:
    tree = TreeIndex(_tree(tmp_path, "recordings"))
    tree.add(_file("old.mp4", 0))
    tree.begin_scan()
    tree.add(_file("new.mp4", 20))  # saved while the scan walked
    tree.discard("gone.mp4")  # deleted while the scan walked
    scanned = {name: _file(name, 1) for name in ("old.mp4", "gone.mp4", "other.mp4")}

    saved = tree.finish_scan(scanned)

    assert saved == {"new.mp4"}
    assert sorted(tree) == ["new.mp4", "old.mp4", "other.mp4"]
    assert tree.bytes == 30
    assert _name(tree.newest) == "new.mp4"


def test_after_an_aborted_scan_changes_are_not_noted(tmp_path: Path) -> None:
    tree = TreeIndex(_tree(tmp_path, "recordings"))
    tree.add(_file("a.mp4", 0))
    tree.begin_scan()
    tree.abort_scan()
    tree.add(_file("b.mp4", 1))
    assert tree.finish_scan({}) == set()  # nothing was noted after the abort
    assert len(tree) == 0


def test_archive_totals_combine_both_trees(tmp_path: Path) -> None:
    index = ArchiveIndex(_tree(tmp_path, "recordings"), _tree(tmp_path, "snapshots"))
    assert index.totals().files == 0
    assert index.totals().newest_capture is None
    index.recordings.add(_file("a.mp4", 0, 100))
    index.recordings.add(_file("a.thm", 0, 2))
    index.snapshots.add(_file("cam_1.jpg", 30, 7))

    totals = index.totals()

    assert (totals.files, totals.bytes) == (3, 109)
    assert totals.newest_capture == T0 + timedelta(minutes=30)
    assert totals.newest_image == Path("/archive/cam_1.jpg")


def test_scan_trees_walks_each_tree_once(tmp_path: Path) -> None:
    trees = (_tree(tmp_path, "recordings"), _tree(tmp_path, "snapshots"))
    (tmp_path / "recordings" / "2026-11-20").mkdir(parents=True)
    (tmp_path / "recordings" / "2026-11-20" / "a.mp4").write_bytes(b"12345")
    (tmp_path / "recordings" / "notes.txt").write_text("not ours")
    index = ArchiveIndex(*trees)

    index.begin_scan()
    index.finish_scan(scan_trees(trees))

    assert list(index.recordings) == ["a.mp4"]
    assert index.recordings["a.mp4"].size == 5
    assert len(index.snapshots) == 0
