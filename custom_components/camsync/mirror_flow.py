"""Add, edit and remove a camera's mirrors: config subentries of type ``mirror``.

A mirror is a folder (a NAS share, USB disk or SD card mounted on the Home Assistant host) or an
S3-compatible bucket. It is tested before it is saved (mounted, writable, credentials, bucket, a
probe object written and deleted), and every way the test can fail is a translated error in the
user's words (``config_subentries.mirror.error.<reason>``). The secret is a password field and is
never shown back: left empty when editing, the stored one is kept. Two mirrors never share a place
(the same folder or bucket prefix, or one inside the other), across every camera.

Removing a mirror is the subentry's own "Delete"; the running mirror follows every change without
a reload of the camera (``mirroring.py``).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from homeassistant.config_entries import (
    SOURCE_RECONFIGURE,
    ConfigEntry,
    ConfigSubentryFlow,
    SubentryFlowResult,
)
from homeassistant.const import CONF_NAME
from homeassistant.helpers.selector import (
    BooleanSelector,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
import voluptuous as vol

from .const import CONF_DESTINATION, DOMAIN
from .engine.facade import camera_slug
from .engine.mirrors import MirrorCheck, MirrorKind, check_folder, check_s3
from .mirror_config import (
    ADDRESSING,
    ADDRESSING_AUTO,
    CONF_ACCESS_KEY_ID,
    CONF_ADDRESSING,
    CONF_ALLOW_SAME_DISK,
    CONF_BUCKET,
    CONF_ENDPOINT_URL,
    CONF_MIRROR_KIND,
    CONF_MIRROR_RETENTION_DAYS,
    CONF_MOUNT_POINT,
    CONF_PATH,
    CONF_PREFIX,
    CONF_REGION,
    CONF_SECRET_ACCESS_KEY,
    CONF_VERIFY_TLS,
    DEFAULT_MIRROR_RETENTION_DAYS,
    DEFAULT_REGION,
    SUBENTRY_MIRROR,
    MirrorConfig,
    folder_overlaps_archives,
    normalise_path,
    normalise_prefix,
)

CHECK_ATTEMPTS = 1  # the test before saving tries once: a person is waiting

_TEXT = TextSelector()
_PASSWORD = TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD))
_URL = TextSelector(TextSelectorConfig(type=TextSelectorType.URL))
_RETENTION = NumberSelector(
    NumberSelectorConfig(min=0, max=36500, unit_of_measurement="d", mode=NumberSelectorMode.BOX)
)
_ADDRESSING = SelectSelector(
    SelectSelectorConfig(
        options=list(ADDRESSING), translation_key="addressing", mode=SelectSelectorMode.DROPDOWN
    )
)


def _folder_schema() -> vol.Schema:
    return vol.Schema(
        {
            vol.Optional(CONF_NAME): _TEXT,
            vol.Optional(CONF_MOUNT_POINT): _TEXT,
            vol.Optional(CONF_PATH): _TEXT,
            vol.Required(CONF_ALLOW_SAME_DISK, default=False): BooleanSelector(),
            vol.Required(
                CONF_MIRROR_RETENTION_DAYS, default=DEFAULT_MIRROR_RETENTION_DAYS
            ): _RETENTION,
        }
    )


def _s3_schema(*, editing: bool) -> vol.Schema:
    secret = vol.Optional if editing else vol.Required
    return vol.Schema(
        {
            vol.Optional(CONF_NAME): _TEXT,
            vol.Optional(CONF_ENDPOINT_URL): _URL,
            vol.Required(CONF_REGION, default=DEFAULT_REGION): _TEXT,
            vol.Required(CONF_BUCKET): _TEXT,
            vol.Optional(CONF_PREFIX): _TEXT,
            vol.Required(CONF_ACCESS_KEY_ID): _TEXT,
            secret(CONF_SECRET_ACCESS_KEY): _PASSWORD,
            vol.Required(CONF_ADDRESSING, default=ADDRESSING_AUTO): _ADDRESSING,
            vol.Required(CONF_VERIFY_TLS, default=True): BooleanSelector(),
            vol.Required(
                CONF_MIRROR_RETENTION_DAYS, default=DEFAULT_MIRROR_RETENTION_DAYS
            ): _RETENTION,
        }
    )


class MirrorSubentryFlow(ConfigSubentryFlow):
    """Add or edit one mirror of a camera."""

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """Ask where the mirror copies to."""
        return self.async_show_menu(
            step_id="user",
            menu_options=[kind.value for kind in MirrorKind],
            description_placeholders={"camera": self._get_entry().title},
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Edit a mirror: the form of its kind, filled in (the secret left out)."""
        kind = MirrorKind(self._get_reconfigure_subentry().data[CONF_MIRROR_KIND])
        if kind is MirrorKind.FOLDER:
            return await self.async_step_folder()
        return await self.async_step_s3()

    async def async_step_folder(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Copy to a folder: a NAS share, USB disk or SD card mounted on the Home Assistant host."""
        return await self._async_step_kind(MirrorKind.FOLDER, user_input)

    async def async_step_s3(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """Copy to an S3-compatible bucket (AWS S3, Backblaze B2, Cloudflare R2, MinIO, ...)."""
        return await self._async_step_kind(MirrorKind.S3, user_input)

    @property
    def _editing(self) -> bool:
        return self.source == SOURCE_RECONFIGURE

    async def _async_step_kind(
        self, kind: MirrorKind, user_input: dict[str, Any] | None
    ) -> SubentryFlowResult:
        entry = self._get_entry()
        previous = dict(self._get_reconfigure_subentry().data) if self._editing else {}
        errors: dict[str, str] = {}
        placeholders = _placeholders(entry)
        if user_input is not None:
            data, title = _data_from_input(kind, entry, user_input, previous)
            placeholders |= _input_placeholders(data)
            errors, detail = await self._async_validate(entry, data)
            placeholders["detail"] = detail
            if not errors:
                config = MirrorConfig.from_data(data)
                if self._editing:
                    return self.async_update_and_abort(
                        entry,
                        self._get_reconfigure_subentry(),
                        title=title,
                        data=data,
                        unique_id=config.fingerprint,
                    )
                return self.async_create_entry(title=title, data=data, unique_id=config.fingerprint)
        if self._editing:
            suggested = {
                key: value for key, value in previous.items() if key != CONF_SECRET_ACCESS_KEY
            }
            suggested[CONF_NAME] = self._get_reconfigure_subentry().title
        else:
            suggested = _defaults(kind, entry)
        suggested |= {
            key: value for key, value in (user_input or {}).items() if key != CONF_SECRET_ACCESS_KEY
        }
        schema = (
            _folder_schema() if kind is MirrorKind.FOLDER else _s3_schema(editing=self._editing)
        )
        return self.async_show_form(
            step_id=kind.value,
            data_schema=self.add_suggested_values_to_schema(schema, suggested),
            errors=errors,
            description_placeholders=placeholders,
        )

    async def _async_validate(
        self, entry: ConfigEntry, data: dict[str, Any]
    ) -> tuple[dict[str, str], str]:
        """Return the form's errors (empty when the mirror works) and the detail of a failure."""
        kind = MirrorKind(data[CONF_MIRROR_KIND])
        if kind is MirrorKind.FOLDER:
            if errors := await self._async_folder_errors(entry, data):
                return errors, ""
        elif not data[CONF_BUCKET]:
            return {CONF_BUCKET: "invalid_bucket_name"}, ""
        config = MirrorConfig.from_data(data)
        if errors := self._overlap_errors(entry, config):
            return errors, ""
        check = await self._async_check(entry, config)
        if check.ok:
            return {}, ""
        reason = check.reason.value if check.reason is not None else "unknown"
        return {"base": reason}, _scrub(check.detail, config.secrets())

    async def _async_folder_errors(
        self, entry: ConfigEntry, data: dict[str, Any]
    ) -> dict[str, str]:
        """Check what the folder form says before the folder itself is tried."""
        for key in (CONF_MOUNT_POINT, CONF_PATH):
            if data.get(key) and not Path(data[key]).is_absolute():
                return {key: "folder_not_absolute"}
        if not data[CONF_PATH]:
            return {"base": "folder_required"}
        if not await self.hass.async_add_executor_job(
            self.hass.config.is_allowed_path, data[CONF_PATH]
        ):
            return {CONF_PATH: "folder_not_allowed"}
        others = [
            Path(other.data[CONF_DESTINATION])
            for other in self.hass.config_entries.async_entries(DOMAIN)
            if other.entry_id != entry.entry_id
        ]
        if folder_overlaps_archives(Path(data[CONF_PATH]), others) is not None:
            return {CONF_PATH: "inside_other_archive"}
        return {}

    def _overlap_errors(self, entry: ConfigEntry, config: MirrorConfig) -> dict[str, str]:
        """Refuse a place another mirror (of any camera) already copies to."""
        own = self._get_reconfigure_subentry().subentry_id if self._editing else None
        field = CONF_PATH if config.kind is MirrorKind.FOLDER else CONF_PREFIX
        for other_entry in self.hass.config_entries.async_entries(DOMAIN):
            for subentry in other_entry.subentries.values():
                if subentry.subentry_type != SUBENTRY_MIRROR or subentry.subentry_id == own:
                    continue
                try:
                    other = MirrorConfig.from_data(subentry.data)
                except (KeyError, ValueError):
                    continue
                if other.fingerprint == config.fingerprint:
                    return {field: "already_mirrored"}
                if other.overlaps(config):
                    return {field: "overlaps_mirror"}
        return {}

    async def _async_check(self, entry: ConfigEntry, config: MirrorConfig) -> MirrorCheck:
        """Try the mirror for real (the same checks it makes before copying)."""
        if config.folder is not None:
            return await check_folder(config.folder, Path(entry.data[CONF_DESTINATION]))
        assert config.s3 is not None
        return await check_s3(replace(config.s3, max_attempts=CHECK_ATTEMPTS))


def _defaults(kind: MirrorKind, entry: ConfigEntry) -> dict[str, Any]:
    """Return what a new mirror's form starts with: names after the camera."""
    if kind is MirrorKind.FOLDER:
        return {}
    return {CONF_PREFIX: f"camsync/{camera_slug(entry.title)}"}


def _data_from_input(
    kind: MirrorKind, entry: ConfigEntry, user_input: dict[str, Any], previous: dict[str, Any]
) -> tuple[dict[str, Any], str]:
    """Return the subentry data and title a form's answers make."""
    days = int(user_input.get(CONF_MIRROR_RETENTION_DAYS) or 0)
    data: dict[str, Any] = {CONF_MIRROR_KIND: kind.value, CONF_MIRROR_RETENTION_DAYS: days}
    name = str(user_input.get(CONF_NAME) or "").strip()
    if kind is MirrorKind.FOLDER:
        mount = str(user_input.get(CONF_MOUNT_POINT) or "").strip()
        path = str(user_input.get(CONF_PATH) or "").strip()
        mount_path = normalise_path(mount) if mount else None
        if path:
            folder: Path | None = normalise_path(path)
        elif mount_path is not None and mount_path.is_absolute():
            # The share itself is the mount point: camsync keeps each camera in a folder of it.
            folder = mount_path / "camsync" / camera_slug(entry.title)
        else:
            folder = None
        data |= {
            CONF_PATH: str(folder) if folder is not None else "",
            CONF_MOUNT_POINT: str(mount_path) if mount_path is not None else "",
            CONF_ALLOW_SAME_DISK: bool(user_input.get(CONF_ALLOW_SAME_DISK, False)),
        }
        place = (mount_path or folder or Path()).name or str(folder or "")
        return data, name or f"{entry.title} on {place}"
    secret = str(user_input.get(CONF_SECRET_ACCESS_KEY) or "") or str(
        previous.get(CONF_SECRET_ACCESS_KEY, "")
    )
    data |= {
        CONF_ENDPOINT_URL: str(user_input.get(CONF_ENDPOINT_URL) or "").strip().rstrip("/"),
        CONF_REGION: str(user_input.get(CONF_REGION) or "").strip() or DEFAULT_REGION,
        CONF_BUCKET: str(user_input.get(CONF_BUCKET) or "").strip(),
        CONF_PREFIX: normalise_prefix(str(user_input.get(CONF_PREFIX) or "")),
        CONF_ACCESS_KEY_ID: str(user_input.get(CONF_ACCESS_KEY_ID) or "").strip(),
        CONF_SECRET_ACCESS_KEY: secret,
        CONF_ADDRESSING: user_input.get(CONF_ADDRESSING, ADDRESSING_AUTO),
        CONF_VERIFY_TLS: bool(user_input.get(CONF_VERIFY_TLS, True)),
    }
    return data, name or f"{entry.title} on {data[CONF_BUCKET]}"


def _placeholders(entry: ConfigEntry) -> dict[str, str]:
    """Return every placeholder the forms' texts and errors use (filled in later)."""
    return {
        "camera": entry.title,
        "destination": str(entry.data[CONF_DESTINATION]),
        "path": "",
        "mount_point": "",
        "bucket": "",
        "endpoint": "AWS",
        "region": DEFAULT_REGION,
        "detail": "",
    }


def _input_placeholders(data: dict[str, Any]) -> dict[str, str]:
    return {
        "path": str(data.get(CONF_PATH) or ""),
        "mount_point": str(data.get(CONF_MOUNT_POINT) or ""),
        "bucket": str(data.get(CONF_BUCKET) or ""),
        "endpoint": str(data.get(CONF_ENDPOINT_URL) or "AWS"),
        "region": str(data.get(CONF_REGION) or DEFAULT_REGION),
    }


def _scrub(text: str, secrets: list[str]) -> str:
    """Return ``text`` without any credential (the engine scrubs too; this is the last line)."""
    for secret in secrets:
        text = text.replace(secret, "**REDACTED**")
    return text
