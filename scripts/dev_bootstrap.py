"""Bootstrap a local Home Assistant for ``scripts/develop`` and the browser test (tests/e2e).

Three subcommands::

    python scripts/dev_bootstrap.py prepare -c config
    python scripts/dev_bootstrap.py hass -c config --skip-pip
    python scripts/dev_bootstrap.py demo --password PW --blackvue HOST:PORT --reolink HOST:PORT \
        [--s3 URL] [--mirror-folder PATH]

``prepare`` readies a new config folder before Home Assistant's first start: it marks the two
onboarding steps that set up integrations of their own as done (:func:`skip_onboarding_extras`).
Finishing onboarding's core-config step sets up met, radio_browser, google_translate and
shopping_list; without the internet (and, here, without their packages) the first three fail with
errors and tracebacks in a brand-new log.

``hass`` runs Home Assistant's own command line in this interpreter. Home Assistant 2026.2.3 refuses
to start on Python older than 3.13.2; ``scripts/setup`` already accepts 3.13.0 and 3.13.1 (the test
suite runs on them), so on those this skips only that version check and says so.

``demo`` waits until Home Assistant answers, completes onboarding through its REST API when that
has not been done yet (an owner ``demo`` with the password given), and then adds the two demo
cameras through the config-flow API: a BlackVue dashcam and a Reolink camera, pointing at the
simulators, and (``--s3``, ``--mirror-folder``) a mirror on each: the dashcam's into the S3
server's bucket ``camsync-demo``, the Reolink's into a folder, through the mirror subentry flows.
It also stores a long-lived access token in ``<config>/demo-token.txt`` for ``curl``.
An instance that was onboarded before is left as it is.

The browser test imports the helpers (:func:`wait_until_up`, :func:`onboard`, :func:`api`,
:func:`run_config_flow`) to set up its own Home Assistant the same way.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
import json
import os
from pathlib import Path
import sys
import time
from typing import Any

import aiohttp

DEMO_NAME = "Demo"
DEMO_USERNAME = "demo"
TOKEN_FILE = "demo-token.txt"  # noqa: S105  (a file name)
REOLINK_USERNAME = "admin"
REOLINK_PASSWORD = "secret-pass"  # noqa: S105  (the simulator's default, not a secret)
ONBOARDING_EXTRAS = frozenset({"google_translate", "met", "radio_browser"})
"""Integrations that onboarding sets up by itself; here they lack packages or the internet."""
ONBOARDING_STORE_VERSION = 4  # Home Assistant 2026.2's onboarding store
PRESET_STEPS = ("core_config", "integration")
"""Onboarding steps marked done before the first start: finishing core_config is what sets up
the extras, and integration only hands the frontend a login; the owner (user) and analytics
steps are still done through the API. Location, time zone and country are set through
``config/core/update`` instead."""
DEMO_BUCKET = "camsync-demo"
DEMO_S3_KEY = "camsync-demo"  # the demo S3 server accepts any key
DEMO_S3_SECRET = "camsync-demo-secret"  # noqa: S105  (not a secret)
_FAILED = frozenset({"setup_error", "setup_retry", "migration_error"})
_TIMEOUT = aiohttp.ClientTimeout(total=30)


class BootstrapError(RuntimeError):
    """Home Assistant did not answer as expected."""


@dataclass(frozen=True)
class Login:
    """The owner created by onboarding."""

    username: str
    password: str
    name: str = DEMO_NAME


def say(message: str) -> None:
    """Print a line for the person running scripts/develop."""
    sys.stdout.write(f"dev_bootstrap: {message}\n")
    sys.stdout.flush()


# --- Home Assistant's REST API ------------------------------------------------------------------


def client_id(url: str) -> str:
    """Return the OAuth client id Home Assistant expects from a client served at ``url``."""
    return f"{url.rstrip('/')}/"


async def api(
    session: aiohttp.ClientSession,
    method: str,
    url: str,
    token: str | None = None,
    payload: dict[str, Any] | None = None,
) -> Any:
    """Call Home Assistant's REST API and return the decoded JSON answer (fail on an error)."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with session.request(
        method, url, json=payload, headers=headers, timeout=_TIMEOUT
    ) as response:
        text = await response.text()
        if response.status >= 400:
            raise BootstrapError(f"{method} {url} answered {response.status}: {text[:500]}")
        return await response.json(content_type=None) if text else None


