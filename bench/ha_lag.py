"""Home Assistant with four cameras syncing at once: event-loop lag and memory growth.

A real Home Assistant (``hass``, as ``scripts/develop`` runs it, asyncio debug off) runs in its own
process with a throwaway config folder; four simulated BlackVue dashcams run in a process each on
127.0.0.1. The bench-only integration ``bench/camsync_bench_probe`` (copied into that config folder,
never shipped) adds the four cameras through camsync's config flow, then, once the harness has
given each camera its recordings, calls ``camsync.sync`` for all four at once. A 10 ms timer on
Home Assistant's loop records how late it fires over the whole time the syncs run; the RSS of the
Home Assistant process is read before (after a garbage collection) and after them (without, then
with one). Every video is checked afterwards (size and sha256) and every file counted, so the
figure is for a run that really archived everything.

``CAMSYNC_BENCH_HA_PROFILE=1`` also times every event-loop callback and lists those over 5 ms
(it adds a little overhead, so the figures of such a run are marked as profiled);
``CAMSYNC_BENCH_HA_PYSPY=FILE`` samples Home Assistant with py-spy (if installed in the venv) while
the syncs run and writes collapsed stacks per thread to FILE.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
import json
import os
from pathlib import Path
import shutil
import signal
import socket
import subprocess
import sys
import time
from typing import Any

from bench.camera import REPO, CameraProcess
from bench.context import Context
from bench.files import MIB, check_videos, final_files, remove_tree, scratch
from bench.procs import track
from bench.report import heading, table, verdict
from camera_simulators.blackvue import BlackVueFaults, SimRecording, make_recordings

TARGET_P99_MS = 5.0
TARGET_MAX_MS = 25.0
TARGET_GROWTH_MB = 30.0
PROBE = Path(__file__).resolve().parent / "camsync_bench_probe"
# Written at run time: the repository holds exactly one manifest, camsync's (HACS looks for it).
PROBE_MANIFEST = {
    "domain": PROBE.name,
    "name": "camsync benchmark probe",
    "after_dependencies": ["camsync"],
    "codeowners": [],
    "documentation": "https://github.com/camsync/camsync",
    "iot_class": "local_polling",
    "requirements": [],
    "version": "0.0.1",
}
CAMERAS = 4
_START_LIMIT = 300.0
_SYNC_LIMIT = 1800.0
PROFILE_ENV = "CAMSYNC_BENCH_HA_PROFILE"
PYSPY_ENV = "CAMSYNC_BENCH_HA_PYSPY"
SWITCH_ENV = "CAMSYNC_BENCH_HA_SWITCH_INTERVAL"
KINDS_ENV = "CAMSYNC_BENCH_HA_KINDS"
RATE_ENV = "CAMSYNC_BENCH_HA_RATE"


@dataclass(frozen=True, slots=True)
class Sizes:
    """How much each camera holds: two-channel recordings of one size (plus their sidecars)."""

    recordings: int = 20
    video: int = 8 * MIB
    rate: int = 12 * MIB
    """Each camera's cap in bytes per second per connection (a camera on a LAN or good Wi-Fi)."""

    @property
    def per_camera(self) -> int:
        """Return the video bytes one camera holds."""
        return self.recordings * 2 * self.video


def _sizes(context: Context) -> Sizes:
    sizes = Sizes(recordings=4, video=2 * MIB, rate=4 * MIB) if context.quick else Sizes()
    if rate := os.environ.get(RATE_ENV):
        sizes = replace(sizes, rate=int(float(rate) * MIB))
    return sizes


