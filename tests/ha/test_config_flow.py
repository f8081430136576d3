"""The config, options, reconfigure and reauth flows, against simulated cameras on 127.0.0.1.

Every flow result is checked against ``translations/en.json`` (step, field, error and abort
keys), so a reason the UI cannot show fails here.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
import json
from pathlib import Path
from typing import Any
from unittest.mock import AsyncMock, patch

from homeassistant.config_entries import SOURCE_USER, ConfigEntryState, ConfigFlowResult
from homeassistant.const import CONF_HOST, CONF_PASSWORD, CONF_PORT, CONF_USERNAME
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, section
from homeassistant.helpers.selector import SelectSelector
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from camera_simulators.blackvue import BlackVueSimulator
from camera_simulators.reolink import ReolinkFaults, ReolinkSimulator, self_signed_context
import custom_components.camsync
from custom_components.camsync.connection import ParsedHost, parse_host
from custom_components.camsync.const import (
    CONF_AUTO_SYNC,
    CONF_CAMERA_ID,
    CONF_CHANNEL,
    CONF_DESTINATION,
    CONF_KIND,
    CONF_USE_HTTPS,
    DOMAIN,
    CameraKind,
)
from custom_components.camsync.devices.reolink import normalise_mac
from custom_components.camsync.settings import default_options
from tests.ha.conftest import blackvue_entry, reolink_entry, state_of

PASSWORD = "secret-pass"
OTHER_MAC = "EC:71:DB:AB:CD:EF"
STRINGS = json.loads(
    (Path(custom_components.camsync.__file__).parent / "translations" / "en.json").read_text()
)


# -- simulators and entries --


@pytest.fixture
async def other_dashcam() -> AsyncIterator[BlackVueSimulator]:
    """Return a second dashcam, on another port."""
    async with BlackVueSimulator() as simulator:
        yield simulator


@pytest.fixture
async def reolink() -> AsyncIterator[ReolinkSimulator]:
    """Return a Reolink camera over HTTP."""
    async with ReolinkSimulator() as simulator:
        yield simulator


@pytest.fixture
async def other_reolink() -> AsyncIterator[ReolinkSimulator]:
    """Return a second Reolink camera (another MAC address)."""
    async with ReolinkSimulator(mac=OTHER_MAC) as simulator:
        yield simulator


@pytest.fixture
async def reolink_https() -> AsyncIterator[ReolinkSimulator]:
    """Return a Reolink camera over HTTPS with a self-signed certificate."""
    simulator = ReolinkSimulator()
    await simulator.start(ssl_context=self_signed_context())
    try:
        yield simulator
    finally:
        await simulator.close()


@pytest.fixture
async def mock_setup_entry(hass: HomeAssistant) -> AsyncIterator[AsyncMock]:
    """Patch entry setup and unload, so flows create and reload entries without syncing."""
    with (
        patch("custom_components.camsync.async_setup_entry", return_value=True) as setup,
        patch("custom_components.camsync.async_unload_entry", return_value=True),
    ):
        yield setup
        for entry in hass.config_entries.async_loaded_entries(DOMAIN):
            await hass.config_entries.async_unload(entry.entry_id)


async def add_entry(hass: HomeAssistant, entry: MockConfigEntry) -> MockConfigEntry:
    """Add an entry and set it up (with whatever setup the test has patched in)."""
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


# -- flow helpers --


def check_translated(result: ConfigFlowResult) -> ConfigFlowResult:
    """Fail when the result names a step, field, error or abort reason en.json lacks."""
    strings = STRINGS["config" if result["handler"] == DOMAIN else "options"]
    if result["type"] is FlowResultType.ABORT:
        assert result["reason"] in strings["abort"], result["reason"]
    elif result["type"] is FlowResultType.MENU:
        assert set(result["menu_options"]) <= set(strings["step"]["user"]["menu_options"])
    elif result["type"] is FlowResultType.FORM:
        step = strings["step"][result["step_id"]]
        for key, selector in result["data_schema"].schema.items():
            if isinstance(selector, section):  # its fields are translated in the section
                texts = step["sections"][str(key)]
                assert texts["name"], str(key)
                fields = selector.schema.schema.items()
            else:
                texts, fields = step, [(key, selector)]
            for field, field_selector in fields:
                assert str(field) in texts["data"], (result["step_id"], str(field))
                assert str(field) in texts["data_description"], (result["step_id"], str(field))
                if isinstance(field_selector, SelectSelector):
                    options = STRINGS["selector"][field_selector.config["translation_key"]][
                        "options"
                    ]
                    assert set(field_selector.config["options"]) == set(options), str(field)
        for error in (result["errors"] or {}).values():
            assert error in strings["error"], error
    return result


async def start(hass: HomeAssistant, kind: CameraKind) -> ConfigFlowResult:
    """Start a user flow and pick the camera kind from the menu."""
    result = check_translated(
        await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    )
    return await submit(hass, result, next_step_id=kind.value)


async def submit(hass: HomeAssistant, result: ConfigFlowResult, **user_input: Any) -> Any:
    """Submit the form (or menu) of a config flow."""
    return check_translated(
        await hass.config_entries.flow.async_configure(result["flow_id"], user_input)
    )


def fields_of(result: ConfigFlowResult) -> dict[str, Any]:
    """Return a form's fields by name (the fields of its sections too) and their markers."""
    found: dict[str, Any] = {}
    for key, value in result["data_schema"].schema.items():
        if isinstance(value, section):
            found |= {str(inner): inner for inner in value.schema.schema}
        else:
            found[str(key)] = key
    return found


