"""``scripts/develop`` from a clean start: a log without errors, and a Media panel that plays.

The test runs the script as a person would (into a fresh config folder, on free ports of
127.0.0.1), waits until both demo cameras are loaded and synced, and then checks:

- Home Assistant's new log has no ERROR line and no traceback (onboarding used to set up met,
  radio_browser and google_translate, which fail offline with four errors and tracebacks);
- the Media panel plays a demo clip: in Debian's chromium, My media > camsync > the dashcam >
  recordings > a day > a recording opens a video whose ``currentTime`` advances.

Ctrl-C (SIGINT) then stops everything the script started. Screenshots go to the e2e artifacts.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
import os
from pathlib import Path
import re
import signal
import subprocess
import time
from typing import Any

import aiohttp
import pytest

from tests.e2e.harness import REPO, bootstrap, free_port, stop_process
from tests.e2e.test_browser import (  # the browser fixtures and helpers of the browser test
    CHROMIUM,
    CHROMIUM_FLAGS,
    UI_TIMEOUT_MS,
    Steps,
    artifacts,  # noqa: F401  (a fixture)
    assert_no_raw_keys,
    video_playing,
)

# Only the min target installs the browser stack; elsewhere the e2e tests are not collected.
async_playwright = pytest.importorskip("playwright.async_api").async_playwright

pytestmark = pytest.mark.e2e

PASSWORD = "develop-e2e"  # a throwaway owner of a throwaway instance
READY = "camsync is running."
START_TIMEOUT = 300.0  # seconds: setup (installed already), clips, Home Assistant, onboarding
SYNC_TIMEOUT = 120.0
LOG_ERROR = re.compile(r"^\S+ \S+ (ERROR|CRITICAL) |Traceback \(most recent call last\)", re.M)


@dataclass
class Develop:
    """A running ``scripts/develop``."""

    process: subprocess.Popen[bytes]
    config: Path
    url: str
    output: Path

    def log(self) -> str:
        """Return Home Assistant's log so far."""
        path = self.config / "home-assistant.log"
        return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""


@pytest.fixture
def develop(tmp_path: Path, artifacts: Path) -> Iterator[Develop]:  # noqa: F811
    """Start scripts/develop in a new config folder; stop it with Ctrl-C (SIGINT) after."""
    config = tmp_path / "config"
    ports = {name: free_port() for name in ("HA", "BLACKVUE", "REOLINK")}
    environment = (
        os.environ
        | {f"CAMSYNC_{name}_PORT": str(port) for name, port in ports.items()}
        | {"CAMSYNC_CONFIG_DIR": str(config), "CAMSYNC_DEMO_PASSWORD": PASSWORD}
    )
    output = artifacts / "develop-output.log"
    with output.open("wb") as sink:
        process = subprocess.Popen(
            ["scripts/develop"],
            cwd=REPO,
            env=environment,
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    running = Develop(process, config, f"http://127.0.0.1:{ports['HA']}", output)
    try:
        yield running
    finally:
        if process.poll() is None:
            os.kill(process.pid, signal.SIGINT)  # what Ctrl-C does: the script stops its children
            try:
                process.wait(60)
            except subprocess.TimeoutExpired:
                stop_process(process)
        if (log := config / "home-assistant.log").exists():
            (artifacts / "develop-home-assistant.log").write_bytes(log.read_bytes())
    assert process.returncode in (0, 130), f"scripts/develop exited with {process.returncode}"


def _wait_for_output(develop: Develop, text: str, limit: float) -> None:
    deadline = time.monotonic() + limit
    while text not in develop.output.read_text(errors="replace"):
        if develop.process.poll() is not None:
            pytest.fail(
                f"scripts/develop exited ({develop.process.returncode}): see {develop.output}"
            )
        if time.monotonic() > deadline:
            pytest.fail(
                f"scripts/develop did not say {text!r} in {limit:.0f} s: see {develop.output}"
            )
        time.sleep(0.5)


async def _wait_synced(develop: Develop, token: str) -> list[dict[str, Any]]:
    """Wait until every camsync sync status is idle and nothing is pending; return the states."""
    deadline = time.monotonic() + SYNC_TIMEOUT
    async with aiohttp.ClientSession() as session:
        while True:
            states = await bootstrap.api(session, "GET", f"{develop.url}/api/states", token)
            statuses = [s for s in states if s["entity_id"].endswith("_sync_status")]
            pending = [s for s in states if s["entity_id"].endswith("_pending_downloads")]
            if (
                len(statuses) == 2
                and all(s["state"] == "idle" for s in statuses)
                and all(s["state"] == "0" for s in pending)
            ):
                return states
            if time.monotonic() > deadline:
                pytest.fail(f"the demo did not sync in {SYNC_TIMEOUT:.0f} s: {statuses} {pending}")
            await asyncio.sleep(1)


@pytest.fixture
async def browser_page() -> AsyncIterator[Any]:
    """Return a page of Debian's chromium (loopback only, as in the browser test)."""
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_FLAGS
        )
        try:
            context = await browser.new_context(viewport={"width": 1280, "height": 900})
            context.set_default_timeout(UI_TIMEOUT_MS)
            yield await context.new_page()
            await context.close()
        finally:
            await browser.close()


async def test_a_fresh_develop_start_logs_no_error_and_its_media_panel_plays(
    develop: Develop,
    browser_page: Any,
    artifacts: Path,  # noqa: F811
) -> None:
    _wait_for_output(develop, READY, START_TIMEOUT)
    token = (develop.config / "demo-token.txt").read_text().strip()
    await _wait_synced(develop, token)

    errors = [match.group(0) for match in LOG_ERROR.finditer(develop.log())]
    assert not errors, f"a fresh start logged errors (see {artifacts}): {errors}"
    entries = (develop.config / ".storage" / "core.config_entries").read_text()
    for extra in ("met", "radio_browser", "google_translate"):
        assert f'"domain": "{extra}"' not in entries, extra

    page, ui = browser_page, Steps(browser_page, artifacts)
    async with ui.step("develop_login"):
        await page.goto(develop.url)
        await page.locator("input[name=username]").fill(bootstrap.DEMO_USERNAME)
        await page.locator("input[name=password]").fill(PASSWORD)
        await page.get_by_role("button", name="Log in").click()
        await page.locator("ha-sidebar").wait_for()

    async with ui.step("develop_media_panel"):
        await page.goto(f"{develop.url}/media-browser/browser")
        for title in ("My media", "camsync", "demo_dashcam", "recordings"):
            await open_media_item(page, title)
        days = page.locator("ha-media-player-browse .child .title")
        await days.first.wait_for()
        newest_day = sorted([text.strip() for text in await days.all_inner_texts()])[-1]
        await open_media_item(page, newest_day)
        await assert_no_raw_keys(page, "the Media panel")

    async with ui.step("develop_clip_playing"):
        clip = page.locator("ha-media-player-browse .child .title", has_text=".mp4").first
        await clip.click()
        await video_playing(page)

    # Ctrl-C: the fixture stops the script, which stops Home Assistant and both simulators.


async def open_media_item(page: Any, title: str) -> None:
    """Open the Media panel folder called ``title`` and wait until its items show."""
    before = page.url
    await page.locator("ha-media-player-browse .child .title", has_text=title).first.click()
    await page.wait_for_function("(before) => location.href !== before", arg=before)
    await page.locator("ha-media-player-browse .child .title").first.wait_for()
