"""Retention never deletes under a running sync, and ``older_than_days: 0`` means zero days."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
import threading
from typing import Any
from unittest.mock import patch

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from camera_simulators.blackvue import BlackVueSimulator
from custom_components.camsync.engine.prune import prune as engine_prune
from tests.blackvue_fixtures import archived, sha256_file
from tests.ha.conftest import blackvue_entry, call_action, sync_and_wait, wait_for


@pytest.fixture
async def other_dashcam() -> AsyncIterator[BlackVueSimulator]:
    """Return a second dashcam, on another port."""
    async with BlackVueSimulator() as simulator:
        yield simulator


async def _slow_sync(
    hass: HomeAssistant, entry: MockConfigEntry, dashcam: BlackVueSimulator
) -> None:
    """Start a sync that takes a while and wait until a file is being written."""
    dashcam.faults.throughput = 400_000
    await call_action(hass, "sync", config_entry_id=entry.entry_id)
    await wait_for(lambda: sum(request.body_bytes for request in dashcam.requests) > 50_000)


async def test_prune_during_a_sync_is_refused_and_the_sync_completes(
    hass: HomeAssistant, entry: MockConfigEntry, dashcam: BlackVueSimulator, destination: Path
) -> None:
    await _slow_sync(hass, entry, dashcam)
    partials = list((destination / ".camsync" / "partial").glob("*.part"))
    assert partials

    with pytest.raises(HomeAssistantError) as raised:
        await call_action(hass, "prune", config_entry_id=entry.entry_id, older_than_days=0)
    assert raised.value.translation_key == "sync_running"
    assert "A sync is writing to the archive of Dashcam" in str(raised.value)
    assert all(partial.exists() for partial in partials)  # the file being written is still there

    dashcam.faults.throughput = None
    report = await sync_and_wait(hass, entry)  # joins the running sync

    assert report["outcome"] == "completed"
    assert report["failed"] == []
    files = archived(destination / "recordings")
    for name in dashcam.listed_names():
        assert sha256_file(files[name]) == dashcam.expected_sha256(name)
    # Once the sync is done, the prune runs.
    pruned = await call_action(hass, "prune", config_entry_id=entry.entry_id, older_than_days=0)
    assert pruned["deleted_files"] == len(files)


async def test_prune_of_one_entry_waits_for_the_sync_of_another_on_the_same_folder(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    dashcam: BlackVueSimulator,
    other_dashcam: BlackVueSimulator,
    destination: Path,
) -> None:
    other = blackvue_entry(other_dashcam, destination)
    other.add_to_hass(hass)
    assert await hass.config_entries.async_setup(other.entry_id)
    await hass.async_block_till_done()
    await _slow_sync(hass, entry, dashcam)

    with pytest.raises(HomeAssistantError) as raised:
        await call_action(hass, "prune", config_entry_id=other.entry_id, older_than_days=0)
    assert raised.value.translation_key == "sync_running"
    assert "Home Assistant, Dashcam" in str(raised.value)  # who holds the folder
    dry_run = await call_action(
        hass, "prune", config_entry_id=other.entry_id, older_than_days=0, dry_run=True
    )
    assert dry_run["dry_run"] is True

    dashcam.faults.throughput = None
    assert (await sync_and_wait(hass, entry))["outcome"] == "completed"


async def test_older_than_zero_days_prunes_everything_recorded_before_now(
    hass: HomeAssistant, entry: MockConfigEntry, dashcam: BlackVueSimulator, destination: Path
) -> None:
    await sync_and_wait(hass, entry)
    files = archived(destination)
    size = sum(path.stat().st_size for path in files.values())
    assert files

    report = await call_action(hass, "prune", config_entry_id=entry.entry_id, older_than_days=0)

    assert {Path(path).name for path in report["deleted"]} == set(files)
    assert report["deleted_bytes"] == size
    assert archived(destination) == {}
    assert hass.states.get("sensor.dashcam_archive_size").state == "0.0"
    # Retention's deletions are not the user's: the camera still lists them, a sync fetches them.
    again = await sync_and_wait(hass, entry)
    assert {item["name"] for item in again["saved"]} == set(files)


async def test_sync_now_waits_for_a_running_retention_instead_of_failing(
    hass: HomeAssistant, entry: MockConfigEntry, dashcam: BlackVueSimulator, destination: Path
) -> None:
    """A retention prune holds the destination's lock a moment; Sync now waits for it."""
    release = threading.Event()
    started = threading.Event()

    def held_prune(*args: Any, **kwargs: Any) -> Any:
        started.set()
        release.wait(10)
        return engine_prune(*args, **kwargs)

    coordinator = entry.runtime_data.coordinator
    with patch("custom_components.camsync.engine.facade.prune", held_prune):
        retention = hass.async_create_task(coordinator.retention.async_prune(timedelta(days=30)))
        await wait_for(started.is_set)
        sync = hass.async_create_task(sync_and_wait(hass, entry))
        await asyncio.sleep(0.2)
        assert not sync.done()  # waiting, not failed as "another sync is writing"
        release.set()
        await retention
        report = await sync
    assert report["outcome"] == "completed"
    assert set(dashcam.listed_names()) <= set(archived(destination))
