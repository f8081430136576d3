"""Whether the camera is there: its identity, when it comes and goes, and a locked login.

A camera that is away is normal (a dashcam drives off): it is logged once when it goes and once
when it comes back. A camera that locked its logins counts as away until the lock's time passed,
so camsync does not make the lock longer by trying again. The first look at setup is bounded
tighter than later ones, so a camera that accepts connections but never answers cannot hold up
Home Assistant's start.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
import time

from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryAuthFailed

from . import identity
from .const import LOGGER
from .data import CamsyncConfigEntry
from .engine.camera import CameraClient, DeviceInfo
from .engine.errors import CameraAuthError, CameraOfflineError, CamsyncError, LoginLockedError

SETUP_CAMERA_TIMEOUT = 15.0  # seconds the first look at the camera may take
CAMERA_LOOK_TIMEOUT = 120.0  # seconds a later look (probe, listing, SD card) may take


class CameraPresence:
    """Tracks one camera: reachable or not, who it is, and its device in the registry."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: CamsyncConfigEntry,
        client: CameraClient,
        on_change: Callable[[bool], None],
    ) -> None:
        """Start knowing nothing; ``on_change(online)`` hears every change."""
        self.hass = hass
        self.entry = entry
        self.client = client
        self.device: DeviceInfo | None = None
        self.reason = ""
        """Why the camera is away (empty while it is there)."""
        self._online: bool | None = None
        self._on_change = on_change
        self._locked_until = 0.0
        self._looked = False
        self._device_id: str | None = None

    @property
    def online(self) -> bool:
        """Return True when the camera answered the last time it was asked."""
        return bool(self._online)

    @property
    def locked_out(self) -> bool:
        """Return True while a locked login makes camsync leave the camera alone."""
        return time.monotonic() < self._locked_until

    @property
    def device_id(self) -> str | None:
        """Return the camera's device registry id (looked up once it exists)."""
        if self._device_id is None:
            device = identity.find_device(self.hass, self.entry, identity.device_key(self.entry))
            self._device_id = device.id if device else None
        return self._device_id

    async def call[T](self, call: Awaitable[T]) -> T:
        """Await a camera call, keeping track of whether the camera is there."""
        try:
            result = await call
        except CameraOfflineError as err:
            self.set_online(False, str(err))
            raise
        except LoginLockedError as err:
            self._locked_until = time.monotonic() + err.retry_after
            LOGGER.warning(
                "%s locked its logins after failed attempts; camsync waits %d s before trying "
                "again",
                self.entry.title,
                int(err.retry_after),
            )
            self.set_online(False, str(err))
            raise CameraOfflineError(str(err)) from err
        self.set_online(True)
        return result

    @callback
    def set_online(self, online: bool, reason: str = "") -> None:
        """Note whether the camera is there, logging each change once."""
        self.reason = "" if online else reason or self.reason
        if online == self._online:
            return
        title = self.entry.title
        if online and self._online is not None:
            LOGGER.info("%s is reachable again", title)
        elif not online:
            LOGGER.info("%s is not reachable (%s); camsync keeps trying", title, reason)
        self._online = online
        self._on_change(online)

    async def async_look[T](self, ask: Callable[[], Awaitable[T]]) -> T | None:
        """Probe the camera (once) and ``ask`` it something, within a bounded time.

        Return None when the camera is away, locked, or answers nonsense (logged). A rejected
        login raises ConfigEntryAuthFailed, which starts reauthentication.
        """
        if self.locked_out:
            return None
        limit = CAMERA_LOOK_TIMEOUT if self._looked else SETUP_CAMERA_TIMEOUT
        self._looked = True
        try:
            async with asyncio.timeout(limit):
                await self._async_probe()
                return await ask()
        except TimeoutError:
            self.set_online(False, f"no answer within {limit:g} s")
        except CameraOfflineError:
            pass
        except CameraAuthError as err:
            raise ConfigEntryAuthFailed(str(err)) from err
        except CamsyncError as err:
            LOGGER.warning(
                "%s answered in a way camsync does not understand: %s", self.entry.title, err
            )
        return None

    async def _async_probe(self) -> None:
        if self.device is not None:
            return
        info = await self.call(self.client.async_get_info())
        self.device = info
        identity.update_device(self.hass, self.entry, info)
        await identity.async_refresh_unique_id(self.hass, self.entry, info)
