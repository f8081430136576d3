"""What the end-to-end tests share: bootstrap script, ports, processes, the clean-install venv.

``python -m tests.e2e.harness clean-install-venv VERSION VENV`` makes the clean-install test's venv
ahead of the test (scripts/test does, while another target's tests run).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import os
from pathlib import Path
import shutil
import signal
import socket
import subprocess
import sys
import time
from types import ModuleType

REPO = Path(__file__).resolve().parents[2]


def _load_bootstrap() -> ModuleType:
    """Import scripts/dev_bootstrap.py (scripts/ is no package)."""
    spec = importlib.util.spec_from_file_location(
        "dev_bootstrap", REPO / "scripts" / "dev_bootstrap.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


bootstrap = _load_bootstrap()


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def stop_process(process: subprocess.Popen[bytes], grace: float = 20.0) -> None:
    """Stop a process group: SIGTERM (Home Assistant shuts down cleanly), SIGKILL if it hangs."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(5)


class CleanInstallError(Exception):
    """The clean-install venv could not be made."""


def clean_install_python(home_assistant: str, venv: Path) -> Path:
    """Return the Python of a venv with Home Assistant ``home_assistant`` alone, made when needed.

    The venv is rebuilt only when the version changes; it uses the Python running this code
    (its base interpreter, not a venv's).
    """
    pin = f"homeassistant=={home_assistant}"
    python, stamp = venv / "bin" / "python", venv / ".pin"
    if python.exists() and stamp.exists() and stamp.read_text() == pin:
        return python
    shutil.rmtree(venv, ignore_errors=True)
    base = getattr(sys, "_base_executable", sys.executable)
    subprocess.run([base, "-m", "venv", str(venv)], check=True)
    flags = ["--quiet", "--disable-pip-version-check"]
    if sys.version_info[:3] < (3, 13, 2):  # as scripts/setup does (Home Assistant says 3.13.2)
        flags.append("--ignore-requires-python")
    _pip(python, flags, [pin])
    _pip(python, flags, _camera_requirements(python))
    stamp.write_text(pin)
    return python


def _camera_requirements(python: Path) -> list[str]:
    """Return what Home Assistant's own camera support needs, as its manifests pin it.

    The camera component imports ``stream`` (numpy, av): any real installation has them (the
    container image ships them; a Core install gets them with ``default_config``). A venv with
    the ``homeassistant`` package alone does not, and no camera platform can load there.
    """
    listed = subprocess.run(
        [
            str(python),
            "-c",
            "import json, homeassistant.components as c, pathlib\n"
            "root = pathlib.Path(c.__file__).parent\n"
            "print(json.dumps(sorted({r for d in ('camera', 'stream') for r in "
            "json.loads((root / d / 'manifest.json').read_text())['requirements']})))",
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd="/",
    )
    requirements: list[str] = json.loads(listed.stdout)
    return requirements


def _pip(python: Path, flags: list[str], packages: list[str]) -> None:
    installed = subprocess.run(
        [str(python), "-m", "pip", "install", *flags, *packages],
        capture_output=True,
        text=True,
        check=False,
    )
    if installed.returncode:
        raise CleanInstallError(f"pip could not install {packages}:\n{installed.stderr[-3000:]}")


def main(argv: list[str] | None = None) -> int:
    """Make the clean-install venv (the only command)."""
    parser = argparse.ArgumentParser(prog="python -m tests.e2e.harness")
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("clean-install-venv", help="make the clean-install test's venv")
    make.add_argument("version", help="Home Assistant's version, e.g. 2026.11.0")
    make.add_argument("venv", type=Path)
    args = parser.parse_args(argv)
    started = time.monotonic()
    try:
        python = clean_install_python(args.version, args.venv)
    except CleanInstallError as err:
        print(err, file=sys.stderr)  # noqa: T201
        return 1
    print(  # noqa: T201
        f"clean-install venv with Home Assistant {args.version}: {python.parent.parent}"
        f" (ready in {time.monotonic() - started:.0f} s)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
