"""The event-notification blueprint, loaded by Home Assistant's blueprint machinery and run.

The blueprint file is copied from the repository's ``blueprints/`` into a configuration folder as
a user's import puts it; an automation built from it must notify the chosen phone, with the
recording's thumbnail, for the kinds chosen, and for nothing else; with a "Map" action that
opens the place of a recording that has one, and without it otherwise.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, timedelta
from pathlib import Path
import shutil
from typing import Any
from urllib.parse import parse_qs, urlsplit

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_mock_service,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from camera_simulators.blackvue import BlackVueSimulator, journey_recordings, make_recordings
from camera_simulators.reolink import ReolinkSimulator, make_reolink_recordings
from camera_simulators.route import HOME, DashcamGps, grid_point
from custom_components.camsync.const import DOMAIN, EVENT_FILE_SAVED
from custom_components.camsync.devices.reolink import parse_recording_name
from tests.ha.conftest import blackvue_entry, dashcam_now, reolink_entry, sync_and_wait
from tests.ha.test_car import CLOCK, JOURNEY, near

BLUEPRINT = Path(__file__).parents[2] / "blueprints" / "automation" / "camsync"
NAME = "event_notification.yaml"


@pytest.fixture
def config_dir(hass: HomeAssistant, tmp_path: Path) -> Path:
    """Return a configuration folder holding the blueprint where an import puts it."""
    folder = tmp_path / "config"
    target = folder / "blueprints" / "automation" / "camsync"
    target.mkdir(parents=True)
    shutil.copy(BLUEPRINT / NAME, target / NAME)
    hass.config.config_dir = str(folder)
    return folder


@pytest.fixture
def phone(hass: HomeAssistant) -> str:
    """Return a companion-app phone's device (its notify action: mobile_app_pixel_9)."""
    app = MockConfigEntry(domain="mobile_app", title="Pixel 9")
    app.add_to_hass(hass)
    device = dr.async_get(hass).async_get_or_create(
        config_entry_id=app.entry_id, identifiers={("mobile_app", "pixel-9")}, name="Pixel 9"
    )
    return device.id


def camera_device(hass: HomeAssistant, entry: MockConfigEntry) -> str:
    (device,) = dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id)
    return device.id


async def automate(hass: HomeAssistant, camera: str, phone: str, kinds: list[str]) -> None:
    """Create an automation from the blueprint, as the UI does."""
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": {
                "alias": "camsync event",
                "use_blueprint": {
                    "path": f"camsync/{NAME}",
                    "input": {"camera": camera, "notify_device": phone, "kinds": kinds},
                },
            }
        },
    )
    await hass.async_block_till_done()
    state = hass.states.get("automation.camsync_event")
    assert state is not None
    assert state.state == "on"  # an invalid blueprint leaves it unavailable


async def _fetch(client: Any, url: str) -> bytes:
    response = await client.get(url)
    assert response.status == 200
    assert response.headers["Content-Type"] == "image/jpeg"
    return await response.read()


@pytest.mark.usefixtures("config_dir")
async def test_event_recordings_notify_the_phone_with_their_thumbnail(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    dashcam: BlackVueSimulator,
    phone: str,
    hass_client: ClientSessionGenerator,
) -> None:
    notified = async_mock_service(hass, "notify", "mobile_app_pixel_9")
    await automate(hass, camera_device(hass, entry), phone, ["event"])

    report = await sync_and_wait(hass, entry)
    await hass.async_block_till_done()

    events = {
        item["title"]: item
        for item in report["saved"]
        if item["role"] == "video" and item["name"][16] == "E"
    }
    assert events  # the dashcam has event recordings, and other kinds
    assert len(events) < len([i for i in report["saved"] if i["role"] == "video"])
    calls: list[ServiceCall] = list(notified)
    assert sorted(call.data["message"] for call in calls) == sorted(events)
    client = await hass_client()
    for call in calls:
        recording = events[call.data["message"]]
        assert call.data["title"] == "Dashcam"
        assert call.data["data"]["image"] == recording["thumbnail"]
        assert call.data["data"]["image"].startswith(f"/api/{DOMAIN}/thumbnail/")
        thm = Path(recording["path"]).with_suffix(".thm")
        assert await _fetch(client, call.data["data"]["image"]) == thm.read_bytes()


@pytest.mark.usefixtures("config_dir")
async def test_only_the_chosen_kinds_notify(
    hass: HomeAssistant, entry: MockConfigEntry, phone: str
) -> None:
    notified = async_mock_service(hass, "notify", "mobile_app_pixel_9")
    await automate(hass, camera_device(hass, entry), phone, ["P"])

    report = await sync_and_wait(hass, entry)
    await hass.async_block_till_done()

    parking = [i["title"] for i in report["saved"] if i["role"] == "video" and i["name"][16] == "P"]
    assert parking
    assert sorted(call.data["message"] for call in notified) == sorted(parking)


@pytest.fixture
async def reolink() -> AsyncIterator[ReolinkSimulator]:
    simulator = ReolinkSimulator()
    simulator.recordings = make_reolink_recordings(1, 7, end=simulator.clock() - timedelta(hours=1))
    async with simulator:
        yield simulator


