"""One look at the camera: its listing planned against the archive, what is pending, its SD card.

A tick asks once; after a sync (or a prune) the same listing is planned again against the index,
without asking the camera a second time.
"""

from __future__ import annotations

from homeassistant.core import HomeAssistant

from . import issues
from .data import CamsyncConfigEntry, Pending
from .engine.camera import CameraClient, CameraStorage
from .engine.facade import CameraArchive, Survey
from .places import sync_options
from .presence import CameraPresence
from .settings import Settings


class CameraLook:
    """What the last look at one camera found."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: CamsyncConfigEntry,
        client: CameraClient,
        archive: CameraArchive,
        presence: CameraPresence,
    ) -> None:
        """Describe the look; nothing is known before the first one."""
        self.hass = hass
        self.entry = entry
        self.client = client
        self.archive = archive
        self.presence = presence
        self.survey: Survey | None = None  # this tick's (None before the camera answered)
        self.pending: Pending | None = None
        self.storage: CameraStorage | None = None

    async def async_ask(self, settings: Settings) -> bool:
        """List the camera once (when recordings are synced) and read its SD card."""
        if settings.recording_sync:
            options = sync_options(self.hass, settings)
            survey = await self.presence.call(self.archive.survey(options, since=settings.since()))
            self.survey, self.pending = survey, Pending.of(survey)
            issues.update_for_listing(self.hass, self.entry, survey.listing.clock_unset)
        else:
            self.pending = Pending(0, 0, 0)
        if self.client.capabilities.storage:
            self.storage = await self.presence.call(self.client.async_get_storage())
        return True

    async def async_replan(self, settings: Settings) -> Survey | None:
        """Plan the last listing again against the index (no camera call, no walk)."""
        survey = await self.archive.replan(sync_options(self.hass, settings))
        if survey is not None:
            self.pending = Pending.of(survey)
        return survey
