"""An S3-compatible mirror (AWS S3, Backblaze B2, Cloudflare R2, Wasabi, MinIO, Garage, a NAS).

Through ``aiobotocore``, the client Home Assistant's own ``aws_s3`` and ``cloudflare_r2`` use,
imported only when an S3 mirror is opened. Every object is sent with its SHA-256
(``x-amz-checksum-sha256``), which the server verifies before it keeps a byte; files larger than
one part go as a multipart upload with a SHA-256 per part, and the finished parts are recorded
under ``.camsync/`` (:mod:`.uploads`) so an interrupted upload resumes: ``ListParts`` says what the
server holds, and only the missing parts are sent. After the upload the object's size is read back
(``HeadObject``) and the checksum the server computed, when it returns one, is compared.

Memory: one part (8 MiB by default) at a time. Blocking work (reading, hashing, loading
botocore's data files, writing records) runs in the executor.

The secret never reaches a log line, an exception text or a ``repr``: :class:`S3Settings` hides
it, and every text from the server or botocore goes through a scrubber.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
import hashlib
import logging
import os
from pathlib import Path, PurePosixPath
import ssl
from typing import Any
import uuid

from ..files import run_io
from .errors import MirrorError
from .models import CopyResult, MirrorItem, MirrorKind, MirrorReason, RemoteEntry
from .parts import Part, PartReader, b64, choose_part_size, composite_checksum, part_count
from .s3errors import REDACTED, Scrubber, client_error_code, map_error
from .uploads import DonePart, UploadBook, UploadRecord

_LOGGER = logging.getLogger(__name__)

DEFAULT_PART_SIZE = 8 * 1024 * 1024
PROBE_PREFIX = ".camsync-probe-"
_CONTENT_TYPES = {
    ".mp4": "video/mp4",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".thm": "image/jpeg",
    ".gps": "text/plain",
    ".json": "application/json",
}


@dataclass(frozen=True, slots=True)
class S3Settings:
    """An S3 mirror as the user configures it; ``repr`` shows no credential.

    ``endpoint_url``: None for AWS, else the provider's URL (``https://s3.us-west-004.
    backblazeb2.com``, ``https://<account>.r2.cloudflarestorage.com``, ``http://nas:9000``).
    ``prefix``: a folder inside the bucket ("" for the top). ``path_style``: None picks path-style
    addressing for a custom endpoint (MinIO, Garage and NAS servers need it) and virtual-hosted
    for AWS.
    """

    bucket: str
    access_key_id: str = field(repr=False)
    secret_access_key: str = field(repr=False)
    endpoint_url: str | None = None
    region: str = "us-east-1"
    prefix: str = ""
    path_style: bool | None = None
    verify_tls: bool = True
    part_size: int = DEFAULT_PART_SIZE
    max_attempts: int = 3
    connect_timeout: float = 10.0
    read_timeout: float = 60.0

    @property
    def key_prefix(self) -> str:
        """Return the prefix as keys start with it: "" or "some/folder/"."""
        prefix = self.prefix.strip("/")
        return f"{prefix}/" if prefix else ""

    def redacted(self) -> dict[str, Any]:
        """Return the settings for diagnostics, credentials hidden."""
        return {
            "endpoint_url": self.endpoint_url,
            "region": self.region,
            "bucket": self.bucket,
            "prefix": self.prefix,
            "access_key_id": REDACTED,
            "secret_access_key": REDACTED,
            "path_style": self.path_style,
            "verify_tls": self.verify_tls,
        }


def warm_up(session: Any) -> None:
    """Load what creating an S3 client reads from disk (blocking: run it in the executor).

    botocore caches each load on its loader, so ``create_client`` then reads nothing on the event
    loop. This is what ``AioConfig(warm_up_loader_caches=True)`` does in aiobotocore 3, which the
    2.x Home Assistant 2026.2 pins does not have.
    """
    loader = session.get_component("data_loader")
    for name in ("_retry", "endpoints", "partitions", "sdk-default-configuration"):
        loader.load_data_with_path(name)
    for type_name in ("service-2", "paginators-1", "endpoint-rule-set-1"):
        loader.load_service_model("s3", type_name, None)
    session.get_scoped_config()  # reads ~/.aws/config once, if there is one


class _LoadedContext(ssl.SSLContext):
    """A TLS context whose CA bundle was loaded in the executor: loading it again does nothing.

    aiobotocore makes its TLS context, and loads the CA bundle into it (a file read), on the
    event loop at the first request; Home Assistant reports that as a blocking call.
    """

    loaded: str | None = None

    def load_verify_locations(
        self, cafile: Any = None, capath: Any = None, cadata: Any = None
    ) -> None:
        """Load CA certificates, unless they are the bundle already loaded."""
        if cafile is not None and capath is None and cadata is None and str(cafile) == self.loaded:
            return
        super().load_verify_locations(cafile, capath, cadata)


def tls_context() -> ssl.SSLContext:
    """Return a client TLS context with botocore's CA bundle loaded (blocking: the executor)."""
    from botocore.httpsession import get_cert_path  # type: ignore[import-untyped]  # noqa: PLC0415

    context = _LoadedContext(ssl.PROTOCOL_TLS_CLIENT)
    bundle = str(get_cert_path(True))
    context.load_verify_locations(bundle)
    context.loaded = bundle
    return context


