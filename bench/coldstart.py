"""Cold start of the Lambda bundles: ours and the hello-world skill's, each built by
scripts/build_lambda.py (same dependencies, bytecode compiled by the runtime's own Python), run
by that Python from the bundle alone (-I -S), writing no bytecode (-B) as on Lambda's read-only
code folder: import the entry and answer one LaunchRequest."""

from __future__ import annotations

import functools
import json
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.conversation import new_user
from bench.environment import skill_env
from bench.plan import Plan
from bench.stats import median_ms
from bench.tooling import ensure_debian_tool
from skill.simulator.envelopes import DeviceInfo, launch_request
from tests.support.servers import ROOT

CHILD = Path(__file__).with_name("cold_child.py")
BUILD = ROOT / "scripts" / "build_lambda.py"
ENTRIES = {
    "ours": None,
    "baseline": ROOT / "bench" / "baseline" / "lambda_function.py",
    "baseline_dynamodb": ROOT / "bench" / "baseline" / "dynamodb_function.py",
}
SKILLS = ("ours", "baseline")
NO_PYTHON = 3  # build_lambda.py --which-python: the runtime's Python is not installed
# Set in every Lambda container (with others neither skill reads): our settings see Lambda.
LAMBDA_ENV = {"AWS_LAMBDA_FUNCTION_NAME": "bench", "AWS_EXECUTION_ENV": "AWS_Lambda_python3.13"}


def runtime_python() -> tuple[str | None, str]:
    """(the Lambda runtime's Python, or None; why not)."""
    found = subprocess.run(
        [sys.executable, str(BUILD), "--which-python"], capture_output=True, text=True
    )
    if found.returncode == NO_PYTHON:
        return None, found.stderr.strip()
    if found.returncode != 0:
        raise RuntimeError(f"build_lambda.py --which-python failed: {found.stderr}")
    return found.stdout.strip(), ""


@functools.cache
def build_bundle(name: str, workdir: Path) -> Path:
    """The named skill's bundle in workdir, built once a process (each part of a bench run that
    needs it gets the same)."""
    out = workdir / f"bundle-{name}" / "lambda"
    command = [sys.executable, str(BUILD), "--out", str(out)]
    entry = ENTRIES[name]
    if entry is not None:
        command += ["--entry", str(entry)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"building the {name} bundle failed: {done.stderr}")
    return out


def _child(
    command: list[str], bundle: Path, env: dict[str, str], *child_args: str
) -> tuple[subprocess.CompletedProcess[str], float]:
    """The cold-start child, run by `command` (the runtime's Python and its options, perhaps
    under valgrind) in `env`, answering a new user's LaunchRequest; with the process's wall
    seconds."""
    event = json.dumps(launch_request(DeviceInfo(new_user())))
    start = time.perf_counter()
    done = subprocess.run(
        [*command, "-I", "-S", "-B", str(CHILD), str(bundle), *child_args],
        input=event, capture_output=True, text=True, env=env, cwd=bundle, check=False,
    )  # fmt: skip
    return done, time.perf_counter() - start


def lambda_env(db_path: Path, **extra: str) -> dict[str, str]:
    """A Lambda container's environment for the skill, its SQLite store on a new file."""
    return skill_env(db_path, **LAMBDA_ENV, **extra)


def run_child(
    python: str, bundle: Path, env: dict[str, str], *options: str
) -> tuple[float, float, str]:
    """(seconds from handler load to response ready, measured by the child; wall seconds of the
    process; what the child wrote to stderr)."""
    done, wall = _child([python, *options], bundle, env)
    if done.returncode != 0:
        raise RuntimeError(f"cold start child failed: {done.stderr}")
    return json.loads(done.stdout)["ready_seconds"], wall, done.stderr


def count_instructions(valgrind: str, python: str, bundle: Path, db_path: Path, stop: str) -> int:
    """Instructions run by the cold-start child up to `stop` (start or ready), under callgrind."""
    callgrind = [valgrind, "--tool=callgrind", "--callgrind-out-file=/dev/null", python]
    done, _ = _child(callgrind, bundle, lambda_env(db_path), stop)
    collected = re.search(r"Collected : (\d+)", done.stderr)
    if done.returncode != 0 or collected is None:
        raise RuntimeError(f"cold start child under callgrind failed: {done.stderr[-2000:]}")
    return int(collected[1])


def measure_instructions(python: str, bundles: dict[str, Path], workdir: Path) -> dict[str, Any]:
    """Instructions from handler load to answer ready, once per skill: a figure that other work
    on the machine does not move (it leaves out what costs time without instructions: waiting
    for the disk, page faults, cache misses)."""
    valgrind = ensure_debian_tool("valgrind")
    counts: dict[str, Any] = {}
    for name, bundle in bundles.items():
        db_path = workdir / f"instructions-{name}.sqlite3"
        start = count_instructions(valgrind, python, bundle, db_path, "start")
        counts[name] = count_instructions(valgrind, python, bundle, db_path, "ready") - start
    counts["ratio"] = counts["ours"] / counts["baseline"]
    return counts


def python_version(python: str) -> str:
    """The version of the Python at `python`, as "3.13.0"."""
    return subprocess.run(
        [python, "-c", "import platform; print(platform.python_version())"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip


def build_bundles(workdir: Path, names: tuple[str, ...]) -> tuple[str, dict[str, Path]] | str:
    """(the runtime's Python, each named skill's bundle), or why they cannot be built here."""
    python, why_not = runtime_python()
    if python is None:
        return why_not
    return python, {name: build_bundle(name, workdir) for name in names}


def measure_cold_start(plan: Plan, workdir: Path) -> dict[str, Any]:
    """Medians over plan.cold_runs runs each, ours and baseline alternating, each on a new
    store file as on a new Lambda container (one unmeasured run each first). The ratios are
    medians of each pair's own ratio (two runs back to back), which a machine whose speed
    drifts during the runs disturbs less than a ratio of medians."""
    built = build_bundles(workdir, SKILLS)
    if isinstance(built, str):
        return {"skipped": built}
    python, bundles = built
    runs: dict[str, list[tuple[float, float]]] = {name: [] for name in bundles}
    for number in range(plan.cold_runs + 1):
        order = list(bundles.items())
        if number % 2:  # which of the pair goes first alternates, so that it biases neither
            order.reverse()
        for name, bundle in order:
            db_path = workdir / f"cold-{name}-{number}.sqlite3"
            ready, wall, _ = run_child(python, bundle, lambda_env(db_path))
            if number:
                runs[name].append((ready, wall))
    figures = {
        name: {
            "ready_ms": median_ms([ready for ready, _ in results]),
            "wall_ms": median_ms([wall for _, wall in results]),
        }
        for name, results in runs.items()
    }
    pairs = list(zip(runs["ours"], runs["baseline"], strict=True))  # run back to back
    return {
        "runs": plan.cold_runs,
        "python": python_version(python),
        **figures,
        "ratio_ready": statistics.median(ours[0] / base[0] for ours, base in pairs),
        "ratio_wall": statistics.median(ours[1] / base[1] for ours, base in pairs),
        "instructions": measure_instructions(python, bundles, workdir),
    }
