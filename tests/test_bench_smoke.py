"""The planning benchmark runs in-process and returns sane results (timings are not judged)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from pathlib import Path

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
