"""Request envelopes in the JSON shapes Alexa sends, and a simulated device that keeps a session.

Shapes follow Amazon's "Request and Response JSON Reference" and "Request Types Reference":
LaunchRequest, IntentRequest (slots with entity resolution), SessionResumedRequest,
SessionEndedRequest, and the Alexa.Presentation.APL.UserEvent a touch on the screen sends. A
device reaches Alexa's service APIs only when given an API endpoint (tests and
`console --alexa-api` point it at a local server).
"""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from skill.simulator.resolver import Resolver, SlotMatch
from skill.speech.readable import played_seconds

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]  # the Lambda signature

DEFAULT_SKILL_ID = "amzn1.ask.skill.00000000-0000-4000-8000-000000000000"
FALLBACK_INTENT = "AMAZON.FallbackIntent"
APL_MAX_VERSION = "2024.2"
SCREEN_TOKEN = "backStretchesScreen"  # the token of the document on screen
SIMULATED_ACCESS_TOKEN = "simulated-api-access-token"
_API_ENDPOINTS = {  # Alexa's regional API hosts; North America is the default
    "en-GB": "https://api.eu.amazonalexa.com",
    "en-IN": "https://api.eu.amazonalexa.com",
    "en-AU": "https://api.fe.amazonalexa.com",
}
_NA_API_ENDPOINT = "https://api.amazonalexa.com"
_VIEWPORT = {  # an Echo Show 8
    "experiences": [
        {"arcMinuteWidth": 346, "arcMinuteHeight": 216, "canRotate": False, "canResize": False}
    ],
    "mode": "HUB",
    "shape": "RECTANGLE",
    "pixelWidth": 1280,
    "pixelHeight": 800,
    "dpi": 160,
    "currentPixelWidth": 1280,
    "currentPixelHeight": 800,
    "touch": ["SINGLE"],
    "keyboard": ["DIRECTION"],
    "video": {"codecs": ["H_264_42", "H_264_41"]},
}

SlotInput = SlotMatch | str | None  # str: words with no entity resolution; None: slot not filled


def _new_id(kind: str) -> str:
    return f"amzn1.{kind}.{uuid.uuid4()}"


def _utc_now() -> datetime:
    return datetime.now(UTC)


def iso_timestamp(moment: datetime) -> str:
    """ISO 8601 in UTC with a Z, to the second, as Alexa sends it (naive = already UTC)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class DeviceInfo:
    """Who is asking, from what device."""

    user_id: str
    skill_id: str = DEFAULT_SKILL_ID
    locale: str = "en-US"
    screen: bool = False
    device_id: str = field(default_factory=lambda: _new_id("ask.device"))
    api_endpoint: str | None = None  # Alexa's API host for the envelope; None: no API access
    granted: tuple[str, ...] = ()  # permission scopes the user granted this skill


@dataclass(frozen=True)
class SessionInfo:
    session_id: str
    new: bool
    attributes: Mapping[str, Any]

    @classmethod
    def fresh(cls) -> SessionInfo:
        """A new session: fresh id, no attributes."""
        return cls(_new_id("echo-api.session"), True, {})


def _supported_interfaces(screen: bool) -> dict[str, Any]:
    if screen:
        return {"Alexa.Presentation.APL": {"runtime": {"maxVersion": APL_MAX_VERSION}}}
    return {}


def regional_api_endpoint(locale: str) -> str:
    """The Alexa API host that serves a locale's users."""
    return _API_ENDPOINTS.get(locale, _NA_API_ENDPOINT)


def _user(device: DeviceInfo) -> dict[str, Any]:
    user: dict[str, Any] = {"userId": device.user_id}
    if device.granted:
        user["permissions"] = {
            "consentToken": SIMULATED_ACCESS_TOKEN,
            "scopes": {scope: {"status": "GRANTED"} for scope in device.granted},
        }
    return user


def _envelope(device: DeviceInfo, session: SessionInfo, request: dict[str, Any]) -> dict[str, Any]:
    system: dict[str, Any] = {
        "application": {"applicationId": device.skill_id},
        "user": _user(device),
        "device": {
            "deviceId": device.device_id,
            "supportedInterfaces": _supported_interfaces(device.screen),
        },
    }
    if device.api_endpoint is not None:  # a simulated device reaches no real Alexa API
        system["apiEndpoint"] = device.api_endpoint
        system["apiAccessToken"] = SIMULATED_ACCESS_TOKEN
    context: dict[str, Any] = {"System": system}
    if device.screen:
        context["Viewport"] = copy.deepcopy(_VIEWPORT)
    return {
        "version": "1.0",
        "session": {
            "new": session.new,
            "sessionId": session.session_id,
            "application": {"applicationId": device.skill_id},
            "attributes": dict(session.attributes),
            "user": {"userId": device.user_id},
        },
        "context": context,
        "request": request,
    }


