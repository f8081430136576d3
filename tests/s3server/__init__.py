"""A real S3-compatible server for the mirror tests and the benchmark: moto, in its own process.

:func:`ensure_venv` makes (once, then reuses) the venv ``.venv-s3server`` from
``requirements_s3server.txt``; :class:`S3Server` starts ``tests/s3server/serve.py`` in it on an
ephemeral 127.0.0.1 port. The server checks signatures and IAM policies: it makes an "admin" key
that may do anything and a "camera" key allowed only on buckets named ``camsync*``, so bad keys,
bad secrets and denied buckets give the errors a real service gives.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
import fcntl
import hashlib
import json
import os
from pathlib import Path
import subprocess
import sys
from typing import IO, Self

REPO = Path(__file__).resolve().parent.parent.parent
# scripts/test gives each target (Python 3.13, 3.14) a venv of its own, outside the repository.
VENV = Path(os.environ.get("CAMSYNC_S3SERVER_VENV") or REPO / ".venv-s3server")
REQUIREMENTS = REPO / "requirements_s3server.txt"
SERVE = Path(__file__).resolve().parent / "serve.py"


def _stamp() -> str:  # the requirements and the interpreter the venv is made with
    base = getattr(sys, "_base_executable", sys.executable)
    return (
        f"{hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()} {base} {sys.version.split()[0]}"
    )


def ensure_venv(venv: Path = VENV) -> Path:
    """Return the server venv's python, creating or updating the venv when needed (idempotent)."""
    python = venv / "bin" / "python"
    stamp_file = venv / ".requirements.sha256"
    venv.parent.mkdir(parents=True, exist_ok=True)
    with (venv.parent / ".venv-s3server.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two test runs at once build it once
        if python.exists() and stamp_file.exists() and stamp_file.read_text() == _stamp():
            return python
        sys.stderr.write(f"s3server: installing {REQUIREMENTS.name} into {venv} (once)\n")
        base = getattr(sys, "_base_executable", sys.executable)
        subprocess.run([base, "-m", "venv", "--clear", str(venv)], check=True)
        result = subprocess.run(
            [
                str(python),
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "-r",
                str(REQUIREMENTS),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"could not install the S3 server:\n{result.stderr[-3000:]}")
        stamp_file.write_text(_stamp())
    return python


@dataclass(frozen=True, slots=True)
class Credentials:
    """An access key and its secret."""

    access_key: str
    secret_key: str


class S3Server:
    """moto's S3 server in its own process on 127.0.0.1."""

    def __init__(self, process: subprocess.Popen[str], info: dict[str, str]) -> None:
        """Wrap a started server."""
        self.process = process
        self.port = int(info["port"])
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.admin = Credentials(info["admin_key"], info["admin_secret"])
        self.camera = Credentials(info["camera_key"], info["camera_secret"])

    @classmethod
    def start(cls, *, port: int = 0, log: IO[str] | None = None) -> Self:
        """Start the server (the venv is made first when needed) and wait until it answers."""
        python = ensure_venv()
        process = subprocess.Popen(
            [str(python), str(SERVE), "--port", str(port)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log if log is not None else subprocess.DEVNULL,
            text=True,
            start_new_session=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line:
            process.kill()
            raise RuntimeError("the S3 server did not start")
        return cls(process, json.loads(line))

    def stop(self) -> None:
        """Stop the server (closing its stdin ends it; killed if it lingers)."""
        with contextlib.suppress(OSError):
            if self.process.stdin is not None:
                self.process.stdin.close()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def __enter__(self) -> Self:
        """Return the server."""
        return self

    def __exit__(self, *exc: object) -> None:
        """Stop the server."""
        self.stop()
