"""What the benchmarks share: their sizes, the camera process, curl and BlackVue Sync.

Sizes are full, quick, or scaled down to the free disk; the camera process and the tools are
started on first use, and the camera is stopped at the end.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Self

from bench.camera import CameraProcess
from bench.files import GIB, MIB, WORK, free_bytes
from bench.procs import track
from bench.tools import BlackVueSync, Curl

RECORDING_START = datetime(2026, 11, 20, 8, 0, 0)
"""Camera local time of the first simulated recording."""
_DISK_MARGIN = 2 * GIB


@dataclass(frozen=True, slots=True)
class Sizes:
    """How big each benchmark is."""

    big_file: int = GIB
    small_count: int = 20
    small_file: int = 50 * MIB
    slow_file: int = 40 * MIB
    rounds: int = 5
    resume_file: int = 256 * MIB
    fault_files: int = 4
    fault_file: int = 8 * MIB
    plan_recordings: int = 10_000
    plan_archived: int = 10_000
    plan_repeats: int = 7
    stall_files: int = 200
    stall_file: int = 2 * MIB

    @classmethod
    def quick(cls) -> Self:
        """Return small sizes for a smoke run (about a minute)."""
        return cls(
            big_file=64 * MIB,
            small_count=5,
            small_file=8 * MIB,
            slow_file=4 * MIB,
            rounds=1,
            resume_file=32 * MIB,
            fault_file=2 * MIB,
            plan_recordings=2_000,
            plan_archived=2_000,
            plan_repeats=3,
            stall_files=50,
            stall_file=1 * MIB,
        )

    @property
    def disk_needed(self) -> int:
        """Return the most one benchmark keeps on disk at once, plus a margin."""
        largest = (
            max(self.big_file, self.small_count * self.small_file, self.resume_file)
            + self.stall_files * self.stall_file
        )
        return largest + _DISK_MARGIN

    def fit(self, free: int) -> tuple[Self, str]:
        """Return sizes that fit ``free`` bytes, and a message when they had to shrink."""
        sizes = self
        while sizes.disk_needed > free and sizes.big_file > 16 * MIB:
            sizes = replace(
                sizes,
                big_file=sizes.big_file // 2,
                small_file=sizes.small_file // 2,
                resume_file=sizes.resume_file // 2,
                stall_file=max(MIB // 4, sizes.stall_file // 2),
            )
        if sizes is self:
            return sizes, ""
        return sizes, (
            f"Only {free / GIB:.1f} GiB free under {WORK}: scaled down to a "
            f"{sizes.big_file // MIB} MiB big file (figures not comparable with a full run)."
        )


@dataclass(slots=True)
class Context:
    """Shared state of one benchmark run."""

    sizes: Sizes
    quick: bool = False
    _camera: CameraProcess | None = None
    _curl: Curl | None = None
    _blackvuesync: BlackVueSync | str | None = None
    notes: list[str] = field(default_factory=list)

    @classmethod
    def create(cls, *, quick: bool) -> Self:
        """Pick sizes for this machine's free disk."""
        sizes, message = (Sizes.quick() if quick else Sizes()).fit(free_bytes())
        context = cls(sizes, quick)
        if message:
            context.notes.append(message)
        return context

    def camera(self) -> CameraProcess:
        """Return the camera process, started on first use."""
        if self._camera is None:
            self._camera = CameraProcess.start()
            track(self._camera.process)
        return self._camera

    def curl(self) -> Curl:
        """Return curl, its idle footprint measured on first use."""
        if self._curl is None:
            self._curl = Curl(self.camera())
        return self._curl

    def blackvuesync(self) -> BlackVueSync | str:
        """Return BlackVue Sync 2.2.0 (installed on first use), or why it is not available."""
        if self._blackvuesync is None:
            try:
                self._blackvuesync = BlackVueSync.install()
            except OSError as err:
                self._blackvuesync = f"cannot install: {err}"
            if isinstance(self._blackvuesync, str):
                print(f"  BlackVue Sync 2.2.0 is not available: {self._blackvuesync}", flush=True)
        return self._blackvuesync

    def close(self) -> None:
        """Stop the camera process."""
        if self._camera is not None:
            self._camera.close()
            self._camera = None
