"""Content verification: a video is archived only when its MP4 box chain reaches exactly its end.

An ISO-BMFF file (MP4) is a chain of top-level boxes, each starting with its size and a four-letter
type. Walking that chain takes one small read per box and no decoding, and catches what a length
check cannot: a body cut short or padded by a server that announced the wrong length, or bytes
appended at a wrong offset. A playable camera video starts with ``ftyp``, has a ``moov`` and an
``mdat``; a fragmented one has its ``moov`` before the first ``moof``, and an ``mdat`` after each
``moof``. Vendor boxes (``free``, ``skip``, ``uuid``, ...) chain like any other.
"""

from __future__ import annotations

from collections.abc import Callable
import os
from pathlib import Path

type ReadAt = Callable[[int, int], bytes]
"""Return up to ``count`` bytes at ``offset`` (fewer only at the end of the file)."""

MAX_BOXES = 1_000_000
"""More top-level boxes than this is not a camera's video (a fragment a second for 11 days)."""

_HEADER = 8
_LARGE_HEADER = 16


def describe_damage(read: ReadAt, length: int) -> str | None:
    """Return why ``length`` bytes read through ``read`` are not a whole MP4; None when they are."""
    if length < _HEADER:
        return f"{length} bytes are too short for an MP4"
    offset = boxes = 0
    moov = mdat = fragment_open = False
    while offset < length:
        if boxes >= MAX_BOXES:
            return f"more than {MAX_BOXES} top-level boxes"
        header = read(offset, _LARGE_HEADER)
        if len(header) < _HEADER:
            return f"the box header at byte {offset} is cut off"
        size = int.from_bytes(header[:4], "big")
        kind = header[4:8]
        if not all(0x20 <= char < 0x7F for char in kind):
            return f"no box at byte {offset} (the chain ends there, {length - offset} bytes early)"
        name = kind.decode("ascii")
        head = _HEADER
        if size == 1:  # a 64-bit size follows the type
            if len(header) < _LARGE_HEADER:
                return f"the {name} box header at byte {offset} is cut off"
            size = int.from_bytes(header[8:16], "big")
            head = _LARGE_HEADER
        elif size == 0:  # "to the end of the file": only the last box can say so
            size = length - offset
        if size < head:
            return f"the {name} box at byte {offset} claims {size} bytes, less than its header"
        if offset + size > length:
            return (
                f"the {name} box at byte {offset} needs {offset + size - length} more bytes "
                "than the file has"
            )
        if boxes == 0 and kind != b"ftyp":
            return f"the file starts with {name}, not ftyp"
        if kind == b"moov":
            moov = True
        elif kind == b"moof":
            if not moov:
                return f"a movie fragment at byte {offset} comes before the moov box"
            if fragment_open:
                return f"the movie fragment before byte {offset} has no mdat"
            fragment_open = True
        elif kind == b"mdat":
            mdat = True
            fragment_open = False
        offset += size
        boxes += 1
    if not moov:
        return "no moov box"
    if not mdat:
        return "no mdat box"
    if fragment_open:
        return "the last movie fragment has no mdat"
    return None


def mp4_damage(path: Path) -> str | None:
    """Return why the file at ``path`` is not a whole MP4, None when it is (blocking)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        length = os.fstat(fd).st_size
        return describe_damage(lambda offset, count: os.pread(fd, count, offset), length)
    finally:
        os.close(fd)


def bytes_damage(data: bytes) -> str | None:
    """Return why ``data`` is not a whole MP4, None when it is."""
    return describe_damage(lambda offset, count: data[offset : offset + count], len(data))
