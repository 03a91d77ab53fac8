"""The screen laid out in time: which card, countdown and rep count show when, read off the
same timeline that renders the SSML, so the screen changes as the speech does.

Each tick is anchored twice: to a silence of the speech (`silence`, `second`: that many
seconds into it; silence -1 is the start), which is exact and what the browser simulator
follows, and to an estimated time since the speech began (`atMs`), which the APL document
waits for. Silences last exactly their break times; speech has no exact duration, so each
spoken line is estimated from its words at WORDS_PER_SECOND.
"""

from __future__ import annotations

from msgspec import Struct
from msgspec.structs import asdict

from skill.conversation.plan import Beat, Card, Hold, ReplyPlan, Say
from skill.speech.timeline import Spoken, hold_moments

WORDS_PER_SECOND = 2.5  # about 150 words a minute, Alexa's normal rate


class Tick(Struct, frozen=True):
    card: int  # 0: the screen's first card, 1: the card shown after the exercise
    silence: int
    second: int
    at_ms: int
    count: str = ""  # the big number: seconds left, or the rep
    count_label: str = ""
    detail: str = ""  # the movement being counted
    ring: float = -1.0  # how full the ring is, 0..1 (-1: no ring)


def spoken_ms(text: str) -> int:
    """The estimated time Alexa takes to say a line."""
    return round(len(text.split()) / WORDS_PER_SECOND * 1000)


def _hold_tick(silence: int, second: int, at_ms: int, left: int, total: int) -> Tick:
    unit = "second" if left == 1 else "seconds"
    return Tick(0, silence, second, at_ms, str(left), unit, ring=left / total)


def _rep_tick(card: Card, beat: int, beats: int, anchor: tuple[int, int, int]) -> Tick:
    per_rep = len(card.movements)
    rep, reps = beat // per_rep + 1, beats // per_rep
    detail = card.movements[beat % per_rep]
    return Tick(0, *anchor, str(rep), f"of {reps}", detail, ring=rep / reps)


def screenplay(plan: ReplyPlan) -> tuple[Tick, ...]:
    """The ticks of a reply's screen, in time order; the first shows at once."""
    screen = plan.screen
    if screen is None:
        return ()
    card = screen.card
    holds = [segment.seconds for segment in plan.speech if isinstance(segment, Hold)]
    beats = sum(isinstance(segment, Beat) for segment in plan.speech)
    pauses = [i for i, segment in enumerate(plan.speech) if isinstance(segment, Hold | Beat)]
    counts_reps = card.counting == "reps" and beats and card.movements
    if card.counting == "hold" and holds:
        ticks = [_hold_tick(-1, 0, 0, holds[0], holds[0])]
    elif counts_reps:
        ticks = [_rep_tick(card, 0, beats, (-1, 0, 0))]
    else:
        ticks = [Tick(0 if pauses or screen.then is None else 1, -1, 0, 0)]
    at_ms, silence, length, beat = 0, -1, 0, 0  # length: of the last silence so far
    for index, segment in enumerate(plan.speech):
        if isinstance(segment, Say):
            at_ms += spoken_ms(segment.text)
        elif isinstance(segment, Hold):
            left = segment.seconds
            for moment in hold_moments(segment.seconds):
                if isinstance(moment, Spoken):
                    at_ms += spoken_ms(moment.text)
                    continue
                silence += 1
                if card.counting == "hold":
                    ticks += [
                        _hold_tick(silence, s, at_ms + s * 1000, left - s, segment.seconds)
                        for s in range(1, moment.seconds + 1)
                    ]
                left -= moment.seconds
                at_ms += moment.seconds * 1000
                length = moment.seconds
        elif isinstance(segment, Beat):
            silence += 1
            at_ms += segment.seconds * 1000
            length = segment.seconds
            beat += 1
            if counts_reps and beat < beats:
                ticks.append(_rep_tick(card, beat, beats, (silence, length, at_ms)))
        if screen.then is not None and pauses and index == pauses[-1]:
            ticks.append(Tick(1, silence, length, at_ms))
    return tuple(ticks)


def payload_ticks(plan: ReplyPlan) -> list[dict[str, object]]:
    """The ticks as the renderers read them, each with `waitMs`: how long after the previous
    one it shows."""
    ticks, previous = [], 0
    for tick in screenplay(plan):
        values = {_JSON_NAMES[name]: value for name, value in asdict(tick).items()}
        ticks.append({**values, "waitMs": tick.at_ms - previous})
        previous = tick.at_ms
    return ticks


def _camel(name: str) -> str:
    first, *rest = name.split("_")
    return first + "".join(word.capitalize() for word in rest)


_JSON_NAMES = {name: _camel(name) for name in Tick.__struct_fields__}