def in_sections(result: ConfigFlowResult, flat: dict[str, Any]) -> dict[str, Any]:
    """Group flat answers by the sections of the form, as the frontend submits them."""
    nested: dict[str, Any] = {}
    for key, value in result["data_schema"].schema.items():
        if isinstance(value, section):
            names = {str(inner) for inner in value.schema.schema}
            nested[str(key)] = {name: flat[name] for name in names if name in flat}
        elif str(key) in flat:
            nested[str(key)] = flat[str(key)]
    return nested


def suggested(result: ConfigFlowResult, field: str) -> Any:
    """Return the value a form field is prefilled with."""
    return (fields_of(result)[field].description or {}).get("suggested_value")


def assert_form(result: ConfigFlowResult, step_id: str, errors: dict[str, str] | None) -> None:
    """Assert the flow shows ``step_id`` again with exactly ``errors``."""
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == step_id
    assert result["errors"] == errors


def assert_abort(result: ConfigFlowResult, reason: str) -> None:
    """Assert the flow ended with ``reason``."""
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == reason


# -- user step --


async def test_user_step_offers_both_kinds(hass: HomeAssistant) -> None:
    result = check_translated(
        await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    )
    assert result["type"] is FlowResultType.MENU
    assert result["step_id"] == "user"
    assert result["menu_options"] == ["blackvue", "reolink"]


# -- BlackVue --


async def test_blackvue_creates_an_entry(
    hass: HomeAssistant, media: Path, dashcam: BlackVueSimulator, mock_setup_entry: AsyncMock
) -> None:
    result = await start(hass, CameraKind.BLACKVUE)
    assert_form(result, "blackvue", {})
    assert result["description_placeholders"] == {"media": str(media / "camsync")}
    assert suggested(result, CONF_HOST) is None

    result = await submit(hass, result, host=f"127.0.0.1:{dashcam.port}", name="My Dashcam")

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "My Dashcam"
    destination = media / "camsync" / "my_dashcam"
    assert result["data"] == {
        CONF_KIND: "blackvue",
        CONF_HOST: f"127.0.0.1:{dashcam.port}",
        CONF_DESTINATION: str(destination),
    }
    assert result["options"] == default_options(CameraKind.BLACKVUE)
    entry = result["result"]
    assert entry.unique_id == f"127.0.0.1:{dashcam.port}"
    assert entry.state is ConfigEntryState.LOADED
    assert destination.is_dir()  # proven writable
    mock_setup_entry.assert_awaited_once()


