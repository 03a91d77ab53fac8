"""Well-formed but unexpected requests get a helpful spoken reply and leave progress as it was."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest

from skill.alexa import handlers
from skill.alexa.carry import CARRY
from skill.simulator.envelopes import SimulatedDevice, intent_request, launch_request
from skill.simulator.resolver import SlotMatch
from tests.support.skill_env import SkillEnv, ends_session, reprompt, spoken, sqlite_only

READY_FOR_TOE_REACH = "Say ready when you're standing with your feet shoulder width apart."


@pytest.fixture
def mid_routine(skill_env: SkillEnv) -> SimulatedDevice:
    device = skill_env.device()
    device.launch()
    device.intent("StartRoutineIntent")
    return device


def assert_unchanged(skill_env: SkillEnv, before: dict[str, Any]) -> None:
    assert skill_env.saved() == before


def test_unknown_intent_name_is_answered_and_changes_nothing(
    skill_env: SkillEnv, mid_routine: SimulatedDevice
) -> None:
    before = skill_env.saved()
    response = mid_routine.intent("SomeRetiredIntent")
    assert spoken(response) == f"Sorry, I didn't catch that. {READY_FOR_TOE_REACH}"
    assert not ends_session(response)
    assert_unchanged(skill_env, before)


@pytest.mark.parametrize(
    ("slot", "heard"),
    [
        (SlotMatch("routine", "yoga", None, "RoutineName"), "yoga"),
        (SlotMatch("routine", "pilates", "pilates", "RoutineName", "pilates"), "pilates"),
        ("weightlifting", "weightlifting"),
    ],
    ids=["er-no-match", "id-not-in-catalog", "no-resolutions"],
)
def test_routine_that_does_not_exist(
    skill_env: SkillEnv, mid_routine: SimulatedDevice, slot: SlotMatch | str, heard: str
) -> None:
    before = skill_env.saved()
    response = mid_routine.intent("StartRoutineIntent", {"routine": slot})
    assert spoken(response) == (
        f"I don't know a routine called {heard}. I have lower back and desk break. "
        f"{READY_FOR_TOE_REACH}"
    )
    assert_unchanged(skill_env, before)


def test_missing_slot_value_starts_the_default_routine(skill_env: SkillEnv) -> None:
    device = skill_env.device()
    device.launch()
    response = device.intent("StartRoutineIntent", {"routine": None})
    assert spoken(response).startswith("Let's do the lower back routine")


@pytest.mark.parametrize("intent", ["ReadyIntent", "AMAZON.NextIntent", "AMAZON.ResumeIntent"])
def test_ready_when_nothing_is_waiting_after_finishing(skill_env: SkillEnv, intent: str) -> None:
    device = skill_env.device()
    device.launch()
    response = device.intent("StartRoutineIntent")
    while not ends_session(response):
        response = device.intent("ReadyIntent")
    before = skill_env.saved()
    reply = device.intent(intent)  # a one-shot "ask back stretches ..." after finishing
    assert spoken(reply).startswith("You've finished the routine. Say start over")
    assert_unchanged(skill_env, before)


@pytest.mark.parametrize("intent", ["AMAZON.PreviousIntent", "SkipIntent", "AMAZON.PauseIntent"])
def test_moving_around_before_starting_is_explained(skill_env: SkillEnv, intent: str) -> None:
    device = skill_env.device()
    device.launch()
    response = device.intent(intent)
    assert spoken(response).startswith("We haven't started a routine yet. Say start to begin")
    assert skill_env.saved()["state"]["phase"] == "not_started"


def write_raw_state(skill_env: SkillEnv, user_id: str, state_json: str) -> None:
    path = skill_env.store.path  # the same file the skill uses
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE progress SET state = ? WHERE user_id = ?", (state_json, user_id))


@sqlite_only
@pytest.mark.parametrize(
    "stored",
    [
        '{"version": 0, "routine": "lower_back", "stretch": 1, "side": 0, "phase": "paused"}',
        '{"version": 1, "routine": "lower_back", "stretch": 9, "side": 0, "phase": "paused"}',
        '{"version": 1, "routine": "gone", "stretch": 0, "side": 0, "phase": "paused"}',
        '{"version": 1, "routine": "lower_back", "stretch": 0, "side": 0, "phase": "dancing"}',
        "not json at all",
    ],
    ids=["old-version", "index-out-of-range", "unknown-routine", "unknown-phase", "corrupt"],
)
def test_old_or_corrupted_save_starts_fresh_and_keeps_history(
    skill_env: SkillEnv, stored: str
) -> None:
    device = skill_env.device()
    device.launch()
    response = device.intent("StartRoutineIntent")
    while not ends_session(response):
        response = device.intent("ReadyIntent")
    write_raw_state(skill_env, "amzn1.ask.account.TEST-USER", stored)

    welcome = device.launch()
    assert spoken(welcome).startswith("Welcome back to Back Stretches.")
    assert reprompt(welcome) is not None
    assert skill_env.saved()["history"]["completed"] == 1


@pytest.mark.parametrize(
    "attributes",
    [
        {"state": {"version": 1, "phase": 7}, "history": "??"},  # not this skill's shape
        {CARRY: "{not json"},
        {CARRY: '{"v": 99, "state": {}}'},  # another version
        {CARRY: '{"v": 1, "state": {"version": 1, "phase": 7}, "saved": "x"}'},
        {CARRY: ["a", "list"]},
    ],
)
def test_corrupted_session_attributes_fall_back_to_the_store(
    skill_env: SkillEnv, mid_routine: SimulatedDevice, attributes: dict[str, Any]
) -> None:
    mid_routine.session_attributes = attributes
    response = mid_routine.intent("AMAZON.RepeatIntent")
    assert spoken(response).startswith("Stretch one of three: the toe reach.")


def test_envelope_missing_optional_parts_is_answered(skill_env: SkillEnv) -> None:
    device = skill_env.device()
    event = launch_request(device.info)
    system = event["context"]["System"]
    for optional in ("device", "apiEndpoint", "apiAccessToken"):
        system.pop(optional, None)
    event.pop("session")
    event["request"].pop("locale", None)
    response = skill_env.handler(event, None)
    assert spoken(response).startswith("Welcome to Back Stretches.")
    assert skill_env.saved()["state"]["phase"] == "not_started"


def test_unknown_keys_naming_an_objects_own_parts_are_ignored(skill_env: SkillEnv) -> None:
    """ask-sdk's serializer sets every unknown key as an attribute: "__dict__" would wipe the
    envelope, "to_dict" hide a method, "supported_interfaces" replace the device's interfaces
    (the skill then failed reading them). Found by the fuzz test and a review."""
    device = skill_env.device()
    event = intent_request(device.info, "StartRoutineIntent")
    event["__dict__"] = {}
    event["request"]["to_dict"] = 1
    event["request"]["_private"] = "x"
    event["context"]["System"]["attribute_map"] = {}
    event["context"]["System"]["device"]["supported_interfaces"] = 1  # the attribute's name
    response = skill_env.handler(event, None)
    assert "Stretch one of three: the toe reach." in spoken(response)
    assert skill_env.saved()["state"]["phase"] == "introducing"


def test_intent_without_slots_or_session_attributes(skill_env: SkillEnv) -> None:
    device = skill_env.device()
    event = intent_request(device.info, "StartRoutineIntent")
    event["request"]["intent"].pop("slots", None)
    event["session"].pop("attributes", None)
    response = skill_env.handler(event, None)
    assert "Stretch one of three: the toe reach." in spoken(response)


def test_requests_that_cannot_take_speech_get_an_empty_response(skill_env: SkillEnv) -> None:
    device = skill_env.device()
    event = launch_request(device.info)
    event["request"] = {
        "type": "System.ExceptionEncountered",
        "requestId": "amzn1.echo-api.request.x",
        "timestamp": event["request"]["timestamp"],
        "error": {"type": "INVALID_RESPONSE", "message": "test"},
        "cause": {"requestId": "amzn1.echo-api.request.y"},
    }
    response = skill_env.handler(event, None)
    assert "outputSpeech" not in response["response"]


def test_a_request_type_newer_than_the_sdk_gets_an_empty_response(skill_env: SkillEnv) -> None:
    device = skill_env.device()
    event = launch_request(device.info)
    event["request"]["type"] = "Alexa.Future.SomethingNew"
    response = skill_env.handler(event, None)
    assert response == {"version": "1.0", "response": {}}


def test_a_reply_failing_after_its_completion_was_saved_keeps_the_completion(
    skill_env: SkillEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The last stretch's completion is saved before its reply is rendered; if rendering then
    fails, the apology must not hand the next turn the progress from before the completion."""
    render = handlers.build_response
    failed: list[bool] = []

    def fail_once_on_the_goodbye(handler_input: Any, reply: Any) -> Any:
        if reply is not None and reply.end_session and not failed:
            failed.append(True)
            raise RuntimeError("rendering failed")
        return render(handler_input, reply)

    monkeypatch.setattr(handlers, "build_response", fail_once_on_the_goodbye)
    device = skill_env.device()
    device.launch()
    device.intent("StartRoutineIntent")
    for _ in range(12):
        response = device.intent("ReadyIntent")
        if failed:
            break
    assert failed, "the routine never reached its goodbye"
    assert spoken(response).startswith("Sorry, something went wrong on my side.")
    assert skill_env.saved()["history"]["completed"] == 1
    done = skill_env.saved()["profile"]["done"]
    device.intent("AMAZON.HelpIntent")  # the next turn of the same session
    assert skill_env.saved()["history"]["completed"] == 1
    assert skill_env.saved()["profile"]["done"] == done  # not the counts from before
