"""Cold start on the DynamoDB configuration, the one Lambda deployments run: ours with
SKILL_STORE=dynamodb, and the hello world keeping its users in DynamoDB with ask-sdk's
`DynamoDbAdapter` (bench/baseline/dynamodb_function.py), each answering a new user's
LaunchRequest from dynalite over HTTP: one read, then the save (ours two conditional updates,
as a new user's attributes map is created, the baseline one put).

Both bundles are built like the SQLite cold start's. Lambda's Python runtime provides boto3 in
/var/runtime, outside the bundle; here the same packages, at the versions the tests use,
installed for the runtime's Python and compiled by it, stand in for it on each child's path
(with the SDK's adapter, which the baseline would ship in its bundle). The children see no AWS
configuration files, as on Lambda. Time only: under callgrind, botocore's start-up takes
minutes.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from bench.coldstart import build_bundles, lambda_env, python_version, run_child
from bench.plan import Plan
from bench.stats import median_ms
from bench.store_requests import (
    create_table,
    drop_other_aws_settings,
    dynamodb_client,
    dynamodb_settings,
)
from tests.support.dynalite import Dynalite
from tests.support.dynalite import unavailable as dynalite_unavailable

SKILLS = ("ours", "baseline_dynamodb")
#: What Lambda's runtime provides (boto3 and its own dependencies not already in both bundles),
#: and the adapter the baseline needs.
RUNTIME_PACKAGES = (
    "boto3",
    "botocore",
    "s3transfer",
    "jmespath",
    "ask-sdk-dynamodb-persistence-adapter",
)


def measure_cold_start_dynamodb(plan: Plan, workdir: Path) -> dict[str, Any]:
    """Medians over plan.cold_runs runs each, ours and the baseline alternating, and the median
    of each back-to-back pair's ratio (as for the SQLite cold start), or why skipped."""
    why_not = dynalite_unavailable()
    if why_not is not None:
        return {"skipped": why_not}
    try:
        pins = [f"{name}=={version(name)}" for name in RUNTIME_PACKAGES]
    except PackageNotFoundError as missing:
        return {"skipped": f"{missing} is not installed (scripts/setup.sh --dev installs it)"}
    built = build_bundles(workdir, SKILLS)
    if isinstance(built, str):
        return {"skipped": built}
    python, bundles = built
    packages = _runtime_packages(python, pins, workdir / "runtime-packages")
    no_file = str(workdir / "no-such-file")
    runs: dict[str, list[float]] = {name: [] for name in SKILLS}
    with Dynalite(workdir / "cold-dynalite") as server:
        settings = dynamodb_settings(server.endpoint_url)
        create_table(server.endpoint_url, settings["SKILL_TABLE"])
        for number in range(plan.cold_runs + 1):
            order = SKILLS if number % 2 == 0 else SKILLS[::-1]
            for name in order:
                env = lambda_env(workdir / "unused.sqlite3", **settings)
                env["BENCH_RUNTIME_PACKAGES"] = str(packages)
                env.update(AWS_CONFIG_FILE=no_file, AWS_SHARED_CREDENTIALS_FILE=no_file)
                drop_other_aws_settings(env, settings)
                ready, _, _ = run_child(python, bundles[name], env)
                if number:  # the first of each: unmeasured, as in the SQLite cold start
                    runs[name].append(ready)
        items = dynamodb_client(server.endpoint_url).scan(
            TableName=settings["SKILL_TABLE"], Select="COUNT"
        )["Count"]
    pairs = zip(runs["ours"], runs["baseline_dynamodb"], strict=True)
    return {
        "runs": plan.cold_runs,
        "boto3": version("boto3"),
        "ours_ms": median_ms(runs["ours"]),
        "baseline_ms": median_ms(runs["baseline_dynamodb"]),
        "ratio": statistics.median(ours / base for ours, base in pairs),
        "users_saved": items,  # one new user a run: what the children wrote
    }


def _runtime_packages(python: str, pins: list[str], target: Path) -> Path:
    """The pinned packages as pure-Python wheels in `target`, compiled to bytecode by the
    runtime's Python."""
    runtime_version = ".".join(python_version(python).split(".")[:2])
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         "--no-deps", "--no-compile", "--only-binary=:all:", "--platform", "any",
         "--python-version", runtime_version, "--target", str(target), *pins],
        check=True, env={**os.environ, "PIP_NO_INPUT": "1"},
    )  # fmt: skip
    subprocess.run([python, "-m", "compileall", "-q", "-j", "0", str(target)], check=True)
    return target
