"""Event-loop stalls while a sync runs, in-process, as in Home Assistant.

A plain asyncio program runs the engine's facade (``CameraArchive.sync``) for many small videos
from the camera process while a monitor task sleeps 1 ms in a loop and records how late each
wake-up is. Whatever the engine does on the loop itself (parsing, bookkeeping, callbacks between
reads) shows up as lateness; the file I/O it sends to the executor does not. The same monitor runs
alone first, to show the noise floor of this machine.
"""

from __future__ import annotations

import asyncio
from dataclasses import asdict, dataclass
from datetime import UTC
from pathlib import Path
import time
from typing import Any

import aiohttp

from bench.context import RECORDING_START, Context
from bench.files import MIB, check_videos, remove_tree, scratch
from bench.report import heading, ms, table, verdict
from camera_simulators.blackvue import make_recordings
from custom_components.camsync.devices.blackvue import BlackVueClient
from custom_components.camsync.engine.facade import CameraArchive
from custom_components.camsync.engine.models import SyncOptions, SyncReport

TARGET_STALL = 0.050
TICK = 0.001
IDLE_SECONDS = 2.0


@dataclass(frozen=True, slots=True)
class Lateness:
    """How late the monitor's 1 ms sleeps woke up."""

    samples: int
    max: float
    p99: float
    p999: float
    over_10ms: int

    @classmethod
    def of(cls, values: list[float]) -> Lateness:
        """Summarise the recorded lateness values."""
        ordered = sorted(values)
        return cls(
            samples=len(ordered),
            max=ordered[-1],
            p99=_percentile(ordered, 0.99),
            p999=_percentile(ordered, 0.999),
            over_10ms=sum(value > 0.010 for value in ordered),
        )


def _percentile(ordered: list[float], share: float) -> float:
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


class Monitor:
    """Sleeps ``TICK`` in a loop and records how late each wake-up is."""

    def __init__(self) -> None:
        self.lateness: list[float] = []
        self._stop = asyncio.Event()

    async def run(self) -> None:
        """Sample until :meth:`stop`."""
        while not self._stop.is_set():
            started = time.perf_counter()
            await asyncio.sleep(TICK)
            self.lateness.append(max(0.0, time.perf_counter() - started - TICK))

    def stop(self) -> None:
        """End the sampling loop after its current sleep."""
        self._stop.set()


async def _idle() -> Lateness:
    monitor = Monitor()
    task = asyncio.create_task(monitor.run())
    await asyncio.sleep(IDLE_SECONDS)
    monitor.stop()
    await task
    return Lateness.of(monitor.lateness)


async def _during_sync(address: str, dest: Path) -> tuple[Lateness, SyncReport, float]:
    monitor = Monitor()
    task = asyncio.create_task(monitor.run())
    started = time.perf_counter()
    async with aiohttp.ClientSession() as session:
        client = BlackVueClient(session, address, tz=UTC)
        archive = CameraArchive(client, dest, holder="bench")
        await archive.start()
        report = await archive.sync(SyncOptions(sidecars=False))
    wall = time.perf_counter() - started
    monitor.stop()
    await task
    return Lateness.of(monitor.lateness), report, wall


def measure(context: Context) -> dict[str, Any]:
    """Run one sync of many small videos with the monitor beside it."""
    sizes = context.sizes
    camera = context.camera()
    recordings = make_recordings(
        sizes.stall_files // 2,
        start=RECORDING_START,
        size_range=(sizes.stall_file, sizes.stall_file),
        kinds="NEP",
        directions="FR",
    )
    camera.setup(recordings)
    idle = asyncio.run(_idle())
    dest = scratch("stall")
    print(f"  {len(recordings)} videos of {sizes.stall_file // MIB} MiB", flush=True)
    during, report, wall = asyncio.run(_during_sync(camera.address, dest))
    check = check_videos(dest, recordings, hash_them=False)
    remove_tree(dest)
    return {
        "files": len(recordings),
        "file_size": sizes.stall_file,
        "outcome": report.outcome.value,
        "saved": len(report.saved),
        "videos": check.summary(),
        "wall": wall,
        "idle": asdict(idle),
        "during": asdict(during),
    }


def render(result: dict[str, Any]) -> str:
    """Return the event-loop section of the report."""
    rows = []
    for key, label in (("idle", "monitor alone (noise floor)"), ("during", "during the sync")):
        item = result[key]
        rows.append(
            [
                label,
                f"{item['samples']:,}",
                ms(item["p99"]),
                ms(item["p999"]),
                ms(item["max"]),
                str(item["over_10ms"]),
            ]
        )
    worst = result["during"]["max"]
    return "\n".join(
        [
            heading("5. Event-loop stalls during a run (in-process)"),
            f"  {result['files']} videos of {result['file_size'] // MIB} MiB: {result['outcome']}, "
            f"{result['videos']}, {result['wall']:.1f} s",
            f"  beside it, a task sleeping {TICK * 1000:g} ms in a loop records how late it wakes",
            table(["", "wake-ups", "p99 late", "p99.9 late", "max late", "> 10 ms"], rows),
            f"  target: longest stall under {ms(TARGET_STALL)}: {ms(worst)}  "
            f"{verdict(worst < TARGET_STALL)}",
        ]
    )
