"""Touch: a screen button sends an Alexa.Presentation.APL.UserEvent whose first argument names
its action; the action becomes the same dialogue event the spoken intent would."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_request_type
from ask_sdk_model import Response

from skill.conversation.events import Event, EventName

if TYPE_CHECKING:  # skill.alexa.handlers registers this handler
    from skill.alexa.handlers import Conversation

log = logging.getLogger(__name__)
USER_EVENT = "Alexa.Presentation.APL.UserEvent"

TOUCH_EVENTS: dict[str, EventName] = {  # the button's action -> what saying it would do
    "ready": Event.READY,
    "next": Event.READY,
    "repeat": Event.REPEAT,
    "pause": Event.PAUSE,
    "stop": Event.STOP,
    "continue": Event.RESUME,
    "start_over": Event.START_OVER,
    "start": Event.START,
}


def touched_action(handler_input: HandlerInput) -> str | None:
    """The action a UserEvent carries as its first argument, if it is a string."""
    arguments = getattr(handler_input.request_envelope.request, "arguments", None)
    if isinstance(arguments, list) and arguments and isinstance(arguments[0], str):
        return arguments[0]
    return None


class TouchHandler(AbstractRequestHandler):
    """A button press, answered exactly as the spoken intent; an unknown one as not understood."""

    def __init__(self, conversation: Conversation) -> None:
        self.conversation = conversation

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type(USER_EVENT)(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        action = touched_action(handler_input)
        event = TOUCH_EVENTS.get(action or "")
        if event is None:
            log.info("unknown touch action %r", action)
        return self.conversation.respond(handler_input, event or Event.UNKNOWN)
