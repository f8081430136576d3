"""Run camsync's engine once against a camera and print what it did and cost, as one JSON line.

``python -m bench.camsync_once --camera 127.0.0.1:PORT --dest DIR`` drives the engine's facade
(``CameraArchive``: start, then sync) with a ``BlackVueClient``, as the Home Assistant layer does,
in a plain asyncio program. Wall and CPU seconds (``getrusage(RUSAGE_SELF)``: every thread, so
the executor's writes and fsyncs count, less the RSS sampler thread's own) are taken around the
run; start-up (the interpreter and the imports) is reported on its own.
Peak RSS growth is the highest resident set size sampled during the run (:mod:`bench.rss`)
minus the resident set size right after the imports. ``verify`` is the time spent in content
verification (the MP4 box walk of each video before its rename), summed over the files.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Sequence
import cProfile
from datetime import UTC
import json
import logging
from pathlib import Path
import resource
import time
from typing import Any

import aiohttp

from bench.rss import RssSampler
from custom_components.camsync.devices.blackvue import BlackVueClient
from custom_components.camsync.engine import transfer
from custom_components.camsync.engine.facade import CameraArchive
from custom_components.camsync.engine.models import Priority, SyncOptions, SyncReport
from custom_components.camsync.engine.verify import mp4_damage


class VerifyTimer:
    """Stands in for the engine's verification function and sums the time it takes."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.files = 0

    def __call__(self, path: Path) -> str | None:
        started = time.perf_counter()
        try:
            return mp4_damage(path)
        finally:
            self.seconds += time.perf_counter() - started
            self.files += 1


def _cpu(usage: resource.struct_rusage) -> float:
    return usage.ru_utime + usage.ru_stime


async def _sync(args: argparse.Namespace) -> SyncReport:
    options = SyncOptions(
        sidecars=args.sidecars,
        priority=Priority(args.priority),
        chunk_size=args.chunk_size,
    )
    async with aiohttp.ClientSession() as session:
        client = BlackVueClient(
            session,
            args.camera,
            tz=UTC,
            connect_timeout=args.connect_timeout,
            read_timeout=args.read_timeout,
        )
        archive = CameraArchive(client, Path(args.dest), holder="bench")
        await archive.start()
        return await archive.sync(options)


def _run(args: argparse.Namespace) -> dict[str, Any]:
    timer = VerifyTimer()
    transfer.mp4_damage = timer  # type: ignore[attr-defined]
    startup = resource.getrusage(resource.RUSAGE_SELF)
    sampler = RssSampler()
    sampler.start()
    profiler = cProfile.Profile() if args.profile else None
    started = time.perf_counter()
    if profiler is not None:
        profiler.enable()
    report = asyncio.run(_sync(args))
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(args.profile)
    wall = time.perf_counter() - started
    end = resource.getrusage(resource.RUSAGE_SELF)
    growth = sampler.stop()
    # The sampler thread's CPU is the benchmark's, not camsync's.
    cpu_user = end.ru_utime - startup.ru_utime - sampler.cpu_user
    cpu_sys = end.ru_stime - startup.ru_stime - sampler.cpu_sys
    return {
        "wall": wall,
        "cpu": cpu_user + cpu_sys,
        "cpu_user": cpu_user,
        "cpu_sys": cpu_sys,
        "sampler_cpu": sampler.cpu_user + sampler.cpu_sys,
        "minor_faults": end.ru_minflt - startup.ru_minflt,
        "startup_cpu": _cpu(startup),
        "rss_baseline": sampler.baseline,
        "rss_peak": sampler.peak,
        "rss_growth": growth,
        "outcome": report.outcome.value,
        "message": report.message,
        "listed": report.listed,
        "skipped_listing": report.skipped_listing,
        "planned": report.planned,
        "saved": [[item.name, item.size, item.resumed_from] for item in report.saved],
        "failed": [[item.name, item.reason] for item in report.failed],
        "bytes_received": report.bytes_received,
        "verify": timer.seconds,
        "verified_files": timer.files,
    }


def build_parser() -> argparse.ArgumentParser:
    """Return the command-line parser."""
    parser = argparse.ArgumentParser(prog="python -m bench.camsync_once")
    parser.add_argument("--camera", required=True, help="HOST:PORT of the dashcam")
    parser.add_argument("--dest", required=True, help="the destination folder")
    parser.add_argument("--read-timeout", type=float, default=60.0)
    parser.add_argument("--connect-timeout", type=float, default=10.0)
    parser.add_argument("--sidecars", action="store_true", help="also fetch .thm/.gps/.3gf")
    parser.add_argument(
        "--priority", choices=[item.value for item in Priority], default=Priority.EVENTS_FIRST
    )
    parser.add_argument("--chunk-size", type=int, default=SyncOptions().chunk_size)
    parser.add_argument("--profile", help="write cProfile stats of the run to this file")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run once and print the JSON result."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    print(json.dumps(_run(args)), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
