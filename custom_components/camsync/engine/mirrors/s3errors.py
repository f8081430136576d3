"""The one place S3 failures become reason codes, with credentials scrubbed from every text.

botocore's own exception is never chained (``from None``): its text and traceback stay out of
logs, and the detail passed on is the server's error code and message, scrubbed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

from .errors import MirrorError
from .models import MirrorReason

REDACTED = "**REDACTED**"

_BY_CODE = {
    "InvalidAccessKeyId": MirrorReason.BAD_CREDENTIALS,
    "SignatureDoesNotMatch": MirrorReason.BAD_CREDENTIALS,
    "InvalidToken": MirrorReason.BAD_CREDENTIALS,
    "ExpiredToken": MirrorReason.BAD_CREDENTIALS,
    "InvalidClientTokenId": MirrorReason.BAD_CREDENTIALS,
    "InvalidSecurity": MirrorReason.BAD_CREDENTIALS,
    "Unauthorized": MirrorReason.BAD_CREDENTIALS,
    "AuthorizationHeaderMalformed": MirrorReason.WRONG_REGION,
    "PermanentRedirect": MirrorReason.WRONG_REGION,
    "IllegalLocationConstraintException": MirrorReason.WRONG_REGION,
    "AccessDenied": MirrorReason.ACCESS_DENIED,
    "AllAccessDisabled": MirrorReason.ACCESS_DENIED,
    "AccountProblem": MirrorReason.ACCESS_DENIED,
    "NoSuchBucket": MirrorReason.BUCKET_MISSING,
    "InvalidBucketName": MirrorReason.INVALID_BUCKET_NAME,
    "BadDigest": MirrorReason.CHECKSUM_MISMATCH,
    "InvalidDigest": MirrorReason.CHECKSUM_MISMATCH,
    "XAmzContentSHA256Mismatch": MirrorReason.CHECKSUM_MISMATCH,
    "IncompleteBody": MirrorReason.CHECKSUM_MISMATCH,
    "InvalidPart": MirrorReason.CHECKSUM_MISMATCH,
    "InternalError": MirrorReason.SERVER_ERROR,
    "ServiceUnavailable": MirrorReason.SERVER_ERROR,
    "SlowDown": MirrorReason.SERVER_ERROR,
    "RequestTimeout": MirrorReason.TIMEOUT,
    "QuotaExceeded": MirrorReason.DISK_FULL,
    "StorageQuotaExceeded": MirrorReason.DISK_FULL,
    "XMinioStorageFull": MirrorReason.DISK_FULL,
}
_BY_STATUS = {
    301: MirrorReason.WRONG_REGION,
    401: MirrorReason.BAD_CREDENTIALS,
    403: MirrorReason.ACCESS_DENIED,
    404: MirrorReason.BUCKET_MISSING,
}


class Scrubber:
    """Replaces every credential in a text."""

    def __init__(self, secrets: Iterable[str]) -> None:
        """Remember the texts to hide (empty ones are ignored)."""
        self._secrets = sorted({secret for secret in secrets if secret}, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        """Return ``text`` with every credential replaced."""
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return text


def client_error_code(err: BaseException) -> tuple[str, int]:
    """Return a ClientError's code and HTTP status ("", 0 for other errors)."""
    response: Any = getattr(err, "response", None)
    if not isinstance(response, dict):
        return "", 0
    code = str(response.get("Error", {}).get("Code", ""))
    status = int(response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0)
    return code, status


def map_error(err: BaseException, scrub: Scrubber, *, operation: str = "") -> MirrorError:
    """Return the MirrorError for anything botocore, aiohttp or the OS raised."""
    from botocore import exceptions as boto  # type: ignore[import-untyped]  # noqa: PLC0415

    where = f"{operation}: " if operation else ""
    if isinstance(err, MirrorError):
        return err
    if isinstance(err, boto.ClientError):
        code, status = client_error_code(err)
        message = str(err.response.get("Error", {}).get("Message", "") or "")
        reason = _BY_CODE.get(code) or _BY_STATUS.get(status)
        if reason is None:
            reason = MirrorReason.SERVER_ERROR if status >= 500 else MirrorReason.UNKNOWN
        text = f"{code or status}" + (f" {message}" if message else "")
        return MirrorError(reason, scrub(where + text))
    if isinstance(err, boto.ParamValidationError):
        reason = (
            MirrorReason.INVALID_BUCKET_NAME
            if "bucket" in str(err).lower()
            else MirrorReason.UNKNOWN
        )
        return MirrorError(reason, scrub(where + str(err)))
    if isinstance(err, boto.SSLError):
        return MirrorError(MirrorReason.TLS_ERROR, scrub(where + str(err)))
    if isinstance(err, boto.ConnectTimeoutError):
        return MirrorError(MirrorReason.ENDPOINT_UNREACHABLE, scrub(where + str(err)))
    if isinstance(err, boto.ReadTimeoutError | asyncio.TimeoutError | TimeoutError):
        return MirrorError(MirrorReason.TIMEOUT, scrub(where + (str(err) or "timed out")))
    if isinstance(err, boto.NoCredentialsError | boto.PartialCredentialsError):
        return MirrorError(MirrorReason.BAD_CREDENTIALS, scrub(where + str(err)))
    if isinstance(err, boto.ConnectionError | boto.HTTPClientError | OSError):
        return MirrorError(MirrorReason.ENDPOINT_UNREACHABLE, scrub(where + str(err)))
    if isinstance(err, ValueError):
        return MirrorError(MirrorReason.INVALID_ENDPOINT, scrub(where + str(err)))
    return MirrorError(MirrorReason.UNKNOWN, scrub(where + f"{type(err).__name__}: {err}"))
