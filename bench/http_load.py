"""HTTP: ours verified, ours unverified and the baseline under gunicorn, at each concurrency."""

from __future__ import annotations

import json
import statistics
import subprocess
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.conversation import Event
from bench.load import run_load
from bench.plan import Plan
from bench.processes import children, memory_kb
from bench.servers import WORKERS, gunicorn
from bench.signing import write_signed_pool
from bench.stats import ratio
from skill.web import gunicorn_conf
from skill.web.chain_validator import helper_command, helper_request
from tests.support.test_ca import default_ca, default_leaf

KINDS = ("verified", "unverified", "baseline")


def _quietest(runs: list[dict[str, Any]], connections: int) -> dict[str, Any]:
    return min(
        (run for run in runs if run["concurrency"] == connections),
        key=lambda run: run["other_cores"],
    )


def measure_http(
    plan: Plan, events: list[Event], wrk: str, workdir: Path, mirror: str
) -> dict[str, Any]:
    """plan.http_server_sets times: all three servers started afresh (idle ones cost nothing),
    each warmed up unmeasured, then plan.http_rounds_per_set rounds of one run per concurrency
    and server, back to back (the order reversed every other round), so that what else the
    machine does hits all three alike. Each run gets a pool signed just before it.

    Fresh servers for each set because a server process keeps its own speed: its memory
    layout and where the kernel runs its threads make one instance a few per cent faster or
    slower than another of the same code for as long as it runs (five instances of each,
    same hour, c=1: medians 1157 to 1262 req/s verified, 1235 to 1319 unverified), as much
    as the round-to-round noise; more rounds on one instance cannot average that out.

    Reported per server and concurrency: the run in which other processes used the least CPU
    (every run is kept under "all_runs"). The ratios are medians over all rounds of each
    round's own ratio (runs seconds apart), which other work on the machine disturbs less."""
    pool = workdir / "pool.txt"
    rounds: dict[str, list[dict[str, Any]]] = {kind: [] for kind in KINDS}
    peak_rss_kb = dict.fromkeys(KINDS, 0)
    round_number = 0
    for server_set in range(plan.http_server_sets):
        set_dir = workdir / f"servers-{server_set}"
        set_dir.mkdir()
        with ExitStack() as stack:
            servers = {kind: stack.enter_context(gunicorn(kind, set_dir, mirror)) for kind in KINDS}
            for server in servers.values():
                run_load(wrk, server, write_signed_pool(events, pool), 8, plan.warmup_seconds)
            for _ in range(plan.http_rounds_per_set):
                # Reversed every other round: over an even number of rounds each server runs
                # before each other one as often as after it.
                order = KINDS if round_number % 2 == 0 else KINDS[::-1]
                round_number += 1
                for connections in plan.concurrencies:
                    for kind in order:
                        signed = write_signed_pool(events, pool)
                        run = run_load(wrk, servers[kind], signed, connections, plan.http_seconds)
                        rounds[kind].append(run)
            for kind, server in servers.items():
                peak_rss_kb[kind] = max(peak_rss_kb[kind], _peak_worker_rss_kb(server.pid))
    by_concurrency = {
        kind: {c: _quietest(kind_runs, c) for c in plan.concurrencies}
        for kind, kind_runs in rounds.items()
    }
    runs = {kind: list(by_c.values()) for kind, by_c in by_concurrency.items()}
    return {
        "workers": WORKERS,
        "threads": gunicorn_conf.threads,
        "pool_size": len(events),
        "server_sets": plan.http_server_sets,
        "rounds": round_number,
        "runs": runs,
        "all_runs": rounds,
        "verified_vs_unverified_rps": _paired(rounds, "unverified", "rps", plan.concurrencies),
        "verified_vs_baseline_rps": _paired(rounds, "baseline", "rps", plan.concurrencies),
        "verified_vs_baseline_p99": _paired(rounds, "baseline", "p99_ms", plan.concurrencies),
        "cpu_ms_per_request": {
            kind: {c: _median_cpu_ms(kind_runs, c) for c in plan.concurrencies}
            for kind, kind_runs in rounds.items()
        },
        "worker_peak_rss_kb": peak_rss_kb,
        "worker_peak_rss_vs_baseline": ratio(peak_rss_kb["verified"], peak_rss_kb["baseline"]),
        "chain_helper_peak_rss_kb": _chain_helper_peak_rss_kb(),
    }


def _paired(
    rounds: dict[str, list[dict[str, Any]]], other: str, figure: str, concurrencies: tuple[int, ...]
) -> dict[int, float]:
    """{c: median over rounds of verified[figure] / other[figure], same round and c}."""
    return {
        c: statistics.median(
            ratio(ours[figure], theirs[figure])
            for ours, theirs in zip(rounds["verified"], rounds[other], strict=True)
            if ours["concurrency"] == c
        )
        for c in concurrencies
    }


def _median_cpu_ms(runs: list[dict[str, Any]], connections: int) -> float:
    """Median over the rounds of the server's CPU milliseconds per request: what throughput
    the server's own work allows, whatever else the machine was doing."""
    return statistics.median(
        run["server_cores"] / run["rps"] * 1000
        for run in runs
        if run["concurrency"] == connections and run["rps"]
    )


def _peak_worker_rss_kb(master: int) -> int:
    """The largest peak resident memory (VmHWM) of a gunicorn master's workers."""
    return max(memory_kb(pid)["VmHWM"] for pid in children(master))


# Runs the helper as its own __main__, then prints the process's peak resident memory. VmHWM,
# not getrusage: the kernel's maxrss counts the forking parent's memory from before the exec.
_PEAK_AFTER = (
    "import runpy, sys; runpy.run_path(sys.argv[1], run_name='__main__'); "
    "print(next(l for l in open('/proc/self/status') if l.startswith('VmHWM')), file=sys.stderr)"
)


def _chain_helper_peak_rss_kb() -> int:
    """The peak resident memory of one run of the chain-validation helper, the short-lived
    process a worker starts for each new certificate chain URL."""
    now = datetime.now(UTC)
    request = helper_request(default_leaf().chain_pem, default_ca().root_pem, True, now)
    python, *flags, helper = helper_command()
    finished = subprocess.run(
        [python, *flags, "-c", _PEAK_AFTER, helper], input=request, capture_output=True, check=True
    )
    if "modulus" not in json.loads(finished.stdout):
        raise RuntimeError(f"the chain helper failed: {finished.stdout!r}")
    return int(finished.stderr.split()[-2])  # "VmHWM:    27148 kB"
