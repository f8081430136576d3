"""The knobs of the simulated Reolink camera, and the firmware profiles that set them.

Every knob is a plain attribute of :class:`ReolinkFaults`, read when a request arrives, so a test
may change it at any time. ``ReolinkFaults()`` is the polite camera of the vendor guide v7 (the
default every older test relies on). ``ReolinkFaults(profile="v3")`` is the RLC-1224A on firmware
v3.2.0.6011 as measured on a real camera (``shared/reference/real-cameras.md`` §Reolink 1-8): it
switches on the knobs listed in :data:`V3_KNOBS`; each can be turned off again afterwards
(``faults.chunked = False``) or used on its own with the polite profile.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from .reolink_recordings import CET_DST_END, CET_DST_START, DstRule

OCTET_STREAM = "apolication/octet-stream"  # sic: the firmware's typo

type Profile = Literal["v7", "v3"]
type RangeMode = Literal["honour", "ignore", "416", "bad_content_range"]
type HddMode = Literal["ok", "none", "unformatted", "unmounted"]
type SizeMode = Literal["int", "str", "mixed"]
type SearchOverlap = Literal["ok", "busy", "empty"]

V3_KNOBS: dict[str, Any] = {
    "download_content_type": "video/mp4",
    "remux": True,
    "chunked": True,
    "reset_missing": True,
    "session_401": True,
    "playback_404": True,
    "reset_on_encoded_slash": True,
    "strict_source": True,
    "dst_from_name": True,
    "search_size": "str",
    "search_overlap": "busy",
    "search_seconds": 0.02,
}
"""What ``profile="v3"`` sets; wedged mode, random resets and the one-shot knobs stay off."""


@dataclass
class ReolinkFaults:
    """Knobs a test turns; every one is read at request time.

    **Login and sessions.** ``expire_tokens`` is one-shot: the next request invalidates every open
    token and resets it. After ``lock_after_failures`` wrong passwords Login answers
    ``lock_rsp_code`` with the "locked" detail for ``lock_seconds`` (with ``unlock_time`` when
    ``lock_unlock_time``). With ``max_sessions`` tokens open, Login answers
    ``max_sessions_rsp_code``: -5 ("max session") by default, -507 ("login reach max") to model
    the v3 answer, whose meaning is unconfirmed.

    **Per-file body faults** (keyed by basename, counting body bytes of each response):
    ``truncate`` N bytes then close cleanly (FIN), ``reset_after`` N bytes then a TCP reset,
    ``stall`` (N, S): pause S seconds after N bytes. ``box_damage``: basename -> N, the served MP4's
    last ``mdat`` declares N bytes more than it holds (the length stays honest, the box chain
    breaks; see :mod:`camera_simulators.content`). ``busy``: basenames answered -221.

    **Download and Playback.**

    - ``download_content_type``: the Download ``Content-Type`` (the guide's typo by default,
      ``video/mp4`` on v3). ``playback_content_type`` and ``playback_flv`` likewise for Playback.
    - ``remux``: Download serves a fragmented MP4 of ``remux_size(recording)`` bytes: not Search's
      ``size``, not the name's hex size either.
    - ``chunked``: file bodies go out with ``Transfer-Encoding: chunked`` and no Content-Length.
    - ``range_mode``: honour ``Range`` (206), ignore it (200), answer 416, or 206 with a
      Content-Range one byte off.
    - ``rate_limit``: bytes per second per body. ``download_fails``: every Download is closed
      with no reply (FIN), Playback works.
    - ``reset_missing``: a Download/Playback of a name not on the card (rolled off, or renamed
      when its recording finished) is a TCP reset with no reply instead of JSON -222.
    - ``reset_probability`` / ``reset_seed``: each Download/Playback is reset before any reply
      with this probability, drawn from a ``random.Random(reset_seed)`` (deterministic).
    - ``wedged``: every Download and Playback is reset with no reply; Login, Search, Snap,
      GetDevInfo and the rest keep working (only a power cycle cures a real one).
    - ``wedge_on_concurrent_download``: a Download arriving while another one is sending wedges
      the camera (``wedged`` becomes True) and is reset, as overlapping downloads did on a v3.
    - ``session_401``: an unknown or expired token on Download/Playback gets HTTP 401,
      ``text/html``, an empty body (JSON commands keep answering -6, Snap 200 with a -6 body).
    - ``playback_404``: Playback answers HTTP 404 (``text/html``).
    - ``reset_on_encoded_slash``: a ``source`` with an encoded slash (``%2F``) is reset.
    - ``strict_source``: ``source`` is decoded without turning ``+`` into a space, so a path with
      spaces matches only when they arrive as ``%20``.

    **Search.**

    - ``search_size``: Search ``size`` as int, string, or alternating.
    - ``junk_files``: raw entries (a name or a whole dict) added to a day's ("YYYY-MM-DD") list.
    - ``search_seconds``: how long a Search request takes; the camera handles one at a time.
    - ``search_overlap``: what a Search arriving while another is in progress gets: ``"ok"``
      (answered normally), ``"busy"`` (rspCode -54), ``"empty"`` (no files and no error).
    - ``search_busy_next``: the next N Search commands get -54 (counts down).
    - ``search_empty_next``: days ("YYYY-MM-DD") whose next file search comes back without files
      and without an error (each day once).
    - ``search_http_errors``: HTTP statuses for the next Search requests, one each, in order
      (e.g. ``[502]``), with an HTML body.
    - ``growth_bytes``: how much a clip still being recorded grows per listing.

    **Time.** ``time_zone_seconds`` (Reolink's inverted sign: -3600 is UTC+1) and the DST block
    (``dst`` present, ``dst_enable``, ``dst_offset_hours``, ``dst_start``/``dst_end`` rules).
    ``dst_from_name``: the UTC offset of a recording (Last-Modified) comes from its name's
    ``DST`` marker rather than from the DST rule.

    **Other.** ``hdd`` (SD card state), ``snap_fails`` (-48), ``unsupported`` (commands
    answered -9), ``short_batch`` (one reply too few), ``broken_replies`` (commands answered
    with an HTML error page).
    """

    profile: Profile = "v7"
    username: str = "admin"
    password: str = "secret-pass"
    lease_time: int = 3600
    expire_tokens: bool = False
    lock_after_failures: int = 3
    lock_seconds: float = 300.0
    lock_rsp_code: int = -7
    lock_unlock_time: bool = True
    max_sessions: int | None = None
    max_sessions_rsp_code: int = -5
    range_mode: RangeMode = "honour"
    truncate: dict[str, int] = field(default_factory=dict)
    reset_after: dict[str, int] = field(default_factory=dict)
    stall: dict[str, tuple[int, float]] = field(default_factory=dict)
    box_damage: dict[str, int] = field(default_factory=dict)
    rate_limit: int | None = None
    download_fails: bool = False
    download_content_type: str = OCTET_STREAM
    playback_flv: bool = False
    playback_content_type: str = OCTET_STREAM
    remux: bool = False
    chunked: bool = False
    reset_missing: bool = False
    reset_probability: float = 0.0
    reset_seed: int = 0
    wedged: bool = False
    wedge_on_concurrent_download: bool = False
    session_401: bool = False
    playback_404: bool = False
    reset_on_encoded_slash: bool = False
    strict_source: bool = False
    busy: set[str] = field(default_factory=set)
    snap_fails: bool = False
    unsupported: set[str] = field(default_factory=set)
    short_batch: bool = False
    broken_replies: set[str] = field(default_factory=set)
    hdd: HddMode = "ok"
    search_size: SizeMode = "mixed"
    junk_files: dict[str, list[Any]] = field(default_factory=dict)
    search_seconds: float = 0.0
    search_overlap: SearchOverlap = "ok"
    search_busy_next: int = 0
    search_empty_next: set[str] = field(default_factory=set)
    search_http_errors: list[int] = field(default_factory=list)
    growth_bytes: int = 65_536
    time_zone_seconds: int = -3600
    dst: bool = True
    dst_enable: bool = True
    dst_offset_hours: int = 1
    dst_start: DstRule = CET_DST_START
    dst_end: DstRule = CET_DST_END
    dst_from_name: bool = False

    def __post_init__(self) -> None:
        """Apply the profile's knobs."""
        if self.profile == "v3":
            for knob, value in V3_KNOBS.items():
                setattr(self, knob, value)
