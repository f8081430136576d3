"""The Sync now button: its entity (snapshots), a press that syncs, a camera away or back."""

from __future__ import annotations

import logging
from pathlib import Path
from unittest.mock import patch

from homeassistant.components.button import DOMAIN as BUTTON_DOMAIN, SERVICE_PRESS
from homeassistant.const import ATTR_ENTITY_ID, Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, snapshot_platform
from syrupy.assertion import SnapshotAssertion

from camera_simulators.blackvue import BlackVueSimulator
from tests.blackvue_fixtures import archived, sha256_file
from tests.ha.conftest import blackvue_entry, reolink_entry, state_of
from tests.reolink_fixtures import reolink_simulator

BUTTON = "button.dashcam_sync_now"
STATUS = "sensor.dashcam_sync_status"


async def _press(hass: HomeAssistant, entity_id: str = BUTTON) -> None:
    await hass.services.async_call(
        BUTTON_DOMAIN, SERVICE_PRESS, {ATTR_ENTITY_ID: entity_id}, blocking=True
    )


async def test_button_entities(
    hass: HomeAssistant,
    media: Path,
    dashcam: BlackVueSimulator,
    snapshot: SnapshotAssertion,
    entity_registry: er.EntityRegistry,
) -> None:
    with patch("custom_components.camsync.PLATFORMS", [Platform.BUTTON]):
        entry = blackvue_entry(dashcam, media / "dashcam", entry_id="01JBLACKVUE0000000000000000")
        entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        await snapshot_platform(hass, entity_registry, snapshot, entry.entry_id)


async def test_reolink_has_the_button_too(hass: HomeAssistant, media: Path) -> None:
    async with reolink_simulator() as camera:
        entry = reolink_entry(camera, media / "front_yard")
        entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        assert state_of(hass, "button.front_yard_sync_now") == "unknown"


async def test_sync_now_syncs_like_the_action(
    hass: HomeAssistant, entry: MockConfigEntry, dashcam: BlackVueSimulator, destination: Path
) -> None:
    dashcam.faults.throughput = 3_000_000
    statuses: list[str] = []
    hass.bus.async_listen(
        "state_changed",
        lambda event: statuses.append(event.data["new_state"].state)
        if event.data["entity_id"] == STATUS
        else None,
    )

    await _press(hass)
    assert state_of(hass, STATUS) == "syncing"  # started, not waited for
    assert state_of(hass, BUTTON) != "unknown"  # the button remembers its last press
    await hass.async_block_till_done(wait_background_tasks=True)

    assert statuses[:1] == ["syncing"]
    assert state_of(hass, STATUS) == "idle"
    assert state_of(hass, "sensor.dashcam_pending_downloads") == "0"
    files = archived(destination)
    assert set(dashcam.listed_names()) <= set(files)
    for name in dashcam.listed_names():
        assert sha256_file(files[name]) == dashcam.expected_sha256(name)


async def test_sync_now_with_the_camera_away_says_so_without_an_error_in_the_log(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    dashcam: BlackVueSimulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await dashcam.stop()
    await entry.runtime_data.coordinator.async_refresh()  # the camera is away at this look
    assert state_of(hass, STATUS) == "offline"
    caplog.clear()

    with caplog.at_level(logging.DEBUG), pytest.raises(ServiceValidationError) as raised:
        await _press(hass)

    assert raised.value.translation_key == "camera_offline"
    message = str(raised.value)
    assert message.startswith("Dashcam cannot be reached right now")
    assert "refused the connection" in message
    assert "Error" not in message  # no exception class names (ClientConnectorError)
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert not [record for record in caplog.records if record.exc_info]
    assert state_of(hass, STATUS) == "offline"


async def test_sync_now_looks_again_at_a_camera_that_was_away(
    hass: HomeAssistant, entry: MockConfigEntry, dashcam: BlackVueSimulator, destination: Path
) -> None:
    await dashcam.stop()
    await entry.runtime_data.coordinator.async_refresh()
    assert state_of(hass, STATUS) == "offline"
    await dashcam.start(port=dashcam.port)  # back before the next look
    asked = len(dashcam.requests)

    await _press(hass)
    await hass.async_block_till_done(wait_background_tasks=True)

    assert state_of(hass, STATUS) == "idle"
    assert set(dashcam.listed_names()) <= set(archived(destination))
    # One listing: the look that found the camera back; the sync planned from it.
    listings = [r for r in dashcam.requests[asked:] if r.path == "/blackvue_vod.cgi"]
    assert len(listings) == 1
