"""The skill's own serializer reads and writes exactly what ask-sdk's DefaultSerializer does:
the same request objects for the same envelopes (valid, damaged or random), the same errors,
and the same JSON for the skill's responses."""

from __future__ import annotations

import json
import math
from datetime import date, datetime, timezone
from enum import Enum
from typing import Any

import pytest
from ask_sdk_core.exceptions import SerializationException
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import IntentRequest, Request, RequestEnvelope
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from skill.alexa.serializer import FastSerializer
from skill.simulator.envelopes import DeviceInfo, iso_timestamp, launch_request
from tests.test_fuzz import envelopes

NOW = datetime(2026, 11, 24, 8, 30, tzinfo=timezone.utc)
SDK = DefaultSerializer()
OURS = FastSerializer()


def tree(value: Any) -> Any:
    """A comparable picture of SDK objects: class, every attribute, dates as ISO text."""
    if isinstance(value, Enum):
        return (type(value).__name__, value.value)
    if isinstance(value, datetime | date):
        return (type(value).__name__, value.isoformat())
    if isinstance(value, float) and math.isnan(value):
        return "NaN"
    if isinstance(value, list):
        return [tree(item) for item in value]
    if isinstance(value, dict):
        return {key: tree(item) for key, item in value.items()}
    if hasattr(value, "deserialized_types"):
        return (type(value).__name__, {k: tree(v) for k, v in vars(value).items()})
    return value


def read_both(event: Any) -> tuple[Any, Any]:
    """(SDK's reading, ours), each the objects or the SerializationException class."""
    results = []
    for read in (lambda: SDK.deserialize(json.dumps(event), RequestEnvelope),
                 lambda: OURS.read(event, RequestEnvelope)):  # fmt: skip
        try:
            results.append(tree(read()))
        except SerializationException:
            results.append(SerializationException)
    return results[0], results[1]


def test_a_whole_routine_reads_the_same(tmp_path: Any) -> None:
    from bench.conversation import load_ours, run_routine

    handler = load_ours(tmp_path / "progress.sqlite3").lambda_handler
    events = run_routine(handler)
    assert len(events) > 8
    for event in events:
        sdk, ours = read_both(event)
        assert sdk is not SerializationException
        assert ours == sdk


def own_part_keys(value: Any) -> bool:
    """Whether any object in the event may have a key ours refuses to set (see the test
    below): a private name, a name the models have, or a snake_case attribute name. (This
    also skips such keys where they are kept, in session attributes: a broad net.)"""
    if isinstance(value, list):
        return any(own_part_keys(item) for item in value)
    if isinstance(value, dict):
        return any(
            isinstance(key, str) and ("_" in key or key in MODEL_PARTS) for key in value
        ) or any(own_part_keys(item) for item in value.values())
    return False


MODEL_PARTS = {name for model in (RequestEnvelope, Request, IntentRequest) for name in dir(model)}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(envelopes(NOW, max_depth=6))
def test_damaged_envelopes_read_the_same_or_fail_the_same(event: dict[str, Any]) -> None:
    assume(not own_part_keys(event))
    sdk, ours = read_both(event)
    assert ours == sdk


def test_unknown_keys_naming_an_objects_own_parts_are_dropped() -> None:
    """The one place ours reads differently: the SDK sets every unknown key as an attribute,
    so "__dict__" wipes the object it is in. Ours drops private names, fields' attribute names
    and names the class has, and reads the rest as the SDK reads the envelope without them."""
    clean = launch_request(DeviceInfo("amzn1.ask.account.PARTS"), now=NOW)
    damaged = json.loads(json.dumps(clean))
    damaged["__dict__"] = {}
    damaged["request"]["to_dict"] = 1
    damaged["request"]["_private"] = "x"
    damaged["context"]["System"]["attribute_map"] = {}
    damaged["context"]["System"]["device"]["supported_interfaces"] = 1  # the attribute's name
    damaged["context"]["System"]["kept"] = "as the SDK keeps it"
    clean["context"]["System"]["kept"] = "as the SDK keeps it"
    sdk_clean, _ = read_both(clean)
    sdk_damaged, ours_damaged = read_both(damaged)
    assert ours_damaged == sdk_clean
    assert sdk_damaged != sdk_clean  # the SDK's reading is broken by them


@pytest.mark.parametrize(
    "stamp",
    ["2026-11-24T08:30:00Z", "2026-11-24T08:30:00.123Z", "2026-11-24T09:30:00+01:00",
     "2026-11-24T08:30:00", "2026-11-24", "Nov 24 2026 8:30", "not a time", "", 1764000000],
)  # fmt: skip
def test_timestamps_read_the_same(stamp: Any) -> None:
    event = launch_request(DeviceInfo("amzn1.ask.account.T"), now=NOW)
    event["request"]["timestamp"] = stamp
    sdk, ours = read_both(event)
    assert ours == sdk


def test_responses_serialize_the_same(tmp_path: Any) -> None:
    from ask_sdk_core.response_helper import ResponseFactory
    from ask_sdk_model.ui import SsmlOutputSpeech

    response = ResponseFactory().speak("<speak>hi</speak>").ask("again?").response
    response.output_speech = SsmlOutputSpeech(ssml="<speak>hi</speak>")
    assert OURS.serialize(response) == SDK.serialize(response)
    assert OURS.serialize({"when": NOW, "items": (1, "a")}) == SDK.serialize(
        {"when": NOW, "items": (1, "a")}
    )


@given(st.text(max_size=40) | st.datetimes().map(lambda moment: moment.isoformat() + "Z"))
def test_random_timestamps_read_the_same(stamp: str) -> None:
    event = {
        "version": "1.0",
        "context": {},
        "request": {"type": "LaunchRequest", "requestId": "r", "timestamp": stamp},
    }
    sdk, ours = read_both(event)
    assert ours == sdk


def test_an_iso_timestamp_is_read_as_the_same_moment() -> None:
    stamp = iso_timestamp(NOW)
    event = {"version": "1.0", "request": {"type": "LaunchRequest", "timestamp": stamp}}
    assert OURS.read(event, RequestEnvelope).request.timestamp == NOW
