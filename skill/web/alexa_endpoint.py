"""POST /alexa: Alexa's requests, verified before the body is read into objects.

Malformed or unverifiable requests get a 4xx with a one-line reason in the log; a request
that passes gets the skill's response. Nothing here ever answers Alexa with a 500.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from ask_sdk_core.skill import CustomSkill
from flask import Blueprint, Response, jsonify, request
from werkzeug.exceptions import RequestEntityTooLarge

from skill.alexa.entry import RequestRejected, handle_event
from skill.config import Settings
from skill.web.verification import AlexaRequestVerifier, VerificationException

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 128 * 1024  # Alexa's responses are capped at 120 KB; requests are far smaller
APOLOGY = {
    "version": "1.0",
    "response": {
        "outputSpeech": {
            "type": "SSML",
            "ssml": "<speak>Sorry, something went wrong on my side. Please try again.</speak>",
        },
        "shouldEndSession": True,
    },
}


def reject(status: int, reason: str) -> tuple[Response, int]:
    log.warning("rejected Alexa request (%d): %s", status, reason)
    return jsonify(error=reason), status


def alexa_blueprint(
    skill: CustomSkill, verifier: AlexaRequestVerifier, settings: Settings
) -> Blueprint:
    blueprint = Blueprint("alexa", __name__)

    @blueprint.post("/alexa")
    def alexa() -> Any:
        if request.mimetype != "application/json":
            return reject(415, f"content type {request.mimetype or 'none'!r} is not JSON")
        if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
            return reject(413, f"body of {request.content_length} bytes is over the limit")
        body = request.get_data(cache=False)
        try:
            event = json.loads(body)
        except (ValueError, RecursionError):  # bad JSON, bad UTF-8, huge numbers, deep nesting
            return reject(400, "body is not JSON")
        if not isinstance(event, dict):
            return reject(400, "body is not a JSON object")
        try:
            verifier.verify(request.headers, body, event)
        except VerificationException as error:
            return reject(400, str(error))
        try:
            return jsonify(handle_event(skill, event))
        except RequestRejected as error:
            return reject(400, str(error))
        except Exception:
            log.exception("the skill failed outside its own error handling")
            return jsonify(APOLOGY)

    @blueprint.errorhandler(RequestEntityTooLarge)
    def too_large(error: RequestEntityTooLarge) -> tuple[Response, int]:
        return reject(413, "body is over the limit")

    return blueprint
