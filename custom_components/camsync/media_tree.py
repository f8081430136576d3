"""The camsync media tree: camsync > camera > (view) > day > files, newest first.

Browse identifiers (what follows ``media-source://camsync/``):

- ``""``: the cameras (loaded entries);
- ``<entry id>``: a camera: its views, then the days of all its recordings;
- ``<entry id>/<view>``: a view: its days (timelapses: its files);
- ``<entry id>/<view>/<YYYY-MM-DD>``: one day of a view: its files, newest first;
- ``<entry id>/trips/<trip id>``: one trip of a dashcam with GPS: its recordings, as driven;
- ``<entry id>/file/<tree>/<name>``: one archived file (``media_ids.py``).

Views: ``recordings`` (every recording), ``events`` (events only), ``kinds`` (one folder per
kind the archive holds) with ``kind-<kind>`` under it, ``trips`` (a camera with GPS: its
finished trips, newest first), ``snapshots`` and ``timelapses``. A view is anything with the
:class:`View` protocol, shown when its ``shown`` says so.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from homeassistant.components.media_player.const import MediaClass
from homeassistant.components.media_player.errors import BrowseError
from homeassistant.components.media_source import BrowseMediaSource
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant

from .const import CONF_KIND, DOMAIN, CameraKind
from .data import CamsyncConfigEntry
from .engine.facade import (
    RECORDINGS,
    SNAPSHOTS,
    TIMELAPSES,
    CameraArchive,
    Catalog,
    CatalogItem,
    Trip,
)
from .engine.models import FileFacts, FileRole
from .kinds import PROFILES
from .media_ids import (
    FILE,
    NO_MEDIA,
    MediaFields,
    file_identifier,
    media_content_id,
    mime_type,
    play_url,
    thumbnail_url,
)
from .media_titles import Titles

DIRECTORY = "directory"
KIND_PREFIX = "kind-"

type Match = Callable[[FileFacts], bool]


def tree_of(role: FileRole) -> str:
    """Return the archive tree that holds files of a role."""
    return {FileRole.SNAPSHOT: SNAPSHOTS, FileRole.TIMELAPSE: TIMELAPSES}.get(role, RECORDINGS)


def _not_found(identifier: str) -> BrowseError:
    return BrowseError(
        translation_domain=DOMAIN,
        translation_key="media_not_found",
        translation_placeholders={"identifier": identifier},
    )


@dataclass(frozen=True, slots=True)
class CameraContext:
    """One loaded camera as the media tree sees it."""

    hass: HomeAssistant
    entry: CamsyncConfigEntry
    archive: CameraArchive
    titles: Titles

    @classmethod
    def of(
        cls, hass: HomeAssistant, entry: CamsyncConfigEntry, archive: CameraArchive | None = None
    ) -> CameraContext:
        """Return the context of an entry (loaded, unless its archive is given).

        The titles are in Home Assistant's language.
        """
        kind = CameraKind(entry.data[CONF_KIND])
        return cls(
            hass,
            entry,
            archive if archive is not None else entry.runtime_data.archive,
            Titles.of(hass, PROFILES[kind].recording_kinds),
        )

    @property
    def catalog(self) -> Catalog:
        """Return the catalogue of the camera's archive."""
        return self.archive.catalog

    def folder(
        self,
        path: str,
        title: str,
        *,
        thumbnail: CatalogItem | None = None,
        children: list[BrowseMediaSource] | None = None,
        children_media_class: MediaClass | None = None,
    ) -> BrowseMediaSource:
        """Return a folder node under this camera (``path`` is relative to the camera)."""
        identifier = f"{self.entry.entry_id}/{path}" if path else self.entry.entry_id
        return BrowseMediaSource(
            domain=DOMAIN,
            identifier=identifier,
            media_class=MediaClass.DIRECTORY,
            media_content_type=DIRECTORY,
            title=title,
            can_play=False,
            can_expand=True,
            children=children,
            children_media_class=children_media_class,
            thumbnail=self.thumbnail(thumbnail) if thumbnail is not None else None,
        )

    def thumbnail(self, item: CatalogItem) -> str:
        """Return the thumbnail URL of an archived file."""
        return thumbnail_url(self.entry.entry_id, item.tree, item.name)

    def file(self, item: CatalogItem) -> BrowseMediaSource:
        """Return the playable node of an archived file."""
        image = item.facts.role is FileRole.SNAPSHOT
        return BrowseMediaSource(
            domain=DOMAIN,
            identifier=file_identifier(self.entry.entry_id, item.tree, item.name),
            media_class=MediaClass.IMAGE if image else MediaClass.VIDEO,
            media_content_type=mime_type(item),
            title=self.titles.item(item),
            can_play=True,
            can_expand=False,
            thumbnail=self.thumbnail(item),
        )

    def fields(self, role: FileRole, name: str) -> MediaFields:
        """Return the media id, title, thumbnail and URL of a file that reached the archive.

        A thumbnail sidecar gives its video's; GPS and G-sensor files have none.
        """
        tree = tree_of(role)
        item = self.catalog.item(tree, name)
        if item is not None and item.facts.role is FileRole.THUMBNAIL and item.facts.video:
            video = self.catalog.item(tree, item.facts.video)
            item = video if video is not None else item
            if video is None:  # the sidecar arrived first: show it as it is
                return MediaFields(None, self.titles.item(item), self.thumbnail(item), None)
        if item is None or not item.shown:
            return NO_MEDIA
        entry_id = self.entry.entry_id
        return MediaFields(
            media_content_id(entry_id, item.tree, item.name),
            self.titles.item(item),
            self.thumbnail(item),
            play_url(self.hass, entry_id, item),
        )


