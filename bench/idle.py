"""Idle cost with a full archive: a tick that finds nothing new, a no-op sync, listing, scale.

The camera process lists 10,000 recordings (front and rear videos of 5,000 moments); the archive
already holds all of them: videos, thumbnails, GPS and G-sensor files, 30,000 files in daily
folders. In one process, as in Home Assistant, the engine's facade starts (one scan builds the
index) and then ticks as the coordinator does: measure the disk, survey the camera (list and plan
against the index), read the archive's facts. CPU is ``getrusage`` of the whole process (the
executor's threads included) around each tick; the first tick is reported apart.

A no-op sync is timed in-process (wall) right after start-up, caches cold, and compared with
BlackVue Sync 2.2.0 as a whole process (its start-up included, as cron runs it) on the same
camera and the same files (``--grouping daily``, so the tree is the same one). Listing: the
client's build of 10,000 recordings from a canned answer, cold (a new client) and warm (the same
answer again). The loop stall: the longest lateness of a 1 ms sleeper while a cold client and
archive list and plan 10,000 recordings, then survey again. Scale: tick CPU and the index's
memory (tracemalloc) with 10,000 and 100,000 files archived, and a straight-line projection.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, timedelta
import gc
import json
from pathlib import Path
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from typing import Any

import aiohttp

from bench import planning, stall_once
from bench.camera import CameraProcess
from bench.context import RECORDING_START, Context
from bench.files import remove_tree, scratch
from bench.procs import run_measured
from bench.report import heading, table, verdict
from bench.tools import BlackVueSync
from camera_simulators.blackvue import SimRecording, make_recordings
from custom_components.camsync.devices.blackvue import BlackVueClient
from custom_components.camsync.engine.archive import Archive
from custom_components.camsync.engine.facade import CameraArchive
from custom_components.camsync.engine.models import SyncOptions

TARGET_TICK_MS = 20.0
TARGET_NOOP_RATIO = 0.5
TARGET_PARSE_MS = 40.0
TARGET_STALL_MS = 20.0
_KINDS = "NNNNEPPMI"
_PROJECT_TO = 1_000_000


@dataclass(frozen=True, slots=True)
class Sizes:
    """How big the idle benchmark is."""

    recordings: int = 10_000
    scale: tuple[int, ...] = (30_000, 100_000)
    ticks: int = 7
    rounds: int = 5


def _sizes(context: Context) -> Sizes:
    if context.quick:
        return Sizes(recordings=1_000, scale=(3_000, 6_000), ticks=3, rounds=1)
    return Sizes()


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def recordings(count: int, start: Any = RECORDING_START) -> list[SimRecording]:
    return make_recordings(
        -(-count // 2), start=start, size_range=(1000, 1000), kinds=_KINDS, directions="FR"
    )[:count]


def fill(root: Path, recordings: list[SimRecording]) -> int:
    """Create every file of the recordings as archived (empty), daily folders; return how many."""
    archive = Archive(root, "recordings")
    client = planning.canned_client(b"")
    folders: set[Path] = set()
    count = 0
    for recording in recordings:
        stamp = client.recorded_at(recording.name)
        assert stamp is not None
        stem = recording.name[:17]
        for name in (recording.name, recording.sidecar_names()[0], f"{stem}.gps", f"{stem}.3gf"):
            path = archive.final_path(name, stamp)
            if path.parent not in folders:
                path.parent.mkdir(parents=True, exist_ok=True)
                folders.add(path.parent)
            if not path.exists():
                path.touch()
                count += 1
    return count


async def _ticks(address: str, root: Path, ticks: int) -> dict[str, Any]:
    """Start the facade, then tick; return CPU ms per tick, the first apart, and index memory."""
    async with aiohttp.ClientSession() as session:
        client = BlackVueClient(session, address, tz=UTC)
        archive = CameraArchive(client, root, holder="bench")
        gc.collect()
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        started = time.perf_counter()
        await archive.start()
        start_wall = time.perf_counter() - started
        gc.collect()
        index_bytes = tracemalloc.get_traced_memory()[0] - before
        tracemalloc.stop()
        cpu: list[float] = []
        planned = -1
        for _ in range(ticks):
            begun = _cpu()
            await archive.disk()
            survey = await archive.survey(SyncOptions())
            archive.facts()
            cpu.append((_cpu() - begun) * 1000)
            planned = survey.pending_files
    return {
        "archived": len(archive.index.recordings),
        "start_wall": start_wall,
        "index_bytes": index_bytes,
        "first_tick_ms": cpu[0],
        "tick_ms": cpu[1:],
        "tick_ms_median": statistics.median(cpu[1:]) if len(cpu) > 1 else cpu[0],
        "pending_files": planned,
    }


async def _noop_sync(address: str, root: Path) -> dict[str, Any]:
    """Start a fresh facade (its scan not timed), then time one sync that finds nothing new."""
    async with aiohttp.ClientSession() as session:
        client = BlackVueClient(session, address, tz=UTC)
        archive = CameraArchive(client, root, holder="bench")
        started = time.perf_counter()
        await archive.start()
        start_wall = time.perf_counter() - started
        started, begun = time.perf_counter(), _cpu()
        report = await archive.sync(SyncOptions())
        wall, cpu = time.perf_counter() - started, _cpu() - begun
        started = time.perf_counter()
        warm = await archive.sync(SyncOptions())
        warm_wall = time.perf_counter() - started
    return {
        "wall": wall,
        "cpu": cpu,
        "start_wall": start_wall,
        "warm_wall": warm_wall,
        "outcome": report.outcome.value,
        "listed": report.listed,
        "planned": report.planned + warm.planned,
    }


def _blackvuesync_noop(tool: BlackVueSync, camera: CameraProcess, root: Path) -> dict[str, Any]:
    python = str(tool.venv / "bin" / "python")
    argv = [python, "-m", "blackvuesync", camera.address, "--destination", str(root)]
    argv += ["--grouping", "daily"]
    measured = run_measured(argv, timeout=300.0)
    return {"wall": measured.wall, "cpu": measured.cpu, "returncode": measured.returncode}


def listing_parse(recordings: list[SimRecording], repeats: int) -> dict[str, Any]:
    """CPU and wall ms of the client building the listing: cold (new client) and warm."""
    body = planning.listing_body(recordings)

    async def measure() -> dict[str, list[float]]:
        cold_cpu, cold_wall, warm_cpu = [], [], []
        for _ in range(repeats):
            client = planning.canned_client(body)
            begun, started = _cpu(), time.perf_counter()
            await client.async_list_recordings()
            cold_cpu.append((_cpu() - begun) * 1000)
            cold_wall.append((time.perf_counter() - started) * 1000)
            begun = _cpu()
            await client.async_list_recordings()
            warm_cpu.append((_cpu() - begun) * 1000)
        return {"cold_cpu": cold_cpu, "cold_wall": cold_wall, "warm_cpu": warm_cpu}

    runs = asyncio.run(measure())
    return {key: statistics.median(values) for key, values in runs.items()} | {"runs": runs}


def _on_python314(count: int) -> dict[str, Any] | None:
    """Return the stall and listing figures under Python 3.14, if scripts/python314 has one."""
    script = Path(__file__).resolve().parent.parent / "scripts" / "python314"
    info = subprocess.run([script, "info"], capture_output=True, text=True, check=False)
    if info.returncode != 0 or "not provisioned" in info.stdout:
        return None
    command = [str(script), "run", "--venv", "latest", "--", "python", "-m", "bench.stall_once"]
    try:
        done = subprocess.run(
            [*command, str(count)], capture_output=True, text=True, check=False, timeout=600
        )
    except subprocess.TimeoutExpired:
        return None
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        return None
    found: dict[str, Any] = json.loads(lines[-1])
    return found


def measure(context: Context) -> dict[str, Any]:
    """Run the idle, no-op, listing, stall and scale measurements."""
    sizes = _sizes(context)
    camera = context.camera()
    listed = recordings(sizes.recordings)
    camera.setup(listed)
    work = scratch("idle")
    result: dict[str, Any] = {"recordings": len(listed)}
    try:
        scale: list[dict[str, Any]] = []
        older: list[SimRecording] = []
        for archived in sizes.scale:
            root = work / f"archive-{archived}"
            files = fill(root, listed)
            extra = max(0, archived - files) // 4
            if extra:
                # Older recordings, no longer listed: the archive grows, the listing does not.
                older = recordings(extra, start=RECORDING_START - timedelta(days=400))
                files += fill(root, older)
            print(f"  {files:,} files archived: ticking", flush=True)
            ticks = asyncio.run(_ticks(camera.address, root, sizes.ticks))
            scale.append({"files": files, **ticks})
            if archived == sizes.scale[0]:
                result["ticks"] = ticks
                result["noop"] = _noop_rounds(context, camera, root, sizes.rounds)
                result["stall_ms"], result["stall_gc_ms"] = asyncio.run(
                    stall_once.stall(listed, root)
                )
            remove_tree(root)
        result["scale"] = scale
        result["listing"] = listing_parse(listed, sizes.rounds + 2)
        # Under Python 3.14 as well (full runs only: it starts a second interpreter).
        result["python314"] = None if context.quick else _on_python314(len(listed))
    finally:
        remove_tree(work)
    return result


def _noop_rounds(
    context: Context, camera: CameraProcess, root: Path, rounds: int
) -> dict[str, Any]:
    tool = context.blackvuesync()
    camsync, blackvuesync = [], []
    for number in range(rounds):
        print(f"  no-op sync: round {number + 1}/{rounds}", flush=True)
        camsync.append(asyncio.run(_noop_sync(camera.address, root)))
        if isinstance(tool, BlackVueSync):
            blackvuesync.append(_blackvuesync_noop(tool, camera, root / "recordings"))
    out: dict[str, Any] = {
        "camsync": camsync,
        "camsync_wall": statistics.median(run["wall"] for run in camsync),
        "camsync_warm_wall": statistics.median(run["warm_wall"] for run in camsync),
        "start_wall": statistics.median(run["start_wall"] for run in camsync),
        "planned": max(run["planned"] for run in camsync),
    }
    if blackvuesync:
        out["blackvuesync"] = blackvuesync
        out["blackvuesync_wall"] = statistics.median(run["wall"] for run in blackvuesync)
        out["ratio"] = out["camsync_wall"] / out["blackvuesync_wall"]
    return out


def projection(scale: list[dict[str, Any]]) -> dict[str, float]:
    """Return per-file index bytes, tick growth and the straight line to 1,000,000 files."""
    small, large = scale[0], scale[-1]
    span = large["files"] - small["files"]
    per_file = (large["index_bytes"] - small["index_bytes"]) / span if span else 0.0
    tick_growth = (
        large["tick_ms_median"] / small["tick_ms_median"] if small["tick_ms_median"] else 0
    )
    return {
        "index_bytes_per_file": per_file,
        "index_mb_at_1m": (large["index_bytes"] + per_file * (_PROJECT_TO - large["files"])) / 1e6,
        "tick_growth": tick_growth,
        "files_growth": large["files"] / small["files"] if small["files"] else 0.0,
    }


def render(result: dict[str, Any]) -> str:
    """Return the idle section of the report."""
    ticks, noop, listing = result["ticks"], result["noop"], result["listing"]
    rows = [
        [
            f"idle tick CPU ({ticks['archived']:,} files archived), after the first",
            f"{ticks['tick_ms_median']:.1f} ms",
            f"<= {TARGET_TICK_MS:.0f} ms",
            verdict(ticks["tick_ms_median"] <= TARGET_TICK_MS),
        ],
        ["first tick CPU (caches cold)", f"{ticks['first_tick_ms']:.1f} ms", "", ""],
        [
            "start-up (one scan builds the index), wall",
            f"{noop['start_wall'] * 1000:.0f} ms",
            "",
            "",
        ],
    ]
    if "ratio" in noop:
        rows.append(
            [
                "no-op sync, in-process / BlackVue Sync's whole process",
                f"{noop['ratio']:.2f}x ({noop['camsync_wall'] * 1000:.0f} / "
                f"{noop['blackvuesync_wall'] * 1000:.0f} ms)",
                f"<= {TARGET_NOOP_RATIO}x",
                verdict(noop["ratio"] <= TARGET_NOOP_RATIO),
            ]
        )
    rows.append(
        ["no-op sync after a survey (warm)", f"{noop['camsync_warm_wall'] * 1000:.0f} ms", "", ""]
    )
    rows += [
        [
            f"listing {result['recordings']:,} recordings, cold (CPU)",
            f"{listing['cold_cpu']:.1f} ms",
            f"<= {TARGET_PARSE_MS:.0f} ms",
            verdict(listing["cold_cpu"] <= TARGET_PARSE_MS),
        ],
        ["  the same, wall", f"{listing['cold_wall']:.1f} ms", "", ""],
        ["  the same answer again (warm, CPU)", f"{listing['warm_cpu']:.1f} ms", "", ""],
        [
            "longest event-loop stall, list + plan (cold, then again)",
            f"{result['stall_ms']:.1f} ms",
            f"<= {TARGET_STALL_MS:.0f} ms",
            verdict(result["stall_ms"] <= TARGET_STALL_MS),
        ],
        ["  its longest garbage collection", f"{result['stall_gc_ms']:.1f} ms", "", ""],
    ]
    other = result.get("python314")
    if other:
        rows += [
            [
                f"on Python {other['python']} (Home Assistant 2026.3+): listing, cold (CPU)",
                f"{other['list_parse_ms']:.1f} ms",
                f"<= {TARGET_PARSE_MS:.0f} ms",
                verdict(other["list_parse_ms"] <= TARGET_PARSE_MS),
            ],
            [
                f"on Python {other['python']}: longest loop stall, list + plan",
                f"{other['stall_ms']:.1f} ms (gc {other['gc_ms']:.1f} ms)",
                f"<= {TARGET_STALL_MS:.0f} ms",
                verdict(other["stall_ms"] <= TARGET_STALL_MS),
            ],
        ]
    scale_rows = [
        [
            f"{item['files']:,}",
            f"{item['tick_ms_median']:.1f}",
            f"{item['index_bytes'] / 1e6:.1f}",
        ]
        for item in result["scale"]
    ]
    line = projection(result["scale"])
    return "\n".join(
        [
            heading(f"6. Idle: {result['recordings']:,} recordings listed, all archived"),
            table(["figure", "value", "target", ""], rows),
            "",
            table(["files archived", "tick CPU ms", "index MB (tracemalloc)"], scale_rows),
            f"  index: {line['index_bytes_per_file']:.0f} bytes per file; a straight line to "
            f"{_PROJECT_TO:,} files: {line['index_mb_at_1m']:.0f} MB; tick CPU grew "
            f"{line['tick_growth']:.2f}x for {line['files_growth']:.0f}x the files",
            "  CPU is getrusage of the whole process (executor threads included), Python "
            + sys.version.split()[0],
        ]
    )