@pytest.mark.parametrize(
    ("host", "name", "folder"),
    [
        ("  http://127.0.0.1:{port}/ ", "Dashcam", "dashcam"),
        ("HTTP://127.0.0.1:{port}", "   ", "blackvue_dashcam"),  # a blank name: the default
    ],
)
async def test_blackvue_normalises_what_was_typed(
    hass: HomeAssistant,
    media: Path,
    dashcam: BlackVueSimulator,
    mock_setup_entry: AsyncMock,
    host: str,
    name: str,
    folder: str,
) -> None:
    result = await start(hass, CameraKind.BLACKVUE)
    result = await submit(hass, result, host=host.format(port=dashcam.port), name=name)

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == (name.strip() or "BlackVue dashcam")
    assert result["data"][CONF_HOST] == f"127.0.0.1:{dashcam.port}"
    assert result["data"][CONF_DESTINATION] == str(media / "camsync" / folder)
    assert result["result"].unique_id == f"127.0.0.1:{dashcam.port}"


@pytest.mark.parametrize(
    "host",
    [
        "",
        "not a host",
        "http://x/path",
        "user@host",
        "http://user:pw@host",
        "http://h:99999",
        "h:0",
        "host:port",
        "ftp://host",
        "host?x=1",
        "host#top",
        "-host",
        "a..b",
        "256.1.1.1",
        "1.2.3",
        "[::1",
    ],
)
async def test_blackvue_refuses_what_is_not_an_address(
    hass: HomeAssistant, media: Path, mock_setup_entry: AsyncMock, host: str
) -> None:
    result = await start(hass, CameraKind.BLACKVUE)
    result = await submit(hass, result, host=host)

    assert_form(result, "blackvue", {CONF_HOST: "invalid_host"})
    assert suggested(result, CONF_HOST) == host  # the input stays in the form
    mock_setup_entry.assert_not_awaited()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Dashcam.LOCAL.", ParsedHost("dashcam.local")),
        ("192.168.1.50:8080", ParsedHost("192.168.1.50", 8080)),
        ("https://cam.lan", ParsedHost("cam.lan", None, https=True)),
        ("FE80:0::1", ParsedHost("fe80::1")),  # one address, one unique id
        ("http://[FE80:0::1]:80/", ParsedHost("fe80::1", 80, https=False)),
    ],
)
def test_addresses_are_normalised(text: str, expected: ParsedHost) -> None:
    assert parse_host(text) == expected


async def test_blackvue_cannot_connect_then_recovers(
    hass: HomeAssistant, media: Path, dashcam: BlackVueSimulator, mock_setup_entry: AsyncMock
) -> None:
    await dashcam.stop()
    result = await start(hass, CameraKind.BLACKVUE)
    result = await submit(hass, result, host=f"127.0.0.1:{dashcam.port}")
    assert_form(result, "blackvue", {"base": "cannot_connect"})
    assert not (media / "camsync").exists()  # nothing is created for a camera that is not there

    await dashcam.restart()
    result = await submit(hass, result, host=f"127.0.0.1:{dashcam.port}")
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "BlackVue dashcam"


@pytest.mark.parametrize(
    ("destination", "error"),
    [
        ("{tmp}/elsewhere/dashcam", "destination_not_allowed"),  # outside the allowlist
        ("{media}/../elsewhere", "destination_not_allowed"),  # escapes it
        ("camsync/dashcam", "destination_not_allowed"),  # relative
        ("{media}/a-file/dashcam", "destination_not_writable"),  # its parent is a file
    ],
)
async def test_blackvue_destination_errors_then_recovers(
    hass: HomeAssistant,
    media: Path,
    tmp_path: Path,
    dashcam: BlackVueSimulator,
    mock_setup_entry: AsyncMock,
    destination: str,
    error: str,
) -> None:
    (media / "a-file").write_text("not a folder")
    path = destination.format(tmp=tmp_path, media=media)
    host = f"127.0.0.1:{dashcam.port}"
    result = await start(hass, CameraKind.BLACKVUE)
    result = await submit(hass, result, host=host, destination=path)
    assert_form(result, "blackvue", {CONF_DESTINATION: error})
    # A folder that is not allowed is refused before the camera is asked; whether it can be
    # created is checked only once the camera answered.
    assert bool(dashcam.requests) == (error == "destination_not_writable")

    custom = media / "archives" / "car"
    result = await submit(hass, result, host=host, destination=f" {custom} ")
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_DESTINATION] == str(custom)


