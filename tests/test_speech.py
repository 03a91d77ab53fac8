"""Speech stays within Alexa's limits for every routine: well-formed SSML, breaks of at most
10 s adding up to the announced hold, open turns under 90 s, text under 8000 characters."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from datetime import date

import pytest

from skill.content.loader import default_catalog
from skill.conversation.events import Event
from skill.conversation.history import History
from skill.conversation.machine import Outcome, RoutineRequest, Turn, step
from skill.conversation.plan import Beat, Hold, ReplyPlan, Say
from skill.conversation.state import DialogueState
from skill.speech.readable import break_seconds, readable
from skill.speech.ssml import breaks, to_ssml
from skill.speech.timeline import hold_moments
from tests.support.skill_env import speech_seconds

MAX_TEXT = 8000
MAX_OPEN_TURN_SECONDS = 90


def check_reply(reply: ReplyPlan) -> None:
    ssml = to_ssml(reply.speech)
    root = ElementTree.fromstring(ssml)
    assert root.tag == "speak"
    assert len(ssml) < MAX_TEXT
    for element in root.iter("break"):
        assert 0 < break_seconds(element.get("time", "")) <= 10
    if not reply.end_session:
        assert reply.reprompt
        assert speech_seconds(ssml) <= MAX_OPEN_TURN_SECONDS


def whole_routine(routine_id: str) -> list[Outcome]:
    catalog = default_catalog()
    state, outcomes = DialogueState(), []
    request = RoutineRequest(routine_id, routine_id)
    events = [Event.LAUNCH, Event.START] + [Event.READY] * 20
    for event in events:
        turn = Turn(event, catalog, History(), date(2026, 11, 23), routine_request=request)
        outcome = step(state, turn)
        outcomes.append(outcome)
        state = outcome.state
        if outcome.reply is not None and outcome.reply.end_session:
            break
    return outcomes


@pytest.mark.parametrize("routine_id", sorted(default_catalog().routines))
def test_every_turn_of_every_routine_is_within_limits(routine_id: str) -> None:
    outcomes = whole_routine(routine_id)
    assert outcomes[-1].completed
    for outcome in outcomes:
        assert outcome.reply is not None
        check_reply(outcome.reply)


@pytest.mark.parametrize("seconds", [10, 15, 20, 30, 45, 60])
def test_a_hold_is_silence_equal_to_the_announced_seconds_with_cues(seconds: int) -> None:
    ssml = to_ssml((Say(f"Hold for {seconds} seconds."), Hold(seconds), Say("And release.")))
    times = [break_seconds(t) for t in re.findall(r'<break time="([^"]+)"/>', ssml)]
    assert abs(sum(times) - seconds) <= 1
    assert max(times) <= 10
    text = readable(ssml)
    assert ("Halfway there." in text) == (seconds >= 40)
    if seconds >= 20:
        assert text.endswith("Ten more seconds. [10 s] And release.")
    else:
        assert text.endswith("Five more seconds. [5 s] And release.")


def test_hold_cues_fall_where_they_say() -> None:
    moments = hold_moments(60)
    assert [getattr(m, "text", None) or m.seconds for m in moments] == [
        30,
        "Halfway there.",
        20,
        "Ten more seconds.",
        10,
    ]


def test_breaks_chain_in_pieces_of_ten_seconds() -> None:
    assert breaks(25) == '<break time="10s"/><break time="10s"/><break time="5s"/>'
    assert breaks(0) == ""


def test_text_is_escaped_for_xml() -> None:
    ssml = to_ssml((Say('Fish & chips <b> "quoted"'), Beat(1)))
    assert ElementTree.fromstring(ssml).text.startswith('Fish & chips <b> "quoted"')


def test_counted_reps_are_paced_with_silences() -> None:
    outcomes = whole_routine("lower_back")
    counting = next(o for o in outcomes if o.state.phase == "counting")
    text = readable(to_ssml(counting.reply.speech))
    assert text.count("[2 s]") == 20
    assert speech_seconds(to_ssml(counting.reply.speech)) < MAX_OPEN_TURN_SECONDS
