"""Small statistics over samples in seconds, reported in milliseconds."""

from __future__ import annotations

import statistics
from collections.abc import Sequence


def percentile_ms(seconds: Sequence[float], pct: int) -> float:
    """The pct-th percentile (1..99, inclusive method) of samples in seconds, in ms."""
    if len(seconds) < 2:
        return seconds[0] * 1000
    return statistics.quantiles(seconds, n=100, method="inclusive")[pct - 1] * 1000


def median_ms(seconds: Sequence[float]) -> float:
    return statistics.median(seconds) * 1000


def ratio(ours: float, baseline: float) -> float:
    return ours / baseline if baseline else float("inf")
