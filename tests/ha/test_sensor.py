"""The sensors of each camera kind, as Home Assistant stores and shows them (syrupy snapshots)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple
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

GIB = 1024**3


class _Usage(NamedTuple):
    total: int
    used: int
    free: int


@pytest.fixture(autouse=True)
def _only_sensors_and_a_fixed_disk() -> Iterator[None]:
    """Load the sensor platform alone, on a disk of 100 GiB with 60 GiB free."""
    with (
        patch("custom_components.camsync.PLATFORMS", [Platform.SENSOR]),
        patch(
            "custom_components.camsync.engine.facade.measure",
            return_value=_Usage(100 * GIB, 40 * GIB, 60 * GIB),
        ),
    ):
        yield


async def test_blackvue_sensors(
    hass: HomeAssistant,
    media: Path,
    freezer: FrozenDateTimeFactory,
    snapshot: SnapshotAssertion,
    entity_registry: er.EntityRegistry,
) -> None:
    freezer.move_to("2026-11-20 18:00:00+00:00")  # two hours after the sample recordings
    async with BlackVueSimulator(sample_recordings()) as dashcam:
        entry = blackvue_entry(dashcam, media / "dashcam", entry_id="01JBLACKVUE0000000000000000")
        await set_up_and_sync(hass, entry)

        await snapshot_platform(hass, entity_registry, snapshot, entry.entry_id)


async def test_reolink_sensors(
    hass: HomeAssistant,
    media: Path,
    freezer: FrozenDateTimeFactory,
    snapshot: SnapshotAssertion,
    entity_registry: er.EntityRegistry,
) -> None:
    freezer.move_to("2024-05-10 10:30:00+00:00")  # the simulated camera's clock: 12:00 (UTC+2)
    async with reolink_simulator() as camera:
        entry = reolink_entry(camera, media / "front_yard", entry_id="01JREOLINK00000000000000000")
        await set_up_and_sync(hass, entry)

        await snapshot_platform(hass, entity_registry, snapshot, entry.entry_id)
