"""How long and how often each part of the bench runs: the default run and --quick."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Plan:
    cold_runs: int  # fresh interpreters per skill
    warm_conversations: int  # whole routines in-process, one fresh user each
    pool_conversations: int  # routines whose requests make the HTTP body pool
    http_rounds: int  # runs per server and concurrency; the quietest one is reported
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
    # Ten short rounds rather than six of 3 s: the host's speed drifts over seconds, so a
    # pair of runs closer in time, and more pairs, give a steadier median of their ratios.
    http_rounds=10,  # even: see measure_http's order of the servers
    http_seconds=2,
    warmup_seconds=2,
    soak_seconds=60,
    store_routines=20,
)
QUICK = Plan(
    cold_runs=5,
    warm_conversations=20,
    pool_conversations=4,
    http_rounds=1,
    http_seconds=2,
    warmup_seconds=1,
    soak_seconds=10,
    store_routines=3,
)
