"""How long and how often each part of the bench runs: the default run and --quick."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Plan:
    cold_runs: int  # fresh interpreters per skill
    warm_conversations: int  # whole routines in-process, one fresh user each
    pool_conversations: int  # routines whose requests make the HTTP body pool
    http_server_sets: int  # times the three servers are started afresh
    http_rounds_per_set: int  # runs per server and concurrency on each set
    http_seconds: int  # per run
    warmup_seconds: int  # load before measuring a fresh server (not reported)
    soak_seconds: int
    store_routines: int  # routines on the DynamoDB store, counting its requests
    concurrencies: tuple[int, ...] = (1, 8, 32)
    soak_concurrency: int = 32

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


DEFAULT = Plan(
    cold_runs=31,
    warm_conversations=300,
    pool_conversations=16,
    # Short rounds: the host's speed drifts over seconds, so a pair of runs closer in time,
    # and more pairs, give a steadier median of their ratios. Six server sets: see measure_http.
    http_server_sets=6,
    http_rounds_per_set=2,  # 12 rounds in all, even: see measure_http's order of the servers
    http_seconds=2,
    warmup_seconds=2,
    soak_seconds=60,
    store_routines=20,
)
QUICK = Plan(
    cold_runs=5,
    warm_conversations=20,
    pool_conversations=4,
    http_server_sets=1,
    http_rounds_per_set=1,
    http_seconds=2,
    warmup_seconds=1,
    soak_seconds=10,
    store_routines=3,
)
