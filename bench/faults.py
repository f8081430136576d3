"""A misbehaving camera, side by side: what camsync and BlackVue Sync 2.2.0 leave behind.

Each scenario serves a few videos (normal, front, a minute apart) with one fault on the second
oldest. Both tools fetch oldest first (BlackVue Sync's default; camsync is given the same order),
so "later files" are the same for both. After each run every video under its final name is
compared with the camera's size and sha256: a SHORT file under a final name is data loss that
looks like success, since neither tool will fetch it again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bench.camera import CameraProcess
from bench.context import RECORDING_START, Context
from bench.files import check_videos, partial_bytes, remove_tree, scratch
from bench.report import heading, mib, table
from bench.tools import BlackVueSync, Runner, ToolRun, run_camsync
from camera_simulators.blackvue import BlackVueFaults, SimRecording, make_recordings

READ_TIMEOUT = 2.0
STALL_SECONDS = 6.0
_TARGET = 1  # the faulty video: the second oldest


@dataclass(frozen=True, slots=True)
class Scenario:
    """One fault, set on the target video (or the camera)."""

    key: str
    title: str
    faults: Callable[[str, int], BlackVueFaults]
    comes_back: bool = False
    """Whether the camera is restarted and a second run made (the camera went away)."""


SCENARIOS = (
    Scenario(
        "truncated",
        "truncated body (Content-Length says more)",
        lambda name, size: BlackVueFaults(truncate={name: size // 2}),
    ),
    Scenario(
        "unknown_type",
        "unknown type letter in the listing (_ZF)",
        lambda name, size: BlackVueFaults(
            extra_listing_lines=["n:/Record/20261120_075900_ZF.mp4,s:1000000"]
        ),
    ),
    Scenario(
        "stall",
        f"stall mid-file {STALL_SECONDS:g} s (timeout {READ_TIMEOUT:g} s)",
        lambda name, size: BlackVueFaults(stall={name: (size // 2, STALL_SECONDS)}),
    ),
    Scenario(
        "http_500",
        "HTTP 500 on one file",
        lambda name, size: BlackVueFaults(http_500={name}),
    ),
    Scenario(
        "reset",
        "connection reset mid-file",
        lambda name, size: BlackVueFaults(reset_after={name: size // 2}),
    ),
    Scenario(
        "away",
        "camera goes away mid-run, then back",
        lambda name, size: BlackVueFaults(go_away_after_bytes=size + size // 2),
        comes_back=True,
    ),
)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one run of one tool left behind."""

    ended: str
    intact: int
    expected: int
    short: tuple[str, ...]
    """Videos under their final name but shorter than on the camera (sizes, for the notes)."""
    corrupt: int
    later_synced: bool
    partial: int
    """Bytes of unfinished videos kept for a resume."""
    failed: tuple[str, ...] = ()
    skipped_listing: int = 0
    served: int = 0
    """Video bytes the camera served so far in this scenario."""

    def cell(self) -> str:
        """Return the side-by-side cell: how it ended, what is on disk, whether it went on."""
        parts = [self.ended, f"{self.intact}/{self.expected} intact"]
        if self.short:
            parts.append(f"{len(self.short)} SHORT under final name")
        if self.corrupt:
            parts.append(f"{self.corrupt} CORRUPT")
        parts.append("later files synced" if self.later_synced else "later files NOT synced")
        return ", ".join(parts)

    def notes(self) -> list[str]:
        """Return the details behind the cell."""
        notes = []
        if self.failed:
            notes.append("reported " + ", ".join(self.failed))
        if self.skipped_listing:
            notes.append(f"skipped {self.skipped_listing} listing line")
        if self.short:
            notes.append("short: " + ", ".join(self.short))
        if self.partial:
            notes.append(f"kept a {mib(self.partial)} partial to resume")
        return notes


def _recordings(context: Context) -> list[SimRecording]:
    size = context.sizes.fault_file
    return make_recordings(
        context.sizes.fault_files,
        start=RECORDING_START,
        size_range=(size, size),
        kinds="N",
        directions="F",
    )


