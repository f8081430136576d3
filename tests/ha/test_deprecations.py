"""The check that fails a test when Home Assistant reports a deprecated call made by camsync.

The autouse fixture ``deprecation_reports`` (tests/conftest.py) watches every test; these tests
make such calls on purpose, from code that Home Assistant takes for camsync's (its frame check
goes by the file name), and prove that the fixture sees them and would fail the test.
"""

from __future__ import annotations

from pathlib import Path

from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

import custom_components.camsync
from custom_components.camsync.const import DOMAIN
from tests.deprecation_reports import DeprecationReports

CAMSYNC = Path(custom_components.camsync.__file__).parent


def run_as_camsync(source: str, module: str, **names: object) -> None:
    """Run ``source`` as if it were the camsync module ``module``.py."""
    exec(compile(source, str(CAMSYNC / f"{module}.py"), "exec"), dict(names))


async def test_a_deprecated_call_from_camsync_fails_the_test(
    hass: HomeAssistant, deprecation_reports: DeprecationReports
) -> None:
    deprecated_call = (
        "from homeassistant.helpers.frame import report_usage\n"
        "report_usage('calls a deliberately deprecated helper', breaks_in_ha_version='2099.1')\n"
    )
    run_as_camsync(deprecated_call, "deliberately_deprecated")

    (report,) = deprecation_reports.reports
    assert "Detected that custom integration 'camsync' calls a deliberately deprecated" in report
    assert "custom_components/camsync/deliberately_deprecated.py, line 2" in report
    with pytest.raises(pytest.fail.Exception, match="deprecated calls from camsync"):
        deprecation_reports.verify()  # what the fixture does when the test ends
    assert deprecation_reports.reports == []


async def test_reports_about_other_code_are_left_alone(
    hass: HomeAssistant, deprecation_reports: DeprecationReports
) -> None:
    other = Path("/srv/custom_components/other_integration/sensor.py")
    exec(
        compile(
            "from homeassistant.helpers.frame import report_usage\n"
            "report_usage('calls something old')\n",
            str(other),
            "exec",
        ),
        {},
    )
    assert deprecation_reports.reports == []


@pytest.mark.skipif(
    not hasattr(dr.DeviceRegistry, "async_get_device_by_identifier"),
    reason="device_registry.async_get_device is deprecated from Home Assistant 2026.8 on",
)
async def test_the_old_device_lookup_would_be_caught(
    hass: HomeAssistant, deprecation_reports: DeprecationReports
) -> None:
    """What camsync did before compat.async_get_entry_device, reported on current releases."""
    entry = MockConfigEntry(domain=DOMAIN)
    entry.add_to_hass(hass)
    registry = dr.async_get(hass)
    registry.async_get_or_create(config_entry_id=entry.entry_id, identifiers={(DOMAIN, "x")})

    run_as_camsync(
        "registry.async_get_device(identifiers={(DOMAIN, 'x')})\n",
        "old_lookup",
        registry=registry,
        DOMAIN=DOMAIN,
    )

    (report,) = deprecation_reports.expect("async_get_device")
    assert "custom_components/camsync/old_lookup.py, line 1" in report
