"""The three contenders, each run as its own process and measured the same way.

- camsync: ``python -m bench.camsync_once`` (the engine measures itself around ``run_sync``;
  interpreter start-up and imports are reported apart, as Home Assistant pays them once);
- curl: one ``curl -s URL -o FILE ...`` process for all files of a set, the reference;
- BlackVue Sync 2.2.0 (PyPI ``blackvuesync``), installed into a throwaway venv under
  ``bench/.work/`` and measured like camsync, around its ``main()``
  (:mod:`bench.blackvuesync_once`).

Peak RSS growth: for camsync and BlackVue Sync, the sampled peak during the run minus the resident
set size right after the imports; for curl, its peak minus the peak of one request for a file the
camera lacks.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
import json
import os
from pathlib import Path
import shutil
import subprocess
import sys
import tempfile
from typing import Any, Self

from bench.camera import REPO, CameraProcess
from bench.files import WORK
from bench.procs import run_measured

BLACKVUESYNC_VERSION = "2.2.0"
CURL = shutil.which("curl") or "/usr/bin/curl"


@dataclass(frozen=True, slots=True)
class ToolRun:
    """One run of one tool: what it cost and how it ended."""

    tool: str
    wall: float
    cpu: float
    cpu_user: float
    """The user-space share of ``cpu`` (the rest is the kernel's: copies, page cache, fsync)."""
    rss_peak: int
    """Bytes: the peak resident set size of the process."""
    rss_growth: int
    """Bytes: that peak minus the same program's resident set size when idle."""
    ended: str
    """How the run ended: camsync's outcome, or ``exit N`` for the others."""
    detail: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-friendly copy."""
        return {
            "tool": self.tool,
            "wall": self.wall,
            "cpu": self.cpu,
            "cpu_user": self.cpu_user,
            "rss_peak": self.rss_peak,
            "rss_growth": self.rss_growth,
            "ended": self.ended,
            "detail": self.detail,
        }


type Runner = Callable[[Path], ToolRun]
"""One run of one tool into a destination folder, the camera and options already bound."""


def _tail(text: str, lines: int = 3) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


# --- camsync ----------------------------------------------------------------------------------


def run_camsync(
    camera: CameraProcess,
    dest: Path,
    *,
    read_timeout: float | None = None,
    priority: str | None = None,
    profile: Path | None = None,
    timeout: float = 600.0,
) -> ToolRun:
    """Run the engine once in its own process."""
    argv = [sys.executable, "-m", "bench.camsync_once", "--camera", camera.address]
    argv += ["--dest", str(dest)]
    if read_timeout is not None:
        argv += ["--read-timeout", str(read_timeout), "--connect-timeout", str(read_timeout)]
    if priority is not None:
        argv += ["--priority", priority]
    if profile is not None:
        argv += ["--profile", str(profile)]
    measured = run_measured(argv, timeout=timeout, cwd=REPO)
    if measured.returncode != 0 or not measured.stdout.strip():
        return ToolRun(
            "camsync",
            measured.wall,
            measured.cpu,
            measured.cpu_user,
            measured.maxrss_kib * 1024,
            0,
            f"crashed (exit {measured.returncode})",
            {"stderr": _tail(measured.stderr, 12), "timed_out": measured.timed_out},
        )
    result = json.loads(measured.stdout.strip().splitlines()[-1])
    return ToolRun(
        "camsync",
        result["wall"],
        result["cpu"],
        result["cpu_user"],
        result["rss_peak"],
        result["rss_growth"],
        result["outcome"],
        {**result, "process_wall": measured.wall, "process_cpu": measured.cpu},
    )


# --- curl -------------------------------------------------------------------------------------


class Curl:
    """``curl -s URL -o FILE URL -o FILE ...``: one process fetches every file of a set."""

    def __init__(self, camera: CameraProcess) -> None:
        """Measure curl's own footprint once: one request for a file the camera lacks."""
        self.camera = camera
        idle = run_measured([CURL, "-s", "-o", os.devnull, camera.url("missing.mp4")], timeout=30.0)
        self.baseline = idle.maxrss_kib * 1024

    def run(self, names: Sequence[str], dest: Path, *, timeout: float = 600.0) -> ToolRun:
        """Fetch the files one after the other in one curl process (one connection, reused)."""
        argv = [CURL, "-s", "--fail"]
        for name in names:
            argv += [self.camera.url(name), "-o", str(dest / name)]
        measured = run_measured(argv, timeout=timeout)
        peak = measured.maxrss_kib * 1024
        return ToolRun(
            "curl",
            measured.wall,
            measured.cpu,
            measured.cpu_user,
            peak,
            peak - self.baseline,
            f"exit {measured.returncode}",
            {"processes": 1, "rss_exact": measured.rss_exact},
        )


# --- BlackVue Sync 2.2.0 ----------------------------------------------------------------------


def _find_python() -> str | None:
    """Return the machine's python3 (not a venv's), >= 3.9 as BlackVue Sync requires."""
    candidates = [shutil.which("python3"), str(Path(sys.base_prefix) / "bin" / "python3")]
    for candidate in candidates:
        if candidate is None or Path(candidate).is_relative_to(REPO):
            continue
        probe = subprocess.run(
            [candidate, "-c", "import sys; raise SystemExit(sys.version_info < (3, 9))"],
            capture_output=True,
            check=False,
        )
        if probe.returncode == 0:
            return candidate
    return None


@dataclass(frozen=True, slots=True)
class BlackVueSync:
    """BlackVue Sync 2.2.0 in its own venv, run through :mod:`bench.blackvuesync_once`."""

    venv: Path

    @classmethod
    def install(cls, venv: Path = WORK / "blackvuesync-venv") -> Self | str:
        """Return the tool (installing it if needed), or why it could not be installed."""
        if not _installed(venv):
            python = _find_python()
            if python is None:
                return "no python3 >= 3.9 found"
            problem = _create_venv(python, venv)
            if problem:
                return problem
            if not _installed(venv):
                return f"blackvuesync {BLACKVUESYNC_VERSION} is not importable in {venv}"
        return cls(venv)

    def run(
        self,
        camera: CameraProcess,
        dest: Path,
        *,
        socket_timeout: float | None = None,
        timeout: float = 600.0,
    ) -> ToolRun:
        """Run one sync of the videos only (``--skip-metadata t3g``), oldest first (its default)."""
        arguments = [camera.address, "--destination", str(dest), "--skip-metadata", "t3g"]
        if socket_timeout is not None:
            arguments += ["--timeout", str(socket_timeout)]
        with tempfile.NamedTemporaryFile("r", suffix=".json") as result_file:
            python = str(self.venv / "bin" / "python")
            argv = [python, "-m", "bench.blackvuesync_once", result_file.name, "--", *arguments]
            measured = run_measured(argv, timeout=timeout, cwd=REPO)
            text = result_file.read()
        log = _tail(measured.stderr + measured.stdout, 4)
        if not text:
            ended = "timed out" if measured.timed_out else f"exit {measured.returncode}"
            return ToolRun(
                "blackvuesync",
                measured.wall,
                measured.cpu,
                measured.cpu_user,
                0,
                0,
                ended,
                {"log": log},
            )
        result = json.loads(text)
        return ToolRun(
            "blackvuesync",
            result["wall"],
            result["cpu"],
            result["cpu_user"],
            result["rss_peak"],
            result["rss_growth"],
            f"exit {result['returncode']}",
            {**result, "process_wall": measured.wall, "log_tail": log},
        )


def _installed(venv: Path) -> bool:
    python = venv / "bin" / "python"
    if not python.exists():
        return False
    probe = subprocess.run(
        [str(python), "-c", "import importlib.metadata as m; print(m.version('blackvuesync'))"],
        capture_output=True,
        text=True,
        check=False,
    )
    return probe.stdout.strip() == BLACKVUESYNC_VERSION


def _create_venv(python: str, venv: Path) -> str | None:
    """Create the venv and install BlackVue Sync; return why it failed, None on success."""
    print(f"  installing blackvuesync=={BLACKVUESYNC_VERSION} into {venv} ...", flush=True)
    steps = [
        [python, "-m", "venv", "--clear", str(venv)],
        [
            str(venv / "bin" / "python"),
            *("-m", "pip", "install", "--quiet", "--disable-pip-version-check"),
            f"blackvuesync=={BLACKVUESYNC_VERSION}",
        ],
    ]
    for step in steps:
        done = subprocess.run(step, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            return f"{' '.join(step[:3])} failed: {_tail(done.stderr)}"
    return None
