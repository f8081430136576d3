"""Every simulated video is a well-formed MP4, generated in chunks from (name, size, layout)."""

from __future__ import annotations

import hashlib
import struct

from hypothesis import given, settings, strategies as st
import pytest

from camera_simulators import content
from tests.simulators.boxes import children, is_well_formed, top_level_boxes

NAME = "20260101_120000_NF.mp4"


def test_plain_layout_is_ftyp_moov_mdat_chained_to_the_end() -> None:
    data = content.content(NAME, 300_000)
    assert len(data) == 300_000
    boxes = top_level_boxes(data)
    assert [kind for kind, _, _ in boxes] == ["ftyp", "moov", "mdat"]
    assert boxes[-1][1] + boxes[-1][2] == 300_000
    assert data[4:12] == b"ftypisom"
    _, moov_at, moov_size = boxes[1]
    inside = [kind for kind, _, _ in children(data, moov_at, moov_size)]
    assert inside == ["mvhd", "trak"]
    trak = children(data, moov_at, moov_size)[1]
    assert [kind for kind, _, _ in children(data, trak[1], trak[2])] == ["tkhd", "mdia"]
    assert boxes[-1][1] == content.PLAIN_HEADER_SIZE - 8


def test_payload_keeps_the_numbered_blocks_at_their_offsets() -> None:
    """Past the headers the bytes are the block stream at the same absolute offset."""
    size = content.BLOCK_SIZE + 5000
    tail = b"".join(content.iter_content(NAME, size, content.BLOCK_SIZE, size))
    assert tail[:8] == (1).to_bytes(8, "big")
    # Another name, another pattern; the same name, the same bytes.
    assert content.content(NAME, 5000)[600:] != content.content("other.mp4", 5000)[600:]
    assert content.content(NAME, 5000) == content.content(NAME, 5000)


def test_fragmented_layout_is_moof_mdat_pairs() -> None:
    size = 3 * content.FRAGMENT_SIZE + 50_000
    data = content.content(NAME, size, layout="fragmented")
    kinds = [kind for kind, _, _ in top_level_boxes(data)]
    assert kinds[:2] == ["ftyp", "moov"]
    assert kinds[2:] == ["moof", "mdat"] * 4
    assert data[4:12] == b"ftypmp42"
    moov = top_level_boxes(data)[1]
    assert "mvex" in [kind for kind, _, _ in children(data, moov[1], moov[2])]
    # Sequence numbers count up (mfhd inside each moof).
    moofs = [(at, length) for kind, at, length in top_level_boxes(data) if kind == "moof"]
    sequences = [struct.unpack_from(">I", data, at + 8 + 12)[0] for at, _ in moofs]
    assert sequences == [1, 2, 3, 4]


def test_a_short_remainder_joins_the_last_fragment() -> None:
    # 50 bytes past two fragments: too few for a third.
    size = content.FRAGMENTED_HEAD_SIZE + 2 * content.FRAGMENT_SIZE + 50
    data = content.content(NAME, size, layout="fragmented")
    assert is_well_formed(data)
    assert [kind for kind, _, _ in top_level_boxes(data)].count("moof") == 2


@pytest.mark.parametrize("size", [0, 1, 31, 32, 33, 496, 497, 498, 999, 1000, 1234])
@pytest.mark.parametrize("layout", ["plain", "fragmented"])
def test_small_sizes(size: int, layout: content.Layout) -> None:
    data = content.content(NAME, size, layout=layout)
    assert len(data) == size
    assert is_well_formed(data) == (size >= content.TINY_HEADER_SIZE)


FTYP_AND_MOOV = content.TINY_HEADER_SIZE - 8  # the tiny file without its mdat header


@settings(max_examples=60, deadline=None)
@given(
    size=st.integers(min_value=0, max_value=4 * content.FRAGMENT_SIZE),
    layout=st.sampled_from(["plain", "fragmented"]),
    cut=st.integers(min_value=0, max_value=4 * content.FRAGMENT_SIZE),
    chunk=st.integers(min_value=1, max_value=300_000),
)
def test_chunks_and_ranges_agree_with_the_whole(
    size: int, layout: content.Layout, cut: int, chunk: int
) -> None:
    whole = content.content(NAME, size, layout=layout)
    assert len(whole) == size
    # Below the tiny file's 32 bytes only its first 24 (ftyp and an empty moov) end on a box.
    assert is_well_formed(whole) == (size >= content.TINY_HEADER_SIZE or size == FTYP_AND_MOOV)
    start = min(cut, size)
    part = b"".join(content.iter_content(NAME, size, start, None, chunk, layout=layout))
    assert part == whole[start:]


@pytest.mark.parametrize("layout", ["plain", "fragmented"])
@pytest.mark.parametrize("damage", [-7, 5, 4096])
def test_damage_breaks_the_chain_but_keeps_the_length(layout: content.Layout, damage: int) -> None:
    size = 250_000
    good = content.content(NAME, size, layout=layout)
    bad = content.content(NAME, size, layout=layout, damage=damage)
    assert len(bad) == size
    assert is_well_formed(good)
    assert not is_well_formed(bad)
    assert sum(a != b for a, b in zip(good, bad, strict=True)) <= 4  # one size field
    expected = hashlib.sha256(bad).hexdigest()
    assert content.sha256(NAME, size, layout=layout, damage=damage) == expected


def test_past_4_gib_the_mdat_has_a_64_bit_size() -> None:
    size = 2**32 + 1000
    head = b"".join(content.iter_content(NAME, size, 0, content.PLAIN_HEADER_SIZE + 8))
    mdat_at = content.PLAIN_HEADER_SIZE - 8
    assert head[mdat_at : mdat_at + 8] == struct.pack(">I", 1) + b"mdat"
    (largesize,) = struct.unpack_from(">Q", head, mdat_at + 8)
    assert mdat_at + largesize == size


def test_sha256_matches_content() -> None:
    layouts: tuple[content.Layout, ...] = ("plain", "fragmented")
    for layout in layouts:
        data = content.content(NAME, 400_000, layout=layout)
        assert content.sha256(NAME, 400_000, layout=layout) == hashlib.sha256(data).hexdigest()
