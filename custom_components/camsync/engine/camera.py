"""The camera as the engine sees it: the protocol device clients implement, and what they declare.

Device clients (``devices/``) implement :class:`CameraClient`; the engine and the Home Assistant
layer only ever talk to that protocol and read :class:`Capabilities` instead of asking which kind
of camera it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

import aiohttp

from .models import FileFacts, Listing, RemoteFile


@dataclass(frozen=True, slots=True)
class Capabilities:
    """What a camera can do, as its client declares it.

    ``storage``: it reports its own recording storage (an SD card). ``live_snapshot``: it can
    capture a still on demand. ``live_preview``: a still is cheap enough to show whenever the
    camera entity asks (a dashcam's single-client live view is not). ``snapshot_while_syncing``:
    a still can be taken while files download (a dashcam serving one client cannot).
    ``sidecars``: recordings come with thumbnail, GPS or G-sensor files. ``stable_identity``:
    its info carries a unique id (serial or MAC) that survives an address change.
    ``listed_sizes``: the listing states sizes before a download. ``gps``: recordings come with
    the car's positions (a dashcam's ``.gps``), so the archive keeps trips and a position.
    ``parking_kinds``: the recording kinds made while the car is parked (they end a trip).
    """

    storage: bool = False
    live_snapshot: bool = False
    live_preview: bool = False
    snapshot_while_syncing: bool = True
    sidecars: bool = False
    stable_identity: bool = False
    listed_sizes: bool = False
    gps: bool = False
    parking_kinds: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class DeviceInfo:
    """What a camera says about itself."""

    manufacturer: str
    model: str | None = None
    firmware: str | None = None
    serial: str | None = None
    mac: str | None = None
    name: str | None = None
    unique_id: str | None = None
    configuration_url: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CameraStorage:
    """The camera's own recording storage (an SD card or disks).

    ``usable`` is false when a card is present but not formatted or not mounted.
    """

    capacity_bytes: int
    free_bytes: int
    usable: bool
    disks: int = 1
    kind: str = "sd"

    @property
    def used_percent(self) -> float:
        """Return the share of the capacity in use (0 when the capacity is unknown)."""
        if self.capacity_bytes <= 0:
            return 0.0
        return 100.0 * (1 - self.free_bytes / self.capacity_bytes)


class CameraClient(Protocol):
    """A camera as the engine sees it. BlackVue and Reolink clients both follow this."""

    @property
    def host(self) -> str:
        """Return the host (and port) the client talks to."""

    @property
    def capabilities(self) -> Capabilities:
        """Return what this camera can do."""

    async def async_get_info(self) -> DeviceInfo:
        """Probe the camera and return its identity; raise CameraOfflineError when away."""

    async def async_list_recordings(self, *, since: datetime | None = None) -> Listing:
        """List the recordings on the camera, newer than ``since`` where the camera can filter."""

    def open_file(
        self, file: RemoteFile, offset: int
    ) -> AbstractAsyncContextManager[aiohttp.ClientResponse]:
        """Send the GET for ``file``, with ``Range: bytes=offset-`` when offset > 0.

        The engine interprets the status and headers and streams the body. A connection that
        cannot be made, or a timeout, raises CameraOfflineError; a reset or a close without a
        reply once connected raises ``FileTransferError(name, "reset")``: one file's failure,
        which the engine tries once more in the run.
        """

    async def async_fetch_inline(self, file: RemoteFile) -> bytes:
        """Return the whole content of a small file the camera serves inside another answer.

        Raise ``FileTransferError(name, "not_found")`` when the camera says the recording has no
        such file, ProtocolError when its answer is broken.
        """

    async def async_snapshot(self) -> bytes:
        """Return one live JPEG frame."""

    async def async_get_storage(self) -> CameraStorage | None:
        """Return the camera's own storage, None when it has none (or does not say)."""

    def recorded_at(self, name: str) -> datetime | None:
        """Return when an archived file of this camera was recorded, None if not one of ours."""

    def describe(self, name: str) -> FileFacts | None:
        """Return what an archived file's name says (role, kind, triggers), None if not ours."""

    async def async_close(self) -> None:
        """Release what the client holds on the camera (sessions, tokens)."""
