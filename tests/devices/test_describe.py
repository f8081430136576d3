"""What an archived file's name says (the media source's titles and filters read it).

Names are camera input: whatever the name, ``describe`` never raises; a name it recognises gives
the facts the name encodes, and a BlackVue video and its thumbnail name each other.
"""

from __future__ import annotations

from hypothesis import example, given, settings, strategies as st
import pytest

from custom_components.camsync.devices.blackvue import describe as describe_blackvue
from custom_components.camsync.devices.reolink import ReolinkClient, parse_recording_name
from custom_components.camsync.engine.models import FileFacts, FileRole
from tests.devices.test_parser_properties import camera_names


@pytest.mark.parametrize(
    ("name", "facts"),
    [
        (
            "20261130_072911_EF.mp4",
            FileFacts(FileRole.VIDEO, "E", "F", event=True, thumbnail="20261130_072911_EF.thm"),
        ),
        (
            "20261130_072911_NRL.mp4",
            FileFacts(FileRole.VIDEO, "N", "R", thumbnail="20261130_072911_NR.thm"),
        ),
        (
            "20261130_072911_PF.thm",
            FileFacts(FileRole.THUMBNAIL, "P", "F", video="20261130_072911_PF.mp4"),
        ),
        ("20261130_072911_E.gps", FileFacts(FileRole.GPS, "E", "", event=True)),
        ("20261130_072911_M.3gf", FileFacts(FileRole.ACCELEROMETER, "M", "", event=True)),
        ("20261130_072911_ZF.mp4", None),
        ("20261130_072911_EQ.mp4", None),
        ("20261130_072911_EF.jpg", None),
        ("front_yard_20261130_072911.jpg", None),
    ],
)
def test_blackvue_names(name: str, facts: FileFacts | None) -> None:
    assert describe_blackvue(name) == facts


def _reolink() -> ReolinkClient:
    return ReolinkClient(None, "camera", username="admin", password="x", channel=2)  # type: ignore[arg-type]


def test_reolink_names_carry_every_trigger() -> None:
    # Flags with person (bit 17), vehicle (bit 19) and motion (bit 24) set.
    flags = f"{(1 << (27 - 17)) | (1 << (27 - 19)) | (1 << (27 - 24)):07X}"
    name = f"RecM01_20261130_072911_072941_{flags}_4A8E31.mp4"
    assert parse_recording_name(name) is not None
    facts = _reolink().describe(name)
    assert facts == FileFacts(
        FileRole.VIDEO,
        "person",
        "2",
        event=True,
        tags=frozenset({"person", "vehicle", "motion"}),
    )
    assert _reolink().describe("20261130_072911_EF.mp4") is None


@settings(max_examples=300, deadline=None)
@given(camera_names)
@example("20261130_072911_EF.thm")
@example("20261130_072911_EF.mp4")
def test_describing_any_name_never_raises_and_stays_consistent(name: str) -> None:
    for facts in (describe_blackvue(name), _reolink().describe(name)):
        if facts is None:
            continue
        suffix = name.rsplit(".", 1)[-1]
        assert (
            facts.role
            is {
                "mp4": FileRole.VIDEO,
                "thm": FileRole.THUMBNAIL,
                "gps": FileRole.GPS,
                "3gf": FileRole.ACCELEROMETER,
            }[suffix]
        )
        assert name.isascii()
        if facts.thumbnail is not None:  # a video and its thumbnail name each other
            thumbnail = describe_blackvue(facts.thumbnail)
            assert thumbnail is not None
            assert thumbnail.video is not None
            assert thumbnail.video[:18] == name[:18]


@given(st.text(max_size=60))
def test_any_text_is_described_or_refused(text: str) -> None:
    describe_blackvue(text)
    _reolink().describe(text)
