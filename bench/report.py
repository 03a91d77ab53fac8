"""The Markdown report: figures side by side, HTTP detail, soak memory, targets."""

from __future__ import annotations

from typing import Any

from bench.targets import Target


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _ms(value: float) -> str:
    return f"{value:.3f} ms" if value < 1 else f"{value:.1f} ms"


def _x(value: float) -> str:
    return f"{value:.2f}×"


def _cold_rows(cold: dict[str, Any]) -> list[list[str]]:
    if "skipped" in cold:
        return [["Lambda bundle cold start", f"skipped: {cold['skipped']}", "", "", ""]]
    return [
        [
            f"Lambda bundle cold start (Python {cold['python']}, medians of {cold['runs']}; "
            "the ratio: median of back-to-back pairs' ratios)",
            "handler loaded to answer ready",
            _ms(cold["ours"]["ready_ms"]),
            _ms(cold["baseline"]["ready_ms"]),
            _x(cold["ratio_ready"]),
        ],
        [
            "",
            "whole process, wall",
            _ms(cold["ours"]["wall_ms"]),
            _ms(cold["baseline"]["wall_ms"]),
            _x(cold["ratio_wall"]),
        ],
        [
            "",
            "instructions, handler loaded to answer ready (callgrind, one run each)",
            f"{cold['instructions']['ours'] / 1e6:.1f} M",
            f"{cold['instructions']['baseline'] / 1e6:.1f} M",
            _x(cold["instructions"]["ratio"]),
        ],
    ]


def _cold_dynamodb_rows(cold: dict[str, Any]) -> list[list[str]]:
    if "skipped" in cold:
        return [["Lambda cold start on DynamoDB", f"skipped: {cold['skipped']}", "", "", ""]]
    return [
        [
            f"Lambda cold start on DynamoDB (dynalite; boto3 {cold['boto3']} beside the bundle, "
            f"medians of {cold['runs']}; baseline: the hello world on ask-sdk's DynamoDbAdapter)",
            "handler loaded to answer ready (a new user's launch: one read, then the save)",
            _ms(cold["ours_ms"]),
            _ms(cold["baseline_ms"]),
            _x(cold["ratio"]),
        ]
    ]


def _store_rows(store: dict[str, Any], dynamodb: dict[str, Any]) -> list[list[str]]:
    rows = [
        [
            "store (SQLite)",
            "reads per session (max) / writes per routine (mean, max)",
            f"{store['reads_per_session_max']} / {store['writes_per_routine_mean']:.1f}, "
            f"{store['writes_per_routine_max']} of {store['turns_per_routine']:.0f} turns",
            "none",
            "",
        ],
        [
            "",
            "writes per turn: max / mean",
            f"{store['writes_max']} / {store['writes_mean']:.2f}",
            "none",
            "",
        ],
        [
            "",
            "store time per turn: p50 / p99",
            f"{_ms(store['store_ms']['p50_ms'])} / {_ms(store['store_ms']['p99_ms'])}",
            "",
            "",
        ],
    ]
    if "skipped" in dynamodb:
        return [*rows, ["store (DynamoDB)", f"skipped: {dynamodb['skipped']}", "", "", ""]]
    return [
        *rows,
        [
            f"store (DynamoDB on dynalite, {dynamodb['routines']} routines)",
            "reads per session (max) / writes per routine (mean, max)",
            f"{dynamodb['reads_per_session_max']} / {dynamodb['writes_per_routine_mean']:.1f}, "
            f"{dynamodb['writes_per_routine_max']}",
            "none",
            "",
        ],
        [
            "",
            "DynamoDB operations sent per routine (mean): GetItem / UpdateItem, failed "
            "conditional writes included",
            f"{dynamodb['read_requests_per_routine_mean']:.1f} / "
            f"{dynamodb['write_requests_per_routine_mean']:.1f}",
            "",
            "",
        ],
    ]


