"""Run the benchmarks and print the report: ``python -m bench [--quick] [--only NAME ...]``.

Figures are printed, never asserted; the raw results go to ``bench/.work/results.json``.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from dataclasses import dataclass
import json
import os
import platform
import signal
import subprocess
import sys
import time
from types import FrameType
from typing import Any

from bench import (
    car,
    faults,
    gps,
    ha_lag,
    idle,
    loop_stall,
    media,
    mirror,
    planning,
    resume,
    summary,
    throughput,
)
from bench.context import Context
from bench.files import WORK, free_bytes, remove_tree, scratch
from bench.procs import kill_all
from bench.report import GB
from bench.tools import CURL

RESULTS = WORK / "results.json"


@dataclass(frozen=True, slots=True)
class Benchmark:
    """One named benchmark: measure, then render."""

    name: str
    measure: Callable[[Context], dict[str, Any]]
    render: Callable[[dict[str, Any]], str]


def _planning(context: Context) -> dict[str, Any]:
    sizes = context.sizes
    work = scratch("planning")
    try:
        return planning.measure_for_report(
            work, sizes.plan_recordings, sizes.plan_archived, sizes.plan_repeats
        )
    finally:
        remove_tree(work)


def _gps(context: Context) -> dict[str, Any]:
    work = scratch("gps")
    try:
        if context.quick:
            return gps.measure(work, files=200, days=30, repeats=2)
        return gps.measure(work, files=1_440, days=365, repeats=5)
    finally:
        remove_tree(work)


def _car(context: Context) -> dict[str, Any]:
    work = scratch("car")
    try:
        return car.measure(work)
    finally:
        remove_tree(work)


BENCHMARKS = (
    Benchmark("throughput", throughput.measure, throughput.render),
    Benchmark("resume", resume.measure, resume.render),
    Benchmark("faults", faults.measure, faults.render),
    Benchmark("planning", _planning, planning.render),
    Benchmark("stall", loop_stall.measure, loop_stall.render),
    Benchmark("gps", _gps, gps.render),
    Benchmark("mirror", mirror.measure, mirror.render),
    Benchmark("idle", idle.measure, idle.render),
    Benchmark("car", _car, car.render),
    Benchmark("media", media.measure, media.render),
    Benchmark("ha", ha_lag.measure, ha_lag.render),
)
NAMES = [benchmark.name for benchmark in BENCHMARKS]


def _machine() -> dict[str, Any]:
    curl = subprocess.run([CURL, "--version"], capture_output=True, text=True, check=False)
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "curl": curl.stdout.split("\n", 1)[0],
        "free_disk_gb": round(free_bytes() / GB, 1),
    }


def _header(context: Context, machine: dict[str, Any], command: str) -> str:
    lines = [
        "camsync benchmarks (figures, not assertions)",
        f"  command: {command}",
        f"  machine: {machine['platform']}, {machine['cpus']} CPUs, Python {machine['python']}",
        f"  curl:    {machine['curl']}",
        "  camera:  camera_simulators.blackvue in its own process, on 127.0.0.1",
    ]
    lines.extend(f"  note:    {note}" for note in context.notes)
    return "\n".join(lines)


def _run(selected: Sequence[Benchmark], context: Context, command: str) -> dict[str, Any]:
    machine = _machine()
    print(_header(context, machine, command), flush=True)
    results: dict[str, Any] = {"command": command, "machine": machine, "quick": context.quick}
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    for benchmark in selected:
        print(f"\n[{benchmark.name}] measuring ...", flush=True)
        begun = time.perf_counter()
        result = benchmark.measure(context)
        result["seconds"] = time.perf_counter() - begun
        results[benchmark.name] = result
        print(benchmark.render(result), flush=True)
        _save(results)
    results["total_seconds"] = time.perf_counter() - started
    load = f"{load_before:.2f} / {os.getloadavg()[0]:.2f} on {machine['cpus']} CPUs"
    results["load"] = load
    results["summary"] = summary.summarise(results)
    print(summary.render(results["summary"], load), flush=True)
    _save(results)
    print(f"\nTotal: {results['total_seconds']:.0f} s; raw results in {RESULTS}", flush=True)
    return results


def _save(results: dict[str, Any]) -> None:
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=1, default=str) + "\n")


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


def build_parser() -> argparse.ArgumentParser:
    """Return the command-line parser."""
    parser = argparse.ArgumentParser(
        prog="scripts/bench", description="camsync benchmarks: figures printed, not asserted."
    )
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    parser.add_argument(
        "--only",
        action="append",
        choices=NAMES,
        metavar="NAME",
        help=f"run only this benchmark (repeatable): {', '.join(NAMES)}",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the selected benchmarks; every child process is ended on the way out."""
    args = build_parser().parse_args(argv)
    selected = [item for item in BENCHMARKS if not args.only or item.name in args.only]
    command = " ".join(["scripts/bench", *(argv if argv is not None else sys.argv[1:])])
    signal.signal(signal.SIGTERM, _terminate)
    # Ctrl-C must reach us even when started from a shell that ignores SIGINT in the background.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    context = Context.create(quick=args.quick)
    try:
        _run(selected, context, command)
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130
    finally:
        context.close()
        kill_all()
        remove_tree(WORK / "tmp")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