class View(Protocol):
    """A folder of a camera: its key (the identifier's second part), title and subtree."""

    @property
    def key(self) -> str:
        """Return the view's part of the identifier."""

    def title(self, context: CameraContext) -> str:
        """Return the folder's title."""

    def shown(self, context: CameraContext) -> bool:
        """Return True when the camera's folder lists this view (it has something to show)."""

    def browse(self, context: CameraContext, rest: Sequence[str]) -> BrowseMediaSource:
        """Return the node at ``rest`` below the view (empty: the view itself)."""


@dataclass(frozen=True, slots=True)
class FileView:
    """Archived files of one tree that match, by day (or all at once)."""

    key: str
    tree: str
    title_key: str
    match: Match | None = None
    by_day: bool = True
    label: str | None = None

    def title(self, context: CameraContext) -> str:
        """Return the folder's title."""
        return self.label if self.label is not None else context.titles.word(self.title_key)

    def shown(self, context: CameraContext) -> bool:
        """Return True when at least one file matches."""
        return context.catalog.any(self.tree, self.match)

    def day_folders(self, context: CameraContext) -> list[BrowseMediaSource]:
        """Return one folder per day with matching files, newest first."""
        return [
            context.folder(
                f"{self.key}/{item.day.isoformat()}", item.day.isoformat(), thumbnail=item
            )
            for item in context.catalog.newest_by_day(self.tree, self.match)
        ]

    def browse(self, context: CameraContext, rest: Sequence[str]) -> BrowseMediaSource:
        """Return the view's days (or files), or the files of one of its days."""
        catalog = context.catalog
        if not rest:
            if self.by_day:
                children = self.day_folders(context)
                children_class = MediaClass.DIRECTORY
            else:
                children = [context.file(item) for item in catalog.newest(self.tree, self.match)]
                children_class = MediaClass.VIDEO
            return context.folder(
                self.key,
                self.title(context),
                children=children,
                children_media_class=children_class,
            )
        if len(rest) != 1 or not self.by_day:
            raise _not_found("/".join((self.key, *rest)))
        try:
            day = date.fromisoformat(rest[0])
        except ValueError as err:
            raise _not_found(f"{self.key}/{rest[0]}") from err
        items = catalog.on_day(self.tree, day, self.match)
        image = self.tree == SNAPSHOTS
        return context.folder(
            f"{self.key}/{day.isoformat()}",
            day.isoformat(),
            children=[context.file(item) for item in items],
            children_media_class=MediaClass.IMAGE if image else MediaClass.VIDEO,
        )


