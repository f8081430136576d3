"""The event-notification blueprint, loaded by Home Assistant's blueprint machinery and run.

The blueprint file is copied from the repository's ``blueprints/`` into a configuration folder as
a user's import puts it; an automation built from it must notify the chosen phone, with the
recording's thumbnail, for the kinds chosen, and for nothing else.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
import shutil
from typing import Any

from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_mock_service
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from camera_simulators.blackvue import BlackVueSimulator
from camera_simulators.reolink import ReolinkSimulator, make_reolink_recordings
from custom_components.camsync.const import DOMAIN
from custom_components.camsync.devices.reolink import parse_recording_name
from tests.ha.conftest import reolink_entry, sync_and_wait

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
