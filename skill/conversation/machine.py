"""The dialogue state machine: (phase, event) -> transition, each a small pure function.

Read `TRANSITIONS` as the table of what each phase does with each event; `ANY_PHASE` holds the
events every phase treats alike. No Alexa types here: the handlers translate requests into a
`Turn` and the returned `Outcome` into a response.

The habit and reminder replies are imported inside the transitions that use them, on first
use: a Lambda cold start's first request is nearly always a launch, which needs neither, and
loading them cost about 1 ms of it.
"""

from __future__ import annotations

from datetime import time
from typing import TYPE_CHECKING

from msgspec.structs import replace

from skill.content.model import StretchKind
from skill.conversation import replies, settings
from skill.conversation.events import Event, EventName
from skill.conversation.history import History, record_completion
from skill.conversation.plan import ReplyPlan, Say, Segment, earliest_end_ms
from skill.conversation.preferences import reps_per_turn, routine_for
from skill.conversation.profile import Profile, ReminderOffer
from skill.conversation.state import IN_ROUTINE, DialogueState, Phase, Position
from skill.conversation.turn import Outcome, RoutineRequest, Transition, Turn

if TYPE_CHECKING:  # loaded with the reminder transitions, on first use
    from skill.conversation.reminder import ReminderWish

__all__ = ["Outcome", "RoutineRequest", "Turn", "step"]

RESTART = "restart"  # the pending question "leave this routine and start (again)?"


# -- positions ------------------------------------------------------------------------------


def _position(state: DialogueState, turn: Turn) -> Position:
    """The state's place in its routine, as this user does the routine (their preferences)."""
    plain = replies.position_of(state, turn.catalog)
    routine = routine_for(plain.routine, turn.profile)
    return Position(routine, plain.index, plain.side, first_rep=state.rep + 1)


def _brief(position: Position, turn: Turn) -> bool:
    return turn.profile.familiar_with(position.stretch.id)


def _entry(state: DialogueState, stretch: int, side: int) -> DialogueState:
    """The state that starts a stretch (side 0) or asks for another side."""
    phase = Phase.INTRODUCING if side == 0 else Phase.WAITING_OTHER_SIDE
    return state.at(phase, stretch, side)


def _interrupted(state: DialogueState, turn: Turn) -> bool:
    """Whether this turn came before the exercise last spoken could have ended."""
    return state.busy_until > 0 and 0 < turn.now_ms < state.busy_until


def _performed(state: DialogueState) -> DialogueState:
    """The step whose exercise the state's last reply spoke (a split count: its start)."""
    if state.rep:
        return state.at(state.phase)
    if state.phase is Phase.WAITING_OTHER_SIDE:
        return _entry(state, state.stretch, state.side - 1)
    if state.phase in (Phase.HOLDING, Phase.COUNTING):
        return _entry(state, state.stretch, state.side)
    return state


def _resume_point(state: DialogueState, turn: Turn) -> DialogueState:
    """Where the user picks up: a finished step resumes at the next stretch, a step cut
    short (by pause, stop, pain or a closed session) at that same step."""
    if _interrupted(state, turn):
        return _performed(state).at(Phase.PAUSED)
    if state.phase in (Phase.HOLDING, Phase.COUNTING):
        return state.at(Phase.PAUSED, state.stretch + 1, 0)
    return state.at(Phase.PAUSED)


def _busy(state: DialogueState, turn: Turn, exercise: tuple[Segment, ...]) -> DialogueState:
    """The state after speaking `exercise`, knowing when it ends at the earliest."""
    if not turn.now_ms:
        return state
    return replace(state, busy_until=turn.now_ms + earliest_end_ms(exercise))


def _forgive_cut_short(state: DialogueState, turn: Turn) -> Profile:
    """The profile without the completion a cut-short exercise counted for its stretch."""
    if state.phase not in (Phase.HOLDING, Phase.COUNTING):
        return turn.profile  # the first side of two: nothing was counted yet
    return turn.profile.after_undoing(_position(state, turn).stretch.id)


