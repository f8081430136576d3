"""The car, in-process over loopback: what GPS costs a sync, and what noticing the car costs.

A simulated dashcam (in this process) holds one made-up journey (``camera_simulators.route``:
about 25 one-minute two-channel recordings with their ``.gps``). Measured: a sync of it through
the facade with GPS (the ``.gps`` files read and summarised in the executor as they land, trips
finished and written as GPX after it), the arrival probe (one TCP connect and close) against a
listening and a closed port, and the look that follows a probe once the camera answers (its
identity and one listing): the latency from the camera coming back to the sync starting is at
most one probe interval plus that look.
"""

from __future__ import annotations

import asyncio
from datetime import UTC
from pathlib import Path
import shutil
import statistics
import time
from typing import Any

import aiohttp

from bench.report import heading, ms, table
from camera_simulators.blackvue import BlackVueSimulator, journey_recordings
from camera_simulators.route import DashcamGps, Journey
from custom_components.camsync.arrival import tcp_probe
from custom_components.camsync.devices.blackvue import BlackVueClient
from custom_components.camsync.engine.facade import CameraArchive
from custom_components.camsync.engine.models import FileRole, SyncOptions

_PROBES = 200


async def _sync(simulator: BlackVueSimulator, work: Path, journey: Journey) -> dict[str, Any]:
    destination = work / "archive"
    shutil.rmtree(destination, ignore_errors=True)
    async with aiohttp.ClientSession() as session:
        client = BlackVueClient(session, f"127.0.0.1:{simulator.port}", tz=UTC)
        archive = CameraArchive(client, destination, clock=lambda: journey.end)
        await archive.start()
        options = SyncOptions()
        begun = time.perf_counter()
        report = await archive.sync(options)
        synced = time.perf_counter() - begun
        survey = await archive.replan(options)
        begun = time.perf_counter()
        finished = await archive.finish_trips(survey)
        finishing = time.perf_counter() - begun
    trips = archive.trips
    assert trips is not None
    return {
        "sync": synced,
        "files": len(report.saved),
        "gps_files": sum(item.role is FileRole.GPS for item in report.saved),
        "gps_seconds": trips.reading.seconds,
        "fixes": trips.reading.fixes,
        "trips": len(finished),
        "finish": finishing,
    }


async def _probes(port: int) -> list[float]:
    times = []
    for _ in range(_PROBES):
        begun = time.perf_counter()
        await tcp_probe("127.0.0.1", port)
        times.append(time.perf_counter() - begun)
    return times


async def _look(simulator: BlackVueSimulator) -> float:
    """Return how long a camera that just came back takes to be probed, identified and listed."""
    await simulator.stop()
    await simulator.start("127.0.0.1", simulator.port)
    async with aiohttp.ClientSession() as session:
        client = BlackVueClient(session, f"127.0.0.1:{simulator.port}", tz=UTC)
        begun = time.perf_counter()
        assert await tcp_probe("127.0.0.1", simulator.port)
        await client.async_get_info()
        await client.async_list_recordings()
        return time.perf_counter() - begun


async def _measure(work: Path) -> dict[str, Any]:
    journey = Journey()
    recordings = journey_recordings(journey, size_range=(2000, 4000))
    async with BlackVueSimulator(recordings, gps=DashcamGps([journey])) as simulator:
        result = await _sync(simulator, work, journey)
        result["probe_open"] = await _probes(simulator.port)
        result["look"] = statistics.median([await _look(simulator) for _ in range(5)])
        closed = simulator.port
        await simulator.stop()
        result["probe_closed"] = await _probes(closed)
    result["connections_per_probe"] = 1
    return result


def measure(work: Path) -> dict[str, Any]:
    """Run the car benchmarks in a fresh event loop."""
    work.mkdir(parents=True, exist_ok=True)
    return asyncio.run(_measure(work))


def render(result: dict[str, Any]) -> str:
    """Return the car section of the report."""
    per_file = result["gps_seconds"] / max(result["gps_files"], 1)
    rows = [
        [
            f"sync of a journey: {result['files']} files ({result['gps_files']} .gps)",
            ms(result["sync"]),
        ],
        [
            f"  of it, reading and summarising the .gps ({result['fixes']:,} fixes; executor)",
            ms(result["gps_seconds"]),
        ],
        [f"finishing {result['trips']} trips (GPX written, state saved)", ms(result["finish"])],
        [
            "arrival probe, camera there (connect + close)",
            ms(statistics.median(result["probe_open"])),
        ],
        ["arrival probe, camera away (refused)", ms(statistics.median(result["probe_closed"]))],
        ["look after a probe is answered (identity + listing)", ms(result["look"])],
    ]
    return "\n".join(
        [
            heading("8. The car (in-process, loopback)"),
            table(["step", "time"], rows),
            f"  GPS: {ms(per_file)} per .gps file of a sync; a probe is one TCP connect "
            "(no request) per interval while away;\n  the car is noticed at most one probe "
            f"interval (30 s; 5 s after the driver's phone arrives) plus {ms(result['look'])} "
            "after it answers",
        ]
    )
