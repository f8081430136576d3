"""Run a program and measure it: wall time, CPU seconds and peak RSS of that process alone.

``os.wait4`` reaps the child and returns its own CPU time, so a figure never mixes in the
harness, the camera process or an earlier child. Its ``ru_maxrss`` is useless here, though: a
child's high-water mark starts with the harness's resident memory at the fork. So the program
runs under GNU ``/usr/bin/time``, which forks it from a tiny process and reports its peak RSS
(``%M``); without GNU time the figure is marked as an upper bound. Each child gets a process
group of its own, and :func:`kill_all` ends the groups still running when the harness stops.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
import contextlib
from dataclasses import dataclass
import os
from pathlib import Path
import signal
import subprocess
import tempfile
import threading
import time

GNU_TIME = "/usr/bin/time"
_LIVE: set[subprocess.Popen[bytes]] = set()
_LOCK = threading.Lock()


@dataclass(frozen=True, slots=True)
class Measured:
    """What one process did and cost."""

    argv: tuple[str, ...]
    returncode: int
    wall: float
    cpu_user: float
    cpu_sys: float
    maxrss_kib: int
    rss_exact: bool
    """False when the peak RSS could only be read from ``wait4`` (an upper bound)."""
    stdout: str
    stderr: str
    timed_out: bool = False

    @property
    def cpu(self) -> float:
        """Return user plus system CPU seconds."""
        return self.cpu_user + self.cpu_sys


def _has_gnu_time() -> bool:
    if not Path(GNU_TIME).is_file():
        return False
    probe = subprocess.run(
        [GNU_TIME, "-f", "%M", "true"], capture_output=True, text=True, check=False
    )
    return probe.returncode == 0 and probe.stderr.strip().isdigit()


_GNU_TIME_OK = _has_gnu_time()


def run_measured(
    argv: Sequence[str],
    *,
    timeout: float,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
) -> Measured:
    """Run ``argv`` to completion (killed after ``timeout`` seconds) and measure it."""
    with (
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
        tempfile.NamedTemporaryFile("r") as rss,
    ):
        command = [GNU_TIME, "-f", "%M", "-o", rss.name, *argv] if _GNU_TIME_OK else list(argv)
        started = time.perf_counter()
        process = subprocess.Popen(
            command,
            cwd=cwd,
            env=dict(env) if env is not None else None,
            stdout=out,
            stderr=err,
            start_new_session=True,
        )
        _register(process)
        expired = threading.Event()
        watchdog = threading.Timer(timeout, _expire, (process, expired))
        watchdog.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
            wall = time.perf_counter() - started
            process.returncode = os.waitstatus_to_exitcode(status)
        finally:
            watchdog.cancel()
            if process.returncode is None:  # interrupted: do not leave it running
                _kill_group(process)
                process.wait()
            _unregister(process)
        out.seek(0)
        err.seek(0)
        maxrss = _read_rss(rss.name) if _GNU_TIME_OK else None
        return Measured(
            argv=tuple(argv),
            returncode=process.returncode,
            wall=wall,
            cpu_user=usage.ru_utime,
            cpu_sys=usage.ru_stime,
            maxrss_kib=maxrss if maxrss is not None else usage.ru_maxrss,
            rss_exact=maxrss is not None,
            stdout=out.read().decode(errors="replace"),
            stderr=err.read().decode(errors="replace"),
            timed_out=expired.is_set(),
        )


def _read_rss(path: str) -> int | None:
    """Return the last number GNU time wrote (it may write a status line before it)."""
    lines = Path(path).read_text().split()
    return int(lines[-1]) if lines and lines[-1].isdigit() else None


def _expire(process: subprocess.Popen[bytes], expired: threading.Event) -> None:
    expired.set()
    _kill_group(process)


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    """Kill the process group this module created for ``process`` (time and its child)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


def _register(process: subprocess.Popen[bytes]) -> None:
    with _LOCK:
        _LIVE.add(process)


def _unregister(process: subprocess.Popen[bytes]) -> None:
    with _LOCK:
        _LIVE.discard(process)


def track(process: subprocess.Popen[bytes]) -> None:
    """Register a long-running child (the camera) so :func:`kill_all` ends it too."""
    _register(process)


def kill_all() -> None:
    """End every registered child that still runs (by its own id only)."""
    with _LOCK:
        live = list(_LIVE)
        _LIVE.clear()
    for process in live:
        if process.poll() is None:
            process.kill()
            process.wait()
