"""A reply plan laid out in time: spoken lines and silences, with a hold's cues in place.

SSML, console text and the browser simulator all render this one timeline, so what is
shown always matches what is heard.
"""

from __future__ import annotations

from dataclasses import dataclass

from skill.conversation.plan import Beat, Hold, ReplyPlan, Say, Segment

WORDS_PER_SECOND = 2.5  # Alexa's speaking rate, about 150 words a minute
LAST_CUE = "Ten more seconds."
HALFWAY_CUE = "Halfway there."
LAST_CUE_AT = 10  # seconds left when LAST_CUE is said
MIN_HOLD_FOR_LAST_CUE = 20
MIN_HOLD_FOR_HALFWAY_CUE = 40


@dataclass(frozen=True)
class Spoken:
    text: str

    @property
    def seconds(self) -> float:
        return len(self.text.split()) / WORDS_PER_SECOND


@dataclass(frozen=True)
class Silence:
    seconds: int
    hold_total: int = 0  # the whole hold this silence belongs to; 0 for a pacing beat
    remaining_after: int = 0  # seconds of the hold still to come after this silence


Moment = Spoken | Silence


def hold_moments(seconds: int) -> tuple[Moment, ...]:
    """A hold's silences, cut where the cues are said ("Halfway there.", "Ten more seconds.")."""
    cues: dict[int, str] = {}
    if seconds >= MIN_HOLD_FOR_HALFWAY_CUE:
        cues[seconds // 2] = HALFWAY_CUE
    if seconds >= MIN_HOLD_FOR_LAST_CUE:
        cues[LAST_CUE_AT] = LAST_CUE
    moments: list[Moment] = []
    elapsed = 0
    for remaining in sorted(cues, reverse=True):
        moments.append(Silence(seconds - remaining - elapsed, seconds, remaining))
        moments.append(Spoken(cues[remaining]))
        elapsed = seconds - remaining
    moments.append(Silence(seconds - elapsed, seconds, 0))
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


def estimated_seconds(plan: ReplyPlan) -> float:
    """How long the speech takes to play, silences included (an estimate for spoken words)."""
    return sum(moment.seconds for moment in timeline(plan.speech))
