"""The hello-world skill remembering its users in DynamoDB the ask-sdk way: what any skill that
keeps progress on DynamoDB costs before doing anything.

ask-sdk's `DynamoDbAdapter` on the table named by SKILL_TABLE (its module builds its default
DynamoDB resource at import, as the SDK does), a LaunchRequest handler that reads the user's
attributes, counts the visit and saves them (one read and one put; ours reads, then saves a new
user with two conditional updates), and a catch-all IntentRequest handler; both answer
"hello". The bench builds it into a Lambda bundle as lambda_function.py.
"""

from __future__ import annotations

import os

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.skill_builder import CustomSkillBuilder
from ask_sdk_core.utils import is_request_type
from ask_sdk_dynamodb.adapter import DynamoDbAdapter
from ask_sdk_model import Response


class VisitCountingLaunchHandler(AbstractRequestHandler):
    """Reads the user's attributes, counts this visit, saves them and says hello."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("LaunchRequest")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        attributes = handler_input.attributes_manager.persistent_attributes
        attributes["visits"] = attributes.get("visits", 0) + 1
        handler_input.attributes_manager.save_persistent_attributes()
        return handler_input.response_builder.speak("hello").ask("hello").response


class HelloHandler(AbstractRequestHandler):
    """Answers "hello" to every IntentRequest, keeping the session open."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("IntentRequest")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        return handler_input.response_builder.speak("hello").ask("hello").response


_builder = CustomSkillBuilder(persistence_adapter=DynamoDbAdapter(os.environ["SKILL_TABLE"]))
_builder.add_request_handler(VisitCountingLaunchHandler())
_builder.add_request_handler(HelloHandler())
lambda_handler = _builder.lambda_handler()
