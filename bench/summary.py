"""The issue-11 targets in one place: each figure from the raw results, its target and verdict.

``summarise`` returns the ``summary`` object of ``results.json`` (a key whose benchmark did not
run is ``None``); ``render`` prints it as one table with PASS/MISS.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bench import idle, throughput
from bench.report import heading, table, verdict


@dataclass(frozen=True, slots=True)
class Target:
    """One summary key: what it is, its limit and whether the figure must stay below it."""

    key: str
    label: str
    limit: float
    at_most: bool
    unit: str = "x"


TARGETS = (
    Target("cpu_per_gb_vs_blackvuesync", "CPU per GB / BlackVue Sync (1 GiB, disk)", 1.1, True),
    Target("user_cpu_s_per_gb", "Python (user) CPU per GB (1 GiB, disk)", 0.1, True, " s"),
    Target("speed_vs_curl_fsync", "speed / (one curl, then fsync) (1 GiB, disk)", 0.95, False),
    Target("speed_vs_blackvuesync_tmpfs", "speed / BlackVue Sync (1 GiB, tmpfs)", 0.9, False),
    Target("slow_link_cpu_vs_curl", "CPU per GB / curl, link capped at 5 MB/s", 1.2, True),
    Target("idle_tick_ms_10k", "idle tick CPU, 10,000 recordings archived", 20.0, True, " ms"),
    Target("noop_sync_vs_blackvuesync", "no-op sync / BlackVue Sync's whole process", 0.5, True),
    Target("list_parse_ms_10k", "listing 10,000 recordings (cold, CPU)", 40.0, True, " ms"),
    Target("loop_stall_ms_10k", "longest loop stall, list + plan 10,000", 20.0, True, " ms"),
    Target("ha_loop_lag_p99_ms", "HA, 4 cameras syncing: loop lag p99", 5.0, True, " ms"),
    Target("ha_loop_lag_max_ms", "HA, 4 cameras syncing: loop lag max", 25.0, True, " ms"),
    Target("ha_memory_growth_mb", "HA, 4 cameras syncing: memory growth", 30.0, True, " MB"),
)


def _set(results: dict[str, Any], *, tmpfs: bool = False, capped: bool = False) -> dict[str, Any]:
    for file_set in results.get("throughput", {}).get("sets", []):
        if bool(file_set.get("tmpfs")) == tmpfs and bool(file_set.get("cap")) == capped:
            return throughput.figures(file_set)
    return {}


def summarise(results: dict[str, Any]) -> dict[str, Any]:
    """Return every target's figure (None when its benchmark did not run) and extras."""
    disk, tmpfs, slow = _set(results), _set(results, tmpfs=True), _set(results, capped=True)
    summary: dict[str, Any] = {
        "cpu_per_gb_vs_blackvuesync": disk.get("cpu_per_gb_vs_blackvuesync"),
        "user_cpu_s_per_gb": disk.get("user_cpu_s_per_gb"),
        "speed_vs_curl_fsync": disk.get("speed_vs_curl_fsync"),
        "speed_vs_blackvuesync_tmpfs": tmpfs.get("speed_vs_blackvuesync"),
        "slow_link_cpu_vs_curl": slow.get("slow_link_cpu_vs_curl"),
        "verify_share": disk.get("verify_share"),
    }
    found = results.get("idle")
    if found:
        line = idle.projection(found["scale"])
        summary.update(
            idle_tick_ms_10k=found["ticks"]["tick_ms_median"],
            noop_sync_vs_blackvuesync=found["noop"].get("ratio"),
            list_parse_ms_10k=found["listing"]["cold_cpu"],
            list_parse_warm_ms_10k=found["listing"]["warm_cpu"],
            loop_stall_ms_10k=found["stall_ms"],
            loop_stall_gc_ms_10k=found.get("stall_gc_ms"),
            list_parse_ms_10k_py314=(found.get("python314") or {}).get("list_parse_ms"),
            loop_stall_ms_10k_py314=(found.get("python314") or {}).get("stall_ms"),
            scale_index_bytes_per_file=line["index_bytes_per_file"],
            scale_index_mb_at_1m=line["index_mb_at_1m"],
            scale_tick_growth=line["tick_growth"],
            scale_files_growth=line["files_growth"],
        )
    else:
        summary.update(
            idle_tick_ms_10k=None,
            noop_sync_vs_blackvuesync=None,
            list_parse_ms_10k=None,
            loop_stall_ms_10k=None,
        )
    lag = results.get("ha") or {}
    summary.update(
        ha_loop_lag_p99_ms=lag.get("p99_ms"),
        ha_loop_lag_max_ms=lag.get("max_ms"),
        ha_memory_growth_mb=lag.get("memory_growth_mb"),
    )
    summary["verdicts"] = {
        target.key: _verdict(target, summary.get(target.key)) for target in TARGETS
    }
    return summary


def _verdict(target: Target, value: float | None) -> str:
    if value is None:
        return "not measured"
    return verdict(value <= target.limit if target.at_most else value >= target.limit)


def render(summary: dict[str, Any], load: str) -> str:
    """Return the targets table."""
    rows = []
    for target in TARGETS:
        value = summary.get(target.key)
        shown = "-" if value is None else f"{value:.2f}{target.unit}"
        sign = "<=" if target.at_most else ">="
        rows.append(
            [
                target.label,
                shown,
                f"{sign} {target.limit:g}{target.unit}",
                summary["verdicts"][target.key],
            ]
        )
    return "\n".join(
        [
            heading("Targets (issue 11), measured side by side in this run"),
            table(["target", "figure", "limit", ""], rows),
            f"  machine load (1-minute average) before / after: {load}",
        ]
    )