def _http_session_class(context: ssl.SSLContext) -> Any:
    """Return aiobotocore's HTTP session, handing out ``context`` instead of making one."""
    from aiobotocore.httpsession import (  # type: ignore[import-untyped]  # noqa: PLC0415
        AIOHTTPSession,
    )

    class PreparedTLSSession(AIOHTTPSession):  # type: ignore[misc]
        def _get_ssl_context(self) -> ssl.SSLContext:
            return context

    return PreparedTLSSession


class S3Target:
    """Uploads archived files to a bucket, verified by the server's SHA-256 check."""

    kind = MirrorKind.S3

    def __init__(self, settings: S3Settings) -> None:
        """Describe the target; the client is created by ``open``."""
        self.settings = settings
        self._scrub = Scrubber([settings.secret_access_key, settings.access_key_id])
        self._client: Any = None
        self._context: Any = None
        self._uploads: UploadBook | None = None

    def __repr__(self) -> str:
        """Return the target without credentials."""
        return f"S3Target({self.description})"

    @property
    def fingerprint(self) -> str:
        """Return endpoint, bucket and prefix (no credential)."""
        settings = self.settings
        return f"s3:{settings.endpoint_url or 'aws'}|{settings.bucket}|{settings.key_prefix}"

    @property
    def description(self) -> str:
        """Return ``s3://bucket/prefix`` and the endpoint."""
        settings = self.settings
        where = f" at {settings.endpoint_url}" if settings.endpoint_url else ""
        return f"s3://{settings.bucket}/{settings.key_prefix}{where}"

    def key(self, relative: str) -> str:
        """Return the object key of a file."""
        return self.settings.key_prefix + relative

    def location(self, relative: str) -> str:
        """Return ``s3://bucket/key``."""
        return f"s3://{self.settings.bucket}/{self.key(relative)}"

    @property
    def uploads(self) -> UploadBook:
        """Return the records of multipart uploads in progress."""
        if self._uploads is None:
            raise RuntimeError("S3Target.open was not called")
        return self._uploads

    async def open(self, work_dir: Path | None) -> None:
        """Create the client (its data files loaded in the executor)."""
        if work_dir is not None:
            self._uploads = UploadBook(work_dir / "uploads")
        if self._client is not None:
            return
        try:
            from aiobotocore.config import (  # type: ignore[import-untyped]  # noqa: PLC0415
                AioConfig,
            )
            from aiobotocore.session import (  # type: ignore[import-untyped]  # noqa: PLC0415
                AioSession,
            )
        except ImportError as err:  # pragma: no cover - the manifest requires it
            raise MirrorError(MirrorReason.UNKNOWN, f"aiobotocore is missing: {err}") from None
        settings = self.settings
        path_style = settings.path_style
        if path_style is None:
            path_style = settings.endpoint_url is not None
        extra: dict[str, Any] = {}
        if settings.verify_tls:
            extra["http_session_cls"] = _http_session_class(await run_io(tls_context))
        config = AioConfig(
            region_name=settings.region or None,
            signature_version="s3v4",
            s3={
                "addressing_style": "path" if path_style else "virtual",
                # The body is protected by the signed x-amz-checksum-sha256 header instead of a
                # second SHA-256 pass on the event loop (botocore signs payloads on plain http).
                "payload_signing_enabled": False,
            },
            retries={"mode": "standard", "total_max_attempts": max(1, settings.max_attempts)},
            connect_timeout=settings.connect_timeout,
            read_timeout=settings.read_timeout,
            # We send our own SHA-256; no CRC32 trailers (aws-chunked), which many
            # S3-compatible servers reject.
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
            **extra,
        )
        try:
            session = AioSession()
            await run_io(warm_up, session)
            context = session.create_client(
                "s3",
                endpoint_url=settings.endpoint_url or None,
                region_name=settings.region or None,
                aws_access_key_id=settings.access_key_id,
                aws_secret_access_key=settings.secret_access_key,
                verify=settings.verify_tls,
                config=config,
            )
            self._client = await context.__aenter__()
        except Exception as err:  # noqa: BLE001  (botocore raises many kinds)
            raise map_error(err, self._scrub, operation="connect") from None
        self._context = context

    async def close(self) -> None:
        """Close the client."""
        context, self._context, self._client = self._context, None, None
        if context is not None:
            await context.__aexit__(None, None, None)

    async def _call(self, operation: str, **params: Any) -> dict[str, Any]:
        if self._client is None:
            raise MirrorError(MirrorReason.UNKNOWN, "the S3 client is not open")
        try:
            result: dict[str, Any] = await getattr(self._client, operation)(**params)
        except Exception as err:  # noqa: BLE001
            raise map_error(err, self._scrub, operation=operation) from None
        return result

    async def check(self) -> None:
        """List the prefix, then write and delete a probe object (with its checksum)."""
        settings = self.settings
        await self._call(
            "list_objects_v2", Bucket=settings.bucket, Prefix=settings.key_prefix, MaxKeys=1
        )
        probe = self.key(f"{PROBE_PREFIX}{uuid.uuid4().hex}")
        data = b"camsync mirror probe\n"
        await self._put(probe, data, _sha256(data))
        try:
            await self._call("delete_object", Bucket=settings.bucket, Key=probe)
        except MirrorError as err:
            # A key allowed to write but not to delete still mirrors (retention off).
            _LOGGER.debug("Could not delete the probe %s: %s", probe, err)

    async def list_entries(self) -> dict[str, RemoteEntry]:
        """Return the objects under the prefix (ListObjectsV2), keyed by relative path."""
        if self._client is None:
            raise MirrorError(MirrorReason.UNKNOWN, "the S3 client is not open")
        settings = self.settings
        prefix = settings.key_prefix
        entries: dict[str, RemoteEntry] = {}
        try:
            paginator = self._client.get_paginator("list_objects_v2")
            async for page in paginator.paginate(Bucket=settings.bucket, Prefix=prefix):
                for item in page.get("Contents", ()):
                    relative = str(item["Key"])[len(prefix) :]
                    if not relative or relative.endswith("/"):
                        continue
                    if relative.rsplit("/", 1)[-1].startswith("."):
                        continue
                    modified = item.get("LastModified")
                    entries[relative] = RemoteEntry(
                        int(item.get("Size", 0)),
                        modified if isinstance(modified, datetime) else None,
                    )
        except Exception as err:  # noqa: BLE001
            raise map_error(err, self._scrub, operation="list_objects_v2") from None
        return entries

    async def copy(self, source: Path, item: MirrorItem) -> CopyResult:
        """Upload ``source`` as ``prefix + item.relative``, verified."""
        key = self.key(item.relative)
        try:
            stat = await run_io(os.stat, source)
        except FileNotFoundError:
            raise MirrorError(MirrorReason.SOURCE_MISSING, f"{source} is gone") from None
        part_size = choose_part_size(stat.st_size, self.settings.part_size)
        if stat.st_size <= part_size:
            return await self._single(source, key)
        return await self._multipart(source, key, stat.st_size, stat.st_mtime_ns, part_size)

    async def _single(self, source: Path, key: str) -> CopyResult:
        data = await run_io(_read_small, source)
        digest = await run_io(_sha256, data)
        await self._put(key, data, digest)
        await self._verify_size(key, len(data))
        return CopyResult(sha256=digest.hex(), sent_bytes=len(data))

    async def _put(self, key: str, data: bytes, digest: bytes) -> None:
        checksum = b64(digest)
        result = await self._call(
            "put_object",
            Bucket=self.settings.bucket,
            Key=key,
            Body=data,
            ChecksumAlgorithm="SHA256",
            ChecksumSHA256=checksum,
            ContentType=_content_type(key),
        )
        _compare(result.get("ChecksumSHA256"), checksum, key)

    async def _multipart(
        self, source: Path, key: str, size: int, mtime_ns: int, part_size: int
    ) -> CopyResult:
        record, on_server = await self._resume(key, size, mtime_ns, part_size)
        try:
            reader = await run_io(PartReader, source, part_size)
        except FileNotFoundError:
            raise MirrorError(MirrorReason.SOURCE_MISSING, f"{source} is gone") from None
        sent = reused = 0
        try:
            if reader.size != size:
                raise MirrorError(MirrorReason.SOURCE_MISSING, f"{source} changed")
            digests: list[bytes] = []
            completed: list[dict[str, Any]] = []
            for number in range(1, part_count(size, part_size) + 1):
                part = await run_io(reader.read, number)
                digests.append(part.sha256)
                held = on_server.get(number)
                if held is not None and _same_part(held, part, record.parts.get(number)):
                    etag = held.etag
                    reused += len(part.data)
                else:
                    result = await self._call(
                        "upload_part",
                        Bucket=self.settings.bucket,
                        Key=key,
                        UploadId=record.upload_id,
                        PartNumber=number,
                        Body=part.data,
                        ChecksumAlgorithm="SHA256",
                        ChecksumSHA256=part.checksum,
                    )
                    _compare(result.get("ChecksumSHA256"), part.checksum, f"{key} part {number}")
                    etag = str(result["ETag"])
                    sent += len(part.data)
                    record.parts[number] = DonePart(etag, part.checksum, len(part.data))
                    await run_io(self.uploads.save, record)
                completed.append(
                    {"PartNumber": number, "ETag": etag, "ChecksumSHA256": part.checksum}
                )
            whole = reader.sha256_hex()
        finally:
            reader.close()
        result = await self._call(
            "complete_multipart_upload",
            Bucket=self.settings.bucket,
            Key=key,
            UploadId=record.upload_id,
            MultipartUpload={"Parts": completed},
        )
        _compare(result.get("ChecksumSHA256"), composite_checksum(digests), key)
        await run_io(self.uploads.drop, key)
        await self._verify_size(key, size)
        return CopyResult(sha256=whole, sent_bytes=sent, reused_bytes=reused)

    async def _resume(
        self, key: str, size: int, mtime_ns: int, part_size: int
    ) -> tuple[UploadRecord, dict[int, _HeldPart]]:
        """Return the upload to continue (or a new one) and the parts the server holds."""
        record = await run_io(self.uploads.load, key)
        if record is not None and (
            not record.matches(size, mtime_ns) or record.part_size != part_size
        ):
            await self._abort(record)
            record = None
        if record is not None:
            try:
                return record, await self._list_parts(record)
            except _UploadGoneError:
                _LOGGER.debug("Upload of %s is gone from the server; starting again", key)
                await run_io(self.uploads.drop, key)
        result = await self._call(
            "create_multipart_upload",
            Bucket=self.settings.bucket,
            Key=key,
            ChecksumAlgorithm="SHA256",
            ContentType=_content_type(key),
        )
        record = UploadRecord(key, str(result["UploadId"]), size, mtime_ns, part_size)
        await run_io(self.uploads.save, record)
        return record, {}

    async def _list_parts(self, record: UploadRecord) -> dict[int, _HeldPart]:
        held: dict[int, _HeldPart] = {}
        marker = 0
        while True:
            try:
                result: dict[str, Any] = await self._client.list_parts(
                    Bucket=self.settings.bucket,
                    Key=record.key,
                    UploadId=record.upload_id,
                    PartNumberMarker=marker,
                )
            except Exception as err:  # noqa: BLE001
                code, _ = client_error_code(err)
                if code == "NoSuchUpload":
                    raise _UploadGoneError from None
                raise map_error(err, self._scrub, operation="list_parts") from None
            for part in result.get("Parts", ()):
                held[int(part["PartNumber"])] = _HeldPart(
                    str(part["ETag"]), int(part["Size"]), part.get("ChecksumSHA256")
                )
            if not result.get("IsTruncated"):
                return held
            marker = int(result.get("NextPartNumberMarker", 0))

    async def _abort(self, record: UploadRecord) -> None:
        try:
            await self._call(
                "abort_multipart_upload",
                Bucket=self.settings.bucket,
                Key=record.key,
                UploadId=record.upload_id,
            )
        except MirrorError as err:
            _LOGGER.debug("Could not abort the upload of %s: %s", record.key, err)
        await run_io(self.uploads.drop, record.key)

    async def tidy(self, archive: Path) -> None:
        """Abort the unfinished uploads of files the archive no longer has (pruned meanwhile)."""
        if self._uploads is None:
            return
        prefix = self.settings.key_prefix
        for record in await run_io(self._uploads.records):
            relative = record.key[len(prefix) :] if record.key.startswith(prefix) else ""
            if not relative or not await run_io((archive / relative).is_file):
                await self._abort(record)

    async def abandon(self) -> None:
        """Abort every unfinished multipart upload this mirror recorded."""
        if self._uploads is None:
            return
        for record in await run_io(self._uploads.records):
            await self._abort(record)

    async def _verify_size(self, key: str, size: int) -> None:
        result = await self._call("head_object", Bucket=self.settings.bucket, Key=key)
        length = int(result.get("ContentLength", -1))
        if length != size:
            raise MirrorError(
                MirrorReason.CHECKSUM_MISMATCH, f"{key}: the server holds {length} of {size} bytes"
            )

    async def delete(self, relatives: Sequence[str]) -> list[str]:
        """Delete objects (retention), a thousand per request."""
        deleted: list[str] = []
        items = list(relatives)
        for start in range(0, len(items), 1000):
            batch = items[start : start + 1000]
            result = await self._call(
                "delete_objects",
                Bucket=self.settings.bucket,
                Delete={"Objects": [{"Key": self.key(item)} for item in batch], "Quiet": True},
            )
            failed = {str(error.get("Key", "")) for error in result.get("Errors", ())}
            deleted.extend(item for item in batch if self.key(item) not in failed)
        return deleted


class _UploadGoneError(Exception):
    """The server no longer knows a recorded upload (aborted, expired): start again."""


@dataclass(frozen=True, slots=True)
class _HeldPart:
    """A part the server lists for an upload."""

    etag: str
    size: int
    checksum: str | None


def _same_part(held: _HeldPart, part: Part, recorded: DonePart | None) -> bool:
    """Return True when the server's part is this very data (so it is not sent again)."""
    if held.size != len(part.data):
        return False
    if held.checksum:
        return bool(held.checksum.split("-")[0] == part.checksum)
    if recorded is not None and recorded.etag == held.etag:
        return recorded.checksum == part.checksum
    return bool(held.etag.strip('"') == part.md5_hex())


def _compare(returned: object, expected: str, what: str) -> None:
    if isinstance(returned, str) and returned and returned.split("-")[0] != expected:
        raise MirrorError(
            MirrorReason.CHECKSUM_MISMATCH, f"{what}: the server computed another SHA-256"
        )


def _content_type(key: str) -> str:
    return _CONTENT_TYPES.get(PurePosixPath(key).suffix.lower(), "application/octet-stream")


def _read_small(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise MirrorError(MirrorReason.SOURCE_MISSING, f"{path} is gone") from None


def _sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()