def _upcoming(state: DialogueState) -> DialogueState:
    """The step the user is about to do: after a finished step, the next stretch."""
    if state.phase in (Phase.HOLDING, Phase.COUNTING):
        return _entry(state, state.stretch + 1, 0)
    return state


def _present(state: DialogueState, turn: Turn) -> ReplyPlan:
    """What this state says when entered (or repeated)."""
    position = _position(state, turn)
    if state.rep:
        return replies.counting_resumes(position)
    if state.phase is Phase.INTRODUCING:
        return replies.introduce(position, brief=_brief(position, turn))
    if state.phase is Phase.WAITING_OTHER_SIDE:
        return replies.switch_sides(position, brief=_brief(position, turn))
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
        resumed = _resume_point(state, turn)
        return Outcome(resumed, replies.welcome_back(_position(resumed, turn), turn.catalog))
    welcome = replies.welcome(turn.catalog, turn.history, turn.today, first_visit=turn.first_visit)
    return Outcome(DialogueState(), welcome)


def _begin(routine_id: str, turn: Turn, *first: Say) -> Outcome:
    """The routine from its first stretch, with `first` said before it."""
    started = DialogueState(routine=routine_id, phase=Phase.INTRODUCING)
    position = _position(started, turn)
    reply = replies.introduce(position, opening=True, brief=_brief(position, turn))
    return Outcome(started, reply.after(*first))


def start_routine(state: DialogueState, turn: Turn) -> Outcome:
    """Start the routine asked for; in the middle of one, ask before leaving it."""
    request = turn.routine_request
    if request is not None and turn.catalog.get(request.routine_id or "") is None:
        return Outcome(state, replies.unknown_routine(turn.catalog, state, request.spoken))
    if request is None and state.phase in (Phase.INTRODUCING, Phase.WAITING_OTHER_SIDE):
        return perform_step(state, turn)  # "start" / "let's begin" at a step: go
    routine_id = request.routine_id if request else (state.routine or turn.catalog.default_id)
    routine_id = routine_id or turn.catalog.default_id
    kept = _resume_point(state, turn)
    nothing_to_lose = kept.routine == routine_id and kept.stretch == 0 and kept.side == 0
    if state.phase not in IN_ROUTINE or nothing_to_lose:
        return _begin(routine_id, turn)
    asking = replace(kept, pending=f"{RESTART}:{routine_id}")
    routine = turn.catalog.get(routine_id) or turn.catalog.default
    return Outcome(asking, replies.confirm_restart(_position(kept, turn), routine))


def restart_confirmed(state: DialogueState, turn: Turn) -> Outcome:
    routine_id = state.pending.partition(":")[2]
    return _begin(routine_id if turn.catalog.get(routine_id) else turn.catalog.default_id, turn)


def restart_declined(state: DialogueState, turn: Turn) -> Outcome:
    target = _entry(state, state.stretch, state.side)
    return Outcome(target, _present(target, turn).after(Say("Okay, let's carry on.")))


def restart_asked_again(state: DialogueState, turn: Turn) -> Outcome:
    """The pending question once more (asked to repeat it, or for help with it)."""
    routine = turn.catalog.get(state.pending.partition(":")[2]) or turn.catalog.default
    return Outcome(state, replies.confirm_restart(_position(state, turn), routine))


def start_over(state: DialogueState, turn: Turn) -> Outcome:
    return _begin(state.routine or turn.catalog.default_id, turn, Say("Okay, starting over."))


