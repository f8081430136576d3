"""Helpers of the Home Assistant mirror tests: entries with mirror subentries, waiting, hashes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from homeassistant.config_entries import ConfigSubentryData
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from camera_simulators.blackvue import BlackVueSimulator
from custom_components.camsync.mirror_config import (
    CONF_ACCESS_KEY_ID,
    CONF_ADDRESSING,
    CONF_ALLOW_SAME_DISK,
    CONF_BUCKET,
    CONF_ENDPOINT_URL,
    CONF_MIRROR_KIND,
    CONF_MIRROR_RETENTION_DAYS,
    CONF_MOUNT_POINT,
    CONF_PATH,
    CONF_PREFIX,
    CONF_REGION,
    CONF_SECRET_ACCESS_KEY,
    CONF_VERIFY_TLS,
    SUBENTRY_MIRROR,
    MirrorConfig,
)
from custom_components.camsync.mirroring import CameraMirrors
from tests.engine.mirrors.conftest import tree_hashes
from tests.ha.conftest import blackvue_entry
from tests.s3server import S3Server

__all__ = ["tree_hashes"]

NAS = "nas0000000000000000000000001"  # the subentry ids of the tests' two mirrors
CLOUD = "cloud00000000000000000000001"
PREFIX = "cams/dashcam"  # the S3 mirror's key prefix


def folder_data(
    path: Path, *, mount_point: Path | None = None, same_disk: bool = True, days: int = 0
) -> dict[str, Any]:
    """Return a folder mirror's subentry data (on the archive's disk unless told otherwise)."""
    return {
        CONF_MIRROR_KIND: "folder",
        CONF_PATH: str(path),
        CONF_MOUNT_POINT: str(mount_point) if mount_point else "",
        CONF_ALLOW_SAME_DISK: same_disk,
        CONF_MIRROR_RETENTION_DAYS: days,
    }


def s3_data(
    server: S3Server, endpoint: str, bucket: str, *, prefix: str = "cams/dashcam", days: int = 0
) -> dict[str, Any]:
    """Return an S3 mirror's subentry data with the camera key of the test server."""
    return {
        CONF_MIRROR_KIND: "s3",
        CONF_ENDPOINT_URL: endpoint,
        CONF_REGION: "us-east-1",
        CONF_BUCKET: bucket,
        CONF_PREFIX: prefix,
        CONF_ACCESS_KEY_ID: server.camera.access_key,
        CONF_SECRET_ACCESS_KEY: server.camera.secret_key,
        CONF_ADDRESSING: "auto",
        CONF_VERIFY_TLS: True,
        CONF_MIRROR_RETENTION_DAYS: days,
    }


def subentry(title: str, data: dict[str, Any], subentry_id: str) -> ConfigSubentryData:
    """Return a mirror subentry as a config entry stores it."""
    return ConfigSubentryData(
        data=data,
        subentry_id=subentry_id,  # type: ignore[typeddict-unknown-key]
        subentry_type=SUBENTRY_MIRROR,
        title=title,
        unique_id=MirrorConfig.from_data(data).fingerprint,
    )


def entry_with_mirrors(
    dashcam: BlackVueSimulator,
    destination: Path,
    mirrors: list[ConfigSubentryData],
    **options: Any,
) -> MockConfigEntry:
    """Return the dashcam's entry (as ``blackvue_entry`` makes it) with mirror subentries."""
    base = blackvue_entry(dashcam, destination, **options)
    return MockConfigEntry(
        domain=base.domain,
        version=base.version,
        title=base.title,
        unique_id=base.unique_id,
        data=dict(base.data),
        options=dict(base.options),
        subentries_data=mirrors,
    )


async def set_up(hass: HomeAssistant, entry: MockConfigEntry) -> CameraMirrors:
    """Add and set up an entry; return its mirrors."""
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return mirrors_of(entry)


def mirrors_of(entry: MockConfigEntry) -> CameraMirrors:
    """Return the running mirrors of a loaded entry."""
    mirrors: CameraMirrors = entry.runtime_data.coordinator.mirrors
    return mirrors


def archive_hashes(destination: Path) -> dict[str, str]:
    """Return every archived file (relative path -> SHA-256), camsync's own state aside."""
    return tree_hashes(destination)
