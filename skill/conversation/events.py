"""What the user can do: the events that drive the dialogue state machine.

Plain strings with names, not an Enum: the machine only looks events up in its tables, and a
38-member StrEnum cost 4 million instructions (about 1.5 %) of every Lambda cold start.
"""

from __future__ import annotations

from typing import TypeAlias

EventName: TypeAlias = str  # one of Event's values


class Event:
    """Every event, by name."""

    LAUNCH = "launch"
    START = "start"  # start a routine, optionally named
    READY = "ready"  # ready / next / done: go on with the current step
    PREVIOUS = "previous"
    REPEAT = "repeat"  # do the step again (after an exercise: the exercise itself)
    SAY_AGAIN = "say_again"  # hear the words again, never the exercise
    START_OVER = "start_over"
    PAUSE = "pause"
    RESUME = "resume"
    SKIP = "skip"
    PAIN = "pain"
    HELP = "help"
    STOP = "stop"
    CANCEL = "cancel"  # stop, or "no" to a pending question
    YES = "yes"
    NO = "no"
    PROGRESS = "progress"  # how many are left / where am I
    LIST_ROUTINES = "list_routines"
    DONE = "done"  # "I'm done": finished the step in hand, or done for now outside one
    EXPLAIN = "explain"  # the full instructions, once
    BENEFITS = "benefits"  # what the stretch is for
    TIGHTNESS = "tightness"  # "it feels tight": expected in a stretch, unlike pain
    SET_HOLD = "set_hold"  # with a DURATION
    HOLD_LONGER = "hold_longer"
    HOLD_SHORTER = "hold_shorter"
    SET_REPS = "set_reps"  # with a NUMBER
    COUNT_SLOWER = "count_slower"
    COUNT_FASTER = "count_faster"
    SETTINGS = "settings"
    RESET_SETTINGS = "reset_settings"
    FULL_INSTRUCTIONS = "full_instructions"  # always the full instructions
    BRIEF_INSTRUCTIONS = "brief_instructions"  # brief once familiar (the default)
    UNKNOWN = "unknown"
    SESSION_ENDED = "session_ended"
    STATS = "stats"  # how am I doing / what's my streak
    SET_REMINDER = "set_reminder"
    LIST_REMINDERS = "list_reminders"
    CANCEL_REMINDERS = "cancel_reminders"
