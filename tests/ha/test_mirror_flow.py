"""The mirror subentry flows: add (folder, S3), test before saving, every error, edit, remove."""

from __future__ import annotations

import json
from pathlib import Path
import socket
from typing import Any
from unittest.mock import patch

from homeassistant.config_entries import SOURCE_USER
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from camera_simulators.blackvue import BlackVueSimulator
from custom_components.camsync.engine.mirrors import MirrorCheck, MirrorReason
from custom_components.camsync.identity import find_device
from custom_components.camsync.mirror_config import SUBENTRY_MIRROR
from custom_components.camsync.mirroring import mirror_device_key
from tests.engine.mirrors.conftest import MIB, tmpfs  # noqa: F401  (a fixture)
from tests.ha.conftest import call_action, state_of, sync_and_wait, wait_for
from tests.ha.mirror_support import (
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
from tests.s3server.proxy import Fault, FaultProxy, upload_part

STRINGS = json.loads(
    (
        Path(__file__).parents[2] / "custom_components" / "camsync" / "translations" / "en.json"
    ).read_text()
)
ERRORS = STRINGS["config_subentries"]["mirror"]["error"]


@pytest.fixture
def allowed(hass: HomeAssistant, media: Path, tmp_path: Path) -> Path:
    """Return a folder outside the media folder that Home Assistant may write to."""
    folder = tmp_path / "allowed"
    folder.mkdir()
    hass.config.allowlist_external_dirs = {str(media), str(folder)}
    return folder


async def _form(hass: HomeAssistant, entry: MockConfigEntry, kind: str) -> dict[str, Any]:
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, SUBENTRY_MIRROR), context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.MENU
    assert result["menu_options"] == ["folder", "s3"]
    assert result["description_placeholders"] == {"camera": "Dashcam"}
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"next_step_id": kind}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == kind
    return dict(result)


async def _submit(hass: HomeAssistant, flow: dict[str, Any], data: dict[str, Any]) -> Any:
    result = await hass.config_entries.subentries.async_configure(flow["flow_id"], data)
    await hass.async_block_till_done()
    return result


def _message(result: Any, key: str = "base") -> str:
    """Return a form error as the user reads it (fails when a placeholder is missing)."""
    text: str = ERRORS[result["errors"][key]]
    return text.format(**result["description_placeholders"])


def _s3_input(server: S3Server, endpoint: str, bucket_name: str, **changes: Any) -> dict[str, Any]:
    return {
        "endpoint_url": endpoint,
        "region": "us-east-1",
        "bucket": bucket_name,
        "access_key_id": server.camera.access_key,
        "secret_access_key": server.camera.secret_key,
        "addressing": "auto",
        "verify_tls": True,
        "retention_days": 90,
    } | changes


def _suggested(result: Any) -> dict[str, Any]:
    return {
        str(key): key.description["suggested_value"]
        for key in result["data_schema"].schema
        if key.description and "suggested_value" in key.description
    }


async def test_a_folder_mirror_is_tried_saved_and_starts_copying_at_once(
    hass: HomeAssistant, entry: MockConfigEntry, allowed: Path, destination: Path
) -> None:
    await sync_and_wait(hass, entry)
    flow = await _form(hass, entry, "folder")

    result = await _submit(
        hass,
        flow,
        {"path": f"{allowed}/cams/", "allow_same_disk": True, "retention_days": 365.0},
    )

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Dashcam on cams"
    (mirror,) = entry.subentries.values()
    assert mirror.unique_id == f"folder:{allowed}/cams"
    assert dict(mirror.data) == {
        "kind": "folder",
        "retention_days": 365,
        "path": f"{allowed}/cams",
        "mount_point": "",
        "allow_same_disk": True,
    }
    # The running camera took the new mirror without a reload: it copies the archive.
    assert entry.runtime_data.coordinator.mirrors.running.keys() == {mirror.subentry_id}
    await call_action(hass, "mirror", config_entry_id=entry.entry_id, wait=True)
    assert tree_hashes(allowed / "cams") == archive_hashes(destination)
    assert state_of(hass, "sensor.dashcam_on_cams_backlog") == "0"


async def test_a_share_mount_point_alone_makes_a_folder_named_after_the_camera(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    allowed: Path,
    tmpfs: Any,  # noqa: F811  (the fixture imported above)
) -> None:
    share = tmpfs(allowed / "nas", 128 * MIB)  # a real mount (skipped without root)

    flow = await _form(hass, entry, "folder")
    result = await _submit(hass, flow, {"mount_point": str(share), "retention_days": 0})

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Dashcam on nas"
    (mirror,) = entry.subentries.values()
    assert mirror.data["path"] == f"{share}/camsync/dashcam"
    assert mirror.data["mount_point"] == str(share)
    assert mirror.data["allow_same_disk"] is False
    assert (share / "camsync" / "dashcam").is_dir()  # made by the test before saving


