"""What the end-to-end tests share: the bootstrap script, free ports, stopping a process."""

from __future__ import annotations

import contextlib
import importlib.util
import os
from pathlib import Path
import signal
import socket
import subprocess
import sys
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
