"""The protocol every camera client follows, and the transport-error mapping they share."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import AbstractAsyncContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

import aiohttp

from ..engine.errors import CameraOfflineError, ProtocolError
from ..engine.models import Listing, RemoteFile

DEFAULT_CONNECT_TIMEOUT = 10.0
DEFAULT_READ_TIMEOUT = 60.0


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


class CameraClient(Protocol):
    """A camera as the engine sees it. BlackVue and Reolink clients both follow this."""

    @property
    def host(self) -> str:
        """Return the host (and port) the client talks to."""

    async def async_get_info(self) -> DeviceInfo:
        """Probe the camera and return its identity; raise CameraOfflineError when away."""

    async def async_list_recordings(self, *, since: datetime | None = None) -> Listing:
        """List the recordings on the camera, newer than ``since`` where the camera can filter."""

    def open_file(
        self, file: RemoteFile, offset: int
    ) -> AbstractAsyncContextManager[aiohttp.ClientResponse]:
        """Send the GET for ``file``, with ``Range: bytes=offset-`` when offset > 0.

        The engine interprets the status and headers and streams the body.
        """

    async def async_fetch_inline(self, file: RemoteFile) -> bytes:
        """Return the whole content of a small file the camera serves inside another answer."""

    async def async_snapshot(self) -> bytes:
        """Return one live JPEG frame."""

    def recorded_at(self, name: str) -> datetime | None:
        """Return when an archived file of this camera was recorded, None if not one of ours."""

    async def async_close(self) -> None:
        """Release what the client holds on the camera (sessions, tokens)."""


def client_timeout(connect: float, read: float) -> aiohttp.ClientTimeout:
    """Return connect and read-inactivity timeouts with no overall limit (big files take long)."""
    return aiohttp.ClientTimeout(total=None, sock_connect=connect, sock_read=read)


@contextmanager
def camera_request(host: str) -> Iterator[None]:
    """Map transport failures of one request to "camera away" or "camera answered nonsense".

    The aiohttp error is not chained: its text can hold the request URL, and a camera's URL
    can hold a login token.
    """
    try:
        yield
    except (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError) as err:
        raise CameraOfflineError(f"{host} cannot be reached ({type(err).__name__})") from None
    except (aiohttp.ServerDisconnectedError, aiohttp.SocketTimeoutError, TimeoutError) as err:
        raise CameraOfflineError(f"{host} stopped answering ({type(err).__name__})") from None
    except (aiohttp.ClientPayloadError, aiohttp.ClientResponseError) as err:
        raise ProtocolError(f"{host} sent a broken answer ({type(err).__name__})") from None
    except aiohttp.ClientError as err:
        raise CameraOfflineError(f"{host} connection failed ({type(err).__name__})") from None
