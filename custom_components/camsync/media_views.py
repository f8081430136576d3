"""camsync's own HTTP views: an archived file, and its thumbnail (both need a logged-in user).

``/api/camsync/file/<entry id>/<tree>/<name>`` serves a file of an archive outside Home
Assistant's media folders (inside one, ``/media/local/…`` serves it); ``/api/camsync/thumbnail/…``
serves the thumbnail of any archived file, made on the first request. Only files the archive's
index holds are served: nothing under ``.camsync/``, nothing outside the archive.
"""

from __future__ import annotations

from http import HTTPStatus

from aiohttp import web
from homeassistant.core import HomeAssistant
from homeassistant.helpers.http import KEY_HASS, HomeAssistantView

from .const import LOGGER
from .engine.errors import CamsyncError, VideoToolMissingError
from .engine.facade import CatalogItem
from .engine.models import FileRole
from .media_ids import FILE_URL, IMAGE_MIME, THUMBNAIL_URL, mime_type
from .media_tree import CameraContext, loaded_entry
from .thumbnails import ThumbnailMaker

CACHE_CONTROL = "private, max-age=86400"


def _lookup(
    hass: HomeAssistant, entry_id: str, tree: str, name: str, *, sidecars: bool
) -> tuple[CameraContext, CatalogItem]:
    entry = loaded_entry(hass, entry_id)
    if entry is None:
        raise web.HTTPNotFound
    context = CameraContext.of(hass, entry)
    item = context.catalog.item(tree, name)
    if item is None or not (item.shown or (sidecars and item.facts.role is FileRole.THUMBNAIL)):
        raise web.HTTPNotFound
    return context, item


class ArchivedFileView(HomeAssistantView):
    """Serves an archived video or snapshot (with HTTP ranges, so videos can seek)."""

    url = FILE_URL + "/{entry_id}/{tree}/{name}"
    name = "api:camsync:file"

    async def get(
        self, request: web.Request, entry_id: str, tree: str, name: str
    ) -> web.StreamResponse:
        """Return the file."""
        hass = request.app[KEY_HASS]
        _, item = _lookup(hass, entry_id, tree, name, sidecars=False)
        return web.FileResponse(item.file.path, headers={"Content-Type": mime_type(item)})


class ThumbnailView(HomeAssistantView):
    """Serves the thumbnail of an archived file, making it on the first request."""

    url = THUMBNAIL_URL + "/{entry_id}/{tree}/{name}"
    name = "api:camsync:thumbnail"

    async def get(
        self, request: web.Request, entry_id: str, tree: str, name: str
    ) -> web.StreamResponse:
        """Return the thumbnail (404 when the file is unknown, 503 when it cannot be made)."""
        hass = request.app[KEY_HASS]
        context, item = _lookup(hass, entry_id, tree, name, sidecars=True)
        try:
            path = await ThumbnailMaker.of(hass).async_get(context.archive, item)
        except VideoToolMissingError as err:
            maker = ThumbnailMaker.of(hass)
            if not maker.warned:  # once: a page asks for dozens
                maker.warned = True
                LOGGER.warning("camsync cannot make video thumbnails: %s", err)
            return web.Response(status=HTTPStatus.SERVICE_UNAVAILABLE, text=str(err))
        except (CamsyncError, OSError) as err:
            LOGGER.debug("No thumbnail for %s: %s", name, err)
            return web.Response(status=HTTPStatus.SERVICE_UNAVAILABLE, text=str(err))
        return web.FileResponse(
            path, headers={"Content-Type": IMAGE_MIME, "Cache-Control": CACHE_CONTROL}
        )


def async_register_views(hass: HomeAssistant) -> None:
    """Register both views (once)."""
    hass.http.register_view(ArchivedFileView())
    hass.http.register_view(ThumbnailView())
