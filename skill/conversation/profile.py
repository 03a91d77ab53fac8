"""What the coach keeps about a person besides their place in a routine: the preferences they
set by voice and how familiar each stretch is to them. Stored as a small dict of ints and
strings (one level of nesting), replaced whole on every save.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any, TypeVar

from msgspec import Struct, field
from msgspec.structs import replace

from skill.conversation.history import is_count


class Instructions(StrEnum):
    AUTO = "auto"  # full the first times, brief once a stretch is familiar
    FULL = "full"  # always the full instructions


class ReminderOffer(StrEnum):
    """Where the user stands with the daily reminder the coach offers once."""

    NOT_OFFERED = ""
    OFFERED = "offered"  # asked; no answer yet (the session may have ended)
    DECLINED = "declined"
    SET = "set"  # a reminder from this skill exists (as far as the coach knows)


MAX_TEXT = 64  # longest time zone or reminder wish kept
FAMILIAR_AFTER = 2  # completions of a stretch after which its introduction is brief


class Profile(Struct, frozen=True):
    hold_seconds: int = 0  # 0: each stretch's own hold
    reps: int = 0  # 0: the content's count
    pace_seconds: int = 0  # seconds per counted movement; 0: the content's pace
    instructions: Instructions = Instructions.AUTO
    done: Mapping[str, int] = field(default_factory=dict)  # stretch id -> times completed
    time_zone: str = ""  # the device's IANA zone, last read from the Settings API; "" unknown
    reminder: ReminderOffer = ReminderOffer.NOT_OFFERED
    reminder_wish: str = ""  # the reminder awaiting the user's consent (ReminderWish.to_text)

    def to_dict(self) -> dict[str, Any]:
        return {
            "hold_seconds": self.hold_seconds,
            "reps": self.reps,
            "pace_seconds": self.pace_seconds,
            "instructions": self.instructions.value,
            "done": dict(self.done),
            "time_zone": self.time_zone,
            "reminder": self.reminder.value,
            "reminder_wish": self.reminder_wish,
        }

    @classmethod
    def from_dict(cls, raw: object) -> Profile:
        """A stored profile; each unreadable field falls back to its default on its own."""
        if type(raw) is not dict and not isinstance(raw, Mapping):  # dict: no ABC check
            return cls()
        values: dict[str, Any] = {}
        for name in ("hold_seconds", "reps", "pace_seconds"):
            if is_count(raw.get(name)):
                values[name] = int(raw[name])
        instructions = _member(_INSTRUCTIONS, raw.get("instructions"))
        if instructions is not None:
            values["instructions"] = instructions
        done = raw.get("done")
        if type(done) is dict or isinstance(done, Mapping):
            values["done"] = {
                str(k): int(v) for k, v in done.items() if isinstance(k, str) and is_count(v)
            }
        for name in ("time_zone", "reminder_wish"):
            if isinstance(raw.get(name), str) and len(raw[name]) <= MAX_TEXT:
                values[name] = raw[name]
        reminder = _member(_REMINDER_OFFERS, raw.get("reminder"))
        if reminder is not None:
            values["reminder"] = reminder
        return cls(**values)

    @property
    def has_preferences(self) -> bool:
        """Whether anything differs from the defaults (the familiarity aside)."""
        return any(getattr(self, name) != default for name, default in _PREFERENCE_DEFAULTS)

    def familiar_with(self, stretch_id: str) -> bool:
        return (
            self.instructions is Instructions.AUTO
            and self.done.get(stretch_id, 0) >= FAMILIAR_AFTER
        )

    def after_completing(self, stretch_id: str) -> Profile:
        return replace(self, done={**self.done, stretch_id: self.done.get(stretch_id, 0) + 1})

    def after_undoing(self, stretch_id: str) -> Profile:
        """One completion of the stretch taken back (it was cut short)."""
        count = max(0, self.done.get(stretch_id, 0) - 1)
        return replace(self, done={**self.done, stretch_id: count})

    def reset(self) -> Profile:
        """The defaults again, keeping what the coach learned (familiarity)."""
        return replace(Profile(), **{name: getattr(self, name) for name in _LEARNED})


# what the coach learned or keeps about the user, not preferences they set
_LEARNED = ("done", "time_zone", "reminder", "reminder_wish")
_DEFAULTS = Profile()
_PREFERENCE_DEFAULTS = tuple(  # from a default instance: msgspec's fields() evaluates annotations
    (name, getattr(_DEFAULTS, name)) for name in Profile.__struct_fields__ if name not in _LEARNED
)
E = TypeVar("E", bound=StrEnum)
_INSTRUCTIONS = {i.value: i for i in Instructions}
_REMINDER_OFFERS = {r.value: r for r in ReminderOffer}


def _member(members: dict[str, E], value: object) -> E | None:
    """The enum member whose value is `value`, or None (for values of any type)."""
    return members.get(value) if isinstance(value, str) else None
