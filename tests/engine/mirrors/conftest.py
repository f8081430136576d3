"""Fixtures for the mirror tests: S3 settings through the fault proxy, tmpfs mounts, archives.

The S3 server, the proxy, the admin client and a fresh bucket come from tests/s3server/fixtures.py
(through the root conftest).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
import contextlib
from datetime import UTC, datetime, timedelta
import hashlib
import os
from pathlib import Path
import subprocess
from typing import Any

import pytest

from custom_components.camsync.engine.mirrors import RetryPolicy, S3Settings
from tests.s3server import S3Server
from tests.s3server.fixtures import bucket_objects  # noqa: F401  (the tests import it here)
from tests.s3server.proxy import FaultProxy

FAST_RETRY = RetryPolicy(
    file_base=timedelta(milliseconds=50),
    file_max=timedelta(milliseconds=200),
    mirror_base=timedelta(milliseconds=50),
    mirror_max=timedelta(milliseconds=200),
)
MIB = 1024 * 1024
START = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


@pytest.fixture
def s3_settings(
    s3_server: S3Server, s3_proxy: FaultProxy, bucket: str
) -> Callable[..., S3Settings]:
    """Return a factory of settings for the camera key, through the proxy, 5 MiB parts."""

    def make(**changes: Any) -> S3Settings:
        values: dict[str, Any] = {
            "bucket": bucket,
            "access_key_id": s3_server.camera.access_key,
            "secret_access_key": s3_server.camera.secret_key,
            "endpoint_url": s3_proxy.endpoint,
            "prefix": "cams/front",
            "part_size": 5 * MIB,
            "max_attempts": 1,
            "read_timeout": 30.0,  # generous: the machine may be busy; faults are injected
            "connect_timeout": 2.0,
        }
        values.update(changes)
        return S3Settings(**values)

    return make


def sha256_file(path: Path) -> str:
    """Return a file's SHA-256."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def tree_hashes(root: Path) -> dict[str, str]:
    """Return every non-hidden file under ``root``: relative path -> SHA-256."""
    hashes: dict[str, str] = {}
    for folder, dirs, files in os.walk(root):
        dirs[:] = [name for name in dirs if not name.startswith(".")]
        for name in files:
            if not name.startswith("."):
                path = Path(folder) / name
                hashes[path.relative_to(root).as_posix()] = sha256_file(path)
    return hashes


def write_archive(destination: Path, files: dict[str, int | bytes]) -> None:
    """Write files (relative path -> size of random bytes, or the bytes) into an archive."""
    for relative, content in files.items():
        path = destination / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(os.urandom(content) if isinstance(content, int) else content)


def recognise_stamp(name: str) -> datetime | None:
    """Date files named ``YYYYMMDD_HHMMSS_...`` (as BlackVue names them)."""
    try:
        return datetime.strptime(name[:15], "%Y%m%d_%H%M%S").replace(tzinfo=UTC)
    except ValueError:
        return None


def can_mount() -> bool:
    """Return True when this process may mount a tmpfs (root in a permissive container)."""
    return os.geteuid() == 0


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Callable[..., Path]]:
    """Return a function mounting a tmpfs (``size`` bytes) on a folder; unmounted after."""
    mounted: list[Path] = []

    def mount(folder: Path, size: int = 4 * MIB, *, read_only: bool = False) -> Path:
        if not can_mount():
            pytest.skip("mounting a tmpfs needs root")
        folder.mkdir(parents=True, exist_ok=True)
        options = f"size={size}" + (",ro" if read_only else "")
        result = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here: {result.stderr.strip()}")
        mounted.append(folder)
        return folder

    yield mount
    for folder in reversed(mounted):
        with contextlib.suppress(Exception):
            unmount(folder)


def unmount(folder: Path) -> None:
    """Unmount a tmpfs (lazily, should something still hold it)."""
    subprocess.run(["umount", "-l", str(folder)], check=True, capture_output=True)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Silence botocore 1.37's own utcnow() deprecation warning in these tests."""
    here = Path(__file__).parent
    for item in items:
        if item.path.is_relative_to(here):
            item.add_marker(
                pytest.mark.filterwarnings(
                    "ignore:datetime.datetime.utcnow:DeprecationWarning:botocore.*"
                )
            )
