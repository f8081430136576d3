"""The car's tracker as Home Assistant stores and shows it (syrupy snapshot); none without GPS."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import snapshot_platform
from syrupy.assertion import SnapshotAssertion

from camera_simulators.blackvue import BlackVueSimulator
from tests.blackvue_fixtures import sample_recordings
from tests.ha.conftest import blackvue_entry, reolink_entry, set_up_and_sync
from tests.reolink_fixtures import reolink_simulator


@pytest.fixture(autouse=True)
def _only_the_tracker() -> Iterator[None]:
    with patch("custom_components.camsync.PLATFORMS", [Platform.DEVICE_TRACKER]):
        yield


async def test_blackvue_tracker(
    hass: HomeAssistant,
    media: Path,
    freezer: FrozenDateTimeFactory,
    snapshot: SnapshotAssertion,
    entity_registry: er.EntityRegistry,
) -> None:
    freezer.move_to("2026-11-20 18:00:00+00:00")
    async with BlackVueSimulator(sample_recordings()) as dashcam:
        entry = blackvue_entry(dashcam, media / "dashcam", entry_id="01JBLACKVUE0000000000000000")
        await set_up_and_sync(hass, entry)

        await snapshot_platform(hass, entity_registry, snapshot, entry.entry_id)


async def test_a_camera_without_gps_has_no_tracker(
    hass: HomeAssistant, media: Path, freezer: FrozenDateTimeFactory
) -> None:
    freezer.move_to("2024-05-10 10:30:00+00:00")
    async with reolink_simulator() as camera:
        entry = reolink_entry(camera, media / "front_yard")
        await set_up_and_sync(hass, entry)

        assert hass.states.async_entity_ids("device_tracker") == []
