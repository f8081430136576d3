"""Mirror throughput and CPU per GB: a folder mirror next to ``cp``, an S3 mirror next to boto3.

The archive is random data: one big file and a set of smaller ones, like a day of recordings.

- Folder: ``cp -r`` (and ``cp -r`` followed by ``sync``) against camsync's folder mirror, which
  writes each file under a temporary name, flushes it, drops it from the page cache, reads it back
  to check its SHA-256, then renames it and flushes the folder. Both on this machine's one disk.
- S3: moto's S3 server in its own process on 127.0.0.1 (the tests' server, signatures and IAM
  checked) receives camsync's S3 mirror (a SHA-256 per object and per 8 MiB part, one part at a
  time) and, as the reference, boto3's ``upload_file`` (s3transfer's defaults: 8 MiB parts, ten
  threads). The server is pure Python and keeps objects in memory: it, not the client, sets the
  pace, so these figures compare clients on this server, not providers.
- The sync's own figures (``throughput``) are shown beside them when that benchmark ran first.

Wall and CPU seconds: camsync and boto3 measure themselves around the transfer (imports and the
S3 client's creation outside); ``cp`` is measured as a whole process.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
import statistics
import sys
from typing import Any
import uuid

from bench.context import Context
from bench.files import MIB, WORK, remove_tree, scratch
from bench.procs import run_measured, track
from bench.report import GB, MB, heading, size_label, table

REPO = Path(__file__).resolve().parent.parent
_S3_CAP = 256 * MIB
"""The S3 server holds every object in memory and is slow: its file set is capped."""


def _write_random(path: Path, size: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        left = size
        while left:
            chunk = min(left, 8 * MIB)
            handle.write(os.urandom(chunk))
            left -= chunk


def _archive(folder: Path, big: int, count: int, small: int) -> int:
    _write_random(folder / "recordings/2026-11-20/20261120_080000_NF.mp4", big)
    for index in range(count):
        name = f"recordings/2026-11-20/20261120_09{index // 60:02d}{index % 60:02d}_EF.mp4"
        _write_random(folder / name, small)
    return big + count * small


def _camsync(kind: str, archive: Path, *extra: str) -> dict[str, Any]:
    measured = run_measured(
        [sys.executable, "-m", "bench.mirror_once", kind, "--archive", str(archive), *extra],
        timeout=1800,
        cwd=REPO,
    )
    if measured.returncode != 0:
        raise RuntimeError(f"mirror_once failed: {measured.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(measured.stdout.strip().splitlines()[-1])
    return result


def _cp(archive: Path, dest: Path, *, then_sync: bool) -> dict[str, Any]:
    command = f'cp -r "{archive}" "{dest}"' + (" && sync" if then_sync else "")
    measured = run_measured(["sh", "-c", command], timeout=1800)
    if measured.returncode != 0:
        raise RuntimeError(measured.stderr)
    return {"wall": measured.wall, "cpu": measured.cpu}


def _summary(runs: list[dict[str, Any]], total: int) -> dict[str, float]:
    return {
        "mb_per_s": total / MB / statistics.median(run["wall"] for run in runs),
        "cpu_s_per_gb": statistics.median(run["cpu"] for run in runs) / (total / GB),
    }


def _folder(context: Context, work: Path, rounds: int) -> dict[str, Any]:
    sizes = context.sizes
    archive = work / "archive"
    total = _archive(archive, sizes.big_file, sizes.small_count, sizes.small_file)
    runs: dict[str, list[dict[str, Any]]] = {"cp": [], "cp_sync": [], "camsync": []}
    for number in range(rounds):
        print(f"  folder: round {number + 1}/{rounds}", flush=True)
        for name, items in runs.items():
            dest = work / f"dest-{name}"
            remove_tree(dest)
            if name == "camsync":
                result = _camsync("folder", archive, "--target", str(dest))
                if result["bytes"] != total or result["reason"]:
                    raise RuntimeError(f"the folder mirror copied {result}")
            else:
                result = _cp(archive, dest, then_sync=name == "cp_sync")
            items.append(result)
            remove_tree(dest)
    remove_tree(archive)
    return {
        "bytes": total,
        "files": 1 + sizes.small_count,
        "runs": runs,
        "summary": {name: _summary(items, total) for name, items in runs.items()},
    }


def _s3(context: Context, work: Path, rounds: int) -> dict[str, Any]:
    from tests.s3server import S3Server, ensure_venv

    sizes = context.sizes
    big = min(sizes.big_file, _S3_CAP)
    small = min(sizes.small_file, _S3_CAP // max(1, sizes.small_count))
    archive = work / "s3-archive"
    total = _archive(archive, big, sizes.small_count, small)
    python = str(ensure_venv())
    reference = str(REPO / "bench" / "s3_reference.py")
    runs: dict[str, list[dict[str, Any]]] = {"boto3": [], "camsync": []}
    with (WORK / "s3server.log").open("w") as log, S3Server.start(log=log) as server:
        track(server.process)  # type: ignore[arg-type]
        admin = server.admin
        for number in range(rounds):
            print(f"  s3: round {number + 1}/{rounds}", flush=True)
            for name, items in runs.items():
                bucket = f"camsync-bench-{uuid.uuid4().hex[:8]}"
                credentials = (server.endpoint, admin.access_key, admin.secret_key, bucket)
                run_measured([python, reference, "create", *credentials], timeout=60)
                if name == "camsync":
                    result = _camsync(
                        "s3",
                        archive,
                        "--endpoint",
                        server.endpoint,
                        "--bucket",
                        bucket,
                        "--key",
                        admin.access_key,
                        "--secret",
                        admin.secret_key,
                    )
                    if result["bytes"] != total or result["reason"]:
                        raise RuntimeError(f"the S3 mirror copied {result}")
                else:
                    measured = run_measured(
                        [python, reference, "upload", *credentials, str(archive)], timeout=1800
                    )
                    if measured.returncode != 0:
                        raise RuntimeError(measured.stderr[-2000:])
                    result = json.loads(measured.stdout)
                items.append(result)
    remove_tree(archive)
    return {
        "bytes": total,
        "files": 1 + sizes.small_count,
        "big": big,
        "small": small,
        "runs": runs,
        "summary": {name: _summary(items, total) for name, items in runs.items()},
    }


def _sync_figures() -> dict[str, Any] | None:
    """Return the sync's own figures of this ``scripts/bench`` run, when it measured them."""
    try:
        results = json.loads((WORK / "results.json").read_text())
        sets = results["throughput"]["sets"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return {item["label"]: item["summary"].get("camsync") for item in sets}


def measure(context: Context) -> dict[str, Any]:
    """Measure the folder and the S3 mirror; return the raw runs and their summaries."""
    rounds = min(3, context.sizes.rounds)
    work = scratch("mirror")
    try:
        return {
            "rounds": rounds,
            "folder": _folder(context, work, rounds),
            "s3": _s3(context, work, rounds),
            "sync": _sync_figures(),
        }
    finally:
        remove_tree(work)


def _row(label: str, summary: dict[str, float]) -> list[str]:
    return [label, f"{summary['mb_per_s']:.0f}", f"{summary['cpu_s_per_gb']:.2f}"]


def render(result: dict[str, Any]) -> str:
    """Return the mirror section of the report."""
    folder, s3 = result["folder"], result["s3"]
    parts = [heading("7. Mirrors: a folder next to cp, S3 next to boto3")]
    label = f"{folder['files']} files, {size_label(folder['bytes'])}"
    summary = folder["summary"]
    parts.append(
        table(
            [f"Folder mirror ({label}, same disk)", "MB/s", "CPU s/GB"],
            [
                _row("cp -r", summary["cp"]),
                _row("cp -r, then sync", summary["cp_sync"]),
                _row("camsync (fsync, read-back SHA-256)", summary["camsync"]),
            ],
        )
    )
    label = f"{size_label(s3['big'])} + {s3['files'] - 1} x {size_label(s3['small'])}"
    summary = s3["summary"]
    parts.append(
        table(
            [f"S3 mirror ({label}, moto on 127.0.0.1)", "MB/s", "CPU s/GB"],
            [
                _row("boto3 upload_file (10 threads)", summary["boto3"]),
                _row("camsync (SHA-256 per part, 1 at a time)", summary["camsync"]),
            ],
        )
    )
    sync = result.get("sync")
    if sync:
        rows = [_row(f"camsync sync, {name}", figures) for name, figures in sync.items() if figures]
        parts.append(table(["The sync itself (section 1)", "MB/s", "CPU s/GB"], rows))
    else:
        parts.append("  (run the throughput benchmark too to see the sync's own figures here)")
    parts.append(
        f"  Medians of {result['rounds']} rounds; camsync and boto3 timed around the transfer, "
        "cp as a whole process.\n  The S3 server (pure Python, in memory) sets the S3 pace."
    )
    return "\n".join(parts)
