"""The camsync media source: camera > view > day > files, titles, thumbnails, playing, search.

A dashcam with GPS also lists its trips, each a folder of the recordings it was driven in.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
import hashlib
import io
from pathlib import Path
from typing import Any
from unittest.mock import patch

from homeassistant.components import media_source
from homeassistant.components.media_player import BrowseError
from homeassistant.components.media_player.browse_media import BrowseMedia, SearchMediaQuery
from homeassistant.components.media_source import MediaSourceItem, Unresolvable
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from PIL import Image
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from camera_simulators.blackvue import BlackVueSimulator, journey_recordings
from camera_simulators.clips import ClipLibrary, make_clip
from camera_simulators.reolink import ReolinkSimulator, make_reolink_recordings
from camera_simulators.route import HOME, DashcamGps, grid_point
from custom_components.camsync import media_source as camsync_source
from custom_components.camsync.const import (
    CONF_SNAPSHOT_MODE,
    DOMAIN,
    EVENT_FILE_SAVED,
    EVENT_TRIP_FINISHED,
    SnapshotMode,
)
from custom_components.camsync.devices.blackvue import parse_video_name
from custom_components.camsync.devices.reolink import main_trigger, parse_recording_name
from tests.blackvue_fixtures import archived, sha256_file
from tests.ha.conftest import blackvue_entry, call_action, reolink_entry, sync_and_wait
from tests.ha.test_car import CLOCK, JOURNEY

LABELS = {"N": "Normal", "E": "Event", "P": "Parking", "F": "Front", "R": "Rear"}
TRIGGER_LABELS = {
    "person": "Person",
    "vehicle": "Vehicle",
    "animal": "Animal",
    "motion": "Motion",
    "timer": "Scheduled",
}
TRIGGER_ORDER = ("person", "vehicle", "animal", "motion")


@pytest.fixture(autouse=True)
async def _media_source(hass: HomeAssistant, media: Path) -> None:
    """Set up Home Assistant's media sources (after the media folder points into the test's)."""
    assert await async_setup_component(hass, "media_source", {})


@pytest.fixture(scope="module")
def clip_files(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Return two real one-second H.264 clips (different colours)."""
    folder = tmp_path_factory.mktemp("clips")
    paths = [folder / "a.mp4", folder / "b.mp4"]
    for index, path in enumerate(paths):
        make_clip(path, f"clip {index}", seconds=1, colour_index=index)
    return paths


async def browse(hass: HomeAssistant, identifier: str = "") -> BrowseMedia:
    """Browse camsync's media source at ``identifier``."""
    uri = f"media-source://{DOMAIN}" + (f"/{identifier}" if identifier else "")
    return await media_source.async_browse_media(hass, uri)


def titles(node: BrowseMedia) -> list[str]:
    return [child.title for child in node.children or ()]


def child(node: BrowseMedia, title: str) -> BrowseMedia:
    (found,) = [item for item in node.children or () if item.title == title]
    return found


def identifier(node: BrowseMedia) -> str:
    return node.media_content_id.removeprefix(f"media-source://{DOMAIN}/")


def dashcam_title(name: str) -> str:
    """Return the title a BlackVue video should get, worked out from its name."""
    video = parse_video_name(name, datetime.now().astimezone().tzinfo)  # type: ignore[arg-type]
    assert video is not None
    return f"{name[9:11]}:{name[11:13]} · {LABELS[video.type]} · {LABELS[video.direction]}"


def reolink_title(name: str) -> str:
    parsed = parse_recording_name(name)
    assert parsed is not None
    main = main_trigger(parsed.triggers)
    others = [tag for tag in TRIGGER_ORDER if tag in parsed.triggers and tag != main]
    return f"{parsed.start:%H:%M} · " + ", ".join(TRIGGER_LABELS[t] for t in [main, *others])


def newest_first(names: list[str]) -> list[str]:
    return sorted(names, key=lambda name: (name[:15], name), reverse=True)


async def get(client: Any, url: str) -> tuple[int, bytes, str]:
    response = await client.get(url)
    return response.status, await response.read(), response.headers.get("Content-Type", "")


