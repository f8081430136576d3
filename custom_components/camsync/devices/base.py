"""What the device clients share: timeouts and the mapping of transport errors to engine errors.

The protocol they implement is the engine's ``CameraClient`` (``engine/camera.py``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import aiohttp

from ..engine.errors import CameraOfflineError, FileTransferError, ProtocolError

DEFAULT_CONNECT_TIMEOUT = 10.0
DEFAULT_READ_TIMEOUT = 60.0


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


@contextmanager
def file_request(host: str, name: str) -> Iterator[None]:
    """Map transport failures of a file download: after connecting, a reset is one file's failure.

    Only a connection that cannot be made, or a camera that stops answering (a timeout), means
    the camera is away. A reset or a close without any reply once connected is ``reset``: real
    cameras do that for a file that rolled off the card, now and then at random, and for every
    download while their download function is stuck, and they still answer everything else.
    """
    try:
        yield
    except (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError) as err:
        raise CameraOfflineError(f"{host} cannot be reached ({type(err).__name__})") from None
    except (aiohttp.SocketTimeoutError, TimeoutError) as err:
        raise CameraOfflineError(f"{host} stopped answering ({type(err).__name__})") from None
    except (aiohttp.ClientPayloadError, aiohttp.ClientResponseError) as err:
        raise FileTransferError(
            name, "bad_reply", f"the camera sent a broken answer ({type(err).__name__})"
        ) from None
    except aiohttp.ClientError as err:
        raise FileTransferError(
            name, "reset", f"the connection closed without a reply ({type(err).__name__})"
        ) from None
