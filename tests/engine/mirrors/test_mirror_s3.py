"""S3 mirrors against a real S3 server (moto, own process) behind a fault-injecting proxy."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
import logging
from pathlib import Path
from typing import Any

import pytest

from custom_components.camsync.engine.mirrors import (
    Mirror,
    MirroredFile,
    MirrorHealth,
    MirrorReason,
    MirrorStatus,
    S3Settings,
    S3Target,
    check_s3,
)
from tests.s3server.proxy import Fault, FaultProxy, put_object, upload_part

from .conftest import FAST_RETRY, MIB, bucket_objects, recognise_stamp, tree_hashes, write_archive

ARCHIVE = {
    "recordings/2026-11-20/20261120_080000_NF.mp4": 12 * MIB + 12345,
    "recordings/2026-11-20/20261120_080000_NF.thm": 20_000,
    "recordings/2026-11-20/20261120_081000_EF.mp4": 3 * MIB,
    "snapshots/2026-11-20/front_20261120_090000.jpg": 150_000,
    "recordings/2026-11-20/20261120_082000_NF.gps": 0,
}


def mirror_for(
    settings: S3Settings, destination: Path, **kwargs: Any
) -> tuple[Mirror, list[MirroredFile]]:
    copied: list[MirroredFile] = []
    kwargs.setdefault("retry", FAST_RETRY)
    mirror = Mirror(
        "s3-main",
        S3Target(settings),
        destination,
        recognise=recognise_stamp,
        on_mirrored=copied.append,
        **kwargs,
    )
    return mirror, copied


async def test_every_archived_file_reaches_the_bucket_byte_identical(
    tmp_path: Path,
    s3_settings: Callable[..., S3Settings],
    s3_proxy: FaultProxy,
    admin: Any,
    bucket: str,
) -> None:
    destination = tmp_path / "archive"
    write_archive(destination, ARCHIVE)
    write_archive(destination, {".camsync/failures.json": b"{}", ".hidden": b"x"})
    mirror, copied = mirror_for(s3_settings(), destination)
    await mirror.start()
    try:
        report = await mirror.run_now(wait=True)
    finally:
        await mirror.stop()

    assert report is not None
    assert report.reason is None
    objects = await bucket_objects(admin, bucket, "cams/front/")
    expected = {f"cams/front/{path}": digest for path, digest in tree_hashes(destination).items()}
    assert objects == expected
    assert {item.relative for item in copied} == set(ARCHIVE)
    for item in copied:
        assert item.sha256 == expected[f"cams/front/{item.relative}"]
        assert item.location == f"s3://{bucket}/cams/front/{item.relative}"
    # Every body went with its SHA-256; none as aws-chunked with trailers.
    puts = [seen for seen in s3_proxy.requests if seen.method == "PUT" and seen.body]
    assert puts
    assert all("x-amz-checksum-sha256" in seen.headers for seen in puts)
    assert not any("x-amz-trailer" in seen.headers for seen in s3_proxy.requests)
    # The 12 MiB video went as a multipart upload of three parts.
    big = "/" + bucket + "/cams/front/recordings/2026-11-20/20261120_080000_NF.mp4"
    assert sorted(part for (path, part) in s3_proxy.part_bytes if path == big) == [1, 2, 3]
    assert mirror.health.backlog_files == 0
    assert mirror.health.status is MirrorStatus.IDLE
