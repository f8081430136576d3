"""The loop stall and the cold listing of 10,000 recordings on this interpreter, as one JSON line.

``python -m bench.stall_once [RECORDINGS]``: the idle benchmark runs it under Python 3.14 (Home
Assistant 2026.3 and later) when ``scripts/python314`` has one ready, beside its own figures on
the bench's Python. Python 3.13's garbage collector now and then makes a full pass over every
object while a listing's objects are built, and the loop waits for it; 3.14's collects the old
objects a slice at a time. Each garbage collection's pause is recorded too (``gc_ms``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
import gc
import json
from pathlib import Path
import platform
import sys
import time
from typing import Any

from bench import planning
from bench.files import remove_tree, scratch
from bench.loop_stall import Monitor
from camera_simulators.blackvue import SimRecording
from custom_components.camsync.engine.facade import CameraArchive
from custom_components.camsync.engine.models import SyncOptions


@contextmanager
def gc_pauses() -> Iterator[list[float]]:
    """Record the pause (ms) of every garbage collection while inside."""
    pauses: list[float] = []
    started = [0.0]

    def note(phase: str, _info: dict[str, Any]) -> None:
        if phase == "start":
            started[0] = time.perf_counter()
        else:
            pauses.append((time.perf_counter() - started[0]) * 1000)

    gc.callbacks.append(note)
    try:
        yield pauses
    finally:
        gc.callbacks.remove(note)


async def stall(recordings: list[SimRecording], root: Path) -> tuple[float, float]:
    """Return the longest loop lateness and gc pause (ms): list and plan cold, then twice more."""
    client = planning.canned_client(planning.listing_body(recordings))
    archive = CameraArchive(client, root)
    await archive.start()
    monitor = Monitor()
    task = asyncio.create_task(monitor.run())
    await asyncio.sleep(0.01)
    with gc_pauses() as pauses:
        for _ in range(3):
            await archive.survey(SyncOptions())
    monitor.stop()
    await task
    return max(monitor.lateness, default=0.0) * 1000, max(pauses, default=0.0)


def main(argv: list[str]) -> int:
    """Measure three rounds and print the figures."""
    from bench import idle

    count = int(argv[0]) if argv else 10_000
    recordings = idle.recordings(count)
    work = scratch("stall-once")
    try:
        idle.fill(work, recordings)
        rounds = [asyncio.run(stall(recordings, work)) for _ in range(3)]
        listing = idle.listing_parse(recordings, 5)
    finally:
        remove_tree(work)
    print(
        json.dumps(
            {
                "python": platform.python_version(),
                "stall_ms": max(item[0] for item in rounds),
                "gc_ms": max(item[1] for item in rounds),
                "list_parse_ms": listing["cold_cpu"],
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
