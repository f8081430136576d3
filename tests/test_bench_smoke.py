"""The planning benchmark runs in-process and returns sane results (timings are not judged)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from pathlib import Path

import pytest

from bench import planning


def test_planning_benchmark_returns_structured_results(tmp_path: Path) -> None:
    # The benchmark runs its own event loops (asyncio.run); a worker thread keeps them off this
    # thread, whose event loop the tests after this one still need.
    with ThreadPoolExecutor(max_workers=1) as pool:
        result = pool.submit(
            planning.measure, tmp_path, recordings=200, archived=200, repeats=1
        ).result()

    assert result.listed == 200
    assert result.archived == 200
    # The archive holds the videos and thumbnails of the oldest 100 videos; the plan holds the
    # other 100 videos with their sidecars, and nothing already archived.
    assert 100 <= result.planned_files < 200 * 4
    for timing in (result.parse_lines, result.listing, result.scan, result.plan):
        assert 0 < timing.best <= timing.median
    assert result.loop_stall >= 0
    rendered = planning.render(asdict(result))
    assert "make_plan, 200 listed vs 200 archived" in rendered


def test_the_summary_has_every_target_key_even_when_nothing_ran() -> None:
    from bench import summary

    result = summary.summarise({})
    for key in (
        "cpu_per_gb_vs_blackvuesync",
        "user_cpu_s_per_gb",
        "speed_vs_curl_fsync",
        "slow_link_cpu_vs_curl",
        "idle_tick_ms_10k",
        "noop_sync_vs_blackvuesync",
        "list_parse_ms_10k",
        "loop_stall_ms_10k",
        "ha_loop_lag_max_ms",
    ):
        assert key in result
        assert result["verdicts"].get(key, "not measured") == "not measured"
    assert "not measured" in summary.render(result, "0.00 / 0.00 on 2 CPUs")


@pytest.mark.e2e  # a real Home Assistant process, with all it loads (not the latest target's)
def test_the_ha_benchmark_measures_a_real_home_assistant_at_its_smallest_size() -> None:
    from bench import ha_lag, summary
    from bench.context import Context

    context = Context.create(quick=True)
    try:
        result = ha_lag.measure(context)
    finally:
        context.close()

    # Four cameras of 8 videos each: every video archived intact, with its sidecars.
    assert result["outcomes"] == ["completed"]
    assert result["videos_expected"] == 4 * 8
    assert result["videos_intact"] == 4 * 8
    # On disk: what the syncs saved, and the GPX of the trips camsync found in the .gps files.
    assert result["files"] - result["by_suffix"].get(".gpx", 0) == result["saved_files"] > 4 * 8
    assert result["bytes"] >= result["saved_bytes"] >= 4 * 8 * 2 * 1024 * 1024
    # The timer fired all along the syncs, and the figures are the summary's.
    assert result["samples"] > 0
    assert result["idle"]["samples"] > 0
    assert 0 <= result["p99_ms"] <= result["max_ms"]
    assert result["log"]["errors"] == 0
    figures = summary.summarise({"ha": result})
    assert figures["ha_loop_lag_p99_ms"] == result["p99_ms"]
    assert figures["ha_memory_growth_mb"] == result["memory_growth_mb"]
    assert "four cameras syncing at once" in ha_lag.render(result)


def test_lag_figures_take_nearest_rank_percentiles() -> None:
    from bench.ha_lag import lag_figures, percentile

    values = [float(value) for value in range(1, 1001)]  # 1 .. 1000 ms
    figures = lag_figures(list(reversed(values)))
    assert figures["samples"] == 1000
    assert figures["p50_ms"] == 500.0
    assert figures["p99_ms"] == 990.0
    assert figures["p999_ms"] == 999.0
    assert figures["max_ms"] == 1000.0
    assert figures["over_5ms"] == 995
    assert figures["over_25ms"] == 975
    assert percentile([], 0.99) == 0.0
    assert percentile([3.0], 0.99) == 3.0
    assert lag_figures([])["max_ms"] == 0.0
