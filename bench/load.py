"""One load run with wrk against a server, with the CPU both sides used."""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

from bench.processes import busy_cpu_seconds, children, cpu_seconds
from bench.servers import Server

SCRIPT = Path(__file__).with_name("post_pool.lua")
RESULT_PREFIX = "BENCH-RESULT "
ERROR_KINDS = ("connect", "read", "write", "status", "timeout")
TIMEOUT = "10s"  # a request slower than this counts as an error


def _pinned(command: list[str]) -> list[str]:
    """`command` kept on one core (the last this process may use), when there are two or more.

    A load generator free to move lets the kernel place it beside the server's thread on one
    run and across the cores on the next, which matters most at c=1, where every request
    waits on the one before: 24 pairs of verified and unverified runs there gave ratios with
    a standard deviation of 0.138 unpinned and 0.065 pinned (same hour, same medians within
    0.01). taskset is util-linux's, part of every Debian system."""
    cores = sorted(os.sched_getaffinity(0))
    taskset = shutil.which("taskset")
    if len(cores) < 2 or taskset is None:
        return command
    return [taskset, "--cpu-list", str(cores[-1]), *command]


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_load(
    wrk: str, server: Server, pool: Path, connections: int, seconds: int
) -> dict[str, Any]:
    """POST the pool in turn over `connections` connections for `seconds` (one wrk thread).

    The *_cores figures are CPU seconds per wall second: the 2 cores are shared by the server,
    wrk (generator_cores: near 0 means wrk is not what limits the throughput) and anything
    else running on the machine (other_cores: anything well above 0 makes the run noisy).
    """
    pids = [server.pid, *children(server.pid)]
    server_cpu, generator_cpu, busy = cpu_seconds(pids), _children_cpu(), busy_cpu_seconds()
    start = time.monotonic()
    done = subprocess.run(
        _pinned(
            [
                wrk,
                "-t1",
                f"-c{connections}",
                f"-d{seconds}s",
                f"--timeout={TIMEOUT}",
                "-s",
                str(SCRIPT),
                f"{server.url}/alexa",
                "--",
                str(pool),
            ]
        ),
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.monotonic() - start
    server_cpu = cpu_seconds(pids) - server_cpu
    generator_cpu = _children_cpu() - generator_cpu
    other_cpu = busy_cpu_seconds() - busy - server_cpu - generator_cpu
    lines = [line for line in done.stdout.splitlines() if line.startswith(RESULT_PREFIX)]
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stdout}{done.stderr}")
    raw = json.loads(lines[-1].removeprefix(RESULT_PREFIX))
    seconds_run = raw["duration_us"] / 1e6
    return {
        "concurrency": connections,
        "seconds": seconds_run,
        "requests": raw["requests"],
        "rps": raw["requests"] / seconds_run,
        "p50_ms": raw["p50_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
        "max_ms": raw["max_us"] / 1000,
        "errors": sum(raw[kind] for kind in ERROR_KINDS),
        "error_kinds": {kind: raw[kind] for kind in ERROR_KINDS},
        "generator_cores": generator_cpu / wall,
        "server_cores": server_cpu / wall,
        "other_cores": max(other_cpu, 0.0) / wall,
    }
