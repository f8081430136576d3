"""A run's progress: by bytes while files are in flight, 100 % once every file is done."""

from __future__ import annotations

from hypothesis import given, strategies as st

from custom_components.camsync.engine.models import Progress


def test_a_finished_run_is_complete_whatever_the_listed_sizes_said() -> None:
    # The camera listed 1,000,000 bytes and served 30,000 (a Reolink remux is smaller).
    assert Progress(2, 2, 1_000_000, 30_000).percent == 100.0
    assert Progress(2, 1, 1_000_000, 30_000).percent == 3.0


def test_nothing_to_fetch_is_complete_and_unknown_sizes_wait_for_the_files() -> None:
    assert Progress(0, 0, 0, 0).percent == 100.0
    assert Progress(3, 1, 0, 0).percent == 0.0


@given(
    total_files=st.integers(1, 1000),
    done=st.integers(0, 1000),
    total_bytes=st.integers(0, 10**12),
    done_bytes=st.integers(0, 10**12),
)
def test_progress_stays_within_0_and_100(
    total_files: int, done: int, total_bytes: int, done_bytes: int
) -> None:
    percent = Progress(total_files, min(done, total_files), total_bytes, done_bytes).percent
    assert 0.0 <= percent <= 100.0
    assert (percent == 100.0) or done < total_files
