"""Mirrors: copy every archived file, verified, to a folder (NAS, USB disk) or S3 storage.

The engine side of mirrors; it imports neither Home Assistant nor the device clients, and
``aiobotocore`` only when an S3 mirror is opened. How the Home Assistant layer plugs it in::

    target = FolderTarget(FolderSettings(Path("/media/nas/cams"), mount_point=Path("/media/nas")),
                          destination)                      # or S3Target(S3Settings(...))
    check = await check_target(target)                      # test before saving -> MirrorCheck
    mirror = Mirror(subentry_id, target, destination, retention=timedelta(days=90),
                    recognise=name_to_recorded_time, classify=name_to_priority,
                    on_mirrored=fire_event, on_health=push_to_coordinator)
    mirrors = MirrorSet(destination, [mirror]); await mirrors.start()
    hooks = SyncHooks(on_saved=mirrors.notify_saved)        # the sync hands files over
    report = await mirror.run_now(wait=True)                # the camsync.mirror action
    guard = mirrors.prune_guard(force=disk_limit_reached)   # the local prune asks it
    prune(trees, cutoff, keep=guard); guard.held_back / guard.forced
    await mirrors.stop()                                    # on unload

- Targets (:class:`MirrorTarget`): :class:`FolderTarget` (placement rule against an unmounted
  share in :mod:`.placement`; temporary name, fsync, read-back SHA-256, rename, folder fsync) and
  :class:`S3Target` (``x-amz-checksum-sha256`` on every object and part; multipart uploads that
  resume from ``ListParts``; records in ``.camsync/mirrors/<id>/uploads/``).
- :class:`Mirror`: one queue and task per mirror, one transfer at a time; events first, then
  oldest first; back-off per file (``RetryPolicy.file_*``) and per mirror (``mirror_*``); what
  the mirror holds comes from its listing, read at start and every ``relist_every``; its own
  retention (None keeps forever); ``health`` (status, backlog, last copied, failing since, last
  error), ``on_mirrored`` per file, ``on_health`` on every change.
- State: ``.camsync/mirrors/<id>/state.json`` (target fingerprint, failing files, failing since,
  last copy, last prune) and ``uploads/*.json``; losing them costs a listing, not an upload.
- Reason codes (:class:`MirrorReason`) for every failure; ``.away`` ones make the status "away".
"""

from .checks import check_folder, check_s3, check_target
from .errors import MirrorError
from .folder import FolderSettings, FolderTarget
from .group import LocalPruneGuard, MirrorSet
from .mirror import Mirror, MirrorSnapshot
from .models import (
    MirrorCheck,
    MirroredFile,
    MirrorFailure,
    MirrorHealth,
    MirrorItem,
    MirrorKind,
    MirrorReason,
    MirrorRunReport,
    MirrorStatus,
    Priority,
    RetryPolicy,
)
from .placement import check_placement
from .s3 import S3Settings, S3Target
from .target import MirrorTarget

__all__ = [
    "FolderSettings",
    "FolderTarget",
    "LocalPruneGuard",
    "Mirror",
    "MirrorCheck",
    "MirrorError",
    "MirrorFailure",
    "MirrorHealth",
    "MirrorItem",
    "MirrorKind",
    "MirrorReason",
    "MirrorRunReport",
    "MirrorSet",
    "MirrorSnapshot",
    "MirrorStatus",
    "MirrorTarget",
    "MirroredFile",
    "Priority",
    "RetryPolicy",
    "S3Settings",
    "S3Target",
    "check_folder",
    "check_placement",
    "check_s3",
    "check_target",
]
