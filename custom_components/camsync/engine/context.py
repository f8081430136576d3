"""Planning rules for a dashcam: an event's context right after it, parking in a zone skipped.

Both are pure functions over :class:`~.models.Recording` values, for the planner to apply to a
listing (after the filters, around the priority sort):

- :func:`order_with_context` puts, right after each event recording, the recordings made within a
  few minutes before and after it (BlackVue Sync issue #82), nearest first, so the story around an
  impact is archived even when the Wi-Fi link cannot keep up with everything.
- :func:`skip_in_zones` leaves out parking recordings made inside a zone (home), judged from their
  own GPS or, as parking clips rarely have any, from where the car last stood.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta

from .geo import LatLon, Zone
from .models import Recording


@dataclass(frozen=True, slots=True)
class EventContext:
    """Which recordings make an event's context: those within ``before``/``after`` of its start.

    ``kinds`` limits the context to some kinds (None: any recording that is not an event itself,
    so a driving impact brings its normal recordings and a parking impact its parking ones).
    """

    before: timedelta = timedelta(minutes=1)
    after: timedelta = timedelta(minutes=1)
    kinds: frozenset[str] | None = None

    def wants(self, recording: Recording) -> bool:
        """Return True when ``recording`` can be context for an event."""
        if self.kinds is not None:
            return recording.kind in self.kinds
        return not recording.event


def order_with_context(
    recordings: Sequence[Recording],
    context: EventContext,
    pool: Iterable[Recording] | None = None,
) -> list[Recording]:
    """Return ``recordings`` (in priority order) with each event's context moved right after it.

    Context follows its event nearest first (before the event wins a tie, and the event's own
    channel first), each recording once: context already placed for an earlier event stays there.
    Everything else keeps its order. ``pool`` is where context comes from (default:
    ``recordings``): a recording of the pool that ``recordings`` left out (a kinds filter keeping
    events only) joins the result as context. ``O(n log n)`` plus the size of the contexts.
    """
    candidates = sorted(
        (
            recording
            for recording in (recordings if pool is None else pool)
            if context.wants(recording)
        ),
        key=lambda recording: recording.start,
    )
    starts = [recording.start for recording in candidates]
    placed: set[str] = set()
    ordered: list[Recording] = []
    for recording in recordings:
        if recording.name in placed:
            continue
        placed.add(recording.name)
        ordered.append(recording)
        if not recording.event:
            continue
        low = bisect_left(starts, recording.start - context.before)
        high = bisect_right(starts, recording.start + context.after)
        around = [item for item in candidates[low:high] if item.name not in placed]
        around.sort(
            key=lambda item: (
                abs((item.start - recording.start).total_seconds()),
                item.start > recording.start,
                item.channel != recording.channel,
                item.name,
            )
        )
        for item in around:
            placed.add(item.name)
            ordered.append(item)
    return ordered


type Locate = Callable[[Recording], LatLon | None]


@dataclass(frozen=True, slots=True)
class ZoneSplit:
    """Recordings to plan, and the parking recordings left out because they lie in a zone."""

    kept: list[Recording]
    skipped: list[Recording]


def skip_in_zones(
    recordings: Iterable[Recording],
    zones: Sequence[Zone],
    *,
    kinds: frozenset[str],
    locate: Locate,
) -> ZoneSplit:
    """Leave out recordings of ``kinds`` (parking) that ``locate`` places inside any zone.

    ``kinds`` is data from the device (BlackVue: ``P``, and ``I`` too to drop parking impacts);
    ``locate`` returns where a recording was made: its own GPS when it was read, else the car's
    position at its start (:meth:`.trips.TripBook.position_at`) or a tracker's, else None, and a
    recording that cannot be placed is kept.
    """
    kept: list[Recording] = []
    skipped: list[Recording] = []
    for recording in recordings:
        if zones and recording.kind in kinds:
            point = locate(recording)
            if point is not None and any(zone.contains(point.lat, point.lon) for zone in zones):
                skipped.append(recording)
                continue
        kept.append(recording)
    return ZoneSplit(kept, skipped)
