"""Random requests never break the skill: each gets a 4xx (HTTP) or RequestRejected (Lambda),
or a response Alexa can play; never a 5xx or a stray exception, and a rejected request
changes no progress record.

Envelopes start from the simulator's real shapes (launch, intents with slots, session end,
other request types, session attributes holding saved states) and are then mutated at random
places: values replaced by any JSON (nulls, wrong types, huge numbers, NaN, deep nesting,
unicode, XML-hostile text), keys deleted, unknown keys added.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skill.alexa.entry import RequestRejected, encodes_as_strict_json
from skill.alexa.intents import INTENT_EVENTS
from skill.config import Settings
from skill.conversation.state import Phase
from skill.simulator.envelopes import (
    DEFAULT_SKILL_ID,
    DeviceInfo,
    SessionInfo,
    intent_request,
    launch_request,
    session_ended_request,
)
from skill.simulator.lambda_entry import load_lambda_module
from skill.simulator.resolver import SlotMatch
from skill.web import create_app
from skill.web.alexa_endpoint import REJECTION_BODIES
from skill.web.certificates import Clock
from skill.web.verification import SIGNATURE_256_HEADER, SIGNATURE_CERT_CHAIN_URL_HEADER
from tests.support.fuzzing import assert_alexa_response, progress_rows, strict_json
from tests.support.skill_env import SkillEnv, spoken, sqlite_only
from tests.support.test_ca import StaticFetcher, default_ca, default_leaf, signed_headers

USER = "amzn1.ask.account.FUZZ"
ESCAPED = "the skill failed outside its own error handling"  # alexa_endpoint's catch-all
FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)

# Values

NASTY_TEXT = [
    "",
    " ",
    "\x00",
    "\x01bad",
    "a\ud800b",
    "\ufffe",
    "<speak>&amp;</speak>",
    "]]>",
    "x" * 10_000,
    "🧘\u200d♀️ stretch",
    "ｄｅｓｋ ｂｒｅａｋ",
    "null",
    "1e999",
    "2026-13-45T99:99:99Z",
    "2026-11-23T18:00:00+99:00",
    "9999-12-31T23:59:59-12:00",
    DEFAULT_SKILL_ID,
    "amzn1.ask.skill.someone-else",
]
TEXT = st.one_of(
    st.text(max_size=30),
    st.text(st.characters(exclude_categories=()), max_size=10),  # lone surrogates too
    st.sampled_from(NASTY_TEXT),
)
NUMBERS = st.one_of(st.integers(), st.integers(-(10**300), 10**300), st.floats())


def nested(depth: int) -> list[Any]:
    """[[[...]]], depth lists deep."""
    value: list[Any] = []
    for _ in range(depth - 1):
        value = [value]
    return value


def json_values(max_depth: int) -> st.SearchStrategy[Any]:
    """Any JSON value (NaN and Infinity included), sometimes nested up to max_depth deep."""
    scalars = st.none() | st.booleans() | NUMBERS | TEXT
    trees = st.recursive(
        scalars,
        lambda children: (
            st.lists(children, max_size=3)
            | st.dictionaries(st.text(max_size=8), children, max_size=3)
        ),
        max_leaves=6,
    )
    return st.one_of(trees, trees, trees, st.integers(1, max_depth).map(nested))


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(json_values(40) | st.dictionaries(TEXT, json_values(4), max_size=3))
def test_the_strict_json_check_accepts_what_json_encodes_in_utf8(value: Any) -> None:
    """The check the session attributes get (the SDK echoes them) agrees with encoding them."""
    try:
        json.dumps(value, allow_nan=False, ensure_ascii=False).encode("utf-8")
    except ValueError:  # NaN or infinity; UnicodeEncodeError (a lone surrogate) is one too
        encodes = False
    else:
        encodes = True
    assert encodes_as_strict_json(value) is encodes


# Envelopes

INTENTS = [*INTENT_EVENTS, "SomeRetiredIntent", "AMAZON.ScrollUpIntent", ""]
OTHER_TYPES = [
    "System.ExceptionEncountered",
    "Alexa.Presentation.APL.UserEvent",
    "CanFulfillIntentRequest",
    "AudioPlayer.PlaybackStarted",
    "Connections.Response",
    "NotARequestType",
]
LOCALES = ["en-US", "en-GB", "en-IN", "de-DE", "ja-JP", "xx", ""]
ROUTINES = ["lower_back", "desk_break", "", "gone"]


@st.composite
def session_attributes(draw: st.DrawFn) -> dict[str, Any]:
    """A saved state (in range or not) and history, or any JSON object."""
    state = {
        "version": draw(st.sampled_from([1, 1, 1, 0, 2])),
        "routine": draw(st.sampled_from(ROUTINES)),
        "stretch": draw(st.integers(-1, 4)),
        "side": draw(st.integers(-1, 2)),
        "phase": draw(st.sampled_from([*(p.value for p in Phase), "dancing"])),
    }
    history = {"completed": draw(st.integers(-1, 5)), "streak": 1, "last_day": "2026-11-22"}
    valid = {"state": state, "history": history}
    return draw(st.just(valid) | st.dictionaries(st.text(max_size=8), json_values(10)))


ROUTINE_SLOT = st.one_of(
    st.none(),
    TEXT,
    st.builds(
        SlotMatch,
        st.just("routine"),
        TEXT,
        st.sampled_from([None, *ROUTINES]),
        st.just("RoutineName"),
        st.none() | TEXT,
    ),
)


@st.composite
def base_envelopes(draw: st.DrawFn, now: datetime) -> dict[str, Any]:
    """A request as the simulator builds it, from a known user, new or mid-session."""
    device = DeviceInfo(USER, locale=draw(st.sampled_from(LOCALES)), screen=draw(st.booleans()))
    new = draw(st.booleans())
    session = SessionInfo("amzn1.echo-api.session.fuzz", new, draw(session_attributes()))
    kind = draw(st.sampled_from(["launch", "intent", "end", "other"]))
    if kind == "intent":
        name = draw(st.sampled_from(INTENTS) | TEXT)
        slots = {"routine": draw(ROUTINE_SLOT)} if draw(st.booleans()) else None
        return intent_request(device, name, slots, session, now)
    if kind == "end":
        return session_ended_request(
            device, "ERROR", session, now, error_type="INTERNAL_SERVICE_ERROR"
        )
    event = launch_request(device, session, now)
    if kind == "other":
        event["request"]["type"] = draw(st.sampled_from(OTHER_TYPES))
    return event


def places(event: dict[str, Any]) -> list[tuple[dict[str, Any] | list[Any], Any]]:
    """Every (container, key or index) in the event."""
    found: list[tuple[dict[str, Any] | list[Any], Any]] = []
    stack: list[dict[str, Any] | list[Any]] = [event]
    while stack:
        node = stack.pop()
        for key, value in node.items() if isinstance(node, dict) else enumerate(node):
            found.append((node, key))
            if isinstance(value, dict | list):
                stack.append(value)
    return found


@st.composite
def envelopes(draw: st.DrawFn, now: datetime, max_depth: int) -> dict[str, Any]:
    """A base envelope after up to four random replacements, deletions and additions."""
    event = json.loads(json.dumps(draw(base_envelopes(now))))
    values = json_values(max_depth)
    for _ in range(draw(st.integers(0, 4))):
        spots = places(event)
        container, key = spots[draw(st.integers(0, len(spots) - 1))]
        action = draw(st.sampled_from(["replace", "delete", "add"]))
        if action == "replace":
            container[key] = draw(values)
        elif action == "delete":
            del container[key]
        elif isinstance(container, dict):
            container[draw(st.text(max_size=12))] = draw(values)
        else:
            container.append(draw(values))
    return event


# Raw HTTP bodies


def _valid_body() -> bytes:
    device = DeviceInfo(USER)
    return json.dumps(intent_request(device, "StartRoutineIntent", {"routine": "desk"})).encode()


VALID_BODY = _valid_body()
RAW_BODIES = st.one_of(
    st.binary(max_size=300),
    st.integers(0, len(VALID_BODY) - 1).map(lambda n: VALID_BODY[:n]),
    st.tuples(st.integers(1, 60_000), st.sampled_from([b"[", b'{"a":', b'{"request":'])).map(
        lambda t: t[1] * t[0]
    ),
    st.tuples(st.integers(1, 6_000), st.sampled_from([b"9", b"1e", b"-0."])).map(
        lambda t: VALID_BODY.replace(b'"version": "1.0"', b'"version": ' + t[1] + b"9" * t[0], 1)
    ),
    st.sampled_from([b"NaN", b"1e999", b'{"version": -1e999}', b"\xef\xbb\xbf{}", b"{}" * 3]),
    st.tuples(st.integers(0, len(VALID_BODY) - 1), st.binary(min_size=1, max_size=3)).map(
        lambda t: VALID_BODY[: t[0]] + t[1] + VALID_BODY[t[0] + 1 :]
    ),
)
CONTENT_TYPES = ["application/json", "application/json; charset=utf-8", "text/plain", ""]


# Properties


def check_http(
    client: FlaskClient,
    db_path: Path,
    caplog: pytest.LogCaptureFixture,
    body: bytes,
    headers: dict[str, str],
    content_type: str = "application/json",
) -> None:
    """Post body; a 4xx changes no progress row, anything else is a playable response."""
    caplog.clear()
    before = progress_rows(db_path)
    response = client.post("/alexa", data=body, headers=headers, content_type=content_type)
    assert response.status_code < 500, response.get_data(as_text=True)[:300]
    assert not [r for r in caplog.records if ESCAPED in r.getMessage()], caplog.text[-2000:]
    if 400 <= response.status_code < 500:
        assert response.get_data() == REJECTION_BODIES[response.status_code].encode()
        rejections = [r for r in caplog.records if "rejected Alexa request" in r.getMessage()]
        assert len(rejections) == 1 and "\n" not in rejections[0].getMessage()
        assert progress_rows(db_path) == before
        return
    assert response.status_code == 200
    assert_alexa_response(strict_json(response.get_data()))


def seed_progress(post: Callable[[dict[str, Any]], object], now: datetime) -> None:
    """Put the fuzzed user mid-routine, so there is a record a bad request could change."""
    device = DeviceInfo(USER)
    post(launch_request(device, now=now))
    post(intent_request(device, "StartRoutineIntent", now=now))


# The Flask app without signature checks: every envelope reaches the skill


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "progress.sqlite3"


@pytest.fixture
def unverified(db_path: Path, caplog: pytest.LogCaptureFixture) -> FlaskClient:
    caplog.set_level(logging.WARNING)
    client = create_app(
        Settings(verify=False, skill_id=DEFAULT_SKILL_ID, db_path=db_path)
    ).test_client()
    seed_progress(lambda event: client.post("/alexa", json=event), datetime.now(UTC))
    assert progress_rows(db_path)
    return client


@FUZZ
@given(data=st.data())
def test_random_envelopes_over_http(
    unverified: FlaskClient, db_path: Path, caplog: pytest.LogCaptureFixture, data: st.DataObject
) -> None:
    event = data.draw(envelopes(datetime.now(UTC), max_depth=450))
    check_http(unverified, db_path, caplog, json.dumps(event).encode(), {})


@FUZZ
@given(body=RAW_BODIES, content_type=st.sampled_from(CONTENT_TYPES))
def test_random_http_bodies(
    unverified: FlaskClient,
    db_path: Path,
    caplog: pytest.LogCaptureFixture,
    body: bytes,
    content_type: str,
) -> None:
    check_http(unverified, db_path, caplog, body, {}, content_type)


# The Flask app with verification on: signed random envelopes, some headers broken


@pytest.fixture
def fixed_clock() -> Clock:
    now = datetime.now(UTC).replace(microsecond=0)
    return lambda: now


@pytest.fixture
def verified(
    db_path: Path, tmp_path: Path, fixed_clock: Clock, caplog: pytest.LogCaptureFixture
) -> FlaskClient:
    caplog.set_level(logging.WARNING)
    roots = tmp_path / "roots.pem"
    roots.write_bytes(default_ca().root_pem)
    settings_ = Settings(
        skill_id=DEFAULT_SKILL_ID, db_path=db_path, trusted_roots=roots, trusted_roots_only=True
    )
    app = create_app(settings_, fetcher=StaticFetcher(default_leaf().chain_pem), now=fixed_clock)
    client = app.test_client()

    def post(event: dict[str, Any]) -> None:
        body = json.dumps(event).encode()
        response = client.post(
            "/alexa", data=body, headers=signed_headers(body), content_type="application/json"
        )
        assert response.status_code == 200

    seed_progress(post, fixed_clock())
    return client


DAMAGE = ["none", "none", "none", "drop-signature", "drop-url", "garble", "other-body", "bad-url"]


def damaged_headers(body: bytes, damage: str) -> dict[str, str]:
    """Alexa's signed headers for body, broken as `damage` says."""
    if damage == "other-body":
        return signed_headers(body + b" ")
    if damage == "bad-url":
        return signed_headers(body, cert_url="https://s3.amazonaws.com/echo.api/../x.pem")
    headers = signed_headers(body)
    if damage == "drop-signature":
        del headers[SIGNATURE_256_HEADER]
    elif damage == "drop-url":
        del headers[SIGNATURE_CERT_CHAIN_URL_HEADER]
    elif damage == "garble":
        headers[SIGNATURE_256_HEADER] = "not base64!"
    return headers


