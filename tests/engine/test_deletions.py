"""The ledger of what camsync archived, and the memory of what the user deleted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from custom_components.camsync.engine.deletions import DeletionMemory, Ledger, without_deleted
from custom_components.camsync.engine.models import FileRole, Listing, Recording, RemoteFile

T0 = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


def test_the_ledger_replays_its_lines(tmp_path: Path) -> None:
    assert Ledger.load(tmp_path).names is None  # no ledger yet: nothing counts as deleted
    ledger = Ledger.load(tmp_path)
    ledger.rewrite(["a.mp4", "b.mp4"])
    ledger.append(added=["c.mp4"], removed=["a.mp4"])
    ledger.append()  # nothing to note: nothing written

    loaded = Ledger.load(tmp_path)

    assert loaded.names == {"b.mp4", "c.mp4"} == ledger.names
    assert (tmp_path / "archived.txt").read_text() == "+a.mp4\n+b.mp4\n+c.mp4\n-a.mp4\n"


def test_the_ledger_finds_missing_files(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "archived.txt", {"a.mp4", "b.mp4", "c.mp4"})
    assert ledger.missing({"a.mp4", "c.mp4", "new.mp4"}) == {"b.mp4"}
    assert Ledger(tmp_path / "archived.txt", None).missing(set()) == set()


def test_an_archive_with_none_of_its_files_looks_unmounted(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    ledger = Ledger(tmp_path / ".camsync" / "archived.txt", {"a.mp4", "b.mp4"})
    assert ledger.missing(set()) == set()
    assert "if the disk is not mounted" in caplog.text


def test_an_unreadable_ledger_counts_as_none(tmp_path: Path) -> None:
    (tmp_path / "archived.txt").mkdir()
    assert Ledger.load(tmp_path).names is None


def test_deletions_are_remembered_and_forgotten(tmp_path: Path) -> None:
    memory = DeletionMemory.load(tmp_path)
    assert len(memory) == 0
    memory.remember({"a.mp4": T0, "b.mp4": T0 + timedelta(days=2), "odd.mp4": None})
    memory.remember({})

    loaded = DeletionMemory.load(tmp_path)
    assert "a.mp4" in loaded
    assert len(loaded) == 3
    assert loaded.forget_before(T0 + timedelta(days=1)) == 1  # a.mp4: retention's business now
    assert loaded.forget(["b.mp4", "never.mp4"]) == 1
    assert set(DeletionMemory.load(tmp_path).deleted) == {"odd.mp4"}
    assert loaded.forget() == 1
    assert loaded.forget() == 0
    assert len(DeletionMemory.load(tmp_path)) == 0


@pytest.mark.parametrize("body", ["not json", '{"deleted": 3}', '{"version": 1}'])
def test_damaged_deletions_count_as_none(tmp_path: Path, body: str) -> None:
    (tmp_path / "deleted.json").write_text(body)
    assert len(DeletionMemory.load(tmp_path)) == 0


def _recording(stem: str) -> Recording:
    files = (
        RemoteFile(f"{stem}_NF.mp4", FileRole.VIDEO, f"/{stem}_NF.mp4"),
        RemoteFile(f"{stem}_NF.thm", FileRole.THUMBNAIL, f"/{stem}_NF.thm", required=False),
        RemoteFile(f"{stem}_N.gps", FileRole.GPS, f"/{stem}_N.gps", required=False),
    )
    return Recording(files[0].name, T0, "N", "F", False, 0, files)


def test_a_listing_without_what_the_user_deleted() -> None:
    listing = Listing((_recording("a"), _recording("b"), _recording("c")), skipped=2)

    assert without_deleted(listing, frozenset()) is listing
    kept = without_deleted(listing, {"a_NF.mp4", "b_N.gps"})

    assert [recording.name for recording in kept.recordings] == ["b_NF.mp4", "c_NF.mp4"]
    assert [file.name for file in kept.recordings[0].files] == ["b_NF.mp4", "b_NF.thm"]
    assert kept.recordings[1] is listing.recordings[2]
    assert kept.skipped == 2
