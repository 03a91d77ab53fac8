"""The state machine on its own: pure transitions, read straight off the table."""

from __future__ import annotations

import json
import shutil
from datetime import date

import pytest

from skill.content.loader import DATA_DIR, default_catalog, load_catalog
from skill.conversation.events import Event, EventName
from skill.conversation.history import History, record_completion
from skill.conversation.machine import ANY_PHASE, TRANSITIONS, RoutineRequest, Turn, step
from skill.conversation.state import IN_ROUTINE, DialogueState, Phase

CATALOG = default_catalog()
TODAY = date(2026, 11, 23)


def turn(event: EventName, **kwargs) -> Turn:
    return Turn(event, CATALOG, History(), TODAY, **kwargs)


def at(phase: Phase, stretch: int = 0, side: int = 0) -> DialogueState:
    return DialogueState("lower_back", stretch, side, phase)


MOVES = {Event.READY, Event.YES, Event.NO, Event.REPEAT, Event.PREVIOUS, Event.SKIP,
         Event.PAUSE, Event.RESUME, Event.DONE}  # fmt: skip


def test_every_phase_has_a_row_and_in_routine_phases_handle_every_move() -> None:
    assert set(TRANSITIONS) == set(Phase)
    assert not set(ANY_PHASE) & MOVES  # moves always depend on the phase
    for phase in IN_ROUTINE:
        assert set(TRANSITIONS[phase]) == MOVES, phase
    for phase in (Phase.NOT_STARTED, Phase.FINISHED):  # the rest: nothing_waiting explains
        outcome = step(DialogueState(phase=phase), turn(Event.PREVIOUS))
        assert outcome.state == DialogueState(phase=phase)
        assert outcome.reply is not None and outcome.reply.reprompt


@pytest.mark.parametrize(
    ("before", "event", "after"),
    [
        (at(Phase.INTRODUCING, 0), Event.READY, at(Phase.HOLDING, 0)),
        (at(Phase.HOLDING, 0), Event.READY, at(Phase.INTRODUCING, 1)),
        (at(Phase.INTRODUCING, 1), Event.READY, at(Phase.COUNTING, 1)),
        (at(Phase.COUNTING, 1), Event.SKIP, at(Phase.INTRODUCING, 2)),
        (at(Phase.INTRODUCING, 2), Event.READY, at(Phase.WAITING_OTHER_SIDE, 2, 1)),
        (at(Phase.WAITING_OTHER_SIDE, 2, 1), Event.READY, at(Phase.FINISHED, 2, 1)),
        (at(Phase.WAITING_OTHER_SIDE, 2, 1), Event.PREVIOUS, at(Phase.INTRODUCING, 2, 0)),
        (at(Phase.INTRODUCING, 2), Event.PREVIOUS, at(Phase.INTRODUCING, 1)),
        (at(Phase.HOLDING, 0), Event.PAUSE, at(Phase.PAUSED, 1)),
        (at(Phase.PAUSED, 2, 1), Event.RESUME, at(Phase.WAITING_OTHER_SIDE, 2, 1)),
        (at(Phase.WAITING_OTHER_SIDE, 2, 1), Event.PAIN, at(Phase.PAUSED, 2, 1)),
        (at(Phase.COUNTING, 1), Event.STOP, at(Phase.PAUSED, 2)),
        (at(Phase.INTRODUCING, 1), Event.START_OVER, at(Phase.INTRODUCING, 0)),
        (at(Phase.HOLDING, 0), Event.SESSION_ENDED, at(Phase.HOLDING, 0)),
        (at(Phase.HOLDING, 0), Event.LAUNCH, at(Phase.PAUSED, 1)),
    ],
)
def test_transitions(before: DialogueState, event: EventName, after: DialogueState) -> None:
    assert step(before, turn(event)).state == after


@pytest.mark.parametrize(
    "event",
    [Event.HELP, Event.PROGRESS, Event.LIST_ROUTINES, Event.UNKNOWN, Event.REPEAT, Event.NO],
)
@pytest.mark.parametrize("phase", [Phase.INTRODUCING, Phase.WAITING_OTHER_SIDE, Phase.PAUSED])
def test_questions_never_move_the_user(phase: Phase, event: EventName) -> None:
    state = at(phase, 2, 1 if phase is not Phase.INTRODUCING else 0)
    outcome = step(state, turn(event))
    assert outcome.state == state
    assert outcome.reply is not None and outcome.reply.reprompt


