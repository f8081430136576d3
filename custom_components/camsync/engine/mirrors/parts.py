"""Reading a file's parts off the event loop, with their SHA-256, and S3's composite checksum."""

from __future__ import annotations

import base64
from dataclasses import dataclass
import hashlib
import os
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Part:
    """One piece of a file, read and hashed."""

    number: int
    data: bytes
    sha256: bytes

    @property
    def checksum(self) -> str:
        """Return the part's SHA-256 as S3 wants it (base64)."""
        return b64(self.sha256)

    def md5_hex(self) -> str:
        """Return the part's MD5, the ETag S3 gives a plain part."""
        return hashlib.md5(self.data, usedforsecurity=False).hexdigest()


def b64(digest: bytes) -> str:
    """Return a digest in base64."""
    return base64.b64encode(digest).decode()


def composite_checksum(part_digests: list[bytes]) -> str:
    """Return S3's checksum of a multipart object: SHA-256 of the parts' digests, base64."""
    return b64(hashlib.sha256(b"".join(part_digests)).digest())


def part_count(size: int, part_size: int) -> int:
    """Return how many parts a file of ``size`` bytes has."""
    return max(1, -(-size // part_size))


def choose_part_size(size: int, preferred: int) -> int:
    """Return a part size S3 accepts for ``size`` bytes: at least 5 MiB, at most 10,000 parts."""
    minimum = 5 * 1024 * 1024
    part = max(preferred, minimum)
    while part_count(size, part) > 10_000:
        part *= 2
    return part


class PartReader:
    """Reads a file part after part (blocking: run ``read`` in the executor) and hashes it whole.

    Parts must be read in order; the whole file's SHA-256 is then known after the last one.
    """

    def __init__(self, path: Path, part_size: int) -> None:
        """Open the file."""
        self.path = path
        self.part_size = part_size
        self._fd = os.open(path, os.O_RDONLY)
        self.size = os.fstat(self._fd).st_size
        self._whole = hashlib.sha256()
        self._next = 1

    def read(self, number: int) -> Part:
        """Return part ``number`` (1-based; the next in order)."""
        if number != self._next:
            raise ValueError(f"part {number} read out of order (expected {self._next})")
        offset = (number - 1) * self.part_size
        length = min(self.part_size, self.size - offset)
        chunks: list[bytes] = []
        got = 0
        while got < length:
            chunk = os.pread(self._fd, length - got, offset + got)
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
        data = b"".join(chunks)
        self._whole.update(data)
        self._next += 1
        return Part(number, data, hashlib.sha256(data).digest())

    def sha256_hex(self) -> str:
        """Return the SHA-256 of the parts read so far (the whole file after the last)."""
        return self._whole.hexdigest()

    def close(self) -> None:
        """Close the file."""
        os.close(self._fd)
