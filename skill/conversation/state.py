"""The dialogue state: where the user is in a routine, as a small dict of ints and strings."""

from __future__ import annotations

from enum import StrEnum

from msgspec import Struct

from skill.content.model import Catalog, Routine, Stretch, StretchKind

STATE_VERSION = 1
STATE_EXTRAS = (("busy_until", 0), ("pending", ""), ("rep", 0))  # added since; saves without


class Phase(StrEnum):
    NOT_STARTED = "not_started"
    INTRODUCING = "introducing"  # the setup was explained; waiting for "ready"
    HOLDING = "holding"  # the timed hold was spoken; waiting for "next"
    WAITING_OTHER_SIDE = "waiting_other_side"  # asked to switch sides; waiting for "ready"
    COUNTING = "counting"  # the counted reps were spoken; waiting for "next"
    PAUSED = "paused"  # the position is kept; "resume" picks it up
    FINISHED = "finished"


_PHASES = {p.value: p for p in Phase}
IN_ROUTINE = frozenset(
    {Phase.INTRODUCING, Phase.HOLDING, Phase.WAITING_OTHER_SIDE, Phase.COUNTING, Phase.PAUSED}
)


class DialogueState(Struct, frozen=True):
    """Where the user is: routine, stretch, side and phase."""

    routine: str = ""  # routine id; "" before one is chosen
    stretch: int = 0  # index into the routine's stretches
    side: int = 0  # index into the stretch's sides (0 for one-sided stretches)
    phase: Phase = Phase.NOT_STARTED
    # When the exercise last spoken ends (ms since the epoch, estimated from its timeline):
    # an interruption before then means the step was not done. 0: nothing in progress.
    busy_until: int = 0
    pending: str = ""  # a yes/no question awaiting its answer, e.g. "restart:desk_break"
    rep: int = 0  # counted sets already done when the counting is split over several turns

    def to_dict(self) -> dict[str, int | str]:
        return {
            "version": STATE_VERSION,
            "routine": self.routine,
            "stretch": self.stretch,
            "side": self.side,
            "phase": self.phase.value,
            "busy_until": self.busy_until,
            "pending": self.pending,
            "rep": self.rep,
        }

    @classmethod
    def from_dict(cls, raw: object, catalog: Catalog) -> DialogueState | None:
        """The state a stored dict describes, or None if it is from another version,
        malformed, or points outside the current content."""
        if not isinstance(raw, dict) or raw.get("version") != STATE_VERSION:
            return None
        routine_id, stretch, side, phase = (
            raw.get("routine"),
            raw.get("stretch"),
            raw.get("side"),
            raw.get("phase"),
        )
        busy_until, pending, rep = (raw.get(k, d) for k, d in STATE_EXTRAS)
        known_phase = _PHASES.get(phase) if isinstance(phase, str) else None
        if not isinstance(routine_id, str) or known_phase is None:
            return None
        if not isinstance(pending, str):
            return None
        if not (type(stretch) is type(side) is type(busy_until) is type(rep) is int):
            numbers = (stretch, side, busy_until, rep)
            try:  # DynamoDB hands numbers back as Decimal
                stretch, side, busy_until, rep = (int(n) for n in numbers)  # type: ignore[call-overload]
            except (TypeError, ValueError, ArithmeticError):
                return None
        state = cls(
            routine=routine_id,
            stretch=stretch,
            side=side,
            phase=known_phase,
            busy_until=busy_until,
            pending=pending,
            rep=rep,
        )
        if state.routine == "":
            return state if state.phase is Phase.NOT_STARTED else None
        routine = catalog.get(state.routine)
        if routine is None or not 0 <= state.stretch < len(routine.stretches):
            return None
        if not 0 <= state.side < routine.stretches[state.stretch].side_count:
            return None
        return state if state._reachable(routine) else None

    def _reachable(self, routine: Routine) -> bool:
        """Whether the machine can produce this state (a save may predate a content change)."""
        stretch = routine.stretches[self.stretch]
        if not 0 <= self.rep < max(stretch.reps, stretch.reps_range[1], 1):  # the user's count
            return False
        if self.phase is Phase.INTRODUCING:
            return self.side == 0
        if self.phase is Phase.WAITING_OTHER_SIDE:
            return self.side > 0
        if self.phase in (Phase.HOLDING, Phase.COUNTING):
            kind = StretchKind.HOLD if self.phase is Phase.HOLDING else StretchKind.REPS
            last_side = self.side == stretch.side_count - 1
            return stretch.kind is kind and last_side and self.stretch < len(routine.stretches) - 1
        return True

    def at(
        self, phase: Phase, stretch: int | None = None, side: int | None = None
    ) -> DialogueState:
        """The state moved to `phase` (and position); nothing is in progress or pending."""
        return DialogueState(
            routine=self.routine,
            stretch=self.stretch if stretch is None else stretch,
            side=self.side if side is None else side,
            phase=phase,
        )


class Position(Struct, frozen=True):
    """A state resolved against the catalog: the routine and stretch objects it points at."""

    routine: Routine
    index: int
    side: int
    first_rep: int = 1  # where the counting starts when it is split over several turns

    @property
    def stretch(self) -> Stretch:
        return self.routine.stretches[self.index]

    @property
    def is_last_side(self) -> bool:
        return self.side == self.stretch.side_count - 1

    @property
    def is_last_stretch(self) -> bool:
        return self.index == len(self.routine.stretches) - 1

    @property
    def next_stretch(self) -> Stretch | None:
        return None if self.is_last_stretch else self.routine.stretches[self.index + 1]
