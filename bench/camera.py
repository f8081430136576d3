"""The simulated BlackVue dashcam in a process of its own, set up through a control server.

``python -m bench.camera`` starts a :class:`~camera_simulators.blackvue.BlackVueSimulator` on one
loopback port and a small JSON control server on another, prints both ports as one JSON line and
serves until its standard input closes (the harness went away) or it gets SIGTERM/SIGINT. The
control server sets scenarios up between runs without touching the camera's own URL surface:

- ``POST /setup`` ``{"recordings": [...], "faults": {...}}``: a fresh camera (empty request log)
  on the same port with these recordings and faults;
- ``POST /faults`` ``{...}``: replace the fault knobs, keep recordings and log;
- ``POST /restart``: bring back a camera that went away;
- ``GET /log``: the request log and whether the camera is listening.

:class:`CameraProcess` is the harness side.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields
import json
import os
from pathlib import Path
import signal
import socket
import subprocess
import sys
from typing import Any, Self
import urllib.request

from aiohttp import web

from camera_simulators.blackvue import BlackVueFaults, BlackVueSimulator, SimRecording

HOST = "127.0.0.1"
REPO = Path(__file__).resolve().parent.parent
_CONTROL_TIMEOUT = 60.0


# --- JSON shapes shared by both sides ---------------------------------------------------------


def faults_to_json(faults: BlackVueFaults) -> dict[str, Any]:
    """Return the fault knobs as JSON-friendly values (sets become lists)."""
    data = asdict(faults)
    data["http_500"] = sorted(faults.http_500)
    data["http_503_once"] = sorted(faults.http_503_once)
    data["metadata_absent"] = {
        name: sorted(kinds) for name, kinds in faults.metadata_absent.items()
    }
    return data


def faults_from_json(data: dict[str, Any]) -> BlackVueFaults:
    """Rebuild fault knobs; unknown keys are an error, so a typo never goes unnoticed."""
    known = {item.name for item in fields(BlackVueFaults)}
    unknown = set(data) - known
    if unknown:
        raise ValueError(f"unknown fault knobs: {sorted(unknown)}")
    values = dict(data)
    values["stall"] = {name: (int(n), float(s)) for name, (n, s) in data.get("stall", {}).items()}
    values["http_500"] = set(data.get("http_500", ()))
    values["http_503_once"] = set(data.get("http_503_once", ()))
    values["metadata_absent"] = {
        name: set(kinds) for name, kinds in data.get("metadata_absent", {}).items()
    }
    return BlackVueFaults(**values)


def recordings_to_json(recordings: Sequence[SimRecording]) -> list[dict[str, Any]]:
    """Return recordings as JSON-friendly values."""
    return [asdict(recording) for recording in recordings]


def recordings_from_json(data: list[dict[str, Any]]) -> list[SimRecording]:
    """Rebuild recordings."""
    return [SimRecording(**item) for item in data]


@dataclass(frozen=True, slots=True)
class LogEntry:
    """One request the camera saw."""

    method: str
    path: str
    range_header: str | None
    status: int
    body_bytes: int

    @property
    def name(self) -> str:
        """Return the last path segment (the file name for file requests)."""
        return self.path.rsplit("/", 1)[-1]


# --- The camera process -----------------------------------------------------------------------


class _Control:
    """The control server's routes around one simulator at a time."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.simulator = BlackVueSimulator()

    async def start(self) -> None:
        await self.simulator.start(HOST, self.port)
        self.port = self.simulator.port

    def routes(self) -> list[web.RouteDef]:
        return [
            web.post("/setup", self._setup),
            web.post("/faults", self._faults),
            web.post("/restart", self._restart),
            web.get("/log", self._log),
        ]

    async def _setup(self, request: web.Request) -> web.Response:
        payload = await request.json()
        await self.simulator.close()
        self.simulator = BlackVueSimulator(
            recordings_from_json(payload.get("recordings", [])),
            faults_from_json(payload.get("faults", {})),
        )
        await self.simulator.start(HOST, self.port)
        return web.json_response({"camera_port": self.port})

    async def _faults(self, request: web.Request) -> web.Response:
        self.simulator.faults = faults_from_json(await request.json())
        return web.json_response({})

    async def _restart(self, request: web.Request) -> web.Response:
        if not self.simulator.running:
            await self.simulator.restart()
        return web.json_response({"running": self.simulator.running})

    async def _log(self, request: web.Request) -> web.Response:
        entries = [asdict(entry) for entry in self.simulator.requests]
        return web.json_response({"running": self.simulator.running, "requests": entries})


