"""Asking the user for the reminders permission: by voice (voice-forward consent, a
`Connections.StartConnection` to `AskForPermissionsConsent/2`), or with the permissions card
in the Alexa app when the device cannot ask by voice."""

from __future__ import annotations

from enum import StrEnum

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model.interfaces.connections.v1 import StartConnectionDirective
from ask_sdk_model.ui import AskForPermissionsConsentCard

from skill.alexa.reminders import REMINDERS_SCOPE

CONSENT_URI = "connection://AMAZON.AskForPermissionsConsent/2"
CONSENT_TOKEN = "reminders-consent"  # comes back as-is in the SessionResumedRequest


class ConsentAnswer(StrEnum):
    ACCEPTED = "ACCEPTED"
    DENIED = "DENIED"
    NOT_ANSWERED = "NOT_ANSWERED"
    NOT_ASKED = "NOT_ASKED"  # the consent task failed (status code not 200): use the card


def consent_directive() -> StartConnectionDirective:
    return StartConnectionDirective(
        uri=CONSENT_URI,
        input={
            "@type": "AskForPermissionsConsentRequest",
            "@version": "2",
            "permissionScopes": [{"permissionScope": REMINDERS_SCOPE, "consentLevel": "ACCOUNT"}],
        },
        token=CONSENT_TOKEN,
    )


def permissions_card() -> AskForPermissionsConsentCard:
    return AskForPermissionsConsentCard(permissions=[REMINDERS_SCOPE])


def consent_answer(handler_input: HandlerInput) -> ConsentAnswer | None:
    """What the SessionResumedRequest says the user answered; None if it is not about our
    consent request."""
    cause = getattr(handler_input.request_envelope.request, "cause", None)
    if cause is None or getattr(cause, "token", None) != CONSENT_TOKEN:
        return None
    code = getattr(getattr(cause, "status", None), "code", None)
    if str(code) != "200":
        return ConsentAnswer.NOT_ASKED
    result = getattr(cause, "result", None)
    status = result.get("status") if isinstance(result, dict) else None
    known = {answer.value for answer in ConsentAnswer} - {ConsentAnswer.NOT_ASKED.value}
    return ConsentAnswer(status) if status in known else ConsentAnswer.NOT_ANSWERED
