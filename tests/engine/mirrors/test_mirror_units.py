"""The mirrors' small parts: reason mapping, state and upload records, reports, the guard."""

from __future__ import annotations

import asyncio
from datetime import timedelta
import errno
import json
import os
from pathlib import Path
import time
from typing import Any

import pytest

from custom_components.camsync.engine.mirrors import (
    FolderSettings,
    FolderTarget,
    Mirror,
    MirrorCheck,
    MirroredFile,
    MirrorFailure,
    MirrorHealth,
    MirrorItem,
    MirrorKind,
    MirrorReason,
    MirrorRunReport,
    MirrorSet,
    MirrorStatus,
    RetryPolicy,
)
from custom_components.camsync.engine.mirrors.folder import _os_error
from custom_components.camsync.engine.mirrors.parts import choose_part_size, part_count
from custom_components.camsync.engine.mirrors.s3errors import REDACTED, Scrubber, map_error
from custom_components.camsync.engine.mirrors.state import MirrorState, mirror_work_dir
from custom_components.camsync.engine.mirrors.uploads import DonePart, UploadBook, UploadRecord

from .conftest import MIB, START, recognise_stamp, write_archive


def client_error(code: str, status: int, message: str = "") -> Exception:
    from botocore.exceptions import ClientError

    return ClientError(
        {
            "Error": {"Code": code, "Message": message},
            "ResponseMetadata": {"HTTPStatusCode": status},
        },
        "PutObject",
    )


def boto_errors() -> list[tuple[Exception, MirrorReason]]:
    from botocore import exceptions as boto

    return [
        (client_error("InvalidAccessKeyId", 403), MirrorReason.BAD_CREDENTIALS),
        (client_error("ExpiredToken", 400), MirrorReason.BAD_CREDENTIALS),
        (client_error("AuthorizationHeaderMalformed", 400), MirrorReason.WRONG_REGION),
        (client_error("", 301), MirrorReason.WRONG_REGION),
        (client_error("AccessDenied", 403), MirrorReason.ACCESS_DENIED),
        (client_error("403", 403), MirrorReason.ACCESS_DENIED),
        (client_error("NoSuchBucket", 404), MirrorReason.BUCKET_MISSING),
        (client_error("BadDigest", 400), MirrorReason.CHECKSUM_MISMATCH),
        (client_error("SlowDown", 503), MirrorReason.SERVER_ERROR),
        (client_error("WhoKnows", 502), MirrorReason.SERVER_ERROR),
        (client_error("WhoKnows", 409), MirrorReason.UNKNOWN),
        (client_error("XMinioStorageFull", 507), MirrorReason.DISK_FULL),
        (client_error("RequestTimeout", 400), MirrorReason.TIMEOUT),
        (boto.ParamValidationError(report="Invalid bucket name"), MirrorReason.INVALID_BUCKET_NAME),
        (boto.ParamValidationError(report="Something else"), MirrorReason.UNKNOWN),
        (boto.SSLError(endpoint_url="https://x", error="bad cert"), MirrorReason.TLS_ERROR),
        (boto.ConnectTimeoutError(endpoint_url="https://x"), MirrorReason.ENDPOINT_UNREACHABLE),
        (boto.ReadTimeoutError(endpoint_url="https://x"), MirrorReason.TIMEOUT),
        (TimeoutError(), MirrorReason.TIMEOUT),
        (boto.NoCredentialsError(), MirrorReason.BAD_CREDENTIALS),
        (boto.EndpointConnectionError(endpoint_url="https://x"), MirrorReason.ENDPOINT_UNREACHABLE),
        (ConnectionResetError(errno.ECONNRESET, "reset"), MirrorReason.ENDPOINT_UNREACHABLE),
        (ValueError("Invalid endpoint: nope"), MirrorReason.INVALID_ENDPOINT),
        (KeyError("odd"), MirrorReason.UNKNOWN),
    ]


def test_every_s3_failure_gets_its_reason_and_loses_the_secret() -> None:
    scrub = Scrubber(["SECRETSECRET", ""])
    for error, reason in boto_errors():
        mapped = map_error(error, scrub, operation="put_object")
        assert mapped.reason is reason, (error, mapped)
        assert mapped.detail.startswith("put_object: ")
    leaked = map_error(client_error("AccessDenied", 403, "key SECRETSECRET refused"), scrub)
    assert "SECRETSECRET" not in str(leaked)
    assert REDACTED in leaked.detail
    assert map_error(leaked, scrub) is leaked


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        (errno.ENOSPC, MirrorReason.DISK_FULL),
        (errno.EDQUOT, MirrorReason.DISK_FULL),
        (errno.EROFS, MirrorReason.READ_ONLY),
        (errno.ENOTCONN, MirrorReason.UNMOUNTED),
        (errno.ESTALE, MirrorReason.UNMOUNTED),
        (errno.EACCES, MirrorReason.NOT_WRITABLE),
    ],
)
def test_file_system_errors_get_their_reason(code: int, reason: MirrorReason) -> None:
    assert _os_error(OSError(code, os.strerror(code)), Path("/mnt/nas")).reason is reason


