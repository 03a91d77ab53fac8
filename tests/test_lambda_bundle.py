"""The Lambda bundle: built for the runtime's Python, zipped the way the ASK CLI zips it (every
entry dated 1990), unpacked into an empty folder, and run by that Python seeing nothing but the
bundle, writing no bytecode, as on Lambda's read-only code folder."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import zipfile
from datetime import datetime
from pathlib import Path

import pytest

from skill.simulator.envelopes import DeviceInfo, launch_request
from tests.support.disk_syncs import run_counting_disk_syncs
from tests.support.servers import ROOT

BUILD = ROOT / "scripts" / "build_lambda.py"
NO_PYTHON = 3  # build_lambda.py --which-python: the runtime's Python is not installed
# Runs in the bundle: records every module compiled from source instead of loaded from bytecode.
ANSWER = """
import json, sys
from importlib.machinery import SourceFileLoader
compiled = []
to_code = SourceFileLoader.source_to_code
def recording(self, data, path, **kwargs):
    compiled.append(str(path))
    return to_code(self, data, path, **kwargs)
SourceFileLoader.source_to_code = recording
sys.path.insert(0, ".")
import lambda_function
response = lambda_function.lambda_handler(json.loads(sys.stdin.read()), None)
loaded = sorted({name.split(".")[0] for name in sys.modules})
print(json.dumps({"response": response, "modules": loaded, "compiled": compiled,
                  "version": "%d.%d" % sys.version_info[:2]}))
