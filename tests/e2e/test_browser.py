"""camsync in a real Home Assistant, set up and used through its UI in Debian's chromium.

The test starts Home Assistant as a subprocess (``scripts/dev_bootstrap.py hass``, as
``scripts/develop`` does) with this repository's camsync and a simulated BlackVue dashcam in this
process, completes onboarding through the REST API, and then does what a person would in the
browser: log in, add camsync from Settings > Devices & services, fill the BlackVue form, check the
device page (the camera and its sensors, with human-readable names), run ``camsync.sync`` ("Sync
now") from Settings > Developer tools > Actions, and watch "Pending downloads" reach 0. Then the
Media panel: camsync > the dashcam > its newest day shows readable titles ("08:15 · Normal ·
Front") and a thumbnail on every item, and a recording (a real clip) plays; a Reolink camera's
snapshots make today's timelapse (``camsync.timelapse``), which plays from camsync > the camera >
Timelapses. A missing thumbnail, a raw translation key or a video that does not advance fails it.

Every step ends with a screenshot in ``tests/.artifacts/e2e/<timestamp>/`` (printed when the test
starts); a step whose page does not render within its timeout fails the test, with a ``-FAILED``
screenshot. Home Assistant's log is copied there too.

The browser is Debian's ``/usr/bin/chromium`` (scripts/setup installs it with apt-get), driven by
Playwright's Python package: no browser is ever downloaded, and every request that does not go to
127.0.0.1 is blocked (brand icons come from a CDN; camsync's own are served from its brand folder).
Deselect with ``-m "not e2e"``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
import contextlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
import os
from pathlib import Path
import re
import shutil
import subprocess
import sys
import time
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import aiohttp
import pytest

from camera_simulators.__main__ import demo_journeys
from camera_simulators.blackvue import BlackVueSimulator, journey_recordings, make_recordings
from camera_simulators.clips import ClipLibrary, make_demo_clips
from camera_simulators.reolink import ReolinkSimulator, make_reolink_recordings
from camera_simulators.route import HOME, DashcamGps, Journey, grid_point
from custom_components.camsync.connection import dashcam_time_zone
from tests.e2e.harness import REPO, bootstrap, free_port, small_disk, stop_process
from tests.reolink_fixtures import REOLINK_PASSWORD

try:
    from playwright.async_api import Page, Route, async_playwright, expect
except ImportError:  # the test fails with the reason instead of being skipped
    HAVE_PLAYWRIGHT = False
else:
    HAVE_PLAYWRIGHT = True

pytestmark = pytest.mark.e2e

ARTIFACTS = REPO / "tests" / ".artifacts" / "e2e"
CLIPS = REPO / "tests" / ".artifacts" / "clips"  # playable clips, made once and kept
DOCS = REPO / "docs"
DOCS_HEIGHT = 1400  # pixels: the README's screenshots show a whole device page
KEEP_RUNS = 10
BRAND = REPO / "custom_components" / "camsync" / "brand"
CHROMIUM = Path("/usr/bin/chromium")
# What works here (as root, on a machine with no network but loopback): no sandbox, and nothing
# that phones home (the background-networking flags), so no connection is even attempted.
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
USERNAME = "e2e"
PASSWORD = "e2e-password"  # a throwaway owner of a throwaway instance
CAMERA = "E2E dashcam"
REOLINK_CAMERA = "E2E Reolink"
HASS_START_TIMEOUT = 90.0
UI_TIMEOUT_MS = 20_000
SYNC_TIMEOUT_MS = 30_000
SENSOR_NAMES = (
    "Last capture",
    "Last successful sync",
    "Last attempt",
    "Pending downloads",
    "Sync progress",
    "Sync status",
    "Archive size",
    "Free disk space",
)
# What an untranslated string looks like on the page: a translation key, or a bare sensor key.
RAW_KEY = re.compile(
    r"component\.camsync|entity\.(?:sensor|button|switch|camera)\.|config\.step\.|"
    r"options\.step\.|fix_flow\.|\[%key:|"
    r"(?<![\w.])(?:sync_status|pending_downloads|pending_bytes|free_disk|last_capture|last_sync|"
    r"sync_progress|archive_size|last_success|last_attempt|sync_now|auto_sync|"
    r"scheduled_snapshots|raise_limit|keep_free|disk_limit)(?![\w.])|"
    r"Translation error|\{[a-z_]+\}"
)
# Every text node on the page, through open shadow roots (Home Assistant's UI is web components).
PAGE_TEXT_JS = """() => {
  const texts = [];
  const walk = (root) => {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const tag = node.parentElement ? node.parentElement.tagName : "";
      const text = node.textContent.trim();
      if (text && tag !== "STYLE" && tag !== "SCRIPT") texts.push(text);
    }
    for (const element of root.querySelectorAll("*")) {
      if (element.shadowRoot) walk(element.shadowRoot);
    }
  };
  walk(document);
  return texts.join("\\n");
}"""


# --- Fixtures ---------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _browser_installed() -> None:
    """Fail at once, with the reason, when the browser or its driver is missing (never skip)."""
    if not HAVE_PLAYWRIGHT:
        pytest.fail("playwright is not installed: run scripts/setup (requirements_test.txt)")
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: scripts/setup installs Debian's chromium with "
            "'apt-get install --no-install-recommends chromium' (as root); see its output."
        )


@pytest.fixture
def artifacts(capsys: pytest.CaptureFixture[str]) -> Path:
    """Return this run's screenshot folder, and print it even when pytest captures output.

    The folders of older runs are removed but for the newest few.
    """
    folder = ARTIFACTS / datetime.now().strftime("%Y%m%d-%H%M%S")
    folder.mkdir(parents=True, exist_ok=True)
    for old in sorted(path for path in ARTIFACTS.iterdir() if path.is_dir())[:-KEEP_RUNS]:
        shutil.rmtree(old, ignore_errors=True)
    with capsys.disabled():
        sys.stdout.write(f"\ne2e screenshots and logs: {folder}\n")
    return folder


def camera_now() -> datetime:
    """Return the dashcam's wall clock now: Home Assistant's standard offset (set at onboarding)."""
    local = datetime.now(ZoneInfo(bootstrap.local_time_zone()))
    return datetime.now(dashcam_time_zone(local)).replace(tzinfo=None, microsecond=0)


@pytest.fixture
async def dashcam() -> AsyncIterator[BlackVueSimulator]:
    """Return a simulated dashcam (in this process) with two recordings from the last hours."""
    recordings = make_recordings(
        2, start=camera_now() - timedelta(hours=3), step=timedelta(hours=1)
    )
    async with BlackVueSimulator(recordings) as simulator:
        yield simulator


@pytest.fixture(scope="session")
def clips() -> ClipLibrary:
    """Return two real, playable H.264 clips (made once with PyAV, a second each; then kept)."""
    return ClipLibrary.from_paths(make_demo_clips(CLIPS, count=2))


@dataclass
class HomeAssistant:
    """A Home Assistant subprocess and what the test knows about it."""

    url: str
    config: Path
    media: Path
    process: subprocess.Popen[bytes]
    small_disk: bool = False
    """Whether the media folder is on a small file system of its own (a disk a test can fill)."""
    token: str = ""
    session: aiohttp.ClientSession | None = field(default=None, repr=False)

    async def api(self, method: str, path: str, payload: dict[str, Any] | None = None) -> Any:
        """Call the REST API as the owner."""
        assert self.session is not None
        return await bootstrap.api(self.session, method, f"{self.url}{path}", self.token, payload)


def write_config(config: Path, media: Path, port: int) -> None:
    """Write a configuration like scripts/develop's: offline, camsync from this repository."""
    (config / "custom_components").mkdir(parents=True)
    (config / "custom_components" / "camsync").symlink_to(REPO / "custom_components" / "camsync")
    media.mkdir(exist_ok=True)
    bootstrap.skip_onboarding_extras(config)  # as scripts/develop: no failing extras, no ERROR
    (config / "configuration.yaml").write_text(
        f"""
homeassistant:
  media_dirs:
    local: {media}
frontend:
config:
history:
logbook:
media_source:
http:
  server_host: 127.0.0.1
  server_port: {port}
logger:
  default: warning
  logs:
    custom_components.camsync: debug
""",
        encoding="utf-8",
    )


