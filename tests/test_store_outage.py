"""The DynamoDB server goes down mid-routine and comes back: the user is guided on from the
session, each failing request logs once and answers in time, and saving resumes."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

import pytest

from skill.simulator.lambda_entry import load_lambda_module
from skill.storage.dynamodb_store import DynamoDbStore
from tests.support.dynalite import Dynalite, dynalite_fixture
from tests.support.skill_env import Clock, SkillEnv, ends_session, spoken

dynalite = dynalite_fixture(scope="function")
ALEXA_DEADLINE_S = 8


@pytest.fixture
def dynamo_env(dynalite: Dynalite, monkeypatch: pytest.MonkeyPatch) -> Iterator[SkillEnv]:
    monkeypatch.setenv("SKILL_STORE", "dynamodb")
    monkeypatch.setenv("SKILL_TABLE", "outage")
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", dynalite.endpoint_url)
    monkeypatch.delenv("SKILL_ID", raising=False)
    store = DynamoDbStore("outage", endpoint_url=dynalite.endpoint_url, create_table=True)
    env = SkillEnv(load_lambda_module().lambda_handler, store, Clock())
    env.saved()
    yield env


def timed(call):
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


def store_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    messages = (record.getMessage() for record in caplog.records)
    return [message for message in messages if "progress store unavailable" in message]


def test_server_stopped_mid_routine_and_restarted(
    dynamo_env: SkillEnv, dynalite: Dynalite, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    device = dynamo_env.device()
    device.launch()
    device.intent("StartRoutineIntent")
    device.intent("ReadyIntent")
    assert dynamo_env.saved()["state"]["phase"] == "holding"

    dynalite.stop()
    caplog.clear()
    crunch, seconds = timed(lambda: device.intent("AMAZON.NextIntent"))
    assert "Stretch two of three: the standing crunch rotations." in spoken(crunch)
    assert seconds < ALEXA_DEADLINE_S
    assert len(store_warnings(caplog)) == 1
    caplog.clear()
    counting, seconds = timed(lambda: device.intent("ReadyIntent"))
    assert "That's ten." in spoken(counting)
    assert seconds < ALEXA_DEADLINE_S and len(store_warnings(caplog)) == 1

    dynalite.start()
    caplog.clear()
    device.intent("ReadyIntent")  # the table stretch is introduced, and saved again
    assert store_warnings(caplog) == []
    saved = dynamo_env.saved()["state"]
    assert (saved["stretch"], saved["phase"]) == (2, "introducing")
    device.end_session()
    assert "You were on the table hamstring stretch, right leg." in spoken(device.launch())


def test_new_session_while_the_store_is_down_still_guides_the_user(
    dynamo_env: SkillEnv, dynalite: Dynalite, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    dynalite.stop()
    device = dynamo_env.device()
    welcome, seconds = timed(device.launch)
    said = spoken(welcome)  # whether this user is new cannot be known: the disclaimer is said
    assert said.startswith("Welcome to Back Stretches.") and "not medical advice" in said
    assert seconds < ALEXA_DEADLINE_S
    assert len(store_warnings(caplog)) == 1  # the read failed; no second wait on the write
    response = device.intent("StartRoutineIntent")
    while not ends_session(response):
        response = device.intent("ReadyIntent")
    said = spoken(response)  # nothing could be recorded: that is said, no count is claimed
    assert said.endswith(
        "That's the whole lower back routine. Well done. "
        "I couldn't save today's session, sorry. See you tomorrow."
    )
