"""What the end-to-end tests share: the bootstrap script, free ports, stopping a process, a disk."""

from __future__ import annotations

from collections.abc import Iterator
import contextlib
import importlib.util
import os
from pathlib import Path
import shutil
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


@contextlib.contextmanager
def small_disk(mountpoint: Path, size_mb: int = 64) -> Iterator[bool]:
    """Mount a small ext4 file system at ``mountpoint`` (loop device; needs root).

    Yield whether it is mounted: without root, ``mkfs.ext4`` or loop devices the folder stays a
    plain folder (of a disk too big for a test to fill), and the caller says what it does then.
    """
    mountpoint.mkdir(parents=True, exist_ok=True)
    image = mountpoint.with_name(f"{mountpoint.name}.img")
    mounted = False
    if os.geteuid() == 0 and all(shutil.which(tool) for tool in ("mkfs.ext4", "mount", "umount")):
        with image.open("wb") as handle:
            handle.truncate(size_mb * 1024 * 1024)
        made = subprocess.run(
            ["mkfs.ext4", "-q", "-F", "-m", "5", str(image)], capture_output=True, check=False
        )
        mounted = (
            made.returncode == 0
            and subprocess.run(
                ["mount", "-o", "loop", str(image), str(mountpoint)],
                capture_output=True,
                check=False,
            ).returncode
            == 0
        )
    try:
        yield mounted
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(mountpoint)], check=False)
        image.unlink(missing_ok=True)