@pytest.fixture
def media_disk(tmp_path: Path) -> Iterator[tuple[Path, bool]]:
    """Return the media folder, on a 64 MB file system of its own where the test may mount one."""
    with small_disk(tmp_path / "disk") as mounted:
        yield tmp_path / "disk" / "media", mounted


@pytest.fixture
async def home_assistant(
    tmp_path: Path, artifacts: Path, media_disk: tuple[Path, bool]
) -> AsyncIterator[HomeAssistant]:
    """Start Home Assistant on a free port of 127.0.0.1 and complete onboarding via the API."""
    port = free_port()
    config, (media, mounted) = tmp_path / "config", media_disk
    write_config(config, media, port)
    console = (artifacts / "hass-console.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "scripts/dev_bootstrap.py", "hass", "-c", str(config), "--skip-pip"],
        cwd=REPO,
        stdin=subprocess.DEVNULL,
        stdout=console,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, stopped as a whole
    )
    hass = HomeAssistant(f"http://127.0.0.1:{port}", config, media, process, mounted)
    try:
        async with aiohttp.ClientSession() as session:
            hass.session = session
            try:
                await bootstrap.wait_until_up(session, hass.url, HASS_START_TIMEOUT)
            except bootstrap.BootstrapError as err:
                code = process.poll()
                state = "still running" if code is None else f"exited with {code}"
                pytest.fail(f"Home Assistant ({state}) did not start: {err}; see {artifacts}")
            hass.token = await bootstrap.onboard(
                session, hass.url, bootstrap.Login(USERNAME, PASSWORD, "E2E")
            )
            yield hass
    finally:
        stop_process(process)
        console.close()
        log = config / "home-assistant.log"
        if log.exists():
            (artifacts / "home-assistant.log").write_bytes(log.read_bytes())


async def _route_offline(route: Route) -> None:
    """Let requests to 127.0.0.1 through; serve camsync's brand icons; block everything else."""
    url = urlsplit(route.request.url)
    if url.hostname in {"127.0.0.1", "localhost"}:
        await route.continue_()
    elif "/camsync/" in url.path and (BRAND / Path(url.path).name).is_file():
        await route.fulfill(path=BRAND / Path(url.path).name)
    else:
        await route.abort("blockedbyclient")


@pytest.fixture
async def page(home_assistant: HomeAssistant) -> AsyncIterator[Page]:
    """Return a page of Debian's chromium, headless, that reaches only 127.0.0.1."""
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_FLAGS
        )
        try:
            context = await browser.new_context(viewport={"width": 1280, "height": 900})
            context.set_default_timeout(UI_TIMEOUT_MS)
            await context.route("**/*", _route_offline)
            yield await context.new_page()
            await context.close()
        finally:
            await browser.close()


# --- Steps and screenshots --------------------------------------------------------------------


@dataclass
class Steps:
    """Numbered steps, each ending in a screenshot (``-FAILED`` when the step failed).

    A step given a ``docs`` name also leaves its screenshot in ``docs/`` when the environment
    has ``CAMSYNC_DOCS_SCREENSHOTS=1`` (how the README's pictures are made).
    """

    page: Page
    folder: Path
    count: int = 0
    started: float = field(default_factory=time.monotonic)

    async def screenshot(self, name: str) -> Path:
        """Save a screenshot of the whole page as ``NN_name.png``."""
        self.count += 1
        path = self.folder / f"{self.count:02d}_{name}.png"
        await self.page.screenshot(path=path, full_page=True)
        return path

    @contextlib.asynccontextmanager
    async def step(self, name: str, docs: str | None = None) -> AsyncIterator[None]:
        """Run a step; fail the test, with a screenshot, when it does not render in time."""
        try:
            yield
        except Exception as err:
            with contextlib.suppress(Exception):
                await self.screenshot(f"{name}-FAILED")
            elapsed = time.monotonic() - self.started
            raise AssertionError(
                f"step {name!r} failed after {elapsed:.0f} s (see {self.folder}): {err}"
            ) from err
        await self.screenshot(name)
        if docs is not None and os.environ.get("CAMSYNC_DOCS_SCREENSHOTS") == "1":
            # Taller than the test's window: Home Assistant scrolls inside its own panels.
            DOCS.mkdir(exist_ok=True)
            size = self.page.viewport_size
            await self.page.set_viewport_size({"width": 1280, "height": DOCS_HEIGHT})
            await self.page.wait_for_timeout(500)
            await self.page.screenshot(path=DOCS / f"{docs}.png")
            if size is not None:
                await self.page.set_viewport_size(size)


async def page_text(page: Page) -> str:
    """Return all text on the page, shadow DOM included."""
    text: str = await page.evaluate(PAGE_TEXT_JS)
    return text


