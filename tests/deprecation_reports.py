"""Collect Home Assistant's reports of deprecated calls made by camsync (see tests/conftest.py).

Home Assistant reports a deprecated call in one of two ways, both logged as warnings and neither
raised for a custom integration: ``helpers.frame.report_usage`` ("Detected that custom integration
'camsync' calls … at custom_components/camsync/x.py, line N: …", or "Detected code that …" when
it finds no integration on the stack) and ``helpers.deprecation`` ("The deprecated constant X
was used from camsync."). A report counts as camsync's when it names the integration or its
stack passes through ``custom_components/camsync/``.
"""

from __future__ import annotations

import logging
import re

import pytest

_REPORT = re.compile(
    r"^(Detected that (custom )?integration '|Detected code that |The deprecated )"
)
_CAMSYNC = re.compile(r"integration 'camsync'|used from camsync\b|custom_components/camsync/")
# The same reports in a Home Assistant log file (the clean-install test's real Home Assistant).
CAMSYNC_REPORT_IN_LOG = re.compile(
    r"Detected that custom integration 'camsync'|The deprecated .* was used from camsync\b"
)


class DeprecationReports(logging.Handler):
    """A logging handler that keeps the deprecation reports that concern camsync."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.reports: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        """Keep the record when it is a deprecation report about camsync."""
        try:
            message = record.getMessage()
        except Exception:  # a bad log call is not this handler's business
            return
        if not _REPORT.match(message):
            return
        if _CAMSYNC.search(message) or _CAMSYNC.search(record.stack_info or ""):
            self.reports.append(f"{record.name}: {message}")

    def expect(self, pattern: str) -> list[str]:
        """Remove and return the reports matching ``pattern`` (a test that causes them)."""
        matched = [report for report in self.reports if re.search(pattern, report)]
        self.reports = [report for report in self.reports if report not in matched]
        return matched

    def verify(self) -> None:
        """Fail the running test when a report is left."""
        if self.reports:
            reports, self.reports = self.reports, []
            pytest.fail(
                "Home Assistant reported deprecated calls from camsync:\n"
                + "\n".join(f"- {report}" for report in reports),
                pytrace=False,
            )
