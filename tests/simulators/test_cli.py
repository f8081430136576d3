"""``python -m camera_simulators``: demo clips, clip serving, the v3 profile, a prompt exit."""

from __future__ import annotations

from collections.abc import Iterator
import contextlib
import json
import os
from pathlib import Path
import re
import signal
import subprocess
import sys
import time
import urllib.request

import av
import pytest

from camera_simulators.clips import ClipLibrary, make_clip
from tests.simulators.boxes import top_level_boxes

ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


@contextlib.contextmanager
def serving(
    arguments: list[str], *, prelude: str = ""
) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """Start the CLI (after ``prelude`` code, if any); yield it and its first line."""
    code = f"{prelude}\nimport runpy\nrunpy.run_module('camera_simulators', run_name='__main__')"
    command = [sys.executable, "-c", code, *arguments]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=ENV) as process:
        try:
            assert process.stdout is not None
            yield process, process.stdout.readline()
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
            started = time.monotonic()
            assert process.wait(timeout=10) == 0
            assert time.monotonic() - started < 10


def test_sigint_exits_promptly_even_with_a_lingering_thread() -> None:
    """A library thread that never ends (pycares' on Python 3.14) must not keep the CLI alive."""
    prelude = "import threading, time\nthreading.Thread(target=time.sleep, args=(120,)).start()"
    arguments = ["blackvue", "--port", "0", "--recordings", "2"]
    with serving(arguments, prelude=prelude) as (_, line):
        assert line.startswith("BlackVue simulator on http://127.0.0.1:")


def test_sigterm_also_stops_it() -> None:
    command = [sys.executable, "-m", "camera_simulators", "reolink", "--port", "0", "--days", "1"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=ENV) as process:
        assert process.stdout is not None
        assert process.stdout.readline().startswith("Reolink simulator on")
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0


def test_make_clip_is_playable_h264(tmp_path: Path) -> None:
    path = tmp_path / "clip.mp4"
    make_clip(path, "test", seconds=1)
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264"
        frames = sum(1 for _ in container.decode(stream))
    assert frames == 15
    kinds = [kind for kind, _, _ in top_level_boxes(path.read_bytes())]
    assert kinds.index("moov") < kinds.index("mdat")  # faststart: playable while loading


def test_clips_command_then_cameras_serve_them(tmp_path: Path) -> None:
    folder = tmp_path / "clips"
    command = [sys.executable, "-m", "camera_simulators", "clips", "--out", str(folder)]
    command += ["--count", "2"]
    subprocess.run(command, check=True, env=ENV, capture_output=True, timeout=120)
    clips = sorted(folder.glob("*.mp4"))
    assert [path.name for path in clips] == ["clip-1.mp4", "clip-2.mp4"]
    library = ClipLibrary.from_folder(folder)
    contents = {path.read_bytes() for path in clips}

    arguments = ["blackvue", "--port", "0", "--recordings", "2", "--clips", str(folder)]
    with serving(arguments) as (_, line):
        base = re.search(r"http://\S+", line)[0]  # type: ignore[index]
        with urllib.request.urlopen(f"{base}/blackvue_vod.cgi", timeout=5) as response:
            name = response.read().decode().splitlines()[1][10:].split(",")[0]
        with urllib.request.urlopen(f"{base}/Record/{name}", timeout=5) as response:
            assert response.read() == library.clip(name)
            assert library.clip(name) in contents

    arguments = ["reolink", "--port", "0", "--days", "1", "--per-day", "2", "--clips", str(folder)]
    with serving(arguments) as (_, line):
        base = re.search(r"http://\S+", line)[0]  # type: ignore[index]
        token = _reolink_login(base)
        files = _reolink_today(base, token)
        entry = files[0]
        url = f"{base}/cgi-bin/api.cgi?cmd=Download&source={entry['name']}&token={token}"
        with urllib.request.urlopen(url, timeout=5) as response:
            body = response.read()
        assert body in contents
        assert int(entry["size"]) == len(body)  # Search and the name tell the clip's size
        assert entry["name"].endswith(f"_{len(body):X}.mp4")


@pytest.mark.parametrize("firmware", ["v3"])
def test_reolink_firmware_flag(firmware: str) -> None:
    arguments = ["reolink", "--port", "0", "--days", "1", "--per-day", "2", "--firmware", firmware]
    with serving(arguments) as (_, line):
        base = re.search(r"http://\S+", line)[0]  # type: ignore[index]
        token = _reolink_login(base)
        files = _reolink_today(base, token)
        assert files[0]["name"].startswith("/mnt/sda/Mp4Record/")
        url = f"{base}/cgi-bin/api.cgi?cmd=Download&source={files[0]['name']}&token={token}"
        with urllib.request.urlopen(url, timeout=5) as response:
            assert response.headers["Content-Type"] == "video/mp4"
            assert response.headers["Transfer-Encoding"] == "chunked"
            assert len(response.read()) != int(files[0]["size"])


def _reolink_post(base: str, command: str, param: dict[str, object], token: str = "") -> object:
    body = json.dumps([{"cmd": command, "param": param}]).encode()
    url = f"{base}/cgi-bin/api.cgi?cmd={command}&token={token}"
    with urllib.request.urlopen(urllib.request.Request(url, body), timeout=5) as response:
        return json.loads(response.read())[0]


def _reolink_login(base: str) -> str:
    user = {"userName": "admin", "password": "secret-pass"}
    reply = _reolink_post(base, "Login", {"User": user})
    return str(reply["value"]["Token"]["name"])  # type: ignore[index]


def _reolink_today(base: str, token: str) -> list[dict[str, str]]:
    """File-search yesterday, today and tomorrow: the camera's clock is its own.

    It is UTC+1 by default, so in the last hour of a UTC day its recordings are on the next day.
    """
    files: list[dict[str, str]] = []
    now = time.localtime()
    for back in (-1, 0, 1):
        day = time.localtime(time.mktime(now) - back * 86400)
        moment = {"year": day.tm_year, "mon": day.tm_mon, "day": day.tm_mday}
        search = {
            "channel": 0,
            "onlyStatus": 0,
            "streamType": "main",
            "StartTime": {**moment, "hour": 0, "min": 0, "sec": 0},
            "EndTime": {**moment, "hour": 23, "min": 59, "sec": 59},
        }
        reply = _reolink_post(base, "Search", {"Search": search}, token)
        files += reply["value"]["SearchResult"].get("File", [])  # type: ignore[index]
    assert files
    return files