def _request(kind: str, device: DeviceInfo, now: datetime | None) -> dict[str, Any]:
    return {
        "type": kind,
        "requestId": _new_id("echo-api.request"),
        "timestamp": iso_timestamp(now or _utc_now()),
        "locale": device.locale,
    }


def _resolutions(match: SlotMatch, skill_id: str) -> dict[str, Any]:
    authority: dict[str, Any] = {
        "authority": f"amzn1.er-authority.echo-sdk.{skill_id}.{match.slot_type}",
        "status": {"code": "ER_SUCCESS_MATCH" if match.resolved_id else "ER_SUCCESS_NO_MATCH"},
    }
    if match.resolved_id:
        name = match.resolved_name or match.spoken
        authority["values"] = [{"value": {"name": name, "id": match.resolved_id}}]
    return {"resolutionsPerAuthority": [authority]}


def slot_json(name: str, value: SlotInput, skill_id: str = DEFAULT_SKILL_ID) -> dict[str, Any]:
    """One entry of intent.slots: unfilled, plain words, or words with entity resolution."""
    if value is None:
        return {"name": name, "confirmationStatus": "NONE"}
    spoken = value if isinstance(value, str) else value.spoken
    slot: dict[str, Any] = {
        "name": name,
        "value": spoken,
        "confirmationStatus": "NONE",
        "source": "USER",
    }
    slot_value: dict[str, Any] = {"type": "Simple", "value": spoken}
    if isinstance(value, SlotMatch) and value.slot_type:
        slot["resolutions"] = _resolutions(value, skill_id)
        slot_value["resolutions"] = _resolutions(value, skill_id)
    slot["slotValue"] = slot_value
    return slot


def launch_request(
    device: DeviceInfo, session: SessionInfo | None = None, now: datetime | None = None
) -> dict[str, Any]:
    """A LaunchRequest envelope ("Alexa, open back stretches")."""
    return _envelope(device, session or SessionInfo.fresh(), _request("LaunchRequest", device, now))


def intent_request(
    device: DeviceInfo,
    name: str,
    slots: Mapping[str, SlotInput] | None = None,
    session: SessionInfo | None = None,
    now: datetime | None = None,
    *,
    dialog_state: str | None = None,
) -> dict[str, Any]:
    """An IntentRequest envelope. `dialog_state` is only sent by skills with a dialog model."""
    intent: dict[str, Any] = {"name": name, "confirmationStatus": "NONE"}
    if slots:
        intent["slots"] = {
            slot: slot_json(slot, value, device.skill_id) for slot, value in slots.items()
        }
    request = _request("IntentRequest", device, now)
    if dialog_state is not None:
        request["dialogState"] = dialog_state
    request["intent"] = intent
    return _envelope(device, session or SessionInfo.fresh(), request)


