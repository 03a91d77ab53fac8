"""Carries out what the state machine asked of the Reminders API, asking for consent first
when the user has not granted it, and words every outcome. The routine state is never
changed here; only the profile's reminder fields are."""

from __future__ import annotations

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Directive
from ask_sdk_model.ui import Card
from msgspec import Struct
from msgspec.structs import replace

from skill.alexa.consent import ConsentAnswer, consent_directive, permissions_card
from skill.alexa.reminders import ReminderFailed, Reminders, has_permission
from skill.alexa.services import api_reachable
from skill.content.model import Catalog
from skill.conversation import habit_replies
from skill.conversation.habit_replies import ReminderResult
from skill.conversation.plan import ReplyPlan
from skill.conversation.profile import Profile, ReminderOffer
from skill.conversation.reminder import ReminderAction, ReminderCall, ReminderWish
from skill.conversation.state import DialogueState

_CONSENT_FAILURES = {
    ConsentAnswer.DENIED: ReminderResult.DENIED,
    ConsentAnswer.NOT_ANSWERED: ReminderResult.NOT_ANSWERED,
    ConsentAnswer.NOT_ASKED: ReminderResult.CARD_SENT,
}


class Answer(Struct, frozen=True):
    reply: ReplyPlan | None  # None: only the directive (Alexa's consent task speaks)
    profile: Profile
    directive: Directive | None = None
    card: Card | None = None


def carry_out(
    handler_input: HandlerInput,
    call: ReminderCall,
    state: DialogueState,
    profile: Profile,
    catalog: Catalog,
) -> Answer:
    reminders = Reminders(handler_input)
    if not api_reachable(handler_input):  # nothing to ask consent for, nor to call
        return _failed(ReminderResult.UNAVAILABLE, state, profile, catalog)
    try:
        if call.action is ReminderAction.CREATE:
            assert call.wish is not None, "the machine sends a wish with every CREATE"
            if not has_permission(handler_input):
                waiting = replace(profile, reminder_wish=call.wish.to_text())
                return Answer(None, waiting, directive=consent_directive())
            return _create(reminders, call.wish, state, profile, catalog)
        if call.action is ReminderAction.LIST:
            spoken = [_describe(rule) for rule in reminders.rules()]
            line = habit_replies.reminders_listed(spoken)
            return Answer(habit_replies.after_service(state, catalog, line), profile)
        count = reminders.cancel_all()
        if count and profile.reminder is ReminderOffer.SET:
            profile = replace(profile, reminder=ReminderOffer.DECLINED)
        line = habit_replies.reminders_cancelled(count)
        return Answer(habit_replies.after_service(state, catalog, line), profile)
    except ReminderFailed as failure:
        return _failed(failure.result, state, profile, catalog)


def after_consent(
    handler_input: HandlerInput,
    answer: ConsentAnswer,
    state: DialogueState,
    profile: Profile,
    catalog: Catalog,
) -> Answer:
    """The user came back from the consent task: create what they asked for, if allowed."""
    wish = ReminderWish.from_text(profile.reminder_wish)
    profile = replace(profile, reminder_wish="")
    if answer is not ConsentAnswer.ACCEPTED:
        if answer is ConsentAnswer.DENIED and profile.reminder is ReminderOffer.OFFERED:
            profile = replace(profile, reminder=ReminderOffer.DECLINED)
        return _failed(_CONSENT_FAILURES[answer], state, profile, catalog)
    if wish is None:
        line = f"Thanks. {habit_replies.REMINDER_EXAMPLE}"
        return Answer(habit_replies.after_service(state, catalog, line), profile)
    try:
        return _create(Reminders(handler_input), wish, state, profile, catalog)
    except ReminderFailed as failure:
        return _failed(failure.result, state, profile, catalog)


def _create(
    reminders: Reminders,
    wish: ReminderWish,
    state: DialogueState,
    profile: Profile,
    catalog: Catalog,
) -> Answer:
    reminders.create(wish, profile.time_zone)
    done = replace(profile, reminder=ReminderOffer.SET, reminder_wish="")
    reply = habit_replies.after_service(state, catalog, habit_replies.reminder_set(wish))
    return Answer(reply, done)


def _failed(
    result: ReminderResult, state: DialogueState, profile: Profile, catalog: Catalog
) -> Answer:
    line = habit_replies.reminder_failed(result)
    card = permissions_card() if result in _CARD_RESULTS else None
    return Answer(habit_replies.after_service(state, catalog, line), profile, card=card)


_CARD_RESULTS = frozenset({ReminderResult.NO_PERMISSION, ReminderResult.CARD_SENT})


def _describe(rule: str) -> str:
    wish = ReminderWish.from_rule(rule)
    return wish.spoken if wish is not None else ""
