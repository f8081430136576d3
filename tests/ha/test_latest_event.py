"""The latest event as files land, its restore data and media ids, and the probe's address.

With a real Home Assistant and the simulated dashcam that drove the journey: the sensor names
its thumbnail and video by media-source id, both resolve, and both come back after a restart.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components import media_source
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
import pytest

from camera_simulators.blackvue import BlackVueSimulator, journey_recordings
from camera_simulators.route import HOME, DashcamGps, grid_point
from custom_components.camsync.connection import probe_address
from custom_components.camsync.engine.facade import Position
from custom_components.camsync.engine.models import FileRole, SavedFile
from custom_components.camsync.latest_event import LatestEvent, LatestEventWatch
from tests.blackvue_fixtures import sha256_file
from tests.ha.conftest import blackvue_entry, sync_and_wait
from tests.ha.test_car import CLOCK, JOURNEY, LATEST_EVENT

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


def test_the_media_ids_name_the_thumbnail_and_the_video() -> None:
    event = LatestEvent(
        "20261120_080500_EF.mp4", "E", "F", T0, "/media/d/20261120_080500_EF.mp4", "/x/a.thm"
    )
    assert event.media("entry") == {
        "media_content_id": "media-source://camsync/entry/file/recordings/a.thm",
        "video_media_content_id": (
            "media-source://camsync/entry/file/recordings/20261120_080500_EF.mp4"
        ),
        "thumbnail_url": "/api/camsync/thumbnail/entry/recordings/20261120_080500_EF.mp4",
    }
    # A camera that makes no thumbnail of its own (Reolink): camsync's, from the video.
    bare = LatestEvent("clip.mp4", "person", "", T0, "/media/r/clip.mp4")
    assert bare.media("entry")["media_content_id"] is None
    assert (
        bare.media("entry")["thumbnail_url"] == "/api/camsync/thumbnail/entry/recordings/clip.mp4"
    )


async def test_the_sensor_names_its_thumbnail_and_video_by_media_id_across_a_restart(
    hass: HomeAssistant, media: Path, freezer: FrozenDateTimeFactory
) -> None:
    freezer.move_to((JOURNEY.end + timedelta(minutes=30)).astimezone(UTC))
    hass.config.latitude, hass.config.longitude = grid_point(*HOME)
    assert await async_setup_component(hass, "media_source", {})
    recordings = journey_recordings(JOURNEY, size_range=(2000, 4000))
    async with BlackVueSimulator(recordings, gps=DashcamGps([JOURNEY], tz=CLOCK)) as car:
        entry = blackvue_entry(car, media / "dashcam")
        entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        await sync_and_wait(hass, entry)
        await hass.async_block_till_done()

    event_window = next(window for window in JOURNEY.recordings() if window.kind == "E")
    video, thumbnail = event_window.video("F"), f"{event_window.stem}F.thm"
    prefix = f"media-source://camsync/{entry.entry_id}/file/recordings"
    folder = media / "dashcam" / "recordings" / "2026-11-20"
    state = hass.states.get(LATEST_EVENT)
    assert state is not None
    assert state.attributes["media_content_id"] == f"{prefix}/{thumbnail}"
    assert state.attributes["video_media_content_id"] == f"{prefix}/{video}"
    assert state.attributes["thumbnail_url"] == (
        f"/api/camsync/thumbnail/{entry.entry_id}/recordings/{video}"
    )

    # Both resolve: the thumbnail as an image from camsync's thumbnail view (a .thm is no file
    # Home Assistant's media folders serve), the video from the media folder.
    picture = await media_source.async_resolve_media(hass, f"{prefix}/{thumbnail}", None)
    assert picture.mime_type == "image/jpeg"
    assert picture.url == f"/api/camsync/thumbnail/{entry.entry_id}/recordings/{thumbnail}"
    assert picture.path == folder / thumbnail
    assert sha256_file(folder / thumbnail) == car.expected_sha256(thumbnail)
    clip = await media_source.async_resolve_media(hass, f"{prefix}/{video}", None)
    assert (clip.mime_type, clip.url) == (
        "video/mp4",
        f"/media/local/dashcam/recordings/2026-11-20/{video}",
    )

    # A restart: the ids come back with the event (the names alone do not say what is one).
    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    again = hass.states.get(LATEST_EVENT)
    assert again is not None
    for key in ("media_content_id", "video_media_content_id", "thumbnail_url"):
        assert again.attributes[key] == state.attributes[key]
