"""What a sync's outcome and a listing mean in Home Assistant: status, repairs, errors, events."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events

from camera_simulators.blackvue import BlackVueSimulator
from custom_components.camsync.const import DOMAIN, EVENT_SYNC_FINISHED, SyncStatus
from custom_components.camsync.engine.errors import Outcome
from custom_components.camsync.engine.models import FileRole, Listing, SavedFile, SyncReport
from custom_components.camsync.outcomes import OUTCOMES
from tests.ha.conftest import call_action, state_of, sync_and_wait

STATUS = "sensor.dashcam_sync_status"


def _issue(hass: HomeAssistant, key: str, entry: MockConfigEntry) -> ir.IssueEntry | None:
    return ir.async_get(hass).async_get_issue(DOMAIN, f"{key}_{entry.entry_id}")


def test_every_outcome_has_a_rule_and_a_status() -> None:
    assert set(OUTCOMES) == set(Outcome)
    assert {rule.status for rule in OUTCOMES.values()} <= set(SyncStatus)
    assert OUTCOMES[Outcome.DOWNLOADS_WEDGED].status is SyncStatus.DOWNLOADS_WEDGED


def _fake_sync(reports: list[SyncReport]) -> Any:
    async def sync(*args: Any, **kwargs: Any) -> SyncReport:
        return reports.pop(0)

    return sync


async def test_wedged_downloads_ask_for_a_restart_until_a_file_is_saved(
    hass: HomeAssistant, entry: MockConfigEntry, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = datetime.now(UTC)
    wedged = SyncReport(
        started=now,
        finished=now,
        outcome=Outcome.DOWNLOADS_WEDGED,
        message="every download was reset",
        listed=3,
    )
    nothing_new = SyncReport(started=now, finished=now, listed=3)
    saved = SavedFile("a.mp4", "/x/a.mp4", FileRole.VIDEO, 1, now, "N", "F", False)
    recovered = SyncReport(started=now, finished=now, listed=3, saved=[saved])
    archive = entry.runtime_data.archive
    monkeypatch.setattr(archive, "sync", _fake_sync([wedged, nothing_new, recovered]))
    finished = async_capture_events(hass, EVENT_SYNC_FINISHED)

    with pytest.raises(HomeAssistantError) as raised:
        await sync_and_wait(hass, entry)
    assert raised.value.translation_key == "downloads_wedged"
    assert "Restart the camera" in str(raised.value)
    assert state_of(hass, STATUS) == "downloads_wedged"
    issue = _issue(hass, "downloads_wedged", entry)
    assert issue is not None
    assert issue.translation_placeholders["detail"] == "every download was reset"

    await sync_and_wait(hass, entry)  # completes, but saves nothing: no proof yet
    assert _issue(hass, "downloads_wedged", entry) is not None

    await sync_and_wait(hass, entry)
    assert _issue(hass, "downloads_wedged", entry) is None
    assert state_of(hass, STATUS) == "idle"
    assert [event.data["outcome"] for event in finished] == [
        "downloads_wedged",
        "completed",
        "completed",
    ]


async def test_an_unset_dashcam_clock_raises_a_repair_cleared_by_a_clean_listing(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    dashcam: BlackVueSimulator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    client = entry.runtime_data.client
    real = client.async_list_recordings
    unset = {"count": 4}

    async def listing(**kwargs: Any) -> Listing:
        return replace(await real(**kwargs), clock_unset=unset["count"])

    monkeypatch.setattr(client, "async_list_recordings", listing)
    await entry.runtime_data.coordinator.async_refresh()

    issue = _issue(hass, "dashcam_clock_unset", entry)
    assert issue is not None
    assert issue.translation_placeholders["detail"] == "4"

    unset["count"] = 0
    await call_action(hass, "sync", config_entry_id=entry.entry_id, wait=True)
    assert _issue(hass, "dashcam_clock_unset", entry) is None