@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "http://127.0.0.1:{port}/"])
async def test_blackvue_already_configured(
    hass: HomeAssistant,
    media: Path,
    dashcam: BlackVueSimulator,
    mock_setup_entry: AsyncMock,
    host: str,
) -> None:
    blackvue_entry(dashcam, media / "camsync" / "dashcam").add_to_hass(hass)
    result = await start(hass, CameraKind.BLACKVUE)
    result = await submit(hass, result, host=host.format(port=dashcam.port))

    assert_abort(result, "already_configured")
    assert len(hass.config_entries.async_entries(DOMAIN)) == 1


# -- Reolink --


async def test_reolink_creates_an_entry(
    hass: HomeAssistant, media: Path, reolink: ReolinkSimulator, mock_setup_entry: AsyncMock
) -> None:
    result = await start(hass, CameraKind.REOLINK)
    assert_form(result, "reolink", {})

    result = await submit(
        hass,
        result,
        host="127.0.0.1",
        port=float(reolink.port),  # the number selector gives floats
        password=PASSWORD,
        name="Front door",
    )

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Front door"
    assert result["data"] == {
        CONF_KIND: "reolink",
        CONF_HOST: "127.0.0.1",
        CONF_PORT: reolink.port,
        CONF_USE_HTTPS: False,
        CONF_USERNAME: "admin",
        CONF_PASSWORD: PASSWORD,
        CONF_CHANNEL: 0,
        CONF_DESTINATION: str(media / "camsync" / "front_door"),
        CONF_CAMERA_ID: "ec:71:db:12:34:56",  # devices and entities are keyed on it
    }
    assert result["options"] == default_options(CameraKind.REOLINK)
    assert result["result"].unique_id == normalise_mac(reolink.mac) == "ec:71:db:12:34:56"
    assert reolink.open_sessions == 0  # the flow logged out again


@pytest.mark.parametrize("in_address", [True, False], ids=["https-address", "https-fields"])
async def test_reolink_over_https(
    hass: HomeAssistant,
    media: Path,
    reolink_https: ReolinkSimulator,
    mock_setup_entry: AsyncMock,
    in_address: bool,
) -> None:
    port = reolink_https.port
    if in_address:  # the scheme and port of a pasted address win over the form's fields
        fields: dict[str, Any] = {"host": f"https://127.0.0.1:{port}", "use_https": False}
    else:
        fields = {"host": "127.0.0.1", "port": port, "use_https": True}
    result = await start(hass, CameraKind.REOLINK)
    result = await submit(hass, result, password=PASSWORD, **fields)

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_HOST] == "127.0.0.1"
    assert result["data"][CONF_PORT] == port
    assert result["data"][CONF_USE_HTTPS] is True
    assert result["result"].unique_id == normalise_mac(reolink_https.mac)


async def test_reolink_wrong_password_then_login_locked(
    hass: HomeAssistant, media: Path, mock_setup_entry: AsyncMock
) -> None:
    faults = ReolinkFaults(lock_after_failures=1)
    async with ReolinkSimulator(faults=faults) as camera:
        result = await start(hass, CameraKind.REOLINK)
        host = f"127.0.0.1:{camera.port}"

        result = await submit(hass, result, host=host, password="wrong")  # and now it locks
        assert_form(result, "reolink", {"base": "invalid_auth"})
        result = await submit(hass, result, host=host, password=PASSWORD)
        assert_form(result, "reolink", {"base": "login_locked"})

    mock_setup_entry.assert_not_awaited()


async def test_reolink_cannot_connect(
    hass: HomeAssistant, media: Path, reolink: ReolinkSimulator, mock_setup_entry: AsyncMock
) -> None:
    await reolink.stop()
    result = await start(hass, CameraKind.REOLINK)
    result = await submit(hass, result, host=f"127.0.0.1:{reolink.port}", password=PASSWORD)
    assert_form(result, "reolink", {"base": "cannot_connect"})
    assert suggested(result, CONF_PASSWORD) == PASSWORD


