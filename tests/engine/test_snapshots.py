"""Snapshots on disk: timestamped names in day folders, never overwritten, JPEGs only."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from camera_simulators.jpeg import make_jpeg
from custom_components.camsync.engine.errors import ProtocolError
from custom_components.camsync.engine.snapshots import (
    camera_slug,
    save_snapshot,
    snapshot_archive,
    snapshot_recorded_at,
)

TAKEN = datetime(2026, 11, 21, 9, 30, 5, tzinfo=UTC)


def test_two_snapshots_in_one_second_both_kept(tmp_path: Path) -> None:
    archive = snapshot_archive(tmp_path)
    first = save_snapshot(archive, "front_yard", TAKEN, make_jpeg("one"))
    second = save_snapshot(archive, "front_yard", TAKEN, make_jpeg("two"))

    assert first == tmp_path / "snapshots" / "2026-11-21" / "front_yard_20261121_093005.jpg"
    assert second.name == "front_yard_20261121_093005_1.jpg"
    assert first.read_bytes() != second.read_bytes()
    assert snapshot_recorded_at(second.name, UTC) == TAKEN


def test_a_json_error_is_not_saved_as_a_snapshot(tmp_path: Path) -> None:
    archive = snapshot_archive(tmp_path)
    with pytest.raises(ProtocolError, match="not a JPEG"):
        save_snapshot(archive, "yard", TAKEN, b'[{"code" : 1, "error" : {"rspCode" : -48}}]')
    assert not (tmp_path / "snapshots").exists()


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("yard_20261121_093005.jpg", TAKEN),
        ("yard_20261321_093005.jpg", None),  # month 13
        ("yard_20261121_093005.png", None),
        ("../yard_20261121_093005.jpg", None),
        ("notes.txt", None),
    ],
)
def test_snapshot_names_are_recognised_strictly(name: str, expected: datetime | None) -> None:
    assert snapshot_recorded_at(name, UTC) == expected


def test_camera_slugs_are_file_name_safe() -> None:
    assert camera_slug("Front yard") == "front_yard"
    assert camera_slug("  Garage / door #2 ") == "garage_door_2"
    assert camera_slug("???") == "camera"
