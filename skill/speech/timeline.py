"""A reply plan laid out in time: spoken lines and silences, with a hold's cues in place.

SSML, console text and the browser simulator all render this one timeline, so what is
shown always matches what is heard.
"""

from __future__ import annotations

from msgspec import Struct

from skill.conversation.plan import Beat, Hold, Say, Segment

HALFWAY_CUE = "Halfway there."
MIN_HOLD_FOR_HALFWAY_CUE = 40
END_CUES = (  # (shortest hold, seconds left, cue): the first that fits is said before the end
    (20, 10, "Ten more seconds."),
    (10, 5, "Five more seconds."),
)


class Spoken(Struct, frozen=True):
    """Words Alexa speaks."""

    text: str


class Silence(Struct, frozen=True):
    """Seconds of silence."""

    seconds: int


Moment = Spoken | Silence


def hold_cues(seconds: int) -> dict[int, str]:
    """The cues of a hold, by the seconds left when each is said."""
    cues: dict[int, str] = {}
    if seconds >= MIN_HOLD_FOR_HALFWAY_CUE:
        cues[seconds // 2] = HALFWAY_CUE
    for shortest, left, cue in END_CUES:
        if seconds >= shortest:
            cues[left] = cue
            break
    return cues


def hold_moments(seconds: int) -> tuple[Moment, ...]:
    """A hold's silence, cut where its cues are said."""
    cues = hold_cues(seconds)
    moments: list[Moment] = []
    elapsed = 0
    for left in sorted(cues, reverse=True):
        moments += [Silence(seconds - left - elapsed), Spoken(cues[left])]
        elapsed = seconds - left
    moments.append(Silence(seconds - elapsed))
    return tuple(moments)


def _moments(segment: Segment) -> tuple[Moment, ...]:
    if isinstance(segment, Say):
        return (Spoken(segment.text),)
    if isinstance(segment, Hold):
        return hold_moments(segment.seconds)
    if isinstance(segment, Beat):
        return (Silence(segment.seconds),)
    raise TypeError(f"not a speech segment: {segment!r}")


def timeline(segments: tuple[Segment, ...]) -> tuple[Moment, ...]:
    return tuple(moment for segment in segments for moment in _moments(segment))