@pytest.mark.parametrize(
    ("answers", "field", "error"),
    [
        ({}, "base", "folder_required"),
        ({"path": "relative/folder"}, "path", "folder_not_absolute"),
        ({"mount_point": "media/nas"}, "mount_point", "folder_not_absolute"),
        ({"path": "/etc/camsync-mirror"}, "path", "folder_not_allowed"),
        ({"path": "{allowed}/cams"}, "base", "same_disk"),
        ({"path": "{allowed}/cams", "mount_point": "{allowed}"}, "base", "unmounted"),
        (
            {"path": "{allowed}/cams", "mount_point": "{allowed}/share"},
            "base",
            "not_under_mount_point",
        ),
        ({"path": "{destination}/copy", "allow_same_disk": True}, "base", "inside_archive"),
        ({"path": "{blocked}/cams", "allow_same_disk": True}, "base", "not_writable"),
    ],
)
async def test_a_folder_that_cannot_work_is_refused_in_words_and_can_be_corrected(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    allowed: Path,
    destination: Path,
    answers: dict[str, Any],
    field: str,
    error: str,
) -> None:
    blocked = allowed / "blocked"
    blocked.write_text("a file where a folder should be")
    values = {"allowed": allowed, "destination": destination, "blocked": blocked}
    flow = await _form(hass, entry, "folder")

    result = await _submit(
        hass,
        flow,
        {"retention_days": 0}
        | {
            key: value.format(**values) if isinstance(value, str) else value
            for key, value in answers.items()
        },
    )

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {field: error}
    assert _message(result, field)
    assert not entry.subentries
    # The same form, corrected, saves the mirror.
    result = await _submit(
        hass, result, {"path": f"{allowed}/fixed", "allow_same_disk": True, "retention_days": 0}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_a_place_another_mirror_uses_is_refused_for_every_camera(
    hass: HomeAssistant,
    dashcam: BlackVueSimulator,
    destination: Path,
    allowed: Path,
    media: Path,
) -> None:
    taken = entry_with_mirrors(
        dashcam, destination, [subentry("NAS", folder_data(allowed / "cams"), "nas01")]
    )
    await set_up(hass, taken)
    other = MockConfigEntry(
        domain="camsync",
        version=taken.version,
        title="Dashcam",
        unique_id="other",
        data=dict(taken.data) | {"destination": str(media / "camsync" / "other")},
        options=dict(taken.options),
    )
    other.add_to_hass(hass)  # not set up: a subentry flow needs no running camera

    for path, error in (
        (allowed / "cams", "already_mirrored"),
        (allowed / "cams" / "inner", "overlaps_mirror"),
        (allowed, "overlaps_mirror"),
        (destination / "x", "inside_other_archive"),
    ):
        flow = await _form(hass, other, "folder")
        result = await _submit(
            hass, flow, {"path": str(path), "allow_same_disk": True, "retention_days": 0}
        )
        assert result["errors"] == {"path": error}, path
        assert _message(result, "path")


@pytest.mark.parametrize("reason", list(MirrorReason))
async def test_every_reason_a_test_can_fail_for_is_a_translated_error(
    hass: HomeAssistant, entry: MockConfigEntry, reason: MirrorReason
) -> None:
    failed = MirrorCheck(ok=False, reason=reason, detail="what the storage said")
    flow = await _form(hass, entry, "s3")
    with patch("custom_components.camsync.mirror_flow.check_s3", return_value=failed):
        result = await _submit(
            hass,
            flow,
            {
                "endpoint_url": "https://s3.example.com",
                "region": "us-east-1",
                "bucket": "camsync-cams",
                "access_key_id": "AKIAEXAMPLE",
                "secret_access_key": "example-secret",
                "retention_days": 0,
            },
        )

    assert result["errors"] == {"base": reason.value}
    message = _message(result)
    assert "{" not in message
    assert "example-secret" not in str(result)
    if "{detail}" in ERRORS[reason.value]:
        assert "what the storage said" in message


async def test_an_s3_mirror_is_tried_saved_and_named_after_the_camera(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    destination: Path,
    s3_server: S3Server,
    admin: Any,
    bucket: str,
) -> None:
    await sync_and_wait(hass, entry)
    flow = await _form(hass, entry, "s3")
    assert _suggested(flow)["prefix"] == "camsync/dashcam"

    result = await _submit(
        hass, flow, _s3_input(s3_server, s3_server.endpoint, bucket, prefix="camsync/dashcam")
    )

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == f"Dashcam on {bucket}"
    (mirror,) = entry.subentries.values()
    assert mirror.unique_id == f"s3:{s3_server.endpoint}|{bucket}|camsync/dashcam/"
    assert mirror.data["secret_access_key"] == s3_server.camera.secret_key
    assert mirror.data["retention_days"] == 90
    await call_action(hass, "mirror", config_entry_id=entry.entry_id, wait=True)
    objects = await bucket_objects(admin, bucket)
    assert {key.removeprefix("camsync/dashcam/"): value for key, value in objects.items()} == (
        archive_hashes(destination)
    )  # the probe object of the test is gone


async def test_an_s3_mirror_that_cannot_work_is_refused_for_its_real_reason(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    s3_server: S3Server,
    admin: Any,
    bucket: str,
) -> None:
    other = "elsewhere-bucket"  # the camera key may use buckets named camsync* only
    await admin.create_bucket(Bucket=other)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"
    endpoint = s3_server.endpoint
    for changes, field, error in (
        ({"secret_access_key": "not-the-secret"}, "base", "bad_credentials"),
        ({"access_key_id": "AKIANOSUCHKEY0000000"}, "base", "bad_credentials"),
        ({"bucket": "camsync-no-such-bucket"}, "base", "bucket_missing"),
        ({"bucket": other}, "base", "access_denied"),
        ({"bucket": ""}, "bucket", "invalid_bucket_name"),
        ({"bucket": "camsync/cams"}, "base", "invalid_bucket_name"),
        ({"endpoint_url": closed}, "base", "endpoint_unreachable"),
        ({"endpoint_url": "not a url"}, "base", "invalid_endpoint"),
    ):
        flow = await _form(hass, entry, "s3")
        result = await _submit(hass, flow, _s3_input(s3_server, endpoint, bucket, **changes))
        assert result["errors"] == {field: error}, changes
        assert "not-the-secret" not in str(result)
        assert _message(result, field)
    assert not entry.subentries


async def test_editing_an_s3_mirror_never_shows_the_secret_and_keeps_it_when_left_empty(
    hass: HomeAssistant,
    dashcam: BlackVueSimulator,
    destination: Path,
    s3_server: S3Server,
    admin: Any,
    bucket: str,
) -> None:
    data = s3_data(s3_server, s3_server.endpoint, bucket, prefix="cams/old")
    entry = entry_with_mirrors(dashcam, destination, [subentry("Cloud", data, "cloud01")])
    mirrors = await set_up(hass, entry)
    await sync_and_wait(hass, entry)

    result = await entry.start_subentry_reconfigure_flow(hass, "cloud01")
    assert result["step_id"] == "s3"
    suggested = _suggested(result)
    assert suggested["prefix"] == "cams/old"
    assert suggested["name"] == "Cloud"
    assert "secret_access_key" not in suggested
    assert s3_server.camera.secret_key not in str(result)

    answers = _s3_input(s3_server, s3_server.endpoint, bucket, prefix="cams/new", name="Bucket")
    del answers["secret_access_key"]
    result = await _submit(hass, result, answers)

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    mirror = entry.subentries["cloud01"]
    assert mirror.title == "Bucket"
    assert mirror.data["secret_access_key"] == s3_server.camera.secret_key
    assert mirror.unique_id == f"s3:{s3_server.endpoint}|{bucket}|cams/new/"
    await wait_for(lambda: mirrors.running["cloud01"].config.s3.prefix == "cams/new")
    await call_action(hass, "mirror", config_entry_id=entry.entry_id, wait=True)
    keys = set(await bucket_objects(admin, bucket, "cams/new/"))
    assert {key.removeprefix("cams/new/") for key in keys} == set(archive_hashes(destination))
    assert state_of(hass, "sensor.cloud_status") == "idle"  # the entity id stays


async def test_editing_a_folder_mirror_shows_its_form_filled_in(
    hass: HomeAssistant, dashcam: BlackVueSimulator, destination: Path, allowed: Path
) -> None:
    entry = entry_with_mirrors(
        dashcam, destination, [subentry("NAS", folder_data(allowed / "a"), "nas01")]
    )
    mirrors = await set_up(hass, entry)

    result = await entry.start_subentry_reconfigure_flow(hass, "nas01")
    assert result["step_id"] == "folder"
    assert _suggested(result)["path"] == str(allowed / "a")
    result = await _submit(
        hass, result, {"path": str(allowed / "a"), "allow_same_disk": True, "retention_days": 30}
    )

    assert result["reason"] == "reconfigure_successful"
    assert entry.subentries["nas01"].data["retention_days"] == 30
    await wait_for(lambda: mirrors.running["nas01"].mirror.retention is not None)
    assert mirrors.running["nas01"].mirror.retention.days == 30


async def test_removing_a_mirror_stops_it_drops_its_entities_and_its_unfinished_upload(
    hass: HomeAssistant,
    dashcam: BlackVueSimulator,
    destination: Path,
    s3_server: S3Server,
    s3_proxy: FaultProxy,
    admin: Any,
    bucket: str,
) -> None:
    big = destination / "recordings" / "2026-11-20" / "20261120_081502_NF.mp4"
    big.parent.mkdir(parents=True)
    big.write_bytes(b"\x00" * (9 * MIB))  # two parts of 8 MiB
    hang = s3_proxy.add(Fault(upload_part(2), "hang"))
    data = s3_data(s3_server, s3_proxy.endpoint, bucket)
    entry = entry_with_mirrors(dashcam, destination, [subentry("Cloud", data, "cloud01")])
    mirrors = await set_up(hass, entry)
    await wait_for(hang.started.is_set, timeout=30)
    uploads = await admin.list_multipart_uploads(Bucket=bucket)
    assert len(uploads.get("Uploads", [])) == 1
    assert er.async_get(hass).async_get("sensor.cloud_status") is not None

    assert hass.config_entries.async_remove_subentry(entry, "cloud01")
    s3_proxy.clear()
    await hass.async_block_till_done()

    await wait_for(lambda: not mirrors.running and not mirrors.mirrors.mirrors)
    await hass.async_block_till_done()
    assert er.async_get(hass).async_get("sensor.cloud_status") is None
    assert hass.states.get("sensor.cloud_status") is None
    assert not (destination / ".camsync" / "mirrors" / "cloud01").exists()
    uploads = await admin.list_multipart_uploads(Bucket=bucket)
    assert uploads.get("Uploads", []) == []  # aborted: no parts left billed in the bucket


async def test_renaming_a_mirror_renames_its_device_and_keeps_it_running(
    hass: HomeAssistant, dashcam: BlackVueSimulator, destination: Path, allowed: Path
) -> None:
    entry = entry_with_mirrors(
        dashcam, destination, [subentry("NAS", folder_data(allowed / "a"), "nas01")]
    )
    mirrors = await set_up(hass, entry)
    running = mirrors.running["nas01"].mirror

    result = await entry.start_subentry_reconfigure_flow(hass, "nas01")
    result = await _submit(
        hass,
        result,
        {"name": "Attic", "path": str(allowed / "a"), "allow_same_disk": True, "retention_days": 0},
    )

    assert result["reason"] == "reconfigure_successful"
    await wait_for(lambda: mirrors.running["nas01"].title == "Attic")
    device = find_device(hass, entry, mirror_device_key(entry, "nas01"))
    assert device is not None
    assert device.name == "Attic"
    assert mirrors.running["nas01"].mirror is running  # the same settings: not restarted


async def test_an_s3_prefix_overlapping_another_mirrors_is_refused(
    hass: HomeAssistant,
    dashcam: BlackVueSimulator,
    destination: Path,
    s3_server: S3Server,
    bucket: str,
) -> None:
    data = s3_data(s3_server, s3_server.endpoint, bucket, prefix="cams/dashcam")
    entry = entry_with_mirrors(dashcam, destination, [subentry("Cloud", data, "cloud01")])
    await set_up(hass, entry)

    for prefix, error in (
        ("cams/dashcam/", "already_mirrored"),
        ("cams", "overlaps_mirror"),
        ("cams/dashcam/inner", "overlaps_mirror"),
        ("", "overlaps_mirror"),  # the whole bucket
    ):
        flow = await _form(hass, entry, "s3")
        answers = _s3_input(s3_server, s3_server.endpoint, bucket, prefix=prefix)
        result = await _submit(hass, flow, answers)
        assert result["errors"] == {"prefix": error}, prefix
    # The same prefix in another bucket is another place (tried, and that bucket is missing).
    flow = await _form(hass, entry, "s3")
    answers = _s3_input(s3_server, s3_server.endpoint, "camsync-other", prefix="cams/dashcam")
    result = await _submit(hass, flow, answers)
    assert result["errors"] == {"base": "bucket_missing"}
