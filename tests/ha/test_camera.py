"""The camera entity of each camera kind (syrupy snapshots), and the image it shows."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from unittest.mock import patch

from homeassistant.components import camera
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, snapshot_platform
from syrupy.assertion import SnapshotAssertion

from camera_simulators.blackvue import BlackVueSimulator
from tests.blackvue_fixtures import sample_recordings
from tests.ha.conftest import blackvue_entry, reolink_entry, sync_and_wait
from tests.reolink_fixtures import reolink_simulator


@pytest.fixture(autouse=True)
def _only_the_camera_with_a_fixed_token() -> Iterator[None]:
    """Load the camera platform alone; its access token is random otherwise."""
    with (
        patch("custom_components.camsync.PLATFORMS", [Platform.CAMERA]),
        patch("homeassistant.components.camera._RND.getrandbits", return_value=0xC0FFEE),
    ):
        yield


async def _setup(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()


async def test_blackvue_camera(
    hass: HomeAssistant,
    media: Path,
    snapshot: SnapshotAssertion,
    entity_registry: er.EntityRegistry,
) -> None:
    async with BlackVueSimulator(sample_recordings()) as dashcam:
        entry = blackvue_entry(dashcam, media / "dashcam", entry_id="01JBLACKVUE0000000000000000")
        await _setup(hass, entry)
        await snapshot_platform(hass, entity_registry, snapshot, entry.entry_id)

        await sync_and_wait(hass, entry)
        image = await camera.async_get_image(hass, "camera.dashcam")
        newest = max(name for name in dashcam.listed_names())
        thumbnail = f"{newest[:17]}{newest[17]}.thm"  # no live view: the newest thumbnail
        assert image.content == dashcam.expected_bytes(thumbnail)
        assert dashcam.requests[-1].path != "/blackvue_live.cgi"


async def test_reolink_camera(
    hass: HomeAssistant,
    media: Path,
    snapshot: SnapshotAssertion,
    entity_registry: er.EntityRegistry,
) -> None:
    async with reolink_simulator() as simulator:
        entry = reolink_entry(
            simulator, media / "front_yard", entry_id="01JREOLINK00000000000000000"
        )
        await _setup(hass, entry)
        await snapshot_platform(hass, entity_registry, snapshot, entry.entry_id)

        before = simulator.count("Snap")  # the scheduled snapshot right after setup
        image = await camera.async_get_image(hass, "camera.front_yard")
        assert image.content.startswith(b"\xff\xd8")
        assert simulator.count("Snap") == before + 1  # a live snapshot