def test_reason_kinds() -> None:
    assert MirrorReason.UNMOUNTED.away
    assert not MirrorReason.BAD_CREDENTIALS.away
    assert MirrorReason.CHECKSUM_MISMATCH.per_file
    assert not MirrorReason.DISK_FULL.per_file


def test_back_off_doubles_and_stops_at_its_ceiling() -> None:
    policy = RetryPolicy()
    assert policy.delay(0, per_file=True) == timedelta(0)
    assert policy.delay(1, per_file=True) == timedelta(minutes=1)
    assert policy.delay(3, per_file=True) == timedelta(minutes=4)
    assert policy.delay(99, per_file=True) == timedelta(hours=6)
    assert policy.delay(2, per_file=False) == timedelta(minutes=1)
    assert policy.delay(99, per_file=False) == timedelta(minutes=15)


def test_part_sizes_stay_within_s3_limits() -> None:
    assert choose_part_size(10 * MIB, 1 * MIB) == 5 * MIB
    assert choose_part_size(100 * MIB, 8 * MIB) == 8 * MIB
    huge = 200 * 1024 * MIB  # 200 GiB
    size = choose_part_size(huge, 8 * MIB)
    assert part_count(huge, size) <= 10_000
    assert part_count(0, 8 * MIB) == 1


def test_reports_and_health_are_json_friendly() -> None:
    mirrored = MirroredFile(
        "nas", MirrorKind.FOLDER, "recordings/a.mp4", 10, "ab" * 32, "/mnt/a.mp4", START, START, 10
    )
    report = MirrorRunReport("nas", START, START, MirrorReason.UNMOUNTED, "gone", [mirrored])
    report.failed.append(MirrorFailure("b.mp4", MirrorReason.CHECKSUM_MISMATCH, "bad"))
    health = MirrorHealth(
        "nas",
        MirrorKind.FOLDER,
        MirrorStatus.AWAY,
        1,
        10,
        START,
        "a.mp4",
        START,
        MirrorReason.UNMOUNTED,
    )
    data = {
        "check": MirrorCheck(False, MirrorReason.SAME_DISK, "x").as_dict(),
        "file": mirrored.as_dict(),
        "report": report.as_dict(),
        "health": health.as_dict(),
    }
    decoded = json.loads(json.dumps(data))
    assert decoded["file"]["name"] == "a.mp4"
    assert decoded["report"]["copied_bytes"] == 10
    assert decoded["report"]["failed"][0]["reason"] == "checksum_mismatch"
    assert decoded["health"]["status"] == "away"
    assert health.failing_for(START + timedelta(hours=2)) == timedelta(hours=2)
    assert MirrorItem("a/b/c.mp4", 1, START).name == "c.mp4"


