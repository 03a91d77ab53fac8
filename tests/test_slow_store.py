"""A store that is slow but answering: every request is answered within the request budget
(6 s, Alexa allows 8), the user is guided from the session, the failure is logged once, and
a completion that could not be saved is not claimed. DynamoDB is dynalite behind a TCP proxy
that holds back every response (or the chosen ones), and notes the operations sent: at full
speed, what reaches the table each turn."""

from __future__ import annotations

import itertools
import json
import logging
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from skill.budget import REQUEST_BUDGET_S
from skill.config import Settings
from skill.simulator.envelopes import DEFAULT_SKILL_ID, DeviceInfo, SimulatedDevice, launch_request
from skill.simulator.lambda_entry import load_lambda_module
from skill.storage.base import HISTORY
from skill.storage.dynamodb_store import DynamoDbStore
from skill.web import create_app
from tests.support.dynalite import Dynalite, dynalite_fixture
from tests.support.skill_env import Clock, SkillEnv, ends_session, spoken
from tests.support.slow_proxy import SlowProxy
from tests.support.test_ca import StaticFetcher, default_ca, default_leaf, signed_headers

dynalite = dynalite_fixture(scope="module")
_tables = itertools.count()


@pytest.fixture
def slow(
    dynalite: Dynalite, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[SkillEnv, SlowProxy]]:
    """The Lambda entry on DynamoDB through the proxy, and the proxy (delay 0 to start with).
    The env's own store reads the table directly."""
    table = f"slow-{next(_tables)}"
    direct = DynamoDbStore(table, endpoint_url=dynalite.endpoint_url, create_table=True)
    with SlowProxy(dynalite.endpoint_url) as proxy:
        monkeypatch.setenv("SKILL_STORE", "dynamodb")
        monkeypatch.setenv("SKILL_TABLE", table)
        monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", proxy.url)
        monkeypatch.delenv("SKILL_ID", raising=False)
        env = SkillEnv(load_lambda_module().lambda_handler, direct, Clock())
        env.saved()  # the table exists
        yield env, proxy


def at_the_last_step(env: SkillEnv) -> SimulatedDevice:
    """A new user's device, the routine started and all but its last step done (the store at
    full speed)."""
    device = env.device()
    device.launch()
    response = device.intent("StartRoutineIntent")
    for _ in range(5):
        response = device.intent("ReadyIntent")
    assert not ends_session(response)
    return device


def answered(caplog: pytest.LogCaptureFixture, call) -> tuple[str, int]:
    """What Alexa says, checked in time; and how many store warnings the request logged."""
    caplog.clear()
    started = time.monotonic()
    response = call()
    seconds = time.monotonic() - started
    assert seconds < REQUEST_BUDGET_S, f"answered after {seconds:.1f} s"
    messages = [record.getMessage() for record in caplog.records]
    return spoken(response), len([m for m in messages if "progress store unavailable" in m])


@pytest.mark.parametrize(("delay", "launch_warnings"), [(1.8, 0), (3.0, 1)], ids=["1.8s", "3s"])
def test_every_request_is_answered_in_time_while_each_response_is_held_back(
    slow: tuple[SkillEnv, SlowProxy],
    caplog: pytest.LogCaptureFixture,
    delay: float,
    launch_warnings: int,
) -> None:
    """1.8 s: each call succeeds (a new user's launch reads and writes, 3.6 s). 3 s: every call
    times out (2 s) and is retried once (2 s), and the launch guides the user unsaved."""
    caplog.set_level(logging.WARNING)
    env, proxy = slow
    proxy.delay = delay
    device = env.device()
    said, warnings = answered(caplog, device.launch)
    assert said.startswith("Welcome to Back Stretches.") and warnings == launch_warnings
    said, warnings = answered(caplog, lambda: device.intent("StartRoutineIntent"))
    assert "Stretch one of three: the toe reach." in said and warnings <= 1