@FUZZ
@given(data=st.data(), damage=st.sampled_from(DAMAGE))
def test_random_signed_envelopes_over_verified_http(
    verified: FlaskClient,
    db_path: Path,
    fixed_clock: Clock,
    caplog: pytest.LogCaptureFixture,
    data: st.DataObject,
    damage: str,
) -> None:
    event = data.draw(envelopes(fixed_clock(), max_depth=450))
    body = json.dumps(event).encode()
    check_http(verified, db_path, caplog, body, damaged_headers(body, damage))
    if damage != "none":
        assert caplog.records and "rejected Alexa request (400)" in caplog.records[-1].getMessage()


# The Lambda entry: a rejected event raises RequestRejected, nothing else escapes


@pytest.fixture(params=[None, DEFAULT_SKILL_ID], ids=["no-skill-id", "skill-id"])
def lambda_handler(
    request: pytest.FixtureRequest, skill_env: SkillEnv, monkeypatch: pytest.MonkeyPatch
) -> Callable[[Any, Any], dict[str, Any]]:
    """The Lambda entry on skill_env's SQLite file, with SKILL_ID unset and set."""
    if request.param is not None:
        monkeypatch.setenv("SKILL_ID", request.param)
    handler = load_lambda_module().lambda_handler
    seed_progress(lambda event: handler(event, None), skill_env.clock())
    return handler


