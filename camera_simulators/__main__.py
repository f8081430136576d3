"""Run a simulated camera until Ctrl-C: ``python -m camera_simulators blackvue --port 8080 …``.

Each camera kind is one subcommand. Its ``add_…_command`` function adds the subparser and sets
``run`` to a coroutine function taking the parsed arguments; :data:`COMMANDS` lists them.
``clips`` makes the demo's playable clips (PyAV); ``--clips FOLDER`` on a camera serves them.
``reolink --firmware v3`` is the RLC-1224A v3.2 profile (``ReolinkFaults(profile="v3")``).

Ctrl-C (SIGINT) or SIGTERM stops the camera and the process exits at once: when run as a program
the process ends with ``os._exit`` after the camera closed, so no library thread (a DNS
resolver's, say) can keep it alive.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable, Coroutine, Sequence
import contextlib
from datetime import UTC, datetime, timedelta
import os
from pathlib import Path
import re
import signal
import sys
from typing import Any

from camera_simulators.blackvue import (
    BlackVueFaults,
    BlackVueSimulator,
    journey_recordings,
    make_recordings,
)
from camera_simulators.clips import ClipLibrary, make_demo_clips
from camera_simulators.reolink import (
    ReolinkFaults,
    ReolinkSimulator,
    make_reolink_recordings,
    self_signed_context,
)
from camera_simulators.reolink_recordings import name_size_drift
from camera_simulators.route import DashcamGps, Journey

_UNITS = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3}
_CLIPS_HELP = "serve the .mp4 clips of FOLDER (see the clips command) instead of synthetic videos"


def byte_count(text: str) -> int:
    """Parse ``1500``, ``64K``, ``2M`` or ``1G`` (binary units) as a number of bytes."""
    match = re.fullmatch(r"(\d+)\s*([KMG]?)i?B?", text.strip(), re.IGNORECASE)
    if match is None:
        raise argparse.ArgumentTypeError(f"not a byte count: {text!r}")
    return int(match[1]) * _UNITS[match[2].upper()]


def size_range(text: str) -> tuple[int, int]:
    """Parse ``MIN-MAX`` (each a :func:`byte_count`)."""
    low, separator, high = text.partition("-")
    if not separator:
        raise argparse.ArgumentTypeError(f"expected MIN-MAX, got {text!r}")
    bounds = byte_count(low), byte_count(high)
    if bounds[0] > bounds[1]:
        raise argparse.ArgumentTypeError(f"MIN is above MAX in {text!r}")
    return bounds


# --- blackvue ---------------------------------------------------------------------------------


def add_blackvue_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``blackvue``: a simulated dashcam with recordings spread over the last days."""
    parser = commands.add_parser("blackvue", help="a simulated BlackVue dashcam")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True, help="0 picks a free port")
    parser.add_argument("--recordings", type=int, required=True, metavar="K")
    parser.add_argument("--firmware", choices=["legacy", "v1009"], default="legacy")
    parser.add_argument(
        "--size-range", type=size_range, default=(200_000, 400_000), metavar="MIN-MAX"
    )
    parser.add_argument("--days", type=float, default=2.0, metavar="D")
    parser.add_argument("--throughput", type=byte_count, default=None, metavar="BPS")
    parser.add_argument("--daylight", action="store_true", help="config.ini says Daylight=1")
    parser.add_argument("--clips", type=Path, default=None, metavar="FOLDER", help=_CLIPS_HELP)
    parser.add_argument(
        "--journeys",
        type=int,
        default=0,
        metavar="J",
        help="also record J drives through the made-up town (route.py), one a day, the last "
        "ending now: trips with GPS",
    )
    parser.set_defaults(run=run_blackvue)


async def run_blackvue(args: argparse.Namespace) -> None:
    """Serve a simulated BlackVue until cancelled."""
    # Camera clocks are local wall time and ignore DST: a fixed-offset "now" matches that.
    now = datetime.now().astimezone().replace(microsecond=0)
    step = max(timedelta(days=args.days) / max(args.recordings, 1), timedelta(seconds=1))
    recordings = make_recordings(
        args.recordings,
        start=now - step * (args.recordings - 1),
        step=step,
        size_range=args.size_range,
    )
    journeys = demo_journeys(args.journeys, now)
    for journey in journeys:
        recordings += journey_recordings(journey, size_range=args.size_range)
    recordings.sort(key=lambda recording: recording.name)
    faults = BlackVueFaults(
        firmware=args.firmware, throughput=args.throughput, daylight=args.daylight
    )
    clips = ClipLibrary.from_folder(args.clips) if args.clips else None
    gps = DashcamGps(journeys, tz=now.tzinfo or UTC)
    simulator = BlackVueSimulator(recordings, faults, clips=clips, gps=gps)
    await simulator.start(args.host, args.port)
    try:
        print(
            f"BlackVue simulator on {simulator.base_url} ({args.recordings} recordings)",
            flush=True,
        )
        await asyncio.Event().wait()
    finally:
        await simulator.close()


