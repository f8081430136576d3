"""Real, playable video clips for the demo: made once with PyAV, then served by the simulators.

:func:`make_demo_clips` writes a few short H.264 MP4 files (a moving test pattern with a caption,
``yuv420p``, ``faststart`` so the ``moov`` comes first and a browser can play them while they
load). :class:`ClipLibrary` holds such files in memory and hands each recording one of them, picked
by a stable key, so a simulator started with ``clips=`` (CLI: ``--clips FOLDER``) serves real video
instead of the synthetic payload of :mod:`camera_simulators.content`. The served length is then
the clip's length; the fault knobs that cut or stall a body still apply, ``box_damage`` and the
Reolink remux do not.

PyAV (the ``av`` package Home Assistant itself pins) is imported only by :func:`make_clip`, so the
simulators run without it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from fractions import Fraction
import hashlib
from pathlib import Path

from PIL import Image, ImageDraw

CLIP_SECONDS = 4
CLIP_SIZE = (640, 360)
CLIP_FPS = 15
_COLOURS = ((200, 60, 60), (60, 160, 60), (60, 90, 200), (200, 160, 40), (150, 60, 180))


def _frame(index: int, caption: str, colour: tuple[int, int, int]) -> Image.Image:
    """Draw a test-pattern frame: colour bars, a box that moves, the caption and a frame counter."""
    width, height = CLIP_SIZE
    image = Image.new("RGB", CLIP_SIZE, colour)
    draw = ImageDraw.Draw(image)
    bars = ((255, 255, 255), (255, 255, 0), (0, 255, 255), (0, 255, 0), (255, 0, 255), (255, 0, 0))
    bar = width // len(bars)
    for number, bar_colour in enumerate(bars):
        draw.rectangle((number * bar, 0, (number + 1) * bar, height // 3), fill=bar_colour)
    x = (index * 12) % (width - 60)
    draw.rectangle((x, height // 2 - 30, x + 60, height // 2 + 30), fill=(255, 255, 255))
    draw.rectangle((0, height - 40, width, height), fill=(0, 0, 0))
    draw.text((10, height - 30), f"{caption}  frame {index}", fill=(255, 255, 255))
    return image


def make_clip(
    path: Path, caption: str, *, seconds: int = CLIP_SECONDS, colour_index: int = 0
) -> None:
    """Write an H.264 MP4 of ``seconds`` seconds showing ``caption`` over a moving test pattern."""
    import av  # noqa: PLC0415  (only the clip maker needs PyAV)

    colour = _COLOURS[colour_index % len(_COLOURS)]
    partial = path.with_suffix(".part")
    with av.open(str(partial), "w", format="mp4", options={"movflags": "faststart"}) as output:
        stream = output.add_stream("libx264", rate=CLIP_FPS)
        stream.width, stream.height = CLIP_SIZE
        stream.pix_fmt = "yuv420p"
        stream.time_base = Fraction(1, CLIP_FPS)
        stream.options = {"preset": "veryfast", "crf": "30"}
        for index in range(seconds * CLIP_FPS):
            frame = av.VideoFrame.from_image(_frame(index, caption, colour))  # type: ignore[no-untyped-call]
            frame.pts = index
            frame.time_base = Fraction(1, CLIP_FPS)
            output.mux(stream.encode(frame))
        output.mux(stream.encode(None))
    partial.replace(path)


def make_demo_clips(folder: Path, count: int = 5) -> list[Path]:
    """Make ``count`` clips in ``folder`` (``clip-1.mp4`` …) unless they exist; return them."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for number in range(1, count + 1):
        path = folder / f"clip-{number}.mp4"
        if not path.is_file():
            make_clip(path, f"camsync demo clip {number}", colour_index=number - 1)
        paths.append(path)
    return paths


class ClipLibrary:
    """Real clips held in memory; each recording key maps to one of them, always the same."""

    def __init__(self, clips: Sequence[bytes]) -> None:
        if not clips:
            raise ValueError("a clip library needs at least one clip")
        self._clips = list(clips)

    @classmethod
    def from_paths(cls, paths: Sequence[Path]) -> ClipLibrary:
        """Load the given files."""
        return cls([path.read_bytes() for path in paths])

    @classmethod
    def from_folder(cls, folder: Path) -> ClipLibrary:
        """Load every ``*.mp4`` of ``folder`` (sorted by name)."""
        paths = sorted(folder.glob("*.mp4"))
        if not paths:
            raise ValueError(f"no .mp4 clips in {folder}")
        return cls.from_paths(paths)

    def clip(self, key: str) -> bytes:
        """Return the clip for a recording key (a BlackVue name, a Reolink ``recording.key``)."""
        index = int.from_bytes(hashlib.sha256(key.encode()).digest()[:4], "big")
        return self._clips[index % len(self._clips)]

    def size(self, key: str) -> int:
        """Return the length of the clip for ``key``."""
        return len(self.clip(key))

    def chunks(self, key: str, start: int, end: int, chunk_size: int) -> Iterator[bytes]:
        """Yield the clip's bytes ``start``..``end`` in chunks."""
        data = self.clip(key)
        end = min(end, len(data))
        for offset in range(start, end, chunk_size):
            yield data[offset : min(offset + chunk_size, end)]
