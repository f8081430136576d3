"""The disk-limit repair's fix flow, through Home Assistant's repairs flow manager.

The disk is the test's folder with a fake size: 10 MB usable, already holding 7 MB of other
files plus whatever the archive holds, so the archive can push it past its limit and pruning
the archive brings it back.
"""

from __future__ import annotations

from collections import namedtuple
from datetime import timedelta
from pathlib import Path
from typing import Any

from homeassistant.components.repairs import repairs_flow_manager
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from camera_simulators.blackvue import BlackVueSimulator, make_recordings
from custom_components.camsync.const import CONF_DISK_LIMIT, CONF_KEEP_FREE, DOMAIN
from custom_components.camsync.engine.lock import DestinationLock
from tests.blackvue_fixtures import archived
from tests.ha.conftest import dashcam_now, state_of, sync_and_wait

Usage = namedtuple("Usage", "total used free")
TOTAL = 10_000_000
OTHER_FILES = 7_000_000
STATUS = "sensor.dashcam_sync_status"


def _stored(destination: Path) -> int:
    return sum(path.stat().st_size for path in archived(destination).values())


@pytest.fixture
async def full(hass: HomeAssistant, entry: MockConfigEntry, destination: Path) -> None:
    """Set up repairs, sync everything, then measure the disk as 10 MB with 7 MB taken."""
    assert await async_setup_component(hass, "repairs", {})
    assert (await sync_and_wait(hass, entry))["outcome"] == "completed"

    def usage(path: Path) -> Usage:
        used = OTHER_FILES + _stored(destination)
        return Usage(TOTAL, used, TOTAL - used)

    entry.runtime_data.archive.disk_usage = usage


async def _fill_up(hass: HomeAssistant, entry: MockConfigEntry, sim: BlackVueSimulator) -> str:
    sim.recordings.extend(make_recordings(6, start=dashcam_now() - timedelta(minutes=8)))
    with pytest.raises(Exception) as raised:
        await sync_and_wait(hass, entry)
    assert raised.value.translation_key == "disk_limit"  # type: ignore[attr-defined]
    issue_id = f"disk_limit_reached_{entry.entry_id}"
    issue = ir.async_get(hass).async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.is_fixable
    assert state_of(hass, STATUS) == "disk_full"
    return issue_id


async def _start(hass: HomeAssistant, issue_id: str) -> dict[str, Any]:
    manager = repairs_flow_manager(hass)
    assert manager is not None
    return await manager.async_init(DOMAIN, data={"issue_id": issue_id})


async def _answer(hass: HomeAssistant, flow_id: str, answer: dict[str, Any]) -> dict[str, Any]:
    manager = repairs_flow_manager(hass)
    assert manager is not None
    result = await manager.async_configure(flow_id, answer)
    await hass.async_block_till_done(wait_background_tasks=True)
    return result


async def test_prune_now_shows_what_it_would_delete_then_deletes_it(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    dashcam: BlackVueSimulator,
    destination: Path,
    full: None,
) -> None:
    issue_id = await _fill_up(hass, entry, dashcam)
    before = archived(destination)

    menu = await _start(hass, issue_id)
    assert menu["type"] is FlowResultType.MENU
    assert menu["menu_options"] == ["raise_limit", "prune"]
    assert menu["description_placeholders"]["limit"] == "90"
    assert float(menu["description_placeholders"]["used"]) > 85  # stopped just before 90 %

    preview = await _answer(hass, menu["flow_id"], {"next_step_id": "prune"})
    assert preview["type"] is FlowResultType.FORM
    assert preview["step_id"] == "prune"
    shown = preview["description_placeholders"]
    assert archived(destination) == before  # a dry run: nothing deleted yet
    oldest_first = sorted(before.values(), key=lambda path: path.name)
    count = int(shown["count"])
    assert 0 < count < len(before)
    doomed = oldest_first[:count]
    assert shown["size"].endswith(("kB", "MB"))
    assert shown["oldest"] <= shown["newest"]

    done = await _answer(hass, preview["flow_id"], {})
    assert done["type"] is FlowResultType.CREATE_ENTRY
    remaining = archived(destination)
    assert not any(path.name in remaining for path in doomed)
    assert set(remaining) == set(before) - {path.name for path in doomed}
    disk = await entry.runtime_data.archive.disk()
    assert disk is not None
    assert disk.used_percent <= 90
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None
    assert state_of(hass, STATUS) != "disk_full"

    # What the prune deleted to make room is not fetched again, even with room to spare.
    def roomy(path: Path) -> Usage:
        return Usage(100 * TOTAL, TOTAL, 99 * TOTAL)

    entry.runtime_data.archive.disk_usage = roomy
    report = await sync_and_wait(hass, entry)
    assert not {item["name"] for item in report["saved"]} & {path.name for path in doomed}
    assert set(dashcam.listed_names()) - {path.name for path in doomed} <= set(
        archived(destination)
    )


