"""Runs one Alexa request (the JSON event) through the skill, after the checks every host
shares: the event has Alexa's shape and is for this skill."""

from __future__ import annotations

import json
import logging
from typing import Any

from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_core.skill import CustomSkill
from ask_sdk_model import RequestEnvelope

log = logging.getLogger(__name__)
_serializer = DefaultSerializer()


class RequestRejected(ValueError):
    """The event is not a well-formed request for this skill; the reason is one line."""


def application_id_of(event: dict[str, Any]) -> str | None:
    for holder in (event.get("context", {}).get("System", {}), event.get("session", {})):
        if isinstance(holder, dict):
            application = holder.get("application")
            if isinstance(application, dict) and isinstance(application.get("applicationId"), str):
                return application["applicationId"]
    return None


def check_event(event: object, skill_id: str | None) -> dict[str, Any]:
    """The event if it is a request for this skill; RequestRejected otherwise."""
    if not isinstance(event, dict):
        raise RequestRejected("event is not a JSON object")
    request = event.get("request")
    if not isinstance(request, dict) or not isinstance(request.get("type"), str):
        raise RequestRejected("event has no request.type")
    if not isinstance(event.get("context", {}), dict) or not isinstance(
        event.get("session", {}), dict
    ):
        raise RequestRejected("event context or session is not an object")
    if skill_id is not None:
        application_id = application_id_of(event)
        if application_id != skill_id:
            raise RequestRejected(f"applicationId {application_id!r} is not this skill")
    return event


def deserialize(event: dict[str, Any]) -> RequestEnvelope:
    try:
        return _serializer.deserialize(json.dumps(event), RequestEnvelope)
    except Exception as error:  # the SDK raises several types for shapes it cannot read
        raise RequestRejected(f"event cannot be read as an Alexa request: {error}") from error


def handle_event(skill: CustomSkill, event: object, context: Any = None) -> dict[str, Any]:
    """The response envelope, as JSON-ready data, for one Alexa event."""
    envelope = deserialize(check_event(event, skill.skill_id))
    response = skill.invoke(request_envelope=envelope, context=context)
    return _serializer.serialize(response)
