"""Test before saving: one call per mirror kind, a reason code instead of an exception."""

from __future__ import annotations

from pathlib import Path
import shutil

from ..disk import DiskUsageSource
from .errors import MirrorError
from .folder import FolderSettings, FolderTarget
from .models import MirrorCheck
from .s3 import S3Settings, S3Target
from .target import MirrorTarget


async def check_target(target: MirrorTarget) -> MirrorCheck:
    """Open ``target``, check it and close it again; never raises for a mirror failure."""
    try:
        await target.open(None)
        await target.check()
    except MirrorError as err:
        return MirrorCheck(ok=False, reason=err.reason, detail=err.detail)
    finally:
        await target.close()
    return MirrorCheck(ok=True)


async def check_folder(
    settings: FolderSettings, destination: Path, *, disk_usage: DiskUsageSource = shutil.disk_usage
) -> MirrorCheck:
    """Return whether a folder mirror of the archive at ``destination`` can work now."""
    return await check_target(FolderTarget(settings, destination, disk_usage=disk_usage))


async def check_s3(settings: S3Settings) -> MirrorCheck:
    """Return whether an S3 mirror can work now (list, write and delete a probe object)."""
    return await check_target(S3Target(settings))