async def wait_until_up(session: aiohttp.ClientSession, url: str, limit: float = 120.0) -> None:
    """Wait until Home Assistant serves its frontend (``/manifest.json``) at ``url``."""
    deadline = time.monotonic() + limit
    last_error = "no answer yet"
    while time.monotonic() < deadline:
        try:
            async with session.get(
                f"{url}/manifest.json", timeout=aiohttp.ClientTimeout(total=5)
            ) as response:
                if response.status == 200:
                    return
                last_error = f"HTTP {response.status}"
        except (aiohttp.ClientError, TimeoutError) as err:
            last_error = str(err) or type(err).__name__
        await asyncio.sleep(0.5)
    raise BootstrapError(f"Home Assistant did not answer at {url} in {limit:.0f} s: {last_error}")


async def onboarding_done(session: aiohttp.ClientSession, url: str) -> bool:
    """Return whether the owner has been created (the first onboarding step).

    Once onboarding is complete, Home Assistant no longer serves ``/api/onboarding`` at all.
    """
    async with session.get(f"{url}/api/onboarding", timeout=_TIMEOUT) as response:
        if response.status == 404:
            return True
        if response.status != 200:
            raise BootstrapError(f"GET /api/onboarding answered {response.status}")
        steps = await response.json()
    return any(step["step"] == "user" and step["done"] for step in steps)


def skip_onboarding_extras(config: Path) -> bool:
    """Mark :data:`PRESET_STEPS` done in a config folder Home Assistant never started in.

    Return False (and change nothing) when Home Assistant has stored anything there already.
    """
    storage = config / ".storage"
    store = storage / "onboarding"
    if store.exists() or (storage / "auth").exists():
        return False
    storage.mkdir(parents=True, exist_ok=True)
    document = {
        "version": ONBOARDING_STORE_VERSION,
        "minor_version": 1,
        "key": "onboarding",
        "data": {"done": list(PRESET_STEPS)},
    }
    store.write_text(json.dumps(document, indent=2), encoding="utf-8")
    return True


async def onboarding_steps_done(session: aiohttp.ClientSession, url: str) -> set[str]:
    """Return the onboarding steps done so far."""
    steps = await api(session, "GET", f"{url}/api/onboarding")
    return {step["step"] for step in steps if step["done"]}


def local_time_zone() -> str:
    """Return this machine's IANA time zone name (``UTC`` when it cannot tell).

    The simulators stamp recordings with this machine's clock, so Home Assistant should agree.
    """
    if zone := os.environ.get("TZ", "").lstrip(":"):
        return zone
    try:
        target = str(Path("/etc/localtime").resolve())
    except OSError:
        return "UTC"
    _, found, zone = target.partition("zoneinfo/")
    return zone if found and zone else "UTC"


async def onboard(session: aiohttp.ClientSession, url: str, login: Login) -> str:
    """Complete every onboarding step not done yet, as the frontend does; return a token.

    In a config folder :func:`skip_onboarding_extras` prepared, the core-config and integration
    steps are done already, so onboarding sets up none of :data:`ONBOARDING_EXTRAS`. Elsewhere
    they are done here, and the extras that fail to set up are removed again, so Settings shows
    no failed integration.
    """
    cid = client_id(url)
    done = await onboarding_steps_done(session, url)
    created = await api(
        session,
        "POST",
        f"{url}/api/onboarding/users",
        payload={
            "client_id": cid,
            "name": login.name,
            "username": login.username,
            "password": login.password,
            "language": "en",
        },
    )
    async with session.post(
        f"{url}/auth/token",
        data={"grant_type": "authorization_code", "code": created["auth_code"], "client_id": cid},
        timeout=_TIMEOUT,
    ) as response:
        if response.status != 200:
            raise BootstrapError(f"no token for the new owner: {await response.text()}")
        token: str = (await response.json())["access_token"]
    await websocket_command(
        session,
        url,
        token,
        {"type": "config/core/update", "time_zone": local_time_zone(), "country": "US"},
    )
    if "core_config" not in done:
        await api(session, "POST", f"{url}/api/onboarding/core_config", token, {})
    if "analytics" not in done:
        await api(session, "POST", f"{url}/api/onboarding/analytics", token, {})
    if "integration" not in done:
        await api(
            session,
            "POST",
            f"{url}/api/onboarding/integration",
            token,
            {"client_id": cid, "redirect_uri": f"{cid}?auth_callback=1"},
        )
    if "core_config" not in done:
        await drop_failed_extras(session, url, token)
    return token


async def drop_failed_extras(
    session: aiohttp.ClientSession, url: str, token: str, limit: float = 5.0
) -> list[str]:
    """Remove the onboarding extras that failed to set up; return their titles.

    Onboarding starts their flows in the background, so this waits (at most ``limit`` seconds)
    until each extra that has an entry has settled.
    """
    deadline = time.monotonic() + limit
    dropped: list[str] = []
    while True:
        entries = await api(session, "GET", f"{url}/api/config/config_entries/entry", token)
        extras = [entry for entry in entries if entry["domain"] in ONBOARDING_EXTRAS]
        for entry in extras:
            if entry["state"] in _FAILED:
                await api(
                    session,
                    "DELETE",
                    f"{url}/api/config/config_entries/entry/{entry['entry_id']}",
                    token,
                )
                dropped.append(entry["title"])
        settled = extras and all(entry["state"] in _FAILED | {"loaded"} for entry in extras)
        if settled or time.monotonic() > deadline:
            return dropped
        await asyncio.sleep(0.25)


