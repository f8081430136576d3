"""Helpers shared by the Reolink simulator and client tests (plain functions, no fixtures)."""

from __future__ import annotations

from datetime import datetime
import json
from typing import Any

import aiohttp

from camera_simulators.reolink import ReolinkRecording, ReolinkSimulator, make_reolink_recordings
from custom_components.camsync.devices.reolink.protocol import time_block

REOLINK_PASSWORD = "secret-pass"
# Camera wall time: in central-European summer time, so the simulated zone is UTC+2 now.
REOLINK_NOW = datetime(2024, 5, 10, 12, 0, 0)


def reolink_recordings(days: int = 3, per_day: int = 4) -> list[ReolinkRecording]:
    """Return the usual recordings: ``per_day`` on each of the ``days`` days up to NOW."""
    return make_reolink_recordings(days, per_day, end=REOLINK_NOW)


def reolink_simulator(recordings: list[ReolinkRecording] | None = None) -> ReolinkSimulator:
    """Return a simulator (not started) whose clock stands at REOLINK_NOW."""
    return ReolinkSimulator(
        reolink_recordings() if recordings is None else recordings, clock=lambda: REOLINK_NOW
    )


class RawReolink:
    """Talks to the simulator's CGI directly, for the simulator's own tests."""

    def __init__(self, session: aiohttp.ClientSession, simulator: ReolinkSimulator) -> None:
        self.session = session
        self.simulator = simulator
        self.token: str | None = None

    @property
    def url(self) -> str:
        return self.simulator.base_url + "/cgi-bin/api.cgi"

    async def post(
        self, commands: list[dict[str, Any]], *, token: str | None = None, path: str | None = None
    ) -> tuple[list[dict[str, Any]], str, str]:
        """POST a batch; return (replies, raw text, content type)."""
        params = {"cmd": str(commands[0]["cmd"])}
        if token is not None:
            params["token"] = token
        url = self.simulator.base_url + path if path else self.url
        async with self.session.post(url, params=params, json=commands, ssl=False) as response:
            text = await response.text()
            return json.loads(text), text, response.content_type

    async def login(self, password: str = REOLINK_PASSWORD) -> dict[str, Any]:
        """Log in; keep the token when it works; return the reply element."""
        user = {"userName": "admin", "password": password}
        replies, _, _ = await self.post([{"cmd": "Login", "param": {"User": user}}])
        if replies[0]["code"] == 0:
            self.token = replies[0]["value"]["Token"]["name"]
        return replies[0]

    async def call(self, name: str, param: dict[str, Any] | None = None) -> dict[str, Any]:
        """Send one command with the current token; return its reply element."""
        replies, _, _ = await self.post([{"cmd": name, "param": param or {}}], token=self.token)
        return replies[0]

    def get(self, command: str, headers: dict[str, str] | None = None, **params: str) -> Any:
        """Return the context manager of a GET (Download, Playback, Snap) with the token."""
        query = {"cmd": command, **params}
        if self.token is not None:
            query["token"] = self.token
        return self.session.get(self.url, params=query, headers=headers or {}, ssl=False)


def search_param(
    start: datetime, end: datetime, *, status_only: bool = False, stream: str = "main"
) -> dict[str, Any]:
    """Return a Search ``param`` for the window."""

    return {
        "Search": {
            "channel": 0,
            "onlyStatus": int(status_only),
            "streamType": stream,
            "StartTime": time_block(start),
            "EndTime": time_block(end),
        }
    }
