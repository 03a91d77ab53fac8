"""A user's routine history: completions, the last day, the streak of consecutive days, the best
streak, and the recent days with a completion (for "days in the last seven").

History changes only when a routine is completed. Stores apply `record_completion`
atomically (a transaction or a conditional write), so two racing completions both count.
Days are the user's local days (the request's moment in their time zone).
"""

from __future__ import annotations

from datetime import date, timedelta

from msgspec import Struct

WEEK_DAYS = 7  # the window of "days in the last seven"


class History(Struct, frozen=True):
    """Completed routines and the streak of consecutive days."""

    completed: int = 0
    streak: int = 0
    last_day: str = ""  # ISO date of the last completion, "" if none
    best: int = 0  # the longest streak so far
    recent: tuple[str, ...] = ()  # ISO dates with a completion, within a week of the last one

    def current_streak(self, today: date) -> int:
        """The streak still alive today: it lapses once a whole day passes without a routine."""
        last = _parse_day(self.last_day)
        alive = last is not None and today - timedelta(days=1) <= last <= today
        return self.streak if alive else 0

    def days_this_week(self, today: date) -> int:
        """On how many of the last seven days, today included, a routine was completed."""
        first = today - timedelta(days=WEEK_DAYS - 1)
        return sum(1 for day in map(_parse_day, self.recent) if day and first <= day <= today)

    def to_dict(self) -> dict[str, int | str | list[str]]:
        return {
            "completed": self.completed,
            "streak": self.streak,
            "last_day": self.last_day,
            "best": self.best,
            "recent": list(self.recent),
        }

    @classmethod
    def from_dict(cls, raw: object) -> History:
        """Read a stored history; anything malformed reads as an empty history. A record from
        before `best` and `recent` existed reads with its streak as the best and its last day
        as the only recent one."""
        if not isinstance(raw, dict):
            return cls()
        completed, streak, last_day = raw.get("completed"), raw.get("streak"), raw.get("last_day")
        if not (is_count(completed) and is_count(streak) and isinstance(last_day, str)):
            return cls()
        if last_day and _parse_day(last_day) is None:
            return cls()
        best = raw.get("best")
        recent = raw.get("recent")
        if isinstance(recent, list | tuple):
            days = tuple(day for day in recent if isinstance(day, str) and _parse_day(day))
        else:
            days = (last_day,) if last_day else ()
        return cls(
            completed=int(completed),
            streak=int(streak),
            last_day=last_day,
            best=max(int(best) if is_count(best) else 0, int(streak)),
            recent=days,
        )


def record_completion(history: History, day: date) -> History:
    """The history after one more completed routine on `day`."""
    last = _parse_day(history.last_day)
    if last is not None and day < last:  # the time zone moved back across midnight
        day = last
    if last == day:
        streak = max(history.streak, 1)
    elif last == day - timedelta(days=1):
        streak = history.streak + 1
    else:
        streak = 1
    first = day - timedelta(days=WEEK_DAYS - 1)
    kept = {d for d in history.recent if (parsed := _parse_day(d)) and first <= parsed <= day}
    return History(
        completed=history.completed + 1,
        streak=streak,
        last_day=day.isoformat(),
        best=max(history.best, streak),
        recent=tuple(sorted(kept | {day.isoformat()})),
    )


def is_count(value: object) -> bool:
    """A whole, non-negative number (DynamoDB's Decimals included), not a bool."""
    if type(value) is int:  # the usual case, without the general checks below
        return value >= 0
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
