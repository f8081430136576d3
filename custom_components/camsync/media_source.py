"""The camsync media source: each camera's archive by day and kind, with thumbnails and titles.

Home Assistant's Media panel lists it beside *My media*. Browsing reads the archive's in-memory
index (``media_tree.py``); playing resolves a file to its media-folder URL or camsync's own view
(``media_ids.py``); thumbnails come from ``media_views.py``. Search is offered where Home
Assistant has media-source search (2026.7 and later).
"""

from __future__ import annotations

from datetime import datetime
from functools import partial
from pathlib import Path

from homeassistant.components.media_player.browse_media import (
    BrowseMedia,
    SearchMedia,
    SearchMediaQuery,
)
from homeassistant.components.media_player.const import MediaClass
from homeassistant.components.media_source import (
    BrowseMediaSource,
    MediaSource,
    MediaSourceItem,
    PlayMedia,
    Unresolvable,
)
from homeassistant.core import HomeAssistant

from .const import DOMAIN
from .engine.facade import TREES
from .media_ids import FILE, mime_type, play_url
from .media_titles import SEPARATOR
from .media_tree import (
    CameraContext,
    browse_camera_node,
    browse_root,
    camera_of,
    file_item,
    loaded_entry,
)

SEARCH_LIMIT = 200
# Home Assistant asks a media source to search from 2026.7 on; before, no search box is shown.
SEARCH_SUPPORTED = hasattr(MediaSource, "async_search_media")


async def async_get_media_source(hass: HomeAssistant) -> CamsyncMediaSource:
    """Return camsync's media source."""
    return CamsyncMediaSource(hass)


class CamsyncMediaSource(MediaSource):
    """Every loaded camera's archive: camera > day > recordings, snapshots and timelapses."""

    name = "camsync"

    def __init__(self, hass: HomeAssistant) -> None:
        """Set up the source."""
        super().__init__(DOMAIN)
        self.hass = hass

    async def async_browse_media(self, item: MediaSourceItem) -> BrowseMediaSource:
        """Return the folder (or file) an item names.

        A camera's folders are worked out in the executor: a big archive has thousands of files.
        """
        if not item.identifier:
            return browse_root(self.hass, can_search=SEARCH_SUPPORTED)
        context, rest = camera_of(self.hass, item.identifier)
        return await self.hass.async_add_executor_job(
            partial(browse_camera_node, context, rest, can_search=SEARCH_SUPPORTED)
        )

    async def async_resolve_media(self, item: MediaSourceItem) -> PlayMedia:
        """Return where an archived file plays, and its MIME type.

        A camera's thumbnail sidecar resolves too (an image): it is no file to browse, but
        the latest-event sensor names it for automations (a media player shows it).
        """
        entry_id, _, rest = (item.identifier or "").partition("/")
        kind, _, path = rest.partition("/")
        entry = loaded_entry(self.hass, entry_id)
        found = None
        if entry is not None and kind == FILE:
            found = file_item(CameraContext.of(self.hass, entry), path.split("/"), thumbnails=True)
        if entry is None or found is None:
            raise Unresolvable(
                translation_domain=DOMAIN,
                translation_key="media_not_found",
                translation_placeholders={"identifier": item.identifier or ""},
            )
        return PlayMedia(
            play_url(self.hass, entry.entry_id, found),
            mime_type(found),
            path=Path(found.file.path),
        )

    async def async_search_media(
        self, item: MediaSourceItem, query: SearchMediaQuery
    ) -> SearchMedia:
        """Return the files whose title, camera or day holds every word of the query.

        The search covers the camera the item names (every camera at the top), newest first;
        it runs in the executor.
        """
        entry_id = (item.identifier or "").partition("/")[0]
        entries = (
            [entry] if entry_id and (entry := loaded_entry(self.hass, entry_id)) else []
        ) or self.hass.config_entries.async_loaded_entries(DOMAIN)
        contexts = [CameraContext.of(self.hass, entry) for entry in entries]
        found = await self.hass.async_add_executor_job(search, contexts, query)
        return SearchMedia(result=list(found))


def search(contexts: list[CameraContext], query: SearchMediaQuery) -> list[BrowseMedia]:
    """Return the files of the cameras that hold every word of the query, newest first."""
    words = query.search_query.casefold().split()
    classes = set(query.media_filter_classes or ())
    found: list[tuple[tuple[datetime, str], BrowseMedia]] = []
    for context in contexts:
        for tree in TREES:
            for archived in context.catalog.items(tree):
                node = context.file(archived)
                if classes and MediaClass(node.media_class) not in classes:
                    continue
                text = SEPARATOR.join(
                    (context.entry.title, node.title, archived.day.isoformat(), archived.facts.kind)
                ).casefold()
                if all(word in text for word in words):
                    found.append(((archived.recorded, archived.name), node))
    found.sort(key=lambda pair: pair[0], reverse=True)
    return [node for _, node in found[:SEARCH_LIMIT]]
