"""The camera entity, diagnostics and repair issues of a BlackVue entry."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
import shutil

from homeassistant.components import camera
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr, issue_registry as ir
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from camera_simulators.blackvue import BlackVueSimulator
from custom_components.camsync.const import DOMAIN
from tests.blackvue_fixtures import archived
from tests.ha.conftest import blackvue_entry, call_action, state_of, sync_and_wait


async def test_camera_shows_the_newest_archived_thumbnail(
    hass: HomeAssistant, entry: MockConfigEntry, dashcam: BlackVueSimulator, destination: Path
) -> None:
    with pytest.raises(HomeAssistantError):
        await camera.async_get_image(hass, "camera.dashcam")

    await sync_and_wait(hass, entry)

    image = await camera.async_get_image(hass, "camera.dashcam")
    newest = max(name for name in archived(destination) if name.endswith(".thm"))
    assert image.content == dashcam.expected_bytes(newest)
    assert image.content_type == "image/jpeg"

    shot = await call_action(hass, "snapshot", config_entry_id=entry.entry_id)
    image = await camera.async_get_image(hass, "camera.dashcam")
    assert image.content == Path(shot["path"]).read_bytes()
    state = hass.states.get("camera.dashcam")
    assert state.attributes["brand"] == "BlackVue"
    assert state.attributes["model_name"] == "DR900X-2CH"


async def test_device_information(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    (device,) = dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id)
    assert device.identifiers == {(DOMAIN, entry.entry_id)}  # a dashcam has no id of its own
    assert device.name == "Dashcam"
    assert device.manufacturer == "BlackVue"
    assert device.model == "DR900X-2CH"
    assert device.sw_version == "1.012"
    assert device.configuration_url == f"http://{entry.data['host']}"


async def test_diagnostics_are_redacted(
    hass: HomeAssistant, entry: MockConfigEntry, hass_client: ClientSessionGenerator
) -> None:
    await sync_and_wait(hass, entry)

    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)

    text = str(diagnostics)
    assert entry.data["host"] not in text
    assert diagnostics["entry"]["data"]["host"] == "**REDACTED**"
    assert diagnostics["entry"]["unique_id"] == "**REDACTED**"
    assert diagnostics["entry"]["options"]["retention_days"] == 30
    assert diagnostics["coordinator"]["last_report"]["outcome"] == "completed"
    assert diagnostics["coordinator"]["counters"]["runs"] == 1
    assert diagnostics["coordinator"]["counters"]["files_saved"] > 0
    assert diagnostics["archive"]["files"] == diagnostics["coordinator"]["counters"]["files_saved"]
    assert diagnostics["device"]["model"] == "DR900X-2CH"


async def test_unwritable_destination_raises_a_repair_that_clears_itself(
    hass: HomeAssistant, entry: MockConfigEntry, destination: Path
) -> None:
    shutil.rmtree(destination, ignore_errors=True)
    destination.write_text("a file where the archive folder should be")

    response = await call_action(hass, "sync", config_entry_id=entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)

    assert response["started"]
    issue_id = f"destination_not_writable_{entry.entry_id}"
    issue = ir.async_get(hass).async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_placeholders["destination"] == str(destination)
    assert state_of(hass, "sensor.dashcam_sync_status") == "error"

    destination.unlink()
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(minutes=11))
    await hass.async_block_till_done(wait_background_tasks=True)

    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None
    assert state_of(hass, "sensor.dashcam_sync_status") == "idle"


async def test_disk_limit_repair_clears_when_there_is_room_again(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    archive = entry.runtime_data.archive
    real = archive.disk_usage
    share = {"used": 0.95}

    def usage(path: Path):
        measured = real(path)
        used = int(measured.total * share["used"])
        return type(measured)(measured.total, used, measured.total - used)

    archive.disk_usage = usage
    await call_action(hass, "sync", config_entry_id=entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    issue_id = f"disk_limit_reached_{entry.entry_id}"
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is not None
    assert state_of(hass, "sensor.dashcam_sync_status") == "disk_full"

    share["used"] = 0.5
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(minutes=11))
    await hass.async_block_till_done(wait_background_tasks=True)

    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None
    assert state_of(hass, "sensor.dashcam_sync_status") == "idle"


async def test_diagnostics_scrub_the_address_from_messages(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    dashcam: BlackVueSimulator,
    hass_client: ClientSessionGenerator,
) -> None:
    await dashcam.stop()
    await call_action(hass, "sync", config_entry_id=entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)

    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)

    assert diagnostics["coordinator"]["last_report"]["outcome"] == "offline"
    assert "**REDACTED**" in diagnostics["coordinator"]["last_report"]["message"]
    assert entry.data["host"] not in str(diagnostics)


async def test_an_unwritable_destination_at_startup_loads_with_a_repair(
    hass: HomeAssistant, dashcam: BlackVueSimulator, media: Path
) -> None:
    (media / "not-a-folder").write_text("a file")
    entry = blackvue_entry(dashcam, media / "not-a-folder" / "dashcam")
    entry.add_to_hass(hass)

    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    issue = ir.async_get(hass).async_get_issue(DOMAIN, f"destination_not_writable_{entry.entry_id}")
    assert issue is not None
    assert state_of(hass, "sensor.dashcam_sync_status") == "error"


async def test_a_disk_that_cannot_be_measured_leaves_free_space_unknown(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    def broken(path: Path) -> None:
        raise OSError("stale NFS handle")

    entry.runtime_data.archive.disk_usage = broken
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(minutes=11))
    await hass.async_block_till_done(wait_background_tasks=True)

    assert state_of(hass, "sensor.dashcam_free_disk_space") == "unknown"
    assert state_of(hass, "sensor.dashcam_sync_status") == "idle"
