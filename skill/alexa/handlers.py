"""ask-sdk request handlers: each turns a request into a dialogue event and lets the state
machine decide the reply."""

from __future__ import annotations

import logging
import time
from datetime import timezone
from typing import TYPE_CHECKING

from ask_sdk_core.dispatch_components import AbstractExceptionHandler, AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_request_type
from ask_sdk_model import IntentRequest, Response

from skill.alexa.intents import FIXED_ROUTINES, INTENT_EVENTS, ROUTINE_SLOT, VALUE_SLOTS
from skill.alexa.progress import (
    OUTCOME_KEY,
    PROGRESS_KEY,
    SAVED_KEY,
    Progress,
    remember_in_session,
    settled_reply,
)
from skill.alexa.responses import build_response
from skill.alexa.slots import resolved_id
from skill.alexa.touch import TouchHandler
from skill.content.model import Catalog
from skill.conversation import machine, replies
from skill.conversation.events import Event, EventName
from skill.conversation.machine import Outcome, RoutineRequest, Turn
from skill.conversation.profile import Profile
from skill.conversation.state import DialogueState

if TYPE_CHECKING:
    from skill.alexa.reminder_flow import Answer
    from skill.conversation.reminder import ReminderWish

log = logging.getLogger(__name__)


def routine_request(handler_input: HandlerInput) -> RoutineRequest | None:
    """The routine named by the intent itself, or in its slot as Alexa's entity resolution
    resolved it."""
    request = handler_input.request_envelope.request
    if not isinstance(request, IntentRequest) or request.intent is None:
        return None
    fixed = FIXED_ROUTINES.get(request.intent.name)
    if fixed is not None:
        return RoutineRequest(fixed.replace("_", " "), fixed)
    slot = (request.intent.slots or {}).get(ROUTINE_SLOT)
    if slot is None or not (slot.value or "").strip():
        return None
    spoken = " ".join(slot.value.split())[:60]
    routine_id = resolved_id(slot)
    if routine_id is not None:
        return RoutineRequest(spoken, routine_id)
    return RoutineRequest(spoken, None)


def slot_value(handler_input: HandlerInput) -> str | None:
    """A DURATION or NUMBER slot's value as Alexa filled it ("PT1M", "15", "?"), if any."""
    request = handler_input.request_envelope.request
    if not isinstance(request, IntentRequest) or request.intent is None:
        return None
    slots = request.intent.slots or {}
    for name in VALUE_SLOTS:
        slot = slots.get(name)
        if slot is not None and isinstance(slot.value, str) and slot.value.strip():
            return slot.value.strip()[:40]
    return None


def request_time_ms(handler_input: HandlerInput) -> int:
    """When Alexa sent the request (ms since the epoch); now if its timestamp is unusable."""
    stamp = handler_input.request_envelope.request.timestamp
    try:
        aware = stamp if stamp.tzinfo else stamp.replace(tzinfo=timezone.utc)
        return int(aware.timestamp() * 1000)
    except (AttributeError, OverflowError, ValueError, OSError):
        return int(time.time() * 1000)


def intent_name(handler_input: HandlerInput) -> str | None:
    """The intent's name, or None (also for an IntentRequest that carries no intent)."""
    request = handler_input.request_envelope.request
    if not isinstance(request, IntentRequest) or request.intent is None:
        return None
    return request.intent.name


def _requested_wish(handler_input: HandlerInput, progress: Progress) -> ReminderWish | None:
    from skill.alexa.reminder_slots import requested_wish  # only for reminder requests

    return requested_wish(handler_input, progress.local_time)


