"""The dialogue state machine: (phase, event) -> transition, each a small pure function.

Read `TRANSITIONS` as the table of what each phase does with each event; `ANY_PHASE` holds the
events every phase treats alike. No Alexa types here: the handlers translate requests into a
`Turn` and the returned `Outcome` into a response.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, time

from skill.content.model import Catalog, StretchKind
from skill.conversation import habit_replies, replies
from skill.conversation.events import Event
from skill.conversation.history import History, record_completion
from skill.conversation.plan import ReplyPlan, Say
from skill.conversation.profile import Profile, ReminderOffer
from skill.conversation.reminder import Frequency, ReminderAction, ReminderCall, ReminderWish
from skill.conversation.state import IN_ROUTINE, DialogueState, Phase, Position


@dataclass(frozen=True)
class RoutineRequest:
    """The routine the user named: what they said, and the routine id it resolved to."""

    spoken: str
    routine_id: str | None  # None: it matched no routine


@dataclass(frozen=True)
class Turn:
    """Everything a transition may look at besides the state."""

    event: Event
    catalog: Catalog
    history: History | None  # None: the store could not be read, the history is unknown
    today: date
    first_visit: bool = False  # no record of this user yet: say the disclaimer
    profile: Profile = field(default_factory=Profile)
    new_session: bool = False
    routine_request: RoutineRequest | None = None
    local_time: time | None = None  # the request's moment in the user's time zone
    reminder_wish: ReminderWish | None = None  # the reminder asked for; None: time not understood


@dataclass(frozen=True)
class Outcome:
    state: DialogueState
    reply: ReplyPlan | None  # None: nothing may be said (the session has ended)
    completed: bool = False  # a routine was completed on turn.today
    profile: Profile | None = None  # the changed profile; None: unchanged
    reminder_call: ReminderCall | None = None  # for the Alexa layer to carry out and answer


Transition = Callable[[DialogueState, Turn], Outcome]


# -- positions ------------------------------------------------------------------------------


def _position(state: DialogueState, turn: Turn) -> Position:
    return replies.position_of(state, turn.catalog)


def _entry(state: DialogueState, stretch: int, side: int) -> DialogueState:
    """The state that starts a stretch (side 0) or asks for another side."""
    phase = Phase.INTRODUCING if side == 0 else Phase.WAITING_OTHER_SIDE
    return state.at(phase, stretch, side)


def _resume_point(state: DialogueState) -> DialogueState:
    """Where the user picks up: a finished step resumes at the next stretch."""
    if state.phase in (Phase.HOLDING, Phase.COUNTING):
        return state.at(Phase.PAUSED, state.stretch + 1, 0)
    return state.at(Phase.PAUSED)


def _present(state: DialogueState, turn: Turn) -> ReplyPlan:
    """What this state says when entered (or repeated)."""
    position = _position(state, turn)
    if state.phase is Phase.INTRODUCING:
        return replies.introduce(position)
    if state.phase is Phase.WAITING_OTHER_SIDE:
        return replies.switch_sides(position)
    if state.phase in (Phase.HOLDING, Phase.COUNTING):
        return replies.step_done(position)
    if state.phase is Phase.PAUSED:
        return replies.paused(position)
    if state.phase is Phase.FINISHED:
        return replies.asking(state, turn.catalog, "You've finished the routine.")
    return replies.welcome(turn.catalog, turn.history, turn.today, first_visit=False)


# -- transitions ----------------------------------------------------------------------------


def launch(state: DialogueState, turn: Turn) -> Outcome:
    if state.phase in IN_ROUTINE:
        resumed = _resume_point(state)
        return Outcome(resumed, replies.welcome_back(_position(resumed, turn), turn.catalog))
    welcome = replies.welcome(turn.catalog, turn.history, turn.today, first_visit=turn.first_visit)
    return Outcome(DialogueState(), welcome)


def start_routine(state: DialogueState, turn: Turn) -> Outcome:
    request = turn.routine_request
    if request is not None and turn.catalog.get(request.routine_id or "") is None:
        return Outcome(state, replies.unknown_routine(turn.catalog, state, request.spoken))
    routine_id = request.routine_id if request else (state.routine or turn.catalog.default_id)
    started = DialogueState(routine=routine_id or turn.catalog.default_id, phase=Phase.INTRODUCING)
    return Outcome(started, replies.introduce(_position(started, turn), opening=True))


def start_over(state: DialogueState, turn: Turn) -> Outcome:
    started = DialogueState(
        routine=state.routine or turn.catalog.default_id, phase=Phase.INTRODUCING
    )
    reply = replies.introduce(_position(started, turn), opening=True)
    return Outcome(started, reply.after(Say("Okay, starting over.")))


def perform_step(state: DialogueState, turn: Turn) -> Outcome:
    position = _position(state, turn)
    if not position.is_last_side:
        other_side = _entry(state, state.stretch, state.side + 1)
        reply = replies.exercise_then_switch(position, _position(other_side, turn))
        return Outcome(other_side, reply)
    if position.is_last_stretch:
        known = turn.history
        history = record_completion(known, turn.today) if known is not None else None
        finished = state.at(Phase.FINISHED)
        if _may_offer_reminder(history, turn.profile):
            question = habit_replies.OFFER_REMINDER
            return Outcome(
                replace(finished, pending=OFFER_REMINDER),
                replies.finish(position, history, question),
                completed=True,
                profile=replace(turn.profile, reminder=ReminderOffer.OFFERED),
            )
        return Outcome(finished, replies.finish(position, history), completed=True)
    done = Phase.HOLDING if position.stretch.kind is StretchKind.HOLD else Phase.COUNTING
    return Outcome(state.at(done), replies.step_done(position))


def next_stretch(state: DialogueState, turn: Turn) -> Outcome:
    following = _entry(state, state.stretch + 1, 0)
    return Outcome(following, replies.introduce(_position(following, turn)))


def skip(state: DialogueState, turn: Turn) -> Outcome:
    position = _position(state, turn)
    if position.is_last_stretch:
        line = "This is the last stretch, so there's nothing to skip to."
        return Outcome(state, replies.asking(state, turn.catalog, line))
    skipped = Say(f"Okay, skipping the {position.stretch.name}.")
    outcome = next_stretch(state, turn)
    return replace(outcome, reply=outcome.reply.after(skipped) if outcome.reply else None)


def previous(state: DialogueState, turn: Turn) -> Outcome:
    if state.phase in (Phase.HOLDING, Phase.COUNTING):
        target = _entry(state, state.stretch, 0)  # back to the stretch just done
    elif state.side > 0:
        target = _entry(state, state.stretch, state.side - 1)
    elif state.stretch > 0:
        target = _entry(state, state.stretch - 1, 0)
    else:
        first = _entry(state, 0, 0)
        return Outcome(first, _present(first, turn).after(Say("This is the first stretch.")))
    return Outcome(target, _present(target, turn).after(Say("Okay, going back.")))


def repeat(state: DialogueState, turn: Turn) -> Outcome:
    return Outcome(state, _present(state, turn))


def pause(state: DialogueState, turn: Turn) -> Outcome:
    held = _resume_point(state)
    return Outcome(held, replies.paused(_position(held, turn)))


def resume(state: DialogueState, turn: Turn) -> Outcome:
    target = _entry(state, state.stretch, state.side)
    return Outcome(target, _present(target, turn).after(Say("Picking up where you left off.")))


def stop(state: DialogueState, turn: Turn) -> Outcome:
    if state.phase not in IN_ROUTINE:
        return Outcome(state, replies.goodbye())
    held = _resume_point(state)
    return Outcome(held, replies.saved_and_goodbye(_position(held, turn)))


def stop_for_pain(state: DialogueState, turn: Turn) -> Outcome:
    in_routine = state.phase in IN_ROUTINE
    held = _resume_point(state) if in_routine else state
    return Outcome(held, replies.pain_stop(in_routine=in_routine))


def take_your_time(state: DialogueState, turn: Turn) -> Outcome:
    return Outcome(state, replies.asking(state, turn.catalog, "No problem, take your time."))


def decline(state: DialogueState, turn: Turn) -> Outcome:
    line = "Okay. You can also say list routines, or stop."
    return Outcome(state, replies.asking(state, turn.catalog, line))


def help_(state: DialogueState, turn: Turn) -> Outcome:
    return Outcome(state, replies.help_for(state, turn.catalog))


def progress(state: DialogueState, turn: Turn) -> Outcome:
    return Outcome(state, replies.progress(state, turn.catalog, turn.history))


def list_routines(state: DialogueState, turn: Turn) -> Outcome:
    return Outcome(state, replies.list_routines(turn.catalog, state))


def not_understood(state: DialogueState, turn: Turn) -> Outcome:
    return Outcome(state, replies.asking(state, turn.catalog, "Sorry, I didn't catch that."))


def nothing_waiting(state: DialogueState, turn: Turn) -> Outcome:
    """An event that makes no sense here ("ready" with nothing to do): explain, change nothing.
    Only the phases outside a routine leave events to this."""
    line = {
        Phase.NOT_STARTED: "We haven't started a routine yet.",
        Phase.FINISHED: "You've finished the routine.",
    }[state.phase]
    return Outcome(state, replies.asking(state, turn.catalog, line))


def session_ended(state: DialogueState, turn: Turn) -> Outcome:
    return Outcome(state, None)


# -- the habit: stats and reminders ---------------------------------------------------------

OFFER_REMINDER = "offer_reminder"  # DialogueState.pending: the daily reminder was offered
OFFER_AFTER_COMPLETIONS = 2


def _may_offer_reminder(history: History | None, profile: Profile) -> bool:
    """Offer once, after the second completed routine, to a user with no reminder from us."""
    return (
        history is not None
        and history.completed >= OFFER_AFTER_COMPLETIONS
        and profile.reminder is ReminderOffer.NOT_OFFERED
    )


def stats(state: DialogueState, turn: Turn) -> Outcome:
    return Outcome(state, habit_replies.stats(state, turn.catalog, turn.history, turn.today))


def set_reminder(state: DialogueState, turn: Turn) -> Outcome:
    if turn.reminder_wish is None:
        reply = habit_replies.after_service(
            state, turn.catalog, habit_replies.time_not_understood()
        )
        return Outcome(state, reply)
    return Outcome(
        state, None, reminder_call=ReminderCall(ReminderAction.CREATE, turn.reminder_wish)
    )


def list_reminders(state: DialogueState, turn: Turn) -> Outcome:
    return Outcome(state, None, reminder_call=ReminderCall(ReminderAction.LIST))


def cancel_reminders(state: DialogueState, turn: Turn) -> Outcome:
    return Outcome(state, None, reminder_call=ReminderCall(ReminderAction.CANCEL))


def accept_reminder_offer(state: DialogueState, turn: Turn) -> Outcome:
    """Yes to the offer: a daily reminder at this local time (the Alexa layer asks consent)."""
    now = turn.local_time or time(hour=9)
    wish = ReminderWish(Frequency.DAILY, now.hour, now.minute)
    return Outcome(state, None, reminder_call=ReminderCall(ReminderAction.CREATE, wish))


def decline_reminder_offer(state: DialogueState, turn: Turn) -> Outcome:
    reply = habit_replies.after_service(state, turn.catalog, habit_replies.offer_declined())
    return Outcome(state, reply, profile=replace(turn.profile, reminder=ReminderOffer.DECLINED))


# -- the table ------------------------------------------------------------------------------

# The launch welcome says the disclaimer itself; pain and stop must not wait for it.
NO_DISCLAIMER = frozenset({Event.LAUNCH, Event.PAIN, Event.STOP, Event.SESSION_ENDED})

ANY_PHASE: dict[Event, Transition] = {
    Event.LAUNCH: launch,
    Event.START: start_routine,
    Event.START_OVER: start_over,
    Event.PAIN: stop_for_pain,
    Event.HELP: help_,
    Event.STOP: stop,
    Event.PROGRESS: progress,
    Event.LIST_ROUTINES: list_routines,
    Event.UNKNOWN: not_understood,
    Event.SESSION_ENDED: session_ended,
    Event.STATS: stats,
    Event.SET_REMINDER: set_reminder,
    Event.LIST_REMINDERS: list_reminders,
    Event.CANCEL_REMINDERS: cancel_reminders,
}

_AWAITING_READY = {  # INTRODUCING and WAITING_OTHER_SIDE: the user gets into position
    Event.READY: perform_step,
    Event.YES: perform_step,
    Event.RESUME: perform_step,
    Event.NO: take_your_time,
    Event.REPEAT: repeat,
    Event.PREVIOUS: previous,
    Event.SKIP: skip,
    Event.PAUSE: pause,
}
_STEP_DONE = {  # HOLDING and COUNTING: the exercise was spoken; on to the next stretch
    Event.READY: next_stretch,
    Event.YES: next_stretch,
    Event.RESUME: next_stretch,
    Event.SKIP: next_stretch,
    Event.NO: take_your_time,
    Event.REPEAT: repeat,
    Event.PREVIOUS: previous,
    Event.PAUSE: pause,
}

TRANSITIONS: dict[Phase, dict[Event, Transition]] = {
    Phase.NOT_STARTED: {
        Event.READY: start_routine,
        Event.YES: start_routine,
        Event.RESUME: start_routine,
        Event.NO: decline,
        Event.REPEAT: repeat,
    },
    Phase.INTRODUCING: _AWAITING_READY,
    Phase.WAITING_OTHER_SIDE: _AWAITING_READY,
    Phase.HOLDING: _STEP_DONE,
    Phase.COUNTING: _STEP_DONE,
    Phase.PAUSED: {
        Event.READY: resume,
        Event.YES: resume,
        Event.RESUME: resume,
        Event.NO: decline,
        Event.REPEAT: repeat,
        Event.PREVIOUS: previous,
        Event.SKIP: skip,
        Event.PAUSE: repeat,
    },
    Phase.FINISHED: {Event.REPEAT: repeat},
}


# A yes or no to the question the state is waiting on (DialogueState.pending). Any other
# event drops the question and is handled as usual.
PENDING_ANSWERS: dict[tuple[str, Event], Transition] = {
    (OFFER_REMINDER, Event.YES): accept_reminder_offer,
    (OFFER_REMINDER, Event.NO): decline_reminder_offer,
}


def step(state: DialogueState, turn: Turn) -> Outcome:
    """Apply one event to the state."""
    answer = PENDING_ANSWERS.get((state.pending, turn.event)) if state.pending else None
    state = replace(state, pending="")
    transition = (
        answer
        or TRANSITIONS[state.phase].get(turn.event)
        or ANY_PHASE.get(turn.event, nothing_waiting)
    )
    outcome = transition(state, turn)
    first_words = turn.first_visit and turn.new_session and turn.event not in NO_DISCLAIMER
    if first_words and outcome.reply is not None:  # a one-shot first visit: disclaimer first
        outcome = replace(outcome, reply=outcome.reply.after(Say(replies.DISCLAIMER)))
    return outcome