@sqlite_only
@FUZZ
@given(data=st.data())
def test_random_events_through_the_lambda_entry(
    skill_env: SkillEnv,
    lambda_handler: Callable[[Any, Any], dict[str, Any]],
    data: st.DataObject,
) -> None:
    db_path = Path(skill_env.store.path)
    if data.draw(st.integers(0, 9)) == 0:
        event = data.draw(json_values(3000))  # not even an object
    else:
        event = data.draw(envelopes(skill_env.clock(), max_depth=3000))
    before = progress_rows(db_path)
    try:
        response = lambda_handler(event, None)
    except RequestRejected:
        assert progress_rows(db_path) == before
        return
    assert_alexa_response(response)


# Minimal reproductions of what the fuzzing found (each fails until its bug is fixed)


def _exception_request(event: dict[str, Any]) -> None:
    event["request"] = {**event["request"], "type": "System.ExceptionEncountered"}


BAD_EVENTS: dict[str, Callable[[dict[str, Any]], None]] = {
    "no-context": lambda e: e.pop("context"),
    "context-without-application": lambda e: e["context"]["System"].pop("application"),
    "null-context-application-id": lambda e: e["context"]["System"].update(
        application={"applicationId": None}
    ),
    "deeply-nested-attributes": lambda e: e["session"]["attributes"].update(x=nested(600)),
    "infinity-echoed-in-attributes": lambda e: (
        _exception_request(e),
        e["session"]["attributes"].update(x=float("inf")),
    ),
    "control-character-in-slot": lambda e: e["request"].update(
        intent={
            "name": "StartRoutineIntent",
            "slots": {"routine": {"name": "routine", "value": "\x01"}},
        }
    ),
    "lone-surrogate-in-slot": lambda e: e["request"].update(
        intent={
            "name": "StartRoutineIntent",
            "slots": {"routine": {"name": "routine", "value": "\ud800"}},
        }
    ),
    "holding-on-the-first-side-of-the-last-stretch": lambda e: e["session"].update(
        new=False,
        attributes={
            "state": {
                "version": 1,
                "routine": "lower_back",
                "stretch": 2,
                "side": 0,
                "phase": "holding",
            }
        },
    ),
}


