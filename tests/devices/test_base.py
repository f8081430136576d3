"""Transport failures become messages for people: what happened, never an exception class name.

"127.0.0.1:8101 cannot be reached (ClientConnectorError)" used to reach the user; now it says
the camera refused the connection. The first tests use real sockets on loopback.
"""

from __future__ import annotations

import errno
import re
import socket

import aiohttp
from aiohttp.client_reqrep import ConnectionKey
import pytest

from custom_components.camsync.devices.base import camera_request, file_request
from custom_components.camsync.engine.errors import (
    CameraOfflineError,
    FileTransferError,
    ProtocolError,
)

CLASS_NAME = re.compile(r"[A-Z][a-z]+(?:[A-Z][a-z]+)*(?:Error|Exception)")
KEY = ConnectionKey("192.0.2.1", 80, False, False, None, None, None)


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])  # nothing listens once it is closed


async def test_a_refused_connection_says_so() -> None:
    port = _closed_port()
    async with aiohttp.ClientSession() as session:
        with pytest.raises(CameraOfflineError) as raised, camera_request(f"127.0.0.1:{port}"):
            await session.get(f"http://127.0.0.1:{port}/")
    message = str(raised.value)
    assert message == (
        f"127.0.0.1:{port} cannot be reached: it refused the connection "
        "(nothing listens on that port)"
    )
    assert not CLASS_NAME.search(message)
    assert raised.value.__cause__ is None  # the URL (and a token in it) stays out


def _connector_error(code: int) -> aiohttp.ClientConnectorError:
    return aiohttp.ClientConnectorError(KEY, OSError(code, "boom"))


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (_connector_error(errno.EHOSTUNREACH), "cannot be reached: no route to it"),
        (_connector_error(errno.ENETUNREACH), "cannot be reached: no route to its network"),
        (_connector_error(errno.ETIMEDOUT), "cannot be reached: it did not answer"),
        (_connector_error(errno.EPERM), "cannot be reached: no connection could be made"),
        (
            aiohttp.ClientConnectorDNSError(KEY, OSError(-2, "Name or service not known")),
            "cannot be reached: its name does not resolve",
        ),
        (aiohttp.ConnectionTimeoutError(), "cannot be reached: it did not answer in time"),
        (aiohttp.ServerDisconnectedError(), "stopped answering: it closed the connection"),
        (aiohttp.SocketTimeoutError(), "stopped answering: no reply in time"),
        (TimeoutError(), "stopped answering: no reply in time"),
        (aiohttp.ClientConnectionError(), "connection failed"),
    ],
)
def test_camera_request_messages(error: Exception, expected: str) -> None:
    with pytest.raises(CameraOfflineError) as raised, camera_request("cam"):
        raise error
    assert str(raised.value).startswith(f"cam {expected}")
    assert not CLASS_NAME.search(str(raised.value))


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (
            aiohttp.ClientResponseError(None, (), status=502),  # type: ignore[arg-type]
            "cam sent a broken answer (HTTP 502)",
        ),
        (aiohttp.ClientPayloadError(), "cam sent a broken answer (cut short)"),
    ],
)
def test_broken_answers(error: Exception, expected: str) -> None:
    with pytest.raises(ProtocolError) as raised, camera_request("cam"):
        raise error
    assert str(raised.value) == expected


@pytest.mark.parametrize(
    ("error", "reason", "offline"),
    [
        (_connector_error(errno.ECONNREFUSED), None, "cannot be reached: it refused"),
        (aiohttp.ConnectionTimeoutError(), None, "cannot be reached: it did not answer in time"),
        (aiohttp.SocketTimeoutError(), None, "stopped answering"),
        (aiohttp.ClientResponseError(None, (), status=500), "bad_reply", None),  # type: ignore[arg-type]
        (aiohttp.ClientPayloadError(), "bad_reply", None),
        (aiohttp.ServerDisconnectedError(), "reset", None),
    ],
)
def test_file_request_messages(error: Exception, reason: str | None, offline: str | None) -> None:
    expected: type[Exception] = CameraOfflineError if offline else FileTransferError
    with pytest.raises(expected) as raised, file_request("cam", "20261120_080000_NF.mp4"):
        raise error
    message = str(raised.value)
    assert not CLASS_NAME.search(message)
    if offline:
        assert message.startswith(f"cam {offline}")
    else:
        assert isinstance(raised.value, FileTransferError)
        assert raised.value.reason == reason