"""


def runtime_python() -> str:
    found = subprocess.run(
        [sys.executable, str(BUILD), "--which-python"], capture_output=True, text=True
    )
    if found.returncode == NO_PYTHON:
        pytest.skip(f"the Lambda runtime's Python is not installed: {found.stderr.strip()}")
    assert found.returncode == 0, found.stderr
    return found.stdout.strip()


def zip_like_ask_cli(folder: Path, archive: Path) -> None:
    """Every file, each entry dated 1990-02-01 as the ASK CLI's zip builder does."""
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            entry = zipfile.ZipInfo(str(path.relative_to(folder)), (1990, 2, 1, 0, 0, 0))
            bundle.writestr(entry, path.read_bytes(), zipfile.ZIP_DEFLATED)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str]:
    """(the built folder, the build's report, the runtime's Python)."""
    python = runtime_python()
    out = tmp_path_factory.mktemp("build") / "lambda"
    result = subprocess.run(
        [sys.executable, str(BUILD), "--out", str(out)],
        cwd=tmp_path_factory.mktemp("elsewhere"), capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return out, result.stdout, python


@pytest.fixture(scope="module")
def unpacked(built: tuple[Path, str, str], tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder, _, _ = built
    archive = tmp_path_factory.mktemp("zip") / "bundle.zip"
    zip_like_ask_cli(folder, archive)
    task = tmp_path_factory.mktemp("empty") / "task"
    with zipfile.ZipFile(archive) as bundle:
        bundle.extractall(task)
    return task


def test_the_build_reports_what_is_on_disk(built: tuple[Path, str, str]) -> None:
    folder, report, _ = built
    files = [p for p in folder.rglob("*") if p.is_file()]
    counted = re.search(
        r"(\d+) files, ([\d.]+) MB unpacked \(([\d.]+) MB of disk blocks here\), "
        r"([\d.]+) MB zipped",
        report,
    )
    assert counted is not None, report
    assert int(counted[1]) == len(files)
    assert float(counted[2]) == round(sum(p.stat().st_size for p in files) / 1e6, 1)
    blocks = sum(p.stat().st_blocks * 512 for p in [folder, *folder.rglob("*")])
    assert float(counted[3]) == round(blocks / 1e6, 1)  # what `du` says
    assert "cold start (import + first answer" in report


def test_the_bundle_holds_bytecode_for_the_runtime_only(built: tuple[Path, str, str]) -> None:
    folder, report, python = built
    version = subprocess.run(
        [python, "-c", "import sys; print('%d%d' % sys.version_info[:2])"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    assert f"Python {version[0]}.{version[1:]}" in report
    compiled = list(folder.rglob("*.pyc"))
    assert compiled
    assert all(f".cpython-{version}." in p.name for p in compiled)
    assert not (folder / "requirements.txt").exists()  # sam build / ask deploy would reinstall
    # compiled code only for this Python, and for both Lambda architectures (arm64, x86_64)
    extensions = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.so"))
    assert extensions == [
        f"msgspec/_core.cpython-{version}-aarch64-linux-gnu.so",
        f"msgspec/_core.cpython-{version}-x86_64-linux-gnu.so",
    ]


def test_the_bundle_holds_only_what_lambda_needs(built: tuple[Path, str, str]) -> None:
    folder, _, _ = built
    top = {path.name for path in folder.iterdir()}
    assert {"lambda_function.py", "skill", "ask_sdk_core", "ask_sdk_model"} <= top
    for unwanted in ("flask", "werkzeug", "gunicorn", "pytest", "hypothesis", "boto3", "bin"):
        assert unwanted not in top
    assert not (folder / "skill" / "web").exists()
    assert not (folder / "skill" / "simulator").exists()
    assert (folder / "skill" / "content" / "data" / "stretches.json").exists()


def test_the_runtime_answers_from_the_unpacked_bundle_using_its_bytecode(
    built: tuple[Path, str, str], unpacked: Path, tmp_path: Path
) -> None:
    _, _, python = built
    source = unpacked / "lambda_function.py"
    assert datetime.fromtimestamp(source.stat().st_mtime).year > 1990  # not the build's times
    event = launch_request(DeviceInfo("amzn1.ask.account.BUNDLE"))
    env = {"PATH": os.environ["PATH"], "SKILL_DB": str(tmp_path / "progress.sqlite3")}
    result = subprocess.run(
        [python, "-I", "-S", "-B", "-c", ANSWER],
        input=json.dumps(event), cwd=unpacked, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert "Welcome to Back Stretches." in answer["response"]["response"]["outputSpeech"]["ssml"]
    assert "flask" not in answer["modules"] and "boto3" not in answer["modules"]
    assert {"skill", "ask_sdk_core", "ask_sdk_model"} <= set(answer["modules"])
    assert answer["compiled"] == []  # every module came from the bundle's bytecode
    assert not list(unpacked.rglob("__pycache__/*.cpython-311.pyc"))


@pytest.mark.parametrize("on_lambda", [True, False])
def test_on_lambda_the_new_sqlite_file_in_tmp_never_waits_for_the_disk(
    built: tuple[Path, str, str], unpacked: Path, tmp_path: Path, on_lambda: bool
) -> None:
    """Lambda's /tmp goes with its container, so there the first answer makes its SQLite file
    without an fsync (five, about 2.5 ms of a cold start, on a disk that keeps its files)."""
    _, _, python = built
    event = launch_request(DeviceInfo("amzn1.ask.account.BUNDLE"))
    env = {"PATH": os.environ["PATH"], "SKILL_DB": str(tmp_path / "progress.sqlite3")}
    if on_lambda:
        env["AWS_LAMBDA_FUNCTION_NAME"] = "back-stretches"  # as Lambda sets it
    syncs, result = run_counting_disk_syncs(
        [python, "-I", "-S", "-B", "-c", ANSWER],
        input=json.dumps(event), cwd=unpacked, env=env, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert "Welcome to Back Stretches." in answer["response"]["response"]["outputSpeech"]["ssml"]
    assert (syncs == 0) is on_lambda, syncs


def test_sam_build_copies_the_bundle_as_built(built: tuple[Path, str, str], tmp_path: Path) -> None:
    """What `sam build` runs for the function (template.yaml: BuildMethod makefile)."""
    folder, _, _ = built
    artifacts = tmp_path / "SkillFunction"
    artifacts.mkdir()
    subprocess.run(
        ["make", "build-SkillFunction", f"ARTIFACTS_DIR={artifacts}"],
        cwd=folder, check=True, capture_output=True,
    )  # fmt: skip
    shipped = {p.relative_to(artifacts) for p in artifacts.rglob("*") if p.is_file()}
    built_files = {p.relative_to(folder) for p in folder.rglob("*") if p.is_file()}
    assert shipped == built_files - {Path("Makefile")}


def test_the_build_refuses_a_runtime_mismatch(tmp_path: Path) -> None:
    resources = json.loads((ROOT / "ask-resources.json").read_text())
    resources["profiles"]["default"]["skillInfrastructure"]["userConfig"]["runtime"] = "python3.11"
    mismatched = tmp_path / "ask-resources.json"
    mismatched.write_text(json.dumps(resources))
    out = tmp_path / "lambda"
    result = subprocess.run(
        [sys.executable, str(BUILD), "--out", str(out), "--ask-resources", str(mismatched)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 1
    assert "says python3.13 but ask-resources.json" in result.stderr
    assert not out.exists()
