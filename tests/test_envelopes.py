"""Request envelopes and the simulated device's session keeping."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import (
    IntentRequest,
    LaunchRequest,
    RequestEnvelope,
    SessionEndedReason,
    SessionEndedRequest,
)
from ask_sdk_model.slu.entityresolution import StatusCode

from skill.simulator.envelopes import (
    DEFAULT_SKILL_ID,
    DeviceInfo,
    SessionInfo,
    SimulatedDevice,
    intent_request,
    launch_request,
    regional_api_endpoint,
    session_ended_request,
    slot_json,
)
from skill.simulator.resolver import Resolver, SlotMatch

USER = "amzn1.ask.account.TESTUSER"
AUTHORITY = f"amzn1.er-authority.echo-sdk.{DEFAULT_SKILL_ID}.RoutineName"
DESK = SlotMatch("routine", "desk", "desk_break", "RoutineName", "desk break")
YOGA = SlotMatch("routine", "yoga", None, "RoutineName")


class EchoSkill:
    """A stand-in skill: records each request and answers with attributes counting turns.

    `end_session` is the next response's shouldEndSession (None leaves it out).
    """

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.end_session: bool | None = False

    def __call__(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        self.requests.append(event)
        turns = event["session"]["attributes"].get("turns", 0) + 1
        response: dict[str, Any] = {
            "outputSpeech": {"type": "PlainText", "text": event["request"]["type"]}
        }
        if self.end_session is not None:
            response["shouldEndSession"] = self.end_session
        return {"version": "1.0", "sessionAttributes": {"turns": turns}, "response": response}


def _deserialize(envelope: dict[str, Any]) -> RequestEnvelope:
    return DefaultSerializer().deserialize(json.dumps(envelope), RequestEnvelope)


@pytest.fixture
def skill() -> EchoSkill:
    return EchoSkill()


@pytest.fixture
def device(skill: EchoSkill) -> SimulatedDevice:
    return SimulatedDevice(skill, user_id=USER)


def test_envelopes_deserialize_into_the_sdk_request_classes() -> None:
    info = DeviceInfo(USER, screen=True)
    launch = _deserialize(launch_request(info))
    assert isinstance(launch.request, LaunchRequest)
    assert launch.session.new is True
    assert launch.session.user.user_id == USER
    assert launch.context.system.application.application_id == DEFAULT_SKILL_ID
    assert launch.context.system.device.supported_interfaces.alexa_presentation_apl is not None
    assert launch.context.viewport is not None and launch.context.viewport.pixel_width == 1280

    slots = {"routine": DESK}
    intent = _deserialize(intent_request(info, "StartRoutineIntent", slots))
    assert isinstance(intent.request, IntentRequest)
    slot = intent.request.intent.slots["routine"]
    assert slot.value == "desk"
    (authority,) = slot.resolutions.resolutions_per_authority
    assert authority.status.code == StatusCode.ER_SUCCESS_MATCH
    assert authority.values[0].value.id == "desk_break"
    assert slot.slot_value.resolutions.resolutions_per_authority[0].values[0].value.id == (
        "desk_break"
    )

    ended = _deserialize(
        session_ended_request(info, "ERROR", error_type="INVALID_RESPONSE", error_message="bad")
    )
    assert isinstance(ended.request, SessionEndedRequest)
    assert ended.request.reason == SessionEndedReason.ERROR
    assert ended.request.error.message == "bad"


def test_device_without_screen_has_no_apl_or_viewport() -> None:
    envelope = launch_request(DeviceInfo(USER))
    assert envelope["context"]["System"]["device"]["supportedInterfaces"] == {}
    assert "Viewport" not in envelope["context"]
    parsed = _deserialize(envelope)
    assert parsed.context.system.device.supported_interfaces.alexa_presentation_apl is None


def test_envelope_top_level_shape() -> None:
    moment = datetime(2024, 1, 2, 4, 4, 5, tzinfo=timezone(timedelta(hours=1)))
    session = SessionInfo("amzn1.echo-api.session.S", False, {"a": 1})
    api = regional_api_endpoint("en-GB")
    envelope = launch_request(DeviceInfo(USER, locale="en-GB", api_endpoint=api), session, moment)
    assert envelope["version"] == "1.0"
    assert envelope["session"] == {
        "new": False,
        "sessionId": "amzn1.echo-api.session.S",
        "application": {"applicationId": DEFAULT_SKILL_ID},
        "attributes": {"a": 1},
        "user": {"userId": USER},
    }
    system = envelope["context"]["System"]
    assert system["apiEndpoint"] == "https://api.eu.amazonalexa.com"
    assert system["apiAccessToken"]
    assert system["device"]["deviceId"].startswith("amzn1.ask.device.")
    request = envelope["request"]
    assert request["timestamp"] == "2024-01-02T03:04:05Z"
    assert request["locale"] == "en-GB"
    assert request["requestId"].startswith("amzn1.echo-api.request.")


def test_resolutions_have_the_exact_shape() -> None:
    matched = {
        "resolutionsPerAuthority": [
            {
                "authority": AUTHORITY,
                "status": {"code": "ER_SUCCESS_MATCH"},
                "values": [{"value": {"name": "desk break", "id": "desk_break"}}],
            }
        ]
    }
    assert slot_json("routine", DESK) == {
        "name": "routine",
        "value": "desk",
        "confirmationStatus": "NONE",
        "source": "USER",
        "resolutions": matched,
        "slotValue": {"type": "Simple", "value": "desk", "resolutions": matched},
    }
    no_match = {
        "resolutionsPerAuthority": [
            {"authority": AUTHORITY, "status": {"code": "ER_SUCCESS_NO_MATCH"}}
        ]
    }
    assert slot_json("routine", YOGA)["resolutions"] == no_match


def test_plain_and_unfilled_slots() -> None:
    assert slot_json("routine", "desk") == {
        "name": "routine",
        "value": "desk",
        "confirmationStatus": "NONE",
        "source": "USER",
        "slotValue": {"type": "Simple", "value": "desk"},
    }
    assert slot_json("routine", None) == {"name": "routine", "confirmationStatus": "NONE"}


def test_intent_without_slots_has_no_slots_key() -> None:
    intent = intent_request(DeviceInfo(USER), "AMAZON.HelpIntent")["request"]["intent"]
    assert intent == {"name": "AMAZON.HelpIntent", "confirmationStatus": "NONE"}


def test_first_request_opens_a_session_and_the_next_continues_it(
    skill: EchoSkill, device: SimulatedDevice
) -> None:
    device.launch()
    device.intent("ReadyIntent")
    first, second = skill.requests
    assert first["session"]["new"] is True
    assert first["session"]["attributes"] == {}
    assert second["session"]["new"] is False
    assert second["session"]["sessionId"] == first["session"]["sessionId"]
    assert second["session"]["attributes"] == {"turns": 1}
    assert device.session_open is True
    assert device.session_attributes == {"turns": 2}
    assert device.last_request == second


def test_should_end_session_true_starts_a_new_session(
    skill: EchoSkill, device: SimulatedDevice
) -> None:
    device.launch()
    skill.end_session = True
    device.intent("AMAZON.StopIntent")
    assert device.session_open is False
    assert device.session_attributes == {}
    skill.end_session = False
    device.intent("StartRoutineIntent", {"routine": DESK})
    first, _, third = skill.requests
    assert third["session"]["new"] is True
    assert third["session"]["attributes"] == {}
    assert third["session"]["sessionId"] != first["session"]["sessionId"]


def test_omitted_should_end_session_keeps_the_session(
    skill: EchoSkill, device: SimulatedDevice
) -> None:
    skill.end_session = None
    device.launch()
    device.intent("ReadyIntent")
    assert skill.requests[1]["session"]["new"] is False
    assert device.session_open is True


def test_session_ended_request_closes_the_session(
    skill: EchoSkill, device: SimulatedDevice
) -> None:
    device.launch()
    device.end_session()
    ended = skill.requests[1]
    assert ended["request"]["type"] == "SessionEndedRequest"
    assert ended["request"]["reason"] == "EXCEEDED_MAX_REPROMPTS"
    assert ended["session"]["new"] is False
    assert device.session_open is False
    device.launch()
    assert skill.requests[2]["session"]["new"] is True
    with pytest.raises(RuntimeError):
        SimulatedDevice(skill, user_id=USER).end_session()


def test_say_sends_the_resolved_intent_or_fallback(
    skill: EchoSkill, device: SimulatedDevice
) -> None:
    resolver = Resolver.default()
    device.say("Alexa, start the desk routine", resolver)
    device.say("start my stretches", resolver)
    device.say("sing me a song", resolver)
    routine, plain, unknown = (request["request"]["intent"] for request in skill.requests)
    assert routine["name"] == "StartRoutineIntent"
    assert routine["slots"]["routine"]["resolutions"]["resolutionsPerAuthority"][0]["values"] == [
        {"value": {"name": "desk break", "id": "desk_break"}}
    ]
    assert plain["slots"] == {"routine": {"name": "routine", "confirmationStatus": "NONE"}}
    assert unknown == {"name": "AMAZON.FallbackIntent", "confirmationStatus": "NONE"}


def test_requests_use_the_device_clock_locale_and_skill(skill: EchoSkill) -> None:
    moment = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
    device = SimulatedDevice(
        skill, user_id=USER, skill_id="amzn1.ask.skill.X", locale="en-AU", clock=lambda: moment
    )
    device.intent("StartRoutineIntent", {"routine": DESK})
    request = skill.requests[0]
    assert request["request"]["timestamp"] == "2024-05-06T07:08:09Z"
    assert request["request"]["locale"] == "en-AU"
    assert request["session"]["application"]["applicationId"] == "amzn1.ask.skill.X"
    resolution = request["request"]["intent"]["slots"]["routine"]["resolutions"]
    authority = resolution["resolutionsPerAuthority"][0]["authority"]
    assert authority == "amzn1.er-authority.echo-sdk.amzn1.ask.skill.X.RoutineName"
    assert isinstance(_deserialize(request).request, IntentRequest)