def _summary(results: dict[str, Any]) -> str:
    warm, store, http = (results[k] for k in ("warm", "store", "http"))
    rows = _cold_rows(results["cold_start"])
    rows += _cold_dynamodb_rows(results.get("cold_start_dynamodb", {"skipped": "not run"}))
    for pct in ("p50", "p99"):
        rows.append(
            [
                f"warm turn ({warm['turns']} turns)" if pct == "p50" else "",
                pct,
                _ms(warm["ours"][f"{pct}_ms"]),
                _ms(warm["baseline"][f"{pct}_ms"]),
                _x(warm[f"ratio_{pct}"]),
            ]
        )
    rows += _store_rows(store, results.get("dynamodb_requests", {"skipped": "not run"}))
    by_c = {kind: {r["concurrency"]: r for r in runs} for kind, runs in http["runs"].items()}
    for c, ours in by_c["verified"].items():
        base, unverified = by_c["baseline"][c], by_c["unverified"][c]
        rows += [
            [
                f"HTTP c={c}",
                "req/s, verified (unverified)",
                f"{ours['rps']:.0f} ({unverified['rps']:.0f})",
                f"{base['rps']:.0f}",
                f"{_x(http['verified_vs_baseline_rps'][c])} "
                f"(verified/unverified {_x(http['verified_vs_unverified_rps'][c])})",
            ],
            [
                "",
                "p50 / p99, verified",
                f"{_ms(ours['p50_ms'])} / {_ms(ours['p99_ms'])}",
                f"{_ms(base['p50_ms'])} / {_ms(base['p99_ms'])}",
                f"p99 {_x(http['verified_vs_baseline_p99'][c])}",
            ],
        ]
    cpu = http["cpu_ms_per_request"]
    for c in by_c["verified"]:
        rows.append(
            [
                "HTTP server CPU" if c == min(by_c["verified"]) else "",
                f"server CPU per request (median), c={c}: verified (unverified)",
                f"{_ms(cpu['verified'][c])} ({_ms(cpu['unverified'][c])})",
                _ms(cpu["baseline"][c]),
                f"{_x(cpu['baseline'][c] / cpu['verified'][c])} as throughput",
            ]
        )
    memory = http["worker_peak_rss_kb"]
    rows.append(
        [
            "gunicorn worker memory",
            "peak RSS (VmHWM) after the HTTP runs, verified (the largest worker of every set)",
            f"{memory['verified'] / 1024:.1f} MiB",
            f"{memory['baseline'] / 1024:.1f} MiB",
            _x(http["worker_peak_rss_vs_baseline"]),
        ]
    )
    rows.append(
        [
            "",
            "chain-validation helper: peak RSS of its one run per new chain URL and worker",
            f"{http['chain_helper_peak_rss_kb'] / 1024:.1f} MiB",
            "",
            "",
        ]
    )
    soak = results["soak"]
    rows.append(
        [
            f"soak ({soak['seconds']:.0f} s, c={soak['concurrency']}, verified)",
            "req/s, p99, errors, RSS growth",
            f"{soak['rps']:.0f}, {_ms(soak['p99_ms'])}, {soak['errors']}, "
            f"{soak['rss_growth'] * 100:+.1f} %",
            "",
            "",
        ]
    )
    return _table(["part", "figure", "ours", "baseline", "ours / baseline"], rows)


def _http_detail(http: dict[str, Any]) -> str:
    rows = [
        [
            kind,
            str(run["concurrency"]),
            str(run["requests"]),
            f"{run['rps']:.0f}",
            _ms(run["p50_ms"]),
            _ms(run["p99_ms"]),
            str(run["errors"]),
            f"{run['generator_cores']:.2f}",
            f"{run['server_cores']:.2f}",
            f"{run['other_cores']:.2f}",
        ]
        for kind, runs in http["runs"].items()
        for run in runs
    ]
    header = [
        "server",
        "c",
        "requests",
        "req/s",
        "p50",
        "p99",
        "errors",
        "wrk cores",
        "server cores",
        "other cores",
    ]
    return _table(header, rows)


NOISY_CORES = 0.25


