"""The reminder a user asks for: how often and at what local time, as plain data.

Pure: it knows RFC 5545 recurrence rules and the words for them, nothing about the Reminders API.
"""

from __future__ import annotations

from enum import StrEnum

from msgspec import Struct


class Frequency(StrEnum):
    DAILY = "daily"
    WEEKDAYS = "weekdays"
    WEEKENDS = "weekends"


_BY_DAY = {  # RFC 5545 BYDAY lists; None: every day
    Frequency.DAILY: None,
    Frequency.WEEKDAYS: "MO,TU,WE,TH,FR",
    Frequency.WEEKENDS: "SA,SU",
}
_SPOKEN_FREQUENCY = {
    Frequency.DAILY: "every day",
    Frequency.WEEKDAYS: "every weekday",
    Frequency.WEEKENDS: "every Saturday and Sunday",
}
REMINDER_TEXT = "Time for your back stretches. Say: Alexa, open back stretches."


class ReminderWish(Struct, frozen=True):
    frequency: Frequency
    hour: int  # 0-23, local time
    minute: int = 0

    def __post_init__(self) -> None:
        if not (0 <= self.hour < 24 and 0 <= self.minute < 60):
            raise ValueError(f"no such time of day: {self.hour}:{self.minute}")

    @property
    def recurrence_rule(self) -> str:
        """The RFC 5545 rule, e.g. FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=15;BYMINUTE=0."""
        by_day = _BY_DAY[self.frequency]
        head = f"FREQ=WEEKLY;BYDAY={by_day}" if by_day else "FREQ=DAILY"
        return f"{head};BYHOUR={self.hour};BYMINUTE={self.minute};BYSECOND=0"

    @property
    def spoken(self) -> str:
        """ "every weekday at 3 p.m." """
        return f"{_SPOKEN_FREQUENCY[self.frequency]} at {spoken_time(self.hour, self.minute)}"

    def to_text(self) -> str:
        """A compact form for the profile: "weekdays 15:00"."""
        return f"{self.frequency.value} {self.hour:02d}:{self.minute:02d}"

    @classmethod
    def from_text(cls, text: str) -> ReminderWish | None:
        """The wish `to_text` wrote, or None for anything else."""
        frequency, _, clock = text.partition(" ")
        if frequency not in {f.value for f in Frequency}:
            return None
        return cls.at(Frequency(frequency), clock)

    @classmethod
    def from_rule(cls, rule: str) -> ReminderWish | None:
        """The wish an RFC 5545 rule of ours describes, or None for any other rule."""
        parts = dict(part.partition("=")[::2] for part in rule.split(";") if part)
        by_day = parts.get("BYDAY") if parts.get("FREQ") == "WEEKLY" else None
        if parts.get("FREQ") not in ("DAILY", "WEEKLY"):
            return None
        frequency = next((f for f, days in _BY_DAY.items() if days == by_day), None)
        if frequency is None:
            return None
        hour, minute = parts.get("BYHOUR", ""), parts.get("BYMINUTE", "0")
        return cls.at(frequency, f"{hour}:{minute.zfill(2)}")

    @classmethod
    def at(cls, frequency: Frequency, clock: str) -> ReminderWish | None:
        """The wish at an "HH:MM" time (Alexa's AMAZON.TIME form), or None if it is not one."""
        hours, colon, minutes = clock.partition(":")
        if not (colon and hours.isdigit() and minutes.isdigit() and len(minutes) == 2):
            return None
        try:
            return cls(frequency, int(hours), int(minutes))
        except ValueError:
            return None


def spoken_time(hour: int, minute: int) -> str:
    """ "3 p.m.", "9:30 a.m.", "12 noon", "12 midnight"."""
    if minute == 0 and hour in (0, 12):
        return "12 midnight" if hour == 0 else "12 noon"
    suffix = "a.m." if hour < 12 else "p.m."
    shown = hour % 12 or 12
    return f"{shown}:{minute:02d} {suffix}" if minute else f"{shown} {suffix}"


class ReminderAction(StrEnum):
    CREATE = "create"
    LIST = "list"
    CANCEL = "cancel"  # every reminder this skill set


class ReminderCall(Struct, frozen=True):
    """A request to the Reminders API that the state machine leaves to the Alexa layer."""

    action: ReminderAction
    wish: ReminderWish | None = None  # for CREATE
