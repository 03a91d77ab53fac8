"""The Lambda bundle: built, unpacked into an empty folder, and run by a fresh interpreter
that sees nothing but the bundle."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from skill.simulator.envelopes import DeviceInfo, launch_request
from tests.support.servers import ROOT

ANSWER = """
import json, sys
sys.path.insert(0, ".")
import lambda_function
response = lambda_function.lambda_handler(json.loads(sys.stdin.read()), None)
loaded = sorted({name.split(".")[0] for name in sys.modules})
print(json.dumps({"response": response, "modules": loaded}))
"""


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    built = tmp_path_factory.mktemp("build") / "lambda"
    result = subprocess.run(
        [sys.executable, "scripts/build_lambda.py", "--out", str(built)],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    unpacked = tmp_path_factory.mktemp("empty") / "task"
    shutil.copytree(built, unpacked)
    return unpacked, result.stdout


def test_the_build_reports_size_and_cold_start(bundle: tuple[Path, str]) -> None:
    _, report = bundle
    assert "MB zipped" in report
    assert "cold start (import + first answer" in report


def test_the_bundle_holds_only_what_lambda_needs(bundle: tuple[Path, str]) -> None:
    folder, _ = bundle
    top = {path.name for path in folder.iterdir()}
    assert {"lambda_function.py", "skill", "ask_sdk_core", "ask_sdk_model"} <= top
    for unwanted in ("flask", "werkzeug", "gunicorn", "pytest", "hypothesis", "boto3"):
        assert unwanted not in top
    assert not (folder / "skill" / "web").exists()
    assert not (folder / "skill" / "simulator").exists()
    assert (folder / "skill" / "content" / "data" / "stretches.json").exists()


def test_a_fresh_interpreter_answers_a_launch_request_from_the_bundle_alone(
    bundle: tuple[Path, str], tmp_path: Path
) -> None:
    folder, _ = bundle
    event = launch_request(DeviceInfo("amzn1.ask.account.BUNDLE"))
    env = {"PATH": os.environ["PATH"], "SKILL_DB": str(tmp_path / "progress.sqlite3")}
    result = subprocess.run(
        [sys.executable, "-I", "-S", "-B", "-c", ANSWER],
        input=json.dumps(event), cwd=folder, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert "Welcome to Back Stretches." in answer["response"]["response"]["outputSpeech"]["ssml"]
    assert "flask" not in answer["modules"] and "boto3" not in answer["modules"]
