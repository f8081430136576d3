"""Property-based tests of a whole run: whatever a camera lists and serves, it ends in a report.

``run_sync`` never raises, never writes outside the destination, and never gives a final name to
a file that is not safe there.

The camera here is an in-memory client (no HTTP), so hypothesis can try hundreds of listings:
arbitrary Unicode names, sizes, statuses, lengths, bodies, and clients that raise anything.
"""

from __future__ import annotations

import asyncio
from collections import namedtuple
from collections.abc import AsyncIterator, Coroutine
import contextlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
import tempfile
from typing import Any

from hypothesis import HealthCheck, example, given, settings, strategies as st

from custom_components.camsync.engine.archive import Archive, is_safe_name
from custom_components.camsync.engine.camera import Capabilities
from custom_components.camsync.engine.errors import Outcome
from custom_components.camsync.engine.models import (
    FileRole,
    Listing,
    Recording,
    RemoteFile,
    SyncOptions,
)
from custom_components.camsync.engine.run import run_sync

Usage = namedtuple("Usage", "total used free")
NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
FOREIGN_DIGITS = "٠١٢٣٤٥٦٧٨٩０１２３４５６７８９"
FAILURES: list[type[BaseException]] = [
    RuntimeError,
    ValueError,
    KeyError,
    OSError,
    UnicodeDecodeError,
    ConnectionResetError,
]


@dataclass
class Answer:
    """What the fake camera does when asked for one file."""

    status: int = 200
    body: bytes = b""
    content_length: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    raises: type[BaseException] | None = None
    breaks_after: int | None = None


class FakeContent:
    def __init__(self, answer: Answer) -> None:
        self.answer = answer

    async def iter_any(self) -> AsyncIterator[bytes]:
        body = self.answer.body
        cut = self.answer.breaks_after
        if cut is None:
            for start in range(0, len(body), 7):
                yield body[start : start + 7]
            return
        yield body[:cut]
        raise ConnectionResetError(104, "Connection reset by peer")


class FakeResponse:
    def __init__(self, answer: Answer) -> None:
        self.status = answer.status
        self.reason = "reason"
        self.headers = answer.headers
        self.content_length = answer.content_length
        self.content = FakeContent(answer)

    def release(self) -> None:
        """Nothing to release."""


class FakeCamera:
    """A CameraClient that lists and serves whatever the example says."""

    def __init__(self, listing: Listing, answers: dict[str, Answer]) -> None:
        self.listing = listing
        self.answers = answers
        self.capabilities = Capabilities()

    @property
    def host(self) -> str:
        return "fake"

    async def async_list_recordings(self, *, since: datetime | None = None) -> Listing:
        return self.listing

    @contextlib.asynccontextmanager
    async def open_file(self, file: RemoteFile, offset: int) -> AsyncIterator[FakeResponse]:
        answer = self.answers.get(file.locator, Answer(status=404))
        if answer.raises is not None:
            raise _instance(answer.raises)
        yield FakeResponse(answer)

    async def async_fetch_inline(self, file: RemoteFile) -> bytes:
        answer = self.answers.get(file.locator, Answer(status=404))
        if answer.raises is not None:
            raise _instance(answer.raises)
        return answer.body

    def recorded_at(self, name: str) -> datetime | None:
        return NOW if name.endswith(".mp4") else None


def _instance(kind: type[BaseException]) -> BaseException:
    if kind is UnicodeDecodeError:
        return UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte")
    return kind("the client broke")


names = st.one_of(
    st.text(max_size=30),
    st.text(st.sampled_from("0123456789_NFR.mp4/" + FOREIGN_DIGITS + "\n."), max_size=30),
    st.sampled_from(
        ["20261120_080000_NF.mp4", "../../evil.mp4", "a/b.mp4", ".hidden", "x" * 250, "ok.mp4"]
    ),
)
answers = st.builds(
    Answer,
    status=st.sampled_from([200, 200, 200, 206, 404, 416, 500, 503]),
    body=st.binary(max_size=64),
    content_length=st.one_of(st.none(), st.integers(min_value=0, max_value=80)),
    headers=st.one_of(
        st.just({}),
        st.builds(lambda text: {"Content-Range": text}, st.text(max_size=20)),
        st.builds(
            lambda a, b, c: {"Content-Range": f"bytes {a}-{b}/{c}"},
            st.integers(0, 80),
            st.integers(0, 80),
            st.integers(0, 80),
        ),
    ),
    raises=st.one_of(st.none(), st.none(), st.sampled_from(FAILURES)),
    breaks_after=st.one_of(st.none(), st.none(), st.integers(min_value=0, max_value=64)),
)
files = st.builds(
    RemoteFile,
    name=names,
    role=st.sampled_from(list(FileRole)),
    locator=st.text(max_size=8),
    size=st.one_of(st.none(), st.integers(min_value=-5, max_value=10**13)),
    required=st.booleans(),
    inline=st.booleans(),
    size_exact=st.booleans(),
)
recordings = st.builds(
    Recording,
    name=names,
    start=st.datetimes(
        min_value=datetime(1, 1, 2),
        max_value=datetime(9999, 12, 30),
        timezones=st.sampled_from(
            [UTC, timezone(timedelta(hours=-11)), timezone(timedelta(hours=14))]
        ),
    ),
    kind=st.text(max_size=3),
    channel=st.text(max_size=3),
    event=st.booleans(),
    rank=st.integers(-3, 30),
    files=st.lists(files, max_size=4).map(tuple),
    tags=st.frozensets(st.text(max_size=3), max_size=2),
)


def _run[T](coroutine: Coroutine[Any, Any, T]) -> T:
    """Run on a loop of its own, leaving the test session's current loop alone."""
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(coroutine)
    finally:
        loop.run_until_complete(loop.shutdown_default_executor())
        loop.close()


def _usage(path: Path) -> Usage:
    return Usage(10**18, 0, 10**18)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(recordings, max_size=6),
    st.dictionaries(st.text(max_size=8), answers, max_size=8),
    st.integers(min_value=1, max_value=3),
)
@example(
    [
        Recording(
            "٢٠٢٦١١٢٠_080000_NF.mp4",
            NOW,
            "N",
            "F",
            False,
            1,
            (RemoteFile("٢٠٢٦١١٢٠_080000_NF.mp4", FileRole.VIDEO, "a"),),
        )
    ],
    {"a": Answer(body=b"data")},
    1,
)
def test_no_listing_or_answer_can_break_a_run_or_escape_the_destination(
    listed: list[Recording], served: dict[str, Answer], workers: int
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        top = Path(folder)
        destination = top / "dest"
        archive = Archive(destination, "recordings")
        camera = FakeCamera(Listing(tuple(listed)), served)
        options = SyncOptions(retry_pause=0, concurrency=workers, chunk_size=16)

        report = _run(run_sync(camera, archive, options, disk_usage=_usage, clock=lambda: NOW))  # type: ignore[arg-type]

        assert report.outcome in (Outcome.COMPLETED, Outcome.DOWNLOADS_WEDGED), report.message
        assert report.finished is not None
        written = [path for path in top.rglob("*") if path.is_file()]
        assert all(path.resolve().is_relative_to(destination.resolve()) for path in written)
        root = archive.root.resolve()
        for saved in report.saved:
            assert is_safe_name(saved.name)
            assert Path(saved.path).resolve().is_relative_to(root)
        finals = {
            path.name
            for path in written
            if not path.resolve().is_relative_to(archive.state_dir.resolve())
        }
        assert finals == {saved.name for saved in report.saved}
        report.as_dict()  # JSON-friendly whatever the names were
