"""Where a folder mirror may write: the rule that keeps an unmounted share from filling the disk.

An unmounted mount point is an empty folder on the local disk; writing into it "works" and fills
the disk Home Assistant runs from. So a folder mirror is accepted only when:

1. it is not inside the archive, nor the archive inside it;
2. when the user marked a mount point (``mount_point``, the folder a NAS share, USB disk or SD
   card is mounted on): the mirror folder is that folder or below it, ``os.path.ismount`` says it
   is mounted, and the mirror's nearest existing folder is on the mount point's file system;
3. unless ``allow_same_disk``: the mirror's nearest existing folder is on another file system
   (``st_dev``) than the archive. This alone catches the unmounted share even without a marked
   mount point: the empty mount point belongs to the local disk, as the archive does. A bind mount
   of the local disk (``/media`` on Home Assistant OS) has the archive's ``st_dev`` and is
   refused too, although ``ismount`` says yes.

:func:`check_placement` runs these checks (blocking, a few ``stat`` calls); the HA layer runs it
through the mirror's ``check`` before saving, and the mirror runs it before every file, so a share
that goes away during a run stops the run instead of filling the disk.
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import MirrorError
from .models import MirrorReason


def nearest_existing(path: Path) -> Path:
    """Return ``path`` or its nearest existing parent."""
    for candidate in (path, *path.parents):
        if candidate.exists():
            return candidate
    return Path(path.anchor or "/")


def check_placement(
    path: Path, archive: Path, mount_point: Path | None = None, *, allow_same_disk: bool = False
) -> None:
    """Raise MirrorError unless a folder mirror at ``path`` is safe to write (blocking)."""
    if not path.is_absolute():
        raise MirrorError(MirrorReason.NOT_WRITABLE, f"{path} is not an absolute path")
    real, archive_real = Path(os.path.realpath(path)), Path(os.path.realpath(archive))
    if real.is_relative_to(archive_real) or archive_real.is_relative_to(real):
        raise MirrorError(
            MirrorReason.INSIDE_ARCHIVE, f"{path} and the archive {archive} contain each other"
        )
    existing = nearest_existing(path)
    if mount_point is not None:
        if not path.is_relative_to(mount_point):
            raise MirrorError(
                MirrorReason.NOT_UNDER_MOUNT_POINT, f"{path} is not inside {mount_point}"
            )
        if not os.path.ismount(mount_point):
            raise MirrorError(MirrorReason.UNMOUNTED, f"nothing is mounted on {mount_point}")
        if existing.stat().st_dev != mount_point.stat().st_dev:
            raise MirrorError(
                MirrorReason.UNMOUNTED, f"{existing} is not on the disk mounted on {mount_point}"
            )
    if not allow_same_disk and existing.stat().st_dev == nearest_existing(archive).stat().st_dev:
        raise MirrorError(
            MirrorReason.SAME_DISK,
            f"{existing} is on the archive's own disk (is the share or disk mounted?)",
        )
