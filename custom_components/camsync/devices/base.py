"""What the device clients share: timeouts and the mapping of transport errors to engine errors.

The protocol they implement is the engine's ``CameraClient`` (``engine/camera.py``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
import errno

import aiohttp

from ..engine.errors import CameraOfflineError, FileTransferError, ProtocolError

DEFAULT_CONNECT_TIMEOUT = 10.0
DEFAULT_READ_TIMEOUT = 60.0


def client_timeout(connect: float, read: float) -> aiohttp.ClientTimeout:
    """Return connect and read-inactivity timeouts with no overall limit (big files take long)."""
    return aiohttp.ClientTimeout(total=None, sock_connect=connect, sock_read=read)


def _refusal(err: aiohttp.ClientConnectorError) -> str:
    """Return why a connection could not be made, in words (never the exception's class)."""
    if isinstance(err, aiohttp.ClientConnectorDNSError):
        return "its name does not resolve"
    code = err.os_error.errno if err.os_error is not None else None
    return _CONNECT_ERRORS.get(code or 0, "no connection could be made")


_CONNECT_ERRORS = {
    errno.ECONNREFUSED: "it refused the connection (nothing listens on that port)",
    errno.EHOSTUNREACH: "no route to it (is it on this network?)",
    errno.ENETUNREACH: "no route to its network",
    errno.ETIMEDOUT: "it did not answer",
    errno.ECONNRESET: "it dropped the connection",
}


@contextmanager
def camera_request(host: str) -> Iterator[None]:
    """Map transport failures of one request to "camera away" or "camera answered nonsense".

    The aiohttp error is not chained: its text can hold the request URL, and a camera's URL
    can hold a login token. Messages say what happened in words, for people.
    """
    try:
        yield
    except aiohttp.ClientConnectorError as err:
        raise CameraOfflineError(f"{host} cannot be reached: {_refusal(err)}") from None
    except aiohttp.ConnectionTimeoutError:
        raise CameraOfflineError(f"{host} cannot be reached: it did not answer in time") from None
    except aiohttp.ServerDisconnectedError:
        raise CameraOfflineError(f"{host} stopped answering: it closed the connection") from None
    except (aiohttp.SocketTimeoutError, TimeoutError):
        raise CameraOfflineError(f"{host} stopped answering: no reply in time") from None
    except aiohttp.ClientResponseError as err:
        raise ProtocolError(f"{host} sent a broken answer (HTTP {err.status})") from None
    except aiohttp.ClientPayloadError:
        raise ProtocolError(f"{host} sent a broken answer (cut short)") from None
    except aiohttp.ClientError:
        raise CameraOfflineError(f"{host} connection failed") from None


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
    except aiohttp.ClientConnectorError as err:
        raise CameraOfflineError(f"{host} cannot be reached: {_refusal(err)}") from None
    except aiohttp.ConnectionTimeoutError:
        raise CameraOfflineError(f"{host} cannot be reached: it did not answer in time") from None
    except (aiohttp.SocketTimeoutError, TimeoutError):
        raise CameraOfflineError(f"{host} stopped answering: no reply in time") from None
    except aiohttp.ClientResponseError as err:
        raise FileTransferError(
            name, "bad_reply", f"the camera sent a broken answer (HTTP {err.status})"
        ) from None
    except aiohttp.ClientPayloadError:
        raise FileTransferError(
            name, "bad_reply", "the camera sent a broken answer (cut short)"
        ) from None
    except aiohttp.ClientError:
        raise FileTransferError(name, "reset", "the connection closed without a reply") from None
