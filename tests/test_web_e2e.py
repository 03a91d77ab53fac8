"""The real server on loopback: `python -m skill serve` and the documented gunicorn command,
driven over HTTP with signed requests whose certificate chain a local server hands out; on the
SQLite default and on DynamoDB (dynalite)."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from ask_sdk_model import RequestEnvelope
from ask_sdk_model.application import Application
from ask_sdk_model.context import Context
from ask_sdk_model.interfaces.system import SystemState
from ask_sdk_model.user import User

from bench.processes import children
from skill.simulator.envelopes import DEFAULT_SKILL_ID, SimulatedDevice
from skill.storage.dynamodb_store import DynamoDbStore
from tests.support.dynalite import Dynalite, dynalite_fixture
from tests.support.http_alexa import signed_handler, urllib_post
from tests.support.servers import ROOT, ChainServer, free_port, production_command, start_server
from tests.support.skill_env import LOWER_BACK_SILENCES, spoken, whole_routine
from tests.support.test_ca import default_ca, default_leaf

dynalite = dynalite_fixture()


@pytest.fixture(scope="module")
def certificate_mirror() -> Iterator[str]:
    """A local stand-in for s3.amazonaws.com serving the test CA's signing chain."""
    with ChainServer(default_leaf().chain_pem) as chain_server:
        yield chain_server.url


@pytest.fixture
def server_env(tmp_path: Path, certificate_mirror: str) -> dict[str, str]:
    roots = tmp_path / "roots.pem"
    roots.write_bytes(default_ca().root_pem)
    return {
        **os.environ,
        "SKILL_ID": DEFAULT_SKILL_ID,
        "SKILL_DB": str(tmp_path / "progress.sqlite3"),
        "SKILL_TRUSTED_ROOTS": str(roots),
        "SKILL_TRUSTED_ROOTS_ONLY": "1",
        "SKILL_CERT_MIRROR": certificate_mirror,
        "PYTHONPATH": str(ROOT),
    }


@pytest.fixture(params=["serve", "gunicorn"])
def server(
    request: pytest.FixtureRequest, server_env: dict[str, str], tmp_path: Path
) -> Iterator[str]:
    port = free_port()
    if request.param == "serve":
        command = [sys.executable, "-m", "skill", "serve", "--port", str(port)]
    else:
        command = production_command(port)
    process = start_server(command, server_env, port, tmp_path / "server.log")
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=15)
    log = (tmp_path / "server.log").read_text()
    assert "Traceback" not in log and "database is locked" not in log, log


def run_routine(url: str, user: str) -> list[int]:
    device = SimulatedDevice(signed_handler(urllib_post(url + "/alexa")), user_id=user)
    holds, last = whole_routine(device)
    assert "That's your first completed routine." in spoken(last)
    return holds


def test_full_routine_over_http(server: str) -> None:
    assert run_routine(server, "amzn1.ask.account.E2E") == LOWER_BACK_SILENCES


def test_forged_request_is_refused_by_the_live_server(server: str) -> None:
    body = json.dumps({"version": "1.0", "request": {"type": "LaunchRequest"}}).encode()
    status, reply = urllib_post(server + "/alexa")(body, {"SignatureCertChainUrl": "x"})
    assert (status, reply) == (400, {})  # the reason is in the server's log only


def test_concurrent_users_across_workers_lose_nothing(
    server: str, server_env: dict[str, str]
) -> None:
    results: dict[int, list[int]] = {}

    def user(number: int) -> None:
        results[number] = run_routine(server, f"amzn1.ask.account.E2E-{number}")

    threads = [threading.Thread(target=user, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(results) == list(range(8))
    assert all(holds == LOWER_BACK_SILENCES for holds in results.values())
    with sqlite3.connect(server_env["SKILL_DB"]) as connection:
        rows = connection.execute("SELECT user_id, state, history FROM progress").fetchall()
    saved = {user: (json.loads(state), json.loads(history)) for user, state, history in rows}
    for number in range(8):
        state, history = saved[f"amzn1.ask.account.E2E-{number}"]
        assert state["phase"] == "finished" and history["completed"] == 1


def test_the_server_verifies_without_mapping_cryptography(
    server_env: dict[str, str], tmp_path: Path
) -> None:
    """Chains are validated in a short-lived helper process, and signatures are checked with
    GMP: neither gunicorn's master nor the workers that verified a whole routine map
    cryptography's OpenSSL (4.5 MiB of each worker's memory for the RSA check alone, 5.8 MiB
    with the chain's validation)."""
    port = free_port()
    process = start_server(production_command(port), server_env, port, tmp_path / "server.log")
    try:
        run_routine(f"http://127.0.0.1:{port}", "amzn1.ask.account.LEAN")
        pids = [process.pid, *children(process.pid)]
        maps = {pid: Path(f"/proc/{pid}/maps").read_text() for pid in pids}
    finally:
        process.terminate()
        process.wait(timeout=15)
    assert len(maps) == 3  # the master and two workers
    for pid, mapped in maps.items():
        assert "gmpy2" in mapped, pid
        assert "cryptography" not in mapped, pid


def test_preloaded_workers_share_nothing_of_dynamodb_and_lose_nothing(
    dynalite: Dynalite, server_env: dict[str, str], tmp_path: Path
) -> None:
    """gunicorn's master builds the app (and the store's boto3 client) before it forks the
    workers: users served by both workers at once must all be saved, each whole."""
    table = "progress-preloaded"
    DynamoDbStore(table, endpoint_url=dynalite.endpoint_url, create_table=True).get_attributes(
        _envelope("amzn1.ask.account.CREATES-THE-TABLE")
    )
    env = {
        **server_env,
        "SKILL_STORE": "dynamodb",
        "SKILL_TABLE": table,
        "AWS_ENDPOINT_URL_DYNAMODB": dynalite.endpoint_url,
    }
    port = free_port()
    # The production command, with an access log that names the worker answering each request
    pids = ["--access-logfile", "-", "--access-logformat", "worker %(p)s %(r)s %(s)s"]
    command = production_command(port) + pids
    process = start_server(command, env, port, tmp_path / "server.log")
    url = f"http://127.0.0.1:{port}"
    users = [f"amzn1.ask.account.DDB-{number}" for number in range(8)]
    results: dict[str, list[int]] = {}

    def routine(user: str) -> None:
        results[user] = run_routine(url, user)

    try:
        threads = [threading.Thread(target=routine, args=(user,)) for user in users]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    finally:
        process.terminate()
        process.wait(timeout=15)
    log = (tmp_path / "server.log").read_text()
    assert "Traceback" not in log, log
    answered_by = set(re.findall(r"worker <(\d+)> POST /alexa HTTP/1.1 200", log))
    assert len(answered_by) == 2, log  # both forked workers wrote to the store
    assert sorted(results) == users
    assert all(holds == LOWER_BACK_SILENCES for holds in results.values())
    reader = DynamoDbStore(table, endpoint_url=dynalite.endpoint_url)
    for user in users:
        saved = reader.get_attributes(_envelope(user))
        assert saved["state"]["phase"] == "finished", user
        assert saved["history"]["completed"] == 1, user


def _envelope(user_id: str) -> RequestEnvelope:
    system = SystemState(application=Application(application_id="skill"), user=User(user_id))
    return RequestEnvelope(context=Context(system=system))