async def test_raise_the_limit(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    dashcam: BlackVueSimulator,
    full: None,
) -> None:
    issue_id = await _fill_up(hass, entry, dashcam)
    coordinator = entry.runtime_data.coordinator
    menu = await _start(hass, issue_id)
    form = await _answer(hass, menu["flow_id"], {"next_step_id": "raise_limit"})
    assert form["step_id"] == "raise_limit"

    for too_little in (
        {CONF_DISK_LIMIT: 80, CONF_KEEP_FREE: 0},
        {CONF_DISK_LIMIT: 98, CONF_KEEP_FREE: 0.1},
    ):
        again = await _answer(hass, form["flow_id"], too_little)  # 0.1 GB cannot stay free
        assert again["type"] is FlowResultType.FORM
        assert again["errors"] == {"base": "still_over_limit"}

    done = await _answer(hass, form["flow_id"], {CONF_DISK_LIMIT: 98, CONF_KEEP_FREE: 0.0001})
    assert done["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options[CONF_DISK_LIMIT] == 98
    assert entry.options[CONF_KEEP_FREE] == 0.0001
    assert entry.runtime_data.coordinator is coordinator  # applied without a reload
    assert coordinator.settings.keep_free == 100_000
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None
    assert state_of(hass, STATUS) == "idle"


async def test_an_archive_too_small_to_make_room(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    dashcam: BlackVueSimulator,
    destination: Path,
    full: None,
) -> None:
    issue_id = await _fill_up(hass, entry, dashcam)

    def other_files_fill_it(path: Path) -> Usage:  # 100 MB, 99.9 % used: the archive is 3 MB
        return Usage(10 * TOTAL, 10 * TOTAL - 100_000, 100_000)

    entry.runtime_data.archive.disk_usage = other_files_fill_it
    menu = await _start(hass, issue_id)
    result = await _answer(hass, menu["flow_id"], {"next_step_id": "prune"})

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "prune_not_enough"
    assert archived(destination)  # nothing deleted
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is not None


async def test_a_sync_holding_the_archive_makes_prune_wait(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    dashcam: BlackVueSimulator,
    destination: Path,
    full: None,
) -> None:
    issue_id = await _fill_up(hass, entry, dashcam)
    menu = await _start(hass, issue_id)
    preview = await _answer(hass, menu["flow_id"], {"next_step_id": "prune"})
    before = archived(destination)

    holder = DestinationLock(entry.runtime_data.archive.state_dir, "another sync")
    holder.acquire()
    try:
        result = await _answer(hass, preview["flow_id"], {})
    finally:
        holder.release()

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "sync_running"}
    assert archived(destination) == before


async def test_the_flow_of_an_unloaded_entry_aborts(
    hass: HomeAssistant, entry: MockConfigEntry, dashcam: BlackVueSimulator, full: str
) -> None:
    issue_id = await _fill_up(hass, entry, dashcam)
    assert await hass.config_entries.async_unload(entry.entry_id)
    result = await _start(hass, issue_id)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "entry_not_loaded"


async def test_room_made_elsewhere_needs_no_prune(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    dashcam: BlackVueSimulator,
    destination: Path,
    full: None,
) -> None:
    issue_id = await _fill_up(hass, entry, dashcam)
    menu = await _start(hass, issue_id)

    def emptied(path: Path) -> Usage:  # the user deleted other files meanwhile
        return Usage(TOTAL, TOTAL // 10, TOTAL - TOTAL // 10)

    entry.runtime_data.archive.disk_usage = emptied
    before = archived(destination)
    result = await _answer(hass, menu["flow_id"], {"next_step_id": "prune"})

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "within_limit"
    assert set(before) <= set(archived(destination))  # nothing deleted
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None
    assert state_of(hass, STATUS) != "disk_full"


async def test_a_disk_that_cannot_be_measured(
    hass: HomeAssistant, entry: MockConfigEntry, dashcam: BlackVueSimulator, full: None
) -> None:
    issue_id = await _fill_up(hass, entry, dashcam)

    def gone(path: Path) -> Usage:
        raise OSError("stale NFS handle")

    entry.runtime_data.archive.disk_usage = gone
    result = await _start(hass, issue_id)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "disk_unknown"