async def test_reolink_already_configured(
    hass: HomeAssistant, media: Path, reolink: ReolinkSimulator, mock_setup_entry: AsyncMock
) -> None:
    entry = reolink_entry(reolink, media / "old", host="192.0.2.1", port=80, use_https=True)
    entry.add_to_hass(hass)
    result = await start(hass, CameraKind.REOLINK)
    result = await submit(hass, result, host=f"127.0.0.1:{reolink.port}", password=PASSWORD)
    assert_abort(result, "already_configured")
    # The same camera (MAC) found at a new address: the entry follows it.
    assert entry.data[CONF_HOST] == "127.0.0.1"
    assert entry.data[CONF_PORT] == reolink.port
    assert entry.data[CONF_USE_HTTPS] is False
    assert entry.data[CONF_DESTINATION] == str(media / "old")


# -- options --

BLACKVUE_OPTIONS = {
    "auto_sync": False,
    "sync_interval": 15.0,
    "retention_days": 0.0,
    "disk_limit": 80.0,
    "keep_free": 2.5,
    "priority": "newest_first",
    "grouping": "monthly",
    "channels": ["F", "R"],
    "sidecars": False,
    "event_context": 2.0,
    "away_probe_interval": 20.0,
    "arrival_tracker": "person.driver",
    "skip_parking_zones": ["zone.home"],
}
REOLINK_OPTIONS = {
    "auto_sync": True,
    "sync_interval": 5.0,
    "retention_days": 14.0,
    "disk_limit": 95.0,
    "keep_free": 0.0,
    "kinds": ["person", "vehicle"],
    "priority": "oldest_first",
    "grouping": "none",
    "recording_sync": False,
    "stream": "sub",
    "days_back": 3.0,
    "snapshot_mode": "hourly",
    "snapshot_interval": 30.0,
    "event_context": 0.0,
    "away_probe_interval": 60.0,
}


