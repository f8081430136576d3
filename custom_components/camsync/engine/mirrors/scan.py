"""What the archive holds for the mirrors: every file under the destination but ``.camsync/``.

Recordings, sidecars, snapshots, timelapses: anything not hidden. Blocking: run it in the executor.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
import os
from pathlib import Path
import stat as stat_module

from .models import MirrorItem, Priority

type Recognise = Callable[[str], datetime | None]
type Classify = Callable[[str], int]


def scan_destination(
    destination: Path, recognise: Recognise | None = None, classify: Classify | None = None
) -> list[MirrorItem]:
    """Return the archived files, dated by ``recognise`` (else their modification time)."""
    items: list[MirrorItem] = []
    for folder, dirs, files in os.walk(destination):
        dirs[:] = [name for name in dirs if not name.startswith(".")]
        base = Path(folder)
        for name in files:
            if name.startswith("."):
                continue
            path = base / name
            try:
                stat = path.stat(follow_symlinks=False)
            except OSError:
                continue
            if not stat_module.S_ISREG(stat.st_mode):
                continue  # a symlink (stat did not follow it), a socket, ...
            recorded = (recognise(name) if recognise else None) or datetime.fromtimestamp(
                stat.st_mtime, UTC
            )
            items.append(
                MirrorItem(
                    relative=path.relative_to(destination).as_posix(),
                    size=stat.st_size,
                    recorded=recorded,
                    priority=classify(name) if classify else Priority.NORMAL,
                )
            )
    return items
