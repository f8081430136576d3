"""Run one mirror pass of an archive and print what it did and cost, as one JSON line.

``python -m bench.mirror_once folder --archive DIR --target DIR`` or
``python -m bench.mirror_once s3 --archive DIR --endpoint URL --bucket B --key K --secret S``.
Wall and CPU seconds (``getrusage(RUSAGE_SELF)``: every thread, so the executor's reads,
hashes, writes and fsyncs count) are taken around ``run_now``; start-up, the imports and the
S3 client's creation are outside; the target's check and its (empty) listing are inside.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Sequence
import json
from pathlib import Path
import resource
import time
from typing import Any

from custom_components.camsync.engine.mirrors import (
    FolderSettings,
    FolderTarget,
    Mirror,
    MirrorTarget,
    S3Settings,
    S3Target,
)


def _cpu(usage: resource.struct_rusage) -> float:
    return usage.ru_utime + usage.ru_stime


def _target(args: argparse.Namespace, archive: Path) -> MirrorTarget:
    if args.kind == "folder":
        settings = FolderSettings(Path(args.target), allow_same_disk=True, reserve_bytes=0)
        return FolderTarget(settings, archive)
    return S3Target(
        S3Settings(
            bucket=args.bucket,
            access_key_id=args.key,
            secret_access_key=args.secret,
            endpoint_url=args.endpoint,
            prefix="bench",
        )
    )


async def _mirror(args: argparse.Namespace) -> dict[str, Any]:
    archive = Path(args.archive)
    target = _target(args, archive)
    mirror = Mirror("bench", target, archive)
    await target.open(mirror.work_dir)  # the client and botocore's data files: once per start
    before, started = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
    await mirror.start()
    try:
        report = await mirror.run_now(wait=True)  # the first pass: check, list, copy all
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_SELF)
    finally:
        await mirror.stop()
    assert report is not None
    return {
        "wall": wall,
        "cpu": _cpu(after) - _cpu(before),
        "cpu_user": after.ru_utime - before.ru_utime,
        "files": len(report.copied),
        "bytes": report.copied_bytes,
        "reason": report.reason.value if report.reason else None,
        "failed": len(report.failed),
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.mirror_once")
    parser.add_argument("kind", choices=("folder", "s3"))
    parser.add_argument("--archive", required=True)
    parser.add_argument("--target")
    parser.add_argument("--endpoint")
    parser.add_argument("--bucket")
    parser.add_argument("--key")
    parser.add_argument("--secret")
    args = parser.parse_args(argv)
    print(json.dumps(asyncio.run(_mirror(args))), flush=True)


if __name__ == "__main__":
    main()
