"""A recording the user deleted from the archive is not downloaded again, until asked to."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from camera_simulators.blackvue import BlackVueSimulator
from tests.blackvue_fixtures import archived, sha256_file
from tests.ha.conftest import call_action, state_of, sync_and_wait

PENDING = "sensor.dashcam_pending_downloads"


def _videos_fetched(dashcam: BlackVueSimulator, name: str) -> int:
    return sum(request.path == f"/Record/{name}" for request in dashcam.requests)


async def _hourly_rescan(hass: HomeAssistant) -> None:
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(hours=1, minutes=1))
    await hass.async_block_till_done(wait_background_tasks=True)


async def test_a_file_deleted_by_hand_is_not_fetched_again(
    hass: HomeAssistant, entry: MockConfigEntry, dashcam: BlackVueSimulator, destination: Path
) -> None:
    await sync_and_wait(hass, entry)
    files = archived(destination / "recordings")
    deleted = min(dashcam.listed_names())
    files[deleted].unlink()  # as Media panel > Manage does
    await _hourly_rescan(hass)

    assert state_of(hass, PENDING) == "0"
    report = await sync_and_wait(hass, entry)

    assert report["saved"] == []
    assert deleted not in archived(destination / "recordings")
    assert _videos_fetched(dashcam, deleted) == 1  # only the first sync fetched it
    assert (destination / ".camsync" / "deleted.json").is_file()

    again = await call_action(
        hass, "sync", config_entry_id=entry.entry_id, wait=True, refetch_deleted=True
    )

    assert [item["name"] for item in again["saved"]] == [deleted]
    restored = archived(destination / "recordings")[deleted]
    assert sha256_file(restored) == dashcam.expected_sha256(deleted)


async def test_a_deletion_made_while_home_assistant_was_stopped_is_remembered(
    hass: HomeAssistant, entry: MockConfigEntry, dashcam: BlackVueSimulator, destination: Path
) -> None:
    await sync_and_wait(hass, entry)
    assert await hass.config_entries.async_unload(entry.entry_id)
    day = archived(destination / "recordings")
    gone = sorted(name for name in day if name.startswith(min(dashcam.listed_names())[:15]))
    for name in gone:  # the whole recording: video, thumbnail, GPS and G-sensor files
        day[name].unlink()

    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    assert state_of(hass, PENDING) == "0"
    report = await sync_and_wait(hass, entry)
    assert report["saved"] == []
    diagnostics_facts = entry.runtime_data.coordinator.data.archive
    assert diagnostics_facts.remembered_deletions == len(gone)


async def test_files_retention_deleted_are_not_remembered(
    hass: HomeAssistant, entry: MockConfigEntry, dashcam: BlackVueSimulator, destination: Path
) -> None:
    await sync_and_wait(hass, entry)
    oldest = min(dashcam.listed_names())
    window_days = 45 / (24 * 60)  # the oldest recording is 50 minutes old
    pruned = await call_action(
        hass, "prune", config_entry_id=entry.entry_id, older_than_days=window_days
    )
    assert oldest in {Path(path).name for path in pruned["deleted"]}
    await _hourly_rescan(hass)

    assert entry.runtime_data.coordinator.data.archive.remembered_deletions == 0
    report = await sync_and_wait(hass, entry)
    assert oldest in {item["name"] for item in report["saved"]}
