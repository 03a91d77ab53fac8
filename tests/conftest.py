"""Shared fixtures: the real Lambda entry on a real store (SQLite file, or DynamoDB served by
dynalite over HTTP), and devices that talk to it."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from skill.simulator.envelopes import SimulatedDevice
from skill.simulator.lambda_entry import load_lambda_module
from skill.storage.base import ProgressStore
from skill.storage.sqlite_store import SQLiteStore
from tests.support.dynalite import Dynalite, dynalite_fixture
from tests.support.skill_env import Clock, SkillEnv

STORES = ("sqlite", "dynamodb")
shared_dynalite = dynalite_fixture(scope="session", name="shared_dynalite")
_tables = itertools.count()


@pytest.fixture(autouse=True)
def no_proxy_from_the_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test reaches its loopback servers directly, whatever proxy this machine names
    (the settings read HTTPS_PROXY for the chain download); proxy tests set their own."""
    for name in ("HTTPS_PROXY", "https_proxy", "NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def clock() -> Clock:
    return Clock()


def _dynamodb_store(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> ProgressStore:
    from skill.storage.dynamodb_store import DynamoDbStore

    server: Dynalite = request.getfixturevalue("shared_dynalite")
    table = f"progress-{next(_tables)}"
    monkeypatch.setenv("SKILL_STORE", "dynamodb")
    monkeypatch.setenv("SKILL_TABLE", table)
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", server.endpoint_url)
    return DynamoDbStore(table, endpoint_url=server.endpoint_url, create_table=True)


@pytest.fixture(params=STORES)
def skill_env(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clock: Clock
) -> Iterator[SkillEnv]:
    """The Lambda entry, freshly imported, on each kind of store in turn."""
    for name in ("SKILL_ID", "SKILL_STORE", "SKILL_TABLE", "AWS_LAMBDA_FUNCTION_NAME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SKILL_DB", str(tmp_path / "progress.sqlite3"))
    if request.param == "dynamodb":
        store = _dynamodb_store(request, monkeypatch)
    else:
        store = SQLiteStore(tmp_path / "progress.sqlite3")
    env = SkillEnv(handler=load_lambda_module().lambda_handler, store=store, clock=clock)
    env.saved("amzn1.ask.account.NOBODY")  # creates the table before the skill uses it
    yield env


@pytest.fixture
def device(skill_env: SkillEnv) -> Callable[..., SimulatedDevice]:
    """A device factory: device(user_id=..., screen=...) talking to the skill."""
    return skill_env.device


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """Keep each phase's report on the test item, so fixtures can react to a failure."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report
