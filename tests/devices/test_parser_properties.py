"""Property-based tests of the listing parsers: whatever a camera lists, they do not raise.

Nothing but an ASCII name that is safe in the archive comes out, and every path built from it
stays inside the destination. Plus an audit: every pattern that matches camera input is ASCII.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
import importlib
from pathlib import Path
import pkgutil
import re
from typing import Any

from hypothesis import HealthCheck, example, given, settings, strategies as st
import pytest

import custom_components.camsync.devices as devices_package
from custom_components.camsync.devices.blackvue import (
    BlackVueClient,
    Firmware,
    parse_legacy_listing,
    parse_video_name,
    parse_vod_list,
    recorded_at,
)
from custom_components.camsync.devices.reolink import ReolinkClient, parse_recording_name
from custom_components.camsync.devices.reolink.protocol import int_or_none, status_days
import custom_components.camsync.engine as engine_package
from custom_components.camsync.engine.archive import Archive, is_safe_name
from custom_components.camsync.engine.errors import ProtocolError
from custom_components.camsync.engine.models import Listing

PROPERTY_SETTINGS = settings(
    max_examples=300,
    deadline=None,
    # tmp_path only roots path arithmetic here: nothing is written, so sharing it is fine.
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

# Digits of other scripts that ``\d`` and ``int()`` accept: Arabic-Indic, full-width, Devanagari.
FOREIGN_DIGITS = "٠١٢٣٤٥٦٧٨٩０１２３４５６７８９०१२३"
name_chars = st.sampled_from(
    "0123456789_ABEFILMNOPRSTXZaefmp.v/\\:,-" + FOREIGN_DIGITS + "\n\r\x00é ☃"
)
# Names that often look almost like a recording, and often not at all.
camera_names = st.one_of(
    st.text(name_chars, max_size=40),
    st.text(max_size=40),
    st.builds(
        lambda date, time, letters, tail: f"{date}_{time}_{letters}{tail}",
        st.text(st.sampled_from("0123456789" + FOREIGN_DIGITS), min_size=8, max_size=8),
        st.text(st.sampled_from("0123456789" + FOREIGN_DIGITS), min_size=6, max_size=6),
        st.text(st.sampled_from("NEPMIFRXYZ"), min_size=1, max_size=3),
        st.sampled_from([".mp4", ".mp4\n", ".thm", "", ".mp4/../x", ".MP4"]),
    ),
)
json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=20)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)


def _blackvue(tz: timezone = UTC) -> BlackVueClient:
    return BlackVueClient(None, "dashcam", tz=tz)  # type: ignore[arg-type]


def _reolink() -> ReolinkClient:
    return ReolinkClient(None, "camera", username="admin", password="x")  # type: ignore[arg-type]


def _assert_safe(listing: Listing, tmp_path: Path) -> None:
    archive = Archive(tmp_path / "dest", "recordings")
    root = archive.root.resolve()
    for recording in listing.recordings:
        assert recording.name.isascii()
        for file in recording.files:
            assert is_safe_name(file.name), file.name
            final = archive.final_path(file.name, recording.start).resolve()
            assert final.is_relative_to(root)
            assert archive.partial_path(file.name).resolve().is_relative_to(archive.partial_dir)


# -- BlackVue --


@PROPERTY_SETTINGS
@given(st.lists(camera_names, max_size=30), st.sampled_from(["\r\n", "\n", "\r"]), st.booleans())
@example(["20261120_080000_NF.mp4"], "\r\n", True)
@example(["٢٠٢٦١١٢٠_080000_NF.mp4", "２０２６１１２０_080000_NF.mp4"], "\n", False)
def test_legacy_listing_never_raises_and_yields_only_safe_names(
    tmp_path: Path, names: list[str], ending: str, record_prefix: bool
) -> None:
    prefix = "/Record/" if record_prefix else ""
    text = "v:1.00" + ending + ending.join(f"n:{prefix}{name},s:1000000" for name in names)
    listed, _ = parse_legacy_listing(text)
    for firmware in Firmware:
        listing = _blackvue()._recordings(listed, [], firmware, None)
        _assert_safe(listing, tmp_path)
        assert listing.skipped + len(listing.recordings) + listing.clock_unset == len(listed)


@PROPERTY_SETTINGS
@given(st.text(max_size=400))
def test_legacy_listing_of_any_text_never_raises(tmp_path: Path, text: str) -> None:
    listed, skipped = parse_legacy_listing(text)
    listing = _blackvue()._recordings(listed, skipped, Firmware.LEGACY, None)
    _assert_safe(listing, tmp_path)


@PROPERTY_SETTINGS
@given(
    st.one_of(
        json_values,
        st.fixed_dictionaries(
            {"filelist": st.lists(st.one_of(json_values, st.builds(dict, filename=camera_names)))}
        ),
    )
)
@example({"filelist": [{"filename": "20261120_080000_NF.mp4\n"}]})
@example({"filelist": [{"filename": "١٩٧٠٠١٠١_000000_NF.mp4"}]})
def test_vod_list_never_raises_but_a_protocol_error(tmp_path: Path, payload: Any) -> None:
    try:
        listed, skipped = parse_vod_list(payload)
    except ProtocolError:
        assert not isinstance(payload, dict) or not isinstance(payload.get("filelist"), list)
        return
    listing = _blackvue()._recordings(listed, skipped, Firmware.V1009, None)
    _assert_safe(listing, tmp_path)


@PROPERTY_SETTINGS
@given(camera_names, st.integers(min_value=-14 * 60, max_value=14 * 60))
def test_blackvue_names_parse_only_as_ascii(name: str, minutes: int) -> None:
    tz = timezone(timedelta(minutes=minutes))
    video = parse_video_name(name, tz)
    when = recorded_at(name, tz)
    if video is not None:
        assert name.isascii()
        assert is_safe_name(name)
        assert when == video.start
    if when is not None:
        assert name.isascii()
        assert is_safe_name(name)


def test_non_ascii_digits_are_skipped_not_fatal(tmp_path: Path) -> None:
    names = ["٢٠٢٦١١٢٠_080000_NF.mp4", "20261120_080000_NF.mp4", "２０２６１１２０_080100_NF.mp4"]
    listing = _blackvue()._recordings(names, [], Firmware.LEGACY, None)
    assert [item.name for item in listing.recordings] == ["20261120_080000_NF.mp4"]
    assert listing.skipped == 2


# -- Reolink --

reolink_names = st.one_of(
    st.text(max_size=60),
    st.builds(
        lambda dst, day, start, end, flags, size, tail: (
            f"RecM01_{dst}{day}_{start}_{end}_{flags}_{size}{tail}"
        ),
        st.sampled_from(["", "DST"]),
        st.text(st.sampled_from("0123456789" + FOREIGN_DIGITS), min_size=8, max_size=8),
        st.text(st.sampled_from("0123456789" + FOREIGN_DIGITS), min_size=6, max_size=6),
        st.text(st.sampled_from("0123456789" + FOREIGN_DIGITS), min_size=6, max_size=6),
        st.text(st.sampled_from("0123456789ABCDEF"), min_size=7, max_size=10),
        st.text(st.sampled_from("0123456789ABCDEF٣"), min_size=1, max_size=8),
        st.sampled_from([".mp4", ".mp4\n", ".mp4/..", ""]),
    ),
)
search_entries = st.one_of(
    json_values,
    st.fixed_dictionaries(
        {
            "name": st.one_of(
                reolink_names,
                st.builds(
                    lambda folder, name: f"{folder}/{name}", st.text(max_size=20), reolink_names
                ),
            ),
            "size": json_values,
        }
    ),
)


@PROPERTY_SETTINGS
@given(st.lists(search_entries, max_size=10))
@example([{"name": "Mp4Record/2024-05-10/RecM01_20240510_080000_080030_6D28808_4A8E31.mp4"}])
@example([{"name": "RecM01_٢٠٢٤٠٥١٠_080000_080030_6D28808_4A8E31.mp4", "size": "１２"}])
def test_reolink_search_entries_never_raise_and_yield_only_safe_names(
    tmp_path: Path, entries: list[Any]
) -> None:
    client = _reolink()
    recordings = [item for item in map(client._recording, entries) if item is not None]
    _assert_safe(Listing(tuple(recordings)), tmp_path)
    for recording in recordings:
        size = recording.files[0].size
        assert size is None or size > 0


@PROPERTY_SETTINGS
@given(reolink_names)
def test_reolink_names_parse_only_as_ascii(name: str) -> None:
    parsed = parse_recording_name(name)
    if parsed is not None:
        assert name.isascii()
        assert is_safe_name(name)
        assert parsed.end >= parsed.start


@PROPERTY_SETTINGS
@given(json_values)
def test_status_tables_never_raise(statuses: Any) -> None:
    for day in status_days(statuses):
        assert 1 <= day.year < 9999


@PROPERTY_SETTINGS
@given(st.one_of(json_values, st.text(st.sampled_from("0123456789 " + FOREIGN_DIGITS))))
def test_numbers_from_the_camera_are_ascii_digits_only(value: Any) -> None:
    number = int_or_none(value)
    if isinstance(value, str) and number is not None:
        assert value.strip().isascii()


# -- the audit --


def _modules(package: Any) -> list[Any]:
    prefix = package.__name__ + "."
    walked = pkgutil.walk_packages(package.__path__, prefix)
    return [package, *(importlib.import_module(info.name) for info in walked)]


@pytest.mark.parametrize("package", [devices_package, engine_package], ids=["devices", "engine"])
def test_every_pattern_for_camera_input_is_ascii_only(package: Any) -> None:
    patterns = [
        (module.__name__, name, value)
        for module in _modules(package)
        for name, value in vars(module).items()
        if isinstance(value, re.Pattern)
    ]
    assert patterns
    for module, name, pattern in patterns:
        if isinstance(pattern.pattern, bytes):
            continue  # bytes patterns only ever match ASCII
        assert pattern.flags & re.ASCII, f"{module}.{name} must use re.ASCII"
        assert "$" not in pattern.pattern.replace("\\$", ""), f"{module}.{name}: use fullmatch"


def test_1970_recordings_are_counted_not_listed() -> None:
    names = ["19700101_000012_NF.mp4", "19700101_000012_NR.mp4", "20261120_080000_NF.mp4"]
    since = datetime(2026, 11, 1, tzinfo=UTC)
    listing = _blackvue()._recordings(names, [], Firmware.LEGACY, since)
    assert [item.name for item in listing.recordings] == ["20261120_080000_NF.mp4"]
    assert listing.clock_unset == 2
    assert listing.skipped == 0
