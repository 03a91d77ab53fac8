"""The Alexa Reminders API (`/v1/alerts/reminders`), through ask-sdk's
`ReminderManagementServiceClient`, with every failure turned into a `ReminderResult`.

Listing goes around ask-sdk-model 1.82.0, which cannot read a reminder that has `alertInfo`
(its `AlertInfo` names a module that does not exist): the same GET is made through the same
client, and the JSON is read here.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model.services import ServiceException
from ask_sdk_model.services.reminder_management import (
    AlertInfo,
    PushNotification,
    PushNotificationStatus,
    Recurrence,
    ReminderManagementServiceClient,
    ReminderRequest,
    SpokenInfo,
    SpokenText,
    Trigger,
    TriggerType,
)

from skill.alexa.services import api_reachable, local_moment
from skill.conversation.habit_replies import ReminderResult
from skill.conversation.reminder import REMINDER_TEXT, ReminderWish

log = logging.getLogger(__name__)

REMINDERS_SCOPE = "alexa::alerts:reminders:skill:readwrite"
REMINDERS_PATH = "/v1/alerts/reminders"
MAX_CANCELLED = 10  # deletions per request, to stay well inside Alexa's 8 s


class ReminderFailed(Exception):
    def __init__(self, result: ReminderResult) -> None:
        super().__init__(result.value)
        self.result = result


def has_permission(handler_input: HandlerInput) -> bool:
    """Whether the request says the user granted this skill the reminders scope."""
    context = handler_input.request_envelope.context
    user = context.system.user if context is not None and context.system else None
    scopes = user.permissions.scopes if user is not None and user.permissions else None
    scope = (scopes or {}).get(REMINDERS_SCOPE)
    status = getattr(scope, "status", None)
    return status is not None and getattr(status, "value", status) == "GRANTED"


def reminder_request(
    wish: ReminderWish, time_zone: str, locale: str, now: datetime
) -> ReminderRequest:
    """A recurring reminder at the wish's local time, from its next occurrence on."""
    local_now = local_moment(now, time_zone)
    first = local_now.replace(hour=wish.hour, minute=wish.minute, second=0, microsecond=0)
    if first <= local_now:
        first += timedelta(days=1)
    start = first.replace(tzinfo=None)  # local wall-clock time, no offset, as the API wants
    return ReminderRequest(
        request_time=now.astimezone(UTC).replace(tzinfo=None, microsecond=0),
        trigger=Trigger(
            object_type=TriggerType.SCHEDULED_ABSOLUTE,
            scheduled_time=start,
            time_zone_id=time_zone or "UTC",
            recurrence=Recurrence(start_date_time=start, recurrence_rules=[wish.recurrence_rule]),
        ),
        alert_info=AlertInfo(
            spoken_info=SpokenInfo(content=[SpokenText(locale=locale, text=REMINDER_TEXT)])
        ),
        push_notification=PushNotification(status=PushNotificationStatus.ENABLED),
    )


class Reminders:
    """This skill's reminders for the user a request comes from."""

    def __init__(self, handler_input: HandlerInput) -> None:
        self.handler_input = handler_input

    def create(self, wish: ReminderWish, time_zone: str) -> None:
        request = self.handler_input.request_envelope.request
        locale = request.locale or "en-US"
        now = request.timestamp or datetime.now(UTC)
        body = reminder_request(wish, time_zone, locale, now)
        self._call(lambda client: client.create_reminder(body))

    def rules(self) -> list[str]:
        """The first recurrence rule of each of this skill's reminders ("" if it has none)."""
        return [_first_rule(alert) for alert in self._alerts()]

    def cancel_all(self) -> int:
        """Delete this skill's reminders; how many were deleted."""
        tokens = [alert.get("alertToken") for alert in self._alerts()][:MAX_CANCELLED]
        for token in tokens:
            if isinstance(token, str) and token:
                self._call(lambda client, token=token: client.delete_reminder(token))
        return len(tokens)

    def _alerts(self) -> list[dict[str, Any]]:
        listed = self._call(_list_raw)
        alerts = listed.get("alerts") if isinstance(listed, dict) else None
        return [alert for alert in alerts or [] if isinstance(alert, dict)]

    def _call(self, action: Any) -> Any:
        if not api_reachable(self.handler_input):
            raise ReminderFailed(ReminderResult.UNAVAILABLE)
        try:
            client = self.handler_input.service_client_factory.get_reminder_management_service()
            return action(client)
        except ServiceException as error:
            result = _result_of(error)
            log.warning("reminders API answered %s: %s", error.status_code, error)
            raise ReminderFailed(result) from error
        except Exception as error:  # bodies the SDK cannot read, a missing API client
            log.warning("reminders API call failed: %s", error)
            raise ReminderFailed(ReminderResult.UNAVAILABLE) from error


def _list_raw(client: ReminderManagementServiceClient) -> Any:
    """GET /v1/alerts/reminders as plain JSON (what `get_reminders` would fetch)."""
    response = client.invoke(
        method="GET",
        endpoint=client._api_endpoint,
        path=REMINDERS_PATH,
        path_params={},
        query_params=[],
        header_params=[
            ("Content-type", "application/json"),
            ("User-Agent", client.user_agent),
            ("Authorization", "Bearer " + client._authorization_value),
        ],
        body=None,
        response_definitions=[],
        response_type="object",
    )
    return response.body


def _result_of(error: ServiceException) -> ReminderResult:
    status = error.status_code
    if status == 401:
        return ReminderResult.NO_PERMISSION
    if status == 403:
        code = _error_code(error.body)
        return (
            ReminderResult.TOO_MANY if code == "MAX_REMINDERS_EXCEEDED" else ReminderResult.REFUSED
        )
    if status == 400:
        return ReminderResult.REFUSED
    return ReminderResult.UNAVAILABLE  # 429, 5xx, and the SDK's 500 for a failed call


def _error_code(body: object) -> str | None:
    """The `code` of the API's error body: the SDK's Error model, or raw JSON text."""
    code = getattr(body, "code", None)
    if code is None and isinstance(body, str):
        try:
            parsed = json.loads(body)
        except ValueError:
            return None
        code = parsed.get("code") if isinstance(parsed, dict) else None
    return code if isinstance(code, str) else None


def _first_rule(alert: dict[str, Any]) -> str:
    trigger = alert.get("trigger")
    recurrence = trigger.get("recurrence") if isinstance(trigger, dict) else None
    rules = recurrence.get("recurrenceRules") if isinstance(recurrence, dict) else None
    return rules[0] if isinstance(rules, list) and rules and isinstance(rules[0], str) else ""
