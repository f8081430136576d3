"""What HACS and hassfest check, checked here: manifests, brand images, translations, services."""

from __future__ import annotations

import json
from pathlib import Path
import re
from typing import Any

from awesomeversion import AwesomeVersion, AwesomeVersionStrategy
from PIL import Image
import pytest
import yaml

ROOT = Path(__file__).parent.parent
PACKAGE = ROOT / "custom_components" / "camsync"
HACS_KEYS = {
    "name",
    "content_in_root",
    "zip_release",
    "filename",
    "hide_default_branch",
    "country",
    "homeassistant",
    "hacs",
    "persistent_directory",
    "render_readme",
}
REQUIRED_MANIFEST = {
    "domain",
    "name",
    "codeowners",
    "config_flow",
    "documentation",
    "integration_type",
    "iot_class",
    "issue_tracker",
    "requirements",
    "version",
}


def _json(path: Path) -> Any:
    return json.loads(path.read_text())


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    return _json(PACKAGE / "manifest.json")


@pytest.fixture(scope="module")
def strings() -> dict[str, Any]:
    return _json(PACKAGE / "translations" / "en.json")


@pytest.fixture(scope="module")
def services() -> dict[str, Any]:
    return yaml.safe_load((PACKAGE / "services.yaml").read_text())


def test_manifest_keys_order_and_values(manifest: dict[str, Any]) -> None:
    keys = list(manifest)
    assert keys[:2] == ["domain", "name"]
    assert keys[2:] == sorted(keys[2:])
    assert set(manifest) >= REQUIRED_MANIFEST
    assert manifest["domain"] == PACKAGE.name
    assert manifest["config_flow"] is True
    assert manifest["integration_type"] == "device"
    assert manifest["iot_class"] == "local_polling"
    assert manifest["documentation"].startswith("https://")
    assert manifest["issue_tracker"].startswith("https://")
    assert manifest["codeowners"]
    # The camera clients are part of the integration; S3 mirrors use aiobotocore, the client Home
    # Assistant's own aws_s3 and cloudflare_r2 use: 2026.2 pins 2.21.1, 2026.10 pins 3.7.0.
    assert manifest["requirements"] == ["aiobotocore>=2.21.1,<4"]
    version = AwesomeVersion(manifest["version"])
    assert version.strategy in (AwesomeVersionStrategy.SEMVER, AwesomeVersionStrategy.CALVER)


def test_hacs_json() -> None:
    hacs = _json(ROOT / "hacs.json")
    assert hacs["name"]
    assert set(hacs) <= HACS_KEYS
    assert AwesomeVersion(hacs["homeassistant"]) <= AwesomeVersion("2026.2.3")


def test_exactly_one_manifest_and_one_integration() -> None:
    skip = {".venv", "config", ".git", "node_modules"}
    manifests = [
        path for path in ROOT.rglob("manifest.json") if not skip & set(path.relative_to(ROOT).parts)
    ]
    assert manifests == [PACKAGE / "manifest.json"]
    integrations = [
        p.name
        for p in (ROOT / "custom_components").iterdir()
        if p.is_dir() and p.name != "__pycache__"
    ]
    assert integrations == ["camsync"]


def test_brand_images() -> None:
    with Image.open(PACKAGE / "brand" / "icon.png") as icon:
        assert (icon.format, icon.size) == ("PNG", (256, 256))
    with Image.open(PACKAGE / "brand" / "icon@2x.png") as icon:
        assert (icon.format, icon.size) == ("PNG", (512, 512))
    with Image.open(PACKAGE / "brand" / "logo.png") as logo:
        assert logo.format == "PNG"
        assert 128 <= min(logo.size) <= 256


def test_every_service_and_field_is_translated_and_has_an_icon(
    services: dict[str, Any], strings: dict[str, Any]
) -> None:
    icons = _json(PACKAGE / "icons.json")["services"]
    assert set(services) == set(strings["services"]) == set(icons)
    for name, service in services.items():
        translated = strings["services"][name]
        assert translated["name"]
        assert translated["description"]
        assert set(service.get("fields", {})) == set(translated.get("fields", {}))
        for field in translated.get("fields", {}).values():
            assert field["name"]
            assert field["description"]


