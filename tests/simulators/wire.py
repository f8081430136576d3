"""Raw-socket helpers: what exactly went over the wire (RST or FIN, chunk framing, headers)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
import socket


@dataclass
class WireReply:
    """What one raw HTTP/1.1 GET received, and how the connection ended."""

    data: bytes
    ending: str  # "reset" (ECONNRESET: an RST) or "eof" (a clean FIN)

    @property
    def head(self) -> bytes:
        return self.data.partition(b"\r\n\r\n")[0]

    @property
    def body(self) -> bytes:
        return self.data.partition(b"\r\n\r\n")[2]

    @property
    def status(self) -> int | None:
        first = self.head.split(b"\r\n", 1)[0].split()
        return int(first[1]) if len(first) > 1 else None

    def header(self, name: str) -> str | None:
        for line in self.head.split(b"\r\n")[1:]:
            key, _, value = line.decode("latin-1").partition(":")
            if key.strip().lower() == name.lower():
                return value.strip()
        return None


def _raw_get(host: str, port: int, target: str, headers: dict[str, str]) -> WireReply:
    lines = [f"GET {target} HTTP/1.1", f"Host: {host}:{port}", "Connection: close"]
    lines += [f"{key}: {value}" for key, value in headers.items()]
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        data = b""
        try:
            while chunk := sock.recv(65536):
                data += chunk
        except ConnectionResetError:
            return WireReply(data, "reset")
        return WireReply(data, "eof")


async def raw_get(
    host: str, port: int, target: str, headers: dict[str, str] | None = None
) -> WireReply:
    """GET ``target`` (sent byte for byte as given) on a fresh connection, off the event loop."""
    return await asyncio.to_thread(_raw_get, host, port, target, headers or {})


def dechunk(body: bytes) -> tuple[bytes, bool]:
    """Decode a chunked body; return the data and whether the terminating 0-chunk arrived."""
    data = bytearray()
    rest = body
    while rest:
        line, separator, rest = rest.partition(b"\r\n")
        if not separator:
            return bytes(data), False
        length = int(line.split(b";")[0], 16)
        if length == 0:
            return bytes(data), True
        if len(rest) < length + 2:
            data += rest[:length]
            return bytes(data), False
        data += rest[:length]
        rest = rest[length + 2 :]
    return bytes(data), False
