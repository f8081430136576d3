from __future__ import annotations
import os
from pathlib import Path
from unittest.mock import patch
from homeassistant.core import HomeAssistant
from camera_simulators.reolink import ReolinkSimulator, make_reolink_recordings
from tests.ha.conftest import reolink_entry
from custom_components.camsync.const import CONF_AUTO_SYNC

async def test_probe(hass: HomeAssistant, media: Path) -> None:
    sim = ReolinkSimulator()
    sim.recordings = make_reolink_recordings(3, 3, end=sim.clock())
    async with sim:
        dest = media / "camsync" / "front_yard"
        entry = reolink_entry(sim, dest, options={CONF_AUTO_SYNC: True})
        entry.add_to_hass(hass)
        roots = {str(dest / "recordings"), str(dest / "snapshots")}
        walks = []
        real = os.scandir
        def counting(path=".", *a):
            if str(path) in roots:
                walks.append(str(path))
            return real(path, *a)
        with patch("os.scandir", counting):
            assert await hass.config_entries.async_setup(entry.entry_id)
            await hass.async_block_till_done(wait_background_tasks=True)
        print("COMMANDS", sim.commands())
        print("Search", sim.count("Search"), "GetTime", sim.count("GetTime"), "walks", len(walks), walks)
        print("files", len(list((dest/"recordings").rglob("*.mp4"))))
