"""Faults outside the skill: the SQLite file unwritable, locked or corrupted; the signing
certificate download failing or hanging; clocks 150 s apart.

Store faults: the user is guided on from the session, each failing turn logs one warning and
answers normally, and once the file is repaired progress is saved again. A Lambda container
that already holds an open connection may not notice a file changed under it, so each fault
is met by a new container (a cold start) while the device keeps its session.
"""

from __future__ import annotations

import json
import logging
import shutil
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from skill.config import Settings
from skill.simulator.envelopes import DEFAULT_SKILL_ID, DeviceInfo, SimulatedDevice, launch_request
from skill.simulator.lambda_entry import load_lambda_module
from skill.storage import sqlite_store
from skill.web import certificates, create_app
from skill.web.chain_download import DOWNLOAD_DEADLINE_S
from tests.support.fuzzing import assert_alexa_response, progress_rows
from tests.support.servers import ChainServer
from tests.support.skill_env import Clock, spoken
from tests.support.test_ca import StaticFetcher, default_ca, default_leaf, signed_headers

USER = "amzn1.ask.account.FAULTS"
ALEXA_DEADLINE_S = 8
UNAVAILABLE = "progress store unavailable"

# SQLite faults that hold for root too (file modes do not)

Fault = Callable[[Path], AbstractContextManager[Path]]


def _remove_database(path: Path) -> None:
    """The database and its WAL side files, whatever they are now."""
    for candidate in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        if candidate.is_dir():
            shutil.rmtree(candidate)
        else:
            candidate.unlink(missing_ok=True)


@contextmanager
def _backed_up(path: Path, restore_to: Path | None = None) -> Iterator[None]:
    """Copy the database aside; on exit put the copy back at restore_to (default: path)."""
    backup = path.with_name("backup.sqlite3")
    with sqlite3.connect(path) as source, sqlite3.connect(backup) as target:
        source.backup(target)
    yield
    restore_to = restore_to or path
    _remove_database(restore_to)
    restore_to.parent.mkdir(parents=True, exist_ok=True)
    backup.replace(restore_to)


@contextmanager
def garbage_file(path: Path) -> Iterator[Path]:
    """The database (and its WAL, which would mask it) overwritten with garbage."""
    with _backed_up(path):
        _remove_database(path)
        path.write_bytes(b"these are not the pages you are looking for\n" * 200)
        yield path


@contextmanager
def directory_in_its_place(path: Path) -> Iterator[Path]:
    """The database file replaced by a directory of the same name."""
    with _backed_up(path):
        _remove_database(path)
        path.mkdir()
        yield path


@contextmanager
def folder_is_a_file(path: Path) -> Iterator[Path]:
    """SKILL_DB inside a regular file: its folder can be neither created nor used."""
    blocker = path.parent / "moved"
    moved = blocker / path.name
    with _backed_up(path, restore_to=moved):
        blocker.write_text("a regular file\n")
        yield moved
        blocker.unlink()


@contextmanager
def locked(path: Path) -> Iterator[Path]:
    """Another connection holds the write lock (BEGIN EXCLUSIVE) past the busy timeout."""
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        yield path
    finally:
        holder.execute("ROLLBACK")
        holder.close()


FILE_FAULTS: list[Fault] = [garbage_file, directory_in_its_place, folder_is_a_file]


