"""Give the system back the memory a sync's transfer buffers used (glibc's ``malloc_trim``).

A transfer reads and writes in 4 MiB batches. After several cameras synced at once, glibc keeps
the freed buffers in its heaps for reuse: with four cameras (``scripts/bench --only ha``) Home
Assistant's resident memory stayed about 35 MB higher, although no object held any of it.
``malloc_trim(0)`` returns those pages; the sync runs it in the executor after a run that
received data. Where the C library has no such call (musl) it is skipped; an allocator that
returns memory by itself (jemalloc, which Home Assistant's container images preload) leaves
glibc's heap next to nothing to trim.
"""

from __future__ import annotations

from collections.abc import Callable
import ctypes
from functools import cache


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim


def release_free_memory() -> bool:
    """Return the C heap's free pages to the system (blocking: run it in the executor).

    Return False where the C library cannot be asked.
    """
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True
