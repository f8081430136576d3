"""A tiny reference ISO-BMFF walker for the simulator tests (camsync has its own in the engine)."""

from __future__ import annotations

import struct


def top_level_boxes(data: bytes) -> list[tuple[str, int, int]]:
    """Return (type, offset, size) of each top-level box; raise ValueError if the chain breaks.

    The sizes must chain exactly to the end of ``data``: size 1 means a 64-bit size follows the
    type, size 0 means "to the end" (allowed for the last box only).
    """
    boxes = []
    offset = 0
    while offset < len(data):
        if len(data) - offset < 8:
            raise ValueError(f"{len(data) - offset} stray bytes at {offset}")
        size, kind = struct.unpack_from(">I4s", data, offset)
        header = 8
        if size == 1:
            if len(data) - offset < 16:
                raise ValueError(f"truncated largesize at {offset}")
            (size,) = struct.unpack_from(">Q", data, offset + 8)
            header = 16
        elif size == 0:
            size = len(data) - offset
        if size < header or offset + size > len(data):
            raise ValueError(f"box {kind!r} at {offset} claims {size} bytes")
        boxes.append((kind.decode("latin-1"), offset, size))
        offset += size
    return boxes


def is_well_formed(data: bytes) -> bool:
    """Whether the chain ends exactly at the end, ``ftyp`` comes first and a ``moov`` follows."""
    try:
        kinds = [kind for kind, _, _ in top_level_boxes(data)]
    except ValueError:
        return False
    return bool(kinds) and kinds[0] == "ftyp" and "moov" in kinds


def children(data: bytes, offset: int, size: int, header: int = 8) -> list[tuple[str, int, int]]:
    """Return the boxes inside the container box at ``offset`` (chain checked)."""
    inner = data[offset + header : offset + size]
    return [(kind, offset + header + at, length) for kind, at, length in top_level_boxes(inner)]
