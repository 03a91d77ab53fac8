"""Which Alexa intent means which dialogue event: the one table both the handlers and the
interaction-model test read."""

from __future__ import annotations

from skill.conversation.events import Event

ROUTINE_SLOT = "routine"
ROUTINE_SLOT_TYPE = "RoutineName"

INTENT_EVENTS: dict[str, Event] = {
    # custom intents (samples in interaction_model/)
    "StartRoutineIntent": Event.START,
    "ReadyIntent": Event.READY,
    "PainIntent": Event.PAIN,
    "ProgressIntent": Event.PROGRESS,
    "ListRoutinesIntent": Event.LIST_ROUTINES,
    "SkipIntent": Event.SKIP,
    "StatsIntent": Event.STATS,
    "SetReminderIntent": Event.SET_REMINDER,
    "ListRemindersIntent": Event.LIST_REMINDERS,
    "CancelRemindersIntent": Event.CANCEL_REMINDERS,
    # built-in intents
    "AMAZON.HelpIntent": Event.HELP,
    "AMAZON.StopIntent": Event.STOP,
    "AMAZON.CancelIntent": Event.STOP,
    "AMAZON.NavigateHomeIntent": Event.STOP,
    "AMAZON.FallbackIntent": Event.UNKNOWN,
    "AMAZON.NextIntent": Event.READY,
    "AMAZON.PreviousIntent": Event.PREVIOUS,
    "AMAZON.RepeatIntent": Event.REPEAT,
    "AMAZON.StartOverIntent": Event.START_OVER,
    "AMAZON.PauseIntent": Event.PAUSE,
    "AMAZON.ResumeIntent": Event.RESUME,
    "AMAZON.YesIntent": Event.YES,
    "AMAZON.NoIntent": Event.NO,
}
