"""Killing Home Assistant mid-upload and starting it again: the finished parts are not sent again.

A real Home Assistant process (this repository's camsync, linked into a fresh configuration
folder whose storage holds one camera with an S3 mirror) uploads a 20 MiB recording in 8 MiB
parts to moto's S3 server through the fault proxy, which holds the second part. The process is
killed with SIGKILL (no shutdown of any kind), started again, and left to finish. The proxy counts
what it received for every part.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import contextlib
import hashlib
import json
import os
from pathlib import Path
import signal
import subprocess
import sys
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.camsync.const import CameraKind
from tests.e2e.harness import REPO, free_port, stop_process
from tests.ha.mirror_support import s3_data, subentry
from tests.s3server import S3Server
from tests.s3server.fixtures import bucket_objects
from tests.s3server.proxy import Fault, FaultProxy, upload_part

pytestmark = pytest.mark.e2e

MIB = 1024 * 1024
PART = 8 * MIB
RELATIVE = "recordings/2026-11-20/20261120_081502_EF.mp4"
CLOUD = "cloud00000000000000000000001"
STEP_TIMEOUT = 120.0


def _write_config(config: Path, media: Path, entry: MockConfigEntry) -> None:
    """Write a configuration folder whose storage already holds the camera and its mirror."""
    (config / "custom_components").mkdir(parents=True)
    (config / "custom_components" / "camsync").symlink_to(REPO / "custom_components" / "camsync")
    (config / "configuration.yaml").write_text(
        f"homeassistant:\n  media_dirs:\n    local: {media}\n"
        "logger:\n  default: warning\n  logs:\n    custom_components.camsync: debug\n",
        encoding="utf-8",
    )
    storage = {
        "version": 1,
        "minor_version": 5,
        "key": "core.config_entries",
        "data": {"entries": [entry.as_dict()]},
    }
    (config / ".storage").mkdir()
    (config / ".storage" / "core.config_entries").write_text(json.dumps(storage))


def _start(config: Path, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as console:
        script = str(REPO / "scripts" / "dev_bootstrap.py")
        return subprocess.Popen(
            [sys.executable, script, "hass", "-c", str(config), "--skip-pip"],
            cwd=config.parent,
            stdin=subprocess.DEVNULL,
            stdout=console,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


async def _until(condition: Any, what: str, process: subprocess.Popen[bytes]) -> None:
    async with asyncio.timeout(STEP_TIMEOUT):
        while not await condition():
            if process.poll() is not None:
                pytest.fail(f"Home Assistant exited ({process.returncode}) before {what}")
            await asyncio.sleep(0.2)


@pytest.fixture
async def proxy(s3_server: S3Server) -> AsyncIterator[FaultProxy]:
    """Return a fault proxy in front of the S3 server."""
    async with FaultProxy(s3_server.endpoint) as running:
        yield running


async def test_killing_home_assistant_mid_upload_resends_no_finished_part(
    tmp_path: Path, s3_server: S3Server, proxy: FaultProxy, admin: Any, bucket: str
) -> None:
    config, media = tmp_path / "config", tmp_path / "media"
    destination = media / "camsync" / "car"
    data = bytes(range(256)) * (20 * MIB // 256)
    (destination / RELATIVE).parent.mkdir(parents=True)
    (destination / RELATIVE).write_bytes(data)
    entry = MockConfigEntry(
        domain="camsync",
        version=2,
        title="Car",
        unique_id=f"127.0.0.1:{free_port()}",  # no camera answers there: it is away
        data={
            "kind": CameraKind.BLACKVUE.value,
            "host": f"127.0.0.1:{free_port()}",
            "destination": str(destination),
        },
        options={"auto_sync": False},
        subentries_data=[subentry("Cloud", s3_data(s3_server, proxy.endpoint, bucket), CLOUD)],
    )
    _write_config(config, media, entry)
    held = proxy.add(Fault(upload_part(2), "hang"))
    key = f"/{bucket}/cams/dashcam/{RELATIVE}"
    log = tmp_path / "console.log"

    process = _start(config, log)
    try:

        async def part_two_on_the_wire() -> bool:
            return held.started.is_set()

        await _until(part_two_on_the_wire, "the upload reached part 2", process)
        assert proxy.part_bytes[(key, 1)] == PART
        os.killpg(process.pid, signal.SIGKILL)  # no shutdown, no state written on the way out
        process.wait(10)
        proxy.clear()

        process = _start(config, log)

        async def uploaded() -> bool:
            with contextlib.suppress(Exception):
                await admin.head_object(Bucket=bucket, Key=f"cams/dashcam/{RELATIVE}")
                return True
            return False

        await _until(uploaded, "the upload finished", process)
    finally:
        stop_process(process)
        kept = REPO / "tests" / ".artifacts" / "mirror-kill.log"
        kept.parent.mkdir(parents=True, exist_ok=True)
        if (config / "home-assistant.log").exists():
            kept.write_bytes((config / "home-assistant.log").read_bytes())

    objects = await bucket_objects(admin, bucket, "cams/dashcam/")
    assert objects[f"cams/dashcam/{RELATIVE}"] == hashlib.sha256(data).hexdigest()
    assert proxy.part_bytes[(key, 1)] == PART  # sent once: the upload resumed
    assert proxy.part_bytes[(key, 2)] in (PART, 2 * PART)  # the one on the wire at the kill
    assert proxy.part_bytes[(key, 3)] == 4 * MIB
    creates = [seen for seen in proxy.requests if seen.method == "POST" and "uploads" in seen.query]
    assert len(creates) == 1
    log_text = (config / "home-assistant.log").read_text()
    assert "Detected blocking call" not in log_text
    assert s3_server.camera.secret_key not in log_text
