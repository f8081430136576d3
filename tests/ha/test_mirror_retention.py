"""Retention and the mirrors: the local prune never outruns a mirror, and never touches one.

Also the repair issues: a mirror failing for an hour, and files the disk limit made retention
delete before every mirror had them.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from camera_simulators.blackvue import BlackVueSimulator
from custom_components.camsync.const import DOMAIN
from custom_components.camsync.mirror_issues import failing_issue_id, pruned_early_issue_id
from tests.ha.conftest import call_action, state_of, wait_for
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

OLD_DAYS = 40  # older than the entry's 30-day retention


def _old_recordings(destination: Path, days_ago: int = OLD_DAYS, count: int = 3) -> list[str]:
    """Write archived BlackVue recordings from ``days_ago`` days back; return their paths."""
    day = datetime.now() - timedelta(days=days_ago)
    written = []
    for index in range(count):
        stamp = (day + timedelta(minutes=index)).strftime("%Y%m%d_%H%M%S")
        relative = f"recordings/{day.date().isoformat()}/{stamp}_NF.mp4"
        path = destination / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(stamp.encode() * 1000)
        written.append(relative)
    return written


@pytest.fixture
def nas(nas_root: Path) -> Path:
    """Return the folder a folder mirror copies to (allowed to Home Assistant)."""
    return nas_root / "dashcam"


def _all_objects_fail(proxy: FaultProxy) -> Fault:
    """Make the S3 server refuse everything (403), as a revoked key would."""
    return proxy.add(
        Fault(lambda _request: True, "status", times=None, status=403, code="AccessDenied")
    )


async def test_the_local_prune_keeps_what_a_mirror_lacks_and_never_deletes_from_mirrors(
    hass: HomeAssistant,
    dashcam: BlackVueSimulator,
    destination: Path,
    nas: Path,
    s3_server: S3Server,
    s3_proxy: FaultProxy,
    admin: Any,
    bucket: str,
) -> None:
    old = _old_recordings(destination)
    refused = _all_objects_fail(s3_proxy)
    entry = entry_with_mirrors(
        dashcam,
        destination,
        [
            subentry("NAS", folder_data(nas), NAS),
            subentry("Cloud", s3_data(s3_server, s3_proxy.endpoint, bucket), CLOUD),
        ],
    )
    await set_up(hass, entry)
    await wait_for(lambda: state_of(hass, "sensor.cloud_status") == "error", timeout=20)
    await wait_for(lambda: all((nas / item).is_file() for item in old), timeout=20)

    pruned = await call_action(hass, "prune", config_entry_id=entry.entry_id)

    # The NAS has them, the bucket does not: nothing older than the window is deleted yet.
    assert pruned["deleted"] == []
    assert sorted(pruned["kept_for_mirrors"]) == sorted(str(destination / item) for item in old)
    assert all((destination / item).is_file() for item in old)

    s3_proxy.faults.remove(refused)
    await call_action(hass, "mirror", config_entry_id=entry.entry_id, wait=True)
    pruned = await call_action(hass, "prune", config_entry_id=entry.entry_id)

    assert sorted(pruned["deleted"]) == sorted(str(destination / item) for item in old)
    assert pruned["kept_for_mirrors"] == []
    assert not any((destination / item).exists() for item in old)
    # The mirrors keep what the archive no longer has, byte for byte.
    kept = {item: tree_hashes(nas)[item] for item in old}
    assert len(set(kept.values())) == len(old)
    objects = await bucket_objects(admin, bucket, PREFIX)
    assert {item: objects[f"{PREFIX}/{item}"] for item in old} == kept
    assert set(archive_hashes(destination)).isdisjoint(old)


async def test_a_file_older_than_a_mirrors_own_window_does_not_hold_the_prune_back(
    hass: HomeAssistant,
    dashcam: BlackVueSimulator,
    destination: Path,
    s3_server: S3Server,
    s3_proxy: FaultProxy,
    bucket: str,
) -> None:
    old = _old_recordings(destination)
    recent = _old_recordings(destination, days_ago=20)
    _all_objects_fail(s3_proxy)
    data = s3_data(s3_server, s3_proxy.endpoint, bucket, days=35)  # keeps 35 days; files are 40
    entry = entry_with_mirrors(dashcam, destination, [subentry("Cloud", data, CLOUD)])

    await set_up(hass, entry)  # the first look at the camera applies retention

    assert not any((destination / item).exists() for item in old)
    assert all((destination / item).is_file() for item in recent)
    pruned = await call_action(hass, "prune", config_entry_id=entry.entry_id, older_than_days=10)
    assert pruned["deleted"] == []
    assert sorted(pruned["kept_for_mirrors"]) == sorted(str(destination / item) for item in recent)


async def test_a_mirror_failing_for_an_hour_raises_a_repair_in_words_that_clears_itself(
    hass: HomeAssistant,
    dashcam: BlackVueSimulator,
    destination: Path,
    s3_server: S3Server,
    s3_proxy: FaultProxy,
    bucket: str,
) -> None:
    refused = _all_objects_fail(s3_proxy)
    entry = entry_with_mirrors(
        dashcam,
        destination,
        [subentry("Cloud", s3_data(s3_server, s3_proxy.endpoint, bucket), CLOUD)],
    )
    await set_up(hass, entry)
    with pytest.raises(HomeAssistantError):
        await call_action(hass, "mirror", config_entry_id=entry.entry_id, wait=True)
    assert state_of(hass, "sensor.cloud_status") == "error"
    issue_id = failing_issue_id(entry, CLOUD)
    registry = ir.async_get(hass)

    failing_since = entry.runtime_data.coordinator.mirrors.health(CLOUD).failing_since
    assert failing_since is not None
    async_fire_time_changed(hass, failing_since + timedelta(minutes=59))
    await hass.async_block_till_done()
    assert registry.async_get_issue(DOMAIN, issue_id) is None  # not an hour yet

    async_fire_time_changed(hass, failing_since + timedelta(minutes=61))
    await hass.async_block_till_done()
    issue = registry.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_key == "mirror_failing_access_denied"
    assert issue.translation_placeholders["mirror"] == "Cloud"
    assert issue.translation_placeholders["title"] == "Dashcam"
    assert issue.translation_placeholders["location"].startswith(f"s3://{bucket}/{PREFIX}/")
    assert "AccessDenied" in issue.translation_placeholders["detail"]

    s3_proxy.faults.remove(refused)
    await call_action(hass, "mirror", config_entry_id=entry.entry_id, wait=True)

    assert registry.async_get_issue(DOMAIN, issue_id) is None
    assert state_of(hass, "sensor.cloud_status") == "idle"


async def test_the_disk_limit_makes_retention_delete_unmirrored_files_and_says_so(
    hass: HomeAssistant,
    dashcam: BlackVueSimulator,
    destination: Path,
    s3_server: S3Server,
    s3_proxy: FaultProxy,
    bucket: str,
) -> None:
    old = _old_recordings(destination)
    refused = _all_objects_fail(s3_proxy)
    entry = entry_with_mirrors(
        dashcam,
        destination,
        [subentry("Cloud", s3_data(s3_server, s3_proxy.endpoint, bucket), CLOUD)],
    )
    await set_up(hass, entry)
    await wait_for(lambda: state_of(hass, "sensor.cloud_status") == "error", timeout=20)
    archive = entry.runtime_data.archive
    real = archive.disk_usage
    share = {"used": 0.5}

    def usage(path: Path) -> Any:
        measured = real(path)
        used = int(measured.total * share["used"])
        return type(measured)(measured.total, used, measured.total - used)

    archive.disk_usage = usage
    issue_id = pruned_early_issue_id(entry)
    registry = ir.async_get(hass)

    # Under the limit, the hourly retention keeps what the bucket lacks.
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(hours=1, seconds=5))
    await hass.async_block_till_done(wait_background_tasks=True)
    assert all((destination / item).is_file() for item in old)
    assert registry.async_get_issue(DOMAIN, issue_id) is None

    share["used"] = 0.95  # past the 90 % limit
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(hours=2, seconds=5))
    await hass.async_block_till_done(wait_background_tasks=True)

    assert not any((destination / item).exists() for item in old)
    issue = registry.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_placeholders == {"title": "Dashcam", "files": "3", "mirrors": "Cloud"}

    s3_proxy.faults.remove(refused)
    await call_action(hass, "mirror", config_entry_id=entry.entry_id, wait=True)
    assert registry.async_get_issue(DOMAIN, issue_id) is None


async def test_a_mirror_subentry_that_cannot_be_read_is_left_out(
    hass: HomeAssistant,
    dashcam: BlackVueSimulator,
    destination: Path,
    nas: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    broken = subentry("Broken", folder_data(nas), "broken01")
    broken["data"] = {"kind": "folder"}  # no path
    entry = entry_with_mirrors(dashcam, destination, [broken])

    mirrors = await set_up(hass, entry)

    assert mirrors.running == {}
    assert "Mirror Broken of Dashcam is not usable" in caplog.text
    assert hass.states.get("sensor.broken_status") is None
    # A new mirror can still be added beside it (the broken one is no place to compare with).
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, "mirror"), context={"source": "user"}
    )
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"next_step_id": "folder"}
    )
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {"path": str(nas.parent / "second"), "allow_same_disk": True, "retention_days": 0},
    )
    assert result["type"] == "create_entry"
    await hass.async_block_till_done()
    await wait_for(lambda: len(mirrors.running) == 1)