def _is_event(facts: FileFacts) -> bool:
    return facts.event


def kind_view(context: CameraContext, kind: str) -> FileView:
    """Return the view of the recordings of one kind (a type letter or any trigger)."""

    def match(facts: FileFacts) -> bool:
        return facts.kind == kind or kind in facts.tags

    return FileView(f"{KIND_PREFIX}{kind}", RECORDINGS, "", match, label=context.titles.kind(kind))


class KindsView:
    """A folder per kind of recording the archive holds, in the camera's vocabulary order."""

    key = "kinds"

    def title(self, context: CameraContext) -> str:
        """Return the folder's title."""
        return context.titles.word("view_kinds", "By kind")

    def shown(self, context: CameraContext) -> bool:
        """Return True when the recordings carry at least two kinds (one is no filter)."""
        return len(context.catalog.kinds()) > 1

    def browse(self, context: CameraContext, rest: Sequence[str]) -> BrowseMediaSource:
        """Return one folder per kind, in the vocabulary's order, each with its newest file."""
        if rest:
            raise _not_found("/".join((self.key, *rest)))
        newest = context.catalog.newest_by_kind()
        rank = {kind: position for position, kind in enumerate(context.titles.order)}
        children = []
        for kind in sorted(newest, key=lambda kind: (rank.get(kind, len(rank)), kind)):
            view = kind_view(context, kind)
            children.append(context.folder(view.key, view.title(context), thumbnail=newest[kind]))
        return context.folder(
            self.key,
            self.title(context),
            children=children,
            children_media_class=MediaClass.DIRECTORY,
        )


def _trips(context: CameraContext) -> tuple[Trip, ...]:
    """Return the camera's finished trips, oldest first (none without GPS).

    They were worked out in the executor when the trips last changed: reading them is free.
    """
    car = context.archive.car()
    return () if car is None else car.finished


class TripsView:
    """A dashcam's finished trips, newest first; each a folder of its recordings, as driven.

    A trip's GPX file is not listed: the Media panel shows audio, video and images only (it
    answers "media not supported" for anything else); the file lies beside the recordings.
    """

    key = "trips"

    def title(self, context: CameraContext) -> str:
        """Return the folder's title."""
        return context.titles.word("view_trips", "Trips")

    def shown(self, context: CameraContext) -> bool:
        """Return True when the camera has GPS and a finished trip."""
        return bool(_trips(context))

    @staticmethod
    def _clips(context: CameraContext, trips: Sequence[Trip]) -> dict[str, list[CatalogItem]]:
        """Return each trip's archived videos (front and rear), in the order driven, by trip id."""
        stems = [stem for trip in trips for stem in trip.recordings]
        by_stem = context.catalog.by_stem(RECORDINGS, stems)
        return {
            trip.id: [item for stem in trip.recordings for item in by_stem.get(stem, ())]
            for trip in trips
        }

    def browse(self, context: CameraContext, rest: Sequence[str]) -> BrowseMediaSource:
        """Return the trips with a recording still archived, or one trip's recordings."""
        trips = _trips(context)
        if not rest:
            clips = self._clips(context, trips)
            children = [
                context.folder(
                    f"{self.key}/{trip.id}", context.titles.trip(trip), thumbnail=clips[trip.id][0]
                )
                for trip in reversed(trips)
                if clips[trip.id]
            ]
            return context.folder(
                self.key,
                self.title(context),
                children=children,
                children_media_class=MediaClass.DIRECTORY,
            )
        trip = next((trip for trip in trips if trip.id == rest[0]), None)
        if trip is None or len(rest) != 1:
            raise _not_found("/".join((self.key, *rest)))
        return context.folder(
            f"{self.key}/{trip.id}",
            context.titles.trip(trip),
            children=[context.file(item) for item in self._clips(context, [trip])[trip.id]],
            children_media_class=MediaClass.VIDEO,
        )