async def _serve(camera_port: int, control_port: int) -> None:
    control = _Control(camera_port)
    await control.start()
    app = web.Application()
    app.add_routes(control.routes())
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    sock = socket.create_server((HOST, control_port))
    await web.SockSite(runner, sock).start()
    bound = sock.getsockname()[1]
    print(json.dumps({"camera_port": control.port, "control_port": bound}), flush=True)
    try:
        await _until_told_to_stop()
    finally:
        await control.simulator.close()
        await runner.cleanup()


async def _until_told_to_stop() -> None:
    """Return when standard input closes or a SIGTERM/SIGINT arrives."""
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    eof = asyncio.ensure_future(reader.read())
    waiter = asyncio.ensure_future(stop.wait())
    await asyncio.wait({eof, waiter}, return_when=asyncio.FIRST_COMPLETED)
    for task in (eof, waiter):
        task.cancel()


def main(argv: Sequence[str] | None = None) -> int:
    """Serve the camera and its control server until told to stop."""
    parser = argparse.ArgumentParser(prog="python -m bench.camera")
    parser.add_argument("--port", type=int, default=0, help="camera port (0: a free one)")
    parser.add_argument("--control-port", type=int, default=0)
    args = parser.parse_args(argv)
    asyncio.run(_serve(args.port, args.control_port))
    return 0


# --- The harness side -------------------------------------------------------------------------


class CameraProcess:
    """A running ``python -m bench.camera`` and the calls that set it up."""

    def __init__(self, process: subprocess.Popen[bytes], camera_port: int, control_port: int):
        self.process = process
        self.camera_port = camera_port
        self.control_port = control_port

    @classmethod
    def start(cls) -> Self:
        """Start the camera process and wait until both ports are bound."""
        process = subprocess.Popen(
            [sys.executable, "-m", "bench.camera"],
            cwd=REPO,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line:
            process.kill()
            process.wait()
            raise RuntimeError("the camera process exited before it was ready")
        ports = json.loads(line)
        return cls(process, ports["camera_port"], ports["control_port"])

    @property
    def address(self) -> str:
        """Return ``127.0.0.1:PORT``, what the clients are given."""
        return f"{HOST}:{self.camera_port}"

    @property
    def pid(self) -> int:
        """Return the camera process's id."""
        return self.process.pid

    def url(self, name: str) -> str:
        """Return a legacy-firmware file URL."""
        return f"http://{self.address}/Record/{name}"

    def setup(
        self, recordings: Sequence[SimRecording], faults: BlackVueFaults | None = None
    ) -> None:
        """Replace the camera with a fresh one holding ``recordings`` (and an empty log)."""
        self._call(
            "/setup",
            {
                "recordings": recordings_to_json(recordings),
                "faults": faults_to_json(faults or BlackVueFaults()),
            },
        )

    def set_faults(self, faults: BlackVueFaults) -> None:
        """Replace the fault knobs; recordings and the request log stay."""
        self._call("/faults", faults_to_json(faults))

    def restart(self) -> None:
        """Bring the camera back after it went away."""
        self._call("/restart", {})

    def log(self) -> list[LogEntry]:
        """Return every request the camera saw since the last setup."""
        data = self._call("/log")
        return [LogEntry(**entry) for entry in data["requests"]]

    def running(self) -> bool:
        """Return whether the camera is listening."""
        return bool(self._call("/log")["running"])

    def bytes_served(self, name: str) -> int:
        """Return the body bytes the camera wrote for ``name`` since the last setup."""
        return sum(e.body_bytes for e in self.log() if e.method == "GET" and e.name == name)

    def close(self) -> None:
        """Stop the camera process (closing its stdin is the polite signal)."""
        if self.process.poll() is not None:
            return
        assert self.process.stdin is not None
        self.process.stdin.close()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def _call(self, path: str, payload: dict[str, Any] | None = None) -> dict[str, Any]:
        data = None if payload is None else json.dumps(payload).encode()
        request = urllib.request.Request(
            f"http://{HOST}:{self.control_port}{path}",
            data=data,
            headers={"Content-Type": "application/json"},
            method="GET" if payload is None else "POST",
        )
        with urllib.request.urlopen(request, timeout=_CONTROL_TIMEOUT) as response:
            result: dict[str, Any] = json.loads(response.read())
        return result


if __name__ == "__main__":
    raise SystemExit(main())
