"""Throughput, CPU and memory: camsync vs curl vs BlackVue Sync 2.2.0 on the same files.

Each file set is served by the camera process; each tool fetches it into an empty folder, is
checked (size and sha256 of every file) and its output deleted. Tools take turns, each round
starting with a different one, and the median of the rounds is reported. camsync's time includes
fsyncing each file and its folder before the rename (its data-safety promise); curl and BlackVue
Sync never fsync, so a "curl, then fsync" row shows what the same durability costs on top of curl.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
import os
from pathlib import Path
import resource
import statistics
import time
from typing import Any

from bench.context import RECORDING_START, Context
from bench.files import check_videos, remove_tree, scratch
from bench.report import GB, MB, heading, size_label, table, verdict
from bench.tools import BlackVueSync, ToolRun, run_camsync
from camera_simulators.blackvue import SimRecording, make_recordings

TARGET_SPEED_RATIO = 0.9
TARGET_CPU_RATIO = 1.2
TARGET_RSS_MB = 50.0
TARGET_VERIFY_SHARE = 0.01
_FSYNC_ROW = "curl, then fsync"


@dataclass(frozen=True, slots=True)
class FileSet:
    """``count`` videos of ``size`` bytes each."""

    count: int
    size: int

    @property
    def label(self) -> str:
        """Return e.g. ``20 x 50 MiB``."""
        return f"{self.count} x {size_label(self.size)}"

    @property
    def total(self) -> int:
        """Return the bytes of the whole set."""
        return self.count * self.size

    def recordings(self) -> list[SimRecording]:
        """Return the set as camera recordings (normal front/rear videos, a minute apart)."""
        directions = "F" if self.count == 1 else "FR"
        recordings = make_recordings(
            -(-self.count // len(directions)),
            start=RECORDING_START,
            size_range=(self.size, self.size),
            kinds="N",
            directions=directions,
        )
        return recordings[: self.count]


def measure(context: Context) -> dict[str, Any]:
    """Run every tool on every file set; return the raw runs and their summaries."""
    sizes = context.sizes
    sets = [FileSet(1, sizes.big_file), FileSet(sizes.small_count, sizes.small_file)]
    return {"sets": [_measure_set(context, file_set) for file_set in sets]}


def _measure_set(context: Context, file_set: FileSet) -> dict[str, Any]:
    camera = context.camera()
    recordings = file_set.recordings()
    camera.setup(recordings)
    contenders = _contenders(context, recordings)
    runs: dict[str, list[dict[str, Any]]] = {}
    rounds = context.sizes.rounds
    for number in range(rounds):
        print(f"  {file_set.label}: round {number + 1}/{rounds}", flush=True)
        # Each round starts with a different tool, so none always follows the same neighbour.
        shift = number % len(contenders)
        for contender in contenders[shift:] + contenders[:shift]:
            for name, run in contender():
                runs.setdefault(name, []).append(run)
    tool = context.blackvuesync()
    return {
        "label": file_set.label,
        "files": file_set.count,
        "bytes": file_set.total,
        "runs": runs,
        "summary": {name: _summarise(items, file_set.total) for name, items in runs.items()},
        "blackvuesync": tool if isinstance(tool, str) else None,
    }


type Contender = Callable[[], list[tuple[str, dict[str, Any]]]]


def _contenders(context: Context, recordings: list[SimRecording]) -> list[Contender]:
    """Return one function per tool: fetch the set into an empty folder, check, delete."""
    camera = context.camera()
    names = [recording.name for recording in recordings]

    def curl() -> list[tuple[str, dict[str, Any]]]:
        dest = scratch("throughput")
        run = _checked(context.curl().run(names, dest), dest, recordings)
        synced = _with_fsync(run, *_fsync_all(dest, names))
        remove_tree(dest)
        return [("curl", run), (_FSYNC_ROW, synced)]

    def camsync() -> list[tuple[str, dict[str, Any]]]:
        dest = scratch("throughput")
        run = _checked(run_camsync(camera, dest), dest, recordings)
        remove_tree(dest)
        return [("camsync", run)]

    contenders: list[Contender] = [curl, camsync]
    tool = context.blackvuesync()
    if isinstance(tool, BlackVueSync):

        def blackvuesync() -> list[tuple[str, dict[str, Any]]]:
            dest = scratch("throughput")
            run = _checked(tool.run(camera, dest), dest, recordings)
            remove_tree(dest)
            return [("blackvuesync", run)]

        contenders.append(blackvuesync)
    return contenders


def _checked(run: ToolRun, dest: Path, recordings: list[SimRecording]) -> dict[str, Any]:
    check = check_videos(dest, recordings)
    return {**run.as_dict(), "check": check.summary(), "intact": check.intact == check.expected}


def _fsync_all(dest: Path, names: list[str]) -> tuple[float, float]:
    """Fsync each file and the folder, as camsync does; return (wall, CPU) seconds."""
    before, started = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
    for name in names:
        fd = os.open(dest / name, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    folder = os.open(dest, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return time.perf_counter() - started, cpu


def _with_fsync(curl: dict[str, Any], wall: float, cpu: float) -> dict[str, Any]:
    return {
        **curl,
        "tool": _FSYNC_ROW,
        "wall": curl["wall"] + wall,
        "cpu": curl["cpu"] + cpu,
        "fsync_wall": wall,
    }


def _summarise(runs: list[dict[str, Any]], total: int) -> dict[str, Any]:
    walls = [run["wall"] for run in runs]
    cpus = [run["cpu"] for run in runs]
    verify = [
        run["detail"]["verify"] / run["wall"]
        for run in runs
        if run.get("detail", {}).get("verified_files") and run["wall"] > 0
    ]
    return {
        "verify_share": statistics.median(verify) if verify else None,
        "mb_per_s": total / MB / statistics.median(walls),
        "mb_per_s_min": total / MB / max(walls),
        "mb_per_s_max": total / MB / min(walls),
        "cpu_s_per_gb": statistics.median(cpus) / (total / GB),
        "user_s_per_gb": statistics.median(run["cpu_user"] for run in runs) / (total / GB),
        "rss_growth_mb": max(run["rss_growth"] for run in runs) / MB,
        "rss_peak_mb": max(run["rss_peak"] for run in runs) / MB,
        "all_intact": all(run["intact"] for run in runs),
        "ended": sorted({run["ended"] for run in runs}),
    }


# --- Report -----------------------------------------------------------------------------------

_ORDER = ("curl", _FSYNC_ROW, "camsync", "blackvuesync")
_NAMES = {"blackvuesync": "BlackVue Sync 2.2.0"}


def render(result: dict[str, Any]) -> str:
    """Return the throughput section of the report."""
    parts = [heading("1. Throughput, CPU and memory (loopback, one file at a time)")]
    parts.extend(_render_set(file_set) for file_set in result["sets"])
    rounds = len(result["sets"][0]["runs"]["curl"]) if result["sets"] else 0
    parts.append(
        f"  MB/s: median of {rounds} rounds (slowest-fastest). camsync and BlackVue Sync are\n"
        "  timed around their sync (interpreter start-up and imports excluded), curl as whole\n"
        "  processes, one per file. CPU s/GB includes the kernel's share (socket and page-cache\n"
        "  copies, fsync); 'of it user' is the program's own work. RSS growth: peak minus the\n"
        "  same program idle. Only camsync fsyncs, and its figures include it; 'curl, then\n"
        "  fsync' adds the same fsyncs to curl's time."
    )
    return "\n".join(parts)


def _render_set(file_set: dict[str, Any]) -> str:
    summary = file_set["summary"]
    rows = []
    for name in _ORDER:
        if name not in summary:
            continue
        item = summary[name]
        rows.append(
            [
                _NAMES.get(name, name),
                f"{item['mb_per_s']:.0f} ({item['mb_per_s_min']:.0f}-{item['mb_per_s_max']:.0f})",
                f"{item['cpu_s_per_gb']:.2f}",
                f"{item['user_s_per_gb']:.2f}",
                f"{item['rss_growth_mb']:.1f}",
                f"{item['rss_peak_mb']:.0f}",
                "yes" if item["all_intact"] else "NO",
            ]
        )
    lines = [
        f"\n  {file_set['label']} ({file_set['bytes'] / MB:.0f} MB)",
        table(
            ["tool", "MB/s", "CPU s/GB", "of it user", "RSS growth MB", "peak RSS MB", "intact"],
            rows,
        ),
    ]
    if file_set.get("blackvuesync"):
        lines.append(f"  BlackVue Sync 2.2.0 not measured: {file_set['blackvuesync']}")
    lines.append(_targets(file_set))
    return "\n".join(lines)


def _targets(file_set: dict[str, Any]) -> str:
    summary = file_set["summary"]
    camsync, curl = summary.get("camsync"), summary.get("curl")
    if camsync is None or curl is None:
        return ""
    speed = camsync["mb_per_s"] / curl["mb_per_s"]
    cpu = camsync["cpu_s_per_gb"] / curl["cpu_s_per_gb"]
    rows = [
        [
            "speed, camsync / curl",
            f"{speed:.2f}x",
            f">= {TARGET_SPEED_RATIO}x",
            verdict(speed >= TARGET_SPEED_RATIO),
        ],
        [
            "CPU per GB, camsync / curl",
            f"{cpu:.2f}x",
            f"<= {TARGET_CPU_RATIO}x",
            verdict(cpu <= TARGET_CPU_RATIO),
        ],
    ]
    share = camsync.get("verify_share")
    if share is not None:
        rows.append(
            [
                "content verification, share of camsync's time",
                f"{share * 100:.3f} %",
                f"< {TARGET_VERIFY_SHARE * 100:.0f} %",
                verdict(share < TARGET_VERIFY_SHARE),
            ]
        )
    fsync = summary.get(_FSYNC_ROW)
    if fsync is not None:
        ratio = camsync["mb_per_s"] / fsync["mb_per_s"]
        rows.append(["speed, camsync / (curl, then fsync)", f"{ratio:.2f}x", "(reference)", ""])
    if file_set["files"] == 1:
        growth = camsync["rss_growth_mb"]
        rows.append(
            [
                "camsync peak RSS growth",
                f"{growth:.1f} MB",
                f"< {TARGET_RSS_MB:.0f} MB",
                verdict(growth < TARGET_RSS_MB),
            ]
        )
    return table(["figure", "value", "target", ""], rows)
