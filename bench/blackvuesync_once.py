"""Run BlackVue Sync once, measured exactly like camsync: around its ``main()``, after imports.

``VENV/bin/python -m bench.blackvuesync_once RESULT.json -- ADDRESS [blackvuesync options]``
imports the ``blackvuesync`` module of that venv, starts the RSS sampler, calls its ``main()``
with the given arguments and writes wall and CPU seconds, RSS growth and the exit code to
``RESULT.json``; then exits with BlackVue Sync's own code. Standard library only, Python 3.9+.
"""

from __future__ import annotations

import json
import resource
import sys
import time

from bench.rss import RssSampler


def _cpu() -> tuple[float, float]:
    """Return (user, system) CPU seconds of this process so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime, usage.ru_stime


def main(argv: list[str]) -> int:
    """Run BlackVue Sync with ``argv`` (after ``RESULT --``) and record the figures."""
    result_path, separator, *arguments = argv
    if separator != "--":
        raise SystemExit("usage: python -m bench.blackvuesync_once RESULT.json -- ARGS...")
    import blackvuesync  # type: ignore[import-not-found]

    startup_cpu = sum(_cpu())
    sampler = RssSampler()
    sampler.start()
    sys.argv = ["blackvuesync", *arguments]
    (user, system), started = _cpu(), time.perf_counter()
    try:
        code = int(blackvuesync.main() or 0)
    except SystemExit as exit_:  # argparse errors
        code = exit_.code if isinstance(exit_.code, int) else 2
    wall = time.perf_counter() - started
    user_end, system_end = _cpu()
    growth = sampler.stop()
    # The sampler thread's CPU is the benchmark's, not BlackVue Sync's.
    user_end -= sampler.cpu_user
    system_end -= sampler.cpu_sys
    with open(result_path, "w") as handle:
        json.dump(
            {
                "wall": wall,
                "cpu": (user_end - user) + (system_end - system),
                "cpu_user": user_end - user,
                "cpu_sys": system_end - system,
                "sampler_cpu": sampler.cpu_user + sampler.cpu_sys,
                "startup_cpu": startup_cpu,
                "rss_baseline": sampler.baseline,
                "rss_peak": sampler.peak,
                "rss_growth": growth,
                "returncode": code,
            },
            handle,
        )
    return code


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
