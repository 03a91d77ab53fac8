"""What the user can do: the events that drive the dialogue state machine."""

from __future__ import annotations

from enum import StrEnum


class Event(StrEnum):
    LAUNCH = "launch"
    START = "start"  # start a routine, optionally named
    READY = "ready"  # ready / next / done: go on with the current step
    PREVIOUS = "previous"
    REPEAT = "repeat"
    START_OVER = "start_over"
    PAUSE = "pause"
    RESUME = "resume"
    SKIP = "skip"
    PAIN = "pain"
    HELP = "help"
    STOP = "stop"
    YES = "yes"
    NO = "no"
    PROGRESS = "progress"  # how many are left / where am I
    LIST_ROUTINES = "list_routines"
    UNKNOWN = "unknown"
    SESSION_ENDED = "session_ended"
    STATS = "stats"  # how am I doing / what's my streak
    SET_REMINDER = "set_reminder"
    LIST_REMINDERS = "list_reminders"
    CANCEL_REMINDERS = "cancel_reminders"