class Lambda:
    """The Lambda entry; cold_start() replaces the container, reading SKILL_DB anew."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        for name in ("SKILL_ID", "SKILL_STORE", "AWS_LAMBDA_FUNCTION_NAME"):
            monkeypatch.delenv(name, raising=False)
        self._monkeypatch = monkeypatch
        self._handler: Callable[[dict[str, Any], Any], dict[str, Any]] | None = None

    def cold_start(self, db_path: Path) -> None:
        self._monkeypatch.setenv("SKILL_DB", str(db_path))
        self._handler = load_lambda_module().lambda_handler

    def __call__(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        assert self._handler is not None, "cold_start first"
        return self._handler(event, context)


@pytest.fixture
def lambda_(monkeypatch: pytest.MonkeyPatch, db_path: Path) -> Lambda:
    entry = Lambda(monkeypatch)
    entry.cold_start(db_path)
    return entry


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "progress.sqlite3"


def turn(caplog: pytest.LogCaptureFixture, say: Callable[[], dict[str, Any]]) -> tuple[str, int]:
    """What Alexa says to one request (checked playable, in time) and how many store
    warnings it logged."""
    caplog.clear()
    started = time.monotonic()
    response = say()
    assert time.monotonic() - started < ALEXA_DEADLINE_S
    assert_alexa_response(response)
    warnings = [r for r in caplog.records if UNAVAILABLE in r.getMessage()]
    assert all(r.levelno == logging.WARNING for r in warnings)
    return spoken(response), len(warnings)


def saved_position(db_path: Path) -> tuple[int, str]:
    """(stretch, phase) saved for USER, read through a fresh connection."""
    states = {row[0]: json.loads(row[1]) for row in progress_rows(db_path)}
    return states[USER]["stretch"], states[USER]["phase"]


@pytest.mark.parametrize("fault", [*FILE_FAULTS, locked])
def test_store_fault_mid_routine_guides_from_the_session_then_saves_again(
    fault: Fault,
    lambda_: Lambda,
    db_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)
    monkeypatch.setattr(sqlite_store, "BUSY_TIMEOUT_SECONDS", 0.2)  # read at each open
    device = SimulatedDevice(lambda_, user_id=USER)
    device.launch()
    device.intent("StartRoutineIntent")
    device.intent("ReadyIntent")
    assert saved_position(db_path) == (0, "holding")

    with fault(db_path) as broken:
        lambda_.cold_start(broken)
        said, warnings = turn(caplog, lambda: device.intent("AMAZON.NextIntent"))
        assert "Stretch two of three: the standing crunch rotations." in said
        assert warnings == 1
        said, warnings = turn(caplog, lambda: device.intent("ReadyIntent"))
        assert "That's ten." in said
        assert warnings == 1

    said, warnings = turn(caplog, lambda: device.intent("ReadyIntent"))
    assert "Stretch three of three: the table hamstring stretch." in said
    assert warnings == 0
    assert saved_position(broken) == (2, "introducing")
    device.end_session()
    said, _ = turn(caplog, device.launch)
    assert "You were on the table hamstring stretch, right leg." in said


@pytest.mark.parametrize("fault", FILE_FAULTS)
def test_new_session_on_a_broken_store_is_still_guided(
    fault: Fault, lambda_: Lambda, db_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    SimulatedDevice(lambda_, user_id="amzn1.ask.account.OTHER").launch()  # the file exists
    device = SimulatedDevice(lambda_, user_id=USER)
    with fault(db_path) as broken:
        lambda_.cold_start(broken)
        said, warnings = turn(caplog, device.launch)
        assert said.startswith("Welcome to Back Stretches.")  # new or not: cannot be known
        assert "not medical advice" in said
        assert warnings == 1  # the read failed; no second wait on the write
        said, warnings = turn(caplog, lambda: device.intent("StartRoutineIntent"))
        assert "Stretch one of three: the toe reach." in said
        assert warnings == 1
    said, warnings = turn(caplog, lambda: device.intent("ReadyIntent"))
    assert said.startswith("Hold for thirty seconds.")
    assert warnings == 0
    assert saved_position(broken) == (0, "holding")


def test_a_locked_store_answers_within_alexas_deadline(
    lambda_: Lambda, db_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """With the real busy timeout: the save waits it out, then the reply goes anyway."""
    caplog.set_level(logging.WARNING)
    device = SimulatedDevice(lambda_, user_id=USER)
    device.launch()
    with locked(db_path):
        started = time.monotonic()
        said, warnings = turn(caplog, lambda: device.intent("StartRoutineIntent"))
        waited = time.monotonic() - started
    assert sqlite_store.BUSY_TIMEOUT_SECONDS <= waited < ALEXA_DEADLINE_S
    assert "Stretch one of three: the toe reach." in said
    assert warnings == 1
    assert "database is locked" in caplog.text
    assert saved_position(db_path) == (0, "not_started")


# Certificate downloads and clocks, through the Flask app


@pytest.fixture
def roots(tmp_path: Path) -> Path:
    path = tmp_path / "roots.pem"
    path.write_bytes(default_ca().root_pem)
    return path


def web_settings(db_path: Path, roots: Path, cert_mirror: str | None = None) -> Settings:
    return Settings(
        skill_id=DEFAULT_SKILL_ID,
        db_path=db_path,
        trusted_roots=roots,
        trusted_roots_only=True,
        cert_mirror=cert_mirror,
    )


def post_launch(client: FlaskClient, now: datetime | None = None) -> tuple[int, dict[str, Any]]:
    """A signed LaunchRequest stamped `now`; the status and the JSON answer."""
    body = json.dumps(launch_request(DeviceInfo(USER), now=now)).encode()
    response = client.post(
        "/alexa", data=body, headers=signed_headers(body), content_type="application/json"
    )
    if response.status_code == 400:
        assert response.get_data() == b"Bad request\n"  # the reason is in the log only
    return response.status_code, response.get_json(silent=True) or {}


def rejections(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if "rejected Alexa request" in r.getMessage()]


class FailingFetcher(StaticFetcher):
    """Serves the chain after `failures` downloads have failed."""

    def __init__(self, pem: bytes, failures: int) -> None:
        super().__init__(pem)
        self.failures = failures

    def __call__(self, url: str) -> bytes:
        if self.failures:
            self.failures -= 1
            self.urls.append(url)
            raise ConnectionRefusedError("connection refused")
        return super().__call__(url)


def test_certificate_download_failure_is_a_400_and_is_retried_a_little_later(
    db_path: Path, roots: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    caplog.set_level(logging.WARNING)
    monkeypatch.setattr(certificates, "FAILURE_TTL_S", 0.2)
    fetcher = FailingFetcher(default_leaf().chain_pem, failures=1)
    client = create_app(web_settings(db_path, roots), fetcher=fetcher).test_client()
    status, _ = post_launch(client)
    assert status == 400
    assert rejections(caplog)[-1].endswith(
        "could not download certificate chain: connection refused"
    )
    assert progress_rows(db_path) == []
    time.sleep(0.2)
    status, answer = post_launch(client)
    assert status == 200
    assert spoken(answer).startswith("Welcome to Back Stretches.")
    assert len(fetcher.urls) == 2


@pytest.fixture
def mirror() -> Iterator[tuple[str, threading.Event]]:
    """A local mirror of s3.amazonaws.com serving the test chain, and a switch that makes it
    hang (accept, never answer) while set."""
    with ChainServer(default_leaf().chain_pem) as chain_server:
        chain_server.hang.set()
        yield chain_server.url, chain_server.hang


def test_slow_certificate_download_times_out_with_a_400_then_recovers(
    db_path: Path,
    roots: Path,
    mirror: tuple[str, threading.Event],
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The production fetcher (SKILL_CERT_MIRROR, 2 s deadline) against a hanging server."""
    caplog.set_level(logging.WARNING)
    monkeypatch.setattr(certificates, "FAILURE_TTL_S", 0.2)
    url, hang = mirror
    client = create_app(web_settings(db_path, roots, cert_mirror=url)).test_client()
    started = time.monotonic()
    status, _ = post_launch(client)
    assert time.monotonic() - started < DOWNLOAD_DEADLINE_S + 0.5
    assert status == 400
    assert rejections(caplog)[-1].endswith("could not download certificate chain: timed out")
    hang.clear()
    time.sleep(0.2)
    status, answer = post_launch(client)
    assert status == 200
    assert spoken(answer).startswith("Welcome to Back Stretches.")


