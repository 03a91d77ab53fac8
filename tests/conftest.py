"""Shared fixtures: the real Lambda entry on a real SQLite file, and devices that talk to it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from skill.simulator.envelopes import SimulatedDevice
from skill.simulator.lambda_entry import load_lambda_module
from skill.storage.sqlite_store import SQLiteStore
from tests.support.skill_env import Clock, SkillEnv


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def skill_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clock: Clock) -> Iterator[SkillEnv]:
    db_path = tmp_path / "progress.sqlite3"
    for name in ("SKILL_ID", "SKILL_STORE", "SKILL_TABLE", "AWS_LAMBDA_FUNCTION_NAME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SKILL_DB", str(db_path))
    module = load_lambda_module()
    yield SkillEnv(handler=module.lambda_handler, store=SQLiteStore(db_path), clock=clock)


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