async def assert_no_raw_keys(page: Page, where: str) -> None:
    """Fail when the page shows a translation key instead of text."""
    found = sorted({match[0] for match in RAW_KEY.finditer(await page_text(page))})
    assert not found, f"{where} shows raw translation keys: {found}"


# The <video> elements on the page, through open shadow roots, and how far each has played.
VIDEOS_JS = """() => {
  const found = [];
  const walk = (root) => {
    for (const element of root.querySelectorAll("*")) {
      if (element.tagName === "VIDEO") found.push(element);
      if (element.shadowRoot) walk(element.shadowRoot);
    }
  };
  walk(document);
  return found.map((video) => ({
    time: video.currentTime,
    ready: video.readyState,
    error: video.error ? video.error.code : null,
  }));
}"""


# The items of the folder the Media panel shows: what each is (its media-source node) and the
# thumbnail the panel drew (a data: URL of what the thumbnail URL answered, once it has).
MEDIA_ITEMS_JS = """(elements) => elements.filter((element) => element.item).map((element) => {
  const image = element.querySelector(".image, .graphic");
  return {
    title: element.item.title,
    thumbnail: element.item.thumbnail || "",
    can_play: element.item.can_play,
    drawn: image ? image.style.backgroundImage : "",
  };
})"""
MEDIA_ITEM = "ha-media-player-browse .child, ha-media-player-browse ha-list-item"
DRAWN_IMAGE = re.compile(r'^url\("?data:image/(?:jpeg|png)')
DRAWN_OTHER = re.compile(r'^url\("?data:(?!image/)')


async def video_playing(page: Page, timeout: float = UI_TIMEOUT_MS / 1000) -> float:
    """Wait until a video on the page plays (its currentTime advances); return that time."""
    deadline = time.monotonic() + timeout
    first: float | None = None
    while time.monotonic() < deadline:
        videos = await page.evaluate(VIDEOS_JS)
        assert not [video for video in videos if video["error"]], f"a video failed: {videos}"
        if videos:
            now = max(video["time"] for video in videos)
            if first is None:
                first = now
            elif now > first:
                return float(now)
        await page.wait_for_timeout(100)
    raise AssertionError(f"no video played within {timeout:.0f} s (first at {first})")


def entity_row(page: Page, name: str) -> Any:
    """Return the device page's row of the entity called ``name``."""
    return page.locator("hui-generic-entity-row", has_text=name)


async def wait_for_pending(page: Page, count: int, timeout: int = UI_TIMEOUT_MS) -> None:
    """Wait until the device page's "Pending downloads" row reads ``count``."""
    row = entity_row(page, "Pending downloads")
    await row.filter(has_text=re.compile(rf"(?<![\d.]){count}(?![\d.])")).wait_for(timeout=timeout)


@contextlib.contextmanager
def timer(label: str, capsys: pytest.CaptureFixture[str]) -> Iterator[None]:
    """Print how long the block took (shown even when pytest captures output)."""
    start = time.monotonic()
    yield
    with capsys.disabled():
        sys.stdout.write(f"{label}: {time.monotonic() - start:.1f} s\n")


# --- The test ---------------------------------------------------------------------------------


