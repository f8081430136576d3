"""Set up a camera from the UI: pick the kind, then address, credentials and destination.

Everything is tested before it is saved: the address must be one, the camera must answer, and
the destination must be allowed by Home Assistant and writable.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from homeassistant.config_entries import (
    SOURCE_USER,
    ConfigEntry,
    ConfigFlow,
    ConfigFlowResult,
    ConfigSubentryFlow,
    OptionsFlowWithReload,
)
from homeassistant.const import CONF_HOST, CONF_NAME, CONF_PASSWORD, CONF_PORT, CONF_USERNAME
from homeassistant.core import HomeAssistant, callback
from homeassistant.data_entry_flow import AbortFlow, section
from homeassistant.helpers.selector import (
    BooleanSelector,
    EntitySelector,
    EntitySelectorConfig,
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

from . import identity
from .connection import create_client, parse_host
from .const import (
    CONF_ARRIVAL_TRACKER,
    CONF_AUTO_SYNC,
    CONF_AWAY_PROBE_INTERVAL,
    CONF_CAMERA_ID,
    CONF_CHANNEL,
    CONF_CHANNELS,
    CONF_DAYS_BACK,
    CONF_DESTINATION,
    CONF_DISK_LIMIT,
    CONF_EVENT_CONTEXT,
    CONF_GROUPING,
    CONF_KEEP_FREE,
    CONF_KIND,
    CONF_KINDS,
    CONF_PRIORITY,
    CONF_RECORDING_SYNC,
    CONF_RETENTION_DAYS,
    CONF_SIDECARS,
    CONF_SKIP_ZONES,
    CONF_SNAPSHOT_INTERVAL,
    CONF_SNAPSHOT_MODE,
    CONF_SNAPSHOT_RESUME,
    CONF_STREAM,
    CONF_SYNC_INTERVAL,
    CONF_TIMELAPSE,
    CONF_TIMELAPSE_FPS,
    CONF_USE_HTTPS,
    DOMAIN,
    MEDIA_SUBFOLDER,
    CameraKind,
    SnapshotMode,
)
from .data import CamsyncConfigEntry
from .engine.camera import DeviceInfo as CameraInfo
from .engine.errors import CameraAuthError, CamsyncError, LoginLockedError
from .engine.facade import camera_slug, prove_writable
from .engine.models import Grouping, Priority
from .kinds import PROFILES
from .migration import ENTRY_MINOR_VERSION, VERSION
from .mirror_config import SUBENTRY_MIRROR
from .mirror_flow import MirrorSubentryFlow
from .settings import default_options

DEFAULT_NAMES = {CameraKind.BLACKVUE: "BlackVue dashcam", CameraKind.REOLINK: "Reolink camera"}
DEFAULT_USERNAME = "admin"

_TEXT = TextSelector()
_PASSWORD = TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD))
_PORT = NumberSelector(NumberSelectorConfig(min=1, max=65535, mode=NumberSelectorMode.BOX))
_CHANNEL = NumberSelector(NumberSelectorConfig(min=0, max=63, mode=NumberSelectorMode.BOX))
_WHOLE_NUMBER_OPTIONS = (
    CONF_SYNC_INTERVAL,
    CONF_RETENTION_DAYS,
    CONF_DISK_LIMIT,
    CONF_DAYS_BACK,
    CONF_SNAPSHOT_INTERVAL,
    CONF_AWAY_PROBE_INTERVAL,
    CONF_EVENT_CONTEXT,
    CONF_TIMELAPSE_FPS,
)
_TRACKER = EntitySelector(EntitySelectorConfig(domain=["person", "device_tracker"]))
_ZONES = EntitySelector(EntitySelectorConfig(domain="zone", multiple=True))


def _minutes(maximum: int) -> NumberSelector:
    return NumberSelector(
        NumberSelectorConfig(
            min=1, max=maximum, unit_of_measurement="min", mode=NumberSelectorMode.BOX
        )
    )


def _select(options: list[str], key: str, *, multiple: bool = False) -> SelectSelector:
    return SelectSelector(
        SelectSelectorConfig(
            options=options,
            translation_key=key,
            multiple=multiple,
            mode=SelectSelectorMode.DROPDOWN,
        )
    )


def _archive_root(hass: HomeAssistant) -> Path:
    """Return ``<media folder>/camsync``, the parent of the default destinations."""
    media_dirs = hass.config.media_dirs
    media = media_dirs.get("local") or next(iter(media_dirs.values()), None)
    return Path(media or hass.config.path("media")) / MEDIA_SUBFOLDER


def default_destination(hass: HomeAssistant, name: str) -> str:
    """Return ``<media folder>/camsync/<name>``, so the archive shows in the Media panel."""
    return str(_archive_root(hass) / camera_slug(name))


def _connection_schema(kind: CameraKind, *, with_name: bool) -> vol.Schema:
    fields: dict[Any, Any] = {vol.Required(CONF_HOST): _TEXT}
    if kind is CameraKind.REOLINK:
        fields |= {
            vol.Optional(CONF_PORT): _PORT,
            vol.Required(CONF_USE_HTTPS, default=False): BooleanSelector(),
            vol.Required(CONF_USERNAME, default=DEFAULT_USERNAME): _TEXT,
            vol.Required(CONF_PASSWORD): _PASSWORD,
            vol.Required(CONF_CHANNEL, default=0): _CHANNEL,
        }
    if with_name:
        fields[vol.Required(CONF_NAME, default=DEFAULT_NAMES[kind])] = _TEXT
    fields[vol.Optional(CONF_DESTINATION)] = _TEXT
    return vol.Schema(fields)


class CamsyncConfigFlow(ConfigFlow, domain=DOMAIN):
    """The camsync config flow."""

    VERSION = VERSION
    MINOR_VERSION = ENTRY_MINOR_VERSION

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: CamsyncConfigEntry) -> CamsyncOptionsFlow:
        """Return the options flow."""
        return CamsyncOptionsFlow()

    @classmethod
    @callback
    def async_get_supported_subentry_types(
        cls, config_entry: ConfigEntry
    ) -> dict[str, type[ConfigSubentryFlow]]:
        """Return the subentries a camera has: its mirrors (see ``mirror_flow.py``)."""
        return {SUBENTRY_MIRROR: MirrorSubentryFlow}

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Ask which kind of camera to add."""
        return self.async_show_menu(
            step_id="user", menu_options=[kind.value for kind in CameraKind]
        )

    async def async_step_blackvue(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Add a BlackVue dashcam."""
        return await self._async_step_camera(CameraKind.BLACKVUE, user_input)

    async def async_step_reolink(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Add a Reolink camera."""
        return await self._async_step_camera(CameraKind.REOLINK, user_input)

    async def _async_step_camera(
        self, kind: CameraKind, user_input: dict[str, Any] | None
    ) -> ConfigFlowResult:
        errors: dict[str, str] = {}
        if user_input is not None:
            name = user_input[CONF_NAME].strip() or DEFAULT_NAMES[kind]
            data, info, errors = await self._async_validate(kind, user_input | {CONF_NAME: name})
            if not errors:
                await self.async_set_unique_id(
                    await identity.async_unique_id(self.hass, data, info)
                )
                self._abort_if_unique_id_configured(updates=_address_updates(data, info))
                if info is not None and info.unique_id:
                    data[CONF_CAMERA_ID] = info.unique_id  # devices and entities key on it
                return self.async_create_entry(title=name, data=data, options=default_options(kind))
        schema = _connection_schema(kind, with_name=True)
        return self.async_show_form(
            step_id=kind.value,
            data_schema=self.add_suggested_values_to_schema(schema, user_input or {}),
            errors=errors,
            description_placeholders={"media": str(_archive_root(self.hass))},
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the address, credentials or destination of a camera."""
        entry = self._get_reconfigure_entry()
        kind = CameraKind(entry.data[CONF_KIND])
        errors: dict[str, str] = {}
        if user_input is not None:
            merged = {CONF_NAME: entry.title} | user_input
            data, info, errors = await self._async_validate(kind, merged)
            if not errors:
                unique_id = await identity.async_unique_id(self.hass, data, info)
                if entry.data.get(CONF_CAMERA_ID):  # known by its own id: it must be the same
                    await self.async_set_unique_id(unique_id)
                    self._abort_if_unique_id_mismatch(reason="wrong_device")
                elif self._unique_id_taken(unique_id, entry.entry_id):
                    return self.async_abort(reason="already_configured")
                return self.async_update_reload_and_abort(
                    entry, unique_id=unique_id, data_updates=data
                )
        suggested = {**entry.data, **(user_input or {})}
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=self.add_suggested_values_to_schema(
                _connection_schema(kind, with_name=False), suggested
            ),
            errors=errors,
        )

    async def async_step_reauth(self, entry_data: Mapping[str, Any]) -> ConfigFlowResult:
        """Start reauthentication when a Reolink camera refuses the credentials."""
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the new username and password."""
        entry = self._get_reauth_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            merged = {**entry.data, CONF_NAME: entry.title} | user_input
            data, info, errors = await self._async_validate(
                CameraKind.REOLINK, merged, check_destination=False
            )
            if not errors:
                await self.async_set_unique_id(
                    await identity.async_unique_id(self.hass, data, info)
                )
                self._abort_if_unique_id_mismatch(reason="wrong_device")
                return self.async_update_reload_and_abort(entry, data_updates=data)
        schema = vol.Schema(
            {
                vol.Required(CONF_USERNAME, default=entry.data[CONF_USERNAME]): _TEXT,
                vol.Required(CONF_PASSWORD): _PASSWORD,
            }
        )
        return self.async_show_form(
            step_id="reauth_confirm",
            data_schema=schema,
            errors=errors,
            description_placeholders={"title": entry.title},
        )

    def _unique_id_taken(self, unique_id: str, own_entry_id: str) -> bool:
        return any(
            entry.unique_id == unique_id and entry.entry_id != own_entry_id
            for entry in self._async_current_entries(include_ignore=False)
        )

    async def _async_validate(
        self, kind: CameraKind, user_input: dict[str, Any], *, check_destination: bool = True
    ) -> tuple[dict[str, Any], CameraInfo | None, dict[str, str]]:
        """Check the input; return the entry data, what the camera said, and form errors.

        Reauthentication does not check the destination: its form cannot show that error.
        """
        parsed = parse_host(user_input[CONF_HOST])
        if parsed is None:
            return {}, None, {CONF_HOST: "invalid_host"}
        data: dict[str, Any] = {CONF_KIND: kind.value}
        if kind is CameraKind.BLACKVUE:
            data[CONF_HOST] = parsed.netloc
        else:
            port = user_input.get(CONF_PORT) or parsed.port
            data |= {
                CONF_HOST: parsed.host,
                CONF_PORT: int(port) if port else None,
                CONF_USE_HTTPS: bool(
                    user_input[CONF_USE_HTTPS] if parsed.https is None else parsed.https
                ),
                CONF_USERNAME: user_input[CONF_USERNAME],
                CONF_PASSWORD: user_input[CONF_PASSWORD],
                CONF_CHANNEL: int(user_input.get(CONF_CHANNEL, 0)),
            }
        destination = (user_input.get(CONF_DESTINATION) or "").strip() or default_destination(
            self.hass, user_input[CONF_NAME]
        )
        data[CONF_DESTINATION] = destination
        if check_destination and not await self._async_allowed(destination):
            return data, None, {CONF_DESTINATION: "destination_not_allowed"}
        if self.source == SOURCE_USER and self._unique_id_taken(
            await identity.async_address_id(self.hass, data), ""
        ):
            # The same address (however it is written) is already a camera: do not ask it.
            raise AbortFlow("already_configured")
        client = create_client(self.hass, data)
        try:
            info = await client.async_get_info()
        except CameraAuthError:
            return data, None, {"base": "invalid_auth"}
        except LoginLockedError:
            return data, None, {"base": "login_locked"}
        except CamsyncError:
            return data, None, {"base": "cannot_connect"}
        finally:
            await client.async_close()
        # Only now create the folder, so a camera that does not answer leaves nothing behind.
        if check_destination and not await self._async_writable(destination):
            return data, None, {CONF_DESTINATION: "destination_not_writable"}
        return data, info, {}

    async def _async_allowed(self, destination: str) -> bool:
        """Return True for an absolute path Home Assistant allows integrations to write."""
        return Path(destination).is_absolute() and await self.hass.async_add_executor_job(
            self.hass.config.is_allowed_path, destination
        )

    async def _async_writable(self, destination: str) -> bool:
        """Create the archive's folders and prove a file can be written there."""
        try:
            await self.hass.async_add_executor_job(prove_writable, Path(destination))
        except CamsyncError:
            return False
        return True


def _address_updates(data: Mapping[str, Any], info: CameraInfo | None) -> dict[str, Any] | None:
    """Return what a camera known by its own id, found at a new address, updates in its entry."""
    if info is None or not info.unique_id:
        return None  # a camera known by its address is found at its address
    return {key: data[key] for key in (CONF_HOST, CONF_PORT, CONF_USE_HTTPS) if key in data}


class CamsyncOptionsFlow(OptionsFlowWithReload):
    """Change how a camera syncs; the entry reloads with the new options.

    The dialog is titled with the camera's name and grouped in sections; the options are
    stored flat, as before.
    """

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Show every option of this camera kind."""
        entry = self.config_entry
        kind = CameraKind(entry.data[CONF_KIND])
        if user_input is not None:
            kept = {
                key: value for key, value in entry.options.items() if key == CONF_SNAPSHOT_RESUME
            }
            return self.async_create_entry(
                data=kept | _normalise_options(kind, _flatten(user_input))
            )
        schema = _options_schema(kind)
        current = default_options(kind) | dict(entry.options)
        return self.async_show_form(
            step_id="init",
            data_schema=self.add_suggested_values_to_schema(schema, _nest(schema, current)),
            description_placeholders={"title": entry.title},
        )


def _flatten(user_input: Mapping[str, Any]) -> dict[str, Any]:
    """Return the options of every section in one mapping."""
    flat: dict[str, Any] = {}
    for key, value in user_input.items():
        if key in OPTION_SECTIONS and isinstance(value, Mapping):
            flat |= value
        else:
            flat[key] = value
    return flat


def _nest(schema: vol.Schema, options: Mapping[str, Any]) -> dict[str, Any]:
    """Return the options grouped as the schema's sections group them."""
    nested: dict[str, Any] = {}
    for marker, value in schema.schema.items():
        if isinstance(value, section):
            names = {str(inner) for inner in value.schema.schema}
            nested[str(marker)] = {name: options[name] for name in names if name in options}
    return nested


OPTION_SECTIONS = ("recordings", "storage", "snapshots", "arrival")
"""The options dialog's sections, in order: what to sync and when, the disk, snapshots, and
how a camera that was away (a dashcam in a car) is noticed coming back."""


def _options_schema(kind: CameraKind) -> vol.Schema:
    profile = PROFILES[kind]
    recordings: dict[Any, Any] = {
        vol.Required(CONF_AUTO_SYNC): BooleanSelector(),
        vol.Required(CONF_SYNC_INTERVAL): _minutes(1440),
        vol.Optional(CONF_KINDS): _select(
            list(profile.recording_kinds), f"{kind.value}_kinds", multiple=True
        ),
        vol.Required(CONF_PRIORITY): _select([item.value for item in Priority], "priority"),
    }
    storage: dict[Any, Any] = {
        vol.Required(CONF_RETENTION_DAYS): NumberSelector(
            NumberSelectorConfig(
                min=0, max=3650, unit_of_measurement="d", mode=NumberSelectorMode.BOX
            )
        ),
        vol.Required(CONF_DISK_LIMIT): NumberSelector(
            NumberSelectorConfig(
                min=5, max=98, unit_of_measurement="%", mode=NumberSelectorMode.SLIDER
            )
        ),
        vol.Required(CONF_KEEP_FREE): NumberSelector(
            NumberSelectorConfig(
                min=0, max=100000, step=0.1, unit_of_measurement="GB", mode=NumberSelectorMode.BOX
            )
        ),
        vol.Required(CONF_GROUPING): _select([item.value for item in Grouping], "grouping"),
    }
    arrival: dict[Any, Any] = {
        vol.Required(CONF_AWAY_PROBE_INTERVAL): NumberSelector(
            NumberSelectorConfig(
                min=5, max=3600, unit_of_measurement="s", mode=NumberSelectorMode.BOX
            )
        ),
        vol.Optional(CONF_ARRIVAL_TRACKER): _TRACKER,
    }
    sections: dict[Any, Any] = {}
    if kind is CameraKind.BLACKVUE:
        recordings |= {
            vol.Optional(CONF_CHANNELS): _select(
                list(profile.channels), "directions", multiple=True
            ),
            vol.Required(CONF_SIDECARS): BooleanSelector(),
        }
    else:
        recordings |= {
            vol.Required(CONF_RECORDING_SYNC): BooleanSelector(),
            vol.Required(CONF_STREAM): _select(["main", "sub"], "stream"),
            vol.Required(CONF_DAYS_BACK): NumberSelector(
                NumberSelectorConfig(
                    min=1, max=365, unit_of_measurement="d", mode=NumberSelectorMode.BOX
                )
            ),
        }
        sections["snapshots"] = {
            vol.Required(CONF_SNAPSHOT_MODE): _select(
                [mode.value for mode in SnapshotMode], "snapshot_mode"
            ),
            vol.Required(CONF_SNAPSHOT_INTERVAL): _minutes(1440),
            vol.Optional(CONF_TIMELAPSE): BooleanSelector(),
            vol.Optional(CONF_TIMELAPSE_FPS): NumberSelector(
                NumberSelectorConfig(
                    min=1, max=60, unit_of_measurement="fps", mode=NumberSelectorMode.BOX
                )
            ),
        }
    # What the car adds: the recordings around an event, and parking recordings made at home.
    recordings[vol.Required(CONF_EVENT_CONTEXT)] = NumberSelector(
        NumberSelectorConfig(min=0, max=30, unit_of_measurement="min", mode=NumberSelectorMode.BOX)
    )
    if profile.capabilities.gps:
        recordings[vol.Optional(CONF_SKIP_ZONES)] = _ZONES
    sections = {"recordings": recordings, "storage": storage} | sections | {"arrival": arrival}
    return vol.Schema(
        {vol.Required(name): section(vol.Schema(fields)) for name, fields in sections.items()}
    )


def _normalise_options(kind: CameraKind, user_input: dict[str, Any]) -> dict[str, Any]:
    """Store whole numbers as ints (the number selector returns floats), empty lists as []."""
    options = dict(user_input)
    for key in _WHOLE_NUMBER_OPTIONS:
        if key in options:
            options[key] = int(options[key])
    options.setdefault(CONF_KINDS, [])
    if PROFILES[kind].capabilities.gps:
        options.setdefault(CONF_SKIP_ZONES, [])
    if CONF_SIDECARS in options:
        options.setdefault(CONF_CHANNELS, [])
    return options
