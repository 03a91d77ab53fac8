"""Cold start: fresh interpreters importing a Lambda entry and answering one LaunchRequest."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.conversation import new_user
from bench.environment import skill_env
from bench.plan import Plan
from bench.stats import median_ms, ratio
from skill.simulator.envelopes import DeviceInfo, launch_request
from tests.support.servers import ROOT

CHILD = Path(__file__).with_name("cold_child.py")
LAMBDA_DIRS = {"ours": ROOT / "lambda", "baseline": ROOT / "bench" / "baseline"}


def child_env(db_path: Path, pycache: Path) -> dict[str, str]:
    """The skill's environment, with bytecode cached under `pycache` for every module (the
    first, unmeasured run compiles them), whatever PYTHONDONTWRITEBYTECODE says here."""
    env = skill_env(db_path, PYTHONPYCACHEPREFIX=str(pycache))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def run_child(
    lambda_dir: Path, env: dict[str, str], *python_options: str
) -> tuple[float, float, str]:
    """(seconds to response ready, measured by the child; wall seconds of the process; what
    the child wrote to stderr)."""
    event = json.dumps(launch_request(DeviceInfo(new_user())))
    start = time.perf_counter()
    done = subprocess.run(
        [
            sys.executable,
            *python_options,
            "-P",
            str(CHILD),
            str(lambda_dir),
        ],  # -P: keep bench/ off sys.path
        input=event,
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=False,
    )
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"cold start child failed: {done.stderr}")
    return json.loads(done.stdout)["ready_seconds"], wall, done.stderr


def measure_cold_start(plan: Plan, workdir: Path) -> dict[str, Any]:
    """Medians over plan.cold_runs runs each, ours and baseline alternating, each on a new
    store file as on a new Lambda container (one unmeasured run each first, to compile)."""
    runs: dict[str, list[tuple[float, float]]] = {name: [] for name in LAMBDA_DIRS}
    for number in range(plan.cold_runs + 1):
        for name, lambda_dir in LAMBDA_DIRS.items():
            db_path = workdir / f"cold-{name}-{number}.sqlite3"
            ready, wall, _ = run_child(lambda_dir, child_env(db_path, workdir / "pycache"))
            if number:
                runs[name].append((ready, wall))
    figures = {
        name: {
            "ready_ms": median_ms([ready for ready, _ in results]),
            "wall_ms": median_ms([wall for _, wall in results]),
        }
        for name, results in runs.items()
    }
    return {
        "runs": plan.cold_runs,
        **figures,
        "ratio_ready": ratio(figures["ours"]["ready_ms"], figures["baseline"]["ready_ms"]),
        "ratio_wall": ratio(figures["ours"]["wall_ms"], figures["baseline"]["wall_ms"]),
    }
