"""Thumbnails of archived files: the camera's own where it made one, else made once and cached.

A BlackVue recording comes with a thumbnail (``.thm``, a small JPEG): it is served as it is.
Otherwise the thumbnail is made on first request and kept in ``.camsync/thumbnails/``: a video's
from its first frame by Home Assistant's ffmpeg (a subprocess, awaited), a snapshot's by scaling
it with Pillow in the executor. At most two are made at a time, and a thumbnail asked for twice
while it is made is made once.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from homeassistant.core import HomeAssistant
from homeassistant.util.hass_dict import HassKey
from PIL import Image

from .const import DOMAIN
from .engine.facade import THUMBNAIL_WIDTH, CameraArchive, CatalogItem, video_thumbnail
from .engine.models import FileRole
from .video_tool import async_ffmpeg_binary

DATA_THUMBNAILS: HassKey[ThumbnailMaker] = HassKey(f"{DOMAIN}_thumbnails")
CONCURRENT = 2
JPEG_QUALITY = 80


def scale_image(source: Path, partial: Path, final: Path, width: int = THUMBNAIL_WIDTH) -> None:
    """Write a JPEG of ``source`` at most ``width`` pixels wide, then rename it (blocking)."""
    partial.parent.mkdir(parents=True, exist_ok=True)
    try:
        with Image.open(source) as image:
            image.draft("RGB", (width, width))  # decode a JPEG at a fraction of its size
            small = image.convert("RGB")
            small.thumbnail((width, width * 4))
            small.save(partial, "JPEG", quality=JPEG_QUALITY)
        partial.replace(final)
    finally:
        partial.unlink(missing_ok=True)


class ThumbnailMaker:
    """Makes and finds thumbnails, for every camera."""

    def __init__(self, hass: HomeAssistant) -> None:
        """Start with nothing in the making."""
        self.hass = hass
        self._limit = asyncio.Semaphore(CONCURRENT)
        self._making: dict[Path, asyncio.Future[Path]] = {}
        self.warned = False

    @classmethod
    def of(cls, hass: HomeAssistant) -> ThumbnailMaker:
        """Return Home Assistant's thumbnail maker."""
        if (maker := hass.data.get(DATA_THUMBNAILS)) is None:
            maker = hass.data[DATA_THUMBNAILS] = cls(hass)
        return maker

    async def async_get(self, archive: CameraArchive, item: CatalogItem) -> Path:
        """Return the JPEG thumbnail of an archived file, making it when there is none yet.

        VideoToolError (or VideoToolMissingError) when ffmpeg cannot make a video's; OSError
        when a snapshot cannot be read.
        """
        if item.facts.role is FileRole.THUMBNAIL:
            return item.file.path
        if item.thumbnail is not None:
            return item.thumbnail.path
        cached = archive.thumbnails.path_for(item.name)
        if await self.hass.async_add_executor_job(cached.is_file):
            return cached
        if (making := self._making.get(cached)) is not None:
            return await asyncio.shield(making)
        future: asyncio.Future[Path] = self.hass.loop.create_future()
        self._making[cached] = future
        try:
            result = await self._make(archive, item)
        except asyncio.CancelledError:
            future.cancel()
            raise
        except Exception as err:
            future.set_exception(err)
            future.exception()  # retrieved: nobody else may be waiting
            raise
        else:
            future.set_result(result)
            return result
        finally:
            del self._making[cached]

    async def _make(self, archive: CameraArchive, item: CatalogItem) -> Path:
        cache = archive.thumbnails
        async with self._limit:
            if item.facts.role is FileRole.SNAPSHOT:
                await self.hass.async_add_executor_job(
                    scale_image,
                    item.file.path,
                    cache.partial_for(item.name),
                    cache.path_for(item.name),
                )
                return cache.path_for(item.name)
            ffmpeg = await async_ffmpeg_binary(self.hass)
            return await video_thumbnail(ffmpeg, item.file.path, cache, item.name)