@pytest.mark.parametrize(
    ("kind", "user_input", "stored"),
    [
        (
            CameraKind.BLACKVUE,
            BLACKVUE_OPTIONS,
            BLACKVUE_OPTIONS
            | {
                "sync_interval": 15,
                "retention_days": 0,
                "disk_limit": 80,
                "kinds": [],
                "event_context": 2,
                "away_probe_interval": 20,
            },
        ),
        (
            CameraKind.REOLINK,
            REOLINK_OPTIONS,
            REOLINK_OPTIONS
            | {
                "sync_interval": 5,
                "retention_days": 14,
                "disk_limit": 95,
                "days_back": 3,
                "snapshot_interval": 30,
                "event_context": 0,
                "away_probe_interval": 60,
            },
        ),
    ],
)
async def test_options_are_stored_and_reload_the_entry(
    hass: HomeAssistant,
    media: Path,
    mock_setup_entry: AsyncMock,
    kind: CameraKind,
    user_input: dict[str, Any],
    stored: dict[str, Any],
) -> None:
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Camera",
        data={CONF_KIND: kind.value, CONF_HOST: "192.0.2.1"},
        options={"sync_interval": 20},  # older entries may lack options
    )
    await add_entry(hass, entry)

    result = check_translated(await hass.config_entries.options.async_init(entry.entry_id))
    assert_form(result, "init", None)
    assert result["description_placeholders"] == {"title": "Camera"}  # "Camera: options"
    sections = {str(key) for key in result["data_schema"].schema}
    assert sections == (
        {"recordings", "storage", "snapshots", "arrival"}
        if kind is CameraKind.REOLINK
        else {"recordings", "storage", "arrival"}
    )
    # The optional arrival tracker has no default.
    assert set(fields_of(result)) == {*default_options(kind), "arrival_tracker"}
    assert suggested(result, "sync_interval") == 20
    assert suggested(result, "priority") == default_options(kind)["priority"]
    assert suggested(result, "keep_free") == 0

    result = await hass.config_entries.options.async_configure(
        result["flow_id"], in_sections(result, user_input)
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert dict(entry.options) == stored
    assert {key: type(value) for key, value in entry.options.items()} == {
        key: type(value) for key, value in stored.items()
    }  # whole numbers are ints, not the floats the number selector gives
    assert mock_setup_entry.await_count == 2  # reloaded
    assert entry.state is ConfigEntryState.LOADED


# -- reconfigure --


async def test_reconfigure_blackvue_to_another_host(
    hass: HomeAssistant,
    media: Path,
    dashcam: BlackVueSimulator,
    other_dashcam: BlackVueSimulator,
    mock_setup_entry: AsyncMock,
) -> None:
    entry = await add_entry(hass, blackvue_entry(dashcam, media / "camsync" / "dashcam"))
    result = check_translated(await entry.start_reconfigure_flow(hass))
    assert_form(result, "reconfigure", {})
    assert suggested(result, CONF_HOST) == f"127.0.0.1:{dashcam.port}"
    assert suggested(result, CONF_DESTINATION) == entry.data[CONF_DESTINATION]

    new_host = f"127.0.0.1:{other_dashcam.port}"
    result = await submit(hass, result, host=f"http://{new_host}", destination="")
    await hass.async_block_till_done()

    assert_abort(result, "reconfigure_successful")
    assert entry.unique_id == new_host
    assert dict(entry.data) == {
        CONF_KIND: "blackvue",
        CONF_HOST: new_host,
        CONF_DESTINATION: str(media / "camsync" / "dashcam"),  # empty: named after the title
    }
    assert entry.title == "Dashcam"
    assert mock_setup_entry.await_count == 2  # reloaded
    assert entry.state is ConfigEntryState.LOADED


async def test_reconfigure_to_the_host_of_another_entry(
    hass: HomeAssistant,
    media: Path,
    dashcam: BlackVueSimulator,
    other_dashcam: BlackVueSimulator,
    mock_setup_entry: AsyncMock,
) -> None:
    blackvue_entry(dashcam, media / "one").add_to_hass(hass)
    entry = blackvue_entry(other_dashcam, media / "two")
    entry.add_to_hass(hass)
    before = dict(entry.data)

    result = await entry.start_reconfigure_flow(hass)
    result = await submit(
        hass, result, host=f"127.0.0.1:{dashcam.port}", destination=str(media / "two")
    )

    assert_abort(result, "already_configured")
    assert dict(entry.data) == before
    assert entry.unique_id == f"127.0.0.1:{other_dashcam.port}"


async def test_reconfigure_shows_errors_until_the_input_works(
    hass: HomeAssistant, media: Path, dashcam: BlackVueSimulator, mock_setup_entry: AsyncMock
) -> None:
    entry = blackvue_entry(dashcam, media / "archive")
    entry.add_to_hass(hass)
    host = f"127.0.0.1:{dashcam.port}"
    result = await entry.start_reconfigure_flow(hass)

    result = await submit(hass, result, host="http://x/path")
    assert_form(result, "reconfigure", {CONF_HOST: "invalid_host"})
    assert suggested(result, CONF_HOST) == "http://x/path"  # what was typed, not the old host
    result = await submit(hass, result, host=host, destination="relative")
    assert_form(result, "reconfigure", {CONF_DESTINATION: "destination_not_allowed"})
    await dashcam.stop()
    result = await submit(hass, result, host=host, destination=str(media / "new"))
    assert_form(result, "reconfigure", {"base": "cannot_connect"})

    await dashcam.restart()
    result = await submit(hass, result, host=host, destination=str(media / "new"))
    assert_abort(result, "reconfigure_successful")
    assert entry.data[CONF_DESTINATION] == str(media / "new")


async def test_reconfigure_reolink_same_camera(
    hass: HomeAssistant, media: Path, reolink: ReolinkSimulator, mock_setup_entry: AsyncMock
) -> None:
    entry = reolink_entry(reolink, media / "door", host="192.0.2.1", port=None, password="old")
    await add_entry(hass, entry)
    result = await entry.start_reconfigure_flow(hass)
    assert_form(result, "reconfigure", {})
    assert suggested(result, CONF_HOST) == "192.0.2.1"
    assert suggested(result, CONF_PORT) is None

    result = await submit(
        hass,
        result,
        host=f"127.0.0.1:{reolink.port}",
        password=PASSWORD,
        channel=1.0,
        destination=str(media / "door"),
    )
    await hass.async_block_till_done()

    assert_abort(result, "reconfigure_successful")
    assert entry.unique_id == normalise_mac(reolink.mac)
    assert entry.data[CONF_HOST] == "127.0.0.1"
    assert entry.data[CONF_PORT] == reolink.port
    assert entry.data[CONF_PASSWORD] == PASSWORD
    assert entry.data[CONF_CHANNEL] == 1
    assert mock_setup_entry.await_count == 2  # reloaded


async def test_reconfigure_reolink_to_another_camera(
    hass: HomeAssistant,
    media: Path,
    reolink: ReolinkSimulator,
    other_reolink: ReolinkSimulator,
    mock_setup_entry: AsyncMock,
) -> None:
    entry = reolink_entry(reolink, media / "door")
    entry.add_to_hass(hass)
    before = dict(entry.data)
    result = await entry.start_reconfigure_flow(hass)
    result = await submit(
        hass,
        result,
        host="127.0.0.1",
        port=other_reolink.port,
        password=PASSWORD,
        destination=str(media / "door"),
    )

    assert_abort(result, "wrong_device")
    assert dict(entry.data) == before
    assert entry.unique_id == normalise_mac(reolink.mac)


# -- reauth --


async def test_reauth_with_the_new_password(
    hass: HomeAssistant, media: Path, reolink: ReolinkSimulator, mock_setup_entry: AsyncMock
) -> None:
    entry = await add_entry(hass, reolink_entry(reolink, media / "door", password="old-pass"))
    result = check_translated(await entry.start_reauth_flow(hass))
    assert_form(result, "reauth_confirm", {})
    assert result["description_placeholders"]["title"] == "Front yard"

    result = await submit(hass, result, password="still-wrong")
    assert_form(result, "reauth_confirm", {"base": "invalid_auth"})
    result = await submit(hass, result, username="admin", password=PASSWORD)
    await hass.async_block_till_done()

    assert_abort(result, "reauth_successful")
    assert entry.data[CONF_PASSWORD] == PASSWORD
    assert entry.data[CONF_PORT] == reolink.port
    assert entry.unique_id == normalise_mac(reolink.mac)
    assert mock_setup_entry.await_count == 2  # reloaded


async def test_reauth_does_not_check_the_destination(
    hass: HomeAssistant, media: Path, reolink: ReolinkSimulator, mock_setup_entry: AsyncMock
) -> None:
    """The reauth form has no destination field, so it could not show that error."""
    (media / "a-file").write_text("not a folder")
    unwritable = str(media / "a-file" / "door")
    entry = reolink_entry(reolink, Path(unwritable), password="old-pass")
    entry.add_to_hass(hass)
    result = await entry.start_reauth_flow(hass)
    result = await submit(hass, result, password=PASSWORD)

    assert_abort(result, "reauth_successful")
    assert entry.data[CONF_DESTINATION] == unwritable


async def test_reauth_against_another_camera(
    hass: HomeAssistant, media: Path, reolink: ReolinkSimulator, mock_setup_entry: AsyncMock
) -> None:
    entry = reolink_entry(reolink, media / "door", password="old-pass")
    entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(entry, unique_id=normalise_mac(OTHER_MAC))
    result = await entry.start_reauth_flow(hass)
    result = await submit(hass, result, password=PASSWORD)

    assert_abort(result, "wrong_device")
    assert entry.data[CONF_PASSWORD] == "old-pass"


# -- end to end --


async def test_a_new_dashcam_sets_up_for_real(
    hass: HomeAssistant, media: Path, dashcam: BlackVueSimulator
) -> None:
    result = await start(hass, CameraKind.BLACKVUE)
    result = await submit(hass, result, host=f"127.0.0.1:{dashcam.port}", name="Dashcam")
    await hass.async_block_till_done(wait_background_tasks=True)  # auto-sync is on: one sync

    assert result["type"] is FlowResultType.CREATE_ENTRY
    entry = result["result"]
    assert entry.state is ConfigEntryState.LOADED
    assert state_of(hass, "sensor.dashcam_pending_downloads") == "0"
    archived = {path.name for path in (media / "camsync" / "dashcam").rglob("*.mp4")}
    assert archived == set(dashcam.listed_names())

    options = default_options(CameraKind.BLACKVUE) | {CONF_AUTO_SYNC: False}
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], in_sections(result, options)
    )
    await hass.async_block_till_done()

    assert entry.options[CONF_AUTO_SYNC] is False
    assert entry.state is ConfigEntryState.LOADED
    assert entry.runtime_data.coordinator.settings.auto_sync is False
