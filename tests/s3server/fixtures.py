"""Pytest fixtures of the S3 server, shared by the engine and the Home Assistant mirror tests.

The root ``tests/conftest.py`` imports them, so one server process serves the whole session.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
import hashlib
from typing import Any
import uuid

import pytest

from . import S3Server
from .proxy import FaultProxy


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    """Return moto's S3 server, started once for the session in its own process."""
    with S3Server.start() as server:
        yield server


@pytest.fixture
async def s3_proxy(s3_server: S3Server) -> AsyncIterator[FaultProxy]:
    """Return a fault proxy in front of the S3 server."""
    async with FaultProxy(s3_server.endpoint) as proxy:
        yield proxy


@pytest.fixture
async def admin(s3_server: S3Server) -> AsyncIterator[Any]:
    """Return an S3 client with the admin key, straight to the server (no proxy)."""
    from aiobotocore.session import AioSession

    session = AioSession()
    async with session.create_client(
        "s3",
        endpoint_url=s3_server.endpoint,
        region_name="us-east-1",
        aws_access_key_id=s3_server.admin.access_key,
        aws_secret_access_key=s3_server.admin.secret_key,
    ) as client:
        yield client


@pytest.fixture
async def bucket(admin: Any) -> str:
    """Return a new, empty bucket the camera key may use."""
    name = f"camsync-{uuid.uuid4().hex[:12]}"
    await admin.create_bucket(Bucket=name)
    return name


async def bucket_objects(admin: Any, bucket: str, prefix: str = "") -> dict[str, str]:
    """Return every object under ``prefix``: key -> SHA-256 of its bytes (read back)."""
    objects: dict[str, str] = {}
    paginator = admin.get_paginator("list_objects_v2")
    async for page in paginator.paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", ()):
            response = await admin.get_object(Bucket=bucket, Key=item["Key"])
            async with response["Body"] as body:
                objects[item["Key"]] = hashlib.sha256(await body.read()).hexdigest()
    return objects
