"""The protocol every mirror kind implements; the mirror worker drives it."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from .models import CopyResult, MirrorItem, MirrorKind, RemoteEntry


class MirrorTarget(Protocol):
    """One place a mirror copies to. Every method may raise MirrorError (nothing else)."""

    kind: MirrorKind

    @property
    def fingerprint(self) -> str:
        """Return what identifies the target (no secret): a changed one starts a new state."""

    @property
    def description(self) -> str:
        """Return a short text for logs and diagnostics (no secret)."""

    def location(self, relative: str) -> str:
        """Return where a file's copy is (a path, ``s3://bucket/key``)."""

    async def open(self, work_dir: Path | None) -> None:
        """Prepare (create a client); ``work_dir`` is the mirror's folder under ``.camsync/``.

        None for a check alone (nothing is kept then).
        """

    async def close(self) -> None:
        """Release what ``open`` took."""

    async def check(self) -> None:
        """Raise MirrorError unless the target can take files now (the "test before saving")."""

    async def list_entries(self) -> dict[str, RemoteEntry]:
        """Return what the target holds, by path relative to its root."""

    async def copy(self, source: Path, item: MirrorItem) -> CopyResult:
        """Copy one file, verified on the target, under ``item.relative``."""

    async def tidy(self, archive: Path) -> None:
        """Drop what interrupted copies of files no longer in ``archive`` left on the target."""

    async def delete(self, relatives: Sequence[str]) -> list[str]:
        """Delete these files from the target (retention); return those deleted."""

    async def abandon(self) -> None:
        """Drop what unfinished copies left on the target: the mirror is removed for good.

        What was copied stays; an S3 target aborts its unfinished multipart uploads (which a
        provider would otherwise keep, and bill, until a lifecycle rule removes them).
        """