def test_state_file_survives_damage_and_a_new_target(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unsafe"):
        mirror_work_dir(tmp_path, "../escape")
    work = mirror_work_dir(tmp_path, "nas")
    state = MirrorState("folder:/a", last_error="not-a-reason")
    state.save(work)
    assert MirrorState.load(work, "folder:/a").last_error == "unknown"
    assert MirrorState.load(work, "folder:/b") == MirrorState("folder:/b")
    (work / "state.json").write_text("{not json")
    assert MirrorState.load(work, "folder:/a") == MirrorState("folder:/a")


def test_upload_records_round_trip_and_ignore_damage(tmp_path: Path) -> None:
    book = UploadBook(tmp_path / "uploads")
    assert book.load("k") is None
    record = UploadRecord("k", "id", 10, 5, 8, {1: DonePart('"e"', "c", 8)})
    book.save(record)
    assert book.load("k") == record
    assert book.load("other") is None
    next((tmp_path / "uploads").glob("*.json")).write_text("[]")
    assert book.load("k") is None
    book.drop("k")


async def test_the_set_refuses_strangers_and_twins(tmp_path: Path) -> None:
    target = FolderTarget(FolderSettings(tmp_path / "usb", allow_same_disk=True), tmp_path / "a")
    mirrors = MirrorSet(tmp_path / "a", [Mirror("usb", target, tmp_path / "a")])
    with pytest.raises(ValueError, match="already exists"):
        mirrors.add(Mirror("usb", target, tmp_path / "a"))
    with pytest.raises(ValueError, match="mirrors"):
        mirrors.add(Mirror("other", target, tmp_path / "b"))
    await mirrors.remove("usb")
    await mirrors.remove("usb")
    assert mirrors.health() == {}


async def test_items_queued_through_the_set_and_a_stopped_mirror(tmp_path: Path) -> None:
    destination = tmp_path / "archive"
    write_archive(destination, {"snapshots/front_20261120_090000.jpg": 100})
    target = FolderTarget(
        FolderSettings(tmp_path / "usb", allow_same_disk=True, reserve_bytes=0), destination
    )
    mirror = Mirror("usb", target, destination, rescan_every=timedelta(days=1))
    mirrors = MirrorSet(destination, [mirror])
    with pytest.raises(RuntimeError, match="not started"):
        await mirror.run_now()
    await mirrors.start()
    try:
        await mirrors.run_now(wait=True)
        write_archive(destination, {"timelapses/front.mp4": 200})
        mirrors.enqueue(MirrorItem("timelapses/front.mp4", 200, START))
        mirrors.enqueue(MirrorItem("timelapses/front.mp4", 200, START))  # once is enough
        assert mirror.health.backlog_files == 1
        await mirrors.run_now(wait=True)  # the queued file went at once, in a pass of its own
    finally:
        await mirrors.stop()
    assert (tmp_path / "usb/timelapses/front.mp4").stat().st_size == 200
    assert mirror.health.backlog_files == 0
    assert not mirror.running


async def test_a_temporary_copy_left_by_a_killed_copy_is_cleaned_up(tmp_path: Path) -> None:
    folder = tmp_path / "usb"
    stale = folder / "recordings" / ".a.mp4.camsync-1234.tmp"
    fresh = folder / "recordings" / ".b.mp4.camsync-5678.tmp"
    write_archive(
        folder, {"recordings/.a.mp4.camsync-1234.tmp": 10, "recordings/.b.mp4.camsync-5678.tmp": 10}
    )
    old = time.time() - 7200
    os.utime(stale, (old, old))
    target = FolderTarget(FolderSettings(folder, allow_same_disk=True), tmp_path / "archive")
    assert await target.list_entries() == {}
    assert not stale.exists()
    assert fresh.exists()  # perhaps a copy in progress


async def test_folder_deletes_stay_inside_the_mirror(tmp_path: Path) -> None:
    folder = tmp_path / "usb"
    write_archive(folder, {"a/b/c.mp4": 1})
    outside = tmp_path / "outside.mp4"
    outside.write_bytes(b"keep")
    target = FolderTarget(FolderSettings(folder, allow_same_disk=True), tmp_path / "archive")
    deleted = await target.delete(["a/b/c.mp4", "../outside.mp4", "a/gone.mp4"])
    assert deleted == ["a/b/c.mp4", "a/gone.mp4"]
    assert outside.exists()
    assert not (folder / "a").exists()


async def test_a_listener_that_fails_does_not_stop_the_mirror(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    destination = tmp_path / "archive"
    write_archive(destination, {"snapshots/front_20261120_090000.jpg": 100})

    def broken(_: Any) -> None:
        raise RuntimeError("listener bug")

    target = FolderTarget(
        FolderSettings(tmp_path / "usb", allow_same_disk=True, reserve_bytes=0), destination
    )
    mirror = Mirror("usb", target, destination, on_mirrored=broken, on_health=broken)
    await mirror.start()
    try:
        report = await mirror.run_now(wait=True)
    finally:
        await mirror.stop()
    assert report is not None
    assert len(report.copied) == 1
    assert "A mirror listener failed" in caplog.text


async def test_the_mirror_retries_by_itself_when_its_back_off_ends(tmp_path: Path) -> None:
    destination = tmp_path / "archive"
    write_archive(destination, {"snapshots/front_20261120_090000.jpg": 100})
    usb = tmp_path / "usb"
    target = FolderTarget(FolderSettings(usb, mount_point=usb, reserve_bytes=0), destination)
    retry = RetryPolicy(mirror_base=timedelta(milliseconds=20), mirror_max=timedelta(seconds=1))
    mirror = Mirror("usb", target, destination, retry=retry)
    usb.mkdir()
    await mirror.start()
    try:
        report = await mirror.run_now(wait=True)
        assert report is not None
        assert report.reason is MirrorReason.UNMOUNTED
        target.settings = FolderSettings(usb, allow_same_disk=True, reserve_bytes=0)  # "mounted"
        for _ in range(200):
            if mirror.health.last_copied is not None:
                break
            await asyncio.sleep(0.01)
    finally:
        await mirror.stop()
    assert mirror.health.last_copied_name == "front_20261120_090000.jpg"
    assert mirror.health.status is MirrorStatus.IDLE


def test_settings_for_diagnostics_hide_the_credentials() -> None:
    from custom_components.camsync.engine.mirrors import S3Settings

    settings = S3Settings("camsync", "AKIAEXAMPLE", "topsecret", "http://nas:9000", prefix="/x/")
    redacted = settings.redacted()
    assert "topsecret" not in json.dumps(redacted)
    assert "AKIAEXAMPLE" not in json.dumps(redacted)
    assert redacted["bucket"] == "camsync"
    assert settings.key_prefix == "x/"


def test_a_server_part_is_reused_only_when_it_is_this_data() -> None:
    import hashlib

    from custom_components.camsync.engine.mirrors.errors import MirrorError
    from custom_components.camsync.engine.mirrors.parts import Part, b64
    from custom_components.camsync.engine.mirrors.s3 import _compare, _HeldPart, _same_part

    data = b"x" * 100
    part = Part(1, data, hashlib.sha256(data).digest())
    md5 = f'"{hashlib.md5(data).hexdigest()}"'
    assert _same_part(_HeldPart(md5, 100, part.checksum), part, None)
    assert not _same_part(_HeldPart(md5, 100, b64(b"0" * 32)), part, None)
    assert not _same_part(_HeldPart(md5, 99, None), part, None)
    assert _same_part(_HeldPart(md5, 100, None), part, None)
    assert not _same_part(_HeldPart('"other"', 100, None), part, None)
    recorded = DonePart('"etag"', part.checksum, 100)
    assert _same_part(_HeldPart('"etag"', 100, None), part, recorded)
    _compare(None, part.checksum, "k")
    _compare(f"{part.checksum}-3", part.checksum, "k")
    with pytest.raises(MirrorError) as caught:
        _compare(b64(b"1" * 32), part.checksum, "k")
    assert caught.value.reason is MirrorReason.CHECKSUM_MISMATCH


class GatedTarget(FolderTarget):
    """Waits for ``gate`` before its first copy."""

    gate: asyncio.Event

    async def copy(self, source: Path, item: MirrorItem) -> Any:
        await self.gate.wait()
        return await super().copy(source, item)


async def test_an_event_found_first_by_a_rescan_moves_up_when_the_sync_names_it(
    tmp_path: Path,
) -> None:
    from custom_components.camsync.engine.mirrors import Priority

    destination = tmp_path / "archive"
    names = [
        "recordings/20261120_060000_NF.mp4",
        "recordings/20261120_070000_NF.mp4",
        "recordings/20261120_080000_EF.mp4",
    ]
    write_archive(destination, dict.fromkeys(names, 100))
    target = GatedTarget(
        FolderSettings(tmp_path / "usb", allow_same_disk=True, reserve_bytes=0), destination
    )
    target.gate = asyncio.Event()
    copied: list[MirroredFile] = []
    mirror = Mirror(
        "usb", target, destination, recognise=recognise_stamp, on_mirrored=copied.append
    )
    await mirror.start()
    try:
        for _ in range(100):  # the first file is on its way; the others wait as normal ones
            if mirror.health.current is not None:
                break
            await asyncio.sleep(0.01)
        assert mirror.health.current == names[0]
        mirror.enqueue(MirrorItem(names[2], 100, START, Priority.EVENT))  # the sync says: event
        target.gate.set()
        await mirror.run_now(wait=True, rescan=False)
    finally:
        await mirror.stop()
    assert [item.relative for item in copied] == [names[0], names[2], names[1]]


async def test_without_a_recogniser_the_mirror_dates_files_by_their_copy_time(
    tmp_path: Path,
) -> None:
    from custom_components.camsync.engine.mirrors.mirror import utc_now

    destination = tmp_path / "archive"
    write_archive(destination, {"notes/odd-name.bin": 100})
    target = FolderTarget(
        FolderSettings(tmp_path / "usb", allow_same_disk=True, reserve_bytes=0), destination
    )
    now = [utc_now()]
    mirror = Mirror("usb", target, destination, retention=timedelta(days=30), clock=lambda: now[0])
    await mirror.start()
    try:
        await mirror.run_now(wait=True)
        assert (tmp_path / "usb/notes/odd-name.bin").exists()
        now[0] += timedelta(days=40)
        report = await mirror.run_now(wait=True)
    finally:
        await mirror.stop()
    assert report is not None
    assert report.deleted == ["notes/odd-name.bin"]
    assert (destination / "notes/odd-name.bin").exists()