def test_only_finishing_the_last_step_completes_a_routine() -> None:
    outcome = step(at(Phase.WAITING_OTHER_SIDE, 2, 1), turn(Event.READY))
    assert outcome.completed and outcome.reply.end_session
    assert not step(at(Phase.WAITING_OTHER_SIDE, 2, 1), turn(Event.PAIN)).completed


def test_state_round_trips_and_rejects_what_the_content_cannot_hold() -> None:
    state = at(Phase.WAITING_OTHER_SIDE, 2, 1)
    assert DialogueState.from_dict(state.to_dict(), CATALOG) == state
    assert all(isinstance(v, int | str) for v in state.to_dict().values())
    assert DialogueState.from_dict({**state.to_dict(), "side": 2}, CATALOG) is None
    assert DialogueState.from_dict({**state.to_dict(), "stretch": True}, CATALOG) is None
    assert DialogueState.from_dict({**state.to_dict(), "version": 2}, CATALOG) is None
    assert DialogueState.from_dict("nonsense", CATALOG) is None


def test_history_streaks() -> None:
    day = date(2026, 11, 23)
    once = record_completion(History(), day)
    assert once == History(1, 1, "2026-11-23", best=1, recent=("2026-11-23",))
    assert record_completion(once, day) == History(2, 1, "2026-11-23", 1, ("2026-11-23",))
    next_day = record_completion(once, date(2026, 11, 24))
    assert next_day == History(2, 2, "2026-11-24", 2, ("2026-11-23", "2026-11-24"))
    lapsed = record_completion(next_day, date(2026, 11, 26))
    assert (lapsed.streak, lapsed.best, lapsed.days_this_week(date(2026, 11, 26))) == (1, 2, 3)
    assert History.from_dict({"completed": -1, "streak": 0, "last_day": ""}) == History()
    assert History.from_dict({"completed": 2, "streak": 1, "last_day": "not a day"}) == History()


def test_history_keeps_the_best_streak_and_the_last_seven_days() -> None:
    history = History()
    for day in (1, 2, 3, 4, 10, 11, 12, 15):
        history = record_completion(history, date(2026, 11, day))
    assert (history.streak, history.best, history.completed) == (1, 4, 8)
    assert history.recent == ("2026-11-10", "2026-11-11", "2026-11-12", "2026-11-15")
    assert history.days_this_week(date(2026, 11, 15)) == 4
    assert history.days_this_week(date(2026, 11, 17)) == 3  # the 10th fell out
    assert History.from_dict(history.to_dict()) == history


def test_an_old_history_record_loads_with_what_it_implies() -> None:
    old = History.from_dict({"completed": 9, "streak": 3, "last_day": "2026-11-22"})
    assert old == History(9, 3, "2026-11-22", best=3, recent=("2026-11-22",))
    assert old.days_this_week(date(2026, 11, 23)) == 1
    odd = {"completed": 2, "streak": 1, "last_day": "", "best": "x", "recent": ["?", 3]}
    assert History.from_dict(odd) == History(2, 1, "", best=1, recent=())


def test_a_time_zone_moving_back_across_midnight_keeps_the_day() -> None:
    history = record_completion(History(), date(2026, 11, 21))
    earlier = record_completion(history, date(2026, 11, 20))
    assert (earlier.completed, earlier.streak, earlier.last_day) == (2, 1, "2026-11-21")


def test_a_routine_that_counts_more_reps_says_so(tmp_path) -> None:
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    routine_file = data / "routines" / "desk_break.json"
    routine = json.loads(routine_file.read_text())
    routine["stretches"][0]["reps"] = 15
    routine_file.write_text(json.dumps(routine))
    catalog = load_catalog(data)
    request = RoutineRequest("desk break", "desk_break")
    intro = step(
        DialogueState(), Turn(Event.START, catalog, History(), TODAY, routine_request=request)
    )
    said = " ".join(segment.text for segment in intro.reply.speech)
    assert "I'll count fifteen sets with you." in said
    first = step(intro.state, Turn(Event.READY, catalog, History(), TODAY))  # 60 s: two parts
    assert first.state.rep == 8
    counting = step(first.state, Turn(Event.READY, catalog, History(), TODAY))
    assert "That's fifteen." in " ".join(getattr(s, "text", "") for s in counting.reply.speech)
