"""Multipart uploads in progress, kept under ``.camsync/`` so finished parts survive a restart.

One small JSON file per object being uploaded: its key, the UploadId, what the local file was
(size and modification time, so a changed file starts over) and every part the server confirmed
(number, ETag, SHA-256). It is written after each part; a record the server no longer knows
(``NoSuchUpload``) is simply started again.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
import hashlib
import json
import logging
from pathlib import Path
from typing import Any
import uuid

from ..files import remove_file, write_atomically

_LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class DonePart:
    """A part the server confirmed."""

    etag: str
    checksum: str
    size: int


@dataclass(slots=True)
class UploadRecord:
    """A multipart upload in progress."""

    key: str
    upload_id: str
    size: int
    mtime_ns: int
    part_size: int
    parts: dict[int, DonePart] = field(default_factory=dict)

    def matches(self, size: int, mtime_ns: int) -> bool:
        """Return True when the record was made for this very file."""
        return self.size == size and self.mtime_ns == mtime_ns


class UploadBook:
    """The upload records of one mirror; every method blocks (run it in the executor)."""

    def __init__(self, folder: Path) -> None:
        """Keep records in ``folder``."""
        self.folder = folder

    def _path(self, key: str) -> Path:
        return self.folder / f"{hashlib.sha256(key.encode()).hexdigest()[:32]}.json"

    def load(self, key: str) -> UploadRecord | None:
        """Return the record for ``key``; None when there is none (or it is unreadable)."""
        path = self._path(key)
        try:
            raw: Any = json.loads(path.read_text())
            record = UploadRecord(
                key=str(raw["key"]),
                upload_id=str(raw["upload_id"]),
                size=int(raw["size"]),
                mtime_ns=int(raw["mtime_ns"]),
                part_size=int(raw["part_size"]),
                parts={int(number): DonePart(**part) for number, part in raw["parts"].items()},
            )
        except FileNotFoundError:
            return None
        except (ValueError, TypeError, KeyError, AttributeError, OSError) as err:
            _LOGGER.warning("Ignoring unreadable upload record %s: %s", path, err)
            return None
        return record if record.key == key else None

    def save(self, record: UploadRecord) -> None:
        """Write the record (atomically)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        data = {
            "key": record.key,
            "upload_id": record.upload_id,
            "size": record.size,
            "mtime_ns": record.mtime_ns,
            "part_size": record.part_size,
            "parts": {str(number): asdict(part) for number, part in sorted(record.parts.items())},
        }
        path = self._path(record.key)
        partial = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
        write_atomically(json.dumps(data, indent=1).encode(), partial, path, self.folder)

    def drop(self, key: str) -> None:
        """Forget the record for ``key``."""
        remove_file(self._path(key))

    def records(self) -> list[UploadRecord]:
        """Return every readable record."""
        found: list[UploadRecord] = []
        for path in sorted(self.folder.glob("*.json")) if self.folder.is_dir() else []:
            try:
                key = str(json.loads(path.read_text())["key"])
            except (ValueError, KeyError, TypeError, OSError):
                continue
            if (record := self.load(key)) is not None:
                found.append(record)
        return found
