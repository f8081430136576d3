"""The clean-install test's venv: Home Assistant alone, with its own camera support.

Standard library only, so that any Python can make it ahead of the test (scripts/test does, while
other work runs):

    python -m tests.e2e.clean_venv VERSION VENV

The venv uses the running Python's base interpreter and is rebuilt only when the version or the
interpreter changes; a lock lets a test wait for a build that another process has started.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
import contextlib
import fcntl
import json
from pathlib import Path
import shutil
import subprocess
import sys
import time


class CleanInstallError(Exception):
    """The clean-install venv could not be made."""


def clean_install_python(version: str, venv: Path) -> Path:
    """Return the Python of a venv with Home Assistant ``version`` alone, made when needed."""
    base = getattr(sys, "_base_executable", sys.executable)
    pin = f"homeassistant=={version}"
    want = f"{pin} {base} {sys.version.split()[0]}"
    python, stamp = venv / "bin" / "python", venv / ".pin"
    with _locked(venv):
        if python.exists() and stamp.exists() and stamp.read_text() == want:
            return python
        shutil.rmtree(venv, ignore_errors=True)
        subprocess.run([base, "-m", "venv", str(venv)], check=True)
        flags = ["--quiet", "--disable-pip-version-check"]
        if sys.version_info[:3] < (3, 13, 2):  # as scripts/setup does (Home Assistant says 3.13.2)
            flags.append("--ignore-requires-python")
        _pip(python, flags, [pin])
        _pip(python, flags, _camera_requirements(python))
        stamp.write_text(want)
    return python


@contextlib.contextmanager
def _locked(venv: Path) -> Iterator[None]:
    venv.parent.mkdir(parents=True, exist_ok=True)
    with (venv.parent / f".{venv.name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


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
    """Make the venv."""
    parser = argparse.ArgumentParser(prog="python -m tests.e2e.clean_venv")
    parser.add_argument("version", help="Home Assistant's version, e.g. 2026.11.0")
    parser.add_argument("venv", type=Path)
    args = parser.parse_args(argv)
    started = time.monotonic()
    try:
        python = clean_install_python(args.version, args.venv)
    except CleanInstallError as err:
        print(err, file=sys.stderr)  # noqa: T201
        return 1
    print(  # noqa: T201
        f"clean-install venv with Home Assistant {args.version} ({sys.version.split()[0]}):"
        f" {python.parent.parent}, ready in {time.monotonic() - started:.0f} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
