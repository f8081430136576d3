"""Stopping Home Assistant mid-upload, then starting again: the finished parts are not sent again.

The S3 mirror uploads a 20 MiB recording in 8 MiB parts through the fault proxy, which holds the
second part; the entry is unloaded (as Home Assistant does when it stops) while that part is on
the wire, then set up again. The proxy counts the bytes of every part it received.
(``tests/e2e/test_mirror_kill.py`` does the same with a Home Assistant process killed by SIGKILL.)
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from homeassistant.core import HomeAssistant

from camera_simulators.blackvue import BlackVueSimulator
from tests.engine.mirrors.conftest import MIB
from tests.ha.conftest import call_action, wait_for
from tests.ha.mirror_support import CLOUD, entry_with_mirrors, s3_data, set_up, subentry
from tests.s3server import S3Server
from tests.s3server.fixtures import bucket_objects
from tests.s3server.proxy import Fault, FaultProxy, upload_part

PART = 8 * MIB  # the S3 mirror's part size
RELATIVE = "recordings/2026-11-20/20261120_081502_EF.mp4"


async def test_unloading_mid_upload_then_starting_again_resends_no_finished_part(
    hass: HomeAssistant,
    dashcam: BlackVueSimulator,
    destination: Path,
    s3_server: S3Server,
    s3_proxy: FaultProxy,
    admin: Any,
    bucket: str,
) -> None:
    data = bytes(range(256)) * (20 * MIB // 256)
    (destination / RELATIVE).parent.mkdir(parents=True)
    (destination / RELATIVE).write_bytes(data)
    held = s3_proxy.add(Fault(upload_part(2), "hang"))
    entry = entry_with_mirrors(
        dashcam,
        destination,
        [subentry("Cloud", s3_data(s3_server, s3_proxy.endpoint, bucket), CLOUD)],
    )
    await set_up(hass, entry)
    await wait_for(held.started.is_set, timeout=60)
    key = f"/{bucket}/cams/dashcam/{RELATIVE}"
    assert s3_proxy.part_bytes[(key, 1)] == PART  # part 1 done, part 2 on the wire

    assert await hass.config_entries.async_unload(entry.entry_id)  # Home Assistant stops
    s3_proxy.clear()
    assert await hass.config_entries.async_setup(entry.entry_id)  # ... and starts again
    await hass.async_block_till_done()
    await call_action(hass, "mirror", config_entry_id=entry.entry_id, wait=True)

    objects = await bucket_objects(admin, bucket, "cams/dashcam/")
    assert objects[f"cams/dashcam/{RELATIVE}"] == hashlib.sha256(data).hexdigest()
    assert s3_proxy.part_bytes[(key, 1)] == PART  # sent once: resumed, not restarted
    # Part 2 was on the wire when Home Assistant stopped: sent again, unless it reached the server.
    assert s3_proxy.part_bytes[(key, 2)] in (PART, 2 * PART)
    assert s3_proxy.part_bytes[(key, 3)] == 4 * MIB
    uploads = [
        seen for seen in s3_proxy.requests if seen.method == "POST" and "uploads" in seen.query
    ]
    assert len(uploads) == 1  # one multipart upload, continued after the restart
