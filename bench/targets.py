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
    """Every target the issue names, plus the store, error and memory checks."""
    http, store, soak = results["http"], results["store"], results["soak"]
    http_errors = sum(run["errors"] for runs in http["runs"].values() for run in runs)
    largest = max(http["verified_vs_baseline_p99"])
    return [
        Target("warm turn p50, ours / baseline", results["warm"]["ratio_p50"], 1.15, True),
        Target(
            "cold start (ready), ours / baseline", results["cold_start"]["ratio_ready"], 1.2, True
        ),
        Target(
            "verified / unverified req/s (worst c)",
            min(http["verified_vs_unverified_rps"].values()),
            0.95,
            False,
        ),
        Target(
            "verified / baseline req/s (worst c)",
            min(http["verified_vs_baseline_rps"].values()),
            0.8,
            False,
        ),
        Target(
            f"verified / baseline p99 at c={largest}",
            http["verified_vs_baseline_p99"][largest],
            1.3,
            True,
        ),
        Target("store reads per turn (max)", store["reads_max"], 1, True, ""),
        Target("store writes per turn (max)", store["writes_max"], 1, True, ""),
        Target("HTTP errors (all runs)", http_errors, 0, True, ""),
        Target("soak errors", soak["errors"], 0, True, ""),
        Target("soak worker RSS growth", soak["rss_growth"] * 100, 10, True, " %"),
    ]