class Conversation:
    """Runs one event through the state machine for a request and builds the response."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog

    def respond(self, handler_input: HandlerInput, event: EventName) -> Response:
        attributes = handler_input.attributes_manager.request_attributes
        progress: Progress = attributes[PROGRESS_KEY]
        session = handler_input.request_envelope.session
        turn = Turn(
            event=event,
            catalog=self.catalog,
            history=progress.history,
            today=progress.today,
            first_visit=progress.first_visit,
            profile=progress.profile,
            new_session=session is None or bool(session.new),
            routine_request=routine_request(handler_input) if event == Event.START else None,
            slot_value=slot_value(handler_input),
            now_ms=request_time_ms(handler_input),
            local_time=progress.local_time,
            reminder_wish=(
                _requested_wish(handler_input, progress) if event == Event.SET_REMINDER else None
            ),
        )
        outcome = machine.step(progress.state, turn)
        if outcome.reminder_call is None:
            attributes[OUTCOME_KEY] = outcome
            return build_response(handler_input, settled_reply(handler_input, outcome))
        from skill.alexa import reminder_flow  # the API models: only for reminder requests

        profile = outcome.profile or progress.profile
        answer = reminder_flow.carry_out(
            handler_input, outcome.reminder_call, outcome.state, profile, self.catalog
        )
        return self.answer(handler_input, outcome.state, answer)

    def answer(self, handler_input: HandlerInput, state: DialogueState, answer: Answer) -> Response:
        """Respond with what the reminders flow decided; the routine state stays as it is."""
        attributes = handler_input.attributes_manager.request_attributes
        attributes[OUTCOME_KEY] = Outcome(state, answer.reply, profile=answer.profile)
        response = build_response(handler_input, answer.reply)
        if answer.directive is not None:
            handler_input.response_builder.add_directive(answer.directive)
        if answer.card is not None:
            handler_input.response_builder.set_card(answer.card)
        return response


class SessionResumedHandler(AbstractRequestHandler):
    """Control back from Alexa's consent task: the user's answer to the reminders permission."""

    def __init__(self, conversation: Conversation) -> None:
        self.conversation = conversation

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("SessionResumedRequest")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        from skill.alexa import reminder_flow
        from skill.alexa.consent import consent_answer

        progress: Progress = handler_input.attributes_manager.request_attributes[PROGRESS_KEY]
        answer = consent_answer(handler_input)
        if answer is None:
            log.info("session resumed for something other than our consent request")
            return self.conversation.respond(handler_input, Event.REPEAT)
        decided = reminder_flow.after_consent(
            handler_input, answer, progress.state, progress.profile, self.conversation.catalog
        )
        return self.conversation.answer(handler_input, progress.state, decided)


class LaunchHandler(AbstractRequestHandler):
    def __init__(self, conversation: Conversation) -> None:
        self.conversation = conversation

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("LaunchRequest")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        return self.conversation.respond(handler_input, Event.LAUNCH)


class IntentHandler(AbstractRequestHandler):
    """The intents of the interaction model, each mapped to its dialogue event (one handler
    and a table, rather than one handler per intent asked in turn)."""

    def __init__(self, conversation: Conversation, events: dict[str, EventName]) -> None:
        self.conversation, self.events = conversation, events

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return intent_name(handler_input) in self.events

    def handle(self, handler_input: HandlerInput) -> Response:
        event = self.events[intent_name(handler_input)]  # type: ignore[index]
        return self.conversation.respond(handler_input, event)


class SessionEndedHandler(AbstractRequestHandler):
    """The session closed (timeout, user exit, error): keep the state as it is, say nothing."""

    def __init__(self, conversation: Conversation) -> None:
        self.conversation = conversation

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("SessionEndedRequest")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        request = handler_input.request_envelope.request
        error = getattr(request, "error", None)
        if error is not None:
            log.warning("session ended with error %s: %s", error.object_type, error.message)
        return self.conversation.respond(handler_input, Event.SESSION_ENDED)


class UnknownIntentHandler(AbstractRequestHandler):
    """An intent this skill does not know: answered like anything it did not understand."""

    def __init__(self, conversation: Conversation) -> None:
        self.conversation = conversation

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("IntentRequest")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        log.info("unknown intent %r", intent_name(handler_input))
        return self.conversation.respond(handler_input, Event.UNKNOWN)


class OtherRequestHandler(AbstractRequestHandler):
    """Requests that cannot take speech (System.ExceptionEncountered, screen events, ...)."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return True

    def handle(self, handler_input: HandlerInput) -> Response:
        log.info("ignoring request type %s", handler_input.request_envelope.request.object_type)
        return handler_input.response_builder.response


class ApologyHandler(AbstractExceptionHandler):
    """Anything that went wrong: log it, apologise, keep the session and the saved progress."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog

    def can_handle(self, handler_input: HandlerInput, exception: Exception) -> bool:
        return True

    def handle(self, handler_input: HandlerInput, exception: Exception) -> Response:
        log.exception("request failed: %s", exception)
        attributes = handler_input.attributes_manager.request_attributes
        progress: Progress | None = attributes.get(PROGRESS_KEY)
        # An outcome saved before its reply failed (a completion) is what the store holds, and
        # the save carried it to the next turn already: keep that, not the turn's start.
        saved: Outcome | None = attributes.get(OUTCOME_KEY) if attributes.get(SAVED_KEY) else None
        state = saved.state if saved else progress.state if progress else DialogueState()
        apology = "Sorry, something went wrong on my side."
        try:
            reply = replies.asking(state, self.catalog, apology)
        except Exception:  # the state itself is what broke: start the user afresh
            state, saved = DialogueState(), None
            reply = replies.asking(state, self.catalog, apology)
        if saved is None:
            history = progress.history if progress is not None else None
            profile = progress.profile if progress is not None else Profile()
            known = progress.profile_known if progress is not None else False
            remember_in_session(handler_input, state, history, profile, known)
        return build_response(handler_input, reply)


def request_handlers(catalog: Catalog) -> list[AbstractRequestHandler]:
    """Every handler, most specific first (the catch-alls last)."""
    conversation = Conversation(catalog)
    return [
        LaunchHandler(conversation),
        SessionResumedHandler(conversation),
        IntentHandler(conversation, INTENT_EVENTS),
        TouchHandler(conversation),
        SessionEndedHandler(conversation),
        UnknownIntentHandler(conversation),
        OtherRequestHandler(),
    ]
