"""Store requests per routine on the DynamoDB store (dynalite over HTTP), to set beside the
SQLite figures of the warm bench: the same routine, the same counting (calls that reach the
table), through the Lambda entry as it runs on AWS (SKILL_STORE=dynamodb). Also what the cost
estimate bills: the DynamoDB operations those calls sent, and the CPU time a turn takes there
(botocore's work for each call included, dynalite's, in its own process, not)."""

from __future__ import annotations

import os
import statistics
import time
from collections import Counter
from collections.abc import Mapping, MutableMapping
from pathlib import Path
from typing import Any

from bench.conversation import run_routine
from bench.environment import in_process
from bench.plan import Plan
from skill.simulator.lambda_entry import load_lambda_module
from tests.support.dynalite import AWS_ENV_REMOVED, AWS_TEST_ENV, Dynalite
from tests.support.dynalite import unavailable as dynalite_unavailable

TABLE = "bench-progress"


def dynamodb_settings(endpoint_url: str) -> dict[str, str]:
    """The skill's settings for the DynamoDB store at endpoint_url (TABLE), dummy credentials."""
    return {
        "SKILL_STORE": "dynamodb",
        "SKILL_TABLE": TABLE,
        **AWS_TEST_ENV,
        "AWS_ENDPOINT_URL_DYNAMODB": endpoint_url,
    }


def drop_other_aws_settings(env: MutableMapping[str, str], settings: Mapping[str, str]) -> None:
    """Remove from `env` the AWS settings (a profile, another endpoint, a session token) that
    would point boto3 elsewhere than `settings` does."""
    for name in AWS_ENV_REMOVED:
        if name not in settings:
            env.pop(name, None)


def measure_dynamodb_requests(plan: Plan, workdir: Path) -> dict[str, Any]:
    """Reads and writes per routine over plan.store_routines routines, or why skipped."""
    why_not = dynalite_unavailable()
    if why_not is not None:
        return {"skipped": why_not}
    with Dynalite(workdir / "dynalite") as server:
        settings = dynamodb_settings(server.endpoint_url)
        with in_process(workdir / "unused.sqlite3", **settings):
            drop_other_aws_settings(os.environ, settings)
            create_table(server.endpoint_url, TABLE)
            module = load_lambda_module()
            store = module._skill.persistence_adapter
            reads, writes, cpu_ms = [], [], []
            sent: list[Counter[str]] = []

            def timed(event: dict[str, Any], context: Any) -> dict[str, Any]:
                started = time.process_time()
                try:
                    return module.lambda_handler(event, context)
                finally:
                    cpu_ms.append((time.process_time() - started) * 1000)

            for _ in range(plan.store_routines):
                before = store.reads, store.writes, store.requests.copy()
                run_routine(timed)
                reads.append(store.reads - before[0])
                writes.append(store.writes - before[1])
                sent.append(store.requests - before[2])
    return {
        "store": "dynamodb (dynalite)",
        "routines": plan.store_routines,
        "reads_per_session_max": max(reads),
        "writes_per_routine_max": max(writes),
        "writes_per_routine_mean": sum(writes) / len(writes),
        # DynamoDB operations sent, failed conditional writes included: what the bill counts
        "read_requests_per_routine_mean": statistics.fmean(s["get_item"] for s in sent),
        "write_requests_per_routine_mean": statistics.fmean(s["update_item"] for s in sent),
        "read_requests_per_session_max": max(s["get_item"] for s in sent),  # a routine: a session
        "write_requests_per_write_max": max(
            s["update_item"] / max(wrote, 1) for s, wrote in zip(sent, writes, strict=True)
        ),
        "turn_cpu_ms_mean": statistics.fmean(cpu_ms),
        "turn_cpu_ms_p50": statistics.median(cpu_ms),
    }


def dynamodb_client(endpoint_url: str) -> Any:
    """A boto3 client for the DynamoDB at endpoint_url, with the dummy credentials of the tests."""
    import boto3

    return boto3.client(
        "dynamodb",
        endpoint_url=endpoint_url,
        region_name=AWS_TEST_ENV["AWS_DEFAULT_REGION"],
        aws_access_key_id=AWS_TEST_ENV["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=AWS_TEST_ENV["AWS_SECRET_ACCESS_KEY"],
    )


def create_table(endpoint_url: str, name: str) -> None:
    """The progress table (on-demand, keyed by "id") on the DynamoDB at endpoint_url."""
    dynamodb_client(endpoint_url).create_table(
        TableName=name,
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
    )
