"""A user's routine history: completions, the last day, and the streak of consecutive days.

History changes only when a routine is completed. Stores apply `record_completion`
atomically (a transaction or a conditional write), so two racing completions both count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class History:
    """Completed routines and the streak of consecutive days."""

    completed: int = 0
    streak: int = 0
    last_day: str = ""  # ISO date of the last completion, "" if none

    def current_streak(self, today: date) -> int:
        """The streak still alive today: it lapses once a whole day passes without a routine."""
        last = _parse_day(self.last_day)
        alive = last is not None and today - timedelta(days=1) <= last <= today
        return self.streak if alive else 0

    def to_dict(self) -> dict[str, int | str]:
        return {"completed": self.completed, "streak": self.streak, "last_day": self.last_day}

    @classmethod
    def from_dict(cls, raw: object) -> History:
        """Read a stored history; anything malformed reads as an empty history."""
        if not isinstance(raw, dict):
            return cls()
        completed, streak, last_day = raw.get("completed"), raw.get("streak"), raw.get("last_day")
        if not (is_count(completed) and is_count(streak) and isinstance(last_day, str)):
            return cls()
        if last_day and _parse_day(last_day) is None:
            return cls()
        return cls(completed=int(completed), streak=int(streak), last_day=last_day)


def record_completion(history: History, day: date) -> History:
    """The history after one more completed routine on `day`."""
    last = _parse_day(history.last_day)
    if last == day:
        streak = max(history.streak, 1)
    elif last == day - timedelta(days=1):
        streak = history.streak + 1
    else:
        streak = 1
    return History(completed=history.completed + 1, streak=streak, last_day=day.isoformat())


def is_count(value: object) -> bool:
    """A whole, non-negative number (DynamoDB's Decimals included), not a bool."""
    # Decimal from DynamoDB is accepted as long as it is a whole, non-negative number.
    try:
        return not isinstance(value, bool) and int(value) == value and int(value) >= 0  # type: ignore[call-overload]
    except (TypeError, ValueError, ArithmeticError):
        return False


def _parse_day(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None
