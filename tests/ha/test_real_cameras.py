"""Real-firmware behaviour seen from Home Assistant: statuses and repairs users act on.

The engine's side of each quirk is tested in tests/engine; here the real simulators drive a real
Home Assistant: a Reolink v3 camera whose downloads are wedged, a v3 camera that works (remuxed,
chunked, verified), and a dashcam whose clock was never set.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events

from camera_simulators.blackvue import BlackVueSimulator, clock_unset_recordings, make_recordings
from camera_simulators.reolink import ReolinkSimulator, make_reolink_recordings
from camera_simulators.reolink_faults import ReolinkFaults
from custom_components.camsync.const import DOMAIN, EVENT_FILE_SAVED
from tests.blackvue_fixtures import archived, sha256_file
from tests.ha.conftest import blackvue_entry, dashcam_now, reolink_entry, state_of, sync_and_wait


def _issue(hass: HomeAssistant, key: str, entry: MockConfigEntry) -> ir.IssueEntry | None:
    return ir.async_get(hass).async_get_issue(DOMAIN, f"{key}_{entry.entry_id}")


@pytest.fixture
async def v3_camera() -> AsyncIterator[ReolinkSimulator]:
    """Return an RLC-1224A on firmware v3.2 with three days of recordings."""
    simulator = ReolinkSimulator(faults=ReolinkFaults(profile="v3"))
    simulator.recordings = make_reolink_recordings(3, 3, end=simulator.clock(), firmware="v3")
    async with simulator:
        yield simulator


async def _set_up(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()


async def test_a_v3_camera_archives_every_clip_verified(
    hass: HomeAssistant, v3_camera: ReolinkSimulator, media: Path
) -> None:
    destination = media / "camsync" / "front_yard"
    entry = reolink_entry(v3_camera, destination)
    await _set_up(hass, entry)
    saved = async_capture_events(hass, EVENT_FILE_SAVED)

    report = await sync_and_wait(hass, entry)

    assert report["outcome"] == "completed"
    assert report["failed"] == []
    names = {recording.basename for recording in v3_camera.recordings}
    files = archived(destination / "recordings")
    assert set(files) == names
    for name, path in files.items():
        assert sha256_file(path) == v3_camera.expected_sha256(name)
    assert {event.data["name"] for event in saved} == names
    assert all(event.data["verified"] for event in saved)
    # Search's sizes were estimates: the run still ends at 100 %.
    assert hass.states.get("sensor.front_yard_sync_progress").state == "100.0"


async def test_wedged_downloads_say_reboot_the_camera_not_camera_away(
    hass: HomeAssistant, v3_camera: ReolinkSimulator, media: Path
) -> None:
    destination = media / "camsync" / "front_yard"
    entry = reolink_entry(v3_camera, destination)
    await _set_up(hass, entry)
    v3_camera.faults.wedged = True

    with pytest.raises(HomeAssistantError) as raised:
        await sync_and_wait(hass, entry)

    assert raised.value.translation_key == "downloads_wedged"
    assert state_of(hass, "sensor.front_yard_sync_status") == "downloads_wedged"
    issue = _issue(hass, "downloads_wedged", entry)
    assert issue is not None
    # The camera still answers: its sensors stay available.
    assert state_of(hass, "sensor.front_yard_pending_downloads") != "unavailable"
    assert archived(destination / "recordings") == {}

    v3_camera.faults.wedged = False  # the user restarted the camera
    report = await sync_and_wait(hass, entry)

    assert report["outcome"] == "completed"
    assert len(archived(destination / "recordings")) == len(v3_camera.recordings)
    assert _issue(hass, "downloads_wedged", entry) is None
    assert state_of(hass, "sensor.front_yard_sync_status") == "idle"


async def test_a_dashcam_whose_clock_was_never_set_asks_for_the_clock(
    hass: HomeAssistant, media: Path
) -> None:
    start = dashcam_now()
    recordings = clock_unset_recordings(2) + make_recordings(
        2, start=start - timedelta(minutes=30), step=timedelta(minutes=10)
    )
    destination = media / "camsync" / "dashcam"
    async with BlackVueSimulator(recordings) as dashcam:
        entry = blackvue_entry(dashcam, destination)
        await _set_up(hass, entry)

        issue = _issue(hass, "dashcam_clock_unset", entry)
        assert issue is not None
        assert issue.translation_placeholders["detail"] == "4"  # two recordings, front and rear

        await sync_and_wait(hass, entry)
        names = set(archived(destination / "recordings"))
        assert not any(name.startswith("1970") for name in names)
        assert {name for name in names if name.endswith(".mp4")} == {
            item.name for item in recordings if not item.name.startswith("1970")
        }

        dashcam.recordings = [item for item in recordings if not item.name.startswith("1970")]
        await sync_and_wait(hass, entry)
        assert _issue(hass, "dashcam_clock_unset", entry) is None
