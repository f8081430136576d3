"""boto3's own upload (s3transfer, default settings), the S3 reference of the mirror benchmark.

Runs with the S3 server venv's Python (it has boto3): ``python bench/s3_reference.py create|upload
ENDPOINT KEY SECRET BUCKET [ARCHIVE]``. ``upload`` prints one JSON line: wall and CPU seconds
around the uploads of every file under ARCHIVE, one after the other.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
import resource
import sys
import time

import boto3  # type: ignore[import-untyped]


def main() -> None:
    mode, endpoint, key, secret, bucket = sys.argv[1:6]
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=key,
        aws_secret_access_key=secret,
    )
    if mode == "create":
        client.create_bucket(Bucket=bucket)
        return
    archive = Path(sys.argv[6])
    files = sorted(path for path in archive.rglob("*") if path.is_file())
    before, started = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
    for path in files:
        client.upload_file(str(path), bucket, "ref/" + path.relative_to(archive).as_posix())
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    size = sum(os.path.getsize(path) for path in files)
    sys.stdout.write(json.dumps({"wall": wall, "cpu": cpu, "files": len(files), "bytes": size}))


if __name__ == "__main__":
    main()
