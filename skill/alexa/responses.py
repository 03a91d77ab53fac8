"""Turns the state machine's reply plan into an Alexa response: SSML, reprompt, session
flag and, on screen devices, visuals."""

from __future__ import annotations

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_supported_interfaces
from ask_sdk_model import Response

from skill.conversation.plan import ReplyPlan
from skill.speech.ssml import text_to_ssml, to_ssml


def has_screen(handler_input: HandlerInput) -> bool:
    """Whether the device renders APL (only then may a RenderDocument be sent)."""
    try:
        interfaces = get_supported_interfaces(handler_input)
    except (AttributeError, TypeError):  # an envelope without context.System.device
        return False
    return interfaces is not None and interfaces.alexa_presentation_apl is not None


def build_response(handler_input: HandlerInput, reply: ReplyPlan | None) -> Response:
    builder = handler_input.response_builder
    if reply is None:  # after SessionEndedRequest nothing may be said
        return builder.response
    builder.speak(to_ssml(reply.speech))
    if reply.reprompt is not None:
        builder.ask(text_to_ssml(reply.reprompt))
    builder.set_should_end_session(reply.end_session)
    if not has_screen(handler_input):
        return builder.response
    # imported here: the APL models and the screens cost every voice-only cold start 11 ms
    from skill.speech.visuals import render_document

    directive = render_document(reply)
    if directive is not None:
        from ask_sdk_model.interfaces.alexa.presentation.apl import RenderDocumentDirective

        builder.add_directive(
            RenderDocumentDirective(
                token=directive["token"],
                document=directive["document"],
                datasources=directive["datasources"],
            )
        )
    return builder.response