async def websocket_command(
    session: aiohttp.ClientSession, url: str, token: str, command: dict[str, Any]
) -> Any:
    """Send one command over Home Assistant's websocket API and return its result."""
    async with asyncio.timeout(30), session.ws_connect(f"{url}/api/websocket") as socket:
        await socket.receive_json()  # auth_required
        await socket.send_json({"type": "auth", "access_token": token})
        if (reply := await socket.receive_json())["type"] != "auth_ok":
            raise BootstrapError(f"websocket login failed: {reply}")
        await socket.send_json({"id": 1, **command})
        reply = await socket.receive_json()
    if not reply.get("success"):
        raise BootstrapError(f"{command['type']} failed: {reply.get('error')}")
    return reply.get("result")


async def run_config_flow(
    session: aiohttp.ClientSession,
    url: str,
    token: str,
    handler: str | list[str],
    steps: Sequence[dict[str, Any]],
    *,
    kind: str = "config_entries",
) -> dict[str, Any]:
    """Start a config (or, with ``kind="options"``, options) flow and answer each step in turn.

    A subentry flow has ``kind="config_entries/subentries"`` and ``[entry_id, type]`` as handler.

    Each element of ``steps`` is posted as the answer to the step Home Assistant shows (a menu
    choice is ``{"next_step_id": ...}``). Return the final result; fail on form errors or aborts.
    """
    base = f"{url}/api/config/{kind}/flow"
    result: dict[str, Any] = await api(session, "POST", base, token, {"handler": handler})
    for answer in steps:
        if result["type"] not in {"form", "menu"}:
            break
        result = await api(session, "POST", f"{base}/{result['flow_id']}", token, answer)
        if result.get("errors"):
            raise BootstrapError(f"{handler} flow step {result['step_id']}: {result['errors']}")
    if result["type"] != "create_entry":
        raise BootstrapError(f"{handler} flow ended with {result['type']}: {result}")
    return result


async def camsync_entries(session: aiohttp.ClientSession, url: str, token: str) -> list[Any]:
    """Return the camsync config entries as the REST API lists them."""
    entries: list[Any] = await api(
        session, "GET", f"{url}/api/config/config_entries/entry?domain=camsync", token
    )
    return entries


async def wait_for_loaded(
    session: aiohttp.ClientSession, url: str, token: str, count: int, limit: float = 60.0
) -> list[Any]:
    """Wait until ``count`` camsync entries are loaded; return them."""
    deadline = time.monotonic() + limit
    while True:
        entries = await camsync_entries(session, url, token)
        if len(entries) >= count and all(entry["state"] == "loaded" for entry in entries):
            return entries
        if time.monotonic() > deadline:
            states = {entry["title"]: entry["state"] for entry in entries}
            raise BootstrapError(f"camsync entries not loaded in {limit:.0f} s: {states}")
        await asyncio.sleep(0.5)


# --- scripts/develop's demo ---------------------------------------------------------------------


async def add_demo_cameras(
    session: aiohttp.ClientSession, url: str, token: str, blackvue: str, reolink: str
) -> None:
    """Add a BlackVue and a Reolink camera through the config-flow API, as the UI would."""
    dashcam = await run_config_flow(
        session,
        url,
        token,
        "camsync",
        [{"next_step_id": "blackvue"}, {"host": blackvue, "name": "Demo dashcam"}],
    )
    say(f"added {dashcam['title']} ({blackvue})")
    host, _, port = reolink.rpartition(":")
    camera = await run_config_flow(
        session,
        url,
        token,
        "camsync",
        [
            {"next_step_id": "reolink"},
            {
                "host": host,
                "port": int(port),
                "use_https": False,
                "username": REOLINK_USERNAME,
                "password": REOLINK_PASSWORD,
                "channel": 0,
                "name": "Demo Reolink",
            },
        ],
    )
    say(f"added {camera['title']} ({reolink}, {REOLINK_USERNAME} / {REOLINK_PASSWORD})")


