"""Warm turns in-process: ours vs the baseline on the same envelopes, and the store's cost."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.baseline.lambda_function import lambda_handler as baseline_handler
from bench.conversation import Event, load_ours, run_routine
from bench.plan import Plan
from bench.stats import percentile_ms, ratio
from skill.simulator.envelopes import Handler
from skill.storage.sqlite_store import SQLiteStore

WARMUP_CONVERSATIONS = 3


@dataclass
class Stopwatch:
    """Adds up the seconds spent in the methods it wraps."""

    total: float = 0.0

    def wrap(self, method: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return method(*args, **kwargs)
            finally:
                self.total += time.perf_counter() - start

        return call


@dataclass
class MeteredSkill:
    """Our handler, timing each turn and counting the store reads, writes and seconds in it."""

    handler: Handler
    store: SQLiteStore
    turn_seconds: list[float] = field(default_factory=list)
    reads: list[int] = field(default_factory=list)
    writes: list[int] = field(default_factory=list)
    store_seconds: list[float] = field(default_factory=list)
    store_clock: Stopwatch = field(default_factory=Stopwatch)

    def __post_init__(self) -> None:
        self.store.get_attributes = self.store_clock.wrap(self.store.get_attributes)
        self.store.save_attributes = self.store_clock.wrap(self.store.save_attributes)

    def __call__(self, event: Event, context: Any) -> Event:
        reads, writes, spent = self.store.reads, self.store.writes, self.store_clock.total
        start = time.perf_counter()
        response = self.handler(event, context)
        self.turn_seconds.append(time.perf_counter() - start)
        self.reads.append(self.store.reads - reads)
        self.writes.append(self.store.writes - writes)
        self.store_seconds.append(self.store_clock.total - spent)
        return response


def _baseline_seconds(events: list[Event]) -> list[float]:
    seconds = []
    for event in events:
        start = time.perf_counter()
        baseline_handler(event, None)
        seconds.append(time.perf_counter() - start)
    return seconds


def _latency(seconds: list[float]) -> dict[str, float]:
    return {"p50_ms": percentile_ms(seconds, 50), "p99_ms": percentile_ms(seconds, 99)}


def measure_warm(plan: Plan, workdir: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """(warm turn latency, store cost) over plan.warm_conversations routines."""
    module = load_ours(workdir / "warm.sqlite3")
    store = module._skill.persistence_adapter
    if not isinstance(store, SQLiteStore):
        raise RuntimeError(f"the warm bench needs the SQLite store, not {type(store).__name__}")
    for _ in range(WARMUP_CONVERSATIONS):
        _baseline_seconds(run_routine(module.lambda_handler))
    metered = MeteredSkill(module.lambda_handler, store)
    baseline: list[float] = []
    routine_reads, routine_writes = [], []
    for _ in range(plan.warm_conversations):  # one session each
        reads, writes = store.reads, store.writes
        baseline += _baseline_seconds(run_routine(metered))
        routine_reads.append(store.reads - reads)
        routine_writes.append(store.writes - writes)
    ours = _latency(metered.turn_seconds)
    base = _latency(baseline)
    turns = len(metered.turn_seconds)
    warm = {
        "conversations": plan.warm_conversations,
        "turns": turns,
        "ours": ours,
        "baseline": base,
        "ratio_p50": ratio(ours["p50_ms"], base["p50_ms"]),
        "ratio_p99": ratio(ours["p99_ms"], base["p99_ms"]),
    }
    store_cost = {
        "reads_max": max(metered.reads),
        "reads_mean": sum(metered.reads) / turns,
        "writes_max": max(metered.writes),
        "writes_mean": sum(metered.writes) / turns,
        "turns_per_routine": turns / plan.warm_conversations,
        "reads_per_session_max": max(routine_reads),
        "writes_per_routine_max": max(routine_writes),
        "writes_per_routine_mean": sum(routine_writes) / len(routine_writes),
        "store_ms": _latency(metered.store_seconds),
        "turn_ms": ours,
    }
    return warm, store_cost