@pytest.mark.usefixtures("config_dir")
async def test_a_reolink_trigger_notifies_when_it_is_any_of_the_clip_s_triggers(
    hass: HomeAssistant, reolink: ReolinkSimulator, media: Path, phone: str
) -> None:
    entry = reolink_entry(reolink, media / "camsync" / "front_yard")
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    notified = async_mock_service(hass, "notify", "mobile_app_pixel_9")
    await automate(hass, camera_device(hass, entry), phone, ["vehicle"])

    report = await sync_and_wait(hass, entry)
    await hass.async_block_till_done()

    with_vehicle = [
        item["title"]
        for item in report["saved"]
        if "vehicle" in parse_recording_name(item["name"]).triggers  # type: ignore[union-attr]
    ]
    assert len(with_vehicle) == 2  # a "motion, vehicle" clip and a "person, vehicle, motion" one
    assert sorted(call.data["message"] for call in notified) == sorted(with_vehicle)
    assert all(call.data["title"] == "Front yard" for call in notified)


async def _set_up(hass: HomeAssistant, entry: MockConfigEntry) -> MockConfigEntry:
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


@pytest.mark.usefixtures("config_dir")
async def test_a_recording_with_a_place_gets_a_map_action(
    hass: HomeAssistant, media: Path, phone: str, freezer: FrozenDateTimeFactory
) -> None:
    freezer.move_to((JOURNEY.end + timedelta(minutes=30)).astimezone(UTC))
    hass.config.latitude, hass.config.longitude = grid_point(*HOME)
    notified = async_mock_service(hass, "notify", "mobile_app_pixel_9")
    saved = async_capture_events(hass, EVENT_FILE_SAVED)
    recordings = journey_recordings(JOURNEY, size_range=(2000, 4000))
    async with BlackVueSimulator(recordings, gps=DashcamGps([JOURNEY], tz=CLOCK)) as car:
        entry = await _set_up(hass, blackvue_entry(car, media / "dashcam"))
        await automate(hass, camera_device(hass, entry), phone, ["E"])
        await sync_and_wait(hass, entry)
        await hass.async_block_till_done()

    # The hard brake on the way to the shop: front and rear, each placed where it happened
    # (its own GPS, read after its videos), before the sync's own event.
    window = next(window for window in JOURNEY.recordings() if window.kind == "E")
    there = JOURNEY.sample_at(window.start + timedelta(seconds=1))
    events = [
        event.data for event in saved if event.data["role"] == "video" and event.data["event"]
    ]
    assert sorted(data["name"] for data in events) == [window.video("F"), window.video("R")]
    for data in events:
        assert near(data["latitude"], data["longitude"], (there.lat, there.lon), 30)
    others = [event.data for event in saved if not event.data["event"]]
    assert others
    assert all(data["latitude"] is None and data["longitude"] is None for data in others)

    calls: list[ServiceCall] = list(notified)
    assert len(calls) == 2
    for call, data in zip(calls, events, strict=True):
        assert call.data["message"] == data["title"]
        assert call.data["data"]["image"] == data["thumbnail"]
        (action,) = call.data["data"]["actions"]
        assert (action["action"], action["title"]) == ("URI", "Map")
        link = urlsplit(action["uri"])
        assert (link.scheme, link.netloc, link.path) == ("https", "www.openstreetmap.org", "/")
        query = parse_qs(link.query)
        lat, lon = float(query["mlat"][0]), float(query["mlon"][0])
        assert (lat, lon) == (round(data["latitude"], 6), round(data["longitude"], 6))
        assert link.fragment == f"map=17/{query['mlat'][0]}/{query['mlon'][0]}"
        assert "e-" not in action["uri"]  # no exponent: the town lies near 0/0


@pytest.mark.usefixtures("config_dir")
async def test_a_recording_without_a_place_gets_no_map_action(
    hass: HomeAssistant, media: Path, phone: str
) -> None:
    notified = async_mock_service(hass, "notify", "mobile_app_pixel_9")
    saved = async_capture_events(hass, EVENT_FILE_SAVED)
    recordings = make_recordings(2, start=dashcam_now() - timedelta(minutes=20), kinds="EN")
    # A dashcam whose receiver found no satellite (a garage): empty .gps files.
    async with BlackVueSimulator(recordings, gps=lambda name: b"") as car:
        entry = await _set_up(hass, blackvue_entry(car, media / "dashcam"))
        await automate(hass, camera_device(hass, entry), phone, ["event"])
        await sync_and_wait(hass, entry)
        await hass.async_block_till_done()

    events = [
        event.data for event in saved if event.data["role"] == "video" and event.data["event"]
    ]
    assert events
    assert all(data["latitude"] is None for data in events)
    assert [call.data["message"] for call in notified] == [data["title"] for data in events]
    for call in notified:
        assert call.data["data"]["image"].startswith(f"/api/{DOMAIN}/thumbnail/")
        assert "actions" not in call.data["data"]
