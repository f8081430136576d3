"""Home Assistant's ffmpeg, which makes thumbnails and timelapses.

camsync uses the binary Home Assistant's ``ffmpeg`` integration is configured with (``ffmpeg_bin``,
``ffmpeg`` on the path by default). That integration is set up the first time camsync needs it;
it is an after-dependency, so a Home Assistant without it still runs camsync (without videos of
its own making).
"""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component

from .engine.errors import VideoToolMissingError

FFMPEG_DOMAIN = "ffmpeg"


async def async_ffmpeg_binary(hass: HomeAssistant) -> str:
    """Return the ffmpeg binary Home Assistant uses; VideoToolMissingError when there is none."""
    if FFMPEG_DOMAIN not in hass.config.components and not await async_setup_component(
        hass, FFMPEG_DOMAIN, {}
    ):
        raise VideoToolMissingError("Home Assistant's ffmpeg integration could not be set up")
    # Imported here: the integration's requirements are installed once it is set up.
    from homeassistant.components.ffmpeg import get_ffmpeg_manager  # noqa: PLC0415

    return get_ffmpeg_manager(hass).binary
