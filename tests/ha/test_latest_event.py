"""The latest event as files land, its restore data, and the probe's address for each kind."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from custom_components.camsync.connection import probe_address
from custom_components.camsync.engine.facade import Position
from custom_components.camsync.engine.models import FileRole, SavedFile
from custom_components.camsync.latest_event import LatestEvent, LatestEventWatch

T0 = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


def saved(name: str, role: FileRole, minute: int, kind: str = "E", channel: str = "F") -> SavedFile:
    return SavedFile(
        name=name,
        path=f"/media/dashcam/{name}",
        role=role,
        size=1,
        recorded=T0 + timedelta(minutes=minute),
        kind=kind,
        channel=channel,
        event=kind in "EIM",
    )


async def test_the_newest_event_wins_and_gets_its_own_thumbnail_and_place() -> None:
    places: list[str] = []

    async def place_of(video: str, when: datetime) -> Position | None:
        places.append(video)
        return Position(when, 0.001, 0.002, 5.0, video[:17])

    watch = LatestEventWatch(place_of)
    assert not await watch.async_locate()  # nothing yet
    assert watch.note(saved("20261120_080500_EF.mp4", FileRole.VIDEO, 5))
    assert not watch.note(saved("20261120_080500_ER.mp4", FileRole.VIDEO, 5, channel="R"))
    assert not watch.note(saved("20261120_080000_MF.mp4", FileRole.VIDEO, 0, kind="M"))  # older
    assert not watch.note(saved("20261120_080600_NF.mp4", FileRole.VIDEO, 6, kind="N"))  # no event
    assert not watch.note(saved("20261120_080500_ER.thm", FileRole.THUMBNAIL, 5, channel="R"))
    assert watch.note(saved("20261120_080500_EF.thm", FileRole.THUMBNAIL, 5))
    assert not watch.note(saved("20261120_080500_EF.thm", FileRole.THUMBNAIL, 5))  # has one
    assert await watch.async_locate()
    assert not await watch.async_locate()  # placed once
    event = watch.event
    assert event is not None
    assert (event.name, event.thumbnail) == (
        "20261120_080500_EF.mp4",
        "/media/dashcam/20261120_080500_EF.thm",
    )
    assert (event.latitude, event.longitude) == (0.001, 0.002)
    assert places == ["20261120_080500_EF.mp4"]
    assert LatestEvent.from_dict(event.as_dict()) == event


async def test_an_event_that_arrives_while_the_place_is_looked_up_is_not_misplaced() -> None:
    release = asyncio.Event()

    async def slow(video: str, when: datetime) -> Position | None:
        await release.wait()
        return Position(when, 0.001, 0.002)

    watch = LatestEventWatch(slow)
    watch.note(saved("20261120_080500_EF.mp4", FileRole.VIDEO, 5))
    lookup = asyncio.create_task(watch.async_locate())
    await asyncio.sleep(0)
    watch.note(saved("20261120_081000_EF.mp4", FileRole.VIDEO, 10))
    release.set()
    assert not await lookup
    assert watch.event is not None
    assert watch.event.latitude is None


async def test_an_unknown_place_stays_unknown() -> None:
    async def nowhere(video: str, when: datetime) -> Position | None:
        return None

    watch = LatestEventWatch(nowhere)
    watch.note(saved("20261120_080500_EF.mp4", FileRole.VIDEO, 5))
    assert not await watch.async_locate()


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"time": "2026-11-20T08:00:00", "name": "x", "kind": "E", "channel": "F", "path": "p"},
        {"time": "yesterday"},
        {"time": "2026-11-20T08:00:00+00:00", "name": "x", "kind": "E", "channel": "F"},
        {
            "time": "2026-11-20T08:00:00+00:00",
            "name": "x",
            "kind": "E",
            "channel": "F",
            "path": "p",
            "latitude": "north",
        },
    ],
)
def test_restore_data_that_is_not_an_event_is_ignored(data: dict[str, object]) -> None:
    assert LatestEvent.from_dict(data) is None


def test_a_restored_event_does_not_replace_a_newer_one() -> None:
    async def nowhere(video: str, when: datetime) -> Position | None:
        return None

    watch = LatestEventWatch(nowhere)
    watch.note(saved("20261120_080500_EF.mp4", FileRole.VIDEO, 5))
    current = watch.event
    assert current is not None
    watch.restore(LatestEvent("old.mp4", "E", "F", T0, "/old.mp4").as_dict())
    assert watch.event is current


@pytest.mark.parametrize(
    ("data", "address"),
    [
        ({"host": "192.0.2.7"}, ("192.0.2.7", 80)),
        ({"host": "192.0.2.7:8101"}, ("192.0.2.7", 8101)),
        ({"host": "[2001:db8::1]:8101"}, ("2001:db8::1", 8101)),
        ({"host": "cam.local", "port": 8443, "use_https": True}, ("cam.local", 8443)),
        ({"host": "cam.local", "port": None, "use_https": True}, ("cam.local", 443)),
        ({"host": "cam.local", "use_https": False}, ("cam.local", 80)),
    ],
)
def test_the_probe_connects_where_the_camera_serves(
    data: dict[str, object], address: tuple[str, int]
) -> None:
    assert probe_address(data) == address
