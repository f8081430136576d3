"""Sync when the car comes home: cheap probes while the dashcam is away, a sync once it answers.

Every TCP connect Home Assistant makes to the camera's port is counted at the event loop's
``sock_connect`` (the probe's ``asyncio.open_connection`` and aiohttp's connections both go
through it), and the simulator counts the connections it accepted.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
import socket
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
)

from camera_simulators.blackvue import BlackVueSimulator
from custom_components.camsync.arrival import FAST_PROBE_INTERVAL, FAST_PROBE_WINDOW
from custom_components.camsync.const import (
    CONF_ARRIVAL_TRACKER,
    CONF_AUTO_SYNC,
    EVENT_SYNC_FINISHED,
)
from custom_components.camsync.engine.errors import CameraOfflineError
from tests.blackvue_fixtures import archived
from tests.ha.conftest import blackvue_entry, state_of, wait_for

STATUS = "sensor.dashcam_sync_status"
PROBE = timedelta(seconds=30)
DRIVER = "person.driver"


@pytest.fixture
def connects(hass: HomeAssistant, dashcam: BlackVueSimulator) -> Iterator[list[Any]]:
    """Count the TCP connects Home Assistant makes to the dashcam's port."""
    loop = hass.loop
    real = loop.sock_connect
    seen: list[Any] = []

    async def sock_connect(sock: socket.socket, address: Any) -> None:
        if address[1] == dashcam.port:
            seen.append(address)
        await real(sock, address)

    loop.sock_connect = sock_connect  # type: ignore[method-assign]
    yield seen
    loop.sock_connect = real  # type: ignore[method-assign]


async def step(hass: HomeAssistant, freezer: FrozenDateTimeFactory, delta: timedelta) -> None:
    freezer.tick(delta)
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)


async def away_at_setup(
    hass: HomeAssistant, dashcam: BlackVueSimulator, destination: Path, **options: Any
) -> MockConfigEntry:
    """Set the dashcam's entry up while the car is out (auto-sync on)."""
    await dashcam.stop()
    entry = blackvue_entry(dashcam, destination, **{CONF_AUTO_SYNC: True} | options)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert state_of(hass, STATUS) == "offline"
    assert entry.runtime_data.coordinator.arrival.watching
    return entry


async def test_the_car_coming_home_is_synced_within_one_probe_and_away_costs_one_connect(
    hass: HomeAssistant,
    dashcam: BlackVueSimulator,
    destination: Path,
    freezer: FrozenDateTimeFactory,
    connects: list[Any],
) -> None:
    finished = async_capture_events(hass, EVENT_SYNC_FINISHED)
    await away_at_setup(hass, dashcam, destination)
    connects.clear()

    # 25 probe intervals (12.5 minutes, past a 10-minute check): one bare connect each, no
    # listing attempt from the checks in between.
    for _ in range(25):
        await step(hass, freezer, PROBE)
    assert len(connects) == 25
    assert state_of(hass, STATUS) == "offline"

    # The car is in the garage: the next probe is answered, and the sync follows at once.
    await dashcam.restart()
    requests_before, accepted_before = len(dashcam.requests), dashcam.connections
    await step(hass, freezer, PROBE)
    await wait_for(lambda: finished)

    assert dashcam.connections > accepted_before
    asked = [request.path for request in dashcam.requests[requests_before:]]
    assert asked[0] == "/accessible"  # who it is (it was away since Home Assistant started)
    assert asked.count("/blackvue_vod.cgi") == 1  # one listing, then the sync reuses it
    assert finished[0].data["outcome"] == "completed"
    assert set(dashcam.listed_names()) <= set(archived(destination))
    assert state_of(hass, STATUS) == "idle"

    # Home: no more probes (the next look is the regular check).
    connects.clear()
    for _ in range(4):
        await step(hass, freezer, PROBE)
    assert connects == []


async def test_the_drivers_phone_arriving_home_makes_probes_come_every_five_seconds(
    hass: HomeAssistant,
    dashcam: BlackVueSimulator,
    destination: Path,
    freezer: FrozenDateTimeFactory,
    connects: list[Any],
) -> None:
    hass.states.async_set(DRIVER, "not_home")
    entry = await away_at_setup(hass, dashcam, destination, **{CONF_ARRIVAL_TRACKER: DRIVER})
    arrival = entry.runtime_data.coordinator.arrival
    connects.clear()

    hass.states.async_set(DRIVER, "home")
    await hass.async_block_till_done()
    assert arrival.interval() == FAST_PROBE_INTERVAL
    for _ in range(6):
        await step(hass, freezer, FAST_PROBE_INTERVAL)
    assert len(connects) == 6  # every 5 s

    # After the fast window, back to the normal interval.
    freezer.tick(FAST_PROBE_WINDOW)
    assert arrival.interval() == PROBE
    # The dashcam joins the Wi-Fi: noticed by the next probe.
    hass.states.async_set(DRIVER, "not_home")
    hass.states.async_set(DRIVER, "home")
    await hass.async_block_till_done()
    await dashcam.restart()
    await step(hass, freezer, FAST_PROBE_INTERVAL)
    await wait_for(lambda: state_of(hass, STATUS) == "idle")
    assert not arrival.watching


async def test_arriving_while_still_thought_home_looks_at_once(
    hass: HomeAssistant,
    dashcam: BlackVueSimulator,
    destination: Path,
    freezer: FrozenDateTimeFactory,
    connects: list[Any],
) -> None:
    hass.states.async_set(DRIVER, "home")
    entry = blackvue_entry(dashcam, destination, **{CONF_ARRIVAL_TRACKER: DRIVER})
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert state_of(hass, STATUS) == "idle"
    # The car leaves and comes back before the next check noticed it was gone.
    await dashcam.stop()
    hass.states.async_set(DRIVER, "not_home")
    hass.states.async_set(DRIVER, "home")
    await hass.async_block_till_done(wait_background_tasks=True)

    assert state_of(hass, STATUS) == "offline"  # the look found it away
    arrival = entry.runtime_data.coordinator.arrival
    assert arrival.watching
    assert arrival.interval() == FAST_PROBE_INTERVAL


async def test_a_camera_that_accepts_but_does_not_answer_is_looked_at_less_often(
    hass: HomeAssistant,
    dashcam: BlackVueSimulator,
    destination: Path,
    freezer: FrozenDateTimeFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    entry = await away_at_setup(hass, dashcam, destination)
    arrival = entry.runtime_data.coordinator.arrival
    await dashcam.restart()

    async def no_answer(**kwargs: Any) -> None:
        raise CameraOfflineError("no answer")

    monkeypatch.setattr(entry.runtime_data.client, "async_list_recordings", no_answer)
    # Connects succeed, looks fail: 30 s, then 60, 120, 240, ... up to the 10-minute check.
    waits = []
    for _ in range(6):
        waits.append(arrival.interval())
        await step(hass, freezer, arrival.interval())
    assert waits == [timedelta(seconds=s) for s in (30, 60, 120, 240, 480, 600)]
    assert arrival.answers == 6
    assert state_of(hass, STATUS) == "offline"
    # The camera is gone again: the next connect fails and the wait is short again.
    await dashcam.stop()
    await step(hass, freezer, arrival.interval())
    assert arrival.interval() == PROBE
