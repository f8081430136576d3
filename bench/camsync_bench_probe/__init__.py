"""Benchmark probe: measures Home Assistant's event loop while camsync cameras sync (bench only).

``bench/ha_lag.py`` copies this folder into a throwaway config folder as the custom integration
``camsync_bench_probe``; it is never shipped with camsync. Configured in YAML with the cameras to
add, a work folder and the sampling period, it runs once Home Assistant has started:

1. a timer every ``period`` seconds records how late it fires (the loop's lag), from start to end;
2. it adds each camera through camsync's own config flow and waits until every entry is loaded,
   then writes ``ready.json`` to the work folder;
3. when the harness has given the cameras their recordings it writes ``go``; the probe measures
   the idle loop for a few seconds, collects garbage, reads the resident set size (RSS), calls
   ``camsync.sync`` (``wait: true``) for every entry at once and waits for all of them;
4. it reads the RSS again (without, then after, a garbage collection) and writes ``results.json``.

Garbage collections are timed all along (``gc.callbacks``). With ``profile: true`` every event
loop callback is timed and the ones over ``slow_ms`` are kept with the task and line they ran in.
"""

from __future__ import annotations

import asyncio
from asyncio import AbstractEventLoop, TimerHandle
from collections import Counter
from collections.abc import Callable
import ctypes
import gc
import json
import os
from pathlib import Path
import sys
import threading
import time
from typing import Any

from homeassistant.config_entries import SOURCE_USER, ConfigEntryState
from homeassistant.const import EVENT_HOMEASSISTANT_STARTED
from homeassistant.core import Event, HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.typing import ConfigType
import voluptuous as vol

DOMAIN = "camsync_bench_probe"
_PAGE = os.sysconf("SC_PAGE_SIZE")
_IDLE_SECONDS = 3.0

CONFIG_SCHEMA = vol.Schema(
    {
        DOMAIN: vol.Schema(
            {
                vol.Required("work"): cv.string,
                vol.Required("cameras"): [
                    vol.Schema(
                        {
                            vol.Required("host"): cv.string,
                            vol.Required("name"): cv.string,
                            vol.Required("destination"): cv.string,
                        }
                    )
                ],
                vol.Optional("period", default=0.01): vol.Coerce(float),
                vol.Optional("profile", default=False): cv.boolean,
                vol.Optional("slow_ms", default=5.0): vol.Coerce(float),
                vol.Optional("switch_interval"): vol.Coerce(float),
            }
        )
    },
    extra=vol.ALLOW_EXTRA,
)


def current_rss() -> int:
    """Return this process's resident set size in bytes (Linux ``/proc/self/statm``)."""
    with open("/proc/self/statm", "rb") as statm:
        return int(statm.read().split()[1]) * _PAGE


def thread_sched() -> dict[str, int]:
    """Return the calling thread's CPU and run-queue time (ns) and context switches (Linux).

    Run-queue time is how long the thread was ready to run but had no CPU (the machine busy);
    waiting for the GIL or for I/O is a voluntary switch, not run-queue time.
    """
    task = Path(f"/proc/self/task/{threading.get_native_id()}")
    try:
        on_cpu, waiting, _ = (task / "schedstat").read_text().split()
        status = dict(
            line.split(":\t", 1)
            for line in (task / "status").read_text().splitlines()
            if ":\t" in line
        )
    except (OSError, ValueError):
        return {}
    return {
        "cpu_ns": int(on_cpu),
        "runqueue_ns": int(waiting),
        "voluntary": int(status["voluntary_ctxt_switches"]),
        "involuntary": int(status["nonvoluntary_ctxt_switches"]),
    }


class LagSampler:
    """A timer every ``period`` seconds on the loop; records how late each firing is (ms)."""

    def __init__(self, loop: AbstractEventLoop, period: float) -> None:
        """Prepare; :meth:`start` begins sampling."""
        self.lateness_ms: list[float] = []
        self._loop = loop
        self._period = period
        self._due = 0.0
        self._handle: TimerHandle | None = None

    def start(self) -> None:
        """Schedule the first firing."""
        self._due = self._loop.time() + self._period
        self._handle = self._loop.call_at(self._due, self._fire)

    def stop(self) -> None:
        """Cancel the next firing."""
        if self._handle is not None:
            self._handle.cancel()

    def mark(self) -> int:
        """Return the number of samples so far (a window's start or end)."""
        return len(self.lateness_ms)

    def _fire(self) -> None:
        now = self._loop.time()
        self.lateness_ms.append(max(0.0, now - self._due) * 1000)
        # The next one is due a period from now, so one stall counts once, not as catch-ups.
        self._due = now + self._period
        self._handle = self._loop.call_at(self._due, self._fire)


