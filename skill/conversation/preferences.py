"""Preferences set by voice: hold length, rotations and counting pace, each kept within what
the content files allow for every stretch, and applied to a routine before it is spoken.

Slot values arrive as Alexa fills them: AMAZON.DURATION as ISO-8601 ("PT1M", "PT45S"),
AMAZON.NUMBER as digits, "?" when Alexa could not read what was said.
"""

from __future__ import annotations

from datetime import timedelta
from functools import lru_cache

from msgspec import Struct
from msgspec.structs import replace

from skill.content.model import Catalog, Routine, Stretch, StretchKind
from skill.conversation.profile import Profile

HOLD_STEP_SECONDS = 15  # "longer" / "shorter"
SENSIBLE_HOLD_SECONDS = (1, 300)  # beyond this a request is misheard or absurd: change nothing
SENSIBLE_REPS = (1, 100)
# The most silence one counting turn holds: with the words, a turn that expects an answer stays
# within Alexa's 90 s guidance; longer counts go in parts ("That's ten. Ten more to go.").
MAX_COUNTING_SILENCE_SECONDS = 50


def duration_seconds(value: str | None) -> int | None:
    """Whole seconds of an AMAZON.DURATION value, or None when missing or unreadable."""
    if not value or value == "?":
        return None
    import isodate  # here, not at the top: a cold start that sets no hold need not load it

    try:
        parsed = isodate.parse_duration(value)
    except (isodate.ISO8601Error, ValueError, TypeError, OverflowError):
        return None
    if not isinstance(parsed, timedelta):  # years or months: nothing a hold can be
        return None
    return round(parsed.total_seconds())


def whole_number(value: str | None) -> int | None:
    """An AMAZON.NUMBER value, or None when missing or unreadable."""
    if not value or not value.strip().isdigit():
        return None
    return int(value.strip())


def clamp(value: int, bounds: tuple[int, int]) -> int:
    return max(bounds[0], min(bounds[1], value))


def personalise(stretch: Stretch, profile: Profile) -> Stretch:
    """The stretch as this user does it: their hold, rotations and pace, within its ranges."""
    if stretch.kind is StretchKind.HOLD and profile.hold_seconds:
        return replace(stretch, hold_seconds=clamp(profile.hold_seconds, stretch.hold_range))
    if stretch.kind is StretchKind.REPS and (profile.reps or profile.pace_seconds):
        reps = clamp(profile.reps, stretch.reps_range) if profile.reps else stretch.reps
        pace = stretch.seconds_per_movement
        if profile.pace_seconds:
            pace = clamp(profile.pace_seconds, stretch.pace_range)
        return replace(stretch, reps=reps, seconds_per_movement=pace)
    return stretch


@lru_cache(maxsize=256)
def personalised_routine(routine: Routine, hold: int, reps: int, pace: int) -> Routine:
    profile = Profile(hold_seconds=hold, reps=reps, pace_seconds=pace)
    return replace(routine, stretches=tuple(personalise(s, profile) for s in routine.stretches))


def routine_for(routine: Routine, profile: Profile) -> Routine:
    """The routine with the user's preferences applied (cached: content is immutable)."""
    if not profile.has_preferences:
        return routine
    return personalised_routine(routine, profile.hold_seconds, profile.reps, profile.pace_seconds)


class Limits(Struct, frozen=True):
    """What every stretch of the catalog allows, taken together."""

    hold: tuple[int, int]  # the widest range of any hold stretch
    reps: tuple[int, int]
    pace: tuple[int, int]
    hold_stretches: tuple[Stretch, ...]  # one of each, by id
    reps_stretches: tuple[Stretch, ...]


def limits(catalog: Catalog) -> Limits:
    unique = {s.id: s for r in catalog.routines.values() for s in r.stretches}
    holds = tuple(s for s in unique.values() if s.kind is StretchKind.HOLD)
    counted = tuple(s for s in unique.values() if s.kind is StretchKind.REPS)

    def widest(ranges: list[tuple[int, int]]) -> tuple[int, int]:
        return (min(r[0] for r in ranges), max(r[1] for r in ranges)) if ranges else (0, 0)

    return Limits(
        hold=widest([s.hold_range for s in holds]),
        reps=widest([s.reps_range for s in counted]),
        pace=widest([s.pace_range for s in counted]),
        hold_stretches=holds,
        reps_stretches=counted,
    )


def reps_per_turn(stretch: Stretch) -> int:
    """How many sets one turn counts: all of them if they fit, else even parts that do."""
    per_rep = max(1, len(stretch.movements) * stretch.seconds_per_movement)
    fits = max(1, MAX_COUNTING_SILENCE_SECONDS // per_rep)
    parts = -(-stretch.reps // fits)
    return -(-stretch.reps // parts)
