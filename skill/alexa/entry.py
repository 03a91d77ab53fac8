"""Runs one Alexa request (the JSON event) through the skill, after the checks every host
shares: the event has Alexa's shape and is for this skill."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_core.skill import CustomSkill
from ask_sdk_model import RequestEnvelope

log = logging.getLogger(__name__)
_serializer = DefaultSerializer()


class RequestRejected(ValueError):
    """The event is not a well-formed request for this skill; the reason is one line."""


APPLICATION_ID_PATHS = (
    ("context", "System", "application", "applicationId"),
    ("session", "application", "applicationId"),
)


def lookup(data: object, *keys: str) -> Any:
    """data[k1][k2]..., or None where any level is missing or not an object."""
    for key in keys:
        if not isinstance(data, Mapping):
            return None
        data = data.get(key)
    return data


def application_id_problem(event: Mapping[str, Any], skill_id: str) -> str | None:
    """Why the event is not for this skill, or None. Every applicationId present must be
    the skill's, and one must be present."""
    found = [lookup(event, *path) for path in APPLICATION_ID_PATHS]
    present = [application_id for application_id in found if application_id is not None]
    if not present:
        return "request has no applicationId"
    for application_id in present:
        if application_id != skill_id:
            return f"applicationId {repr(application_id)[:100]} is not this skill"
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
    problem = application_id_problem(event, skill_id) if skill_id is not None else None
    if problem is not None:
        raise RequestRejected(problem)
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