def measure(context: Context) -> dict[str, Any]:
    """Run every scenario with each tool."""
    camera = context.camera()
    tool = context.blackvuesync()
    runners: dict[str, Runner] = {
        "camsync": lambda dest: run_camsync(
            camera, dest, read_timeout=READ_TIMEOUT, priority="oldest_first"
        )
    }
    if isinstance(tool, BlackVueSync):
        runners["blackvuesync"] = lambda dest: tool.run(camera, dest, socket_timeout=READ_TIMEOUT)
    recordings = _recordings(context)
    results: dict[str, Any] = {"files": len(recordings), "file_size": context.sizes.fault_file}
    if isinstance(tool, str):
        results["blackvuesync_missing"] = tool
    for scenario in SCENARIOS:
        print(f"  {scenario.title}", flush=True)
        results[scenario.key] = {
            "title": scenario.title,
            **{
                name: [asdict(run) for run in _runs(context, scenario, recordings, runner)]
                for name, runner in runners.items()
            },
        }
    return results


def _runs(
    context: Context, scenario: Scenario, recordings: list[SimRecording], runner: Runner
) -> list[Outcome]:
    """Run the scenario (twice when the camera comes back); return each run's outcome."""
    camera = context.camera()
    target = recordings[_TARGET]
    camera.setup(recordings, scenario.faults(target.name, target.size))
    dest = scratch("faults")
    outcomes = [_outcome(runner(dest), dest, recordings, camera)]
    if scenario.comes_back:
        camera.restart()
        camera.set_faults(BlackVueFaults())
        outcomes.append(_outcome(runner(dest), dest, recordings, camera))
    remove_tree(dest)
    return outcomes


def _outcome(
    run: ToolRun, dest: Path, recordings: list[SimRecording], camera: CameraProcess
) -> Outcome:
    check = check_videos(dest, recordings)
    later = check_videos(dest, recordings[_TARGET + 1 :])
    failed = run.detail.get("failed") or []
    return Outcome(
        ended=run.ended,
        intact=check.intact,
        expected=check.expected,
        short=check.short_detail,
        corrupt=check.corrupt,
        later_synced=later.intact == later.expected,
        partial=partial_bytes(dest),
        failed=tuple(sorted({reason for _, reason in failed})),
        skipped_listing=int(run.detail.get("skipped_listing") or 0),
        served=sum(entry.body_bytes for entry in camera.log() if entry.name.endswith(".mp4")),
    )


# --- Report -----------------------------------------------------------------------------------

_TOOLS = (("camsync", "camsync"), ("blackvuesync", "BlackVue Sync 2.2.0"))


def render(result: dict[str, Any]) -> str:
    """Return the fault section of the report."""
    total = result["files"] * result["file_size"]
    present = [
        (key, label)
        for key, label in _TOOLS
        if any(key in result.get(s.key, {}) for s in SCENARIOS)
    ]
    rows: list[list[str]] = []
    notes: list[str] = []
    for scenario in SCENARIOS:
        item = result.get(scenario.key)
        if item is None:
            continue
        runs = {key: [Outcome(**run) for run in item[key]] for key, _ in present if key in item}
        for index in range(2 if scenario.comes_back else 1):
            title = item["title"] if index == 0 else "  ... camera back, second run"
            rows.append([title, *(_cell(runs.get(key), index) for key, _ in present)])
        for key, label in present:
            for index, outcome in enumerate(runs.get(key, [])):
                details = outcome.notes()
                if scenario.comes_back and index == len(runs[key]) - 1:
                    details.append(f"camera served {mib(outcome.served)} for {mib(total)}")
                if details:
                    run = f" (run {index + 1})" if scenario.comes_back else ""
                    notes.append(f"  {scenario.key}, {label}{run}: {'; '.join(details)}")
    parts = [
        heading("3. Faults, side by side"),
        f"  {result['files']} videos of {mib(result['file_size'])} each, fetched oldest first, "
        f"the fault on the 2nd; read timeout {READ_TIMEOUT:g} s for both tools",
        table(["scenario", *(label for _, label in present)], rows),
        "  SHORT under final name: a damaged video that looks archived and is never fetched again.",
        "",
        *notes,
    ]
    if "blackvuesync_missing" in result:
        parts.append(f"  BlackVue Sync 2.2.0 not measured: {result['blackvuesync_missing']}")
    return "\n".join(parts)


def _cell(outcomes: list[Outcome] | None, index: int) -> str:
    if not outcomes or index >= len(outcomes):
        return "-"
    return outcomes[index].cell()
