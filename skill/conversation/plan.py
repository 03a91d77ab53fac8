"""A reply plan: what to say, in what order, with which silences, decided by the state
machine and turned into SSML, console text or visuals by `skill.speech`."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Say:
    """Words to speak."""

    text: str


@dataclass(frozen=True)
class Hold:
    """A timed hold: this many seconds of silence, with spoken cues along the way."""

    seconds: int


@dataclass(frozen=True)
class Beat:
    """A short pacing silence between counted movements."""

    seconds: int


Segment = Say | Hold | Beat


@dataclass(frozen=True)
class Screen:
    """What a device with a screen shows alongside the speech."""

    title: str
    subtitle: str
    body: str
    hold_seconds: int = 0


@dataclass(frozen=True)
class ReplyPlan:
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
