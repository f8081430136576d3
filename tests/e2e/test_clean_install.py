"""A clean install: only ``custom_components/camsync`` copied into a fresh Home Assistant.

A venv holding Home Assistant and its camera support (none of the test requirements), a new
configuration folder with a copy of the integration and nothing else of this repository, and a
simulated dashcam: Home Assistant must load camsync, take the camera through the config flow and
archive its recordings when ``camsync.sync`` is called, and log no deprecated call from camsync.

Which Home Assistant: ``CAMSYNC_CLEAN_INSTALL_HOME_ASSISTANT`` (a version; default 2026.2.3, the
oldest camsync supports). scripts/test's clean-2026.11 target sets it to 2026.11.0 and runs this
test on Python 3.14. The venv is ``CAMSYNC_CLEAN_INSTALL_VENV`` (default ``.venv/clean-install``),
rebuilt only when the version or the Python changes (a minute or more; see clean_venv.py).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
import os
from pathlib import Path
import shutil
import subprocess

import aiohttp
import pytest

from camera_simulators.blackvue import BlackVueSimulator, make_recordings
from tests.deprecation_reports import CAMSYNC_REPORT_IN_LOG
from tests.e2e.clean_venv import CleanInstallError, clean_install_python
from tests.e2e.harness import REPO, bootstrap, free_port, stop_process

pytestmark = pytest.mark.e2e

HOME_ASSISTANT = os.environ.get("CAMSYNC_CLEAN_INSTALL_HOME_ASSISTANT", "2026.2.3")
CLEAN_VENV = Path(os.environ.get("CAMSYNC_CLEAN_INSTALL_VENV", REPO / ".venv" / "clean-install"))
START_TIMEOUT = 120.0


def _importable(python: Path, module: str) -> bool:
    """Return True when ``module`` imports in that venv (run outside the repository)."""
    probe = subprocess.run(
        [str(python), "-c", f"import {module}"], capture_output=True, check=False, cwd="/"
    )
    return probe.returncode == 0


def _write_config(config: Path, media: Path, port: int) -> None:
    """Write a configuration folder: a *copy* of the integration, a minimal offline setup."""
    shutil.copytree(
        REPO / "custom_components" / "camsync",
        config / "custom_components" / "camsync",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    media.mkdir()
    (config / "configuration.yaml").write_text(
        f"homeassistant:\n  media_dirs:\n    local: {media}\n"
        f"http:\n  server_host: 127.0.0.1\n  server_port: {port}\n"
        "api:\nconfig:\nonboarding:\n"
        "logger:\n  default: warning\n  logs:\n    custom_components.camsync: info\n",
        encoding="utf-8",
    )


@pytest.fixture
async def dashcam() -> AsyncIterator[BlackVueSimulator]:
    """Return a simulated dashcam with two two-channel recordings from the last hours."""
    recordings = make_recordings(2, start=datetime.now() - timedelta(hours=3))
    async with BlackVueSimulator(recordings) as simulator:
        yield simulator


async def test_camsync_alone_loads_and_syncs_in_a_fresh_home_assistant(
    tmp_path: Path, dashcam: BlackVueSimulator
) -> None:
    try:
        python = clean_install_python(HOME_ASSISTANT, CLEAN_VENV)
    except CleanInstallError as err:
        pytest.fail(str(err))
    assert _importable(python, "homeassistant")
    version = subprocess.run(
        [str(python), "-c", "from homeassistant.const import __version__; print(__version__)"],
        capture_output=True,
        text=True,
        check=True,
        cwd="/",
    ).stdout.strip()
    assert version == HOME_ASSISTANT
    for test_only in ("pytest", "pytest_homeassistant_custom_component", "camera_simulators"):
        assert not _importable(python, test_only), f"{test_only} must not be in the clean venv"

    config, media, port = tmp_path / "config", tmp_path / "media", free_port()
    _write_config(config, media, port)
    url = f"http://127.0.0.1:{port}"
    console = (tmp_path / "console.log").open("wb")
    process = subprocess.Popen(
        [str(python), str(REPO / "scripts" / "dev_bootstrap.py"), "hass", "-c", str(config)],
        cwd=tmp_path,  # not the repository: only the copy in config/ may be found
        stdin=subprocess.DEVNULL,
        stdout=console,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        async with aiohttp.ClientSession() as session:
            await bootstrap.wait_until_up(session, url, START_TIMEOUT)
            token = await bootstrap.onboard(
                session, url, bootstrap.Login("clean", "clean-install", "Clean")
            )
            created = await bootstrap.run_config_flow(
                session,
                url,
                token,
                "camsync",
                [
                    {"next_step_id": "blackvue"},
                    {"host": f"127.0.0.1:{dashcam.port}", "name": "Car"},
                ],
            )
            (entry,) = await bootstrap.wait_for_loaded(session, url, token, 1)
            report = await bootstrap.api(
                session,
                "POST",
                f"{url}/api/services/camsync/sync?return_response",
                token,
                {"config_entry_id": created["result"]["entry_id"], "wait": True},
            )
    finally:
        stop_process(process)
        console.close()
        kept = REPO / "tests" / ".artifacts" / "clean-install.log"
        kept.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(config / "home-assistant.log", kept)

    log = (config / "home-assistant.log").read_text()
    assert entry["state"] == "loaded"
    assert report["service_response"]["outcome"] == "completed"
    archived = {path.name for path in (media / "camsync" / "car" / "recordings").rglob("*.mp4")}
    assert archived == set(dashcam.listed_names())
    assert "Error" not in "\n".join(line for line in log.splitlines() if "camsync" in line)
    assert [line for line in log.splitlines() if CAMSYNC_REPORT_IN_LOG.search(line)] == []
