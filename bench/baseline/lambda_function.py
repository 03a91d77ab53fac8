"""A minimal ask-sdk "hello world" skill: what any Alexa skill costs before doing anything.

No store, no content: a LaunchRequest handler and a catch-all IntentRequest handler, both
answering "hello", built with ask-sdk-core's SkillBuilder.
"""

from __future__ import annotations

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.skill_builder import SkillBuilder
from ask_sdk_core.utils import is_request_type
from ask_sdk_model import Response


class HelloHandler(AbstractRequestHandler):
    """Answers "hello" to every request of one type, keeping the session open."""

    def __init__(self, request_type: str) -> None:
        self.request_type = request_type

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type(self.request_type)(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        return handler_input.response_builder.speak("hello").ask("hello").response


_builder = SkillBuilder()
_builder.add_request_handler(HelloHandler("LaunchRequest"))
_builder.add_request_handler(HelloHandler("IntentRequest"))
lambda_handler = _builder.lambda_handler()
