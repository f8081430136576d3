"""A mirror as a config subentry stores it: its keys, and the engine target it describes.

Each mirror of a camera is a config subentry of type ``mirror`` of the camera's entry. Its data
holds the kind (``folder`` or ``s3``), the kind's settings and the mirror's own retention; the
subentry's unique id is the target's fingerprint (a folder's path; an S3 endpoint, bucket and
prefix), so one place is never mirrored twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
import os
from pathlib import Path
from typing import Any, Final

from .engine.mirrors import (
    FolderSettings,
    FolderTarget,
    MirrorKind,
    MirrorTarget,
    S3Settings,
    S3Target,
)

SUBENTRY_MIRROR: Final = "mirror"

CONF_MIRROR_KIND: Final = "kind"
CONF_MIRROR_RETENTION_DAYS: Final = "retention_days"
# Folder
CONF_PATH: Final = "path"
CONF_MOUNT_POINT: Final = "mount_point"
CONF_ALLOW_SAME_DISK: Final = "allow_same_disk"
# S3
CONF_ENDPOINT_URL: Final = "endpoint_url"
CONF_REGION: Final = "region"
CONF_BUCKET: Final = "bucket"
CONF_PREFIX: Final = "prefix"
CONF_ACCESS_KEY_ID: Final = "access_key_id"
CONF_SECRET_ACCESS_KEY: Final = "secret_access_key"  # noqa: S105  (a key name)
CONF_ADDRESSING: Final = "addressing"
CONF_VERIFY_TLS: Final = "verify_tls"

DEFAULT_REGION: Final = "us-east-1"
DEFAULT_MIRROR_RETENTION_DAYS: Final = 0  # keep forever
ADDRESSING_AUTO: Final = "auto"
ADDRESSING_PATH: Final = "path"
ADDRESSING_VIRTUAL: Final = "virtual"
ADDRESSING = (ADDRESSING_AUTO, ADDRESSING_PATH, ADDRESSING_VIRTUAL)
MIRROR_SECRETS: Final = (CONF_SECRET_ACCESS_KEY, CONF_ACCESS_KEY_ID)
"""What diagnostics redact and every text is scrubbed of."""


def normalise_path(text: str) -> Path:
    """Return a folder as the user typed it, normalised (no trailing slash, no ``..``)."""
    return Path(os.path.normpath(text.strip())) if text.strip() else Path()


def normalise_prefix(text: str) -> str:
    """Return a key prefix without leading or trailing slashes and empty parts."""
    return "/".join(part for part in text.strip().split("/") if part not in ("", "."))


@dataclass(frozen=True, slots=True)
class MirrorConfig:
    """One mirror as its subentry describes it."""

    kind: MirrorKind
    retention: timedelta | None
    folder: FolderSettings | None = None
    s3: S3Settings | None = None

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> MirrorConfig:
        """Read a subentry's data (KeyError or ValueError when it is incomplete)."""
        kind = MirrorKind(data[CONF_MIRROR_KIND])
        days = int(data.get(CONF_MIRROR_RETENTION_DAYS) or 0)
        retention = timedelta(days=days) if days > 0 else None
        if kind is MirrorKind.FOLDER:
            mount = str(data.get(CONF_MOUNT_POINT) or "")
            return cls(
                kind,
                retention,
                folder=FolderSettings(
                    normalise_path(str(data[CONF_PATH])),
                    mount_point=normalise_path(mount) if mount else None,
                    allow_same_disk=bool(data.get(CONF_ALLOW_SAME_DISK, False)),
                ),
            )
        addressing = data.get(CONF_ADDRESSING, ADDRESSING_AUTO)
        return cls(
            kind,
            retention,
            s3=S3Settings(
                bucket=str(data[CONF_BUCKET]).strip(),
                access_key_id=str(data[CONF_ACCESS_KEY_ID]).strip(),
                secret_access_key=str(data[CONF_SECRET_ACCESS_KEY]),
                endpoint_url=str(data.get(CONF_ENDPOINT_URL) or "").strip().rstrip("/") or None,
                region=str(data.get(CONF_REGION) or "").strip() or DEFAULT_REGION,
                prefix=normalise_prefix(str(data.get(CONF_PREFIX) or "")),
                path_style=None if addressing == ADDRESSING_AUTO else addressing == ADDRESSING_PATH,
                verify_tls=bool(data.get(CONF_VERIFY_TLS, True)),
            ),
        )

    def target(self, destination: Path) -> MirrorTarget:
        """Return the engine target of this mirror for the archive at ``destination``."""
        if self.folder is not None:
            return FolderTarget(self.folder, destination)
        assert self.s3 is not None
        return S3Target(self.s3)

    @property
    def fingerprint(self) -> str:
        """Return what identifies the place the mirror copies to (no secret)."""
        return self.target(Path("/")).fingerprint

    @property
    def location(self) -> str:
        """Return where the mirror copies to, for people: a folder or ``s3://bucket/prefix``."""
        if self.folder is not None:
            return str(self.folder.path)
        assert self.s3 is not None
        where = f" ({self.s3.endpoint_url})" if self.s3.endpoint_url else ""
        return f"s3://{self.s3.bucket}/{self.s3.key_prefix}{where}"

    def secrets(self) -> list[str]:
        """Return the credentials to scrub from any text."""
        if self.s3 is None:
            return []
        return [text for text in (self.s3.secret_access_key, self.s3.access_key_id) if text]

    def redacted(self) -> dict[str, Any]:
        """Return the settings for diagnostics, credentials hidden."""
        days = self.retention.days if self.retention else 0
        if self.folder is not None:
            folder = self.folder
            return {
                "path": str(folder.path),
                "mount_point": str(folder.mount_point) if folder.mount_point else None,
                "allow_same_disk": folder.allow_same_disk,
                "retention_days": days,
            }
        assert self.s3 is not None
        return self.s3.redacted() | {"retention_days": days}

    def overlaps(self, other: MirrorConfig) -> bool:
        """Return True when two mirrors would copy into the same place (or one inside the other).

        Two mirrors sharing a folder or a bucket prefix would list, and prune, each other's files.
        """
        if self.folder is not None and other.folder is not None:
            return _nested(self.folder.path, other.folder.path)
        if self.s3 is not None and other.s3 is not None:
            mine, theirs = self.s3, other.s3
            if (mine.endpoint_url or "", mine.bucket) != (theirs.endpoint_url or "", theirs.bucket):
                return False
            return mine.key_prefix.startswith(theirs.key_prefix) or theirs.key_prefix.startswith(
                mine.key_prefix
            )
        return False


def _nested(one: Path, other: Path) -> bool:
    return one.is_relative_to(other) or other.is_relative_to(one)


def folder_overlaps_archives(path: Path, destinations: Iterable[Path]) -> Path | None:
    """Return an archive (of any camera) that a folder mirror at ``path`` would overlap."""
    return next((archive for archive in destinations if _nested(path, archive)), None)
