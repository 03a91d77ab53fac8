"""POST /alexa: Alexa's requests, verified before the body is read into objects.

One boundary: whatever goes wrong while the request is read, parsed or verified (a broken
header, a bad chunked body, a certificate URL urlsplit cannot read, a failed check) is answered
with a 4xx and a fixed short body, the reason going to the log only, in one line. A request
that passes gets the skill's response. Nothing here ever answers Alexa with a 500.
"""

from __future__ import annotations

import logging
from typing import Any

import msgspec
from ask_sdk_core.skill import CustomSkill
from flask import Blueprint, Request, Response, request
from werkzeug.exceptions import RequestEntityTooLarge

from skill.alexa.entry import RequestRejected, handle_event
from skill.budget import request_budget
from skill.config import Settings
from skill.web.verification import AlexaRequestVerifier, VerificationException

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 128 * 1024  # Alexa's responses are capped at 120 KB; requests are far smaller
MAX_REASON_CHARS = 300  # a logged reason is one line of at most this many characters
#: What a rejected caller is told, by status: nothing that says which check failed.
REJECTION_BODIES = {400: "Bad request\n", 413: "Request too large\n", 415: "Unsupported type\n"}
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


class Rejected(Exception):
    """A request refused with this HTTP status (400 unless said otherwise)."""

    def __init__(self, reason: str, status: int = 400) -> None:
        super().__init__(reason)
        self.status = status


def rejection_status(error: BaseException) -> int:
    """The 4xx a failure while reading or verifying a request is answered with."""
    if isinstance(error, RequestEntityTooLarge):
        return 413
    return error.status if isinstance(error, Rejected) else 400


def one_line(error: BaseException) -> str:
    """The reason for the log: one printable line, the exception type named when unexpected."""
    deliberate = isinstance(error, Rejected | RequestRejected | VerificationException)
    text = str(error) if deliberate else ""
    if not text:
        text = f"{type(error).__name__}: {error}"
    printable = "".join(char if char.isprintable() else "?" for char in text)
    return printable[:MAX_REASON_CHARS]


_JSON = msgspec.json.Encoder()
# Strict JSON (RFC 8259), about 3 times faster than json.loads: NaN, Infinity, numbers too large
# for a float, lone surrogates and a byte-order mark are refused, as Alexa never sends them.
_STRICT_JSON = msgspec.json.Decoder()


def json_response(body: dict[str, Any]) -> Response:
    """The skill's answer as compact UTF-8 JSON. (msgspec: Flask's `jsonify` sorts the keys
    through json.dumps, ten times the time.) Text that UTF-8 cannot carry raises."""
    return Response(_JSON.encode(body), mimetype="application/json")


def reject(error: BaseException) -> Response:
    """The fixed answer to a refused request; the reason is logged, never sent."""
    status = rejection_status(error)
    log.warning("rejected Alexa request (%d): %s", status, one_line(error))
    response = Response(REJECTION_BODIES[status], status, mimetype="text/plain")
    response.headers["Connection"] = "close"  # a body left half-read must not be parsed next
    return response


def verified_event(incoming: Request, verifier: AlexaRequestVerifier) -> dict[str, Any]:
    """The request's JSON object once every check has passed; raises on anything else."""
    if incoming.mimetype != "application/json":
        raise Rejected("content type is not JSON", 415)
    if incoming.content_length is not None and incoming.content_length > MAX_BODY_BYTES:
        raise Rejected(f"body of {incoming.content_length} bytes is over the limit", 413)
    body = incoming.stream.read(MAX_BODY_BYTES + 1)  # a chunked body has no length to check
    if len(body) > MAX_BODY_BYTES:
        raise Rejected("body is over the limit", 413)
    try:
        event = _STRICT_JSON.decode(body)
    except (ValueError, RecursionError):  # not strict JSON, bad UTF-8, deep nesting
        raise Rejected("body is not JSON") from None
    if not isinstance(event, dict):
        raise Rejected("body is not a JSON object")
    verifier.verify(incoming.headers, body, event)
    return event


def alexa_blueprint(
    skill: CustomSkill, verifier: AlexaRequestVerifier, settings: Settings
) -> Blueprint:
    blueprint = Blueprint("alexa", __name__)

    @blueprint.post("/alexa")
    def alexa() -> Any:
        with request_budget():
            try:  # the one boundary: reading, parsing and verifying
                event = verified_event(request, verifier)
            except Exception as error:
                return reject(error)
            try:
                return json_response(handle_event(skill, event))
            except RequestRejected as error:
                return reject(error)
            except Exception:
                log.exception("the skill failed outside its own error handling")
                return json_response(APOLOGY)

    return blueprint