def perform_step(state: DialogueState, turn: Turn) -> Outcome:
    position = _position(state, turn)
    stretch = position.stretch
    if stretch.kind is StretchKind.REPS:
        last = min(stretch.reps, state.rep + reps_per_turn(stretch))
        if last < stretch.reps:  # a long count goes in parts, each its own turn
            part = replies.counting_part(position, last)
            counted = replace(state, rep=last, pending="")
            return Outcome(_busy(counted, turn, part.speech), part)
    if not position.is_last_side:
        other_side = _entry(state, state.stretch, state.side + 1)
        other_position = _position(other_side, turn)
        brief = _brief(other_position, turn)
        reply = replies.exercise_then_switch(position, other_position, brief=brief)
        return Outcome(_busy(other_side, turn, replies.perform(position)), reply)
    profile = turn.profile.after_completing(position.stretch.id)
    if position.is_last_stretch:
        known = turn.history
        history = record_completion(known, turn.today) if known is not None else None
        finished = state.at(Phase.FINISHED)
        unsaved = replies.finish(position, None, saved=False)
        if _may_offer_reminder(history, turn.profile):
            from skill.conversation.habit_replies import OFFER_REMINDER as question

            return Outcome(
                replace(finished, pending=OFFER_REMINDER),
                replies.finish(position, history, question),
                completed=True,
                profile=replace(profile, reminder=ReminderOffer.OFFERED),
                reply_if_unsaved=unsaved,
            )
        reply = replies.finish(position, history)
        return Outcome(finished, reply, completed=True, profile=profile, reply_if_unsaved=unsaved)
    done = Phase.HOLDING if position.stretch.kind is StretchKind.HOLD else Phase.COUNTING
    performed = _busy(state.at(done), turn, replies.perform(position))
    return Outcome(performed, replies.step_done(position), profile=profile)


def next_stretch(state: DialogueState, turn: Turn) -> Outcome:
    following = _entry(state, state.stretch + 1, 0)
    return Outcome(following, _present(following, turn))


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
    if state.phase in (Phase.HOLDING, Phase.COUNTING):  # the exercise again
        again = state.at(state.phase)
        exercise = replies.perform(_position(again, turn))
        return Outcome(_busy(again, turn, exercise), _present(again, turn))
    return Outcome(state, _present(state, turn))


def say_again(state: DialogueState, turn: Turn) -> Outcome:
    """The words again, never the exercise: after one, only what is being asked."""
    if state.phase in (Phase.HOLDING, Phase.COUNTING):
        return Outcome(state, replies.asking(state, turn.catalog))
    return Outcome(state, _present(state, turn))


def not_yet(state: DialogueState, turn: Turn) -> Outcome:
    """ "I'm done" before a step: nothing starts until the user says ready."""
    return Outcome(state, replies.asking(state, turn.catalog, "Okay."))


def pause(state: DialogueState, turn: Turn) -> Outcome:
    held = _resume_point(state, turn)
    return Outcome(held, replies.paused(_position(held, turn)))


def resume(state: DialogueState, turn: Turn) -> Outcome:
    target = _entry(state, state.stretch, state.side)
    return Outcome(target, _present(target, turn).after(Say("Picking up where you left off.")))


def stop(state: DialogueState, turn: Turn) -> Outcome:
    if state.phase not in IN_ROUTINE:
        return Outcome(state, replies.goodbye())
    held = _resume_point(state, turn)
    return Outcome(held, replies.saved_and_goodbye(_position(held, turn)))


def stop_for_pain(state: DialogueState, turn: Turn) -> Outcome:
    in_routine = state.phase in IN_ROUTINE
    held = _resume_point(state, turn) if in_routine else state
    return Outcome(held, replies.pain_stop(in_routine=in_routine))


def reassure(state: DialogueState, turn: Turn) -> Outcome:
    return Outcome(state, replies.asking(state, turn.catalog, replies.TIGHTNESS))


def explain(state: DialogueState, turn: Turn) -> Outcome:
    """The full instructions of the stretch in hand (or about to be), whatever the mode."""
    if state.phase not in IN_ROUTINE:
        line = "Once we start, say explain at any stretch to hear it in full."
        return Outcome(state, replies.asking(state, turn.catalog, line))
    position = _position(_upcoming(state), turn)
    return Outcome(state, replies.asking(state, turn.catalog, *replies.explanation(position)))


