"""What the coach says about the habit: how the user is doing, the reminder offer, and the
outcome of each reminder request. Pure wording; the Alexa layer reports what happened."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from skill.content.model import Catalog
from skill.conversation.history import WEEK_DAYS, History
from skill.conversation.plan import Card, ReplyPlan, Say, Screen
from skill.conversation.reminder import ReminderWish
from skill.conversation.replies import COME_BACK, asking, counted, spoken_number, state_screen
from skill.conversation.state import DialogueState, Phase

OFFER_REMINDER = "Would you like a reminder to stretch at this time every day?"
REMINDER_EXAMPLE = "For example, say: remind me every weekday at 3 p.m."


class ReminderResult(StrEnum):
    """What became of a request to the Reminders API (or of asking for permission)."""

    NO_PERMISSION = "no_permission"  # 401: consent missing or withdrawn
    CARD_SENT = "card_sent"  # this device cannot ask by voice: the app shows a card
    DENIED = "denied"
    NOT_ANSWERED = "not_answered"
    TOO_MANY = "too_many"  # 403 MAX_REMINDERS_EXCEEDED
    REFUSED = "refused"  # another 403, or a 400: Alexa would not take this reminder
    UNAVAILABLE = "unavailable"  # 5xx, 429, a timeout, no API endpoint


_FAILURE_LINES = {
    ReminderResult.NO_PERMISSION: (
        "I don't have permission to use your reminders. I've sent a card to your Alexa app "
        "where you can allow it."
    ),
    ReminderResult.CARD_SENT: (
        "To set reminders I need your permission. I've sent a card to your Alexa app "
        "where you can allow it, then ask me again."
    ),
    ReminderResult.DENIED: (
        "Okay, no reminders. You can always just say: Alexa, open back stretches."
    ),
    ReminderResult.NOT_ANSWERED: (
        "I didn't get an answer, so I haven't set a reminder. Ask me again any time."
    ),
    ReminderResult.TOO_MANY: (
        "You have too many reminders already. Delete some in the Alexa app, then ask me again."
    ),
    ReminderResult.REFUSED: "Sorry, Alexa wouldn't accept that reminder.",
    ReminderResult.UNAVAILABLE: "Sorry, I couldn't reach your reminders just now. Try again later.",
}


def stats(
    state: DialogueState, catalog: Catalog, history: History | None, today: date
) -> ReplyPlan:
    """Current streak, best streak, days in the last seven, routines in all; then the prompt."""
    if history is None:
        return asking(state, catalog, "Sorry, I can't reach your records right now.")
    if history.completed == 0:
        return asking(state, catalog, "You haven't completed a routine yet. Today's a good day.")
    streak = history.current_streak(today)
    week = history.days_this_week(today)
    lines = (
        _streak_line(streak, history.last_day == today.isoformat()),
        f"Your best streak is {counted(history.best, 'day')} in a row."
        if history.best >= 2
        else "",
        f"You've stretched on {spoken_number(week)} of the last {spoken_number(WEEK_DAYS)} days,"
        f" and completed {counted(history.completed, 'routine')} in all.",
    )
    said = [line for line in lines if line]
    reply = asking(state, catalog, *said)
    screen = Screen(
        Card(
            state="Your progress",
            title=f"{streak} day streak · best {history.best}",
            progress=f"{week} of the last {WEEK_DAYS} days · {history.completed} in all",
            cue=said[-1],  # a line the coach says
        )
    )
    return ReplyPlan(reply.speech, reply.reprompt, screen)


def _streak_line(streak: int, today_done: bool) -> str:
    if streak >= 2:
        return f"You're on a {spoken_number(streak)} day streak."
    if streak == 1:
        return (
            "You stretched today."
            if today_done
            else "You stretched yesterday. Stretch today to make it two days in a row."
        )
    return "You don't have a streak going right now."


def after_service(state: DialogueState, catalog: Catalog, *lines: str) -> ReplyPlan:
    """Say the lines; then, at the end of a routine, say goodbye, else ask what comes next."""
    if state.phase is Phase.FINISHED:
        said = tuple(Say(line) for line in (*lines, COME_BACK) if line)
        return ReplyPlan(said, reprompt=None, screen=state_screen(state, catalog, COME_BACK))
    return asking(state, catalog, *lines)


def _sentence(text: str) -> str:
    """The text ending in one full stop ("3 p.m." already has one)."""
    return text if text.endswith(".") else f"{text}."


def reminder_set(wish: ReminderWish) -> str:
    return _sentence(f"Done. I'll remind you to stretch {wish.spoken}")


def reminder_failed(result: ReminderResult) -> str:
    return _FAILURE_LINES[result]


def time_not_understood() -> str:
    return f"Sorry, I didn't catch the time. {REMINDER_EXAMPLE}"


def reminders_listed(wishes: list[str]) -> str:
    """What the user has, from each reminder's recurrence in words ("" for unknown ones)."""
    if not wishes:
        return f"You don't have any reminders from me. {REMINDER_EXAMPLE}"
    described = [wish for wish in wishes if wish]
    count = f"You have {counted(len(wishes), 'reminder')} from me"
    return _sentence(f"{count}: {', '.join(described)}" if described else count)


def reminders_cancelled(count: int) -> str:
    if count == 0:
        return "You don't have any reminders from me, so there's nothing to cancel."
    return f"Okay, I've cancelled {counted(count, 'reminder')}."


def offer_declined() -> str:
    return "Okay, no reminder. I won't ask again."
