"""The camsync actions: what they return, and how they fail."""

from __future__ import annotations

from datetime import timedelta
import io
import logging
from pathlib import Path
import re

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr
from homeassistant.util import dt as dt_util
from PIL import Image
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from camera_simulators.blackvue import BlackVueSimulator
from custom_components.camsync.const import DOMAIN
from tests.blackvue_fixtures import archived
from tests.ha.conftest import call_action, state_of


def _device_id(hass: HomeAssistant, entry: MockConfigEntry) -> str:
    devices = dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id)
    assert len(devices) == 1
    return devices[0].id


async def test_sync_by_device_target_waits_for_the_report(
    hass: HomeAssistant, entry: MockConfigEntry, dashcam: BlackVueSimulator, destination: Path
) -> None:
    response = await call_action(hass, "sync", device_id=_device_id(hass, entry), wait=True)

    assert response["outcome"] == "completed"
    assert response["saved_files"] == len(archived(destination))
    assert response["saved_bytes"] == sum(p.stat().st_size for p in archived(destination).values())
    assert {item["name"] for item in response["saved"]} >= set(dashcam.listed_names())


async def test_sync_joins_the_running_one(
    hass: HomeAssistant, entry: MockConfigEntry, dashcam: BlackVueSimulator
) -> None:
    dashcam.faults.throughput = 3_000_000
    started = await call_action(hass, "sync", config_entry_id=entry.entry_id)
    assert started == {"started": True, "entry_id": entry.entry_id}
    assert state_of(hass, "sensor.dashcam_sync_status") == "syncing"

    joined = await call_action(hass, "sync", config_entry_id=entry.entry_id, wait=True)

    assert joined["outcome"] == "completed"
    assert entry.runtime_data.coordinator.data.counters.runs == 1
    videos = [e.path for e in dashcam.requests if e.path.endswith(".mp4")]
    assert len(videos) == len(set(videos)) == len(dashcam.listed_names())


