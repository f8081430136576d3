"""A process that uploads one file to an S3 mirror, for the test that kills it mid-upload.

``python -m tests.engine.mirrors.upload_child SETTINGS_JSON WORK_DIR SOURCE RELATIVE``
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
import json
from pathlib import Path
import sys

from custom_components.camsync.engine.mirrors import MirrorItem, S3Settings, S3Target


async def upload(settings: S3Settings, work_dir: Path, source: Path, relative: str) -> None:
    target = S3Target(settings)
    await target.open(work_dir)
    try:
        item = MirrorItem(relative, source.stat().st_size, datetime.now(UTC))
        result = await target.copy(source, item)
    finally:
        await target.close()
    sys.stdout.write(json.dumps({"sha256": result.sha256, "sent": result.sent_bytes}) + "\n")


def main() -> None:
    settings = S3Settings(**json.loads(sys.argv[1]))
    asyncio.run(upload(settings, Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4]))


if __name__ == "__main__":
    main()