def user_event_request(
    device: DeviceInfo,
    arguments: list[Any],
    session: SessionInfo | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """A UserEvent envelope: a TouchWrapper on the screen was pressed and sent `arguments`."""
    request = _request("Alexa.Presentation.APL.UserEvent", device, now)
    request["token"] = SCREEN_TOKEN
    request["arguments"] = list(arguments)
    request["source"] = {"type": "TouchWrapper", "handler": "Press", "id": "button", "value": None}
    return _envelope(device, session or SessionInfo.fresh(), request)


def session_resumed_request(
    device: DeviceInfo,
    token: str,
    result: str,
    session: SessionInfo | None = None,
    now: datetime | None = None,
    *,
    code: str = "200",
) -> dict[str, Any]:
    """The SessionResumedRequest that hands control back after a Connections.StartConnection
    (voice-forward consent: `result` ACCEPTED, DENIED or NOT_ANSWERED)."""
    request = _request("SessionResumedRequest", device, now)
    request["cause"] = {
        "type": "ConnectionCompleted",
        "token": token,
        "status": {"code": code, "message": "OK" if code == "200" else "failed"},
        "result": {"status": result},
    }
    return _envelope(device, session or SessionInfo.fresh(), request)


def session_ended_request(
    device: DeviceInfo,
    reason: str = "EXCEEDED_MAX_REPROMPTS",
    session: SessionInfo | None = None,
    now: datetime | None = None,
    *,
    error_type: str | None = None,
    error_message: str = "",
) -> dict[str, Any]:
    """A SessionEndedRequest envelope; `error_type` (with reason ERROR) adds request.error."""
    request = _request("SessionEndedRequest", device, now)
    request["reason"] = reason
    if error_type is not None:
        request["error"] = {"type": error_type, "message": error_message}
    return _envelope(device, session or SessionInfo.fresh(), request)


class ListeningClock:
    """The wall clock, but never earlier than the end of the last reply heard: a console user
    reads a reply at once, yet speaks, as on a device, only after it has played."""

    def __init__(self) -> None:
        self._heard_until: datetime | None = None

    def __call__(self) -> datetime:
        now = _utc_now()
        return now if self._heard_until is None else max(now, self._heard_until)

    def advance(self, **delta: float) -> None:
        self._heard_until = self() + timedelta(**delta)


class SimulatedDevice:
    """One Alexa device talking to one skill handler, keeping the session as Alexa does.

    A request opens a new session when none is open (at first, after a response with
    shouldEndSession true, after a SessionEndedRequest); otherwise it continues the open one
    with the sessionAttributes of the last response. A response that omits shouldEndSession
    keeps the session open. Requests and responses pass through JSON, as on the wire.

    With `listening`, a clock that can `advance` (tests) is moved on by each reply's playing
    time, as for a user who hears every reply out before speaking again.
    """

    def __init__(
        self,
        handler: Handler,
        *,
        user_id: str,
        skill_id: str = DEFAULT_SKILL_ID,
        locale: str = "en-US",
        screen: bool = False,
        clock: Callable[[], datetime] | None = None,
        listening: bool = False,
        api_endpoint: str | None = None,
    ) -> None:
        self._handler = handler
        self.listening = listening
        self.info = DeviceInfo(user_id, skill_id, locale, screen, api_endpoint=api_endpoint)
        self._clock = clock or _utc_now
        self._session_id = ""
        self.last_request: dict[str, Any] | None = None
        self.session_open = False
        self.session_attributes: dict[str, Any] = {}

    def session_snapshot(self) -> dict[str, Any]:
        """The open session, as plain data a browser can keep between requests."""
        return {
            "id": self._session_id,
            "open": self.session_open,
            "attributes": self.session_attributes,
        }

    def restore_session(self, snapshot: Mapping[str, Any]) -> None:
        """Continue a session kept elsewhere; anything malformed means no open session."""
        session_id, attributes = snapshot.get("id"), snapshot.get("attributes")
        valid = isinstance(session_id, str) and session_id and isinstance(attributes, dict)
        self.session_open = bool(valid and snapshot.get("open") is True)
        self._session_id = session_id if self.session_open else ""
        self.session_attributes = attributes if self.session_open else {}

    def launch(self) -> dict[str, Any]:
        return self._send(lambda session, now: launch_request(self.info, session, now))

    def intent(self, name: str, slots: Mapping[str, SlotInput] | None = None) -> dict[str, Any]:
        """Send an IntentRequest. Slot values: SlotMatch (resolved as it says), str (plain
        words, no entity resolution) or None (declared but not filled)."""
        return self._send(lambda session, now: intent_request(self.info, name, slots, session, now))

    def say(self, utterance: str, resolver: Resolver) -> dict[str, Any]:
        """Send what `resolver` makes of the utterance, or AMAZON.FallbackIntent."""
        match = resolver.resolve(utterance)
        if match is None:
            return self.intent(FALLBACK_INTENT)
        slots: dict[str, SlotInput] = dict.fromkeys(resolver.declared_slots(match.intent))
        slots.update({slot.name: slot for slot in match.slots})
        return self.intent(match.intent, slots)

    def touch(self, *arguments: Any) -> dict[str, Any]:
        """Press a button on the screen: send the UserEvent it sends."""
        return self._send(
            lambda session, now: user_event_request(self.info, list(arguments), session, now)
        )

    def grant(self, scope: str) -> None:
        """The user grants this skill a permission: later requests say so."""
        self.info = replace(self.info, granted=(*self.info.granted, scope))

    def resume(self, token: str, result: str, code: str = "200") -> dict[str, Any]:
        """Hand control back after a StartConnection directive, as Alexa does."""
        return self._send(
            lambda session, now: session_resumed_request(
                self.info, token, result, session, now, code=code
            )
        )

    def end_session(self, reason: str = "EXCEEDED_MAX_REPROMPTS") -> dict[str, Any]:
        """Send the SessionEndedRequest that closes the open session."""
        if not self.session_open:
            raise RuntimeError("no open session to end")
        return self._send(
            lambda session, now: session_ended_request(self.info, reason, session, now)
        )

    def _send(self, build: Callable[[SessionInfo, datetime], dict[str, Any]]) -> dict[str, Any]:
        if self.session_open:
            session = SessionInfo(self._session_id, False, self.session_attributes)
        else:
            session = SessionInfo.fresh()
        request = json.loads(json.dumps(build(session, self._clock())))
        self.last_request = request
        response = json.loads(json.dumps(self._handler(request, None)))
        self._session_id = session.session_id
        ended = request["request"]["type"] == "SessionEndedRequest"
        ends_session = response.get("response", {}).get("shouldEndSession") is True
        self.session_open = not (ended or ends_session)
        self.session_attributes = (
            response.get("sessionAttributes") or {} if self.session_open else {}
        )
        speech = response.get("response", {}).get("outputSpeech") or {}
        advance = getattr(self._clock, "advance", None)
        if self.listening and advance is not None and speech.get("ssml"):
            advance(seconds=played_seconds(speech["ssml"]))
        return response
