"""Where archived files are found: their ``media-source://camsync/…`` ids and their URLs.

``media-source://camsync/<entry id>/file/<tree>/<file name>`` names one archived file (``tree``
is ``recordings``, ``snapshots`` or ``timelapses``); browse ids are described in
``media_tree.py``. A camera's own thumbnail (a BlackVue ``.thm``) is not browsed but resolves
(an image), so the latest-event sensor's ``media_content_id`` plays on a media player. A file
plays from ``/media/<media dir>/<path>`` when the archive lies in one of Home Assistant's media
folders, else from camsync's own authenticated view; its thumbnail always comes from
``/api/camsync/thumbnail/…`` (made once, then cached), which the Media panel and the companion
apps fetch with the user's credentials.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from homeassistant.core import HomeAssistant

from .const import DOMAIN
from .engine.facade import CatalogItem
from .engine.models import FileRole

URI_PREFIX = f"media-source://{DOMAIN}"
FILE = "file"
FILE_URL = f"/api/{DOMAIN}/file"
THUMBNAIL_URL = f"/api/{DOMAIN}/thumbnail"
VIDEO_MIME = "video/mp4"
IMAGE_MIME = "image/jpeg"
_IMAGES = {FileRole.SNAPSHOT, FileRole.THUMBNAIL}


def file_identifier(entry_id: str, tree: str, name: str) -> str:
    """Return the media-source identifier (the part after the domain) of an archived file."""
    return f"{entry_id}/{FILE}/{tree}/{name}"


def media_content_id(entry_id: str, tree: str, name: str) -> str:
    """Return the ``media-source://`` id of an archived file."""
    return f"{URI_PREFIX}/{file_identifier(entry_id, tree, name)}"


def thumbnail_url(entry_id: str, tree: str, name: str) -> str:
    """Return the URL of an archived file's thumbnail (authenticated)."""
    return f"{THUMBNAIL_URL}/{entry_id}/{tree}/{quote(name)}"


def mime_type(item: CatalogItem) -> str:
    """Return the MIME type an archived file is played with."""
    return IMAGE_MIME if item.facts.role in _IMAGES else VIDEO_MIME


def play_url(hass: HomeAssistant, entry_id: str, item: CatalogItem) -> str:
    """Return where an archived file plays: its media-folder URL, else camsync's own view.

    A camera's thumbnail sidecar (a BlackVue ``.thm``) is served by the thumbnail view: Home
    Assistant's media folders serve only files of known media types.
    """
    if item.facts.role is FileRole.THUMBNAIL:
        return thumbnail_url(entry_id, item.tree, item.name)
    path = Path(item.file.path)
    for source_dir_id, folder in hass.config.media_dirs.items():
        try:
            relative = path.relative_to(folder)
        except ValueError:
            continue
        return f"/media/{source_dir_id}/{quote(relative.as_posix())}"
    return f"{FILE_URL}/{entry_id}/{item.tree}/{quote(item.name)}"


@dataclass(frozen=True, slots=True)
class MediaFields:
    """What an event or an action response says about a file for people and automations."""

    media_content_id: str | None
    title: str | None
    thumbnail: str | None
    url: str | None

    def as_dict(self) -> dict[str, Any]:
        """Return the fields as they go into event data and responses."""
        return {
            "media_content_id": self.media_content_id,
            "title": self.title,
            "thumbnail": self.thumbnail,
            "url": self.url,
        }


NO_MEDIA = MediaFields(None, None, None, None)