ALL_RECORDINGS = FileView("recordings", RECORDINGS, "view_recordings")
VIEWS: tuple[View, ...] = (
    FileView("events", RECORDINGS, "view_events", _is_event),
    KindsView(),
    TripsView(),
    FileView("snapshots", SNAPSHOTS, "view_snapshots"),
    FileView("timelapses", TIMELAPSES, "view_timelapses", by_day=False),
)
"""The folders a camera lists above its days, in this order."""


def _view(context: CameraContext, key: str) -> View | None:
    if key == ALL_RECORDINGS.key:
        return ALL_RECORDINGS
    if key.startswith(KIND_PREFIX):
        return kind_view(context, key.removeprefix(KIND_PREFIX))
    return next((view for view in VIEWS if view.key == key), None)


def loaded_entry(hass: HomeAssistant, entry_id: str) -> CamsyncConfigEntry | None:
    """Return a loaded camsync entry by id, None otherwise."""
    entry: CamsyncConfigEntry | None = hass.config_entries.async_get_entry(entry_id)
    if entry is None or entry.domain != DOMAIN or entry.state is not ConfigEntryState.LOADED:
        return None
    return entry


def browse_root(hass: HomeAssistant, *, can_search: bool) -> BrowseMediaSource:
    """Return camsync's top folder: one folder per loaded camera."""
    titles = Titles.of(hass)
    cameras = sorted(
        hass.config_entries.async_loaded_entries(DOMAIN), key=lambda entry: entry.title
    )
    return BrowseMediaSource(
        domain=DOMAIN,
        identifier=None,
        media_class=MediaClass.DIRECTORY,
        media_content_type=DIRECTORY,
        title=titles.word("source"),
        can_play=False,
        can_expand=True,
        can_search=can_search,
        children_media_class=MediaClass.DIRECTORY,
        children=[
            BrowseMediaSource(
                domain=DOMAIN,
                identifier=entry.entry_id,
                media_class=MediaClass.DIRECTORY,
                media_content_type=DIRECTORY,
                title=entry.title,
                can_play=False,
                can_expand=True,
                can_search=can_search,
            )
            for entry in cameras
        ],
    )


def browse_camera(context: CameraContext, *, can_search: bool) -> BrowseMediaSource:
    """Return a camera's folder: its views that have something, then its days."""
    folders = [
        context.folder(view.key, view.title(context)) for view in VIEWS if view.shown(context)
    ]
    node = context.folder(
        "",
        context.entry.title,
        children=folders + ALL_RECORDINGS.day_folders(context),
        children_media_class=MediaClass.DIRECTORY,
    )
    node.can_search = can_search
    return node


def camera_of(hass: HomeAssistant, identifier: str) -> tuple[CameraContext, list[str]]:
    """Return the camera an identifier starts with, and the rest of it (on the event loop).

    BrowseError when it names no loaded camera.
    """
    entry_id, *rest = identifier.split("/")
    entry = loaded_entry(hass, entry_id)
    if entry is None:
        raise _not_found(identifier)
    return CameraContext.of(hass, entry), rest


def browse_camera_node(
    context: CameraContext, rest: Sequence[str], *, can_search: bool
) -> BrowseMediaSource:
    """Return the node below a camera that ``rest`` names; BrowseError when there is none.

    It only reads the index (a snapshot of it): the media source runs it in the executor.
    """
    if not rest:
        return browse_camera(context, can_search=can_search)
    if rest[0] == FILE:
        item = file_item(context, rest[1:])
        if item is None:
            raise _not_found("/".join((context.entry.entry_id, *rest)))
        return context.file(item)
    view = _view(context, rest[0])
    if view is None:
        raise _not_found("/".join((context.entry.entry_id, *rest)))
    return view.browse(context, rest[1:])


def file_item(
    context: CameraContext, rest: Sequence[str], *, thumbnails: bool = False
) -> CatalogItem | None:
    """Return the archived file ``<tree>/<name>`` names, None when it is not one to show.

    ``thumbnails`` also accepts a camera's thumbnail sidecar (resolving, not browsing).
    """
    if len(rest) != 2:
        return None
    item = context.catalog.item(rest[0], rest[1])
    if item is None:
        return None
    if item.shown or (thumbnails and item.facts.role is FileRole.THUMBNAIL):
        return item
    return None
