"""`python -m bench --quick`: every part runs and reports numbers, with no HTTP error.

Speed targets are reported by the bench, never asserted here: this machine's speed is not
the code's. The quick run takes about 110 s (wrk and valgrind are installed on first use if
missing).
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bench.load import _pinned
from bench.report import _figure
from bench.targets import Target, judge
from tests.support.servers import ROOT

TIME_LIMIT_SECONDS = 300  # about 110 s here; other work on the machine slows everything
SECTIONS = (
    "cold_start",
    "cold_start_dynamodb",
    "warm",
    "store",
    "dynamodb_requests",
    "http",
    "soak",
    "cost",
    "targets",
)


def _numbers(value: Any) -> list[float]:
    """Every number anywhere in a JSON value."""
    if isinstance(value, bool):
        return []
    if isinstance(value, int | float):
        return [value]
    if isinstance(value, dict):
        return [number for item in value.values() for number in _numbers(item)]
    if isinstance(value, list):
        return [number for item in value for number in _numbers(item)]
    return []


def test_quick_bench_reports_every_section_with_no_http_error(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--json", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=TIME_LIMIT_SECONDS,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "| target | figure | limit | verdict |" in done.stdout
    results = json.loads(out.read_text())
    for section in SECTIONS:
        numbers = _numbers(results[section])
        assert numbers and all(math.isfinite(n) for n in numbers), section
    cold, warm = results["cold_start"], results["warm"]
    for skill in ("ours", "baseline"):
        assert cold[skill]["ready_ms"] > 0 and cold[skill]["wall_ms"] > cold[skill]["ready_ms"]
        assert warm[skill]["p99_ms"] >= warm[skill]["p50_ms"] > 0
        assert cold["instructions"][skill] > 100e6  # the SDK alone runs about 200 million
    on_dynamodb = results["cold_start_dynamodb"]
    # Every run of either skill saved its new user in the table (and the first, unmeasured ones).
    assert on_dynamodb["users_saved"] == 2 * (on_dynamodb["runs"] + 1)
    for store in (results["store"], results["dynamodb_requests"]):
        assert store["reads_per_session_max"] == 1  # the counters were read
        assert 1 <= store["writes_per_routine_mean"] < results["store"]["turns_per_routine"]
    sent = results["dynamodb_requests"]  # what went over the wire, each a new user's routine
    assert sent["read_requests_per_session_max"] == 1
    assert sent["write_requests_per_routine_mean"] == sent["writes_per_routine_mean"]
    assert results["http"]["worker_peak_rss_kb"]["verified"] > 0
    # The helper's own peak, not its parent's memory before the exec (the bench is larger).
    assert 10 * 1024 < results["http"]["chain_helper_peak_rss_kb"] < 45 * 1024
    assert results["cost"]["total_usd"] > 0
    # Billed from the DynamoDB store's turns, where botocore's work outweighs the skill's own.
    assert results["cost"]["turn_measured_on"].startswith("DynamoDB")
    assert results["dynamodb_requests"]["turn_cpu_ms_mean"] > results["warm"]["ours"]["p50_ms"]
    runs = [run for kind_runs in results["http"]["runs"].values() for run in kind_runs]
    assert len(runs) == 9 and all(run["requests"] > 0 and run["errors"] == 0 for run in runs)
    soak = results["soak"]
    assert soak["requests"] > 0 and soak["errors"] == 0
    for worker in soak["workers"]:
        assert worker["start"]["VmHWM"] > 0 and worker["end"]["VmRSS"] > 0
    assert {target["passed"] for target in results["targets"]} <= {True, False}
    # An error in any run counts, not only in the runs the report shows.
    judged = json.loads(out.read_text(), object_hook=_concurrency_keys)
    judged["http"]["all_runs"]["baseline"][-1]["errors"] = 1
    errors = next(t for t in judge(judged) if t.name == "HTTP errors (all runs)")
    assert errors.figure == 1 and not errors.passed


def _concurrency_keys(value: dict[str, Any]) -> dict[Any, Any]:
    """JSON object keys that are concurrencies back to ints, as the bench made them."""
    return {int(key) if key.isdigit() else key: item for key, item in value.items()}


@pytest.mark.parametrize(
    ("target", "printed"),
    [
        (Target("throughput", 0.8975, 0.9, at_most=False), "0.897×"),
        (Target("p99", 1.2004, 1.2, at_most=True), "1.2004×"),
        (Target("throughput", 0.912, 0.9, at_most=False), "0.91×"),
        (Target("writes", 1, 1, at_most=True, unit=""), "1"),
        (Target("growth", 6.531, 10, at_most=True, unit=" %"), "6.53 %"),
    ],
)
def test_a_figure_that_misses_its_limit_never_prints_as_the_limit(
    target: Target, printed: str
) -> None:
    assert _figure(target) == printed


@pytest.mark.parametrize("tools", [(), ("node",)], ids=["no-node", "node-without-npm"])
def test_the_dynamodb_parts_say_why_they_skip(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tools: tuple[str, ...]
) -> None:
    """Without node, or with node but no npm to install dynalite, both DynamoDB parts report
    why instead of ending the bench (dynalite's own install skips a test, which inside the
    bench would end the run)."""
    import shutil

    from bench.cold_dynamodb import measure_cold_start_dynamodb
    from bench.plan import QUICK
    from bench.store_requests import measure_dynamodb_requests
    from tests.support import dynalite

    path = tmp_path / "bin"
    path.mkdir()
    for tool in tools:
        (path / tool).symlink_to(shutil.which(tool) or pytest.fail(f"{tool} is needed"))
    monkeypatch.setenv("PATH", str(path))
    monkeypatch.setattr(dynalite, "CLI", tmp_path / "not-installed" / "cli.js")
    why = "npm is not installed to install dynalite" if tools else "node is not installed"
    for measure in (measure_cold_start_dynamodb, measure_dynamodb_requests):
        try:
            result = measure(QUICK, tmp_path)
        except pytest.skip.Exception as skipped:  # what ended the bench before
            pytest.fail(f"{measure.__name__} raised a test skip: {skipped}")
        assert result["skipped"].startswith(why)


def test_the_load_generator_runs_on_one_core_of_those_the_bench_may_use() -> None:
    cores = sorted(os.sched_getaffinity(0))
    report = [sys.executable, "-c", "import os; print(sorted(os.sched_getaffinity(0)))"]
    seen = subprocess.run(_pinned(report), capture_output=True, text=True, check=True).stdout
    assert seen.strip() == str([cores[-1]] if len(cores) > 1 else cores)