def _noise_note(http: dict[str, Any]) -> str:
    """A warning when other processes took a real share of the 2 cores during the runs."""
    worst = max(run["other_cores"] for runs in http["runs"].values() for run in runs)
    if worst <= NOISY_CORES:
        return f"Other processes stayed under {NOISY_CORES} cores in every reported run."
    return (
        f"**Noisy:** other processes on this machine used up to {worst:.2f} cores during "
        "the reported runs: ratios of these rows can be off; run again on a quiet machine."
    )


def _soak_memory(soak: dict[str, Any]) -> str:
    rows = [
        [
            str(worker["pid"]),
            *(
                f"{worker[when].get(name, 0) / 1024:.1f} MiB"
                for when in ("start", "end")
                for name in ("VmHWM", "VmRSS")
            ),
        ]
        for worker in soak["workers"]
    ]
    header = ["worker pid", "VmHWM start", "VmRSS start", "VmHWM end", "VmRSS end"]
    return _table(header, rows)


def _figure(target: Target) -> str:
    """A target's figure: a count as it is, anything else to two places, or more if that
    would print a figure that misses its limit as the limit itself."""
    if not target.unit:
        return f"{target.figure:g}"
    places = 2
    while not target.passed and round(target.figure, places) == target.limit and places < 6:
        places += 1
    return f"{target.figure:.{places}f}{target.unit}"


def _targets(targets: list[Target]) -> str:
    rows = [
        [
            t.name,
            _figure(t),
            f"{'≤' if t.at_most else '≥'} {t.limit:g}{t.unit}",
            "PASS" if t.passed else "MISS",
        ]
        for t in targets
    ]
    return _table(["target", "figure", "limit", "verdict"], rows)


def _cost(cost: dict[str, Any]) -> str:
    rows = [
        ["Lambda (arm64, duration and requests)", f"${cost['lambda_usd']:.4f}"],
        ["DynamoDB on demand (read and write request units)", f"${cost['dynamodb_usd']:.4f}"],
        ["total", f"**${cost['total_usd']:.4f}**"],
        [
            "if every routine began with a cold start, add",
            f"${cost['cold_start_usd_if_every_routine']:.4f}",
        ],
    ]
    inputs = (
        f"{cost['turns_per_routine']:.0f} turns a routine, {cost['lambda_memory_mb']} MB "
        f"(template.yaml), {cost['billed_ms_per_routine']:.0f} billed ms a routine (turns "
        f"measured on {cost['turn_measured_on']}, scaled to the memory's CPU share, plus "
        f"{cost['assumed_dynamodb_call_ms']:.0f} ms assumed per DynamoDB call for the network), "
        f"the cold start measured on {cost['cold_start_measured_on']}, "
        f"{cost['read_units_per_routine']:.1f} read and "
        f"{cost['write_units_per_routine']:.1f} write request units a routine. Prices: "
        f"{cost['prices_as_of']}; {', '.join(cost['price_sources'])}. Assumptions: bench/cost.py."
    )
    table = _table([f"estimated AWS bill for {cost['routines']:,} routines", "USD"], rows)
    return f"{table}\n\n{inputs}"


def markdown(results: dict[str, Any], targets: list[Target]) -> str:
    machine = results["machine"]
    return "\n\n".join(
        [
            f"## Back Stretches bench ({'quick' if results['plan']['quick'] else 'default'} run)",
            f"{machine['cores']} cores shared by the servers and the load generator (wrk, one "
            f"thread, a new connection for each request); gunicorn {results['http']['workers']} "
            f"threaded workers × {results['http'].get('threads', 1)} threads, as in production; "
            f"{machine['cpu']}; Python {machine['python']}; load average at start "
            f"{machine['load_average_at_start']:.2f}.",
            _summary(results),
            f"### HTTP runs (quietest of {results['http']['rounds']} per row, on "
            f"{results['http']['server_sets']} sets of freshly started servers; the ratios "
            "above are medians over the rounds of each round's ratio; CPU in cores, "
            "i.e. CPU seconds per wall second: wrk, the gunicorn master and workers, and "
            "everything else on the machine)",
            _http_detail(results["http"]),
            _noise_note(results["http"]),
            "### Soak: worker memory",
            _soak_memory(results["soak"]),
            "### Cost",
            _cost(results["cost"]),
            "### Targets",
            _targets(targets),
        ]
    )
