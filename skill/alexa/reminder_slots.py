"""The reminder a SetReminderIntent asks for, read from its slots: `frequency` (the
ReminderFrequency type: daily, weekdays, weekends) and `time` (AMAZON.TIME: "15:00", or a part
of the day such as "EV")."""

from __future__ import annotations

from datetime import time

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import IntentRequest

from skill.alexa.slots import resolved_id
from skill.conversation.reminder import Frequency, ReminderWish

FREQUENCY_SLOT = "frequency"
FREQUENCY_SLOT_TYPE = "ReminderFrequency"
TIME_SLOT = "time"
PARTS_OF_DAY = {"MO": 9, "AF": 15, "EV": 18, "NI": 20}  # AMAZON.TIME's vague times, as hours


def requested_wish(handler_input: HandlerInput, local_time: time | None) -> ReminderWish | None:
    """What the user asked for; no time said means now; None if the time was not understood."""
    request = handler_input.request_envelope.request
    slots = (
        request.intent.slots or {} if isinstance(request, IntentRequest) and request.intent else {}
    )
    frequency = _frequency(slots.get(FREQUENCY_SLOT))
    spoken = (getattr(slots.get(TIME_SLOT), "value", None) or "").strip()
    if not spoken:
        now = local_time or time(hour=9)
        return ReminderWish(frequency, now.hour, now.minute)
    if spoken in PARTS_OF_DAY:
        return ReminderWish(frequency, PARTS_OF_DAY[spoken])
    return ReminderWish.at(frequency, spoken)


def _frequency(slot: object) -> Frequency:
    """The resolved frequency; every day when the slot is empty or matched nothing."""
    value = resolved_id(slot)
    return Frequency(value) if value in {f.value for f in Frequency} else Frequency.DAILY
