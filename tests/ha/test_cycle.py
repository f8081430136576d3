"""One cycle lists the camera once and walks the archive at most once (the index does the rest)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
import contextlib
from datetime import datetime, timedelta
import os
from pathlib import Path
from typing import Any
from unittest.mock import patch

from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import (
    async_capture_events,
    async_fire_time_changed,
)

from camera_simulators.reolink import ReolinkSimulator, make_reolink_recordings
from custom_components.camsync.const import CONF_AUTO_SYNC, EVENT_SYNC_FINISHED
from tests.blackvue_fixtures import archived, sha256_file
from tests.ha.conftest import reolink_entry, state_of, wait_for

LISTING = ("GetTime", "Search", "GetHddInfo")


@contextlib.contextmanager
def counting_walks(destination: Path) -> Iterator[list[str]]:
    """Count every walk of an archive tree (a scandir of the recordings or snapshots folder)."""
    roots = {str(destination / "recordings"), str(destination / "snapshots")}
    walks: list[str] = []
    real = os.scandir

    def scandir(path: Any = ".") -> Any:
        if str(path) in roots:
            walks.append(Path(path).name)
        return real(path)

    with patch("os.scandir", scandir):
        yield walks


def clear_of_month_start(real: Callable[[], datetime]) -> Callable[[], datetime]:
    """Return a camera clock running at real speed whose last seven days lie in one month.

    The listing asks for one status search per month of its seven-day window, so a run in the
    first days of a month would count one search more; the shift keeps the count the test's.
    """
    day = real().day
    shift = timedelta(days=day) if day <= 8 else timedelta()
    return lambda: real() - shift


def listing_commands(simulator: ReolinkSimulator, since: int = 0) -> dict[str, int]:
    """Return how often each listing (and SD-card) command came after request ``since``."""
    names = [name for entry in simulator.requests[since:] for name in entry.commands]
    return {command: names.count(command) for command in LISTING}


async def test_an_auto_sync_cycle_lists_once_and_walks_the_archive_once(
    hass: HomeAssistant, media: Path
) -> None:
    simulator = ReolinkSimulator()
    simulator.clock = clear_of_month_start(simulator.clock)
    simulator.recordings = make_reolink_recordings(3, 3, end=simulator.clock())
    destination = media / "camsync" / "front_yard"
    finished = async_capture_events(hass, EVENT_SYNC_FINISHED)
    async with simulator:
        entry = reolink_entry(simulator, destination, options={CONF_AUTO_SYNC: True})
        entry.add_to_hass(hass)
        # Setup: the start-up scan (one walk of each tree), then the first tick's cycle.
        with counting_walks(destination) as walks:
            assert await hass.config_entries.async_setup(entry.entry_id)
            await hass.async_block_till_done(wait_background_tasks=True)
        assert [event.data["saved_files"] for event in finished] == [9]
        files = archived(destination / "recordings")
        assert len(files) == 9
        for recording in simulator.recordings:
            assert sha256_file(files[recording.basename]) == simulator.expected_sha256(recording)
        assert sorted(walks) == ["recordings", "snapshots"]  # the start-up scan, nothing else
        # Probe (GetDevInfo, GetLocalLink, GetTime in one batch), then one listing: GetTime and
        # a status search for the month plus one search per day with recordings.
        assert simulator.count("GetDevInfo") == 1
        assert listing_commands(simulator) == {"GetTime": 2, "Search": 4, "GetHddInfo": 1}
        assert simulator.count("Download") == 9
        assert state_of(hass, "sensor.front_yard_pending_downloads") == "0"

        # A later tick with three new recordings: one listing, no walk, three downloads.
        before = len(simulator.requests)
        simulator.recordings += make_reolink_recordings(1, 3, end=simulator.clock())[-3:]
        with counting_walks(destination) as walks:
            async_fire_time_changed(hass, dt_util.utcnow() + timedelta(minutes=11))
            await hass.async_block_till_done(wait_background_tasks=True)
            await wait_for(lambda: len(finished) == 2)
        assert walks == []
        # One listing (the days are the same), one SD-card reading.
        assert listing_commands(simulator, before) == {"GetTime": 1, "Search": 4, "GetHddInfo": 1}
        assert finished[1].data["saved_files"] == 3
        assert state_of(hass, "sensor.front_yard_pending_downloads") == "0"
