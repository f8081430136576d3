"""Titles for people: "07:29 · Event · Front", "07:29 · Person, Vehicle", "07:29 · Snapshot".

A trip reads "2026-11-20 · 07:50 to 08:02 · 5.3 km · 12 min" (an en dash between the times, in
Home Assistant's time zone).

The words come from the ``common`` section of the translations (Home Assistant loads them with
the integration); a word missing there falls back to the English one here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.translation import async_get_cached_translations
from homeassistant.util import dt as dt_util

from .const import DOMAIN
from .engine.facade import CatalogItem, Trip, timelapse_days
from .engine.models import FileRole

SEPARATOR = " · "
EN_DASH = "\u2013"
_PREFIX = f"component.{DOMAIN}.common."
_ENGLISH = {
    "source": "camsync",
    "view_recordings": "All recordings",
    "view_events": "Events only",
    "view_kinds": "By kind",
    "view_snapshots": "Snapshots",
    "view_timelapses": "Timelapses",
    "view_trips": "Trips",
    "snapshot": "Snapshot",
    "timelapse": "Timelapse",
    "kind_other": "Recording",
}


@dataclass(frozen=True, slots=True)
class Titles:
    """The words of one language, and how they make titles."""

    words: Mapping[str, str]
    order: Sequence[str] = ()
    """The camera kind's vocabulary of kinds, in the order its triggers are named."""

    @classmethod
    @callback
    def of(cls, hass: HomeAssistant, order: Sequence[str] = ()) -> Titles:
        """Return the titles in Home Assistant's language (translations already loaded)."""
        cached = async_get_cached_translations(hass, hass.config.language, "common", DOMAIN)
        words = {key.removeprefix(_PREFIX): text for key, text in cached.items()}
        return cls(words, order)

    def word(self, key: str, fallback: str | None = None) -> str:
        """Return one word by its key (the English one, else ``fallback``, when untranslated)."""
        return self.words.get(key) or _ENGLISH.get(key) or (fallback if fallback else key)

    def kind(self, kind: str) -> str:
        """Return the label of a recording kind (a type letter or a trigger)."""
        return self.word(f"kind_{kind.lower()}", kind)

    def channel(self, channel: str) -> str | None:
        """Return the label of a direction, None for a channel without one (Reolink's 0)."""
        return self.words.get(f"channel_{channel.lower()}") if channel else None

    def item(self, item: CatalogItem) -> str:
        """Return the title of an archived file."""
        facts = item.facts
        clock = item.recorded.strftime("%H:%M")
        if facts.role is FileRole.SNAPSHOT:
            return SEPARATOR.join((clock, self.word("snapshot")))
        if facts.role is FileRole.TIMELAPSE:
            first, last = timelapse_days(item.name) or (item.day, item.day)
            return SEPARATOR.join((self.span(first, last), self.word("timelapse")))
        parts = [clock, ", ".join(self.kind(kind) for kind in self._kinds(facts.kind, facts.tags))]
        if (direction := self.channel(facts.channel)) is not None:
            parts.append(direction)
        return SEPARATOR.join(parts)

    def _kinds(self, main: str, tags: frozenset[str]) -> list[str]:
        """Return the main kind, then the other triggers in the vocabulary's order."""
        rank = {kind: position for position, kind in enumerate(self.order)}
        others = sorted(tags - {main, "timer"}, key=lambda tag: (rank.get(tag, len(rank)), tag))
        return [main, *others]

    @staticmethod
    def trip(trip: Trip) -> str:
        """Return a trip's title: its day, start and end time, distance and duration.

        The times are the satellites' (the camera's clock may be off), in Home Assistant's zone.
        """
        start, end = dt_util.as_local(trip.start), dt_util.as_local(trip.end)
        clock = f"{start:%H:%M}{EN_DASH}{end:%H:%M}"
        return SEPARATOR.join(
            (
                start.date().isoformat(),
                clock,
                f"{trip.distance / 1000:.1f} km",
                _duration(trip.duration),
            )
        )

    @staticmethod
    def span(first: date, last: date) -> str:
        """Return the days a timelapse covers: "2026-11-29", or first and last with a dash."""
        if first == last:
            return first.isoformat()
        return f"{first.isoformat()} {EN_DASH} {last.isoformat()}"


def _duration(duration: timedelta) -> str:
    """Return a duration in whole minutes: "12 min", "1 h 05 min"."""
    minutes = max(round(duration.total_seconds() / 60), 1 if duration.total_seconds() else 0)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"
