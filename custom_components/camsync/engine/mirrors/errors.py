"""The one error a mirror raises: a reason code (translated by the HA layer) and a safe detail.

Details never carry a secret: the S3 target scrubs its credentials from every text it passes on.
"""

from __future__ import annotations

from ..errors import CamsyncError
from .models import MirrorReason


class MirrorError(CamsyncError):
    """A mirror (or one file on it) failed for ``reason``."""

    def __init__(self, reason: MirrorReason, detail: str = "") -> None:
        super().__init__(f"{reason.value}: {detail}" if detail else reason.value)
        self.reason = reason
        self.detail = detail
