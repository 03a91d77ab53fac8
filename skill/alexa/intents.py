"""Which Alexa intent means which dialogue event: the one table both the handlers and the
interaction-model test read."""

from __future__ import annotations

from skill.conversation.events import Event, EventName

ROUTINE_SLOT = "routine"
ROUTINE_SLOT_TYPE = "RoutineName"
VALUE_SLOTS = ("duration", "count")  # AMAZON.DURATION and AMAZON.NUMBER slots, passed as typed
# Intents that start one routine by name without a slot (name-free launch phrases take none).
FIXED_ROUTINES = {"DeskBreakIntent": "desk_break"}

INTENT_EVENTS: dict[str, EventName] = {
    # custom intents (samples in interaction_model/)
    "StartRoutineIntent": Event.START,
    "DeskBreakIntent": Event.START,
    "ReadyIntent": Event.READY,
    "PainIntent": Event.PAIN,
    "ProgressIntent": Event.PROGRESS,
    "ListRoutinesIntent": Event.LIST_ROUTINES,
    "SkipIntent": Event.SKIP,
    "DoneIntent": Event.DONE,
    "OpenSkillIntent": Event.LAUNCH,
    "ExplainIntent": Event.EXPLAIN,
    "BenefitsIntent": Event.BENEFITS,
    "TightnessIntent": Event.TIGHTNESS,
    "SayAgainIntent": Event.SAY_AGAIN,
    "SetHoldIntent": Event.SET_HOLD,
    "HoldLongerIntent": Event.HOLD_LONGER,
    "HoldShorterIntent": Event.HOLD_SHORTER,
    "SetRepsIntent": Event.SET_REPS,
    "CountSlowerIntent": Event.COUNT_SLOWER,
    "CountFasterIntent": Event.COUNT_FASTER,
    "SettingsIntent": Event.SETTINGS,
    "ResetSettingsIntent": Event.RESET_SETTINGS,
    "FullInstructionsIntent": Event.FULL_INSTRUCTIONS,
    "BriefInstructionsIntent": Event.BRIEF_INSTRUCTIONS,
    "StatsIntent": Event.STATS,
    "SetReminderIntent": Event.SET_REMINDER,
    "ListRemindersIntent": Event.LIST_REMINDERS,
    "CancelRemindersIntent": Event.CANCEL_REMINDERS,
    # built-in intents
    "AMAZON.HelpIntent": Event.HELP,
    "AMAZON.StopIntent": Event.STOP,
    "AMAZON.CancelIntent": Event.CANCEL,
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
