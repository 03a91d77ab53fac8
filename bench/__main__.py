"""`python -m bench [--quick] [--json PATH]`: run every part, print the Markdown report."""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.cold_dynamodb import measure_cold_start_dynamodb
from bench.coldstart import measure_cold_start
from bench.conversation import record_routines
from bench.cost import estimate
from bench.http_load import measure_http
from bench.plan import DEFAULT, QUICK
from bench.report import markdown
from bench.servers import certificate_mirror
from bench.soak import measure_soak
from bench.store_requests import measure_dynamodb_requests
from bench.targets import judge
from bench.tooling import ensure_debian_tool


def _progress(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def run(quick: bool) -> dict[str, Any]:
    """Every part of the bench, in one temporary folder that is removed after."""
    plan = QUICK if quick else DEFAULT
    wrk = ensure_debian_tool("wrk")
    from bench.warm import measure_warm  # imports the skill's store: after the env is known

    results: dict[str, Any] = {
        "plan": {"quick": quick, **plan.as_dict()},
        "machine": {
            "cores": os.cpu_count(),
            "python": platform.python_version(),
            "load_average_at_start": os.getloadavg()[0],
            "cpu": _cpu_model(),
        },
    }
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="bench-") as folder:
        workdir = Path(folder)
        _progress("cold start")
        results["cold_start"] = measure_cold_start(plan, workdir)
        _progress("cold start on DynamoDB (dynalite)")
        results["cold_start_dynamodb"] = measure_cold_start_dynamodb(plan, workdir)
        _progress("warm turns and store cost")
        results["warm"], results["store"] = measure_warm(plan, workdir)
        _progress("store requests on DynamoDB (dynalite)")
        results["dynamodb_requests"] = measure_dynamodb_requests(plan, workdir)
        events = record_routines(plan.pool_conversations, workdir / "pool.sqlite3")
        with certificate_mirror() as mirror:
            _progress("HTTP load")
            results["http"] = measure_http(plan, events, wrk, workdir, mirror)
            _progress("soak")
            results["soak"] = measure_soak(plan, events, wrk, workdir, mirror)
    results["cost"] = estimate(results)
    results["elapsed_seconds"] = time.monotonic() - started
    return results


def _cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.machine()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a short run of every part")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    args = parser.parse_args()
    results = run(args.quick)
    targets = judge(results)
    results["targets"] = [target.as_dict() for target in targets]
    print(markdown(results, targets))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
