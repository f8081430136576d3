"""camsync benchmarks: figures printed, never asserted (``scripts/bench``, ``python -m bench``).

The simulated dashcam runs in a process of its own (:mod:`bench.camera`), and so does each
contender whose CPU and memory are measured: camsync (:mod:`bench.camsync_once`), ``curl`` and
BlackVue Sync 2.2.0 (:mod:`bench.tools`). Planning and event-loop stalls are measured in-process.
"""
