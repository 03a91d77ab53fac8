"""`python -m bench.profiling [--out DIR]`: where the time goes, for the targets the bench
misses. Installs pyinstrument (bench/requirements.txt) on first use.

- warm: pyinstrument over whole routines through our lambda_handler, and over the baseline
  answering the same envelopes;
- request: pyinstrument over signed requests through our Flask app (no gunicorn), verified and
  not, and the baseline's app;
- cold: `-X importtime` of both Lambda bundles (built as the bench builds them) under the
  runtime's Python: import time by package, for the modules only ours imports.
"""

from __future__ import annotations

import argparse
import logging
import re
import tempfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from flask import Flask

from bench.baseline.lambda_function import lambda_handler as baseline_handler
from bench.baseline.web import app as baseline_app
from bench.coldstart import SKILLS, build_bundles, lambda_env, run_child
from bench.conversation import load_ours, record_routines, run_routine
from bench.signing import signed_requests
from bench.tooling import ensure_profiler
from skill.config import Settings
from skill.simulator.envelopes import DEFAULT_SKILL_ID
from skill.web import create_app
from tests.support.test_ca import StaticFetcher, default_ca, default_leaf

ROUTINES = 200
REQUEST_ROUNDS = 10
INTERVAL_SECONDS = 0.0001
_IMPORT_LINE = re.compile(r"import time:\s+(\d+) \|\s+\d+ \|(\s+)(\S+)")


def _profile(work: Callable[[], object], out: Path) -> None:
    """Run work under pyinstrument; write its text tree to out and say where."""
    from pyinstrument import Profiler

    profiler = Profiler(interval=INTERVAL_SECONDS)
    profiler.start()
    work()
    profiler.stop()
    out.write_text(profiler.output_text(unicode=True, color=False, short_mode=False))
    print(f"profile: {out}")


def profile_warm(folder: Path) -> None:
    handler = load_ours(folder / "warm.sqlite3").lambda_handler
    events = [event for _ in range(ROUTINES) for event in run_routine(handler)]

    def ours() -> None:
        for _ in range(ROUTINES):
            run_routine(handler)

    def baseline() -> None:
        for event in events:
            baseline_handler(event, None)

    _profile(ours, folder / "warm-ours.txt")
    _profile(baseline, folder / "warm-baseline.txt")


def profile_requests(folder: Path) -> None:
    roots = folder / "roots.pem"
    roots.write_bytes(default_ca().root_pem)
    events = record_routines(16, folder / "pool.sqlite3")
    apps = {
        kind: create_app(
            Settings(
                skill_id=DEFAULT_SKILL_ID,
                db_path=folder / f"{kind}.sqlite3",
                trusted_roots=roots,
                trusted_roots_only=True,
                verify=kind == "verified",
            ),
            fetcher=StaticFetcher(default_leaf().chain_pem),
        )
        for kind in ("verified", "unverified")
    }
    apps["baseline"] = baseline_app
    requests = signed_requests(events)
    for kind, app in apps.items():
        post = _poster(app, requests)
        post()  # warm: certificate fetched, store opened
        _profile(post, folder / f"request-{kind}.txt")


def _poster(app: Flask, requests: list[tuple[bytes, dict[str, str]]]) -> Callable[[], None]:
    """Posts every request REQUEST_ROUNDS times through app's test client, expecting 200."""
    client = app.test_client()

    def post() -> None:
        for _ in range(REQUEST_ROUNDS):
            for body, headers in requests:
                reply = client.post(
                    "/alexa", data=body, headers=headers, content_type="application/json"
                )
                assert reply.status_code == 200, reply.data

    return post


def _import_self_times(stderr: str) -> dict[str, int]:
    """Module -> self import time in microseconds, from -X importtime output."""
    return {m[3]: int(m[1]) for m in map(_IMPORT_LINE.match, stderr.splitlines()) if m}


def profile_cold(folder: Path) -> None:
    built = build_bundles(folder, SKILLS)
    if isinstance(built, str):
        print(f"cold: skipped, {built}")
        return
    python, bundles = built
    times = {}
    for name, bundle in bundles.items():
        db_path = folder / f"cold-{name}.sqlite3"
        importtime = run_child(python, bundle, lambda_env(db_path), "-X", "importtime")[2]
        times[name] = _import_self_times(importtime)
    only_ours = {m: t for m, t in times["ours"].items() if m not in times["baseline"]}
    by_package = Counter()
    for module, micros in only_ours.items():
        by_package[module.split(".")[0]] += micros
    lines = [
        f"imports: ours {sum(times['ours'].values()) / 1000:.1f} ms, "
        f"baseline {sum(times['baseline'].values()) / 1000:.1f} ms (self times, summed)",
        f"only ours: {len(only_ours)} modules, {sum(only_ours.values()) / 1000:.1f} ms:",
        *(
            f"  {package:<24} {micros / 1000:6.1f} ms"
            for package, micros in by_package.most_common(15)
        ),
        "slowest modules only ours imports:",
        *(
            f"  {module:<48} {micros / 1000:6.1f} ms"
            for module, micros in sorted(only_ours.items(), key=lambda i: -i[1])[:25]
        ),
    ]
    (folder / "cold-imports.txt").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.profiling", description=__doc__)
    parser.add_argument("--out", type=Path, help="folder for the profiles (default: a temp one)")
    args = parser.parse_args()
    ensure_profiler()
    logging.getLogger().addHandler(logging.NullHandler())  # log calls still cost, unprinted
    folder = args.out or Path(tempfile.mkdtemp(prefix="bench-profile-"))
    folder.mkdir(parents=True, exist_ok=True)
    profile_cold(folder)
    profile_warm(folder)
    profile_requests(folder)


if __name__ == "__main__":
    main()
