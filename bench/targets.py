"""The issue's targets, each judged PASS or MISS on the measured figures (never asserted)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Target:
    name: str
    figure: float
    limit: float
    at_most: bool  # True: figure <= limit passes; False: figure >= limit passes
    unit: str = "×"

    @property
    def passed(self) -> bool:
        return self.figure <= self.limit if self.at_most else self.figure >= self.limit

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "passed": self.passed}


def judge(results: dict[str, Any]) -> list[Target]:
    """Every target of issue 12, plus the store, error and soak checks."""
    http, store, soak = results["http"], results["store"], results["soak"]
    http_errors = sum(run["errors"] for runs in http["all_runs"].values() for run in runs)
    largest = max(http["verified_vs_baseline_p99"])
    loaded = [c for c in http["verified_vs_baseline_rps"] if c > 1]  # c=8 and c=32
    targets = []
    if "ratio_ready" in results["cold_start"]:
        ratio = results["cold_start"]["ratio_ready"]
        targets.append(Target("Lambda bundle cold start, ours / baseline", ratio, 1.15, True))
    targets += [
        Target("warm turn p50, ours / baseline", results["warm"]["ratio_p50"], 1.0, True),
        Target(
            "verified / baseline req/s (worst of c=8, c=32)",
            min(http["verified_vs_baseline_rps"][c] for c in loaded),
            0.85,
            False,
        ),
        Target(
            "verified / unverified req/s (worst c)",
            min(http["verified_vs_unverified_rps"].values()),
            0.90,
            False,
        ),
        Target(
            f"verified / baseline p99 at c={largest}",
            http["verified_vs_baseline_p99"][largest],
            1.2,
            True,
        ),
        Target(
            "gunicorn worker peak RSS, ours / baseline",
            http["worker_peak_rss_vs_baseline"],
            1.3,
            True,
        ),
        Target("store reads per session (SQLite)", store["reads_per_session_max"], 1, True, ""),
        Target("store writes per turn (max, SQLite)", store["writes_max"], 1, True, ""),
    ]
    dynamodb = results.get("dynamodb_requests", {})
    if "reads_per_session_max" in dynamodb:
        reads = dynamodb["reads_per_session_max"]
        sent_reads = dynamodb["read_requests_per_session_max"]
        sent_writes = dynamodb["write_requests_per_write_max"]
        targets += [
            Target("store reads per session (DynamoDB)", reads, 1, True, ""),
            Target("DynamoDB GetItem sent per session (max)", sent_reads, 1, True, ""),
            Target("DynamoDB UpdateItem sent per store write (max)", sent_writes, 1, True, ""),
        ]
    targets += [
        Target("HTTP errors (all runs)", http_errors, 0, True, ""),
        Target("soak errors", soak["errors"], 0, True, ""),
        Target("soak worker RSS growth", soak["rss_growth"] * 100, 10, True, " %"),
    ]
    return targets