async def test_sync_with_the_camera_away_raises_a_translated_error(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    dashcam: BlackVueSimulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await dashcam.stop()
    with caplog.at_level(logging.DEBUG), pytest.raises(ServiceValidationError) as raised:
        await call_action(hass, "sync", config_entry_id=entry.entry_id, wait=True)
    assert raised.value.translation_key == "camera_offline"
    message = str(raised.value)
    assert message.startswith("Dashcam cannot be reached right now")
    assert "refused the connection" in message
    assert not re.search(r"[A-Z][a-z]+(Error|Exception)", message)  # no exception class names
    # An expected condition: no error and no traceback in Home Assistant's log.
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert not [record for record in caplog.records if record.exc_info]


async def test_actions_on_a_camera_known_to_be_away(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    dashcam: BlackVueSimulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await dashcam.stop()
    await entry.runtime_data.coordinator.async_refresh()
    assert state_of(hass, "sensor.dashcam_sync_status") == "offline"

    with caplog.at_level(logging.DEBUG):
        for action in ("sync", "snapshot"):
            with pytest.raises(ServiceValidationError) as raised:
                await call_action(hass, action, config_entry_id=entry.entry_id)
            assert raised.value.translation_key == "camera_offline", action
            assert "cannot be reached" in str(raised.value)

    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert not [record for record in caplog.records if record.exc_info]


async def test_sync_stopped_by_the_disk_limit_raises_and_opens_a_repair(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    archive = entry.runtime_data.archive
    real = archive.disk_usage

    def nearly_full(path: Path):
        usage = real(path)
        return type(usage)(
            usage.total, int(usage.total * 0.95), usage.total - int(usage.total * 0.95)
        )

    archive.disk_usage = nearly_full
    with pytest.raises(HomeAssistantError) as raised:
        await call_action(hass, "sync", config_entry_id=entry.entry_id, wait=True)
    assert raised.value.translation_key == "disk_limit"
    assert state_of(hass, "sensor.dashcam_sync_status") == "disk_full"


async def test_prune_dry_run_then_real(
    hass: HomeAssistant, entry: MockConfigEntry, dashcam: BlackVueSimulator, destination: Path
) -> None:
    await call_action(hass, "sync", config_entry_id=entry.entry_id, wait=True)
    files = archived(destination)
    old_video = min(dashcam.listed_names())
    # The oldest recording is 50 minutes old, the next one 40: keep 45 minutes.
    window_days = 45 / (24 * 60)

    dry = await call_action(
        hass, "prune", config_entry_id=entry.entry_id, older_than_days=window_days, dry_run=True
    )
    assert dry["dry_run"] is True
    doomed = {Path(path).name for path in dry["deleted"]}
    assert old_video in doomed
    assert all(name[:15] == old_video[:15] for name in doomed)
    assert archived(destination) == files

    doomed_bytes = sum(files[name].stat().st_size for name in doomed)
    real = await call_action(
        hass, "prune", config_entry_id=entry.entry_id, older_than_days=window_days
    )
    assert {Path(path).name for path in real["deleted"]} == doomed
    assert real["deleted_bytes"] == doomed_bytes
    assert set(archived(destination)) == set(files) - doomed

    nothing = await call_action(hass, "prune", config_entry_id=entry.entry_id)
    assert nothing["deleted"] == []  # the default window is 30 days


async def test_snapshot_saves_a_live_frame(
    hass: HomeAssistant, entry: MockConfigEntry, destination: Path
) -> None:
    response = await call_action(hass, "snapshot", config_entry_id=entry.entry_id)

    path = Path(response["path"])
    assert path.parent.parent == destination / "snapshots"
    assert path.parent.name == dt_util.now().date().isoformat()
    assert path.name.startswith("dashcam_")
    assert Image.open(io.BytesIO(path.read_bytes())).format == "JPEG"
    assert response["size"] == path.stat().st_size
    assert dt_util.parse_datetime(response["taken"]) is not None
    assert dt_util.parse_datetime(
        state_of(hass, "sensor.dashcam_last_capture")
    ) > dt_util.utcnow() - timedelta(minutes=1)


async def test_snapshot_errors(
    hass: HomeAssistant, entry: MockConfigEntry, dashcam: BlackVueSimulator
) -> None:
    dashcam.faults.throughput = 100_000
    await call_action(hass, "sync", config_entry_id=entry.entry_id)
    with pytest.raises(ServiceValidationError) as raised:
        await call_action(hass, "snapshot", config_entry_id=entry.entry_id)
    assert raised.value.translation_key == "busy_syncing"
    await entry.runtime_data.coordinator.sync.async_stop()

    await dashcam.stop()
    with pytest.raises(HomeAssistantError) as raised:
        await call_action(hass, "snapshot", config_entry_id=entry.entry_id)
    assert raised.value.translation_key == "camera_offline"


async def test_targets_are_validated(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    other = MockConfigEntry(domain="other")
    other.add_to_hass(hass)
    # A full device (a name makes it its entry's primary device on 2026.2 too): naming it beside
    # a camsync entry is a wrong target, not two targets, on every Home Assistant release.
    stranger = dr.async_get(hass).async_get_or_create(
        config_entry_id=other.entry_id, identifiers={("other", "x")}, name="Stranger"
    )
    cases = [
        ({"device_id": stranger.id}, "invalid_target"),
        ({"device_id": "nope"}, "invalid_target"),
        ({"config_entry_id": other.entry_id}, "invalid_target"),
        ({"config_entry_id": "missing"}, "invalid_target"),
        (
            {"config_entry_id": entry.entry_id, "device_id": stranger.id},
            "invalid_target",
        ),
    ]
    for data, key in cases:
        with pytest.raises(ServiceValidationError) as raised:
            await call_action(hass, "prune", **data)
        assert raised.value.translation_key == key, data

    second = MockConfigEntry(domain=DOMAIN, data=dict(entry.data), title="Other")
    second.add_to_hass(hass)
    with pytest.raises(ServiceValidationError) as raised:
        await call_action(hass, "prune", config_entry_id=second.entry_id)
    assert raised.value.translation_key == "entry_not_loaded"
    with pytest.raises(ServiceValidationError) as raised:
        await call_action(
            hass, "prune", config_entry_id=second.entry_id, device_id=_device_id(hass, entry)
        )
    assert raised.value.translation_key == "one_target"
    with pytest.raises(Exception, match="at least one of"):  # voluptuous and probatio (2026.9)
        await call_action(hass, "prune")


async def test_a_service_after_unload_says_not_loaded(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    await hass.config_entries.async_unload(entry.entry_id)
    with pytest.raises(ServiceValidationError) as raised:
        await call_action(hass, "sync", config_entry_id=entry.entry_id)
    assert raised.value.translation_key == "entry_not_loaded"
    assert "Dashcam is not loaded" in str(raised.value)
