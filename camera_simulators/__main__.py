"""Run a simulated camera until Ctrl-C: ``python -m camera_simulators blackvue --port 8080 …``.

Each camera kind is one subcommand. Its ``add_…_command`` function adds the subparser and sets
``run`` to a coroutine function taking the parsed arguments; :data:`COMMANDS` lists them.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable, Coroutine, Sequence
import contextlib
from datetime import datetime, timedelta
import re
from typing import Any

from camera_simulators.blackvue import BlackVueFaults, BlackVueSimulator, make_recordings
from camera_simulators.reolink import (
    ReolinkFaults,
    ReolinkSimulator,
    make_reolink_recordings,
    self_signed_context,
)

_UNITS = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3}


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
    faults = BlackVueFaults(firmware=args.firmware, throughput=args.throughput)
    simulator = BlackVueSimulator(recordings, faults)
    await simulator.start(args.host, args.port)
    try:
        print(
            f"BlackVue simulator on {simulator.base_url} ({args.recordings} recordings)",
            flush=True,
        )
        await asyncio.Event().wait()
    finally:
        await simulator.close()


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
    parser.set_defaults(run=run_reolink)


async def run_reolink(args: argparse.Namespace) -> None:
    """Serve a simulated Reolink camera until cancelled."""
    faults = ReolinkFaults(password=args.password, rate_limit=args.throughput)
    simulator = ReolinkSimulator(faults=faults)
    simulator.recordings = make_reolink_recordings(
        args.days, args.per_day, end=simulator.clock(), size_range=args.size_range
    )
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


COMMANDS: list[Callable[[argparse._SubParsersAction[argparse.ArgumentParser]], None]] = [
    add_blackvue_command,
    add_reolink_command,
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


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the arguments and serve until Ctrl-C."""
    args = build_parser().parse_args(argv)
    run: Callable[[argparse.Namespace], Coroutine[Any, Any, None]] = args.run
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run(args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
