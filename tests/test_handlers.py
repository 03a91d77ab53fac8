"""Handlers cover the interaction model exactly; random conversations never break the skill."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skill.alexa.handlers import IntentHandler, request_handlers
from skill.content.loader import default_catalog
from skill.simulator.envelopes import SimulatedDevice
from skill.simulator.resolver import SlotMatch
from tests.support.fuzzing import assert_alexa_response
from tests.support.skill_env import SkillEnv, ends_session, spoken_seconds

MODEL = Path(__file__).parents[1] / "interaction_model/interactionModels/custom/en-US.json"


def model_intents() -> set[str]:
    model = json.loads(MODEL.read_text())["interactionModel"]["languageModel"]
    return {intent["name"] for intent in model["intents"]}


def test_every_model_intent_has_a_handler_and_every_handler_is_in_the_model() -> None:
    handlers = request_handlers(default_catalog())
    handled = {name for h in handlers if isinstance(h, IntentHandler) for name in h.events}
    assert handled == model_intents()


ROUTINE_SLOTS = [
    SlotMatch("routine", "desk", "desk_break", "RoutineName", "desk break"),
    SlotMatch("routine", "back", "lower_back", "RoutineName", "lower back"),
    SlotMatch("routine", "zumba", None, "RoutineName"),
    "x" * 2000,
    None,
]
ACTIONS = st.one_of(
    st.sampled_from([*sorted(model_intents()), "launch", "end", "NotAnIntent"]),
    st.tuples(st.just("StartRoutineIntent"), st.sampled_from(ROUTINE_SLOTS)),
)
_users = itertools.count()


def act(device: SimulatedDevice, action: object) -> dict | None:
    if action == "launch":
        return device.launch()
    if action == "end":
        return device.end_session() if device.session_open else None
    if isinstance(action, tuple):
        return device.intent(action[0], {"routine": action[1]})
    return device.intent(str(action))


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(actions=st.lists(ACTIONS, min_size=1, max_size=25))
def test_random_conversations_stay_well_formed(skill_env: SkillEnv, actions: list) -> None:
    user = f"amzn1.ask.account.FUZZ-{next(_users)}"
    device = skill_env.device(user_id=user)
    catalog = default_catalog()
    for action in actions:
        response = act(device, action)
        if response is None:
            continue
        body = response["response"]
        if device.last_request["request"]["type"] == "SessionEndedRequest":
            assert "outputSpeech" not in body
            continue
        assert_alexa_response(response)
        directives = [d["type"] for d in body.get("directives", [])]
        if "Connections.StartConnection" in directives:  # Alexa asks for consent, then resumes
            assert "reprompt" not in body and "shouldEndSession" not in body
        elif not ends_session(response):
            assert body["reprompt"]["outputSpeech"]["ssml"]
            assert spoken_seconds(response) <= 90
        state = skill_env.saved(user)["state"]
        routine = catalog.get(state["routine"]) or catalog.default
        assert 0 <= state["stretch"] < len(routine.stretches)
        assert 0 <= state["side"] < routine.stretches[state["stretch"]].side_count
