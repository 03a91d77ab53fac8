"""The servers the HTTP bench loads, each started and stopped by the bench itself: ours under
gunicorn (verified or not), the baseline under gunicorn, and a certificate mirror."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.environment import skill_env
from skill.web import gunicorn_conf
from tests.support.servers import ChainServer, free_port, start_server
from tests.support.test_ca import default_ca, default_leaf

GUNICORN = Path(sys.executable).parent / "gunicorn"
WORKERS = gunicorn_conf.workers
APPS = {"ours": "skill.web:create_app()", "baseline": "bench.baseline.web:app"}
STOP_SECONDS = 15


@dataclass(frozen=True)
class Server:
    url: str
    pid: int  # the gunicorn master


@contextmanager
def certificate_mirror() -> Iterator[str]:
    """A local stand-in for s3.amazonaws.com serving the test CA's signing chain."""
    with ChainServer(default_leaf().chain_pem) as mirror:
        yield mirror.url


def server_env(kind: str, workdir: Path, mirror: str) -> dict[str, str]:
    """Environment for "verified" or "unverified" (ours) or "baseline"."""
    roots = workdir / "roots.pem"
    roots.write_bytes(default_ca().root_pem)
    return skill_env(
        workdir / f"{kind}.sqlite3",
        SKILL_TRUSTED_ROOTS=str(roots),
        SKILL_TRUSTED_ROOTS_ONLY="1",
        SKILL_CERT_MIRROR=mirror,
        SKILL_VERIFY="0" if kind == "unverified" else "1",
    )


@contextmanager
def gunicorn(kind: str, workdir: Path, mirror: str) -> Iterator[Server]:
    """gunicorn as production runs it (skill/web/gunicorn_conf.py: WORKERS threaded workers),
    the baseline with the same workers, on a free loopback port; stopped on leaving. A
    Traceback in its log fails the bench."""
    port = free_port()
    app = APPS["baseline" if kind == "baseline" else "ours"]
    bind = f"127.0.0.1:{port}"
    if kind == "baseline":
        # The same workers. Our configuration's check loads our app in the master before the
        # workers fork, so they start with its modules shared; --preload does that for the
        # baseline, so that the memory figures compare like with like.
        setup = [
            "--workers", str(WORKERS), "--worker-class", gunicorn_conf.worker_class,
            "--threads", str(gunicorn_conf.threads), "--keep-alive", str(gunicorn_conf.keepalive),
            "--no-control-socket", "--preload",
        ]  # fmt: skip
    else:
        setup = ["-c", "python:skill.web.gunicorn_conf"]
    command = [str(GUNICORN), *setup, "--bind", bind, app]
    log = workdir / f"{kind}-{port}.log"
    process = start_server(command, server_env(kind, workdir, mirror), port, log)
    try:
        yield Server(f"http://127.0.0.1:{port}", process.pid)
    finally:
        process.terminate()
        process.wait(timeout=STOP_SECONDS)
    if "Traceback" in log.read_text():
        raise RuntimeError(f"{kind} server logged a Traceback: {log}")