def jpeg_size(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "JPEG"
        image.load()
        return image.size


# -- the dashcam (sidecar thumbnails) --


@pytest.fixture
async def synced(
    hass: HomeAssistant, entry: MockConfigEntry, dashcam: BlackVueSimulator
) -> MockConfigEntry:
    """Return the dashcam's entry, with everything the camera lists archived."""
    assert (await sync_and_wait(hass, entry))["outcome"] == "completed"
    return entry


async def test_cameras_days_and_recordings_newest_first_with_titles(
    hass: HomeAssistant, synced: MockConfigEntry, dashcam: BlackVueSimulator
) -> None:
    root = await browse(hass)
    assert root.title == "camsync"
    assert (
        root.can_search is camsync_source.SEARCH_SUPPORTED
    )  # media-source search came with 2026.7
    assert titles(root) == ["Dashcam"]
    camera = await browse(hass, synced.entry_id)
    assert camera.title == "Dashcam"

    videos = dashcam.listed_names()
    days = sorted({f"{n[:4]}-{n[4:6]}-{n[6:8]}" for n in videos}, reverse=True)
    assert titles(camera) == ["Events only", "By kind", *days]  # no snapshots, no timelapses
    seen: list[str] = []
    for day in days:
        node = await browse(hass, identifier(child(camera, day)))
        assert node.title == day
        on_day = newest_first([n for n in videos if n.startswith(day.replace("-", ""))])
        assert titles(node) == [dashcam_title(name) for name in on_day]
        for item, name in zip(node.children or (), on_day, strict=True):
            assert item.media_class == "video"
            assert item.media_content_type == "video/mp4"
            assert item.can_play
            assert not item.can_expand
            assert item.media_content_id == (
                f"media-source://camsync/{synced.entry_id}/file/recordings/{name}"
            )
            assert item.thumbnail == f"/api/camsync/thumbnail/{synced.entry_id}/recordings/{name}"
            seen.append(name)
    assert sorted(seen) == sorted(videos)  # sidecars (.thm, .gps, .3gf) are not listed


async def test_filters_by_kind_as_folders(
    hass: HomeAssistant, synced: MockConfigEntry, dashcam: BlackVueSimulator
) -> None:
    camera = await browse(hass, synced.entry_id)
    kinds = await browse(hass, identifier(child(camera, "By kind")))
    assert titles(kinds) == ["Event", "Normal", "Parking"]  # events first, as the camera ranks
    for label, letter in (("Event", "E"), ("Parking", "P")):
        folder = await browse(hass, identifier(child(kinds, label)))
        listed = [
            name
            for day in folder.children or ()
            for name in _names(await browse(hass, identifier(day)))
        ]
        assert sorted(listed) == sorted(n for n in dashcam.listed_names() if n[16] == letter)
    events = await browse(hass, identifier(child(camera, "Events only")))
    listed = [
        name
        for day in events.children or ()
        for name in _names(await browse(hass, identifier(day)))
    ]
    assert listed
    assert all(name[16] == "E" for name in listed)


def _names(node: BrowseMedia) -> list[str]:
    return [item.media_content_id.rsplit("/", 1)[-1] for item in node.children or ()]


async def test_a_dashcam_thumbnail_is_its_own_thm(
    hass: HomeAssistant,
    synced: MockConfigEntry,
    destination: Path,
    hass_client: ClientSessionGenerator,
) -> None:
    client = await hass_client()
    files = archived(destination)
    video = next(name for name in files if name.endswith("F.mp4"))
    status, body, kind = await get(
        client, f"/api/camsync/thumbnail/{synced.entry_id}/recordings/{video}"
    )
    assert (status, kind) == (200, "image/jpeg")
    assert hashlib.sha256(body).hexdigest() == sha256_file(files[video.replace(".mp4", ".thm")])
    jpeg_size(body)
    assert not (destination / ".camsync" / "thumbnails").exists()  # nothing had to be made


async def test_resolving_plays_the_archived_bytes(
    hass: HomeAssistant,
    synced: MockConfigEntry,
    destination: Path,
    media: Path,
    hass_client: ClientSessionGenerator,
) -> None:
    client = await hass_client()
    files = archived(destination)
    name = next(name for name in files if name.endswith(".mp4"))
    resolved = await media_source.async_resolve_media(
        hass, f"media-source://camsync/{synced.entry_id}/file/recordings/{name}", None
    )
    assert resolved.mime_type == "video/mp4"
    relative = files[name].relative_to(media).as_posix()
    assert resolved.url == f"/media/local/{relative}"
    assert resolved.path == files[name]
    status, body, _ = await get(client, resolved.url)
    assert status == 200
    assert hashlib.sha256(body).hexdigest() == sha256_file(files[name])


async def test_an_archive_outside_the_media_folders_plays_from_camsyncs_view(
    hass: HomeAssistant,
    dashcam: BlackVueSimulator,
    media: Path,
    nas_root: Path,
    hass_client: ClientSessionGenerator,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    outside = nas_root / "car"
    entry = blackvue_entry(dashcam, outside)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await sync_and_wait(hass, entry)
    files = archived(outside)
    name = next(name for name in files if name.endswith(".mp4"))

    resolved = await media_source.async_resolve_media(
        hass, f"media-source://camsync/{entry.entry_id}/file/recordings/{name}", None
    )

    assert resolved.url == f"/api/camsync/file/{entry.entry_id}/recordings/{name}"
    client = await hass_client()
    status, body, kind = await get(client, resolved.url)
    assert (status, kind) == (200, "video/mp4")
    assert hashlib.sha256(body).hexdigest() == sha256_file(files[name])
    ranged = await client.get(resolved.url, headers={"Range": "bytes=100-199"})
    assert ranged.status == 206
    assert await ranged.read() == files[name].read_bytes()[100:200]
    anonymous = await hass_client_no_auth()
    assert (await anonymous.get(resolved.url)).status == 401
    thumbnail = f"/api/camsync/thumbnail/{entry.entry_id}/recordings/{name}"
    assert (await anonymous.get(thumbnail)).status == 401


@pytest.mark.parametrize(
    "path",
    [
        "file/recordings/archived.txt",
        "file/recordings/lock",
        "file/snapshots/..",
        "file/recordings/..%2F.camsync%2Farchived.txt",
        "file/nowhere/x.mp4",
        "file/recordings",
    ],
)
async def test_nothing_outside_the_index_is_served(
    hass: HomeAssistant,
    synced: MockConfigEntry,
    destination: Path,
    hass_client: ClientSessionGenerator,
    path: str,
) -> None:
    assert (destination / ".camsync" / "archived.txt").is_file()
    with pytest.raises(Unresolvable):
        await media_source.async_resolve_media(
            hass, f"media-source://camsync/{synced.entry_id}/{path}", None
        )
    client = await hass_client()
    rest = path.removeprefix("file/")
    for view in ("file", "thumbnail"):
        response = await client.get(f"/api/camsync/{view}/{synced.entry_id}/{rest}")
        assert response.status in (400, 404)  # 400: Home Assistant refuses the ".." itself


async def test_gps_files_and_unknown_folders_are_not_browsable(
    hass: HomeAssistant, synced: MockConfigEntry, destination: Path
) -> None:
    gps = next(name for name in archived(destination) if name.endswith(".gps"))
    for path in (
        f"{synced.entry_id}/file/recordings/{gps}",
        f"{synced.entry_id}/nowhere",
        f"{synced.entry_id}/recordings/not-a-day",
        f"{synced.entry_id}/recordings/2026-11-30/more",
        f"{synced.entry_id}/kinds/more",
        f"{synced.entry_id}/timelapses/2026-11-30",
        "not-an-entry",
    ):
        with pytest.raises(BrowseError):
            await browse(hass, path)


async def test_an_unloaded_camera_leaves_the_tree(
    hass: HomeAssistant, synced: MockConfigEntry
) -> None:
    assert await hass.config_entries.async_unload(synced.entry_id)
    assert titles(await browse(hass)) == []
    with pytest.raises(BrowseError):
        await browse(hass, synced.entry_id)


async def test_events_and_responses_name_the_media(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    destination: Path,
    media: Path,
    hass_client: ClientSessionGenerator,
) -> None:
    saved = async_capture_events(hass, EVENT_FILE_SAVED)
    report = await sync_and_wait(hass, entry)
    client = await hass_client()
    files = archived(destination)

    by_name = {event.data["name"]: event.data for event in saved}
    assert set(by_name) == set(files)
    for item in report["saved"]:
        assert {k: item[k] for k in ("media_content_id", "title", "thumbnail", "url")} == {
            k: by_name[item["name"]][k] for k in ("media_content_id", "title", "thumbnail", "url")
        }
    for name, data in by_name.items():
        if name.endswith(".mp4"):
            assert data["media_content_id"] == (
                f"media-source://camsync/{entry.entry_id}/file/recordings/{name}"
            )
            assert data["title"] == dashcam_title(name)
            assert data["url"] == f"/media/local/{files[name].relative_to(media).as_posix()}"
            status, body, _ = await get(client, data["thumbnail"])
            assert status == 200
            jpeg_size(body)
        elif name.endswith(".thm"):  # the recording it shows
            video = name.replace(".thm", ".mp4")
            assert data["media_content_id"] == by_name[video]["media_content_id"]
            assert data["thumbnail"] == by_name[video]["thumbnail"]
        else:  # GPS and G-sensor data are nothing to look at
            assert (data["media_content_id"], data["title"], data["thumbnail"]) == (
                None,
                None,
                None,
            )


async def test_search_finds_by_title_words_where_home_assistant_searches(
    hass: HomeAssistant, synced: MockConfigEntry, dashcam: BlackVueSimulator
) -> None:
    source = camsync_source.CamsyncMediaSource(hass)

    async def search(text: str, scope: str = "", classes: list[str] | None = None) -> list[str]:
        item = MediaSourceItem(hass, DOMAIN, scope, None)
        query = SearchMediaQuery(search_query=text, media_filter_classes=classes)  # type: ignore[arg-type]
        return [node.title for node in (await source.async_search_media(item, query)).result]

    fronts = [n for n in dashcam.listed_names() if n[16] == "E" and n[17] == "F"]
    assert await search("event front") == [dashcam_title(n) for n in newest_first(fronts)]
    assert await search("EVENT Front", synced.entry_id) == await search("event front")
    assert await search("dashcam") == [
        dashcam_title(n) for n in newest_first(dashcam.listed_names())
    ]
    assert await search("event", classes=["image"]) == []
    assert await search("nothing-like-this") == []

    with patch.object(camsync_source, "SEARCH_SUPPORTED", True):
        assert (await browse(hass)).can_search
        assert (await browse(hass, synced.entry_id)).can_search


# -- a Reolink camera: thumbnails made once, snapshots --


@pytest.fixture
async def reolink(clip_files: list[Path]) -> AsyncIterator[ReolinkSimulator]:
    simulator = ReolinkSimulator(clips=ClipLibrary.from_paths(clip_files))
    simulator.recordings = make_reolink_recordings(1, 7, end=simulator.clock() - timedelta(hours=1))
    async with simulator:
        yield simulator


@pytest.fixture
async def reolink_synced(
    hass: HomeAssistant, reolink: ReolinkSimulator, media: Path
) -> MockConfigEntry:
    # No scheduled snapshots (one would be taken right after setup): the tests take their own.
    options = {CONF_SNAPSHOT_MODE: SnapshotMode.OFF.value}
    entry = reolink_entry(reolink, media / "camsync" / "front_yard", options=options)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert (await sync_and_wait(hass, entry))["outcome"] == "completed"
    return entry


async def test_reolink_titles_name_every_trigger(
    hass: HomeAssistant, reolink_synced: MockConfigEntry, media: Path
) -> None:
    # What was archived: a clip that ended moments ago is fetched by a later sync.
    names = [path.name for path in (media / "camsync" / "front_yard").rglob("*.mp4")]
    assert len(names) >= 5
    camera = await browse(hass, reolink_synced.entry_id)
    listed = {}
    for day in camera.children or ():
        if day.title[:2] == "20":
            for item in (await browse(hass, identifier(day))).children or ():
                listed[item.media_content_id.rsplit("/", 1)[-1]] = item.title
    assert listed == {name: reolink_title(name) for name in names}
    assert "Person, Vehicle, Motion" in {title.split(" · ")[1] for title in listed.values()}
    kinds = await browse(hass, identifier(child(camera, "By kind")))
    assert titles(kinds) == ["Person", "Vehicle", "Animal", "Motion", "Scheduled"]
    assert "Trips" not in titles(camera)  # no GPS
    assert (await browse(hass, f"{reolink_synced.entry_id}/trips")).children == []


async def test_video_thumbnails_are_made_once_from_the_first_frame(
    hass: HomeAssistant,
    reolink_synced: MockConfigEntry,
    reolink: ReolinkSimulator,
    media: Path,
    hass_client: ClientSessionGenerator,
) -> None:
    destination = media / "camsync" / "front_yard"
    name = reolink.recordings[0].basename
    url = f"/api/camsync/thumbnail/{reolink_synced.entry_id}/recordings/{name}"
    client = await hass_client()
    from custom_components.camsync.engine import thumbnails as engine_thumbnails

    runs = 0
    real = engine_thumbnails.run_ffmpeg

    async def counting(*args: Any, **kwargs: Any) -> int:
        nonlocal runs
        runs += 1
        return await real(*args, **kwargs)

    with patch.object(engine_thumbnails, "run_ffmpeg", counting):
        first, second = [await get(client, url) for _ in range(2)]

    assert first[0] == second[0] == 200
    assert first[1] == second[1]
    assert jpeg_size(first[1]) == (320, 180)  # the clips are 640 x 360
    assert runs == 1
    cached = destination / ".camsync" / "thumbnails" / f"{name}.jpg"
    assert cached.read_bytes() == first[1]


async def test_snapshots_by_day_with_scaled_thumbnails(
    hass: HomeAssistant,
    reolink_synced: MockConfigEntry,
    media: Path,
    hass_client: ClientSessionGenerator,
) -> None:
    # The schedule took one when the camera was set up; the action takes two more.
    earlier = {path.name for path in (media / "camsync" / "front_yard").rglob("*.jpg")}
    shots = [
        await call_action(hass, "snapshot", config_entry_id=reolink_synced.entry_id)
        for _ in range(2)
    ]
    camera = await browse(hass, reolink_synced.entry_id)
    assert "Snapshots" in titles(camera)
    assert "Timelapses" not in titles(camera)
    snapshots = await browse(hass, identifier(child(camera, "Snapshots")))
    day = shots[0]["taken"][:10]
    assert titles(snapshots) == [day]
    node = await browse(hass, identifier(snapshots.children[0]))
    taken = sorted((datetime.fromisoformat(shot["taken"]) for shot in shots), reverse=True)
    fresh = [
        item
        for item in node.children or ()
        if item.media_content_id.rsplit("/", 1)[-1] not in earlier
    ]
    assert len(node.children or ()) == len(fresh) + len(earlier)
    assert [item.title for item in fresh] == [f"{moment:%H:%M} · Snapshot" for moment in taken]
    client = await hass_client()
    for item, shot in zip(fresh, sorted(shots, key=lambda s: s["path"], reverse=True), strict=True):
        assert item.media_class == "image"
        assert item.media_content_type == "image/jpeg"
        assert item.media_content_id == shot["media_content_id"]
        assert item.thumbnail == shot["thumbnail"]
        status, body, kind = await get(client, item.thumbnail)
        assert (status, kind) == (200, "image/jpeg")
        assert jpeg_size(body)[0] == 320
        resolved = await media_source.async_resolve_media(hass, item.media_content_id, None)
        assert resolved.mime_type == "image/jpeg"
        status, body, _ = await get(client, resolved.url)
        assert body == Path(shot["path"]).read_bytes()


async def test_thumbnails_leave_with_their_files(
    hass: HomeAssistant,
    reolink_synced: MockConfigEntry,
    reolink: ReolinkSimulator,
    media: Path,
    hass_client: ClientSessionGenerator,
) -> None:
    destination = media / "camsync" / "front_yard"
    client = await hass_client()
    names = [recording.basename for recording in reolink.recordings[:2]]
    for name in names:
        url = f"/api/camsync/thumbnail/{reolink_synced.entry_id}/recordings/{name}"
        assert (await client.get(url)).status == 200
    cache = destination / ".camsync" / "thumbnails"
    assert sorted(path.name for path in cache.iterdir()) == sorted(f"{n}.jpg" for n in names)

    # The user deletes one: the next full look at the folder drops its thumbnail.
    next(destination.rglob(names[0])).unlink()
    await reolink_synced.runtime_data.archive.rescan()
    assert [path.name for path in cache.iterdir()] == [f"{names[1]}.jpg"]

    # Retention deletes the other with its thumbnail.
    await call_action(hass, "prune", config_entry_id=reolink_synced.entry_id, older_than_days=0)
    assert list(cache.iterdir()) == []


async def test_a_thumbnail_that_cannot_be_made_is_a_503_logged_once(
    hass: HomeAssistant,
    reolink_synced: MockConfigEntry,
    reolink: ReolinkSimulator,
    hass_client: ClientSessionGenerator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    client = await hass_client()
    with patch(
        "custom_components.camsync.thumbnails.async_ffmpeg_binary",
        return_value="/nonexistent/ffmpeg",
    ):
        for recording in reolink.recordings[:3]:
            url = (
                f"/api/camsync/thumbnail/{reolink_synced.entry_id}/recordings/{recording.basename}"
            )
            assert (await client.get(url)).status == 503
    assert caplog.text.count("cannot make video thumbnails") == 1


async def test_a_file_id_browses_to_its_playable_node(
    hass: HomeAssistant, synced: MockConfigEntry, destination: Path
) -> None:
    name = next(name for name in archived(destination) if name.endswith("EF.mp4"))
    node = await browse(hass, f"{synced.entry_id}/file/recordings/{name}")
    assert (node.title, node.can_play, node.media_content_type) == (
        dashcam_title(name),
        True,
        "video/mp4",
    )


async def test_a_thumbnail_sidecar_without_its_video_is_shown_as_it_is(
    hass: HomeAssistant, synced: MockConfigEntry, destination: Path
) -> None:
    from custom_components.camsync.engine.models import FileRole
    from custom_components.camsync.events import media_fields

    files = archived(destination)
    thm = next(name for name in files if name.endswith("EF.thm"))
    files[thm.replace(".thm", ".mp4")].unlink()
    archive = synced.runtime_data.archive
    await archive.rescan()

    fields = media_fields(hass, synced, archive, FileRole.THUMBNAIL, thm)

    assert fields["media_content_id"] is None
    assert fields["title"] == dashcam_title(thm.replace(".thm", ".mp4"))
    assert fields["thumbnail"] == f"/api/camsync/thumbnail/{synced.entry_id}/recordings/{thm}"


async def test_a_video_without_a_usable_first_frame_has_no_thumbnail(
    hass: HomeAssistant,
    dashcam: BlackVueSimulator,
    destination: Path,
    hass_client: ClientSessionGenerator,
) -> None:
    # Without sidecars there is no .thm, and the simulator's synthetic videos have no frames.
    entry = blackvue_entry(dashcam, destination, sidecars=False)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await sync_and_wait(hass, entry)
    client = await hass_client()
    name = dashcam.listed_names()[0]

    response = await client.get(f"/api/camsync/thumbnail/{entry.entry_id}/recordings/{name}")

    assert response.status == 503
    assert "ffmpeg failed" in await response.text()
    assert (await client.get(f"/api/camsync/file/not-an-entry/recordings/{name}")).status == 404


async def test_a_thumbnail_asked_for_twice_at_once_is_made_once(
    hass: HomeAssistant,
    reolink_synced: MockConfigEntry,
    reolink: ReolinkSimulator,
    hass_client: ClientSessionGenerator,
) -> None:
    import asyncio

    from custom_components.camsync.engine import thumbnails as engine_thumbnails

    client = await hass_client()
    url = (
        f"/api/camsync/thumbnail/{reolink_synced.entry_id}/recordings/"
        f"{reolink.recordings[1].basename}"
    )
    runs = 0
    real = engine_thumbnails.run_ffmpeg

    async def counting(*args: Any, **kwargs: Any) -> int:
        nonlocal runs
        runs += 1
        await asyncio.sleep(0.1)
        return await real(*args, **kwargs)

    with patch.object(engine_thumbnails, "run_ffmpeg", counting):
        responses = await asyncio.gather(*(client.get(url) for _ in range(3)))
        bodies = [await response.read() for response in responses]

    assert [response.status for response in responses] == [200, 200, 200]
    assert len(set(bodies)) == 1
    assert runs == 1


async def test_a_cameras_folders_are_worked_out_off_the_event_loop(
    hass: HomeAssistant, synced: MockConfigEntry
) -> None:
    import threading

    from custom_components.camsync import media_tree

    threads: list[threading.Thread] = []
    real = media_tree.browse_camera

    def spy(*args: Any, **kwargs: Any) -> Any:
        threads.append(threading.current_thread())
        return real(*args, **kwargs)

    with patch.object(media_tree, "browse_camera", spy):
        camera = await browse(hass, synced.entry_id)

    assert camera.title == "Dashcam"
    assert threads
    assert threading.current_thread() not in threads


# -- trips (a dashcam with GPS) --


def trip_title(data: dict[str, Any]) -> str:
    """Return the title a trip should get, from its ``camsync_trip_finished`` data."""
    start = dt_util.as_local(datetime.fromisoformat(data["start"]))
    end = dt_util.as_local(datetime.fromisoformat(data["end"]))
    minutes = round(data["duration"] / 60)
    assert 0 < minutes < 60  # the journey's legs take minutes
    return (
        f"{start:%Y-%m-%d} · {start:%H:%M}\u2013{end:%H:%M} · "
        f"{data['distance'] / 1000:.1f} km · {minutes} min"
    )


async def test_a_dashcams_trips_are_folders_of_their_recordings(
    hass: HomeAssistant,
    media: Path,
    freezer: Any,
) -> None:
    freezer.move_to((JOURNEY.end + timedelta(minutes=30)).astimezone(UTC))
    hass.config.latitude, hass.config.longitude = grid_point(*HOME)
    recordings = journey_recordings(JOURNEY, size_range=(2000, 4000))
    finished = async_capture_events(hass, EVENT_TRIP_FINISHED)
    async with BlackVueSimulator(recordings, gps=DashcamGps([JOURNEY], tz=CLOCK)) as car:
        entry = blackvue_entry(car, media / "dashcam")
        entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        assert (await sync_and_wait(hass, entry))["outcome"] == "completed"
        await hass.async_block_till_done()
        videos = car.listed_names()
    assert len(finished) == len(JOURNEY.legs) == 2

    camera = await browse(hass, entry.entry_id)
    assert titles(camera)[:3] == ["Events only", "By kind", "Trips"]
    trips = await browse(hass, identifier(child(camera, "Trips")))
    assert trips.title == "Trips"
    newest_first_trips = [event.data for event in reversed(finished)]
    assert titles(trips) == [trip_title(data) for data in newest_first_trips]
    assert titles(trips)[0].startswith("2026-11-20 · ")

    for node, data in zip(trips.children or (), newest_first_trips, strict=True):
        assert node.can_expand
        assert not node.can_play
        assert identifier(node) == f"{entry.entry_id}/trips/{data['id']}"
        trip = await browse(hass, identifier(node))
        assert trip.title == node.title
        # Its recordings (front and rear) in the order driven; no GPX, no sidecars.
        expected = sorted(name for name in videos if name[:17] in data["recordings"])
        assert expected
        assert _names(trip) == expected
        assert titles(trip) == [dashcam_title(name) for name in expected]
        for item, name in zip(trip.children or (), expected, strict=True):
            assert item.can_play
            assert item.media_content_type == "video/mp4"
            assert item.thumbnail == f"/api/camsync/thumbnail/{entry.entry_id}/recordings/{name}"
        assert node.thumbnail == trip.children[0].thumbnail  # type: ignore[index]
        assert (media / "dashcam" / "recordings" / "2026-11-20" / data["gpx"]).is_file()

    # A trip's recording resolves to the archived file: the bytes the dashcam served.
    oldest = await browse(hass, identifier((trips.children or [])[-1]))
    clip = (oldest.children or [])[0]
    name = _names(oldest)[0]
    resolved = await media_source.async_resolve_media(hass, clip.media_content_id, None)
    assert resolved.mime_type == "video/mp4"
    assert resolved.path == media / "dashcam" / "recordings" / "2026-11-20" / name
    assert resolved.url == f"/media/local/dashcam/recordings/2026-11-20/{name}"
    assert sha256_file(resolved.path) == car.expected_sha256(name)

    with pytest.raises(BrowseError):
        await browse(hass, f"{entry.entry_id}/trips/20261120_000000")
    with pytest.raises(BrowseError):
        await browse(hass, f"{entry.entry_id}/trips/{newest_first_trips[0]['id']}/more")


async def test_a_dashcam_without_trips_has_no_trips_folder(
    hass: HomeAssistant, synced: MockConfigEntry
) -> None:
    camera = await browse(hass, synced.entry_id)
    assert "Trips" not in titles(camera)  # the car stood at home: GPS, but no trip
    trips = await browse(hass, f"{synced.entry_id}/trips")
    assert trips.children == []
