"""Resume after an interruption: how many bytes a second run downloads again.

The camera resets the connection (TCP RST) after 75 % of one big video; a second run follows with
no fault. Bytes re-downloaded = body bytes the camera served over both runs minus the file's size.
Each tool's final file is checked against the camera's sha256.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bench.camera import CameraProcess
from bench.context import Context
from bench.files import check_videos, partial_bytes, remove_tree, scratch
from bench.report import heading, mib, size_label, table, verdict
from bench.throughput import FileSet
from bench.tools import BlackVueSync, Runner, run_camsync
from camera_simulators.blackvue import BlackVueFaults
from custom_components.camsync.engine.models import SyncOptions

CHUNK_SIZE = SyncOptions().chunk_size
CUT = 0.75


def measure(context: Context) -> dict[str, Any]:
    """Interrupt and resume one file with each tool."""
    size = context.sizes.resume_file
    results: dict[str, Any] = {"size": size, "cut": int(size * CUT), "chunk_size": CHUNK_SIZE}
    tool = context.blackvuesync()
    runners: dict[str, Runner] = {"camsync": lambda dest: run_camsync(context.camera(), dest)}
    if isinstance(tool, BlackVueSync):
        runners["blackvuesync"] = lambda dest: tool.run(context.camera(), dest)
    else:
        results["blackvuesync_missing"] = tool
    for name, runner in runners.items():
        print(f"  {name}: reset at {CUT:.0%} of {size_label(size)}, then a clean run", flush=True)
        results[name] = _interrupt_and_resume(context.camera(), size, runner)
    return results


def _interrupt_and_resume(camera: CameraProcess, size: int, runner: Runner) -> dict[str, Any]:
    recordings = FileSet(1, size).recordings()
    name = recordings[0].name
    camera.setup(recordings, BlackVueFaults(reset_after={name: int(size * CUT)}))
    dest = scratch("resume")
    first = runner(dest)
    kept = partial_bytes(dest)
    after_first = check_videos(dest, recordings, hash_them=False)
    served_first = camera.bytes_served(name)
    camera.set_faults(BlackVueFaults())
    second = runner(dest)
    requests = [entry for entry in camera.log() if entry.name == name and entry.method == "GET"]
    served = sum(entry.body_bytes for entry in requests)
    final = check_videos(dest, recordings)
    last = requests[-1]
    result = {
        "first_ended": first.ended,
        "first_detail": first.detail.get("failed") or first.detail.get("log_tail", ""),
        "kept_after_first": kept,
        "final_name_after_first": after_first.summary(),
        "served_first": served_first,
        "second_ended": second.ended,
        "second_request": f"{last.range_header or 'no Range'} -> {last.status}",
        "served_total": served,
        "redownloaded": served - size,
        "final": final.summary(),
        "intact": final.intact == 1,
        "second_wall": second.wall,
    }
    remove_tree(Path(dest))
    return result


def render(result: dict[str, Any]) -> str:
    """Return the resume section of the report."""
    size, chunk = result["size"], result["chunk_size"]
    parts = [
        heading("2. Bytes downloaded again after an interruption"),
        f"  one {size_label(size)} video, connection reset after {mib(result['cut'])}; "
        "then a run without the fault",
    ]
    rows = []
    for name, label in (("camsync", "camsync"), ("blackvuesync", "BlackVue Sync 2.2.0")):
        item = result.get(name)
        if item is None:
            continue
        rows.append(
            [
                label,
                item["first_ended"],
                mib(item["kept_after_first"]),
                item["second_request"],
                f"{item['redownloaded']:,} B ({mib(item['redownloaded'])})",
                "sha256 OK" if item["intact"] else f"BAD: {item['final']}",
            ]
        )
    parts.append(
        table(["tool", "1st run", "kept", "2nd run asks", "re-downloaded", "final file"], rows)
    )
    if "blackvuesync_missing" in result:
        parts.append(f"  BlackVue Sync 2.2.0 not measured: {result['blackvuesync_missing']}")
    camsync = result.get("camsync")
    if camsync is not None:
        again = camsync["redownloaded"]
        parts.append(
            f"  target: camsync re-downloads under one chunk ({chunk:,} B): {again:,} B  "
            f"{verdict(again < chunk)}"
        )
    return "\n".join(parts)
