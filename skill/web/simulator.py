"""The browser simulator: a page at / where anyone can do the routine without an Echo.

Each browser is its own simulated user (a random ID in a cookie), talking in-process to a
second instance of the skill on its own store, so it can never touch a real Alexa user's
progress. The browser keeps the Alexa session between turns, as the device would.

The page shows what an Echo Show would: the screen data and the pictures of the APL
document the skill sent, switched by the same ticks, and its buttons send the same UserEvents.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, jsonify, request, send_from_directory

from skill.alexa.entry import handle_event
from skill.alexa.skill import build_skill
from skill.config import Settings
from skill.simulator.envelopes import SimulatedDevice
from skill.simulator.resolver import Resolver
from skill.speech.readable import moments
from skill.speech.timeline import Spoken
from skill.storage.sqlite_store import SQLiteStore

STATIC = Path(__file__).parent / "static"
USER_COOKIE = "simulated_user"
USER_PREFIX = "amzn1.ask.account.SIMULATOR-"
MAX_UTTERANCE = 200
MAX_ACTION = 40
ACTIONS = ("launch", "say", "touch", "timeout")


def _speech(ssml: str | None) -> list[dict[str, Any]]:
    if not ssml:
        return []
    return [
        {"say": m.text} if isinstance(m, Spoken) else {"silence": m.seconds} for m in moments(ssml)
    ]


def _screen(body: dict[str, Any]) -> dict[str, Any] | None:
    """The screen data of the APL document in a response, with the pictures it carries."""
    for directive in body.get("directives") or []:
        if directive.get("type", "").endswith("APL.RenderDocument"):
            screen = directive["datasources"]["payload"]["screen"]
            graphics = directive["document"]["graphics"]
            shown = {card["picture"] for card in screen["cards"]}
            return {**screen, "pictures": {name: graphics[name] for name in shown if name}}
    return None


def simulator_blueprint(settings: Settings) -> Blueprint:
    blueprint = Blueprint("simulator", __name__)
    skill = build_skill(SQLiteStore(settings.simulator_db_path))
    resolver = Resolver.default()

    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        return handle_event(skill, event, context)

    @blueprint.get("/")
    def page() -> Response:
        response = send_from_directory(STATIC, "simulator.html")
        response.headers["Cache-Control"] = "no-store"
        return response

    @blueprint.get("/simulator/<path:name>")
    def asset(name: str) -> Response:
        return send_from_directory(STATIC, name)

    @blueprint.post("/simulator/turn")
    def turn() -> Any:
        data = request.get_json(silent=True)
        if not isinstance(data, dict) or data.get("action") not in ACTIONS:
            return jsonify(error="expected {action: launch|say|touch|timeout, ...}"), 400
        text, button = data.get("text"), data.get("button")
        if data["action"] == "say" and (not isinstance(text, str) or not text.strip()):
            return jsonify(error="say needs text"), 400
        a_button = isinstance(button, str) and 0 < len(button) <= MAX_ACTION
        if data["action"] == "touch" and not a_button:
            return jsonify(error="touch needs the button's action"), 400
        user = request.cookies.get(USER_COOKIE, "")
        if not (user.isalnum() and len(user) == 32):
            user = secrets.token_hex(16)
        device = SimulatedDevice(handler, user_id=USER_PREFIX + user, screen=True)
        session = data.get("session")
        device.restore_session(session if isinstance(session, dict) else {})
        heard = None
        if data["action"] == "launch":
            reply = device.launch()
        elif data["action"] == "timeout":
            if not device.session_open:
                return jsonify(speech=[], reprompt=[], screen=None, session=None, heard=None)
            reply = device.end_session("EXCEEDED_MAX_REPROMPTS")
        elif data["action"] == "touch":
            reply = device.touch(button)
        else:
            match = resolver.resolve(text[:MAX_UTTERANCE])
            heard = match.intent if match else "AMAZON.FallbackIntent"
            reply = device.say(text[:MAX_UTTERANCE], resolver)
        body = reply.get("response", {})
        reprompt = (body.get("reprompt") or {}).get("outputSpeech", {}).get("ssml")
        result = jsonify(
            speech=_speech(body.get("outputSpeech", {}).get("ssml")),
            reprompt=_speech(reprompt),
            screen=_screen(body),
            session=device.session_snapshot() if device.session_open else None,
            heard=heard,
        )
        result.set_cookie(USER_COOKIE, user, max_age=365 * 86400, httponly=True, samesite="Strict")
        return result

    return blueprint
