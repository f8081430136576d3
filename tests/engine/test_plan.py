"""Planning: filters, priority, de-duplicated sidecars, back-off; fast on big listings."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from custom_components.camsync.engine.archive import Archive, group_folder, is_safe_name
from custom_components.camsync.engine.backoff import FailureBook
from custom_components.camsync.engine.models import (
    FileRole,
    Grouping,
    Listing,
    Priority,
    Recording,
    RemoteFile,
    SyncOptions,
)
from custom_components.camsync.engine.plan import make_plan

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def _recording(
    name: str,
    minutes_ago: int,
    *,
    kind: str = "N",
    event: bool = False,
    rank: int = 9,
    channel: str = "F",
) -> Recording:
    stem = name.removesuffix(".mp4")
    return Recording(
        name=name,
        start=NOW - timedelta(minutes=minutes_ago),
        kind=kind,
        channel=channel,
        event=event,
        rank=rank,
        files=(
            RemoteFile(name, FileRole.VIDEO, f"/{name}", size=100),
            RemoteFile(f"{stem}.thm", FileRole.THUMBNAIL, f"/{stem}.thm", required=False),
            RemoteFile("shared.gps", FileRole.GPS, "/shared.gps", required=False),
        ),
        tags=frozenset({kind}),
    )


LISTING = Listing(
    (
        _recording("old_normal.mp4", 300),
        _recording("new_normal.mp4", 10),
        _recording("event.mp4", 200, kind="E", event=True, rank=1),
        _recording("manual.mp4", 250, kind="M", event=True, rank=0),
        _recording("rear.mp4", 5, channel="R"),
    )
)


def _plan(tmp_path: Path, options: SyncOptions, archived: set[str] | None = None):
    book = FailureBook.load(tmp_path)
    return make_plan(LISTING, archived or set(), book, options, NOW)


@pytest.mark.parametrize(
    ("priority", "order"),
    [
        (Priority.EVENTS_FIRST, ["manual", "event", "rear", "new_normal", "old_normal"]),
        (Priority.NEWEST_FIRST, ["rear", "new_normal", "event", "manual", "old_normal"]),
        (Priority.OLDEST_FIRST, ["old_normal", "manual", "event", "new_normal", "rear"]),
    ],
)
def test_priority_orders_recordings(tmp_path: Path, priority: Priority, order: list[str]) -> None:
    plan = _plan(tmp_path, SyncOptions(priority=priority, sidecars=False))
    assert [item.file.name.removesuffix(".mp4") for item in plan.files] == order


def test_sidecars_follow_their_video_and_shared_ones_come_once(tmp_path: Path) -> None:
    plan = _plan(tmp_path, SyncOptions())
    names = [item.file.name for item in plan.files]
    assert names[:3] == ["manual.mp4", "manual.thm", "event.mp4"]
    # A sidecar every video shares comes once, after the last of them, for any of them.
    assert names.count("shared.gps") == 1
    assert names[-2:] == ["old_normal.thm", "shared.gps"]
    owners = {item.file.name: item.owners for item in plan.files}
    assert owners["manual.thm"] == ("manual.mp4",)
    assert set(owners["shared.gps"]) == {item.name for item in LISTING.recordings}
    assert owners["manual.mp4"] == ()
    assert plan.recordings == 5
    assert plan.known_bytes == 500
    assert plan.unknown_sizes == 6


def test_a_sidecar_of_an_archived_video_is_fetched_unconditionally(tmp_path: Path) -> None:
    book = FailureBook.load(tmp_path)
    book.record_failure("event.mp4", "http_500", NOW, progressed=False)
    plan = make_plan(LISTING, {"rear.mp4"}, book, SyncOptions(), NOW)
    planned = {item.file.name: item for item in plan.files}
    assert planned["rear.thm"].owners == ()  # its video is archived
    assert planned["shared.gps"].owners == ()
    # A backed-off video's own thumbnail waits for it.
    assert "event.thm" not in planned


def test_sidecars_of_backed_off_videos_are_not_planned(tmp_path: Path) -> None:
    book = FailureBook.load(tmp_path)
    for recording in LISTING.recordings:
        book.record_failure(recording.name, "http_500", NOW, progressed=False)
    plan = make_plan(LISTING, set(), book, SyncOptions(), NOW)
    assert plan.files == ()


def test_filters_by_kind_channel_and_age(tmp_path: Path) -> None:
    plan = _plan(
        tmp_path,
        SyncOptions(
            kinds=frozenset({"N", "E"}),
            channels=frozenset({"F"}),
            max_age=timedelta(minutes=250),
            sidecars=False,
        ),
    )
    assert [item.file.name for item in plan.files] == ["event.mp4", "new_normal.mp4"]
    assert plan.filtered == 3


def test_archived_and_backed_off_files_are_left_out(tmp_path: Path) -> None:
    book = FailureBook.load(tmp_path)
    book.record_failure("event.mp4", "http_500", NOW - timedelta(minutes=1), progressed=False)
    book.record_absent("manual.thm", NOW)
    plan = make_plan(LISTING, {"rear.mp4", "rear.thm"}, book, SyncOptions(), NOW)
    names = [item.file.name for item in plan.files]
    assert "event.mp4" not in names
    assert "manual.thm" not in names
    assert "rear.mp4" not in names
    assert plan.backed_off == ("event.mp4",)


def test_back_off_doubles_up_to_its_limit(tmp_path: Path) -> None:
    book = FailureBook.load(tmp_path)
    base, limit = timedelta(minutes=15), timedelta(hours=1)
    for _ in range(5):
        book.record_failure("x.mp4", "http_500", NOW, progressed=False)
    assert book.retry_at("x.mp4", base, limit) == NOW + limit
    book.marks["x.mp4"].count = 2
    assert book.retry_at("x.mp4", base, limit) == NOW + timedelta(minutes=30)
    # A failure that made progress does not count towards the back-off.
    book.record_failure("y.mp4", "truncated", NOW, progressed=True)
    assert book.retry_at("y.mp4", base, limit) is None


def test_failure_marks_survive_a_damaged_file(tmp_path: Path) -> None:
    (tmp_path / "failures.json").write_text("{not json")
    assert FailureBook.load(tmp_path).marks == {}


@pytest.mark.parametrize(
    ("grouping", "folder"),
    [
        (Grouping.NONE, ""),
        (Grouping.DAILY, "2026-11-19"),
        (Grouping.WEEKLY, "2026-11-16"),
        (Grouping.MONTHLY, "2026-11"),
        (Grouping.YEARLY, "2026"),
    ],
)
def test_grouping_folders(tmp_path: Path, grouping: Grouping, folder: str) -> None:
    assert group_folder(grouping, date(2026, 11, 19)) == folder
    archive = Archive(tmp_path, "recordings", grouping)
    path = archive.final_path("a.mp4", datetime(2026, 11, 19, 23, 59, tzinfo=UTC))
    assert path == tmp_path / "recordings" / folder / "a.mp4"


@pytest.mark.parametrize(
    "name", ["../x.mp4", "a/b.mp4", ".hidden", "a..b.mp4", "", "x" * 300, "a\\b", "a b.mp4"]
)
def test_unsafe_names_are_refused(tmp_path: Path, name: str) -> None:
    assert not is_safe_name(name)
    with pytest.raises(ValueError, match="unsafe"):
        Archive(tmp_path).final_path(name, NOW)
