"""Planning cost, in-process: parse a big listing, scan a big archive, plan one against the other.

The listing is a synthetic legacy ``blackvue_vod.cgi`` body (one line per video) handed to
``BlackVueClient.async_list_recordings`` through a canned HTTP session, so the client's real
parser runs and nothing else. The archive is real: empty files under their final names (daily
folders), scanned by ``Archive.scan`` (warm cache). The archive holds the videos and thumbnails of
the older half of the listing, so the plan still has many files to order and skip. The event-loop
stall is measured through the engine's facade: a survey lists the camera and plans against the
index (``CameraArchive.survey``), as every tick in Home Assistant does.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
import statistics
import time
from types import TracebackType
from typing import Any, Self, cast

import aiohttp

from bench.context import RECORDING_START
from bench.loop_stall import Monitor
from bench.report import heading, ms, table, verdict
from camera_simulators.blackvue import SimRecording, make_recordings
from custom_components.camsync.devices.blackvue import (
    BlackVueClient,
    Firmware,
    parse_legacy_listing,
)
from custom_components.camsync.engine.archive import Archive
from custom_components.camsync.engine.backoff import FailureBook, FailureMark
from custom_components.camsync.engine.facade import CameraArchive
from custom_components.camsync.engine.models import Listing, SyncOptions
from custom_components.camsync.engine.plan import make_plan

TARGET_PLAN = 0.1
_KINDS = "NNNNEPPMI"  # mostly normal and parking, some events


@dataclass(frozen=True, slots=True)
class Timing:
    """Best and median seconds of repeated runs of one step."""

    best: float
    median: float

    @classmethod
    def of(cls, times: Sequence[float]) -> Timing:
        """Summarise the measured seconds."""
        return cls(min(times), statistics.median(times))


@dataclass(frozen=True, slots=True)
class PlanningResult:
    """What was planned, and how long each step took."""

    listed: int
    archived: int
    planned_files: int
    repeats: int
    parse_lines: Timing
    """``parse_legacy_listing`` alone: the text split into names."""
    listing: Timing
    """``async_list_recordings``: decoding, parsing and building the Recording values."""
    scan: Timing
    plan: Timing
    loop_stall: float
    """The longest event-loop stall while the engine lists and plans (``CameraArchive.survey``)."""


# --- A canned camera answer -------------------------------------------------------------------


class _CannedResponse:
    """Just what ``BlackVueClient._get_text`` reads from a response."""

    status = 200
    charset = "utf-8"

    def __init__(self, body: bytes) -> None:
        self._body = body

    async def read(self) -> bytes:
        return self._body

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        return None


class _CannedSession:
    """A session whose every GET answers the same body."""

    def __init__(self, body: bytes) -> None:
        self._body = body

    def get(self, url: str, **kwargs: Any) -> _CannedResponse:
        return _CannedResponse(self._body)


def listing_body(recordings: Sequence[SimRecording]) -> bytes:
    """Return a legacy listing as the camera sends it (CRLF, placeholder sizes)."""
    lines = ["v:1.00", *(f"n:/Record/{item.name},s:1000000" for item in recordings)]
    return "".join(line + "\r\n" for line in lines).encode()


def _client(body: bytes) -> BlackVueClient:
    session = cast(aiohttp.ClientSession, _CannedSession(body))
    client = BlackVueClient(session, "bench.invalid", tz=UTC)
    client.firmware = Firmware.LEGACY  # no /accessible probe
    return client


# --- Measuring --------------------------------------------------------------------------------


def _timed[T](func: Callable[[], T], repeats: int) -> tuple[Timing, T]:
    times: list[float] = []
    for _ in range(repeats):
        started = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - started)
    return Timing.of(times), result


async def _timed_listing(client: BlackVueClient, repeats: int) -> tuple[Timing, Listing]:
    times: list[float] = []
    for _ in range(repeats):
        started = time.perf_counter()
        listing = await client.async_list_recordings()
        times.append(time.perf_counter() - started)
    return Timing.of(times), listing


async def _stall_during_survey(client: BlackVueClient, destination: Path, repeats: int) -> float:
    """Return the worst event-loop lateness while the facade lists and plans, ``repeats`` times."""
    archive = CameraArchive(client, destination)
    await archive.start()  # the index: one scan, as at start-up
    monitor = Monitor()
    task = asyncio.create_task(monitor.run())
    for _ in range(repeats):
        await archive.survey(SyncOptions())
    monitor.stop()
    await task
    return max(monitor.lateness, default=0.0)


def _archive_files(archive: Archive, recordings: Sequence[SimRecording], count: int) -> list[Path]:
    """Create ``count`` empty archived files (videos and thumbnails, oldest first)."""
    client = _client(b"")
    paths: list[Path] = []
    for recording in recordings:
        stamp = client.recorded_at(recording.name)
        assert stamp is not None
        for name in (recording.name, recording.sidecar_names()[0]):
            if len(paths) < count:
                paths.append(archive.final_path(name, stamp))
    for path in paths:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()
    return paths


def _failure_book(folder: Path, recordings: Sequence[SimRecording]) -> FailureBook:
    """Return a book with a few marks: absent GPS tracks, one file backed off."""
    now = datetime.now(UTC).timestamp()
    marks = {
        f"{item.name[:17]}.gps": FailureMark(1, now, "not_found", absent=True)
        for item in recordings[::50]
    }
    marks[recordings[-1].name] = FailureMark(2, now, "http_500")
    return FailureBook(folder / "failures.json", marks)


def measure(
    work: Path, *, recordings: int = 10_000, archived: int = 10_000, repeats: int = 7
) -> PlanningResult:
    """Time listing parsing, archive scan and planning; ``work`` receives the archive."""
    simulated = make_recordings(
        -(-recordings // 2), start=RECORDING_START, kinds=_KINDS, directions="FR"
    )[:recordings]
    body = listing_body(simulated)
    client = _client(body)
    parse_lines, _ = _timed(lambda: parse_legacy_listing(body.decode()), repeats)
    listing_time, listing = asyncio.run(_timed_listing(client, repeats))
    archive = CameraArchive(client, work / "archive").recordings
    _archive_files(archive, simulated, archived)
    scan, index = _timed(lambda: archive.scan(client.recorded_at), repeats)
    book = _failure_book(work, simulated)
    now = datetime.now(UTC)
    plan_time, plan = _timed(lambda: make_plan(listing, index, book, SyncOptions(), now), repeats)
    loop_stall = asyncio.run(_stall_during_survey(client, archive.destination, repeats))
    return PlanningResult(
        listed=len(listing.recordings),
        archived=len(index),
        planned_files=len(plan.files),
        repeats=repeats,
        parse_lines=parse_lines,
        listing=listing_time,
        scan=scan,
        plan=plan_time,
        loop_stall=loop_stall,
    )


def measure_for_report(work: Path, recordings: int, archived: int, repeats: int) -> dict[str, Any]:
    """Run :func:`measure` and return a JSON-friendly result."""
    return asdict(measure(work, recordings=recordings, archived=archived, repeats=repeats))


def _row(label: str, timing: dict[str, float], target: float | None = None) -> list[str]:
    row = [label, ms(timing["best"]), ms(timing["median"])]
    if target is None:
        return [*row, "", ""]
    return [*row, f"< {ms(target)}", verdict(timing["best"] < target)]


def render(result: dict[str, Any]) -> str:
    """Return the planning section of the report."""
    listed, archived = f"{result['listed']:,}", f"{result['archived']:,}"
    rows = [
        _row(f"parse_legacy_listing, {listed} lines", result["parse_lines"]),
        _row(f"async_list_recordings, {listed} videos", result["listing"]),
        _row(f"Archive.scan, {archived} files on disk", result["scan"]),
        _row(f"make_plan, {listed} listed vs {archived} archived", result["plan"], TARGET_PLAN),
    ]
    rows.append(
        [
            "longest event-loop stall while listing + planning",
            ms(result["loop_stall"]),
            "",
            "(reference)",
            "",
        ]
    )
    return "\n".join(
        [
            heading(f"4. Planning (in-process, best of {result['repeats']})"),
            table(["step", "best", "median", "target", ""], rows),
            f"  the plan holds {result['planned_files']:,} files (the videos and sidecars not in "
            "the archive);\n  parsing, scanning and planning run in the executor, the scan on a "
            "warm cache;\n  what still stalls the loop is mostly Python's garbage collector "
            "pausing every thread\n  while the listing's objects are created",
        ]
    )
