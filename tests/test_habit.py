"""The daily habit, end to end through the Lambda entry on both stores, with Alexa's service
APIs served by a local HTTPS server (skill/simulator/alexa_api.py) that checks each call against
Amazon's API references: local days from the device's time zone, "how am I doing", reminders
by voice with voice-forward consent, and every API failure answered in words."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from skill.alexa.api_client import READ_TIMEOUT_SECONDS
from skill.alexa.consent import CONSENT_TOKEN, CONSENT_URI
from skill.alexa.reminders import REMINDERS_SCOPE
from skill.simulator.alexa_api import AlexaApiServer, Failure
from skill.simulator.envelopes import SimulatedDevice
from skill.simulator.resolver import Resolver, SlotMatch
from tests.support.skill_env import (
    SkillEnv,
    ends_session,
    reprompt,
    spoken,
    sqlite_only,
    whole_routine,
)

USER = "amzn1.ask.account.HABIT"
WEEKDAYS = SlotMatch("frequency", "every weekday", "weekdays", "ReminderFrequency", "every weekday")


@pytest.fixture
def api(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[AlexaApiServer]:
    with AlexaApiServer(tmp_path) as server:
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(server.ca_file))
        yield server
    assert server.problems == []  # every call matched Amazon's API reference


def device_for(skill_env: SkillEnv, api: AlexaApiServer, user: str = USER) -> SimulatedDevice:
    return SimulatedDevice(
        skill_env.handler, user_id=user, clock=skill_env.clock, api_endpoint=api.url
    )


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def complete_at(skill_env: SkillEnv, device: SimulatedDevice, moment: str) -> dict:
    """A fresh session at `moment` (a UTC ISO time) that completes the default routine."""
    if device.session_open:
        device.end_session()
    skill_env.clock.now = at(moment)
    return whole_routine(device)[1]


def directive(response: dict, kind: str) -> dict | None:
    found = [d for d in response["response"].get("directives", []) if d["type"] == kind]
    return found[0] if found else None


def grant(device: SimulatedDevice, api: AlexaApiServer) -> None:
    api.granted = True
    device.grant(REMINDERS_SCOPE)


# -- local days -----------------------------------------------------------------------------


def test_los_angeles_evening_and_next_morning_are_two_days(
    skill_env: SkillEnv, api: AlexaApiServer
) -> None:
    device = device_for(skill_env, api)
    # 6 pm on the 19th and 9 am on the 20th in Los Angeles: both the 20th in UTC
    first = complete_at(skill_env, device, "2026-11-20T02:00:00+00:00")
    assert "That's your first completed routine." in spoken(first)
    second = complete_at(skill_env, device, "2026-11-20T17:00:00+00:00")
    assert "That's two days in a row." in spoken(second)
    saved = skill_env.saved(USER)
    assert saved["history"]["last_day"] == "2026-11-20"
    assert saved["history"]["recent"] == ["2026-11-19", "2026-11-20"]
    assert saved["profile"]["time_zone"] == "America/Los_Angeles"
    reads = api.calls_to("GET", "/v2/devices/")
    path = f"/v2/devices/{device.info.device_id}/settings/System.timeZone"
    assert all(call.path == path for call in reads)
    assert len(reads) == 2  # once per session start, not on every turn


def test_kolkata_one_am_counts_on_the_local_day(skill_env: SkillEnv, api: AlexaApiServer) -> None:
    api.time_zone = "Asia/Kolkata"
    device = device_for(skill_env, api)
    complete_at(skill_env, device, "2026-11-22T18:00:00+00:00")  # 11:30 pm on the 22nd
    complete_at(skill_env, device, "2026-11-22T19:30:00+00:00")  # 1 am on the 23rd, same UTC day
    history = skill_env.saved(USER)["history"]
    assert (history["last_day"], history["streak"]) == ("2026-11-23", 2)


def test_days_follow_the_clock_change(skill_env: SkillEnv, api: AlexaApiServer) -> None:
    device = device_for(skill_env, api)
    complete_at(skill_env, device, "2026-11-01T06:30:00+00:00")  # 11:30 pm PDT, Oct 31
    # 11:30 pm PST on Nov 1, after clocks went back: a fixed PDT offset would say Nov 2
    response = complete_at(skill_env, device, "2026-11-02T07:30:00+00:00")
    assert "That's two days in a row." in spoken(response)
    assert skill_env.saved(USER)["history"]["recent"] == ["2026-10-31", "2026-11-01"]


def test_settings_api_down_uses_the_last_known_zone_then_recovers(
    skill_env: SkillEnv, api: AlexaApiServer
) -> None:
    device = device_for(skill_env, api)
    complete_at(skill_env, device, "2026-11-20T02:00:00+00:00")  # 6 pm on the 19th, LA
    api.fail["timezone"] = Failure(503, "SERVICE_UNAVAILABLE")
    response = complete_at(skill_env, device, "2026-11-20T17:00:00+00:00")  # 9 am on the 20th
    assert "That's two days in a row." in spoken(response)  # UTC would say "two routines"
    api.time_zone = "Asia/Kolkata"
    del api.fail["timezone"]
    device.end_session()
    skill_env.clock.now = at("2026-11-20T19:00:00+00:00")
    device.launch()
    assert skill_env.saved(USER)["profile"]["time_zone"] == "Asia/Kolkata"


def test_without_any_known_zone_a_slow_api_falls_back_to_utc_in_time(
    skill_env: SkillEnv, api: AlexaApiServer
) -> None:
    api.fail["timezone"] = Failure(hang=True)
    device = device_for(skill_env, api)
    skill_env.clock.now = at("2026-11-20T02:00:00+00:00")
    started = time.monotonic()
    welcome = device.launch()
    assert time.monotonic() - started < READ_TIMEOUT_SECONDS + 1.5
    assert spoken(welcome).startswith("Welcome to Back Stretches.")
    device.intent("StartRoutineIntent")
    response = device.intent("ReadyIntent")
    while not ends_session(response):
        response = device.intent("ReadyIntent")
    saved = skill_env.saved(USER)
    assert (saved["history"]["last_day"], saved["profile"]["time_zone"]) == ("2026-11-20", "")


# -- how am I doing -------------------------------------------------------------------------


def test_how_am_i_doing_tells_streaks_week_and_total(
    skill_env: SkillEnv, api: AlexaApiServer
) -> None:
    device = device_for(skill_env, api)
    assert "You haven't completed a routine yet." in spoken(device.intent("StatsIntent"))
    for day in ("2026-11-10", "2026-11-11", "2026-11-12", "2026-11-16", "2026-11-17"):
        complete_at(skill_env, device, f"{day}T20:00:00+00:00")  # noon in Los Angeles
    if device.session_open:  # the reminder offer after the second routine, left unanswered
        device.end_session()
    skill_env.clock.now = at("2026-11-17T22:00:00+00:00")
    device.launch()
    response = device.intent("StatsIntent")
    assert spoken(response) == (
        "You're on a two day streak. Your best streak is three days in a row. "
        "You've stretched on four of the last seven days, and completed five routines in all. "
        "Say start to begin the lower back routine, or list routines to hear them all."
    )
    assert not ends_session(response)


# -- the offer after the second routine -----------------------------------------------------


def test_second_routine_offers_a_reminder_and_yes_asks_consent_then_creates_it(
    skill_env: SkillEnv, api: AlexaApiServer
) -> None:
    device = device_for(skill_env, api)
    first = complete_at(skill_env, device, "2026-11-20T02:00:00+00:00")
    assert ends_session(first) and "reminder" not in spoken(first)
    second = complete_at(skill_env, device, "2026-11-20T17:05:00+00:00")  # 9:05 am in LA
    assert spoken(second).endswith(
        "That's two days in a row. Would you like a reminder to stretch at this time every day?"
    )
    assert reprompt(second) == "Would you like a reminder to stretch at this time every day?"
    assert not ends_session(second)

    asked = device.intent("AMAZON.YesIntent")
    start = directive(asked, "Connections.StartConnection")
    assert start is not None and start["uri"] == CONSENT_URI
    assert start["input"] == {
        "@type": "AskForPermissionsConsentRequest",
        "@version": "2",
        "permissionScopes": [{"permissionScope": REMINDERS_SCOPE, "consentLevel": "ACCOUNT"}],
    }
    assert "outputSpeech" not in asked["response"] and api.calls_to("POST", "/v1") == []
    assert skill_env.saved(USER)["profile"]["reminder_wish"] == "daily 09:05"

    grant(device, api)
    done = device.resume(start["token"], "ACCEPTED")
    assert spoken(done) == (
        "Done. I'll remind you to stretch every day at 9:05 a.m. "
        "Come back tomorrow and keep it going."
    )
    assert ends_session(done)
    [posted] = api.calls_to("POST", "/v1/alerts/reminders")
    trigger = posted.body["trigger"]
    assert trigger["timeZoneId"] == "America/Los_Angeles"
    assert trigger["recurrence"]["recurrenceRules"] == ["FREQ=DAILY;BYHOUR=9;BYMINUTE=5;BYSECOND=0"]
    assert trigger["scheduledTime"] == "2026-11-21T09:05:00"  # the next 9:05, local
    assert posted.body["alertInfo"]["spokenInfo"]["content"] == [
        {
            "locale": "en-US",
            "text": "Time for your back stretches. Say: Alexa, open back stretches.",
        }
    ]
    assert posted.body["pushNotification"] == {"status": "ENABLED"}
    saved = skill_env.saved(USER)
    assert (saved["profile"]["reminder"], saved["profile"]["reminder_wish"]) == ("set", "")
    assert saved["history"]["completed"] == 2

    third = complete_at(skill_env, device, "2026-11-21T17:00:00+00:00")
    assert ends_session(third) and "reminder" not in spoken(third)


@pytest.mark.parametrize(
    ("result", "code", "said"),
    [
        ("DENIED", "200", "Okay, no reminders."),
        ("NOT_ANSWERED", "200", "I didn't get an answer, so I haven't set a reminder."),
        ("ACCEPTED", "500", "I've sent a card to your Alexa app where you can allow it"),
    ],
)
def test_consent_not_given_is_answered_kindly(
    skill_env: SkillEnv, api: AlexaApiServer, result: str, code: str, said: str
) -> None:
    device = device_for(skill_env, api)
    skill_env.clock.now = at("2026-11-20T17:00:00+00:00")
    device.launch()
    device.intent("StartRoutineIntent")
    asked = device.intent("SetReminderIntent", {"frequency": WEEKDAYS, "time": "15:00"})
    assert directive(asked, "Connections.StartConnection") is not None
    answer = device.resume(CONSENT_TOKEN, result, code=code)
    assert said in spoken(answer)
    assert spoken(answer).endswith(
        "Say ready when you're standing with your feet shoulder width apart."
    )
    assert not ends_session(answer)
    card = answer["response"].get("card")
    if code != "200":  # the device could not ask by voice: the permissions card instead
        assert card == {"type": "AskForPermissionsConsent", "permissions": [REMINDERS_SCOPE]}
    else:
        assert card is None
    assert api.calls_to("POST", "/v1") == []
    saved = skill_env.saved(USER)
    assert saved["state"]["phase"] == "introducing" and saved["profile"]["reminder_wish"] == ""


def test_no_to_the_offer_is_remembered(skill_env: SkillEnv, api: AlexaApiServer) -> None:
    device = device_for(skill_env, api)
    complete_at(skill_env, device, "2026-11-20T17:00:00+00:00")
    offer = complete_at(skill_env, device, "2026-11-21T17:00:00+00:00")
    assert "Would you like a reminder" in spoken(offer)
    no = device.intent("AMAZON.NoIntent")
    assert (
        spoken(no) == "Okay, no reminder. I won't ask again. Come back tomorrow and keep it going."
    )
    assert ends_session(no)
    assert skill_env.saved(USER)["profile"]["reminder"] == "declined"
    later = complete_at(skill_env, device, "2026-11-22T17:00:00+00:00")
    assert "reminder" not in spoken(later) and ends_session(later)


def test_anything_but_yes_or_no_drops_the_offer(skill_env: SkillEnv, api: AlexaApiServer) -> None:
    device = device_for(skill_env, api)
    complete_at(skill_env, device, "2026-11-20T17:00:00+00:00")
    complete_at(skill_env, device, "2026-11-21T17:00:00+00:00")
    stats = device.intent("StatsIntent")
    assert "completed two routines in all" in spoken(stats)
    assert skill_env.saved(USER)["state"]["pending"] == ""
    yes = device.intent("AMAZON.YesIntent")  # no question pending any more: not a reminder
    assert directive(yes, "Connections.StartConnection") is None


# -- reminders by voice ---------------------------------------------------------------------


def test_reminders_by_voice_set_list_and_cancel_mid_routine(
    skill_env: SkillEnv, api: AlexaApiServer
) -> None:
    device = device_for(skill_env, api)
    grant(device, api)
    skill_env.clock.now = at("2026-11-20T17:00:00+00:00")  # Friday 9 am in Los Angeles
    device.launch()
    device.intent("StartRoutineIntent")
    prompt = "Say ready when you're standing with your feet shoulder width apart."

    weekdays = device.intent("SetReminderIntent", {"frequency": WEEKDAYS, "time": "15:00"})
    assert spoken(weekdays) == f"Done. I'll remind you to stretch every weekday at 3 p.m. {prompt}"
    assert reprompt(weekdays) == prompt
    [posted] = api.calls_to("POST", "/v1/alerts/reminders")
    assert posted.body["trigger"]["recurrence"]["recurrenceRules"] == [
        "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=15;BYMINUTE=0;BYSECOND=0"
    ]
    assert posted.body["trigger"]["scheduledTime"] == "2026-11-20T15:00:00"

    daily = device.intent("SetReminderIntent", {"frequency": None, "time": "EV"})
    assert spoken(daily).startswith("Done. I'll remind you to stretch every day at 6 p.m.")

    listed = device.intent("ListRemindersIntent")  # ask-sdk-model 1.82.0 cannot read these
    assert spoken(listed) == (
        "You have two reminders from me: every weekday at 3 p.m., every day at 6 p.m. " + prompt
    )
    cancelled = device.intent("CancelRemindersIntent")
    assert spoken(cancelled) == f"Okay, I've cancelled two reminders. {prompt}"
    assert len(api.calls_to("DELETE", "/v1/alerts/reminders/")) == 2 and api.reminders == {}
    assert spoken(device.intent("ListRemindersIntent")).startswith(
        "You don't have any reminders from me."
    )
    saved = skill_env.saved(USER)
    assert (saved["state"]["phase"], saved["state"]["stretch"]) == ("introducing", 0)


def test_a_time_alexa_did_not_understand_is_asked_again(
    skill_env: SkillEnv, api: AlexaApiServer
) -> None:
    device = device_for(skill_env, api)
    grant(device, api)
    response = device.intent("SetReminderIntent", {"frequency": WEEKDAYS, "time": "?"})
    assert (
        "Sorry, I didn't catch the time. For example, say: remind me every weekday at 3 p.m."
        in spoken(response)
    )
    assert api.calls_to("POST", "/v1") == []


FAILURES = [
    (Failure(401, "UNAUTHORIZED"), "I don't have permission to use your reminders."),
    (Failure(403, "MAX_REMINDERS_EXCEEDED"), "You have too many reminders already."),
    (Failure(403, "DEVICE_NOT_SUPPORTED"), "Sorry, Alexa wouldn't accept that reminder."),
    (Failure(400, "INVALID_RECURRENCE"), "Sorry, Alexa wouldn't accept that reminder."),
    (Failure(429, "TOO_MANY_REQUESTS"), "Sorry, I couldn't reach your reminders just now."),
    (Failure(500, "INTERNAL_SERVER_ERROR"), "Sorry, I couldn't reach your reminders just now."),
    (Failure(503, "SERVICE_UNAVAILABLE"), "Sorry, I couldn't reach your reminders just now."),
    (Failure(hang=True), "Sorry, I couldn't reach your reminders just now."),
]


@pytest.mark.parametrize(("failure", "said"), FAILURES, ids=lambda v: getattr(v, "code", ""))
def test_every_reminders_api_failure_is_answered_and_the_routine_kept(
    skill_env: SkillEnv, api: AlexaApiServer, failure: Failure, said: str
) -> None:
    device = device_for(skill_env, api)
    grant(device, api)
    device.launch()
    device.intent("StartRoutineIntent")
    device.intent("ReadyIntent")  # the toe reach is done; next up the crunch rotations
    before = skill_env.saved(USER)["state"]
    api.fail["reminders"] = failure
    prompt = "Say next when you're ready for the standing crunch rotations"
    for intent, slots in (
        ("SetReminderIntent", {"frequency": WEEKDAYS, "time": "15:00"}),
        ("ListRemindersIntent", None),
        ("CancelRemindersIntent", None),
    ):
        started = time.monotonic()
        response = device.intent(intent, slots)
        assert time.monotonic() - started < READ_TIMEOUT_SECONDS + 1.5
        assert spoken(response).startswith(said), intent
        assert prompt in spoken(response) and not ends_session(response)
        card = response["response"].get("card")
        assert (card is not None) == (failure.status == 401 and not failure.hang)
        assert skill_env.saved(USER)["state"] == before
    assert "Nicely done" not in spoken(device.intent("ReadyIntent"))  # on to the next stretch


def test_consent_given_but_refused_by_the_api_sends_the_card(
    skill_env: SkillEnv, api: AlexaApiServer
) -> None:
    device = device_for(skill_env, api)
    device.launch()
    asked = device.intent("SetReminderIntent", {"frequency": WEEKDAYS, "time": "07:30"})
    assert directive(asked, "Connections.StartConnection") is not None
    answer = device.resume(CONSENT_TOKEN, "ACCEPTED")  # yet the API still answers 401
    assert spoken(answer).startswith("I don't have permission to use your reminders.")
    assert answer["response"]["card"]["type"] == "AskForPermissionsConsent"
    assert len(api.calls_to("POST", "/v1/alerts/reminders")) == 1 and api.reminders == {}
    assert skill_env.saved(USER)["profile"]["reminder"] == ""


def test_stats_show_on_a_screen(skill_env: SkillEnv, api: AlexaApiServer) -> None:
    device = SimulatedDevice(
        skill_env.handler, user_id=USER, clock=skill_env.clock, api_endpoint=api.url, screen=True
    )
    complete_at(skill_env, device, "2026-11-20T17:00:00+00:00")
    device.launch()
    response = device.intent("StatsIntent")
    [render] = response["response"]["directives"]
    [card] = render["datasources"]["payload"]["screen"]["cards"]
    assert (card["state"], card["title"]) == ("Your progress", "1 day streak · best 1")
    assert card["progress"] == "1 of the last 7 days · 1 in all"
    assert card["cue"] in spoken(response)


@sqlite_only
def test_a_history_saved_before_best_and_recent_days_still_reads(
    skill_env: SkillEnv, api: AlexaApiServer
) -> None:
    device = device_for(skill_env, api)
    skill_env.clock.now = at("2026-11-20T17:00:00+00:00")  # 9 am on the 20th in Los Angeles
    device.launch()
    old = '{"completed": 7, "streak": 3, "last_day": "2026-11-19"}'
    with sqlite3.connect(skill_env.store.path) as connection:
        connection.execute("UPDATE progress SET history = ? WHERE user_id = ?", (old, USER))
    device.end_session()
    device.launch()
    assert spoken(device.intent("StatsIntent")).startswith(
        "You're on a three day streak. Your best streak is three days in a row. "
        "You've stretched on one of the last seven days, and completed seven routines in all."
    )


@pytest.mark.parametrize(
    ("said", "intent", "frequency"),
    [
        ("remind me to stretch every weekday at 3 pm", "SetReminderIntent", "weekdays"),
        ("remind me every day at 9 am", "SetReminderIntent", "daily"),
        ("set a daily reminder", "SetReminderIntent", "daily"),
        ("what reminders do i have", "ListRemindersIntent", None),
        ("cancel my reminders", "CancelRemindersIntent", None),
        ("how am i doing", "StatsIntent", None),
        ("what's my streak", "StatsIntent", None),
        ("how many days this week", "StatsIntent", None),
    ],
)
def test_the_habit_phrases_reach_their_intents(
    said: str, intent: str, frequency: str | None
) -> None:
    match = Resolver.default().resolve(said)
    assert match is not None and match.intent == intent
    resolved = {slot.name: slot.resolved_id for slot in match.slots}
    assert resolved.get("frequency") == frequency


@pytest.mark.parametrize(
    ("typed", "sent"),
    [
        ("3 pm", "15:00"),
        ("9 30 am", "09:30"),
        ("12 am", "00:00"),
        ("noon", "12:00"),
        ("15 00", "15:00"),
        ("three pm", "15:00"),
        ("evening", "EV"),
        ("13 pm", "?"),
    ],
)
def test_simulated_times_arrive_as_alexa_sends_them(typed: str, sent: str) -> None:
    match = Resolver.default().resolve(f"remind me every day at {typed}")
    assert match is not None
    assert {slot.name: slot.spoken for slot in match.slots}["time"] == sent
