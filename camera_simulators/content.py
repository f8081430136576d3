"""Deterministic MP4 files for simulated cameras, generated in chunks.

The bytes of a file depend only on its name, its total size and its layout, so a test can compute
the sha256 the archive must end up with (:func:`sha256`). Nothing here holds a whole file in memory:
a benchmark can serve gigabytes.

**Payload.** Underneath, a file is a stream of numbered blocks (an 8-byte block index followed by a
per-name pseudo-random pattern), addressed by absolute file offset, so bytes appended at a wrong
offset never go unnoticed.

**Boxes.** ISO-BMFF box headers are laid over that stream at their offsets, so every video is a
well-formed MP4 whose top-level boxes chain exactly to the end of the file:

- ``layout="plain"`` (BlackVue, Reolink v7 guide): ``ftyp``, a small ``moov`` (``mvhd``, one video
  ``trak`` with ``tkhd``/``mdia``/``minf``/``stbl``; structurally valid, it does not decode), then
  one ``mdat`` around the payload (a 64-bit ``largesize`` header past 4 GiB).
- ``layout="fragmented"`` (the Reolink v3 remux): ``ftyp`` (major brand ``mp42``), a ``moov``
  with ``mvex``/``trex``, then ``moof``/``mdat`` pairs of :data:`FRAGMENT_SIZE` bytes each (the
  last one takes the remainder).

Sizes below :data:`PLAIN_HEADER_SIZE` get a tiny but still well-formed file (``ftyp``, an empty
``moov``, ``mdat``); below :data:`TINY_HEADER_SIZE` (32 bytes) no MP4 fits and the file is the
first bytes of that tiny header. A fragmented file too small for one fragment is laid out plain.

**Damage.** ``damage=N`` (N != 0) adds N to the declared size of the last ``mdat``: the body keeps
its length (a Content-Length stays honest) but the box chain no longer ends exactly at the end of
the file, as with a truncated fragment padded to the announced length. Both simulators expose it
per file name (``box_damage``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
import hashlib
import random
import struct
from typing import Literal

# An odd block length, so block boundaries never line up with the client's chunk size.
BLOCK_SIZE = 1024 * 1024 - 3
FRAGMENT_SIZE = 100_003
"""Bytes per ``moof``+``mdat`` pair of a fragmented file (odd, like the blocks)."""
_INDEX_BYTES = 8
_MAX_BOX32 = 0xFFFFFFFF

type Layout = Literal["plain", "fragmented"]


@lru_cache(maxsize=16)
def _pattern(name: str) -> bytes:
    seed = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big")
    return random.Random(seed).randbytes(BLOCK_SIZE)


def _block(name: str, index: int) -> bytes:
    return index.to_bytes(_INDEX_BYTES, "big") + _pattern(name)[_INDEX_BYTES:]


# --- Boxes ------------------------------------------------------------------------------------


def _box(kind: bytes, *parts: bytes) -> bytes:
    payload = b"".join(parts)
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def _full_box(kind: bytes, version: int, flags: int, *parts: bytes) -> bytes:
    return _box(kind, struct.pack(">I", version << 24 | flags), *parts)


_MATRIX = struct.pack(">9I", 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)
_TIMESCALE = 1000
_WIDTH, _HEIGHT = 1280, 720


def _duration_ms(size: int) -> int:
    """Return a plausible duration (about 2 Mbit/s; it only has to be deterministic)."""
    return min(size // 250, _MAX_BOX32)


def _mvhd(duration: int) -> bytes:
    return _full_box(
        b"mvhd",
        0,
        0,
        struct.pack(">IIII", 0, 0, _TIMESCALE, duration),
        struct.pack(">IH", 0x10000, 0x100),
        bytes(10),
        _MATRIX,
        bytes(24),
        struct.pack(">I", 2),
    )


def _trak(duration: int) -> bytes:
    tkhd = _full_box(
        b"tkhd",
        0,
        3,
        struct.pack(">IIIII", 0, 0, 1, 0, duration),
        bytes(8),
        struct.pack(">hhhH", 0, 0, 0, 0),
        _MATRIX,
        struct.pack(">II", _WIDTH << 16, _HEIGHT << 16),
    )
    mdhd = _full_box(b"mdhd", 0, 0, struct.pack(">IIIIHH", 0, 0, _TIMESCALE, duration, 0x55C4, 0))
    hdlr = _full_box(b"hdlr", 0, 0, bytes(4), b"vide", bytes(12), b"VideoHandler\0")
    vmhd = _full_box(b"vmhd", 0, 1, bytes(8))
    dinf = _box(b"dinf", _full_box(b"dref", 0, 0, struct.pack(">I", 1), _full_box(b"url ", 0, 1)))
    empty_table = struct.pack(">I", 0)
    stbl = _box(
        b"stbl",
        _full_box(b"stsd", 0, 0, empty_table),
        _full_box(b"stts", 0, 0, empty_table),
        _full_box(b"stsc", 0, 0, empty_table),
        _full_box(b"stsz", 0, 0, struct.pack(">II", 0, 0)),
        _full_box(b"stco", 0, 0, empty_table),
    )
    minf = _box(b"minf", vmhd, dinf, stbl)
    return _box(b"trak", tkhd, _box(b"mdia", mdhd, hdlr, minf))


def _plain_head(size: int) -> bytes:
    """``ftyp`` and ``moov`` of a plain file (the ``mdat`` header follows)."""
    ftyp = _box(b"ftyp", b"isom", struct.pack(">I", 0x200), b"isomiso2avc1mp41")
    duration = _duration_ms(size)
    return ftyp + _box(b"moov", _mvhd(duration), _trak(duration))


def _fragmented_head(size: int) -> bytes:
    """``ftyp`` and ``moov`` (with ``mvex``) of a fragmented file."""
    ftyp = _box(b"ftyp", b"mp42", struct.pack(">I", 1), b"mp42isomiso6")
    duration = _duration_ms(size)
    trex = _full_box(b"trex", 0, 0, struct.pack(">IIIII", 1, 1, 0, 0, 0))
    return ftyp + _box(b"moov", _mvhd(duration), _trak(duration), _box(b"mvex", trex))


_TINY_HEAD = _box(b"ftyp", b"isom", struct.pack(">I", 0)) + _box(b"moov")
PLAIN_HEADER_SIZE = len(_plain_head(0)) + 8
"""Bytes of ``ftyp`` + ``moov`` + ``mdat`` header in a plain file below 4 GiB (497)."""
TINY_HEADER_SIZE = len(_TINY_HEAD) + 8
"""Bytes of the smallest well-formed file: ``ftyp``, an empty ``moov``, an empty ``mdat`` (32)."""
FRAGMENTED_HEAD_SIZE = len(_fragmented_head(0))
"""Bytes of ``ftyp`` + ``moov`` before the first fragment of a fragmented file."""
_FRAGMENT_HEADER_SIZE = 100  # moof (92) + mdat header (8)


def _mdat_header(payload: int, damage: int, *, large: bool = False) -> bytes:
    """Return an ``mdat`` header for ``payload`` bytes (``large``: the 64-bit form)."""
    if not large:
        return struct.pack(">I", max(0, payload + 8 + damage)) + b"mdat"
    return struct.pack(">I", 1) + b"mdat" + struct.pack(">Q", max(0, payload + 16 + damage))


def _fragment_header(sequence: int, length: int, damage: int) -> bytes:
    """``moof`` and ``mdat`` header of fragment ``sequence`` (from 1), ``length`` bytes in all."""
    sample = length - _FRAGMENT_HEADER_SIZE
    traf = _box(
        b"traf",
        _full_box(b"tfhd", 0, 0x020000, struct.pack(">I", 1)),
        _full_box(b"tfdt", 1, 0, struct.pack(">Q", (sequence - 1) * 1000)),
        _full_box(b"trun", 0, 0x000201, struct.pack(">IiI", 1, _FRAGMENT_HEADER_SIZE, sample)),
    )
    moof = _box(b"moof", _full_box(b"mfhd", 0, 0, struct.pack(">I", sequence)), traf)
    assert len(moof) + 8 == _FRAGMENT_HEADER_SIZE
    return moof + _mdat_header(sample, damage)


# --- Layout -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Plan:
    """Where the box headers of one file sit: a head at 0, then fragments (if any)."""

    size: int
    head: bytes
    fragments: int = 0
    damage: int = 0

    @property
    def body_start(self) -> int:
        return len(self.head)

    def fragment_span(self, index: int) -> tuple[int, int]:
        start = self.body_start + index * FRAGMENT_SIZE
        end = self.size if index == self.fragments - 1 else start + FRAGMENT_SIZE
        return start, end

    def regions(self, start: int, stop: int) -> Iterator[tuple[int, bytes]]:
        """Yield (offset, header bytes) of every header overlapping ``start``..``stop``."""
        if start < len(self.head):
            yield 0, self.head
        if not self.fragments:
            return
        first = max(0, (start - self.body_start) // FRAGMENT_SIZE - 1)
        for index in range(first, self.fragments):
            begin, end = self.fragment_span(index)
            if begin >= stop:
                return
            if begin + _FRAGMENT_HEADER_SIZE > start:
                damage = self.damage if index == self.fragments - 1 else 0
                yield begin, _fragment_header(index + 1, end - begin, damage)


@lru_cache(maxsize=256)
def _plan(size: int, layout: Layout, damage: int) -> _Plan:
    if size < TINY_HEADER_SIZE:
        return _Plan(size, (_TINY_HEAD + _mdat_header(0, 0))[:size])
    if layout == "fragmented" and size >= FRAGMENTED_HEAD_SIZE + _FRAGMENT_HEADER_SIZE:
        body = size - FRAGMENTED_HEAD_SIZE
        count, rest = divmod(body, FRAGMENT_SIZE)
        if count == 0 or rest >= _FRAGMENT_HEADER_SIZE:
            count += 1  # a last, shorter fragment (or the only one)
        return _Plan(size, _fragmented_head(size), count, damage)
    head = _plain_head(size)
    if size < len(head) + 8:
        head = _TINY_HEAD
    payload = size - len(head) - 8
    large = payload + 8 > _MAX_BOX32
    if large:
        payload -= 8  # the 64-bit header is 8 bytes longer
    return _Plan(size, head + _mdat_header(payload, damage, large=large))


def _raw(name: str, start: int, stop: int, chunk_size: int) -> Iterator[tuple[int, bytes]]:
    """Yield (offset, bytes) of the block stream from ``start`` to ``stop``."""
    position = start
    while position < stop:
        index, offset = divmod(position, BLOCK_SIZE)
        block = memoryview(_block(name, index))
        block_end = min(BLOCK_SIZE, offset + (stop - position))
        while offset < block_end:
            piece = block[offset : min(block_end, offset + chunk_size)]
            yield position, bytes(piece)
            offset += len(piece)
            position += len(piece)


def iter_content(
    name: str,
    size: int,
    start: int = 0,
    end: int | None = None,
    chunk_size: int = 256 * 1024,
    *,
    layout: Layout = "plain",
    damage: int = 0,
) -> Iterator[bytes]:
    """Yield the bytes ``start``..``end`` (exclusive; default the file's end) in chunks.

    ``size`` is the file's total size, box headers included.
    """
    stop = size if end is None else min(end, size)
    plan = _plan(size, layout, damage)
    for position, piece in _raw(name, start, stop, chunk_size):
        piece_end = position + len(piece)
        patched: bytearray | None = None
        for offset, header in plan.regions(position, piece_end):
            low, high = max(offset, position), min(offset + len(header), piece_end)
            if low >= high:
                continue
            if patched is None:
                patched = bytearray(piece)
            patched[low - position : high - position] = header[low - offset : high - offset]
        yield piece if patched is None else bytes(patched)


def content(name: str, size: int, *, layout: Layout = "plain", damage: int = 0) -> bytes:
    """Return a whole (small) file's bytes."""
    return b"".join(iter_content(name, size, layout=layout, damage=damage))


def sha256(name: str, size: int, *, layout: Layout = "plain", damage: int = 0) -> str:
    """Return the sha256 hex digest a complete copy of the file has."""
    digest = hashlib.sha256()
    for piece in iter_content(name, size, chunk_size=BLOCK_SIZE, layout=layout, damage=damage):
        digest.update(piece)
    return digest.hexdigest()


def size_for(name: str, low: int, high: int) -> int:
    """Return a deterministic size between ``low`` and ``high`` (inclusive) for a file name."""
    if high <= low:
        return low
    seed = int.from_bytes(hashlib.sha256(b"size:" + name.encode()).digest()[:8], "big")
    return low + seed % (high - low + 1)