async def test_add_camera_and_sync_in_the_browser(
    dashcam: BlackVueSimulator,
    home_assistant: HomeAssistant,
    page: Page,
    artifacts: Path,
    clips: ClipLibrary,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Log in, add the dashcam from the UI, check its device page, sync from Developer tools."""
    hass, ui = home_assistant, Steps(page, artifacts)
    with timer("e2e browser steps", capsys):
        async with ui.step("login_form"):
            await page.goto(hass.url)
            await page.locator("input[name=username]").fill(USERNAME)
            await page.locator("input[name=password]").fill(PASSWORD)

        async with ui.step("logged_in"):
            await page.get_by_role("button", name="Log in").click()
            await page.locator("ha-sidebar").get_by_text("Settings", exact=True).first.wait_for()

        async with ui.step("devices_and_services"):
            await page.locator("ha-sidebar").get_by_text("Settings", exact=True).click()
            await page.get_by_text("Devices & services", exact=True).click()
            await page.wait_for_url("**/config/integrations/dashboard")
            await page.get_by_role("button", name="Add integration").wait_for()

        async with ui.step("search_camsync"):
            await page.get_by_role("button", name="Add integration").click()
            await page.get_by_label("Search for a brand name").fill("camsync")
            await page.locator("ha-integration-list-item", has_text="camsync").wait_for()

        async with ui.step("menu"):
            await page.locator("ha-integration-list-item", has_text="camsync").click()
            await page.get_by_text("Add a camera", exact=True).first.wait_for()
            await page.get_by_text("Reolink camera", exact=True).first.wait_for()
            await page.get_by_text("BlackVue dashcam", exact=True).first.wait_for()
            await assert_no_raw_keys(page, "the menu")

        async with ui.step("blackvue_form"):
            await page.get_by_text("BlackVue dashcam", exact=True).click()
            for label in ("Host", "Name", "Destination folder"):
                await page.get_by_label(label).wait_for()
            await page.get_by_label("Host").fill(f"127.0.0.1:{dashcam.port}")
            await page.get_by_label("Name").fill(CAMERA)
            await assert_no_raw_keys(page, "the BlackVue form")

        async with ui.step("device_created"):
            await page.get_by_role("button", name="Submit").click()
            await page.get_by_text("Device created", exact=True).first.wait_for()
            await page.get_by_text("DR900X-2CH", exact=True).first.wait_for()

        async with ui.step("integration_page"):
            await page.get_by_role("button", name=re.compile("finish", re.IGNORECASE)).click()
            await page.get_by_text("Device created", exact=True).first.wait_for(state="hidden")
            await page.locator("ha-integration-card", has_text="camsync").click()
            await page.wait_for_url("**/config/integrations/integration/camsync")
            await page.locator("ha-md-list-item[type=button]", has_text=CAMERA).wait_for()

        async with ui.step("device_page"):
            await page.locator("ha-md-list-item[type=button]", has_text=CAMERA).click()
            await page.wait_for_url("**/config/devices/device/**")
            for name in SENSOR_NAMES:
                await entity_row(page, name).first.wait_for()
            await page.get_by_text("by BlackVue").first.wait_for()
            # The camera entity is named after the device.
            await entity_row(page, CAMERA).first.wait_for()
            # The first sync starts as soon as the camera is added.
            await wait_for_pending(page, 0, SYNC_TIMEOUT_MS)
            await entity_row(page, "Sync status").filter(has_text="Idle").wait_for()
            # The controls: Sync now, and Automatic sync under Configuration.
            await entity_row(page, "Sync now").get_by_role("button", name="Press").wait_for()
            await entity_row(page, "Automatic sync").get_by_role("switch").wait_for()
            await assert_no_raw_keys(page, "the device page")
        device_url = page.url

        # Two new recordings (front and rear video each), and auto-sync off (through the API) so
        # that only the action downloads them; the options change reloads the entry, which counts
        # them.
        new = make_recordings(2, start=camera_now() - timedelta(minutes=30), kinds="EN")
        dashcam.recordings.extend(new)
        entry_id = await camsync_entry_id(hass, CAMERA)
        await set_options(hass, entry_id, auto_sync=False)

        async with ui.step("device_page_pending"):
            # A BlackVue recording is one video per camera (direction): four here.
            await wait_for_pending(page, len(new), SYNC_TIMEOUT_MS)

        async with ui.step("developer_tools_actions"):
            await page.locator("ha-sidebar").get_by_text("Settings", exact=True).click()
            await page.get_by_text("Developer tools", exact=True).click()
            await page.get_by_role("tab", name="Actions").click()
            await page.wait_for_url("**/developer-tools/action")
            await page.locator("ha-service-picker").wait_for()

        async with ui.step("sync_now_form"):
            await page.locator("ha-service-picker").click()
            await page.get_by_label("Search", exact=True).fill("Sync now")
            await page.locator(
                "ha-picker-combo-box ha-combo-box-item", has_text="camsync.sync"
            ).click()
            await page.get_by_text("Downloads new recordings from the camera now").first.wait_for()
            for field_name in ("Camera entry", "Wait"):
                await page.get_by_text(field_name, exact=True).first.wait_for()
            await page.get_by_role("button", name="Add target").click()
            await page.get_by_role("button", name="Devices", exact=True).click()
            await page.get_by_label("Search", exact=True).fill(CAMERA)
            await page.locator("ha-combo-box-item", has_text=CAMERA).first.click()
            await page.keyboard.press("Escape")  # close the target picker if it stayed open
            await page.get_by_text("Devices: 1").first.wait_for()
            wait_row = page.locator("ha-settings-row", has_text="Wait until the sync ends")
            await wait_row.get_by_role("checkbox").check()  # include the optional field
            await wait_row.get_by_role("switch").check()
            await assert_no_raw_keys(page, "the Sync now form")

        async with ui.step("sync_now_done"):
            await page.get_by_role("button", name="Perform action").click()
            response = page.locator(".cm-content", has_text="outcome")
            await response.wait_for(timeout=SYNC_TIMEOUT_MS)
            report = await response.inner_text()
            assert "outcome: completed" in report, report

        async with ui.step("device_page_synced"):
            await page.goto(device_url)
            await wait_for_pending(page, 0, SYNC_TIMEOUT_MS)
            await assert_no_raw_keys(page, "the device page after the sync")

        # The action, not an automatic sync, fetched the new recordings, and the API agrees.
        archived = {path.name: path.stat().st_size for path in hass.media.rglob("*.mp4")}
        for recording in new:
            assert archived.get(recording.name) == recording.size, recording.name
        states = await hass.api("GET", "/api/states")
        pending = [
            state["state"]
            for state in states
            if state["attributes"].get("friendly_name") == f"{CAMERA} Pending downloads"
        ]
        assert pending == ["0"], pending

        await sync_now_on_the_device_page(ui, hass, dashcam, device_url)
        await options_dialog(ui, hass)
        await media_panel(ui, hass, dashcam, clips)
        await reolink_device_page(ui, hass, clips)
        await disk_limit_repair(ui, hass, dashcam, device_url)

    # An expected condition (the disk limit) is no error: Home Assistant's log has none. (The
    # frontend forwards the browser's own script errors as [frontend.js.*]; those are not ours.)
    log = (hass.config / "home-assistant.log").read_text(encoding="utf-8", errors="replace")
    errors = re.findall(r"^\S+ \S+ (?:ERROR|CRITICAL) \(\w+\) \[(?!frontend\.js).*$", log, re.M)
    assert not errors, errors


# --- Steps after the first sync -----------------------------------------------------------------


async def sync_now_on_the_device_page(
    ui: Steps, hass: HomeAssistant, dashcam: BlackVueSimulator, device_url: str
) -> None:
    """Press Sync now: the status reads Syncing, then Idle, and the new recording is archived."""
    page = ui.page
    newer = make_recordings(1, start=camera_now() - timedelta(minutes=10), kinds="E")
    dashcam.recordings.extend(newer)
    dashcam.faults.throughput = 300_000  # slow enough to see it sync
    try:
        async with ui.step("sync_now_pressed"):
            await page.goto(device_url)
            await entity_row(page, "Sync status").filter(has_text="Idle").wait_for()
            await entity_row(page, "Sync now").get_by_role("button", name="Press").click()
            await entity_row(page, "Sync status").filter(has_text="Syncing").wait_for()

        async with ui.step("sync_now_finished", docs="device-page"):
            status = entity_row(page, "Sync status").filter(has_text="Idle")
            await status.wait_for(timeout=SYNC_TIMEOUT_MS)
            await wait_for_pending(page, 0)
            size = entity_row(page, "Archive size")
            await size.filter(has_text=re.compile(r"\d MB")).wait_for()  # MB, not "0.01 GB"
            await assert_no_raw_keys(page, "the device page after Sync now")
    finally:
        dashcam.faults.throughput = None
    archived = {path.name: path.stat().st_size for path in hass.media.rglob("*.mp4")}
    for recording in newer:
        assert archived.get(recording.name) == recording.size, recording.name

    async with ui.step("automatic_sync_switched_on"):
        toggle = entity_row(page, "Automatic sync").get_by_role("switch")
        assert not await toggle.is_checked()  # set_options turned it off
        await toggle.click()
        await expect(toggle).to_be_checked()
    entry = await camsync_entry(hass, CAMERA)
    options = await hass.api(
        "POST", "/api/config/config_entries/options/flow", {"handler": entry["entry_id"]}
    )
    assert suggested_values(options["data_schema"])["auto_sync"] is True
    await hass.api("DELETE", f"/api/config/config_entries/options/flow/{options['flow_id']}")


async def options_dialog(ui: Steps, hass: HomeAssistant) -> None:
    """Open the dashcam's options: titled with its name, grouped in sections."""
    page = ui.page
    async with ui.step("options_dialog", docs="options"):
        await page.goto(f"{hass.url}/config/integrations/integration/camsync")
        row = page.locator("ha-md-list-item", has_text=CAMERA).first
        await row.wait_for()
        await row.get_by_role("button", name=re.compile("configure", re.IGNORECASE)).click()
        dialog = page.locator("dialog-data-entry-flow")
        await dialog.get_by_text(f"{CAMERA}: options").first.wait_for()
        for section in ("Recordings", "Archive and disk"):
            await dialog.get_by_text(section, exact=True).first.wait_for()
        await dialog.get_by_text("Always keep this much free").first.wait_for()
        await assert_no_raw_keys(page, "the options dialog")
    await page.keyboard.press("Escape")


# What a BlackVue recording's title says: its time, its kind and its direction.
BLACKVUE_TITLE = re.compile(r"^\d\d:\d\d · [A-Z][a-z]+(?: [a-z]+)* · (?:Front|Rear)$")
TIMELAPSE_FPS = 1  # a few frames play for a few seconds: long enough to see the time advance


async def media_panel(
    ui: Steps, hass: HomeAssistant, dashcam: BlackVueSimulator, clips: ClipLibrary
) -> None:
    """Media > camsync > the dashcam > its newest day: titles, thumbnails, a recording playing.

    The dashcam serves one recording as a real clip (the others hold bytes no browser plays).
    """
    page = ui.page
    playable = make_recordings(1, start=camera_now() - timedelta(minutes=2), kinds="N")
    for recording in playable:
        recording.size = clips.size(recording.name)
    dashcam.clips = clips
    dashcam.recordings.extend(playable)
    try:
        await synced(hass, CAMERA, [recording.name for recording in playable])
    finally:
        dashcam.clips = None  # the disk-limit repair needs recordings of their listed size
    thumbnails = watch_thumbnails(page)

    async with ui.step("media_camera"):
        await page.goto(f"{hass.url}/media-browser/browser")
        for title in ("camsync", CAMERA):
            await open_media_folder(page, title)
        for view in ("Events only", "By kind"):
            await media_title(page, view).wait_for()
        await media_thumbnails_drawn(page, "the dashcam's folder", thumbnails)
        await assert_no_raw_keys(page, "the dashcam's media folder")
        days = [
            item["title"]
            for item in await page.locator(MEDIA_ITEM).evaluate_all(MEDIA_ITEMS_JS)
            if re.fullmatch(r"\d{4}-\d\d-\d\d", item["title"])
        ]
        assert days, "the dashcam's media folder lists no day"

    async with ui.step("media_panel", docs="media-panel"):
        await open_media_folder(page, max(days))
        items = await media_thumbnails_drawn(page, "the newest day", thumbnails)
        unreadable = [item["title"] for item in items if not BLACKVUE_TITLE.match(item["title"])]
        assert not unreadable, f"titles without time, kind and direction: {unreadable}"
        await assert_no_raw_keys(page, "the newest day of the dashcam")
        await page.mouse.move(0, 0)  # no tooltip in the picture
    entry_id = await camsync_entry_id(hass, CAMERA)
    day = await browse_media(hass, f"{entry_id}/recordings/{max(days)}")
    await assert_thumbnails_answer(hass, day["children"])
    (title,) = [
        child["title"]
        for child in day["children"]
        if child["media_content_id"].endswith(f"/{playable[0].name}")
    ]
    assert title.endswith(" · Normal · Front"), title

    async with ui.step("media_playing", docs="media-playing"):
        await media_title(page, title).click()
        await video_playing(page)
    await close_player(page)
    assert_thumbnails_answered(thumbnails)


async def timelapse_playing(ui: Steps, hass: HomeAssistant) -> None:
    """Take snapshots, make today's timelapse of them, and play it in the Media panel."""
    page = ui.page
    for _ in range(3):
        await perform(hass, "snapshot", REOLINK_CAMERA)
    today = datetime.now(ZoneInfo(bootstrap.local_time_zone())).date()
    video = await perform(
        hass, "timelapse", REOLINK_CAMERA, start_date=today.isoformat(), fps=TIMELAPSE_FPS
    )
    assert video["frames"] >= 3, video  # three now, and the one at setup (unless before midnight)
    thumbnails = watch_thumbnails(page)

    async with ui.step("media_reolink"):
        await page.goto(f"{hass.url}/media-browser/browser")
        for title in ("camsync", REOLINK_CAMERA):
            await open_media_folder(page, title)
        await media_title(page, "Snapshots").wait_for()
        await media_thumbnails_drawn(page, "the Reolink camera's folder", thumbnails)  # ffmpeg-made
        await assert_no_raw_keys(page, "the Reolink camera's media folder")

    async with ui.step("timelapse", docs="timelapse"):
        await open_media_folder(page, "Timelapses")
        items = await media_thumbnails_drawn(page, "the timelapses", thumbnails)
        assert [item["title"] for item in items] == [video["title"]], items
        assert video["title"] == f"{today.isoformat()} · Timelapse", video
        await media_title(page, video["title"]).click()
        await video_playing(page)
    await close_player(page)
    entry_id = await camsync_entry_id(hass, REOLINK_CAMERA)
    await assert_thumbnails_answer(hass, (await browse_media(hass, entry_id))["children"])
    assert_thumbnails_answered(thumbnails)


async def close_player(page: Page) -> None:
    """Close the video's dialog; wait until it has gone and taken its history entry along.

    (Home Assistant closes a dialog with ``history.back()``: a page loaded before that ends
    would be aborted by it.)
    """
    await page.keyboard.press("Escape")
    await page.wait_for_function("() => !(history.state && history.state.dialog)")


def media_title(page: Page, title: str) -> Any:
    """Return the title of the Media panel item called ``title`` (exactly)."""
    return (
        page.locator(
            "ha-media-player-browse .child .title, ha-media-player-browse ha-list-item .title"
        )
        .filter(has_text=re.compile(rf"^\s*{re.escape(title)}\s*$"))
        .first
    )


async def open_media_folder(page: Page, title: str) -> None:
    """Open the Media panel folder called ``title`` and wait until its items show."""
    before = page.url
    await media_title(page, title).click()
    await page.wait_for_function("(before) => location.href !== before", arg=before)
    await page.locator(MEDIA_ITEM).first.wait_for()


async def media_thumbnails_drawn(
    page: Page,
    where: str,
    answers: dict[str, tuple[int, str]],
    timeout: float = UI_TIMEOUT_MS / 1000,
) -> list[dict[str, Any]]:
    """Wait until the open folder draws every thumbnail it has as an image; return its items.

    Fail when a file has no thumbnail, or a thumbnail URL (``answers``: what each answered, from
    :func:`watch_thumbnails`) answered something else (an error).
    """
    deadline = time.monotonic() + timeout
    while True:
        failed = {url: answer for url, answer in answers.items() if answer != (200, "image/jpeg")}
        assert not failed, f"{where}: thumbnails that answered no image: {failed}"
        items: list[dict[str, Any]] = await page.locator(MEDIA_ITEM).evaluate_all(MEDIA_ITEMS_JS)
        bare = [item["title"] for item in items if item["can_play"] and not item["thumbnail"]]
        assert not bare, f"{where}: files without a thumbnail: {bare}"
        broken = [
            (item["title"], item["thumbnail"], item["drawn"][:40])
            for item in items
            if DRAWN_OTHER.match(item["drawn"])
        ]
        assert not broken, f"{where}: thumbnails that are no image: {broken}"
        pending = [
            item["title"]
            for item in items
            if item["thumbnail"] and not DRAWN_IMAGE.match(item["drawn"])
        ]
        if items and not pending:
            return items
        if time.monotonic() > deadline:
            raise AssertionError(f"{where}: thumbnails not shown in {timeout:.0f} s: {pending}")
        await page.wait_for_timeout(100)


def watch_thumbnails(page: Page) -> dict[str, tuple[int, str]]:
    """Return what each camsync thumbnail URL the page asks for answers (status, type)."""
    answers: dict[str, tuple[int, str]] = {}

    def heard(response: Any) -> None:
        if "/api/camsync/thumbnail/" in response.url:
            answers[response.url] = (response.status, response.headers.get("content-type", ""))

    page.on("response", heard)
    return answers


def assert_thumbnails_answered(answers: dict[str, tuple[int, str]]) -> None:
    """Fail unless the page asked for thumbnails and each answered 200 with an image."""
    assert answers, "the Media panel asked for no camsync thumbnail"
    failed = {url: answer for url, answer in answers.items() if answer != (200, "image/jpeg")}
    assert not failed, f"thumbnails that did not answer with an image: {failed}"


async def assert_thumbnails_answer(hass: HomeAssistant, children: list[dict[str, Any]]) -> None:
    """Fetch every thumbnail of a folder's items as the owner: each is a JPEG image.

    (The panel draws only the items in view; this covers every item of the folder.)
    """
    assert hass.session is not None
    for child in children:
        if not child["thumbnail"]:
            assert not child["can_play"], f"{child['title']} has no thumbnail"
            continue
        async with hass.session.get(
            f"{hass.url}{child['thumbnail']}", headers={"Authorization": f"Bearer {hass.token}"}
        ) as response:
            body = await response.read()
            assert response.status == 200, (child["title"], response.status, body[:200])
            assert response.content_type == "image/jpeg", (child["title"], response.content_type)
            assert body.startswith(b"\xff\xd8"), (child["title"], body[:20])


async def browse_media(hass: HomeAssistant, identifier: str) -> dict[str, Any]:
    """Return camsync's media-source node ``identifier`` (websocket ``browse_media``)."""
    assert hass.session is not None
    node: dict[str, Any] = await bootstrap.websocket_command(
        hass.session,
        hass.url,
        hass.token,
        {
            "type": "media_source/browse_media",
            "media_content_id": f"media-source://camsync/{identifier}",
        },
    )
    return node


async def perform(hass: HomeAssistant, action: str, title: str, **data: Any) -> dict[str, Any]:
    """Perform a camsync action on the camera called ``title``; return its response."""
    entry_id = await camsync_entry_id(hass, title)
    answer = await hass.api(
        "POST",
        f"/api/services/camsync/{action}?return_response",
        {"config_entry_id": entry_id, **data},
    )
    return dict(answer["service_response"])


async def synced(hass: HomeAssistant, title: str, names: list[str]) -> None:
    """Sync the camera called ``title`` until the files ``names`` are archived.

    (An automatic sync that started before they appeared is what a first ``sync`` waits for.)
    """
    for _ in range(3):
        await perform(hass, "sync", title, wait=True)
        archived = {path.name for path in hass.media.rglob("*.mp4")}
        if set(names) <= archived:
            return
    raise AssertionError(f"{title}: {sorted(set(names) - archived)} not archived")


async def reolink_device_page(ui: Steps, hass: HomeAssistant, clips: ClipLibrary) -> None:
    """Add a Reolink camera (through the API) and show its device page with both switches.

    Its recordings are real clips (camsync makes their thumbnails with ffmpeg); a timelapse of
    its snapshots then plays in the Media panel.
    """
    page = ui.page
    camera = ReolinkSimulator(clips=clips)
    camera.recordings = make_reolink_recordings(2, 3, end=camera.clock())
    for recording in camera.recordings:
        recording.size = clips.size(recording.key)  # listed as long as it is served
    async with camera:
        assert hass.session is not None
        await bootstrap.run_config_flow(
            hass.session,
            hass.url,
            hass.token,
            "camsync",
            [
                {"next_step_id": "reolink"},
                {
                    "host": camera.host,
                    "port": camera.port,
                    "use_https": False,
                    "username": "admin",
                    "password": REOLINK_PASSWORD,
                    "channel": 0,
                    "name": REOLINK_CAMERA,
                },
            ],
        )
        async with ui.step("reolink_device_page", docs="reolink-device-page"):
            await page.goto(f"{hass.url}/config/integrations/integration/camsync")
            await page.locator("ha-md-list-item[type=button]", has_text=REOLINK_CAMERA).click()
            await page.wait_for_url("**/config/devices/device/**")
            await entity_row(page, "Sync now").get_by_role("button", name="Press").wait_for()
            snapshots = entity_row(page, "Scheduled snapshots").get_by_role("switch")
            await expect(snapshots).to_be_checked()  # on: every hour
            await (
                entity_row(page, "Sync status")
                .filter(has_text="Idle")
                .wait_for(timeout=SYNC_TIMEOUT_MS)
            )
            await wait_for_pending(page, 0, SYNC_TIMEOUT_MS)  # synced at once: auto sync is on
            await entity_row(page, "Archive size").filter(has_text="MB").wait_for()
            await assert_no_raw_keys(page, "the Reolink device page")
        # A snapshot right after setup.
        assert list((hass.media / "camsync").glob("*/snapshots/*/*.jpg"))
        await timelapse_playing(ui, hass)
        entry = await camsync_entry(hass, REOLINK_CAMERA)
        await hass.api("DELETE", f"/api/config/config_entries/entry/{entry['entry_id']}")


async def disk_limit_repair(
    ui: Steps, hass: HomeAssistant, dashcam: BlackVueSimulator, device_url: str
) -> None:
    """Fill the disk until a sync stops, then fix it in Settings > Repairs.

    On a small file system of its own (root can mount one), the fix deletes the oldest files
    after showing them; elsewhere the disk is too big to fill, so the test asks camsync to keep
    all but a megabyte free instead and fixes that by raising the limit.
    """
    page = ui.page
    disk = shutil.disk_usage(hass.media)
    if hass.small_disk:
        # Other files take the disk to just under the 90 % limit; three new recordings pass it.
        usable = disk.used + disk.free
        ballast = int(usable * 0.895) - disk.used
        (hass.media.parent / "ballast.bin").write_bytes(b"\0" * max(ballast, 0))
    else:
        entry = await camsync_entry(hass, CAMERA)
        await set_options(hass, entry["entry_id"], keep_free=(disk.free - 1_000_000) / 1e9)
    oldest_before = sorted(path.name for path in hass.media.rglob("*.mp4"))
    dashcam.recordings.extend(
        make_recordings(3, start=camera_now() - timedelta(minutes=5), step=timedelta(seconds=30))
    )

    async with ui.step("disk_limit_reached"):
        await page.goto(device_url)
        # Off, so that the room the repair makes is not filled at once by an automatic sync.
        toggle = entity_row(page, "Automatic sync").get_by_role("switch")
        await toggle.click()
        await expect(toggle).not_to_be_checked()
        await entity_row(page, "Sync now").get_by_role("button", name="Press").click()
        status = entity_row(page, "Sync status").filter(has_text="Disk limit reached")
        await status.wait_for(timeout=SYNC_TIMEOUT_MS)

    async with ui.step("repairs", docs="repair"):
        await page.goto(f"{hass.url}/config/repairs")
        issue = page.get_by_text(f"The archive disk of {CAMERA} is nearly full").first
        await issue.click()
        dialog = page.locator("dialog-repairs-flow, dialog-data-entry-flow").first
        await dialog.get_by_text("Raise the limit").first.wait_for()
        await dialog.get_by_text("Delete the oldest files").first.wait_for()
        await assert_no_raw_keys(page, "the repair")

    if not hass.small_disk:
        async with ui.step("repair_raise_limit"):
            await dialog.get_by_text("Raise the limit").first.click()
            await dialog.get_by_label("Always keep this much free").fill("0")
            await dialog.get_by_role("button", name="Submit").click()
            await dialog.get_by_role("button", name=re.compile("close|finish", re.I)).wait_for()
        return

    async with ui.step("repair_prune_preview", docs="repair-prune"):
        await dialog.get_by_text("Delete the oldest files").first.click()
        await dialog.get_by_text(re.compile(r"Files: \d+")).first.wait_for()
        await dialog.get_by_text(re.compile(r"Recorded from \d{4}-\d\d-\d\d")).first.wait_for()
        await assert_no_raw_keys(page, "the prune preview")
        assert sorted(path.name for path in hass.media.rglob("*.mp4")) >= oldest_before[:1]

    async with ui.step("repair_pruned"):
        await dialog.get_by_role("button", name="Delete").click()
        await dialog.get_by_role("button", name=re.compile("close|finish", re.I)).wait_for()
    remaining = {path.name for path in hass.media.rglob("*.mp4")}
    assert oldest_before[0] not in remaining  # the oldest recording made room
    issues = await hass_repairs(hass)
    assert not [issue for issue in issues if issue["issue_id"].startswith("disk_limit_reached")]


async def hass_repairs(hass: HomeAssistant) -> list[dict[str, Any]]:
    """Return the open repair issues (websocket ``repairs/list_issues``)."""
    assert hass.session is not None
    result = await bootstrap.websocket_command(
        hass.session, hass.url, hass.token, {"type": "repairs/list_issues"}
    )
    return [issue for issue in result["issues"] if not issue.get("dismissed_version")]


async def camsync_entry(hass: HomeAssistant, title: str) -> dict[str, Any]:
    """Return the camsync entry called ``title`` as the REST API lists it."""
    assert hass.session is not None
    entries = await bootstrap.camsync_entries(hass.session, hass.url, hass.token)
    (entry,) = [entry for entry in entries if entry["title"] == title]
    return dict(entry)


def suggested_values(schema: list[dict[str, Any]]) -> dict[str, Any]:
    """Return the suggested values of a serialized form schema, sections flattened."""
    values: dict[str, Any] = {}
    for item in schema:
        if item.get("type") == "expandable":
            values |= suggested_values(item["schema"])
        elif "suggested_value" in item.get("description", {}):
            values[item["name"]] = item["description"]["suggested_value"]
    return values


async def camsync_entry_id(hass: HomeAssistant, title: str) -> str:
    """Return the id of the camsync entry called ``title``."""
    assert hass.session is not None
    entries = await bootstrap.camsync_entries(hass.session, hass.url, hass.token)
    (entry_id,) = [entry["entry_id"] for entry in entries if entry["title"] == title]
    return str(entry_id)


async def set_options(hass: HomeAssistant, entry_id: str, **changes: Any) -> None:
    """Change some options through the options flow's REST API, keeping the others."""
    form = await hass.api("POST", "/api/config/config_entries/options/flow", {"handler": entry_id})
    values = suggested_values(form["data_schema"]) | changes
    answer = {  # grouped in the form's sections
        item["name"]: {
            field["name"]: values[field["name"]]
            for field in item["schema"]
            if field["name"] in values
        }
        for item in form["data_schema"]
        if item.get("type") == "expandable"
    }
    result = await hass.api(
        "POST", f"/api/config/config_entries/options/flow/{form['flow_id']}", answer
    )
    assert result["type"] == "create_entry", result


# --- The car ----------------------------------------------------------------------------------

CAR_CAMERA = "E2E car"


@pytest.fixture
async def journey_dashcam() -> AsyncIterator[tuple[BlackVueSimulator, Journey]]:
    """Return a dashcam (in this process) that recorded a drive through the made-up town.

    The drive ended a few minutes ago on the dashcam's clock (Home Assistant's standard offset).
    """
    local = datetime.now(ZoneInfo(bootstrap.local_time_zone()))
    clock = dashcam_time_zone(local)
    now = datetime.now(clock).replace(microsecond=0)
    (journey,) = demo_journeys(1, now - timedelta(minutes=5))
    recordings = journey_recordings(journey, size_range=(20_000, 40_000))
    async with BlackVueSimulator(recordings, gps=DashcamGps([journey], tz=clock)) as simulator:
        yield simulator, journey


async def wait_for_state(
    hass: HomeAssistant, entity_id: str, ready: Any, timeout: float = SYNC_TIMEOUT_MS / 1000
) -> dict[str, Any]:
    """Poll the REST API until ``ready(state)`` holds for an entity; return its state."""
    deadline = time.monotonic() + timeout
    while True:
        with contextlib.suppress(bootstrap.BootstrapError):
            state: dict[str, Any] = await hass.api("GET", f"/api/states/{entity_id}")
            if ready(state):
                return state
        if time.monotonic() > deadline:
            raise AssertionError(f"{entity_id} not ready within {timeout:.0f} s")
        await asyncio.sleep(0.5)


async def test_the_car_on_the_map(
    journey_dashcam: tuple[BlackVueSimulator, Journey],
    home_assistant: HomeAssistant,
    page: Page,
    artifacts: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Add a dashcam that drove to the shop and back; its car shows on its map, with its trip."""
    dashcam, journey = journey_dashcam
    hass, ui = home_assistant, Steps(page, artifacts)
    assert hass.session is not None
    home = grid_point(*HOME)
    await bootstrap.websocket_command(
        hass.session,
        hass.url,
        hass.token,
        {"type": "config/core/update", "latitude": home[0], "longitude": home[1]},
    )
    await bootstrap.run_config_flow(
        hass.session,
        hass.url,
        hass.token,
        "camsync",
        [{"next_step_id": "blackvue"}, {"host": f"127.0.0.1:{dashcam.port}", "name": CAR_CAMERA}],
    )
    tracker_id = "device_tracker.e2e_car_car"
    # The first sync runs as soon as the camera is added; both trips finish with it.
    last_trip = await wait_for_state(
        hass, "sensor.e2e_car_last_trip", lambda state: state["state"] not in ("unknown", "")
    )
    leg = journey.legs[-1]
    assert abs(float(last_trip["state"]) - leg.distance / 1000) < 0.1 * leg.distance / 1000
    tracker = await wait_for_state(
        hass, tracker_id, lambda state: "latitude" in state["attributes"]
    )
    home = grid_point(*HOME)
    assert abs(tracker["attributes"]["latitude"] - home[0]) < 0.001
    assert abs(tracker["attributes"]["longitude"] - home[1]) < 0.001
    gpx = sorted(hass.media.rglob("trip_*.gpx"))
    assert len(gpx) == len(journey.legs), gpx

    with timer("e2e car steps", capsys):
        async with ui.step("car_login"):
            await page.goto(hass.url)
            await page.locator("input[name=username]").fill(USERNAME)
            await page.locator("input[name=password]").fill(PASSWORD)
            await page.get_by_role("button", name="Log in").click()
            await page.locator("ha-sidebar").get_by_text("Settings", exact=True).first.wait_for()

        async with ui.step("car_device_page"):
            entries = await bootstrap.camsync_entries(hass.session, hass.url, hass.token)
            (entry,) = [item for item in entries if item["title"] == CAR_CAMERA]
            await page.goto(f"{hass.url}/config/integrations/integration/camsync")
            await page.locator("ha-md-list-item[type=button]", has_text=CAR_CAMERA).click()
            await page.wait_for_url("**/config/devices/device/**")
            for name in ("Car", "Distance today", "Last trip", "Latest event"):
                await entity_row(page, name).first.wait_for()
            await assert_no_raw_keys(page, "the car's device page")
            assert entry["state"] == "loaded"

        async with ui.step("car_is_home"):
            await entity_row(page, "Car").first.click()
            dialog = page.locator("ha-more-info-dialog")
            await dialog.get_by_text("Home", exact=True).first.wait_for()
            await page.keyboard.press("Escape")

        async with ui.step("car_on_the_map"):
            await page.locator("ha-sidebar").get_by_text("Map", exact=True).click()
            await page.locator("ha-map").first.wait_for()
            marker = page.locator(f'ha-entity-marker[entity-id="{tracker_id}"]')
            await marker.first.wait_for(state="attached")

        await trips_in_the_media_panel(ui, hass, entry["entry_id"], journey)


# What a trip's title says: its day, start and end time, distance and duration.
TRIP_TITLE = re.compile(
    r"^\d{4}-\d\d-\d\d · \d\d:\d\d\u2013\d\d:\d\d · \d+\.\d km · (?:\d+ h )?\d+ min$"
)


async def trips_in_the_media_panel(
    ui: Steps, hass: HomeAssistant, entry_id: str, journey: Journey
) -> None:
    """Media > camsync > the car > Trips: one folder per trip, the newest holds its recordings."""
    page = ui.page
    thumbnails = watch_thumbnails(page)
    trips = await browse_media(hass, f"{entry_id}/trips")
    assert len(trips["children"]) == len(journey.legs), trips
    newest = trips["children"][0]
    assert TRIP_TITLE.match(newest["title"]), newest["title"]
    trip = await browse_media(
        hass, newest["media_content_id"].removeprefix("media-source://camsync/")
    )
    # Recordings of the last leg (front and rear), as driven; no GPX, no sidecars.
    leg = journey.legs[-1]
    driven = {
        window.stem
        for window in journey.recordings()
        if not window.parking
        and window.start < leg.end + timedelta(minutes=1)
        and window.start + timedelta(seconds=window.seconds) > leg.start - timedelta(minutes=1)
    }
    clips = [child["media_content_id"].rsplit("/", 1)[-1] for child in trip["children"]]
    assert len(clips) >= 2, clips
    assert clips == sorted(clips), clips
    assert all(clip.endswith(".mp4") and clip[:17] in driven for clip in clips), (driven, clips)
    await assert_thumbnails_answer(hass, trip["children"])

    async with ui.step("media_trips"):
        await page.goto(f"{hass.url}/media-browser/browser")
        for title in ("camsync", CAR_CAMERA, "Trips"):
            await open_media_folder(page, title)
        items = await media_thumbnails_drawn(page, "the trips", thumbnails)
        assert [item["title"] for item in items] == [
            child["title"] for child in trips["children"]
        ], items
        await assert_no_raw_keys(page, "the trips")

    async with ui.step("media_trip", docs="media-trip"):
        await open_media_folder(page, newest["title"])
        items = await media_thumbnails_drawn(page, "the newest trip", thumbnails)
        assert [item["title"] for item in items] == [child["title"] for child in trip["children"]]
        unreadable = [item["title"] for item in items if not BLACKVUE_TITLE.match(item["title"])]
        assert not unreadable, f"titles without time, kind and direction: {unreadable}"
        await assert_no_raw_keys(page, "the newest trip")
        await page.mouse.move(0, 0)  # no tooltip in the picture
    assert_thumbnails_answered(thumbnails)
