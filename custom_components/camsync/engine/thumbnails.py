"""The thumbnail cache: one small JPEG per archived video or snapshot, made once, in ``.camsync/``.

``.camsync/thumbnails/<file name>.jpg`` holds the thumbnail of the archived file of that name
(names are unique in a destination). A video's is its first frame, scaled by ffmpeg; the caller
makes a snapshot's (a JPEG already: scaling it needs no ffmpeg). Thumbnails of files that left
the archive are deleted with them (retention) or at the next full scan (the user's deletions).
"""

from __future__ import annotations

from collections.abc import Container, Iterable
import contextlib
import os
from pathlib import Path

from .ffmpeg import run_ffmpeg
from .files import remove_file, run_io

THUMBNAIL_FOLDER = "thumbnails"
THUMBNAIL_WIDTH = 320
_SUFFIX = ".jpg"
_PARTIAL = ".part"


class ThumbnailCache:
    """Where the thumbnails of one destination live."""

    def __init__(self, state_dir: Path) -> None:
        """Describe the cache; nothing is created before the first thumbnail."""
        self.folder = state_dir / THUMBNAIL_FOLDER

    def path_for(self, name: str) -> Path:
        """Return where the thumbnail of the archived file ``name`` is kept."""
        return self.folder / f"{name}{_SUFFIX}"

    def partial_for(self, name: str) -> Path:
        """Return where the thumbnail of ``name`` is written before it is complete."""
        return self.folder / f"{name}{_SUFFIX}{_PARTIAL}"

    def forget(self, names: Iterable[str]) -> None:
        """Delete the thumbnails of files that left the archive (blocking)."""
        for name in names:
            remove_file(self.path_for(name))

    def sweep(self, keep: Container[str]) -> int:
        """Delete every thumbnail whose file is not in ``keep``, and stale partials (blocking).

        Return how many were deleted.
        """
        try:
            entries = list(os.scandir(self.folder))
        except FileNotFoundError:
            return 0
        removed = 0
        for entry in entries:
            name = entry.name
            if name.endswith(_SUFFIX) and name.removesuffix(_SUFFIX) in keep:
                continue
            with contextlib.suppress(FileNotFoundError, IsADirectoryError):
                Path(entry.path).unlink()
                removed += 1
        return removed


async def video_thumbnail(
    ffmpeg: str, source: Path, cache: ThumbnailCache, name: str, width: int = THUMBNAIL_WIDTH
) -> Path:
    """Make the thumbnail of a video from its first frame; return its path.

    VideoToolError (or VideoToolMissingError) when ffmpeg cannot.
    """
    partial, final = cache.partial_for(name), cache.path_for(name)
    await run_io(cache.folder.mkdir, parents=True, exist_ok=True)
    arguments = ["-y", "-i", str(source), "-frames:v", "1", "-vf", f"scale={width}:-2"]
    arguments += ["-q:v", "5", "-f", "image2", "-update", "1", "-c:v", "mjpeg", str(partial)]
    try:
        await run_ffmpeg(ffmpeg, arguments)
        await run_io(partial.replace, final)
    finally:
        await run_io(remove_file, partial)
    return final
