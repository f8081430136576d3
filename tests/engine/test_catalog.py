"""The catalogue: days and files of each tree, newest first, read from the index alone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from custom_components.camsync.devices.blackvue import describe, recorded_at
from custom_components.camsync.engine.archive import Archive, ArchivedFile, ArchiveTree
from custom_components.camsync.engine.catalog import (
    RECORDINGS,
    SNAPSHOTS,
    TIMELAPSES,
    Catalog,
)
from custom_components.camsync.engine.index import ArchiveIndex
from custom_components.camsync.engine.models import FileRole


def _index(tmp_path: Path) -> ArchiveIndex:
    def tree(name: str) -> ArchiveTree:
        return ArchiveTree(Archive(tmp_path, name), lambda _: None)

    return ArchiveIndex(tree(RECORDINGS), tree(SNAPSHOTS), tree(TIMELAPSES))


def _add(index: ArchiveIndex, tree: str, name: str, when: datetime | None = None) -> None:
    recorded = when or recorded_at(name, UTC)
    assert recorded is not None
    target = {RECORDINGS: index.recordings, SNAPSHOTS: index.snapshots}.get(tree, index.timelapses)
    assert target is not None
    target.add(ArchivedFile(name, Path(tree) / name, 100, recorded))


def test_days_and_files_newest_first_with_their_thumbnails(tmp_path: Path) -> None:
    index = _index(tmp_path)
    asked: list[str] = []

    def counting(name: str) -> object:
        asked.append(name)
        return describe(name)

    catalog = Catalog(index, counting)  # type: ignore[arg-type]
    for name in (
        "20261119_080000_NF.mp4",
        "20261119_090000_EF.mp4",
        "20261119_090000_EF.thm",
        "20261119_090000_E.gps",
        "20261120_070000_PR.mp4",
        "20261120_070000_PR.thm",
    ):
        _add(index, RECORDINGS, name)
    assert catalog.days(RECORDINGS) == [date(2026, 11, 20), date(2026, 11, 19)]
    on_day = catalog.on_day(RECORDINGS, date(2026, 11, 19))
    assert [item.name for item in on_day] == ["20261119_090000_EF.mp4", "20261119_080000_NF.mp4"]
    assert on_day[0].thumbnail is not None
    assert on_day[0].thumbnail.name == "20261119_090000_EF.thm"
    assert on_day[1].thumbnail is None  # the dashcam sent none
    assert catalog.kinds() == {"N", "E", "P"}
    assert catalog.days(RECORDINGS, lambda facts: facts.event) == [date(2026, 11, 19)]
    assert [item.name for item in catalog.newest_by_day(RECORDINGS)] == [
        "20261120_070000_PR.mp4",
        "20261119_090000_EF.mp4",
    ]
    assert {kind: item.name for kind, item in catalog.newest_by_kind().items()} == {
        "N": "20261119_080000_NF.mp4",
        "E": "20261119_090000_EF.mp4",
        "P": "20261120_070000_PR.mp4",
    }
    assert catalog.any(RECORDINGS, lambda facts: facts.kind == "P")
    assert not catalog.any(RECORDINGS, lambda facts: facts.kind == "M")
    assert catalog.item(RECORDINGS, "20261119_090000_E.gps").facts.role is FileRole.GPS  # type: ignore[union-attr]
    assert catalog.item(RECORDINGS, "nothing.mp4") is None
    assert catalog.item("elsewhere", "20261119_080000_NF.mp4") is None
    assert list(catalog.items("elsewhere")) == []
    assert catalog.on_day("elsewhere", date(2026, 11, 19)) == []
    assert catalog.newest_by_day("elsewhere") == []

    catalog.days(RECORDINGS)
    assert sorted(asked) == sorted(set(asked))  # each name read once


def test_snapshots_and_timelapses_need_no_camera(tmp_path: Path) -> None:
    index = _index(tmp_path)
    catalog = Catalog(index, lambda name: None)
    morning = datetime(2026, 11, 19, 8, tzinfo=UTC)
    for minutes in (0, 5, 10):
        _add(
            index,
            SNAPSHOTS,
            f"cam_{morning + timedelta(minutes=minutes):%Y%m%d_%H%M%S}.jpg",
            morning + timedelta(minutes=minutes),
        )
    _add(index, TIMELAPSES, "cam_20261118.mp4", datetime(2026, 11, 18, tzinfo=UTC))
    _add(index, TIMELAPSES, "cam_20261119.mp4", datetime(2026, 11, 19, tzinfo=UTC))

    assert [item.recorded.minute for item in catalog.on_day(SNAPSHOTS, morning.date())] == [
        10,
        5,
        0,
    ]
    assert [item.facts.role for item in catalog.newest(TIMELAPSES)] == [FileRole.TIMELAPSE] * 2
    assert [item.name for item in catalog.newest(TIMELAPSES)] == [
        "cam_20261119.mp4",
        "cam_20261118.mp4",
    ]


def test_the_memory_of_names_is_bounded(tmp_path: Path) -> None:
    index = _index(tmp_path)
    catalog = Catalog(index, describe)
    for second in range(1100):
        catalog.facts(RECORDINGS, f"20261119_08{second // 60 % 60:02d}{second % 60:02d}_NF.mp4")
    assert len(catalog._facts) <= 1001
