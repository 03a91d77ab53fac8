"""An estimate of the AWS bill for 1,000 routines on the deployment template.yaml describes:
Lambda (arm64, the template's memory) and DynamoDB on demand, from published list prices.

Inputs measured by the bench: turns per routine, store reads and writes per routine and the CPU
time of a turn, on the DynamoDB store the template deploys when dynalite ran (botocore's work
for each call is most of a turn there), else SQLite's counts and warm turn; and the cold start
on DynamoDB (else on SQLite, which leaves out importing boto3). Assumptions, stated in the
output too:
- Lambda gives a function CPU in proportion to its memory, one vCPU at 1,769 MB, so a turn that
  takes t ms of one core here is billed t x 1769 / memory ms there (this machine's core taken
  as one Lambda vCPU, which is rough);
- each DynamoDB call adds DYNAMODB_CALL_MS of waiting for the network to the billed duration;
- containers are warm; what one cold start per routine would add (the INIT phase is billed)
  is given apart;
- reads are strongly consistent (1 read request unit each, items under 4 KB); writes are under
  1 KB (1 write request unit). On DynamoDB the units are the operations the store sent, failed
  conditional writes included. Every turn of a routine reaches one warm container here: where a
  completion reaches a container that did not read the user this session, it reads the history
  first (one more read unit), and a new user's first save there costs one more write unit.
  On SQLite's counts (no dynalite) a read and a write a store call.
"""

from __future__ import annotations

import math
import re
from typing import Any

from tests.support.servers import ROOT

PRICES_AS_OF = (
    "us-east-1 list prices as published since 2024-11-01, written down on 2026-11-24 without "
    "a live check, no free tier"
)
LAMBDA_GB_SECOND_ARM = 0.0000133334  # USD, arm64, first 7.5 billion GB-seconds a month
LAMBDA_PER_REQUEST = 0.20 / 1_000_000  # USD
DYNAMODB_PER_WRITE_UNIT = 0.625 / 1_000_000  # USD, on demand, since the 2024-11-01 price cut
DYNAMODB_PER_READ_UNIT = 0.125 / 1_000_000  # USD, on demand
PRICE_SOURCES = (
    "https://aws.amazon.com/lambda/pricing/",
    "https://aws.amazon.com/dynamodb/pricing/on-demand/",
)
MB_PER_VCPU = 1769
DYNAMODB_CALL_MS = 8.0  # assumed round trip of one DynamoDB call from Lambda, same region
ROUTINES = 1000


def template_memory_mb() -> int:
    found = re.search(r"^\s+MemorySize:\s*(\d+)\s*$", (ROOT / "template.yaml").read_text(), re.M)
    if found is None:
        raise RuntimeError("template.yaml has no MemorySize")
    return int(found[1])


def estimate(results: dict[str, Any]) -> dict[str, Any]:
    """USD for ROUTINES routines, by part, with every input used."""
    memory_mb = template_memory_mb()
    slowdown = MB_PER_VCPU / memory_mb
    store = results["store"]
    counted = results.get("dynamodb_requests", {})
    if "skipped" in counted:
        counted = store
    turns = store["turns_per_routine"]
    on_dynamodb = "turn_cpu_ms_mean" in counted
    if on_dynamodb:
        reads = counted["read_requests_per_routine_mean"]
        writes = counted["write_requests_per_routine_mean"]
    else:
        reads, writes = counted["reads_per_session_max"], counted["writes_per_routine_mean"]
    warm_p50_ms = results["warm"]["ours"]["p50_ms"]
    turn_ms = (counted["turn_cpu_ms_mean"] if on_dynamodb else warm_p50_ms) * slowdown
    store_wait_ms = (reads + writes) * DYNAMODB_CALL_MS
    billed_ms = turns * math.ceil(turn_ms) + math.ceil(store_wait_ms)
    lambda_usd = ROUTINES * (_gb_seconds(billed_ms, memory_mb) * LAMBDA_GB_SECOND_ARM)
    lambda_usd += ROUTINES * turns * LAMBDA_PER_REQUEST
    cold_dynamodb, cold = results.get("cold_start_dynamodb", {}), results["cold_start"]
    if "ours_ms" in cold_dynamodb:
        cold_ms = math.ceil(cold_dynamodb["ours_ms"] * slowdown)
    else:
        cold_ms = math.ceil(cold["ours"]["ready_ms"] * slowdown) if "ours" in cold else 0
    dynamodb_usd = ROUTINES * (writes * DYNAMODB_PER_WRITE_UNIT + reads * DYNAMODB_PER_READ_UNIT)
    return {
        "routines": ROUTINES,
        "prices_as_of": PRICES_AS_OF,
        "price_sources": list(PRICE_SOURCES),
        "lambda_memory_mb": memory_mb,
        "turns_per_routine": turns,
        "turn_measured_on": "DynamoDB (dynalite), mean CPU" if on_dynamodb else "SQLite, p50",
        "cold_start_measured_on": "DynamoDB (dynalite)" if "ours_ms" in cold_dynamodb else "SQLite",
        "billed_ms_per_routine": billed_ms,
        "cold_start_billed_ms": cold_ms,
        "cold_start_usd_if_every_routine": ROUTINES
        * _gb_seconds(cold_ms, memory_mb)
        * LAMBDA_GB_SECOND_ARM,
        "read_units_per_routine": reads,
        "write_units_per_routine": writes,
        "assumed_dynamodb_call_ms": DYNAMODB_CALL_MS,
        "lambda_usd": lambda_usd,
        "dynamodb_usd": dynamodb_usd,
        "total_usd": lambda_usd + dynamodb_usd,
    }


def _gb_seconds(milliseconds: float, memory_mb: int) -> float:
    return milliseconds / 1000 * memory_mb / 1024