def test_time_spent_verifying_is_taken_from_the_store_budget(
    slow: tuple[SkillEnv, SlowProxy], caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    """Through the web endpoint: a 2.5 s certificate download, then a new user's launch whose
    two store calls take 1.8 s each would come to 6.1 s; the budget cuts it short."""
    caplog.set_level(logging.WARNING)
    _, proxy = slow
    roots = tmp_path / "roots.pem"
    roots.write_bytes(default_ca().root_pem)
    settings = Settings(
        skill_id=DEFAULT_SKILL_ID,
        store="dynamodb",
        table=os.environ["SKILL_TABLE"],
        trusted_roots=roots,
        trusted_roots_only=True,
    )
    fetcher = StaticFetcher(default_leaf().chain_pem, delay_seconds=2.5)
    client = create_app(settings, fetcher=fetcher).test_client()
    proxy.delay = 1.8
    body = json.dumps(launch_request(DeviceInfo("amzn1.ask.account.WEB-SLOW"))).encode()

    def post() -> dict:
        response = client.post(
            "/alexa", data=body, headers=signed_headers(body), content_type="application/json"
        )
        assert response.status_code == 200
        return response.get_json()

    said, warnings = answered(caplog, post)
    assert said.startswith("Welcome to Back Stretches.") and warnings == 1


def test_a_completion_the_slow_store_answers_too_late_is_not_claimed(
    slow: tuple[SkillEnv, SlowProxy], caplog: pytest.LogCaptureFixture
) -> None:
    """Every answer comes after the call's 2 s timeout: the completion's write lands, but the
    skill cannot know it did, so the reply claims no count; the table has it once."""
    caplog.set_level(logging.WARNING)
    env, proxy = slow
    device = at_the_last_step(env)
    proxy.delay = 3.0
    said, warnings = answered(caplog, lambda: device.intent("ReadyIntent"))
    assert said.endswith(
        "That's the whole lower back routine. Well done. "
        "I couldn't save today's session, sorry. See you tomorrow."
    )
    assert warnings == 1
    proxy.delay = 0
    assert env.saved()[HISTORY]["completed"] == 1
    said, _ = answered(caplog, device.launch)  # the routine is done: offered afresh
    assert said.startswith("Welcome back to Back Stretches. The lower back routine has three")


def test_a_completion_the_store_saves_in_time_is_counted(
    slow: tuple[SkillEnv, SlowProxy], caplog: pytest.LogCaptureFixture
) -> None:
    """Slow but within the budget: a completion's write (one call of 1.8 s) lands in time."""
    env, proxy = slow
    device = at_the_last_step(env)
    proxy.delay = 1.8
    said, warnings = answered(caplog, lambda: device.intent("ReadyIntent"))
    assert "That's your first completed routine." in said and warnings == 0
    assert env.saved()[HISTORY]["completed"] == 1


def test_a_completion_whose_write_times_out_is_not_sent_again(
    slow: tuple[SkillEnv, SlowProxy], caplog: pytest.LogCaptureFixture
) -> None:
    """The completion's write reaches the table, but its answer comes after the call's 2 s
    timeout. Sent again, it would find the version moved, read the history back with the
    completion in it and count it twice; so it is not, and the user hears it was not saved."""
    caplog.set_level(logging.WARNING)
    env, proxy = slow
    device = at_the_last_step(env)
    first_write = iter([True])
    proxy.holds = lambda request: b"UpdateItem" in request and next(first_write, False)
    proxy.delay = 2.5
    said, warnings = answered(caplog, lambda: device.intent("ReadyIntent"))
    assert said.endswith("I couldn't save today's session, sorry. See you tomorrow.")
    assert warnings == 1
    proxy.delay = 0
    assert env.saved()[HISTORY]["completed"] == 1


def test_a_new_users_routine_sends_one_read_and_one_write_a_turn(
    slow: tuple[SkillEnv, SlowProxy],
) -> None:
    """What reaches DynamoDB, counted on the wire: a new user's first turn reads once and writes
    once (making the attributes map at once, not after a failed update), and each further turn
    that moves the routine writes once, the completion included (it adds to the history as
    this process last saw it, the write conditioned on its version)."""
    env, proxy = slow
    device = env.device()
    proxy.operations.clear()
    device.launch()
    assert proxy.operations == ["GetItem", "UpdateItem"]
    proxy.operations.clear()
    response = device.intent("StartRoutineIntent")
    while not ends_session(response):
        assert proxy.operations == ["UpdateItem"]
        proxy.operations.clear()
        response = device.intent("ReadyIntent")
    assert proxy.operations == ["UpdateItem"]
    assert env.saved()[HISTORY]["completed"] == 1
