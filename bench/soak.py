"""Soak: a bounded run at high concurrency against our verified server, watching the workers'
memory from start to end."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from bench.conversation import Event
from bench.load import run_load
from bench.plan import Plan
from bench.processes import children, memory_kb
from bench.servers import gunicorn
from bench.signing import write_signed_pool

SAMPLE_SECONDS = 5.0
FLAT_GROWTH = 0.10  # "flat": the workers' total RSS grows by at most 10 % from start to end


def _workers_memory(master: int) -> dict[int, dict[str, int]]:
    return {pid: memory_kb(pid) for pid in children(master)}


def _total_rss(sample: dict[int, dict[str, int]]) -> int:
    return sum(memory["VmRSS"] for memory in sample.values())


def measure_soak(
    plan: Plan, events: list[Event], wrk: str, workdir: Path, mirror: str
) -> dict[str, Any]:
    """Warm up, read the workers' memory, load for plan.soak_seconds (sampling RSS every
    SAMPLE_SECONDS), read it again."""
    pool = workdir / "soak-pool.txt"
    with gunicorn("verified", workdir, mirror) as server:
        run_load(wrk, server, write_signed_pool(events, pool), 8, plan.warmup_seconds)
        start = _workers_memory(server.pid)
        samples = [_total_rss(start)]
        stop = threading.Event()

        def sample() -> None:
            while not stop.wait(SAMPLE_SECONDS):
                samples.append(_total_rss(_workers_memory(server.pid)))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        try:
            load = run_load(
                wrk,
                server,
                write_signed_pool(events, pool),
                plan.soak_concurrency,
                plan.soak_seconds,
            )
        finally:
            stop.set()
            sampler.join()
        end = _workers_memory(server.pid)
    samples.append(_total_rss(end))
    growth = _total_rss(end) / _total_rss(start) - 1
    return {
        **load,
        "workers": [
            {"pid": pid, "start": start[pid], "end": end.get(pid, {})} for pid in sorted(start)
        ],
        "restarted_workers": sorted(set(end) - set(start)),
        "rss_samples_kb": samples,
        "rss_growth": growth,
        "flat": growth <= FLAT_GROWTH and set(end) == set(start),
    }
