"""Mirrors in Home Assistant: a real sync, then verified copies in a folder and in the S3 server.

Every test runs a real Home Assistant with the simulated dashcam on loopback, a folder mirror on
real directories and an S3 mirror in moto's server (its own process), reached through the fault
proxy where a test needs faults or byte counts.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from homeassistant.const import EVENT_HOMEASSISTANT_STOP
from homeassistant.core import Event, HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr, entity_registry as er, issue_registry as ir
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from camera_simulators.blackvue import BlackVueSimulator
from custom_components.camsync.const import EVENT_FILE_MIRRORED
from custom_components.camsync.identity import device_key, find_device
from custom_components.camsync.mirroring import mirror_device_key
from tests.ha.conftest import call_action, state_of, sync_and_wait, wait_for
from tests.ha.mirror_support import (
    CLOUD,
    NAS,
    PREFIX,
    archive_hashes,
    entry_with_mirrors,
    folder_data,
    s3_data,
    set_up,
    subentry,
    tree_hashes,
)
from tests.s3server import S3Server
from tests.s3server.fixtures import bucket_objects
from tests.s3server.proxy import Fault, FaultProxy


@pytest.fixture
def nas(nas_root: Path) -> Path:
    """Return the folder a folder mirror copies to (allowed to Home Assistant)."""
    return nas_root / "camsync" / "dashcam"


def _without_prefix(objects: dict[str, str], prefix: str = PREFIX) -> dict[str, str]:
    return {key.removeprefix(f"{prefix}/"): value for key, value in objects.items()}


async def test_a_sync_then_mirroring_leaves_every_file_byte_identical_in_folder_and_bucket(
    hass: HomeAssistant,
    dashcam: BlackVueSimulator,
    destination: Path,
    nas: Path,
    s3_server: S3Server,
    admin: Any,
    bucket: str,
) -> None:
    mirrored: list[Event] = []
    hass.bus.async_listen(EVENT_FILE_MIRRORED, mirrored.append)
    entry = entry_with_mirrors(
        dashcam,
        destination,
        [
            subentry("Dashcam on NAS", folder_data(nas), NAS),
            subentry("Dashcam on S3", s3_data(s3_server, s3_server.endpoint, bucket), CLOUD),
        ],
    )
    await set_up(hass, entry)

    report = await sync_and_wait(hass, entry)
    response = await call_action(hass, "mirror", config_entry_id=entry.entry_id, wait=True)

    archived = archive_hashes(destination)
    assert report["saved_files"] == len(archived) > 0
    assert tree_hashes(nas) == archived
    assert _without_prefix(await bucket_objects(admin, bucket, PREFIX)) == archived
    by_mirror = {item["mirror"]: item for item in response["mirrors"]}
    assert set(by_mirror) == {"Dashcam on NAS", "Dashcam on S3"}
    for item in by_mirror.values():
        assert item["reason"] is None
        assert item["failed"] == []
        assert item["backlog_files"] == 0
    # Every file reached both mirrors once, and each said so on the bus.
    assert sorted(event.data["relative"] for event in mirrored) == sorted(list(archived) * 2)
    event = next(e for e in mirrored if e.data["mirror"] == "Dashcam on S3")
    assert event.data["entry_id"] == entry.entry_id
    assert event.data["kind"] == "s3"
    assert event.data["location"] == f"s3://{bucket}/{PREFIX}/{event.data['relative']}"
    assert event.data["sha256"] == archived[event.data["relative"]]
    for name in ("dashcam_on_nas", "dashcam_on_s3"):
        assert state_of(hass, f"sensor.{name}_status") == "idle"
        assert state_of(hass, f"sensor.{name}_backlog") == "0"
        assert state_of(hass, f"sensor.{name}_backlog_size") == "0.0"
        last = hass.states.get(f"sensor.{name}_last_copied")
        assert last is not None
        assert last.state not in ("unknown", "unavailable")
        assert last.attributes["name"] in {Path(item).name for item in archived}


async def test_each_mirror_is_a_device_linked_to_the_camera(
    hass: HomeAssistant, dashcam: BlackVueSimulator, destination: Path, nas: Path
) -> None:
    entry = entry_with_mirrors(dashcam, destination, [subentry("NAS", folder_data(nas), NAS)])
    await set_up(hass, entry)

    camera = find_device(hass, entry, device_key(entry))
    mirror = find_device(hass, entry, mirror_device_key(entry, NAS))
    assert camera is not None
    assert mirror is not None
    assert mirror.via_device_id == camera.id
    assert mirror.name == "NAS"
    assert mirror.model == "Folder mirror"
    assert mirror.entry_type is dr.DeviceEntryType.SERVICE
    if hasattr(mirror, "config_subentry_id"):  # 2026.8+: one entry and subentry per device
        assert (mirror.config_entry_id, mirror.config_subentry_id) == (entry.entry_id, NAS)
    else:
        assert mirror.config_entries_subentries == {entry.entry_id: {NAS}}
    entities = er.async_entries_for_device(er.async_get(hass), mirror.id)
    assert {item.translation_key for item in entities} == {
        "mirror_status",
        "mirror_backlog",
        "mirror_backlog_size",
        "mirror_last_copied",
    }
    assert {item.config_subentry_id for item in entities} == {NAS}


async def test_backlog_is_unknown_until_the_mirror_has_read_what_it_holds(
    hass: HomeAssistant,
    dashcam: BlackVueSimulator,
    destination: Path,
    s3_server: S3Server,
    s3_proxy: FaultProxy,
    bucket: str,
) -> None:
    listing = s3_proxy.add(
        Fault(lambda request: request.method == "GET" and "list-type" in request.query, "hang")
    )
    entry = entry_with_mirrors(
        dashcam, destination, [subentry("S3", s3_data(s3_server, s3_proxy.endpoint, bucket), CLOUD)]
    )
    await set_up(hass, entry)
    await wait_for(listing.started.is_set)

    assert state_of(hass, "sensor.s3_backlog") == "unknown"
    assert state_of(hass, "sensor.s3_status") == "idle"

    s3_proxy.clear()
    await call_action(hass, "mirror", config_entry_id=entry.entry_id, wait=True)
    assert state_of(hass, "sensor.s3_backlog") == "0"


async def test_the_mirror_action_targets_one_mirror_by_name_or_device(
    hass: HomeAssistant,
    dashcam: BlackVueSimulator,
    destination: Path,
    nas: Path,
    s3_server: S3Server,
    bucket: str,
) -> None:
    entry = entry_with_mirrors(
        dashcam,
        destination,
        [
            subentry("NAS", folder_data(nas), NAS),
            subentry("Cloud", s3_data(s3_server, s3_server.endpoint, bucket), CLOUD),
        ],
    )
    await set_up(hass, entry)
    await sync_and_wait(hass, entry)

    named = await call_action(
        hass, "mirror", config_entry_id=entry.entry_id, mirror="cloud", wait=True
    )
    assert [item["mirror"] for item in named["mirrors"]] == ["Cloud"]

    device = find_device(hass, entry, mirror_device_key(entry, NAS))
    assert device is not None
    by_device = await call_action(hass, "mirror", device_id=device.id, wait=True)
    assert [item["mirror"] for item in by_device["mirrors"]] == ["NAS"]

    started = await call_action(hass, "mirror", config_entry_id=entry.entry_id)
    assert sorted(started["started"]) == ["Cloud", "NAS"]

    with pytest.raises(ServiceValidationError) as raised:
        await call_action(hass, "mirror", config_entry_id=entry.entry_id, mirror="attic")
    assert raised.value.translation_key == "unknown_mirror"
    assert raised.value.translation_placeholders["mirrors"] == "Cloud, NAS"


async def test_the_mirror_action_refuses_a_camera_without_mirrors(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    with pytest.raises(ServiceValidationError) as raised:
        await call_action(hass, "mirror", config_entry_id=entry.entry_id, wait=True)
    assert raised.value.translation_key == "no_mirrors"


async def test_a_mirror_that_cannot_work_fails_the_waiting_action_in_words(
    hass: HomeAssistant, dashcam: BlackVueSimulator, destination: Path, tmp_path: Path
) -> None:
    share = tmp_path / "share"  # marked as a mount point, but nothing is mounted on it
    share.mkdir()
    hass.config.allowlist_external_dirs |= {str(share)}
    data = folder_data(share / "cams", mount_point=share, same_disk=False)
    entry = entry_with_mirrors(dashcam, destination, [subentry("NAS", data, NAS)])
    await set_up(hass, entry)

    with pytest.raises(HomeAssistantError) as raised:
        await call_action(hass, "mirror", config_entry_id=entry.entry_id, wait=True)

    assert raised.value.translation_key == "mirror_failed"
    assert raised.value.translation_placeholders["mirror"] == "NAS"
    assert str(share) in raised.value.translation_placeholders["detail"]
    assert state_of(hass, "sensor.nas_status") == "away"
    status = hass.states.get("sensor.nas_status")
    assert status is not None
    assert status.attributes["reason"] == "unmounted"
    assert not (share / "cams").exists()  # nothing was written into the empty mount point


async def test_diagnostics_show_the_mirrors_and_no_secret_reaches_logs_or_diagnostics(
    hass: HomeAssistant,
    dashcam: BlackVueSimulator,
    destination: Path,
    nas: Path,
    s3_server: S3Server,
    s3_proxy: FaultProxy,
    bucket: str,
    hass_client: ClientSessionGenerator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    good = s3_data(s3_server, s3_proxy.endpoint, bucket)
    wrong = s3_data(s3_server, s3_proxy.endpoint, bucket, prefix="cams/other")
    wrong["secret_access_key"] = "WrongSecretThatMustNeverBeShown0123456789"
    entry = entry_with_mirrors(
        dashcam,
        destination,
        [
            subentry("NAS", folder_data(nas), NAS),
            subentry("Cloud", good, CLOUD),
            subentry("Broken", wrong, "broken000000000000000000001"),
        ],
    )
    await set_up(hass, entry)
    await sync_and_wait(hass, entry)
    with pytest.raises(HomeAssistantError) as raised:
        await call_action(hass, "mirror", config_entry_id=entry.entry_id, wait=True)
    assert raised.value.translation_placeholders["mirror"] == "Broken"

    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)

    by_title = {item["title"]: item for item in diagnostics["mirrors"]}
    assert by_title["NAS"]["kind"] == "folder"
    assert by_title["NAS"]["settings"]["path"] == str(nas)
    assert by_title["NAS"]["health"]["status"] == "idle"
    assert by_title["Cloud"]["kind"] == "s3"
    assert by_title["Cloud"]["settings"]["bucket"] == bucket
    assert by_title["Cloud"]["settings"]["secret_access_key"] == "**REDACTED**"
    assert by_title["Cloud"]["settings"]["access_key_id"] == "**REDACTED**"
    assert by_title["Cloud"]["health"]["backlog_files"] == 0
    assert by_title["Broken"]["health"]["last_error"] == "bad_credentials"
    texts = [str(diagnostics), caplog.text, str(raised.value.translation_placeholders)]
    texts += [str(issue.translation_placeholders) for issue in ir.async_get(hass).issues.values()]
    for secret in (s3_server.camera.secret_key, wrong["secret_access_key"]):
        for text in texts:
            assert secret not in text
    assert s3_server.camera.access_key not in str(diagnostics)
    assert "cams/other/" in caplog.text  # the failure was logged (without the secret)


async def test_the_mirrors_stop_with_the_entry_and_keep_what_they_copied(
    hass: HomeAssistant, dashcam: BlackVueSimulator, destination: Path, nas: Path
) -> None:
    entry = entry_with_mirrors(dashcam, destination, [subentry("NAS", folder_data(nas), NAS)])
    mirrors = await set_up(hass, entry)
    await sync_and_wait(hass, entry)
    await call_action(hass, "mirror", config_entry_id=entry.entry_id, wait=True)
    mirror = mirrors.running[NAS].mirror

    assert await hass.config_entries.async_unload(entry.entry_id)

    assert not mirror.running
    assert tree_hashes(nas) == archive_hashes(destination)
    assert (destination / ".camsync" / "mirrors" / NAS / "state.json").is_file()
    assert state_of(hass, "sensor.nas_status") == "unavailable"


async def test_snapshots_reach_the_mirrors_too(
    hass: HomeAssistant, dashcam: BlackVueSimulator, destination: Path, nas: Path
) -> None:
    entry = entry_with_mirrors(dashcam, destination, [subentry("NAS", folder_data(nas), NAS)])
    mirrors = await set_up(hass, entry)
    await call_action(hass, "mirror", config_entry_id=entry.entry_id, wait=True)

    shot = await call_action(hass, "snapshot", config_entry_id=entry.entry_id)
    relative = Path(shot["path"]).relative_to(destination).as_posix()

    name = Path(shot["path"]).name
    await wait_for(lambda: mirrors.running[NAS].health.last_copied_name == name, timeout=20)
    assert (nas / relative).read_bytes() == Path(shot["path"]).read_bytes()
    assert hass.states.get("sensor.nas_last_copied").attributes["name"] == name


async def test_the_mirrors_stop_when_home_assistant_stops(
    hass: HomeAssistant, dashcam: BlackVueSimulator, destination: Path, nas: Path
) -> None:
    entry = entry_with_mirrors(dashcam, destination, [subentry("NAS", folder_data(nas), NAS)])
    mirrors = await set_up(hass, entry)
    mirror = mirrors.running[NAS].mirror
    assert mirror.running

    hass.bus.async_fire(EVENT_HOMEASSISTANT_STOP)
    await hass.async_block_till_done()

    assert not mirror.running
    assert (destination / ".camsync" / "mirrors" / NAS / "state.json").is_file()


async def test_a_file_made_outside_the_sync_is_queued_at_once(
    hass: HomeAssistant, dashcam: BlackVueSimulator, destination: Path, nas: Path
) -> None:
    entry = entry_with_mirrors(dashcam, destination, [subentry("NAS", folder_data(nas), NAS)])
    mirrors = await set_up(hass, entry)
    await call_action(hass, "mirror", config_entry_id=entry.entry_id, wait=True)
    timelapse = destination / "timelapses" / "dashcam_20261120.mp4"  # as the media side makes
    timelapse.parent.mkdir(parents=True)
    timelapse.write_bytes(b"timelapse" * 1000)

    mirrors.enqueue_file(timelapse, timelapse.stat().st_size, dt_util.utcnow())

    relative = "timelapses/dashcam_20261120.mp4"
    await wait_for(lambda: mirrors.running[NAS].health.last_copied_name == timelapse.name)
    assert (nas / relative).read_bytes() == timelapse.read_bytes()
    mirrors.enqueue_file(Path("/elsewhere/x.mp4"), 1, dt_util.utcnow())  # not in the archive