def percentile(ordered: list[float], share: float) -> float:
    """Return the nearest-rank percentile of sorted values (0 for none)."""
    if not ordered:
        return 0.0
    rank = max(1, -(-round(share * len(ordered) * 1000) // 1000))  # ceil, robust to float noise
    return ordered[min(len(ordered), rank) - 1]


def lag_figures(lateness_ms: list[float]) -> dict[str, Any]:
    """Summarise how late the timer fired: samples, median, p99, p99.9, max, counts over limits."""
    ordered = sorted(lateness_ms)
    return {
        "samples": len(ordered),
        "p50_ms": percentile(ordered, 0.5),
        "p99_ms": percentile(ordered, 0.99),
        "p999_ms": percentile(ordered, 0.999),
        "max_ms": ordered[-1] if ordered else 0.0,
        "over_5ms": sum(value > TARGET_P99_MS for value in ordered),
        "over_25ms": sum(value > TARGET_MAX_MS for value in ordered),
    }


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def _configuration(config: Path, work: Path, cameras: list[CameraProcess], profile: bool) -> str:
    media = config / "media"
    entries = "\n".join(
        f"    - host: {camera.address}\n"
        f"      name: Bench dashcam {number}\n"
        f"      destination: {media / 'camsync' / f'bench_{number}'}"
        for number, camera in enumerate(cameras, 1)
    )
    return (
        "# Written by bench/ha_lag.py: a throwaway Home Assistant for one measurement.\n"
        "homeassistant:\n"
        "  time_zone: UTC\n"
        "  media_dirs:\n"
        f"    local: {media}\n"
        "http:\n"
        "  server_host: 127.0.0.1\n"
        f"  server_port: {_free_port()}\n"
        "logger:\n"
        "  default: warning\n"
        "camsync_bench_probe:\n"
        f"  work: {work}\n"
        "  period: 0.01\n"
        f"  profile: {'true' if profile else 'false'}\n"
        + (f"  switch_interval: {os.environ[SWITCH_ENV]}\n" if os.environ.get(SWITCH_ENV) else "")
        + "  cameras:\n"
        f"{entries}\n"
    )


def _prepare(config: Path, work: Path, cameras: list[CameraProcess], profile: bool) -> None:
    components = config / "custom_components"
    components.mkdir(parents=True)
    (config / "media" / "camsync").mkdir(parents=True)
    work.mkdir()
    (components / "camsync").symlink_to(REPO / "custom_components" / "camsync")
    probe = components / PROBE.name
    shutil.copytree(PROBE, probe, ignore=shutil.ignore_patterns("__pycache__"))
    (probe / "manifest.json").write_text(json.dumps(PROBE_MANIFEST, indent=2) + "\n")
    (config / "configuration.yaml").write_text(_configuration(config, work, cameras, profile))


def _start_hass(config: Path) -> subprocess.Popen[bytes]:
    argv = [sys.executable, str(REPO / "scripts" / "dev_bootstrap.py"), "hass"]
    argv += ["-c", str(config), "--skip-pip"]
    with (config / "hass-console.log").open("wb") as console:
        process = subprocess.Popen(
            argv,
            cwd=REPO,
            stdin=subprocess.DEVNULL,
            stdout=console,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env={key: value for key, value in os.environ.items() if key != "PYTHONASYNCIODEBUG"},
        )
    track(process)
    return process


def _start_pyspy(pid: int) -> subprocess.Popen[bytes]:
    """Sample Home Assistant with py-spy (collapsed stacks per thread) until interrupted."""
    out = Path(os.environ[PYSPY_ENV]).resolve()
    spy = Path(sys.executable).parent / "py-spy"
    argv = [str(spy), "record", "--pid", str(pid), "--rate", "250", "--threads", "--nonblocking"]
    argv += ["--format", "raw", "--output", str(out)]
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    track(process)
    print(f"  py-spy samples Home Assistant into {out}", flush=True)
    return process


def _stop_hass(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _wait_for(path: Path, process: subprocess.Popen[bytes], limit: float, what: str) -> Any:
    deadline = time.monotonic() + limit
    while not path.exists():
        if process.poll() is not None:
            raise RuntimeError(f"Home Assistant exited ({process.returncode}) before {what}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"no {what} after {limit:.0f} s")
        time.sleep(0.2)
    return json.loads(path.read_text())


def _log_lines(config: Path) -> dict[str, Any]:
    """Count Home Assistant's ERROR lines and its own blocking-call warnings, keep a few."""
    log = config / "home-assistant.log"
    lines = log.read_text(errors="replace").splitlines() if log.exists() else []
    errors = [line for line in lines if " ERROR " in line]
    blocking = [line for line in lines if "blocking call" in line.lower()]
    return {
        "errors": len(errors),
        "blocking_warnings": len(blocking),
        "first": (errors + blocking)[:5],
    }


def _check(config: Path, cameras: int, recordings: list[SimRecording]) -> dict[str, Any]:
    """Check every camera's videos (size and sha256) and count all files and bytes archived."""
    intact = expected = files = size = 0
    summaries = []
    suffixes: Counter[str] = Counter()
    for number in range(1, cameras + 1):
        dest = config / "media" / "camsync" / f"bench_{number}"
        check = check_videos(dest, recordings)
        intact += check.intact
        expected += check.expected
        summaries.append(check.summary())
        found = final_files(dest)
        files += len(found)
        suffixes.update(path.suffix for path in found.values())
        size += sum(path.stat().st_size for path in found.values())
    return {
        "videos_intact": intact,
        "videos_expected": expected,
        "files": files,
        "bytes": size,
        "per_camera": summaries,
        "by_suffix": dict(sorted(suffixes.items())),
    }


def measure(context: Context) -> dict[str, Any]:
    """Run Home Assistant with four cameras syncing at once; return the lag and memory figures."""
    sizes = _sizes(context)
    profile = os.environ.get(PROFILE_ENV) == "1"
    start = datetime.now(UTC).replace(tzinfo=None, microsecond=0) - timedelta(hours=2)
    recordings = make_recordings(
        sizes.recordings,
        start=start,
        size_range=(sizes.video, sizes.video),
        kinds=os.environ.get(KINDS_ENV, "NEP"),
        directions="FR",
    )
    base = scratch("ha")
    config, work = base / "config", base / "probe"
    cameras = [CameraProcess.start() for _ in range(CAMERAS)]
    for camera in cameras:
        track(camera.process)
    hass: subprocess.Popen[bytes] | None = None
    print(
        f"  {CAMERAS} cameras x {len(recordings)} videos of {sizes.video // MIB} MiB "
        f"({sizes.per_camera / MIB:.0f} MiB each), plus sidecars, {_cap(sizes.rate)}",
        flush=True,
    )
    try:
        _prepare(config, work, cameras, profile)
        started = time.perf_counter()
        hass = _start_hass(config)
        _wait_for(work / "ready.json", hass, _START_LIMIT, "the cameras were added")
        print(
            f"  Home Assistant up, cameras added: {time.perf_counter() - started:.0f} s", flush=True
        )
        for camera in cameras:
            camera.setup(recordings, BlackVueFaults(throughput=sizes.rate or None))
        spy = _start_pyspy(hass.pid) if os.environ.get(PYSPY_ENV) else None
        (work / "go").touch()
        probe = _wait_for(work / "results.json", hass, _SYNC_LIMIT, "the syncs finished")
        if spy is not None:
            spy.send_signal(signal.SIGINT)
            spy.wait(timeout=60)
        _stop_hass(hass)
        if "error" in probe:
            raise RuntimeError(f"the probe failed: {probe['error']}")
        checked = _check(config, CAMERAS, recordings)
        log = _log_lines(config)
    finally:
        if hass is not None:
            _stop_hass(hass)
        for camera in cameras:
            camera.close()
        remove_tree(base)
    return _result(probe, checked, log, sizes, profile)


def _result(
    probe: dict[str, Any],
    checked: dict[str, Any],
    log: dict[str, Any],
    sizes: Sizes,
    profile: bool,
) -> dict[str, Any]:
    during = lag_figures(probe["lateness_ms"])
    idle = lag_figures(probe["idle_lateness_ms"])
    pauses = probe["gc_pauses"]
    syncs = probe["syncs"]
    result: dict[str, Any] = {
        "cameras": CAMERAS,
        "videos_per_camera": sizes.recordings * 2,
        "video_size": sizes.video,
        "rate": sizes.rate,
        "profiled": profile,
        "period_ms": probe["period_ms"],
        **during,
        "duration": probe["wall"],
        "idle": idle,
        "memory_growth_mb": (probe["rss_after_gc"] - probe["rss_before"]) / 1e6,
        "memory_growth_no_gc_mb": (probe["rss_after"] - probe["rss_before"]) / 1e6,
        "memory_peak_growth_mb": (probe["rss_peak"] - probe["rss_before"]) / 1e6,
        "memory_growth_trimmed_mb": (
            (probe["rss_after_trim"] - probe["rss_before"]) / 1e6
            if probe["rss_after_trim"] is not None
            else None
        ),
        "modules_imported": probe["modules_after"] - probe["modules_before"],
        "rss_before_mb": probe["rss_before"] / 1e6,
        "gc_collections": len(pauses),
        "gc_max_ms": max((pause[0] for pause in pauses), default=0.0),
        "gc_gen2": sum(1 for pause in pauses if pause[1] == 2),
        "syncs": syncs,
        "saved_files": sum(item.get("saved_files", 0) for item in syncs),
        "saved_bytes": sum(item.get("saved_bytes", 0) for item in syncs),
        "outcomes": sorted({item.get("outcome", item.get("error", "?")) for item in syncs}),
        "entities": probe["entities"],
        "loop_thread": probe["loop_thread"],
        **checked,
        "log": log,
    }
    if "slow_callbacks" in probe:
        result["slow_callbacks"] = probe["slow_callbacks"]
    return result


def render(result: dict[str, Any]) -> str:
    """Return the Home Assistant section of the report."""
    idle = result["idle"]
    rows = [
        [
            "timer lateness p99, 4 syncs running",
            f"{result['p99_ms']:.2f} ms",
            f"<= {TARGET_P99_MS:g} ms",
            verdict(result["p99_ms"] <= TARGET_P99_MS),
        ],
        [
            "timer lateness max, 4 syncs running",
            f"{result['max_ms']:.1f} ms",
            f"<= {TARGET_MAX_MS:g} ms",
            verdict(result["max_ms"] <= TARGET_MAX_MS),
        ],
        [
            "RSS growth, before -> after (gc.collect() both times)",
            f"{result['memory_growth_mb']:.1f} MB",
            f"<= {TARGET_GROWTH_MB:g} MB",
            verdict(result["memory_growth_mb"] <= TARGET_GROWTH_MB),
        ],
        ["  the same without gc after / peak during", _growth(result), "", ""],
        ["  after gc and malloc_trim(0) (what glibc kept for reuse)", _trimmed(result), "", ""],
    ]
    samples = [
        [
            label,
            f"{item['samples']:,}",
            f"{item['p50_ms']:.2f}",
            f"{item['p99_ms']:.2f}",
            f"{item['p999_ms']:.2f}",
            f"{item['max_ms']:.1f}",
            str(item["over_5ms"]),
            str(item["over_25ms"]),
        ]
        for label, item in (("idle, 3 s before", idle), ("4 syncs running", result))
    ]
    lines = [
        heading("7. Home Assistant, four cameras syncing at once (real hass, its own process)"),
        f"  {result['cameras']} BlackVue simulators x {result['videos_per_camera']} videos of "
        f"{result['video_size'] // MIB} MiB + sidecars, {_cap(result['rate'])}: "
        f"{', '.join(result['outcomes'])};\n  "
        f"{result['saved_files']:,} files, {result['saved_bytes'] / 1e6:,.0f} MB saved in "
        f"{result['duration']:.1f} s ({result['saved_bytes'] / 1e6 / result['duration']:.0f} MB/s)",
        f"  on disk: {result['files']:,} files ({result['by_suffix'].get('.gpx', 0)} of them the "
        f"trips' GPX camsync wrote), {result['bytes'] / 1e6:,.0f} MB; videos "
        f"{result['videos_intact']}/{result['videos_expected']} intact (size and sha256)",
        f"  a {result['period_ms']:g} ms timer on Home Assistant's loop records how late it fires",
        table(["figure", "value", "target", ""], rows),
        "",
        table(
            ["timer lateness ms", "samples", "p50", "p99", "p99.9", "max", "> 5", "> 25"], samples
        ),
        f"  gc during the syncs: {result['gc_collections']} collections "
        f"({result['gc_gen2']} full), longest {result['gc_max_ms']:.1f} ms; "
        f"RSS before {result['rss_before_mb']:.0f} MB; {result['entities']} entities",
        _loop_thread(result),
        f"  Home Assistant's log: {result['log']['errors']} ERROR lines, "
        f"{result['log']['blocking_warnings']} blocking-call warnings",
    ]
    if result["profiled"]:
        lines.append("  profiled run (every callback timed): figures slightly inflated")
    slow = result.get("slow_callbacks")
    if slow:
        lines.append(
            f"  callbacks over 5 ms: {slow['count']}, {slow['wall_ms']:.0f} ms wall, of it "
            f"{slow['cpu_ms']:.0f} ms CPU of the loop thread; by place (count, wall, CPU):"
        )
        lines.extend(
            f"    {item['count']:4d} x {item['total_ms']:7.1f} {item['cpu_ms']:7.1f} ms  "
            f"{item['where']}"
            for item in slow["by_place"][:10]
        )
    return "\n".join(lines)


def _loop_thread(result: dict[str, Any]) -> str:
    thread = result["loop_thread"]
    if not thread:
        return "  the loop thread's scheduling: not available"
    return (
        f"  the loop thread during the syncs: {thread['cpu_ns'] / 1e9:.2f} s on a CPU, "
        f"{thread['runqueue_ns'] / 1e9:.2f} s ready but without one (the machine busy), "
        f"{thread['involuntary']:,} preemptions, {thread['voluntary']:,} waits (I/O, GIL)"
    )


def _cap(rate: int) -> str:
    return f"each camera capped at {rate / MIB:g} MiB/s per connection" if rate else "uncapped"


def _trimmed(result: dict[str, Any]) -> str:
    trimmed = result["memory_growth_trimmed_mb"]
    shown = "-" if trimmed is None else f"{trimmed:.1f} MB"
    return f"{shown}; {result['modules_imported']} modules imported during the syncs"


def _growth(result: dict[str, Any]) -> str:
    return f"{result['memory_growth_no_gc_mb']:.1f} / {result['memory_peak_growth_mb']:.1f} MB"