def demo_journeys(count: int, now: datetime) -> list[Journey]:
    """Return ``count`` drives, one a day, the last ending at ``now`` (its time zone names them)."""
    if count <= 0:
        return []
    length = Journey(now).end - now
    last_start = (now - length).replace(microsecond=0)
    return [Journey(last_start - timedelta(days=day), seed=day) for day in range(count - 1, -1, -1)]


# --- reolink ----------------------------------------------------------------------------------


def add_reolink_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``reolink``: a simulated RLC-520A with recordings on each of the last days."""
    parser = commands.add_parser("reolink", help="a simulated Reolink camera")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True, help="0 picks a free port")
    parser.add_argument("--days", type=int, default=7, metavar="D")
    parser.add_argument("--per-day", type=int, default=24, metavar="N")
    parser.add_argument(
        "--size-range", type=size_range, default=(200_000, 400_000), metavar="MIN-MAX"
    )
    parser.add_argument("--password", default="secret-pass", help="the admin password")
    parser.add_argument("--https", action="store_true", help="serve HTTPS (self-signed)")
    parser.add_argument("--throughput", type=byte_count, default=None, metavar="BPS")
    parser.add_argument(
        "--firmware",
        choices=["v7", "v3"],
        default="v7",
        help="v7: the polite guide camera; v3: an RLC-1224A on firmware v3.2",
    )
    parser.add_argument("--clips", type=Path, default=None, metavar="FOLDER", help=_CLIPS_HELP)
    parser.set_defaults(run=run_reolink)


async def run_reolink(args: argparse.Namespace) -> None:
    """Serve a simulated Reolink camera until cancelled."""
    faults = ReolinkFaults(
        profile=args.firmware, password=args.password, rate_limit=args.throughput
    )
    clips = ClipLibrary.from_folder(args.clips) if args.clips else None
    simulator = ReolinkSimulator(faults=faults, clips=clips)
    simulator.recordings = make_reolink_recordings(
        args.days,
        args.per_day,
        end=simulator.clock(),
        size_range=args.size_range,
        firmware=args.firmware,
    )
    if clips is not None:  # Search and the names tell the clip's size
        for recording in simulator.recordings:
            recording.size = clips.size(recording.key)
            if recording.name_size is not None:
                recording.name_size = recording.size - name_size_drift(recording)
    await simulator.start(
        args.host, args.port, ssl_context=self_signed_context() if args.https else None
    )
    try:
        print(
            f"Reolink simulator on {simulator.base_url} (admin / {args.password}, "
            f"{len(simulator.recordings)} recordings)",
            flush=True,
        )
        await asyncio.Event().wait()
    finally:
        await simulator.close()


# --- clips ------------------------------------------------------------------------------------


def add_clips_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``clips``: make the demo's playable H.264 clips once (existing ones are kept)."""
    parser = commands.add_parser("clips", help="make playable demo clips (needs PyAV)")
    parser.add_argument("--out", type=Path, required=True, metavar="FOLDER")
    parser.add_argument("--count", type=int, default=5, metavar="N")
    parser.set_defaults(run=run_clips)


async def run_clips(args: argparse.Namespace) -> None:
    """Make the clips in a worker thread (encoding takes a second or so each)."""
    paths = await asyncio.to_thread(make_demo_clips, args.out, args.count)
    print(f"{len(paths)} clips in {args.out}", flush=True)


COMMANDS: list[Callable[[argparse._SubParsersAction[argparse.ArgumentParser]], None]] = [
    add_blackvue_command,
    add_reolink_command,
    add_clips_command,
]


def build_parser() -> argparse.ArgumentParser:
    """Return the command-line parser with one subcommand per camera kind."""
    parser = argparse.ArgumentParser(
        prog="python -m camera_simulators", description="Run a simulated camera until Ctrl-C."
    )
    commands = parser.add_subparsers(dest="camera", required=True, metavar="CAMERA")
    for add_command in COMMANDS:
        add_command(commands)
    return parser


async def _until_signalled(run: Coroutine[Any, Any, None]) -> None:
    """Run ``run``; SIGINT or SIGTERM cancels it (so its ``finally`` closes the camera)."""
    task = asyncio.ensure_future(run)
    loop = asyncio.get_running_loop()
    for number in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(number, task.cancel)
    with contextlib.suppress(asyncio.CancelledError):
        await task


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the arguments and serve until Ctrl-C."""
    args = build_parser().parse_args(argv)
    run: Callable[[argparse.Namespace], Coroutine[Any, Any, None]] = args.run
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_until_signalled(run(args)))
    return 0


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)  # no lingering library thread may keep the process alive
