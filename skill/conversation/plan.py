"""A reply plan: what to say, in what order, with which silences, decided by the state
machine and turned into SSML, console text or visuals by `skill.speech`."""

from __future__ import annotations

from msgspec import Struct


class Say(Struct, frozen=True):
    """Words to speak."""

    text: str


class Hold(Struct, frozen=True):
    """A timed hold: this many seconds of silence, with spoken cues along the way."""

    seconds: int


class Beat(Struct, frozen=True):
    """A short pacing silence between counted movements."""

    seconds: int


Segment = Say | Hold | Beat


class Button(Struct, frozen=True):
    """A touch button: its label, and the action it sends (a key of skill.alexa.touch)."""

    label: str
    action: str


class Card(Struct, frozen=True):
    """One screenful, in words a screen shows beside the speech. `counting` says what the
    card counts while the speech's pauses play: "hold" (a countdown over each Hold) or
    "reps" (the rep number and movement over each Beat, from `movements`)."""

    state: str  # what is happening, as a label: "Get ready", "Hold", "Rotations", "Paused"
    title: str
    routine: str = ""
    progress: str = ""  # "Stretch 2 of 3"
    side: str = ""  # "Left leg"
    cue: str = ""  # the short cue
    picture: str = ""  # a picture id (skill/speech/apl/pictures.json), "" for none
    buttons: tuple[Button, ...] = ()
    counting: str = ""
    movements: tuple[str, ...] = ()  # for "reps": the movements of one rep, in order


class Screen(Struct, frozen=True):
    """What a device with a screen shows alongside the speech: `card` from the start, then
    `then` (if any) once the speech's last pause (the exercise) is over."""

    card: Card
    then: Card | None = None


class ReplyPlan(Struct, frozen=True):
    """One reply: what to say, what to ask again if the user is silent, what to show."""

    speech: tuple[Segment, ...]
    reprompt: str | None  # None closes the session; otherwise the mic opens
    screen: Screen | None = None

    @property
    def end_session(self) -> bool:
        return self.reprompt is None

    def after(self, *segments: Segment) -> ReplyPlan:
        """The same reply, with segments spoken before it."""
        return ReplyPlan(segments + self.speech, self.reprompt, self.screen)


# Brisk speech: an estimate of how soon spoken words can be over. Used to tell whether a
# request came while an exercise was still being spoken (an early estimate errs towards
# "the step was done", never towards cutting short a step the user finished).
FAST_WORDS_PER_SECOND = 3.3


def earliest_end_ms(segments: tuple[Segment, ...]) -> int:
    """The soonest these segments can have finished playing, in ms: every silence exactly,
    the words at a brisk pace (cues spoken inside a hold only add to this)."""
    total = 0.0
    for segment in segments:
        if isinstance(segment, Say):
            total += len(segment.text.split()) / FAST_WORDS_PER_SECOND
        else:
            total += segment.seconds
    return round(total * 1000)
