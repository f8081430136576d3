"""Content verification: the MP4 box walker, property-based.

Well-formed files of every shape pass (plain, fragmented, 64-bit sizes, a last box "to the end",
vendor boxes); any cut that is not on a box boundary, any padding, any junk fails; nothing raises.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from hypothesis import HealthCheck, assume, example, given, settings, strategies as st
import pytest

from custom_components.camsync.engine.verify import bytes_damage, describe_damage, mp4_damage

PROPERTIES = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@dataclass(frozen=True)
class Box:
    kind: bytes
    payload: bytes
    encoding: str = "32"  # "32", "64" (size 1 + 64-bit size) or "eof" (size 0, last box only)

    def encode(self) -> bytes:
        if self.encoding == "64":
            return (
                (1).to_bytes(4, "big")
                + self.kind
                + (16 + len(self.payload)).to_bytes(8, "big")
                + self.payload
            )
        size = 0 if self.encoding == "eof" else 8 + len(self.payload)
        return size.to_bytes(4, "big") + self.kind + self.payload

    @property
    def header(self) -> int:
        return 16 if self.encoding == "64" else 8


def build(boxes: list[Box]) -> tuple[bytes, list[int]]:
    """Return the file and the offset where each box starts (plus the end)."""
    data = b""
    starts = []
    for box in boxes:
        starts.append(len(data))
        data += box.encode()
    return data, [*starts, len(data)]


payloads = st.binary(max_size=40)
vendor = st.builds(Box, st.sampled_from([b"free", b"skip", b"uuid", b"wide"]), payloads)


def _box(kind: bytes) -> st.SearchStrategy[Box]:
    return st.builds(Box, st.just(kind), payloads, st.sampled_from(["32", "64"]))


@st.composite
def mp4_files(draw: st.DrawFn) -> list[Box]:
    """Draw a well-formed camera video: plain (moov and mdat either way round) or fragmented."""
    boxes = [draw(_box(b"ftyp"))]
    boxes += draw(st.lists(vendor, max_size=2))
    if draw(st.booleans()):
        pair = [draw(_box(b"moov")), draw(_box(b"mdat"))]
        if draw(st.booleans()):
            pair.reverse()  # a camera that writes moov last (no fast start)
        boxes += [pair[0], *draw(st.lists(vendor, max_size=2)), pair[1]]
    else:
        boxes.append(draw(_box(b"moov")))
        for _ in range(draw(st.integers(min_value=1, max_value=5))):
            boxes += [draw(_box(b"moof")), *draw(st.lists(vendor, max_size=1))]
            boxes.append(draw(_box(b"mdat")))
    if draw(st.booleans()):
        last = boxes[-1]
        boxes[-1] = Box(last.kind, last.payload, "eof")
    return boxes


@PROPERTIES
@given(mp4_files())
def test_well_formed_files_pass_with_one_read_per_box(boxes: list[Box]) -> None:
    data, _ = build(boxes)
    reads: list[int] = []

    def read(offset: int, count: int) -> bytes:
        reads.append(offset)
        return data[offset : offset + count]

    assert describe_damage(read, len(data)) is None
    assert len(reads) == len(boxes)


@PROPERTIES
@given(mp4_files(), st.data())
def test_a_cut_inside_a_box_fails(boxes: list[Box], data: st.DataObject) -> None:
    encoded, starts = build(boxes)
    end_of_checked = len(encoded)
    if boxes[-1].encoding == "eof":  # a last box "to the end" has no length to fall short of
        end_of_checked = starts[-2] + boxes[-1].header
    cut = data.draw(st.integers(min_value=0, max_value=end_of_checked - 1))
    assume(cut not in starts)
    assert bytes_damage(encoded[:cut]) is not None


@PROPERTIES
@given(mp4_files(), st.binary(min_size=1, max_size=64))
def test_bytes_after_the_last_box_fail(boxes: list[Box], padding: bytes) -> None:
    assume(boxes[-1].encoding != "eof")
    encoded, _ = build(boxes)
    assert bytes_damage(encoded + padding) is not None


@PROPERTIES
@given(mp4_files(), st.data())
def test_a_cut_between_fragments_still_chains(boxes: list[Box], data: st.DataObject) -> None:
    # Why verification complements the length checks and does not replace them.
    encoded, starts = build(boxes)
    kinds = [box.kind for box in boxes]
    assume(b"moof" in kinds)
    ends_of_pairs = [
        starts[index + 1] for index, kind in enumerate(kinds) if kind == b"mdat" and index
    ]
    cut = data.draw(st.sampled_from(ends_of_pairs))
    assert bytes_damage(encoded[:cut]) is None


@PROPERTIES
@given(st.binary(max_size=200))
@example(b"\x00\x00\x00\x01ftyp")
@example(b"\x00\x00\x00\x01ftyp" + (2**64 - 1).to_bytes(8, "big"))
@example(b"\x00\x00\x00\x00ftyp")
@example(b"\x00\x00\x00\x08ftyp\x00\x00\x00\x00moov")
def test_any_bytes_never_raise(data: bytes) -> None:
    result = bytes_damage(data)
    assert result is None or isinstance(result, str)


@pytest.mark.parametrize(
    ("boxes", "why"),
    [
        ([Box(b"moov", b"x"), Box(b"ftyp", b""), Box(b"mdat", b"")], "starts with moov"),
        ([Box(b"ftyp", b""), Box(b"mdat", b"x")], "no moov"),
        ([Box(b"ftyp", b""), Box(b"moov", b"x")], "no mdat"),
        ([Box(b"ftyp", b""), Box(b"moof", b""), Box(b"moov", b""), Box(b"mdat", b"")], "before"),
        ([Box(b"ftyp", b""), Box(b"moov", b""), Box(b"moof", b""), Box(b"moof", b"")], "no mdat"),
        (
            [Box(b"ftyp", b""), Box(b"moov", b""), Box(b"mdat", b""), Box(b"moof", b"")],
            "last movie fragment",
        ),
    ],
)
def test_structure_rules(boxes: list[Box], why: str) -> None:
    damage = bytes_damage(build(boxes)[0])
    assert damage is not None
    assert why in damage


def test_a_box_shorter_than_its_header_fails() -> None:
    data = (4).to_bytes(4, "big") + b"ftyp" + build([Box(b"moov", b""), Box(b"mdat", b"")])[0]
    assert "less than its header" in (bytes_damage(data) or "")


@PROPERTIES
@given(mp4_files(), st.binary(max_size=16))
def test_the_file_walker_agrees_with_the_bytes_walker(
    tmp_path_factory: pytest.TempPathFactory, boxes: list[Box], tail: bytes
) -> None:
    data = build(boxes)[0] + tail
    path: Path = tmp_path_factory.mktemp("verify") / "clip.mp4"
    path.write_bytes(data)
    assert mp4_damage(path) == bytes_damage(data)
