"""The shapes of content: stretches and the routines that string them together."""

from __future__ import annotations

from enum import StrEnum

from msgspec import Struct


class StretchKind(StrEnum):
    HOLD = "hold"  # get into position, hold for a number of seconds, release
    REPS = "reps"  # a counted, paced sequence of movements


class Stretch(Struct, frozen=True):
    """One stretch as a routine uses it. Texts may contain ``{side}`` for sided stretches."""

    id: str
    name: str
    kind: StretchKind
    setup: tuple[str, ...]
    ready_prompt: str
    release: str
    brief: str  # the one or two cues that matter, for a user who knows the stretch
    benefit: str  # what the stretch is for, as the seed says it
    during: str = ""
    hold_seconds: int = 0
    hold_range: tuple[int, int] = (0, 0)  # the seconds a user may choose
    reps: int = 0
    reps_range: tuple[int, int] = (0, 0)
    seconds_per_movement: int = 0
    pace_range: tuple[int, int] = (0, 0)  # the seconds per movement a user may choose
    movements: tuple[str, ...] = ()  # the full cue for each movement, said on the first rep
    movement_names: tuple[str, ...] = ()  # the short cue said on later reps
    sides: tuple[str, ...] = ()
    side_label: str = ""  # how to name a side, e.g. "{side} leg"
    switch: str = ""
    brief_switch: str = ""  # the switch, for a user who knows the stretch
    equipment: str = ""

    @property
    def side_count(self) -> int:
        return max(1, len(self.sides))

    def side_name(self, side: int) -> str:
        return self.sides[side] if self.sides else ""

    def side_title(self, side: int) -> str:
        return self.text(self.side_label, side) if self.sides else ""

    def text(self, template: str, side: int) -> str:
        return template.replace("{side}", self.side_name(side))

    @property
    def full_introduction(self) -> str:
        """The setup and the ready prompt, as first-time users hear them (first side)."""
        return " ".join((*self.setup, self.ready_prompt))


class Routine(Struct, frozen=True):
    """A named sequence of stretches, as the user chooses it."""

    id: str
    name: str
    summary: str
    stretches: tuple[Stretch, ...]

    @property
    def equipment(self) -> tuple[str, ...]:
        """What the user needs at hand, in the order the stretches need it."""
        return tuple(dict.fromkeys(s.equipment for s in self.stretches if s.equipment))


class Catalog(Struct, frozen=True):
    """Every routine by id, and the one offered when the user names none."""

    routines: dict[str, Routine]
    default_id: str

    @property
    def default(self) -> Routine:
        return self.routines[self.default_id]

    def get(self, routine_id: str) -> Routine | None:
        return self.routines.get(routine_id)