async def add_demo_mirrors(
    session: aiohttp.ClientSession, url: str, token: str, s3: str | None, folder: str | None
) -> None:
    """Give the demo dashcam an S3 mirror and the demo Reolink a folder mirror (subentry flows)."""
    entries = {entry["title"]: entry for entry in await camsync_entries(session, url, token)}
    mirrors: list[tuple[str, list[dict[str, Any]]]] = []
    if s3 and "Demo dashcam" in entries:
        answer = {
            "endpoint_url": s3,
            "region": "us-east-1",
            "bucket": DEMO_BUCKET,
            "prefix": "camsync/demo_dashcam",
            "access_key_id": DEMO_S3_KEY,
            "secret_access_key": DEMO_S3_SECRET,
            "addressing": "auto",
            "verify_tls": True,
            "retention_days": 0,
        }
        mirrors.append(("Demo dashcam", [{"next_step_id": "s3"}, answer]))
    if folder and "Demo Reolink" in entries:
        # The demo folder is on the archive's own disk (a real one would be a NAS share or disk).
        answer = {"path": folder, "allow_same_disk": True, "retention_days": 0}
        mirrors.append(("Demo Reolink", [{"next_step_id": "folder"}, answer]))
    for title, steps in mirrors:
        created = await run_config_flow(
            session,
            url,
            token,
            [entries[title]["entry_id"], "mirror"],
            steps,
            kind="config_entries/subentries",
        )
        say(f"added the mirror {created['title']}")


async def demo(args: argparse.Namespace) -> int:
    """Onboard a new instance and add the demo cameras; leave an onboarded one alone."""
    url: str = args.url.rstrip("/")
    token_file = Path(args.config) / TOKEN_FILE
    async with aiohttp.ClientSession() as session:
        await wait_until_up(session, url, args.timeout)
        if await onboarding_done(session, url):
            say("already onboarded: keeping this instance's users and cameras")
            return 0
        say(f"onboarding: owner {args.username!r}")
        token = await onboard(session, url, Login(args.username, args.password))
        await add_demo_cameras(session, url, token, args.blackvue, args.reolink)
        await wait_for_loaded(session, url, token, count=2)
        await add_demo_mirrors(session, url, token, args.s3, args.mirror_folder)
        long_lived = await websocket_command(
            session,
            url,
            token,
            {
                "type": "auth/long_lived_access_token",
                "client_name": "scripts/develop",
                "lifespan": 3650,
            },
        )
        token_file.write_text(f"{long_lived}\n", encoding="utf-8")
        token_file.chmod(0o600)
        say(f"both cameras are loaded; an API token for curl is in {token_file}")
    return 0


def run_hass(arguments: Sequence[str]) -> int:
    """Run Home Assistant's command line with ``arguments`` in this interpreter."""
    from homeassistant import __main__ as hass_main  # noqa: PLC0415  (slow import, only here)
    from homeassistant.const import REQUIRED_PYTHON_VER  # noqa: PLC0415

    if sys.version_info[:3] < REQUIRED_PYTHON_VER:
        wanted = ".".join(map(str, REQUIRED_PYTHON_VER))
        say(f"Home Assistant asks for Python {wanted}; running on {sys.version.split()[0]} anyway")
        hass_main.validate_python = lambda: None
    sys.argv = ["hass", *arguments]
    return hass_main.main()


def build_parser() -> argparse.ArgumentParser:
    """Return the command-line parser."""
    parser = argparse.ArgumentParser(prog="dev_bootstrap.py", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("hass", help="run Home Assistant (arguments go to hass)", add_help=False)
    prepare_parser = commands.add_parser(
        "prepare", help="ready a new config folder (onboarding sets up no extras)"
    )
    prepare_parser.add_argument("-c", "--config", default="config", type=Path)
    demo_parser = commands.add_parser("demo", help="onboard and add the demo cameras")
    demo_parser.add_argument("--url", default="http://127.0.0.1:8123")
    demo_parser.add_argument("--config", default="config", help="Home Assistant's config folder")
    demo_parser.add_argument("--username", default=DEMO_USERNAME)
    demo_parser.add_argument("--password", required=True)
    demo_parser.add_argument("--blackvue", required=True, metavar="HOST:PORT")
    demo_parser.add_argument("--reolink", required=True, metavar="HOST:PORT")
    demo_parser.add_argument("--s3", metavar="URL", help="an S3 server for the dashcam's mirror")
    demo_parser.add_argument("--mirror-folder", metavar="PATH", help="the Reolink's mirror folder")
    demo_parser.add_argument("--timeout", type=float, default=180.0, help="seconds to wait for HA")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Dispatch to a subcommand."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["hass"]:  # everything after it belongs to Home Assistant's own parser
        return run_hass(argv[1:])
    args = build_parser().parse_args(argv)
    if args.command == "prepare":
        if skip_onboarding_extras(args.config):
            say("new config: onboarding will set up no integrations of its own")
        return 0
    try:
        return asyncio.run(demo(args))
    except BootstrapError as err:
        say(f"failed: {err}")
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