def what_for(state: DialogueState, turn: Turn) -> Outcome:
    """What the stretch in hand is for; outside a routine, what each of the routine's is for."""
    if state.phase in IN_ROUTINE:
        lines = [_position(_upcoming(state), turn).stretch.benefit]
    else:
        routine = turn.catalog.get(state.routine) or turn.catalog.default
        lines = list(dict.fromkeys(stretch.benefit for stretch in routine.stretches))
    return Outcome(state, replies.asking(state, turn.catalog, *lines))


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
    """Nothing may be said; a step cut short by the session's end is kept to do again."""
    if state.phase in IN_ROUTINE and _interrupted(state, turn):
        return Outcome(_resume_point(state, turn), None)
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
    from skill.conversation import habit_replies

    return Outcome(state, habit_replies.stats(state, turn.catalog, turn.history, turn.today))


def _calling_reminders(
    state: DialogueState, action: str, wish: ReminderWish | None = None
) -> Outcome:
    """The state unchanged, with a call to the Reminders API (`action`: a `ReminderAction`
    value) left to the Alexa layer."""
    from skill.conversation.reminder import ReminderAction, ReminderCall

    return Outcome(state, None, reminder_call=ReminderCall(ReminderAction(action), wish))


def set_reminder(state: DialogueState, turn: Turn) -> Outcome:
    from skill.conversation import habit_replies

    if turn.reminder_wish is None:
        reply = habit_replies.after_service(
            state, turn.catalog, habit_replies.time_not_understood()
        )
        return Outcome(state, reply)
    return _calling_reminders(state, "create", turn.reminder_wish)


def list_reminders(state: DialogueState, turn: Turn) -> Outcome:
    return _calling_reminders(state, "list")


def cancel_reminders(state: DialogueState, turn: Turn) -> Outcome:
    return _calling_reminders(state, "cancel")


def accept_reminder_offer(state: DialogueState, turn: Turn) -> Outcome:
    """Yes to the offer: a daily reminder at this local time (the Alexa layer asks consent)."""
    from skill.conversation.reminder import Frequency, ReminderWish

    now = turn.local_time or time(hour=9)
    return _calling_reminders(state, "create", ReminderWish(Frequency.DAILY, now.hour, now.minute))


def decline_reminder_offer(state: DialogueState, turn: Turn) -> Outcome:
    from skill.conversation import habit_replies

    reply = habit_replies.after_service(state, turn.catalog, habit_replies.offer_declined())
    return Outcome(state, reply, profile=replace(turn.profile, reminder=ReminderOffer.DECLINED))


# -- the table ------------------------------------------------------------------------------

# The launch welcome says the disclaimer itself; pain and stop must not wait for it.
NO_DISCLAIMER = frozenset(
    {Event.LAUNCH, Event.PAIN, Event.STOP, Event.CANCEL, Event.DONE, Event.SESSION_ENDED}
)
# Events that can cut an exercise short (its `busy_until` not yet reached): the step then was
# not done, and does not count towards knowing the stretch.
CUTTING_SHORT_ENDS = frozenset(
    {Event.PAUSE, Event.STOP, Event.CANCEL, Event.PAIN, Event.SESSION_ENDED, Event.LAUNCH}
)
# Events that only ask or tune: arriving while an exercise is still being spoken, they take
# the user back to that step first, so the cut-short step is offered again after the answer.
REWIND_WHEN_INTERRUPTING = frozenset(
    {Event.HELP, Event.PROGRESS, Event.LIST_ROUTINES, Event.EXPLAIN, Event.BENEFITS,
     Event.TIGHTNESS, Event.SET_HOLD, Event.HOLD_LONGER, Event.HOLD_SHORTER, Event.SET_REPS,
     Event.COUNT_SLOWER, Event.COUNT_FASTER, Event.SETTINGS, Event.RESET_SETTINGS,
     Event.FULL_INSTRUCTIONS, Event.BRIEF_INSTRUCTIONS, Event.SAY_AGAIN, Event.UNKNOWN}
)  # fmt: skip
CUTTING_SHORT = CUTTING_SHORT_ENDS | REWIND_WHEN_INTERRUPTING