class GcTimer:
    """Times every garbage collection through ``gc.callbacks``."""

    def __init__(self) -> None:
        """Register the callback."""
        self.pauses: list[tuple[float, int, int]] = []  # (ms, generation, collected)
        self._started = 0.0
        gc.callbacks.append(self._callback)

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            took = (time.perf_counter() - self._started) * 1000
            self.pauses.append((took, info["generation"], info["collected"]))


class SlowCallbacks:
    """Times every event-loop callback (asyncio ``Handle._run``); keeps those over a limit.

    Each slow one is kept with the loop thread's CPU time during it: a callback whose wall time
    is much more than its CPU time was waiting (the GIL held by another thread, or the thread
    descheduled on a busy machine), not working.
    """

    def __init__(self, limit_ms: float) -> None:
        """Wrap ``Handle._run`` (timer handles share it)."""
        self.slow: list[tuple[float, float, str]] = []  # (wall ms, thread CPU ms, where)
        self.enabled = False
        # asyncio's debug mode times callbacks the same way, but slows everything else down too.
        original: Callable[[asyncio.Handle], None] = asyncio.Handle._run  # noqa: SLF001
        limit = limit_ms / 1000

        def timed(handle: asyncio.Handle) -> None:
            started, cpu = time.perf_counter(), time.thread_time()
            original(handle)
            took = time.perf_counter() - started
            if took > limit and self.enabled:
                used = time.thread_time() - cpu
                self.slow.append((took * 1000, used * 1000, _describe(handle)))

        asyncio.Handle._run = timed  # type: ignore[method-assign,assignment]  # noqa: SLF001


def _describe(handle: asyncio.Handle) -> str:
    """Return which task (and the innermost line it stopped at) or which callback a handle ran."""
    callback = getattr(handle, "_callback", None)
    owner = getattr(callback, "__self__", None)
    if isinstance(owner, asyncio.Task):
        coro: Any = owner.get_coro()
        name = getattr(coro, "__qualname__", repr(coro))
        where = ""
        while coro is not None and getattr(coro, "cr_frame", None) is not None:
            frame = coro.cr_frame
            where = f"{Path(frame.f_code.co_filename).name}:{frame.f_lineno} {frame.f_code.co_name}"
            coro = getattr(coro, "cr_await", None)
        return f"task {name} (now at {where or 'its end'})"
    return repr(handle)[:200]


class RssPeak(threading.Thread):
    """Samples the RSS every 50 ms in a thread and keeps the highest."""

    def __init__(self) -> None:
        """Take the first reading now."""
        super().__init__(name="bench-rss", daemon=True)
        self.peak = current_rss()
        self.halt = threading.Event()

    def run(self) -> None:
        """Sample until ``halt`` is set."""
        while not self.halt.wait(0.05):
            self.peak = max(self.peak, current_rss())


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Start the measurement once Home Assistant has started."""
    conf = config[DOMAIN]
    if "switch_interval" in conf:  # an experiment: how much of the lag is waiting for the GIL
        sys.setswitchinterval(conf["switch_interval"])
    sampler = LagSampler(hass.loop, conf["period"])
    sampler.start()
    gc_timer = GcTimer()
    slow = SlowCallbacks(conf["slow_ms"]) if conf["profile"] else None

    async def started(_: Event) -> None:
        hass.async_create_background_task(
            _measure(hass, conf, sampler, gc_timer, slow), "camsync bench probe"
        )

    hass.bus.async_listen_once(EVENT_HOMEASSISTANT_STARTED, started)
    return True


async def _add_camera(hass: HomeAssistant, camera: dict[str, str]) -> str:
    """Add a BlackVue dashcam through camsync's config flow, as the UI does."""
    flows = hass.config_entries.flow
    result = await flows.async_init("camsync", context={"source": SOURCE_USER})
    result = await flows.async_configure(result["flow_id"], {"next_step_id": "blackvue"})
    result = await flows.async_configure(result["flow_id"], dict(camera))
    if result["type"] is not FlowResultType.CREATE_ENTRY:
        raise RuntimeError(f"adding {camera['name']}: {result}")
    return str(result["result"].entry_id)


async def _wait_loaded(hass: HomeAssistant, entry_ids: list[str], limit: float = 120.0) -> None:
    deadline = time.monotonic() + limit
    while True:
        states = [hass.config_entries.async_get_entry(item) for item in entry_ids]
        if all(entry is not None and entry.state is ConfigEntryState.LOADED for entry in states):
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"entries not loaded: {[e.state if e else None for e in states]}")
        await asyncio.sleep(0.2)