@pytest.mark.parametrize(
    ("skew", "status"),
    [(-150, 200), (150, 200), (-151, 400), (151, 400)],
    ids=["150s-old", "150s-ahead", "151s-old", "151s-ahead"],
)
def test_clock_skew_at_the_150_second_edge(
    db_path: Path, roots: Path, caplog: pytest.LogCaptureFixture, skew: int, status: int
) -> None:
    caplog.set_level(logging.WARNING)
    clock = Clock(datetime.now(UTC).replace(microsecond=0))
    app = create_app(
        web_settings(db_path, roots), fetcher=StaticFetcher(default_leaf().chain_pem), now=clock
    )
    got, answer = post_launch(app.test_client(), clock.now + timedelta(seconds=skew))
    assert got == status
    if status == 400:
        assert rejections(caplog)[-1].endswith("timestamp 151 s from now exceeds 150 s")
        assert progress_rows(db_path) == []
    else:
        assert_alexa_response(answer)
        assert spoken(answer).startswith("Welcome to Back Stretches.")


@pytest.mark.parametrize("fault", [*FILE_FAULTS, locked])
def test_a_completion_the_store_cannot_save_is_not_claimed(
    fault: Fault,
    lambda_: Lambda,
    db_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)
    monkeypatch.setattr(sqlite_store, "BUSY_TIMEOUT_SECONDS", 0.2)
    device = SimulatedDevice(lambda_, user_id=USER)
    device.launch()
    device.intent("StartRoutineIntent")
    for _ in range(5):  # all but the last step
        device.intent("ReadyIntent")
    with fault(db_path) as broken:
        lambda_.cold_start(broken)
        said, warnings = turn(caplog, lambda: device.intent("ReadyIntent"))
    assert said.endswith(
        "That's the whole lower back routine. Well done. "
        "I couldn't save today's session, sorry. See you tomorrow."
    )
    assert warnings == 1
    histories = {row[0]: json.loads(row[2]) for row in progress_rows(broken)}
    assert histories[USER]["completed"] == 0
