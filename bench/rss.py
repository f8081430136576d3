"""Sample this process's resident set size in a thread, to find the peak of a run.

``ru_maxrss`` cannot be used for a growth figure: a child's high-water mark already includes
the parent's resident memory at the fork, and the imports' peak hides whatever comes after it.
The thread's own CPU time (``cpu_user``, ``cpu_sys``) is kept, so that a program's figures can
leave out what measuring it cost: at a slow link's pace, sampling every few milliseconds would
otherwise add a second of CPU per GB. Standard library only, and Python 3.9 compatible:
BlackVue Sync's venv imports it too.
"""

from __future__ import annotations

import os
import resource
import threading

_PAGE = os.sysconf("SC_PAGE_SIZE")


def current_rss() -> int:
    """Return the resident set size of this process in bytes (Linux ``/proc/self/statm``)."""
    with open("/proc/self/statm", "rb") as statm:
        return int(statm.read().split()[1]) * _PAGE


class RssSampler:
    """Records the highest resident set size seen every ``interval`` seconds."""

    def __init__(self, interval: float = 0.01) -> None:
        """Take the baseline now."""
        self.baseline = current_rss()
        self.peak = self.baseline
        self.cpu_user = 0.0
        self.cpu_sys = 0.0
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, name="rss-sampler", daemon=True)

    def start(self) -> None:
        """Start sampling."""
        self._thread.start()

    def stop(self) -> int:
        """Stop sampling; return the growth over the baseline in bytes (and know its own CPU)."""
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, current_rss())
        return self.peak - self.baseline

    def _sample(self) -> None:
        while not self._stop.wait(self._interval):
            self.peak = max(self.peak, current_rss())
        usage = resource.getrusage(resource.RUSAGE_THREAD)
        self.cpu_user, self.cpu_sys = usage.ru_utime, usage.ru_stime
