"""Stable identity: one camera is one entry, one device and one set of entities.

A camera is known by what it says about itself, else by its resolved address; devices and
entities keep their ids when the address changes; entries stored by camsync 1.x are migrated with
their entity ids.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from unittest.mock import AsyncMock, patch

from homeassistant.config_entries import SOURCE_USER, ConfigEntryState
from homeassistant.const import CONF_HOST
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import ConfigEntryNotReady
from homeassistant.helpers import (
    device_registry as dr,
    entity_registry as er,
    issue_registry as ir,
)
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from camera_simulators.blackvue import BlackVueSimulator
from camera_simulators.reolink import ReolinkSimulator
from custom_components.camsync.const import CONF_CAMERA_ID, DOMAIN
from custom_components.camsync.devices.reolink import normalise_mac
from custom_components.camsync.migration import async_migrate
from tests.ha.conftest import blackvue_entry, reolink_entry, state_of, sync_and_wait

SENSORS = ("last_capture", "pending_downloads", "sync_status", "free_disk")


@pytest.fixture
async def other_dashcam() -> AsyncIterator[BlackVueSimulator]:
    """Return a second dashcam, on another port."""
    async with BlackVueSimulator() as simulator:
        yield simulator


async def _setup(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()


def _registry_of(hass: HomeAssistant, entry: MockConfigEntry) -> tuple[list[str], dict[str, str]]:
    """Return the entry's device ids and its entities' unique ids by entity id."""
    devices = dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id)
    entities = er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
    return [device.id for device in devices], {e.entity_id: e.unique_id for e in entities}


async def test_reconfiguring_a_dashcam_host_keeps_its_device_and_entities(
    hass: HomeAssistant,
    dashcam: BlackVueSimulator,
    other_dashcam: BlackVueSimulator,
    destination: Path,
) -> None:
    entry = blackvue_entry(dashcam, destination)
    await _setup(hass, entry)
    devices, entities = _registry_of(hass, entry)
    assert len(devices) == 1

    result = await entry.start_reconfigure_flow(hass)
    new_host = f"127.0.0.1:{other_dashcam.port}"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: new_host, "destination": str(destination)}
    )
    await hass.async_block_till_done()

    assert result["reason"] == "reconfigure_successful"
    assert entry.unique_id == new_host
    assert entry.state is ConfigEntryState.LOADED
    assert _registry_of(hass, entry) == (devices, entities)  # nothing new, nothing renamed
    # The tracker platform brings Home Assistant's zone.home along.
    ours = [item for item in hass.states.async_entity_ids() if not item.startswith("zone.")]
    assert len(ours) == len(entities)
    assert state_of(hass, "sensor.dashcam_pending_downloads") == str(
        len(other_dashcam.listed_names())
    )


@pytest.mark.parametrize(
    ("existing", "typed"), [("127.0.0.1", "localhost"), ("localhost", "127.0.0.1")]
)
async def test_localhost_and_its_address_are_one_camera(
    hass: HomeAssistant,
    media: Path,
    dashcam: BlackVueSimulator,
    existing: str,
    typed: str,
) -> None:
    with patch("custom_components.camsync.async_setup_entry", return_value=True):
        if existing == "localhost":
            # Home Assistant's test session cannot connect to "localhost": store the entry the
            # flow would have made (its unique id is the resolved address).
            MockConfigEntry(
                domain=DOMAIN,
                version=2,
                unique_id=f"127.0.0.1:{dashcam.port}",
                data={"kind": "blackvue", CONF_HOST: f"localhost:{dashcam.port}"},
            ).add_to_hass(hass)
        else:
            result = await hass.config_entries.flow.async_init(
                DOMAIN, context={"source": SOURCE_USER}
            )
            result = await hass.config_entries.flow.async_configure(
                result["flow_id"], {"next_step_id": "blackvue"}
            )
            first = await hass.config_entries.flow.async_configure(
                result["flow_id"], {CONF_HOST: f"{existing}:{dashcam.port}", "name": "Car"}
            )
            assert first["type"] is FlowResultType.CREATE_ENTRY
            assert first["result"].unique_id == f"127.0.0.1:{dashcam.port}"
        requests = len(dashcam.requests)

        result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {"next_step_id": "blackvue"}
        )
        second = await hass.config_entries.flow.async_configure(
            result["flow_id"], {CONF_HOST: f"{typed}:{dashcam.port}", "name": "Car again"}
        )

    assert second["type"] is FlowResultType.ABORT
    assert second["reason"] == "already_configured"
    assert len(hass.config_entries.async_entries(DOMAIN)) == 1
    assert len(dashcam.requests) == requests  # refused before asking the camera


def _stored_v1(
    hass: HomeAssistant, unique_id: str, data: dict[str, object], title: str
) -> tuple[MockConfigEntry, str, list[str]]:
    """Store a camsync 1.x entry with its device and entities as 1.x registered them."""
    entry = MockConfigEntry(domain=DOMAIN, version=1, title=title, unique_id=unique_id, data=data)
    entry.add_to_hass(hass)
    device = dr.async_get(hass).async_get_or_create(
        config_entry_id=entry.entry_id, identifiers={(DOMAIN, unique_id)}, name=title
    )
    registry = er.async_get(hass)
    entity_ids = [
        registry.async_get_or_create(
            "sensor",
            DOMAIN,
            f"{unique_id}_{key}",
            config_entry=entry,
            device_id=device.id,
            suggested_object_id=f"my_car_{key}",  # a user's own entity ids
        ).entity_id
        for key in SENSORS
    ]
    registry.async_get_or_create(
        "camera", DOMAIN, f"{unique_id}_camera", config_entry=entry, device_id=device.id
    )
    return entry, device.id, entity_ids


async def test_a_stored_v1_dashcam_entry_is_migrated_with_its_entity_ids(
    hass: HomeAssistant, dashcam: BlackVueSimulator, destination: Path
) -> None:
    host = f"127.0.0.1:{dashcam.port}"
    data = blackvue_entry(dashcam, destination).data
    entry, device_id, entity_ids = _stored_v1(hass, host, dict(data), "Dashcam")

    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    assert entry.version == 2
    assert entry.unique_id == host
    assert CONF_CAMERA_ID not in entry.data
    devices, entities = _registry_of(hass, entry)
    assert devices == [device_id]
    device = dr.async_get(hass).async_get(device_id)
    assert device.identifiers == {(DOMAIN, entry.entry_id)}
    for entity_id, key in zip(entity_ids, SENSORS, strict=True):
        assert entity_id == f"sensor.my_car_{key}"
        assert entities[entity_id] == f"{entry.entry_id}_{key}"
    # + camera, progress, last success, last attempt, archive size, timelapse, Sync now,
    # Automatic sync; the car: tracker, distance, last trip; and the latest event.
    assert len(entities) == len(SENSORS) + 8 + 3 + 1
    assert state_of(hass, "sensor.my_car_pending_downloads") == str(len(dashcam.listed_names()))
    assert hass.states.get("sensor.dashcam_pending_downloads") is None  # no duplicate

    assert (await sync_and_wait(hass, entry))["outcome"] == "completed"


async def test_a_stored_v1_reolink_entry_keeps_its_mac_keys(
    hass: HomeAssistant, reolink_sim: ReolinkSimulator, destination: Path
) -> None:
    mac = normalise_mac(reolink_sim.mac)
    data = dict(reolink_entry(reolink_sim, destination).data)
    data.pop(CONF_CAMERA_ID)
    entry, device_id, entity_ids = _stored_v1(hass, mac, data, "Front yard")

    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    assert entry.version == 2
    assert entry.unique_id == mac
    assert entry.data[CONF_CAMERA_ID] == mac
    device = dr.async_get(hass).async_get(device_id)
    assert device.identifiers == {(DOMAIN, mac)}
    _, entities = _registry_of(hass, entry)
    assert {entities[entity_id] for entity_id in entity_ids} == {f"{mac}_{k}" for k in SENSORS}


async def test_a_migration_whose_host_does_not_resolve(
    hass: HomeAssistant, dashcam: BlackVueSimulator, destination: Path
) -> None:
    data = dict(blackvue_entry(dashcam, destination).data) | {CONF_HOST: "dashcam.invalid:8101"}
    entry, _, _ = _stored_v1(hass, "dashcam.invalid:8101", data, "Dashcam")
    unresolved = AsyncMock(return_value=None)

    # Home Assistant 2026.9+ retries a migration that raises: wait for the name to resolve.
    with (
        patch("custom_components.camsync.identity.async_resolve", unresolved),
        patch("custom_components.camsync.migration.migration_may_wait", return_value=True),
        pytest.raises(ConfigEntryNotReady) as raised,
    ):
        await async_migrate(hass, entry)
    assert raised.value.translation_key == "migration_unresolved"
    assert entry.version == 1

    # Older versions cannot retry: the name stays the unique id, the keys move all the same.
    with (
        patch("custom_components.camsync.identity.async_resolve", unresolved),
        patch("custom_components.camsync.migration.migration_may_wait", return_value=False),
    ):
        assert await async_migrate(hass, entry)
    assert entry.version == 2
    assert entry.unique_id == "dashcam.invalid:8101"
    (device,) = dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id)
    assert device.identifiers == {(DOMAIN, entry.entry_id)}


async def test_an_entry_from_a_newer_camsync_is_not_loaded(hass: HomeAssistant) -> None:
    entry = MockConfigEntry(domain=DOMAIN, version=3, data={"kind": "blackvue"})
    entry.add_to_hass(hass)

    assert not await hass.config_entries.async_setup(entry.entry_id)
    assert entry.state is ConfigEntryState.MIGRATION_ERROR


async def test_an_address_id_is_brought_up_to_date_and_twins_are_reported(
    hass: HomeAssistant, dashcam: BlackVueSimulator, destination: Path
) -> None:
    host = f"127.0.0.1:{dashcam.port}"
    stale = blackvue_entry(dashcam, destination)
    stale.add_to_hass(hass)
    hass.config_entries.async_update_entry(stale, unique_id=f"dashcam.lan:{dashcam.port}")
    assert await hass.config_entries.async_setup(stale.entry_id)
    await hass.async_block_till_done()
    assert stale.unique_id == host  # the first look at the camera set its address id

    twin = blackvue_entry(dashcam, destination / "twin")
    twin.add_to_hass(hass)
    hass.config_entries.async_update_entry(twin, unique_id=f"dashcam.lan:{dashcam.port}")
    assert await hass.config_entries.async_setup(twin.entry_id)
    await hass.async_block_till_done()

    assert twin.unique_id == f"dashcam.lan:{dashcam.port}"  # the address id is taken
    issue = ir.async_get(hass).async_get_issue(DOMAIN, f"duplicate_camera_{twin.entry_id}")
    assert issue is not None
    assert issue.translation_placeholders["detail"] == "Dashcam"
