"""S3 mirrors against a real S3 server (moto, own process) behind a fault-injecting proxy."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import logging
from pathlib import Path
from typing import Any

import pytest

from custom_components.camsync.engine.mirrors import (
    Mirror,
    MirroredFile,
    MirrorHealth,
    MirrorItem,
    MirrorReason,
    MirrorStatus,
    S3Settings,
    S3Target,
    check_s3,
)
from tests.s3server.proxy import Fault, FaultProxy, upload_part

from .conftest import (
    FAST_RETRY,
    MIB,
    START,
    bucket_objects,
    recognise_stamp,
    tree_hashes,
    write_archive,
)

AWAY_REASONS = (MirrorReason.ENDPOINT_UNREACHABLE, MirrorReason.TIMEOUT)
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


# --- test before saving: one reason code per failure -------------------------------------------


async def test_check_accepts_a_working_bucket_and_leaves_nothing_behind(
    s3_settings: Callable[..., S3Settings], admin: Any, bucket: str
) -> None:
    result = await check_s3(s3_settings())
    assert result.ok, result
    assert await bucket_objects(admin, bucket) == {}


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"access_key_id": "AKIAUNKNOWNKEY000000"}, MirrorReason.BAD_CREDENTIALS),
        (
            {"secret_access_key": "not-the-secret-at-all-0000000000000000000"},
            MirrorReason.BAD_CREDENTIALS,
        ),
        ({"bucket": "camsync-no-such-bucket"}, MirrorReason.BUCKET_MISSING),
        ({"bucket": "someone-elses-bucket"}, MirrorReason.ACCESS_DENIED),
        ({"bucket": "Not_A_Bucket!"}, MirrorReason.INVALID_BUCKET_NAME),
        ({"endpoint_url": "http://127.0.0.1:9"}, MirrorReason.ENDPOINT_UNREACHABLE),
        ({"endpoint_url": "not a url"}, MirrorReason.INVALID_ENDPOINT),
    ],
)
async def test_check_names_what_is_wrong(
    s3_settings: Callable[..., S3Settings],
    admin: Any,
    changes: dict[str, str],
    reason: MirrorReason,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    if changes.get("bucket") == "someone-elses-bucket":
        await admin.create_bucket(Bucket="someone-elses-bucket")
    settings = s3_settings(**changes)
    result = await check_s3(settings)
    assert not result.ok
    assert result.reason is reason, result
    # The secret is in no answer, log line or repr.
    secret = settings.secret_access_key
    assert secret not in result.detail
    assert secret not in caplog.text
    assert secret not in repr(settings)
    assert secret not in repr(S3Target(settings))
    assert settings.access_key_id not in repr(settings)


async def test_failures_never_show_the_secret(
    tmp_path: Path,
    s3_settings: Callable[..., S3Settings],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    destination = tmp_path / "archive"
    write_archive(destination, {"recordings/20261120_080000_NF.mp4": 1000})
    settings = s3_settings(secret_access_key="wrong-" + "s" * 34)
    health: list[MirrorHealth] = []
    mirror, _ = mirror_for(settings, destination, on_health=health.append)
    await mirror.start()
    try:
        report = await mirror.run_now(wait=True)
    finally:
        await mirror.stop()
    assert report is not None
    assert report.reason is MirrorReason.BAD_CREDENTIALS
    assert mirror.health.status is MirrorStatus.ERROR
    assert mirror.health.failing_since is not None
    texts = [caplog.text, report.detail, repr(report), repr(mirror), repr(health)]
    state = (destination / ".camsync/mirrors/s3-main/state.json").read_text()
    for text in [*texts, state]:
        assert settings.secret_access_key not in text
    assert "SignatureDoesNotMatch" in report.detail


# --- verified uploads --------------------------------------------------------------------------


async def test_a_corrupted_body_is_refused_by_the_server_and_sent_again(
    tmp_path: Path,
    s3_settings: Callable[..., S3Settings],
    s3_proxy: FaultProxy,
    admin: Any,
    bucket: str,
) -> None:
    destination = tmp_path / "archive"
    write_archive(destination, {"recordings/20261120_080000_NF.mp4": 7 * MIB})
    fault = s3_proxy.add(Fault(upload_part(2), "corrupt"))
    mirror, copied = mirror_for(s3_settings(), destination)
    await mirror.start()
    try:
        first = await mirror.run_now(wait=True)
        await asyncio.sleep(0.1)  # the file's back-off (50 ms) ends
        second = await mirror.run_now(wait=True)
    finally:
        await mirror.stop()
    assert fault.hits == 1
    assert first is not None
    assert [(item.relative, item.reason) for item in first.failed] == [
        ("recordings/20261120_080000_NF.mp4", MirrorReason.CHECKSUM_MISMATCH)
    ]
    assert next(seen.status for seen in s3_proxy.requests if seen.part == 2) == 400
    assert second is not None
    assert [item.relative for item in second.copied] == ["recordings/20261120_080000_NF.mp4"]
    objects = await bucket_objects(admin, bucket)
    assert objects == {f"cams/front/{k}": v for k, v in tree_hashes(destination).items()}
    # Part 1 was not sent again: the second attempt resumed the upload.
    key = f"/{bucket}/cams/front/recordings/20261120_080000_NF.mp4"
    assert s3_proxy.part_bytes[(key, 1)] == 5 * MIB
    assert copied[0].reused_bytes == 5 * MIB


async def test_a_500_on_one_part_backs_the_file_off_then_resumes_without_resending(
    tmp_path: Path,
    s3_settings: Callable[..., S3Settings],
    s3_proxy: FaultProxy,
    admin: Any,
    bucket: str,
) -> None:
    destination = tmp_path / "archive"
    size = 17 * MIB
    write_archive(
        destination,
        {"recordings/20261120_080000_NF.mp4": size, "recordings/20261120_090000_NF.mp4": 1000},
    )
    s3_proxy.add(Fault(upload_part(3), "status", status=500))
    mirror, copied = mirror_for(s3_settings(), destination)
    await mirror.start()
    try:
        first = await mirror.run_now(wait=True)
        await asyncio.sleep(0.1)
        second = await mirror.run_now(wait=True)
    finally:
        await mirror.stop()
    assert first is not None
    assert second is not None
    assert [item.reason for item in first.failed] == [MirrorReason.SERVER_ERROR]
    # The run went on with the next file.
    assert [item.relative for item in first.copied] == ["recordings/20261120_090000_NF.mp4"]
    assert [item.relative for item in second.copied] == ["recordings/20261120_080000_NF.mp4"]
    key = f"/{bucket}/cams/front/recordings/20261120_080000_NF.mp4"
    sent = {part: s3_proxy.part_bytes[(key, part)] for part in (1, 2, 3, 4)}
    assert sent == {1: 5 * MIB, 2: 5 * MIB, 3: 2 * 5 * MIB, 4: 2 * MIB}
    assert copied[-1].sent_bytes == 7 * MIB
    assert copied[-1].reused_bytes == 10 * MIB
    objects = await bucket_objects(admin, bucket)
    assert objects == {f"cams/front/{k}": v for k, v in tree_hashes(destination).items()}


async def test_a_reset_mid_upload_makes_the_mirror_away_then_it_resumes(
    tmp_path: Path,
    s3_settings: Callable[..., S3Settings],
    s3_proxy: FaultProxy,
    admin: Any,
    bucket: str,
) -> None:
    destination = tmp_path / "archive"
    write_archive(destination, {"recordings/20261120_080000_NF.mp4": 16 * MIB})
    s3_proxy.add(Fault(upload_part(3), "reset", after=1 * MIB))
    health: list[MirrorHealth] = []
    mirror, copied = mirror_for(
        s3_settings(read_timeout=10.0), destination, on_health=health.append
    )
    await mirror.start()
    try:
        first = await mirror.run_now(wait=True)
        # The connection dropped mid-part. aiobotocore 2.x reports the reset (or a read that never
        # ends): the mirror is away, not broken, and its own back-off tries again. aiobotocore
        # 3.x (Home Assistant 2026.10) sends the part again itself, within the same run.
        resent_by_client = mirror.health.status is MirrorStatus.IDLE
        if not resent_by_client:
            assert mirror.health.status is MirrorStatus.AWAY
            assert mirror.health.last_error in (AWAY_REASONS)
            assert mirror.health.backlog_files == 1
            assert mirror.health.backlog_bytes == 16 * MIB
            # The mirror's own back-off (50 ms) ends and it tries again by itself.
            for _ in range(100):
                if copied:
                    break
                await asyncio.sleep(0.05)
            await mirror.run_now(wait=True)
    finally:
        await mirror.stop()
    assert first is not None
    if not resent_by_client:
        assert first.reason in AWAY_REASONS
    assert [item.relative for item in copied] == ["recordings/20261120_080000_NF.mp4"]
    key = f"/{bucket}/cams/front/recordings/20261120_080000_NF.mp4"
    # Either way only the part that broke was sent twice.
    assert s3_proxy.part_bytes[(key, 1)] == 5 * MIB
    assert s3_proxy.part_bytes[(key, 2)] == 5 * MIB
    assert s3_proxy.part_bytes[(key, 3)] == 1 * MIB + 5 * MIB
    assert mirror.health.status is MirrorStatus.IDLE
    assert mirror.health.failing_since is None
    seen = {item.status for item in health}
    assert seen >= {MirrorStatus.COPYING, MirrorStatus.IDLE}
    assert (MirrorStatus.AWAY in seen) is not resent_by_client
    objects = await bucket_objects(admin, bucket)
    assert objects == {f"cams/front/{k}": v for k, v in tree_hashes(destination).items()}


# --- restarts: finished parts are never sent again ---------------------------------------------


async def test_killing_the_uploader_mid_upload_resumes_without_resending_parts(
    tmp_path: Path,
    s3_settings: Callable[..., S3Settings],
    s3_proxy: FaultProxy,
    admin: Any,
    bucket: str,
) -> None:
    import json
    import signal
    import sys

    destination = tmp_path / "archive"
    relative = "recordings/20261120_080000_NF.mp4"
    size = 23 * MIB
    write_archive(destination, {relative: size})
    hang = s3_proxy.add(Fault(upload_part(4), "hang"))
    settings = s3_settings()
    fields = {
        name: getattr(settings, name)
        for name in ("bucket", "access_key_id", "secret_access_key", "endpoint_url", "prefix")
    }
    fields.update(part_size=settings.part_size, max_attempts=1, read_timeout=60.0)
    work_dir = destination / ".camsync/mirrors/s3-main"
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.engine.mirrors.upload_child",
        json.dumps(fields),
        str(work_dir),
        str(destination / relative),
        relative,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        await asyncio.wait_for(hang.started.wait(), 60)
    finally:
        child.send_signal(signal.SIGKILL)  # Home Assistant killed mid-upload
        await child.wait()
    assert child.returncode == -signal.SIGKILL
    records = list((work_dir / "uploads").glob("*.json"))
    assert len(records) == 1
    assert sorted(json.loads(records[0].read_text())["parts"]) == ["1", "2", "3"]
    key = f"/{bucket}/cams/front/{relative}"
    before = dict(s3_proxy.part_bytes)
    s3_proxy.clear()

    mirror, copied = mirror_for(settings, destination)  # a fresh start
    await mirror.start()
    try:
        report = await mirror.run_now(wait=True)
    finally:
        await mirror.stop()

    assert report is not None
    assert [item.relative for item in report.copied] == [relative]
    after = {
        part: s3_proxy.part_bytes[(key, part)] - before.get((key, part), 0) for part in range(1, 6)
    }
    assert after == {1: 0, 2: 0, 3: 0, 4: 5 * MIB, 5: 3 * MIB}
    assert copied[0].reused_bytes == 15 * MIB
    assert copied[0].sent_bytes == 8 * MIB
    assert not list((work_dir / "uploads").glob("*.json"))  # the record is gone once complete
    objects = await bucket_objects(admin, bucket)
    assert objects == {f"cams/front/{relative}": tree_hashes(destination)[relative]}


async def test_a_part_the_record_missed_is_checked_against_the_server_not_resent(
    tmp_path: Path,
    s3_settings: Callable[..., S3Settings],
    s3_proxy: FaultProxy,
    admin: Any,
    bucket: str,
) -> None:
    """Killed after the server took a part but before the record said so: ListParts knows."""
    import json

    destination = tmp_path / "archive"
    relative = "recordings/20261120_080000_NF.mp4"
    write_archive(destination, {relative: 12 * MIB})
    hang = s3_proxy.add(Fault(upload_part(3), "hang"))
    mirror, _ = mirror_for(s3_settings(), destination)
    await mirror.start()
    try:
        await mirror.run_now(wait=False)
        await asyncio.wait_for(hang.started.wait(), 30)
    finally:
        await mirror.stop()  # cancels the task mid-part, as an unload does
    record_file = next((destination / ".camsync/mirrors/s3-main/uploads").glob("*.json"))
    record = json.loads(record_file.read_text())
    assert sorted(record["parts"]) == ["1", "2"]
    del record["parts"]["2"]
    record_file.write_text(json.dumps(record))
    s3_proxy.clear()
    s3_proxy.reset_counts()

    mirror, copied = mirror_for(s3_settings(), destination)
    await mirror.start()
    try:
        await mirror.run_now(wait=True)
    finally:
        await mirror.stop()
    key = f"/{bucket}/cams/front/{relative}"
    assert (key, 1) not in s3_proxy.part_bytes
    assert (key, 2) not in s3_proxy.part_bytes
    assert s3_proxy.part_bytes[(key, 3)] == 2 * MIB
    assert copied[0].reused_bytes == 10 * MIB
    objects = await bucket_objects(admin, bucket)
    assert objects == {f"cams/front/{relative}": tree_hashes(destination)[relative]}


async def test_an_upload_the_server_forgot_starts_again(
    tmp_path: Path,
    s3_settings: Callable[..., S3Settings],
    s3_proxy: FaultProxy,
    admin: Any,
    bucket: str,
) -> None:
    destination = tmp_path / "archive"
    relative = "recordings/20261120_080000_NF.mp4"
    write_archive(destination, {relative: 11 * MIB})
    hang = s3_proxy.add(Fault(upload_part(2), "hang"))
    mirror, _ = mirror_for(s3_settings(), destination)
    await mirror.start()
    try:
        await mirror.run_now(wait=False)
        await asyncio.wait_for(hang.started.wait(), 30)
    finally:
        await mirror.stop()
    s3_proxy.clear()
    uploads = await admin.list_multipart_uploads(Bucket=bucket)
    for upload in uploads.get("Uploads", ()):
        await admin.abort_multipart_upload(
            Bucket=bucket, Key=upload["Key"], UploadId=upload["UploadId"]
        )  # a lifecycle rule cleaned it up

    mirror, copied = mirror_for(s3_settings(), destination)
    await mirror.start()
    try:
        await mirror.run_now(wait=True)
    finally:
        await mirror.stop()
    assert copied[0].reused_bytes == 0
    objects = await bucket_objects(admin, bucket)
    assert objects == {f"cams/front/{relative}": tree_hashes(destination)[relative]}


# --- what is mirrored comes from the mirror ----------------------------------------------------


async def test_a_lost_state_file_costs_a_listing_not_an_upload(
    tmp_path: Path,
    s3_settings: Callable[..., S3Settings],
    s3_proxy: FaultProxy,
) -> None:
    destination = tmp_path / "archive"
    write_archive(destination, ARCHIVE)
    mirror, _ = mirror_for(s3_settings(), destination)
    await mirror.start()
    try:
        await mirror.run_now(wait=True)
    finally:
        await mirror.stop()
    state_dir = destination / ".camsync/mirrors/s3-main"
    for path in state_dir.rglob("*"):
        if path.is_file():
            path.unlink()
    s3_proxy.reset_counts()

    mirror, copied = mirror_for(s3_settings(), destination)
    await mirror.start()
    try:
        report = await mirror.run_now(wait=True)
    finally:
        await mirror.stop()
    assert report is not None
    assert report.copied == []
    assert copied == []
    # A listing and the check's probe object; not one archived byte.
    puts = [seen.path for seen in s3_proxy.requests if seen.method == "PUT"]
    assert len(puts) == 1
    assert ".camsync-probe-" in puts[0]
    assert mirror.health.backlog_files == 0


async def test_a_file_deleted_from_the_bucket_is_sent_again_after_a_relist(
    tmp_path: Path,
    s3_settings: Callable[..., S3Settings],
    admin: Any,
    bucket: str,
) -> None:
    destination = tmp_path / "archive"
    write_archive(destination, ARCHIVE)
    mirror, _ = mirror_for(s3_settings(), destination)
    await mirror.start()
    try:
        await mirror.run_now(wait=True)
        gone = "snapshots/2026-11-20/front_20261120_090000.jpg"
        await admin.delete_object(Bucket=bucket, Key=f"cams/front/{gone}")
        unchanged = await mirror.run_now(wait=True)
        relisted = await mirror.run_now(wait=True, relist=True)
    finally:
        await mirror.stop()
    assert unchanged is not None
    assert unchanged.copied == []
    assert relisted is not None
    assert [item.relative for item in relisted.copied] == [gone]


# --- the camera sync never waits for a mirror --------------------------------------------------


async def test_no_blocking_file_reads_on_the_event_loop_when_the_client_is_made(
    tmp_path: Path, s3_settings: Callable[..., S3Settings], monkeypatch: pytest.MonkeyPatch
) -> None:
    import builtins
    import io
    import threading

    loop_thread = threading.get_ident()
    opened: list[str] = []
    real_open = io.open

    def spy(file: Any, *args: Any, **kwargs: Any) -> Any:
        if threading.get_ident() == loop_thread:
            opened.append(str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", spy)
    target = S3Target(s3_settings())
    await target.open(tmp_path)
    await target.close()
    monkeypatch.undo()
    assert opened == []


async def test_no_certificates_are_loaded_on_the_event_loop_at_the_first_request(
    tmp_path: Path, s3_settings: Callable[..., S3Settings], monkeypatch: pytest.MonkeyPatch
) -> None:
    import ssl
    import threading

    loop_thread = threading.get_ident()
    loaded: list[str] = []
    real_load = ssl.SSLContext.load_verify_locations

    def spy(self: ssl.SSLContext, *args: Any, **kwargs: Any) -> None:
        if threading.get_ident() == loop_thread:  # Home Assistant reports this as blocking
            loaded.append(str(args[:1] or kwargs))
        real_load(self, *args, **kwargs)

    monkeypatch.setattr(ssl.SSLContext, "load_verify_locations", spy)
    target = S3Target(s3_settings())  # verify_tls on, as by default (the endpoint is plain http)
    await target.open(tmp_path)
    try:
        await target.check()  # the first requests: aiobotocore makes its connector now
    finally:
        await target.close()
    monkeypatch.undo()
    assert loaded == []


# --- retention, changed and vanished files -----------------------------------------------------


async def test_the_bucket_keeps_its_own_window(
    tmp_path: Path, s3_settings: Callable[..., S3Settings], admin: Any, bucket: str
) -> None:
    from datetime import timedelta

    destination = tmp_path / "archive"
    old, new = "recordings/20261120_080000_NF.mp4", "recordings/20261129_080000_NF.mp4"
    write_archive(destination, {old: 1000, new: 1000})
    # An earlier run put the old one there, and the user keeps a file of their own beside.
    await admin.put_object(Bucket=bucket, Key=f"cams/front/{old}", Body=b"x" * 1000)
    await admin.put_object(Bucket=bucket, Key="cams/front/notes.txt", Body=b"mine")
    mirror, copied = mirror_for(
        s3_settings(),
        destination,
        retention=timedelta(days=5),
        clock=lambda: START + timedelta(days=10),
    )
    await mirror.start()
    try:
        report = await mirror.run_now(wait=True)
    finally:
        await mirror.stop()
    assert report is not None
    assert [item.relative for item in copied] == [new]
    assert report.deleted == [old]
    assert sorted(await bucket_objects(admin, bucket)) == [
        "cams/front/notes.txt",
        f"cams/front/{new}",
    ]


async def interrupted_upload(
    destination: Path, settings: S3Settings, proxy: FaultProxy, part: int
) -> None:
    hang = proxy.add(Fault(upload_part(part), "hang"))
    mirror, _ = mirror_for(settings, destination)
    await mirror.start()
    try:
        await mirror.run_now(wait=False)
        await asyncio.wait_for(hang.started.wait(), 30)
    finally:
        await mirror.stop()
    proxy.clear()
    proxy.reset_counts()


async def test_a_file_that_changed_since_its_upload_began_starts_again(
    tmp_path: Path,
    s3_settings: Callable[..., S3Settings],
    s3_proxy: FaultProxy,
    admin: Any,
    bucket: str,
) -> None:
    import os

    destination = tmp_path / "archive"
    relative = "recordings/20261120_080000_NF.mp4"
    write_archive(destination, {relative: 11 * MIB})
    await interrupted_upload(destination, s3_settings(), s3_proxy, 2)
    (destination / relative).write_bytes(os.urandom(11 * MIB))  # replaced meanwhile

    mirror, copied = mirror_for(s3_settings(), destination)
    await mirror.start()
    try:
        await mirror.run_now(wait=True)
    finally:
        await mirror.stop()
    key = f"/{bucket}/cams/front/{relative}"
    assert s3_proxy.part_bytes[(key, 1)] == 5 * MIB  # sent again: the old part is another file's
    assert copied[0].reused_bytes == 0
    assert (await admin.list_multipart_uploads(Bucket=bucket)).get("Uploads", []) == []
    objects = await bucket_objects(admin, bucket)
    assert objects == {f"cams/front/{relative}": tree_hashes(destination)[relative]}


async def test_a_file_pruned_before_its_upload_finished_leaves_no_upload_behind(
    tmp_path: Path,
    s3_settings: Callable[..., S3Settings],
    s3_proxy: FaultProxy,
    admin: Any,
    bucket: str,
) -> None:
    destination = tmp_path / "archive"
    relative = "recordings/20261120_080000_NF.mp4"
    write_archive(destination, {relative: 11 * MIB, "recordings/20261120_090000_NF.mp4": 10})
    await interrupted_upload(destination, s3_settings(), s3_proxy, 2)
    (destination / relative).unlink()

    mirror, _ = mirror_for(s3_settings(), destination)
    await mirror.start()
    try:
        mirror.enqueue(MirrorItem(relative, 11 * MIB, START))  # still queued by the sync
        report = await mirror.run_now(wait=True)
    finally:
        await mirror.stop()
    assert report is not None
    assert report.failed == []
    assert (await admin.list_multipart_uploads(Bucket=bucket)).get("Uploads", []) == []
    assert not list((destination / ".camsync/mirrors/s3-main/uploads").glob("*.json"))
    assert mirror.health.backlog_files == 0
