"""The latest event recording in the archive: what, when, where, its thumbnail and media ids.

Fed with every saved file: an event video newer than the one known becomes the latest event, its
own thumbnail joins it when it lands, and its place comes from the archive's GPS (its own
``.gps`` once read, else where the car stood then). The sensor that shows it keeps it across
restarts (Home Assistant's restore state), as the archive's names alone do not say which
recordings are events.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from .engine.facade import RECORDINGS, Position
from .engine.models import FileRole, SavedFile
from .media_ids import media_content_id, thumbnail_url

type PlaceOf = Callable[[str, datetime], Awaitable[Position | None]]


@dataclass(frozen=True, slots=True)
class LatestEvent:
    """An event recording: its video, kind, camera channel, time, thumbnail and place."""

    name: str
    kind: str
    channel: str
    time: datetime
    path: str
    thumbnail: str | None = None
    latitude: float | None = None
    longitude: float | None = None

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-friendly form (sensor attributes, restore data)."""
        return {
            "name": self.name,
            "kind": self.kind,
            "channel": self.channel,
            "time": self.time.isoformat(),
            "path": self.path,
            "thumbnail": self.thumbnail,
            "latitude": self.latitude,
            "longitude": self.longitude,
        }

    def media(self, entry_id: str) -> dict[str, str | None]:
        """Return where automations and notifications find it (camera entry ``entry_id``).

        ``media_content_id`` is its thumbnail's media-source id when the camera made one (a
        BlackVue ``.thm``), ``video_media_content_id`` the video's; ``thumbnail_url`` is the
        video's thumbnail for every camera (camsync makes one for a Reolink clip).
        """
        return {
            "media_content_id": (
                None
                if self.thumbnail is None
                else media_content_id(entry_id, RECORDINGS, Path(self.thumbnail).name)
            ),
            "video_media_content_id": media_content_id(entry_id, RECORDINGS, self.name),
            "thumbnail_url": thumbnail_url(entry_id, RECORDINGS, self.name),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> LatestEvent | None:
        """Return the event stored by :meth:`as_dict`, None when the data is not one."""
        try:
            time = datetime.fromisoformat(data["time"])
            if time.tzinfo is None:
                return None
            latitude, longitude = data.get("latitude"), data.get("longitude")
            return cls(
                name=str(data["name"]),
                kind=str(data["kind"]),
                channel=str(data["channel"]),
                time=time,
                path=str(data["path"]),
                thumbnail=None if data.get("thumbnail") is None else str(data["thumbnail"]),
                latitude=None if latitude is None else float(latitude),
                longitude=None if longitude is None else float(longitude),
            )
        except (KeyError, TypeError, ValueError):
            return None


class LatestEventWatch:
    """Keeps the latest event of one camera as its files land."""

    def __init__(self, place_of: PlaceOf) -> None:
        """Start with no event; ``place_of(video, time)`` says where a recording was made."""
        self.event: LatestEvent | None = None
        self._place_of = place_of

    def note(self, saved: SavedFile) -> bool:
        """Take a saved file into account; return True when the latest event changed."""
        event = self.event
        if saved.role is FileRole.VIDEO and saved.event:
            if event is not None and saved.recorded <= event.time:
                return False  # older, or the other channel of the same recording
            # Its place is looked up after the sync, once its own GPS has been read.
            self.event = LatestEvent(
                saved.name, saved.kind, saved.channel, saved.recorded, saved.path
            )
            return True
        if (
            saved.role is FileRole.THUMBNAIL
            and event is not None
            and event.thumbnail is None
            and (saved.recorded, saved.kind, saved.channel)
            == (event.time, event.kind, event.channel)
        ):
            self.event = replace(event, thumbnail=saved.path)
            return True
        return False

    async def async_locate(self) -> bool:
        """Give the event its place once the archive knows it; return True when it did now."""
        event = self.event
        if event is None or event.latitude is not None:
            return False
        place = await self._place_of(event.name, event.time)
        if self.event is not event:
            return False  # a newer event arrived meanwhile
        if place is None:
            return False
        self.event = replace(event, latitude=place.lat, longitude=place.lon)
        return True

    def restore(self, data: Mapping[str, Any]) -> None:
        """Take back the event a sensor stored before a restart (unless a newer one arrived)."""
        if self.event is None:
            self.event = LatestEvent.from_dict(data)