async def _sync(hass: HomeAssistant, entry_id: str) -> dict[str, Any]:
    """Run one camera's sync through the action, as an automation would; summarise it."""
    started = time.perf_counter()
    try:
        response = await hass.services.async_call(
            "camsync",
            "sync",
            {"config_entry_id": entry_id, "wait": True},
            blocking=True,
            return_response=True,
        )
    except Exception as err:
        return {"error": f"{type(err).__name__}: {err}", "wall": time.perf_counter() - started}
    assert response is not None
    return {
        "outcome": response["outcome"],
        "saved_files": response["saved_files"],
        "saved_bytes": response["saved_bytes"],
        "failed": len(response["failed"]),  # type: ignore[arg-type]
        "wall": time.perf_counter() - started,
    }


def _malloc_trim() -> bool:
    """Ask glibc to give freed memory back to the system; return whether it could be asked."""
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return False
    libc.malloc_trim(0)
    return True


def _write(path: Path, data: dict[str, Any]) -> None:
    partial = path.with_suffix(".tmp")
    partial.write_text(json.dumps(data, indent=1))
    partial.replace(path)


async def _measure(
    hass: HomeAssistant,
    conf: dict[str, Any],
    sampler: LagSampler,
    gc_timer: GcTimer,
    slow: SlowCallbacks | None,
) -> None:
    work = Path(conf["work"])
    try:
        entry_ids = [await _add_camera(hass, camera) for camera in conf["cameras"]]
        await _wait_loaded(hass, entry_ids)
        await hass.async_add_executor_job(_write, work / "ready.json", {"entries": entry_ids})
        while not await hass.async_add_executor_job((work / "go").exists):
            await asyncio.sleep(0.1)
        idle_from = sampler.mark()
        await asyncio.sleep(_IDLE_SECONDS)
        idle = sampler.lateness_ms[idle_from:]
        gc.collect()
        rss_before = current_rss()
        modules_before = len(sys.modules)
        await asyncio.sleep(0.1)  # the timer delayed by that collection fires before the window
        peak = RssPeak()
        peak.start()
        gc_from, window_from = len(gc_timer.pauses), sampler.mark()
        sched_before = thread_sched()
        if slow is not None:
            slow.enabled = True
        began = time.perf_counter()
        syncs = await asyncio.gather(*(_sync(hass, entry_id) for entry_id in entry_ids))
        wall = time.perf_counter() - began
        sched_after = thread_sched()
        if slow is not None:
            slow.enabled = False
        window = sampler.lateness_ms[window_from:]
        pauses = gc_timer.pauses[gc_from:]
        peak.halt.set()
        await asyncio.sleep(1.0)  # let the last state writes and events settle
        rss_after = current_rss()
        gc.collect()
        rss_after_gc = current_rss()
        # What the C allocator keeps for reuse but holds no live object (arenas, freed buffers).
        trimmed = await hass.async_add_executor_job(_malloc_trim)
        rss_after_trim = current_rss()
        results: dict[str, Any] = {
            "period_ms": conf["period"] * 1000,
            "lateness_ms": window,
            "idle_lateness_ms": idle,
            "wall": wall,
            "syncs": syncs,
            "rss_before": rss_before,
            "rss_peak": peak.peak,
            "rss_after": rss_after,
            "rss_after_gc": rss_after_gc,
            "rss_after_trim": rss_after_trim if trimmed else None,
            "modules_before": modules_before,
            "modules_after": len(sys.modules),
            "gc_pauses": pauses,
            "entities": len(hass.states.async_all()),
            "loop_thread": {key: sched_after[key] - sched_before[key] for key in sched_after}
            if sched_before and sched_after
            else {},
        }
        if slow is not None:
            results["slow_callbacks"] = _top(slow.slow)
    except Exception as err:
        results = {"error": f"{type(err).__name__}: {err}"}
    sampler.stop()
    await hass.async_add_executor_job(_write, work / "results.json", results)


def _top(slow: list[tuple[float, float, str]]) -> dict[str, Any]:
    """Summarise slow callbacks: the longest ones, and how often and long each place was."""
    places: Counter[str] = Counter()
    totals: dict[str, float] = {}
    cpu: dict[str, float] = {}
    for took, used, where in slow:
        places[where] += 1
        totals[where] = totals.get(where, 0.0) + took
        cpu[where] = cpu.get(where, 0.0) + used
    return {
        "count": len(slow),
        "wall_ms": sum(item[0] for item in slow),
        "cpu_ms": sum(item[1] for item in slow),
        "longest": sorted(slow, reverse=True)[:25],
        "by_place": [
            {"where": where, "count": count, "total_ms": totals[where], "cpu_ms": cpu[where]}
            for where, count in places.most_common(25)
        ],
    }
