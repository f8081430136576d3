"""Deterministic file content for simulated cameras, generated in chunks.

The bytes of a file depend only on its name and size, so a test can compute the sha256 the
archive must end up with. Content is built from numbered blocks (an 8-byte block index followed by
a per-name pseudo-random pattern), so bytes appended at a wrong offset never go unnoticed.
Nothing here holds a whole file in memory: a benchmark can serve gigabytes.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
import hashlib
import random

# An odd block length, so block boundaries never line up with the client's chunk size.
BLOCK_SIZE = 1024 * 1024 - 3
_INDEX_BYTES = 8


@lru_cache(maxsize=16)
def _pattern(name: str) -> bytes:
    seed = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big")
    return random.Random(seed).randbytes(BLOCK_SIZE)


def _block(name: str, index: int) -> bytes:
    return index.to_bytes(_INDEX_BYTES, "big") + _pattern(name)[_INDEX_BYTES:]


def iter_content(
    name: str, size: int, start: int = 0, end: int | None = None, chunk_size: int = 256 * 1024
) -> Iterator[bytes]:
    """Yield the bytes ``start``..``end`` (exclusive; default the file's end) in chunks."""
    stop = size if end is None else min(end, size)
    position = start
    while position < stop:
        index, offset = divmod(position, BLOCK_SIZE)
        block = memoryview(_block(name, index))
        block_end = min(BLOCK_SIZE, offset + (stop - position))
        while offset < block_end:
            piece = block[offset : min(block_end, offset + chunk_size)]
            yield bytes(piece)
            offset += len(piece)
            position += len(piece)


def content(name: str, size: int) -> bytes:
    """Return a whole (small) file's bytes."""
    return b"".join(iter_content(name, size))


def sha256(name: str, size: int) -> str:
    """Return the sha256 hex digest a complete copy of the file has."""
    digest = hashlib.sha256()
    for piece in iter_content(name, size, chunk_size=BLOCK_SIZE):
        digest.update(piece)
    return digest.hexdigest()


def size_for(name: str, low: int, high: int) -> int:
    """Return a deterministic size between ``low`` and ``high`` (inclusive) for a file name."""
    if high <= low:
        return low
    seed = int.from_bytes(hashlib.sha256(b"size:" + name.encode()).digest()[:8], "big")
    return low + seed % (high - low + 1)