def test_every_form_field_has_a_label_and_a_description(strings: dict[str, Any]) -> None:
    fix_flows = [issue["fix_flow"] for issue in strings["issues"].values() if "fix_flow" in issue]
    steps = [
        *strings["config"]["step"].items(),
        *strings["options"]["step"].items(),
        *(item for flow in fix_flows for item in flow["step"].items()),
        *(
            item
            for subentry in strings["config_subentries"].values()
            for item in subentry["step"].items()
        ),
    ]
    steps += [
        (f"{step_id}.{name}", part)
        for step_id, step in list(steps)
        for name, part in step.get("sections", {}).items()
    ]
    for step_id, step in steps:
        data = step.get("data", {})
        assert set(data) == set(step.get("data_description", {})), step_id
        assert all(data.values()), step_id


def test_a_repair_is_either_fixable_or_described(strings: dict[str, Any]) -> None:
    """Hassfest: an issue has a description or a fix flow, never both."""
    for key, issue in strings["issues"].items():
        assert ("description" in issue) != ("fix_flow" in issue), key


def test_no_translation_uses_plural_syntax(strings: dict[str, Any]) -> None:
    """No ICU plural forms: Home Assistant 2026.2 to 2026.10 cannot use them.

    It parses translations with str.format (``{count, plural, ...}`` is logged as an error),
    and the frontend formats units and states without a count.
    """
    import string

    def walk(node: Any, path: str) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                walk(value, f"{path}.{key}")
        else:
            list(string.Formatter().parse(node))  # raises on ICU syntax
            assert "plural," not in node, path

    walk(strings, "")


def test_every_error_the_code_raises_is_translated(strings: dict[str, Any]) -> None:
    source = "\n".join(path.read_text() for path in PACKAGE.rglob("*.py"))
    exceptions = set(strings["exceptions"])
    from custom_components.camsync.outcomes import OUTCOMES

    used = set(re.findall(r'_validation_error\(\s*"(\w+)"', source))
    used |= set(
        re.findall(
            r'(?:Error|NotReady)\(\s*translation_domain=DOMAIN,\s*translation_key="(\w+)"', source
        )
    )
    used |= {rule.error_key for rule in OUTCOMES.values()}
    assert {"downloads_wedged", "sync_running", "migration_unresolved"} <= used
    assert used <= exceptions
    flows = "\n".join(
        path.read_text() for path in PACKAGE.rglob("*.py") if path.name != "mirror_flow.py"
    )  # the mirror subentry flow has its own errors (test_every_mirror_form_error_is_translated)
    form_errors = set(re.findall(r'"(?:base|host|destination)": "(\w+)"', flows))
    form_errors |= set(re.findall(r'return "(destination_not_\w+)"', source))
    assert form_errors <= set(strings["config"]["error"])
    config_flows = "\n".join(
        path.read_text() for path in PACKAGE.rglob("*.py") if path.name != "repairs.py"
    )
    aborts = set(re.findall(r'reason="(\w+)"', config_flows)) | {"already_configured"}
    assert aborts <= set(strings["config"]["abort"])
    repairs = (PACKAGE / "repairs.py").read_text()
    fix_flow = strings["issues"]["disk_limit_reached"]["fix_flow"]
    assert set(re.findall(r'reason="(\w+)"', repairs)) <= set(fix_flow["abort"])
    assert set(re.findall(r'errors\["base"\] = "(\w+)"', repairs)) == set(fix_flow["error"])


def test_every_mirror_form_error_is_translated(strings: dict[str, Any]) -> None:
    from custom_components.camsync.engine.mirrors import MirrorReason

    mirror = strings["config_subentries"]["mirror"]
    source = (PACKAGE / "mirror_flow.py").read_text()
    used = set(re.findall(r': "(\w+)"\}', source)) | {reason.value for reason in MirrorReason}
    assert {"folder_required", "folder_not_allowed", "overlaps_mirror"} <= used
    assert used <= set(mirror["error"])
    assert {"reconfigure_successful", "already_configured"} <= set(mirror["abort"])
    assert set(mirror["step"]["user"]["menu_options"]) == {"folder", "s3"}