@pytest.fixture
def guarded_handler(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Any]:
    """The Lambda entry with SKILL_ID set, on its own SQLite file."""
    monkeypatch.setenv("SKILL_DB", str(tmp_path / "progress.sqlite3"))
    monkeypatch.setenv("SKILL_ID", DEFAULT_SKILL_ID)
    return load_lambda_module().lambda_handler


@pytest.mark.parametrize("damage", BAD_EVENTS.values(), ids=BAD_EVENTS.keys())
def test_found_event_is_answered_or_rejected(
    guarded_handler: Callable[..., Any], damage: Callable[[dict[str, Any]], None]
) -> None:
    event = intent_request(DeviceInfo(USER), "ReadyIntent", session=SessionInfo("s", True, {}))
    damage(event)
    try:
        response = guarded_handler(event, None)
    except RequestRejected:
        return
    assert_alexa_response(response)


@pytest.mark.parametrize(
    "body",
    [b"[" * 5_000, b'{"a":' * 5_000, b'{"n": ' + b"9" * 5_000 + b"}"],
    ids=["deep-array", "deep-object", "5000-digit-integer"],
)
def test_found_body_is_a_400(unverified: FlaskClient, body: bytes) -> None:
    assert unverified.post("/alexa", data=body, content_type="application/json").status_code == 400


@sqlite_only
def test_found_stored_state_the_machine_never_saves_starts_fresh(skill_env: SkillEnv) -> None:
    device = skill_env.device()
    device.launch()
    device.end_session()
    state = '{"version":1,"routine":"lower_back","stretch":2,"side":0,"phase":"holding"}'
    with sqlite3.connect(skill_env.store.path) as connection:
        connection.execute("UPDATE progress SET state = ?", (state,))
    response = device.launch()
    assert_alexa_response(response)
    assert spoken(response).startswith("Welcome back to Back Stretches.")
