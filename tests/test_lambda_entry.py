"""The Lambda entry: refuses other skills, imports no web framework."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from skill.alexa.entry import RequestRejected
from skill.simulator.envelopes import (
    DEFAULT_SKILL_ID,
    DeviceInfo,
    SimulatedDevice,
    launch_request,
)
from skill.simulator.lambda_entry import LAMBDA_ENTRY, load_lambda_module
from tests.support.skill_env import spoken

ROOT = LAMBDA_ENTRY.parent.parent


@pytest.fixture
def handler_for_skill(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("SKILL_DB", str(tmp_path / "progress.sqlite3"))
    monkeypatch.setenv("SKILL_ID", DEFAULT_SKILL_ID)
    return load_lambda_module().lambda_handler


def test_requests_for_this_skill_are_answered(handler_for_skill) -> None:
    device = SimulatedDevice(handler_for_skill, user_id="amzn1.ask.account.A")
    assert spoken(device.launch()).startswith("Welcome to Back Stretches.")


def test_requests_for_another_skill_are_refused(handler_for_skill, tmp_path: Path) -> None:
    other = "amzn1.ask.skill.11111111-2222-4333-8444-555555555555"
    device = SimulatedDevice(handler_for_skill, user_id="amzn1.ask.account.A", skill_id=other)
    with pytest.raises(RequestRejected, match="is not this skill"):
        device.launch()
    assert not (tmp_path / "progress.sqlite3").exists()  # nothing was read or written


@pytest.mark.parametrize(
    "event",
    [[], "launch", {}, {"request": {}}, {"request": {"type": "LaunchRequest"}, "context": 3}],
    ids=["list", "string", "empty", "no-type", "bad-context"],
)
def test_malformed_events_are_rejected_with_a_reason(handler_for_skill, event: object) -> None:
    with pytest.raises(RequestRejected):
        handler_for_skill(event, None)


def test_unparseable_timestamp_is_rejected(handler_for_skill) -> None:
    device = SimulatedDevice(handler_for_skill, user_id="amzn1.ask.account.A")
    event = launch_request(device.info)
    event["request"]["timestamp"] = "yesterday-ish"
    with pytest.raises(RequestRejected, match="cannot be read"):
        handler_for_skill(event, None)


def test_importing_the_lambda_entry_imports_no_flask(tmp_path: Path) -> None:
    env = {**os.environ, "SKILL_DB": str(tmp_path / "p.sqlite3"), "PYTHONPATH": str(ROOT)}
    code = (
        "import runpy, sys; runpy.run_path(sys.argv[1]);"
        "loaded = [m for m in sys.modules if m.split('.')[0] in ('flask', 'werkzeug', 'boto3')];"
        "print(loaded); sys.exit(1 if loaded else 0)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(LAMBDA_ENTRY)], env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


_LOAD_AND_REPORT_THE_COLLECTOR = """
import gc, json, runpy, sys
try:
    runpy.run_path(sys.argv[1])
    failed = None
except Exception as error:
    failed = type(error).__name__
print(json.dumps({"enabled": gc.isenabled(), "frozen": gc.get_freeze_count(), "failed": failed}))
"""


@pytest.mark.parametrize("store", ["sqlite", "no-such-store"])
def test_the_cold_start_leaves_the_garbage_collector_on(tmp_path: Path, store: str) -> None:
    """The collector is off while the entry loads (a cold start's objects all stay), then on
    again for the turns, with what loading made frozen out of its way; on again too when
    loading fails (a bad setting)."""
    env = {**os.environ, "SKILL_DB": str(tmp_path / "p.sqlite3"), "PYTHONPATH": str(ROOT)}
    env["SKILL_STORE"] = store
    result = subprocess.run(
        [sys.executable, "-c", _LOAD_AND_REPORT_THE_COLLECTOR, str(LAMBDA_ENTRY)],
        env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["enabled"] is True
    if store == "sqlite":
        assert report["failed"] is None
        assert report["frozen"] > 10_000  # the SDK's models and ours
    else:
        assert report["failed"] == "ConfigError"


def test_a_deeply_nested_application_id_is_refused_cleanly(handler_for_skill) -> None:
    nested: object = "amzn1.ask.skill.x"
    for _ in range(2000):  # found by the fuzz test: its repr overflowed the stack
        nested = [nested]
    event = launch_request(DeviceInfo("amzn1.ask.account.A"))
    event["context"]["System"]["application"]["applicationId"] = nested
    with pytest.raises(RequestRejected, match=r"^applicationId \(not text\) is not this skill$"):
        handler_for_skill(event, None)