ANY_PHASE: dict[EventName, Transition] = {
    Event.LAUNCH: launch,
    Event.START: start_routine,
    Event.START_OVER: start_over,
    Event.PAIN: stop_for_pain,
    Event.HELP: help_,
    Event.STOP: stop,
    Event.CANCEL: stop,
    Event.SAY_AGAIN: say_again,
    Event.PROGRESS: progress,
    Event.LIST_ROUTINES: list_routines,
    Event.EXPLAIN: explain,
    Event.BENEFITS: what_for,
    Event.TIGHTNESS: reassure,
    Event.SET_HOLD: settings.set_hold,
    Event.HOLD_LONGER: settings.hold_longer,
    Event.HOLD_SHORTER: settings.hold_shorter,
    Event.SET_REPS: settings.set_reps,
    Event.COUNT_SLOWER: settings.count_slower,
    Event.COUNT_FASTER: settings.count_faster,
    Event.SETTINGS: settings.tell_settings,
    Event.RESET_SETTINGS: settings.reset_settings,
    Event.FULL_INSTRUCTIONS: settings.full_instructions,
    Event.BRIEF_INSTRUCTIONS: settings.brief_instructions,
    Event.UNKNOWN: not_understood,
    Event.SESSION_ENDED: session_ended,
    Event.STATS: stats,
    Event.SET_REMINDER: set_reminder,
    Event.LIST_REMINDERS: list_reminders,
    Event.CANCEL_REMINDERS: cancel_reminders,
}

# What a yes or no answers while a question is pending (`DialogueState.pending`, "kind:detail").
PENDING_ANSWERS: dict[tuple[str, EventName], Transition] = {
    (RESTART, Event.YES): restart_confirmed,
    (RESTART, Event.NO): restart_declined,
    (RESTART, Event.CANCEL): restart_declined,
    (RESTART, Event.REPEAT): restart_asked_again,
    (RESTART, Event.SAY_AGAIN): restart_asked_again,
    (RESTART, Event.HELP): restart_asked_again,
    (OFFER_REMINDER, Event.YES): accept_reminder_offer,
    (OFFER_REMINDER, Event.NO): decline_reminder_offer,
}

_AWAITING_READY = {  # INTRODUCING and WAITING_OTHER_SIDE: the user gets into position
    Event.READY: perform_step,
    Event.DONE: not_yet,
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
    Event.DONE: next_stretch,
    Event.YES: next_stretch,
    Event.RESUME: next_stretch,
    Event.SKIP: next_stretch,
    Event.NO: take_your_time,
    Event.REPEAT: repeat,
    Event.PREVIOUS: previous,
    Event.PAUSE: pause,
}

TRANSITIONS: dict[Phase, dict[EventName, Transition]] = {
    Phase.NOT_STARTED: {
        Event.DONE: stop,  # "I'm done" at the menu means done for now: never a start
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
        Event.DONE: stop,
    },
    Phase.FINISHED: {Event.REPEAT: repeat, Event.DONE: stop},
}


def _transition(state: DialogueState, event: Event) -> Transition:
    return TRANSITIONS[state.phase].get(event) or ANY_PHASE.get(event, nothing_waiting)


def step(state: DialogueState, turn: Turn) -> Outcome:
    """Apply one event to the state. A pending question takes its yes or no first; any other
    event sets it aside."""
    kind = state.pending.partition(":")[0]
    answer = PENDING_ANSWERS.get((kind, turn.event)) if kind else None
    if answer is None and state.pending:
        state = replace(state, pending="")
    forgiven = None
    if turn.event in CUTTING_SHORT and _interrupted(state, turn):
        forgiven = _forgive_cut_short(state, turn)
        turn = replace(turn, profile=forgiven)
        if turn.event in REWIND_WHEN_INTERRUPTING:
            state = _performed(state)
    outcome = (answer or _transition(state, turn.event))(state, turn)
    if forgiven is not None and outcome.profile is None:
        outcome = replace(outcome, profile=forgiven)
    first_words = turn.first_visit and turn.new_session and turn.event not in NO_DISCLAIMER
    if first_words and outcome.reply is not None:  # a one-shot first visit: disclaimer first
        outcome = replace(outcome, reply=outcome.reply.after(Say(replies.DISCLAIMER)))
    return outcome
