"""The partial writer: pieces land in order even when the kernel takes them a little at a time."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from unittest.mock import patch

from custom_components.camsync.engine import files
from custom_components.camsync.engine.files import PartialWriter


def test_short_writes_still_write_every_piece_in_order(tmp_path: Path) -> None:
    pieces = [bytes([index]) * (1000 + index) for index in range(40)]
    calls: list[int] = []

    class SlowDisk:
        """Writes at most 777 bytes per call, like a kernel under pressure may."""

        def __getattr__(self, name: str) -> Any:
            return getattr(os, name)

        def writev(self, fd: int, buffers: list[memoryview]) -> int:
            calls.append(len(buffers))
            data = b"".join(bytes(buffer) for buffer in buffers)[:777]
            return os.write(fd, data)

    path = tmp_path / "clip.part"
    writer = PartialWriter(path, append=False)
    with patch.object(files, "os", SlowDisk()):
        writer.write(pieces[:25])
        writer.finish(pieces[25:], durable=True)

    assert path.read_bytes() == b"".join(pieces)
    assert len(calls) > len(pieces)  # it really was taken in short bites


def test_appending_keeps_what_is_there(tmp_path: Path) -> None:
    path = tmp_path / "clip.part"
    path.write_bytes(b"head-")
    writer = PartialWriter(path, append=True)
    writer.write([b"mid", b"", b"dle-"])
    writer.finish([b"tail"], durable=False)
    assert path.read_bytes() == b"head-middle-tail"