def test_entity_translations_exist(strings: dict[str, Any]) -> None:
    from custom_components.camsync.button import BUTTONS
    from custom_components.camsync.engine.mirrors import MirrorStatus
    from custom_components.camsync.mirror_entities import MIRROR_SENSORS
    from custom_components.camsync.sensor import SENSORS
    from custom_components.camsync.switch import SWITCHES

    icons = _json(PACKAGE / "icons.json")["entity"]
    for platform, descriptions in (("button", BUTTONS), ("switch", SWITCHES)):
        keys = {description.translation_key for description in descriptions}
        assert keys == set(strings["entity"][platform]) == set(icons[platform]), platform
        assert all(strings["entity"][platform][key]["name"] for key in keys)
    sensors = strings["entity"]["sensor"]
    keys = {description.translation_key for description in (*SENSORS, *MIRROR_SENSORS)}
    assert keys == set(sensors)
    assert set(icons["sensor"]) <= set(sensors)
    assert set(sensors["mirror_status"]["state"]) == {status.value for status in MirrorStatus}
    assert set(sensors["sync_status"]["state"]) == {
        "idle",
        "syncing",
        "offline",
        "disk_full",
        "downloads_wedged",
        "error",
    }


def test_every_repair_issue_is_translated(strings: dict[str, Any]) -> None:
    from custom_components.camsync import issues, mirror_issues

    keys = {
        value
        for name, value in vars(issues).items()
        if name.isupper() and isinstance(value, str) and name not in ("DOMAIN", "CONF_DESTINATION")
    }
    assert keys == {
        "disk_limit_reached",
        "destination_not_writable",
        "downloads_wedged",
        "dashcam_clock_unset",
        "duplicate_camera",
    }
    # A failing mirror's issue says its reason in words: one translation per reason.
    assert len(mirror_issues.translation_keys()) == 21
    assert keys | mirror_issues.translation_keys() == set(strings["issues"])
    for key in mirror_issues.translation_keys():
        assert strings["issues"][key]["title"]
        assert strings["issues"][key]["description"]


def test_every_select_option_is_translated(strings: dict[str, Any]) -> None:
    from homeassistant.helpers.selector import SelectSelector

    from custom_components.camsync.config_flow import _options_schema
    from custom_components.camsync.const import CameraKind
    from custom_components.camsync.mirror_flow import _s3_schema

    seen: set[str] = set()
    schemas = [  # the options are grouped in sections, each with its schema
        part.schema for kind in CameraKind for part in _options_schema(kind).schema.values()
    ]
    schemas.append(_s3_schema(editing=False))
    for schema in schemas:
        for selector in schema.schema.values():
            if not isinstance(selector, SelectSelector):
                continue
            key = selector.config["translation_key"]
            options = {str(option) for option in selector.config["options"]}
            assert set(strings["selector"][key]["options"]) == options, key
            seen.add(key)
    assert seen == set(strings["selector"])


def test_services_target_camsync_devices(services: dict[str, Any]) -> None:
    for service in services.values():
        assert service["target"] == {"device": {"integration": "camsync"}}
        assert service["fields"]["config_entry_id"]["selector"] == {
            "config_entry": {"integration": "camsync"}
        }


def test_config_schema_and_platform_parallel_updates() -> None:
    init = (PACKAGE / "__init__.py").read_text()
    assert "CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)" in init
    for platform in ("button.py", "camera.py", "sensor.py", "switch.py"):
        assert "PARALLEL_UPDATES = 0" in (PACKAGE / platform).read_text()


def test_every_kind_and_direction_has_a_media_title_word(strings: dict[str, Any]) -> None:
    from custom_components.camsync.kinds import PROFILES

    common = strings["common"]
    for profile in PROFILES.values():
        for kind in profile.recording_kinds:
            assert common[f"kind_{kind.lower()}"], kind
        for channel in profile.channels:
            assert common[f"channel_{channel.lower()}"], channel
    assert all(key == key.lower() and value for key, value in common.items())


def test_the_blueprint_lives_outside_the_integration() -> None:
    blueprint = ROOT / "blueprints" / "automation" / "camsync" / "event_notification.yaml"
    assert blueprint.is_file()
    # The integration holds services.yaml and the quality scale, no blueprint for hassfest.
    assert {path.name for path in PACKAGE.rglob("*.yaml")} == {
        "services.yaml",
        "quality_scale.yaml",
    }
