"""From a config entry's data to a camera client: host parsing, time zones, sessions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo
import ipaddress
import re
from typing import Any

from homeassistant.const import CONF_HOST, CONF_PASSWORD, CONF_PORT, CONF_USERNAME
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.util import dt as dt_util
from yarl import URL

from .const import CONF_CHANNEL, CONF_KIND, CONF_STREAM, CONF_USE_HTTPS, CameraKind
from .devices.blackvue import BlackVueClient
from .devices.reolink import ReolinkClient
from .engine.camera import CameraClient

_HOSTNAME = re.compile(
    r"^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$"
)


@dataclass(frozen=True, slots=True)
class ParsedHost:
    """A camera address as typed or pasted by a user, normalised."""

    host: str
    port: int | None = None
    https: bool | None = None

    @property
    def netloc(self) -> str:
        """Return ``host[:port]``, with IPv6 addresses in brackets."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}" if self.port else host


def parse_host(text: str) -> ParsedHost | None:
    """Return the host (and port, scheme) in ``text``, or None when it is not an address.

    Accepts a host name, an IPv4 or IPv6 address, an optional port, and a pasted
    ``http(s)://host[:port]/``; anything with a path, credentials or a query is refused.
    """
    text = text.strip()
    if not text or any(char.isspace() for char in text):
        return None
    if _is_ip(text):
        return ParsedHost(_canonical_ip(text))
    try:
        url = URL(text if "://" in text else f"http://{text}")
    except ValueError:
        return None
    if url.scheme not in ("http", "https") or url.user or url.password or url.query_string:
        return None
    if url.path not in ("", "/") or url.fragment or not url.raw_host:
        return None
    host = url.raw_host
    if _is_ip(host):
        host = _canonical_ip(host)
    elif not _HOSTNAME.match(host) or host.rstrip(".").rsplit(".", 1)[-1].isdigit():
        return None  # an all-numeric last label is a mistyped IPv4 address, not a name
    if url.explicit_port == 0:  # yarl itself refuses ports out of range
        return None
    https = url.scheme == "https" if "://" in text else None
    return ParsedHost(host.lower().rstrip("."), url.explicit_port, https)


def _canonical_ip(text: str) -> str:
    """Return an IP address in its canonical form (IPv6: lowercase, compressed)."""
    return str(ipaddress.ip_address(text))


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def probe_address(data: Mapping[str, Any]) -> tuple[str, int]:
    """Return the (host, port) the camera's HTTP(S) server listens on, for a bare TCP probe."""
    parsed = parse_host(data[CONF_HOST]) or ParsedHost(data[CONF_HOST])
    port = data.get(CONF_PORT) or parsed.port
    if port:
        return parsed.host, int(port)
    return parsed.host, 443 if data.get(CONF_USE_HTTPS) else 80


def dashcam_time_zone(now: datetime | None = None) -> tzinfo:
    """Return the zone of a BlackVue clock that keeps standard time: Home Assistant's offset.

    Most dashcams keep a fixed GMT offset; one whose settings say ``Daylight=1`` follows the
    local rules instead (the client switches to them when the camera says so).
    """
    local = now or dt_util.now()
    standard = (local.utcoffset() or timedelta()) - (local.dst() or timedelta())
    return timezone(standard)


def create_client(
    hass: HomeAssistant, data: Mapping[str, Any], options: Mapping[str, Any] | None = None
) -> CameraClient:
    """Return the client for a config entry's data (and options: the Reolink stream)."""
    if data[CONF_KIND] == CameraKind.BLACKVUE:
        # A fixed offset unless the dashcam says it applies daylight saving (Daylight=1).
        return BlackVueClient(
            async_get_clientsession(hass),
            data[CONF_HOST],
            tz=dashcam_time_zone(),
            dst_zone=dt_util.get_default_time_zone(),
        )
    return ReolinkClient(
        async_get_clientsession(hass),
        data[CONF_HOST],
        port=data.get(CONF_PORT),
        use_https=data.get(CONF_USE_HTTPS, False),
        username=data[CONF_USERNAME],
        password=data[CONF_PASSWORD],
        channel=data.get(CONF_CHANNEL, 0),
        stream=(options or {}).get(CONF_STREAM, "main"),
        tz=dt_util.get_default_time_zone(),
    )
