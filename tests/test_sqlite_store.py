"""SQLiteStore against real files: the base.py contract, concurrency and failure modes."""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

import pytest
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import RequestEnvelope

from skill.budget import request_budget
from skill.conversation.history import History
from skill.storage.base import COMPLETED_ON, HISTORY, PROFILE, STATE, StoreUnavailable
from skill.storage.sqlite_store import MAX_CONNECTIONS, SQLiteStore
from tests.support.disk_syncs import run_counting_disk_syncs
from tests.support.servers import ROOT


def envelope(user_id: str = "amzn1.ask.account.TEST") -> RequestEnvelope:
    """A LaunchRequest envelope as Alexa sends it, deserialized by the SDK."""
    app = {"applicationId": "amzn1.ask.skill.TEST"}
    user = {"userId": user_id}
    raw = {
        "version": "1.0",
        "session": {"new": True, "sessionId": "s1", "application": app, "user": user},
        "context": {
            "System": {
                "application": app,
                "user": user,
                "device": {"deviceId": "d1", "supportedInterfaces": {}},
            }
        },
        "request": {
            "type": "LaunchRequest",
            "requestId": "r1",
            "locale": "en-US",
            "timestamp": "2024-03-01T08:00:00Z",
        },
    }
    return DefaultSerializer().deserialize(json.dumps(raw), "ask_sdk_model.RequestEnvelope")


def complete(store: SQLiteStore, day: str, state: dict | None = None) -> None:
    store.save_attributes(envelope(), {STATE: state or {}, COMPLETED_ON: day})


def history(store: SQLiteStore) -> dict:
    return store.get_attributes(envelope())[HISTORY]


def _times_open(path: Path) -> int:
    """How many of this process's file descriptors are open on `path`: one per connection."""
    fds = Path("/proc/self/fd")
    return sum(1 for fd in fds.iterdir() if os.path.realpath(fd) == str(path.resolve()))


@pytest.fixture
def store(tmp_path: Path) -> SQLiteStore:
    return SQLiteStore(tmp_path / "progress.db")


def test_unknown_user_reads_empty(store: SQLiteStore) -> None:
    assert store.get_attributes(envelope()) == {}


def test_state_round_trips_without_touching_history(store: SQLiteStore) -> None:
    complete(store, "2024-03-01")
    state = {"phase": "stretching", "step": 3, "routine": "lower-back", "nested": {"ids": [1, "a"]}}
    store.save_attributes(envelope(), {STATE: state})
    assert store.get_attributes(envelope()) == {
        STATE: state,
        PROFILE: {},
        HISTORY: History(1, 1, "2024-03-01", 1, ("2024-03-01",)).to_dict(),
    }
    store.save_attributes(envelope(), {STATE: {"step": 4}})
    assert store.get_attributes(envelope())[STATE] == {"step": 4}
    assert history(store)["completed"] == 1


def test_profile_is_replaced_with_the_state_and_kept_by_completions(store: SQLiteStore) -> None:
    profile = {"hold": 45, "instructions": "full", "done": {"toe_reach": 2}}
    store.save_attributes(envelope(), {STATE: {"step": 1}, PROFILE: profile})
    assert store.get_attributes(envelope())[PROFILE] == profile
    store.save_attributes(
        envelope(), {STATE: {}, PROFILE: {"hold": 60}, COMPLETED_ON: "2024-03-01"}
    )
    assert store.get_attributes(envelope())[PROFILE] == {"hold": 60}
    assert history(store)["completed"] == 1


def test_a_file_from_before_profiles_is_migrated_and_keeps_its_progress(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as old:  # schema version 1, as the previous release wrote it
        old.execute(
            "CREATE TABLE progress (user_id TEXT PRIMARY KEY, state TEXT NOT NULL,"
            " history TEXT NOT NULL, updated_at TEXT NOT NULL)"
        )
        old.execute(
            "INSERT INTO progress VALUES (?, ?, ?, ?)",
            ("amzn1.ask.account.TEST", '{"step": 2}', '{"completed": 3}', "2024-01-01"),
        )
        old.execute("PRAGMA user_version = 1")
    old.close()
    store = SQLiteStore(path)
    assert store.get_attributes(envelope()) == {
        STATE: {"step": 2},
        PROFILE: {},
        HISTORY: {"completed": 3},
    }
    store.save_attributes(envelope(), {STATE: {"step": 3}, PROFILE: {"reps": 15}})
    assert store.get_attributes(envelope())[PROFILE] == {"reps": 15}
    with sqlite3.connect(path) as check:
        assert check.execute("PRAGMA user_version").fetchone()[0] == 2
    check.close()


def test_users_are_kept_apart(store: SQLiteStore) -> None:
    store.save_attributes(envelope("alice"), {STATE: {"step": 1}})
    assert store.get_attributes(envelope("bob")) == {}


def test_completions_build_streak_count_same_day_and_reset_after_gap(store: SQLiteStore) -> None:
    complete(store, "2024-03-01")
    complete(store, "2024-03-02", {"step": 0})
    assert history(store) == History(2, 2, "2024-03-02", 2, ("2024-03-01", "2024-03-02")).to_dict()
    assert store.get_attributes(envelope())[STATE] == {"step": 0}
    complete(store, "2024-03-02")
    assert history(store) == History(3, 2, "2024-03-02", 2, ("2024-03-01", "2024-03-02")).to_dict()
    complete(store, "2024-03-05")
    assert (
        history(store)
        == History(4, 1, "2024-03-05", 2, ("2024-03-01", "2024-03-02", "2024-03-05")).to_dict()
    )


def test_history_passed_in_attributes_is_ignored(store: SQLiteStore) -> None:
    forged = {"completed": 99, "streak": 50, "last_day": "2024-03-01"}
    store.save_attributes(envelope(), {STATE: {}, HISTORY: forged})
    assert history(store)["completed"] == 0
    store.save_attributes(envelope(), {STATE: {}, HISTORY: forged, COMPLETED_ON: "2024-03-02"})
    assert history(store) == History(1, 1, "2024-03-02", 1, ("2024-03-02",)).to_dict()


def test_delete_forgets_the_user(store: SQLiteStore) -> None:
    complete(store, "2024-03-01")
    store.delete_attributes(envelope())
    assert store.get_attributes(envelope()) == {}
    store.delete_attributes(envelope())  # deleting an unknown user is fine


def test_corrupted_row_reads_as_empty(store: SQLiteStore, caplog: pytest.LogCaptureFixture) -> None:
    complete(store, "2024-03-01", {"step": 2})
    with sqlite3.connect(store.path) as raw:
        raw.execute("UPDATE progress SET state = '{not json', history = '[1]'")
    with caplog.at_level(logging.WARNING):
        assert store.get_attributes(envelope()) == {STATE: {}, PROFILE: {}, HISTORY: {}}
    assert "unreadable" in caplog.text
    complete(store, "2024-03-02")  # a completion starts over from an empty history
    assert history(store) == History(1, 1, "2024-03-02", 1, ("2024-03-02",)).to_dict()


def test_file_and_folders_created_on_first_use_not_construction(tmp_path: Path) -> None:
    path = tmp_path / "data" / "nested" / "progress.db"
    store = SQLiteStore(path)
    assert not (tmp_path / "data").exists()
    store.get_attributes(envelope())
    assert path.is_file()
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert raw.execute("PRAGMA user_version").fetchone()[0] == 2


def test_only_ints_and_strings_are_saved(store: SQLiteStore) -> None:
    for bad in ({"pace": 1.5}, {"done": True}, {"x": None}, {"n": {"deep": [0.5]}}, {1: "a"}):
        with pytest.raises(TypeError):
            store.save_attributes(envelope(), {STATE: bad})
    with pytest.raises(TypeError):
        store.save_attributes(envelope(), {STATE: [1]})
    assert store.get_attributes(envelope()) == {}
    assert store.writes == 0


def test_reads_and_writes_are_counted(store: SQLiteStore) -> None:
    assert (store.reads, store.writes) == (0, 0)
    store.get_attributes(envelope())
    store.save_attributes(envelope(), {STATE: {"step": 1}})
    complete(store, "2024-03-01")
    assert (store.reads, store.writes) == (1, 2)


def _start_together(barrier: threading.Barrier) -> None:
    """Pool initializer: hold every worker until all have started."""
    barrier.wait()


def _complete_many(path: str, count: int) -> None:
    store = SQLiteStore(path)
    for _ in range(count):
        complete(store, "2024-03-01")


def test_two_processes_racing_completions_all_count(tmp_path: Path) -> None:
    path = str(tmp_path / "progress.db")  # not created yet: the processes race for that too
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(2)
    with ProcessPoolExecutor(2, context, initializer=_start_together, initargs=(barrier,)) as pool:
        futures = [pool.submit(_complete_many, path, 50) for _ in range(2)]
        for future in futures:
            future.result(timeout=60)  # re-raises a StoreUnavailable ("database is locked")
    assert history(SQLiteStore(path))["completed"] == 100


def test_threads_racing_completions_all_count_on_few_connections(store: SQLiteStore) -> None:
    """As many threads as a gunicorn worker has: every completion counts, and they never open
    more connections than the pool's cap."""
    threads = 16
    barrier = threading.Barrier(threads)

    def worker() -> None:
        barrier.wait()
        for _ in range(15):
            complete(store, "2024-03-01")
            assert store.get_attributes(envelope())[HISTORY]

    with ThreadPoolExecutor(threads) as pool:
        for future in [pool.submit(worker) for _ in range(threads)]:
            future.result(timeout=60)
    assert history(store)["completed"] == threads * 15
    assert store.writes == threads * 15
    assert _times_open(Path(store.path)) <= MAX_CONNECTIONS < threads


def test_garbage_file_raises_store_unavailable(store: SQLiteStore) -> None:
    Path(store.path).write_bytes(b"these are not the pages you are looking for\n" * 200)
    with pytest.raises(StoreUnavailable) as raised:
        store.get_attributes(envelope())
    assert isinstance(raised.value.__cause__, sqlite3.DatabaseError)
    assert "not a database" in str(raised.value.__cause__)
    with pytest.raises(StoreUnavailable):
        complete(store, "2024-03-01")


def test_store_recovers_once_the_file_is_fixed(store: SQLiteStore) -> None:
    Path(store.path).write_bytes(b"garbage" * 1000)
    with pytest.raises(StoreUnavailable):
        store.get_attributes(envelope())
    Path(store.path).unlink()
    assert store.get_attributes(envelope()) == {}


@pytest.fixture
def open_dir() -> Iterator[Path]:
    """A folder an unprivileged user can reach (pytest's tmp_path is private to root)."""
    path = Path(tempfile.mkdtemp(prefix="sqlite-store-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path)


def _save_without_privileges(path: str) -> str:
    """Root ignores file modes, so drop to `nobody` first; the outcome as a string. What must be
    imported is imported before: `nobody` may not read a virtualenv in a private folder."""
    request = envelope()  # the SDK imports its model classes as it deserializes
    if os.geteuid() == 0:
        os.setgid(65534)
        os.setuid(65534)
    try:
        SQLiteStore(path).save_attributes(request, {STATE: {"step": 1}})
    except StoreUnavailable as error:
        return f"unavailable: {error.__cause__!r}"
    return "saved"


def test_read_only_file_raises_store_unavailable(open_dir: Path) -> None:
    path = open_dir / "progress.db"
    SQLiteStore(path).get_attributes(envelope())  # a valid database, then made read-only
    path.chmod(0o444)
    open_dir.chmod(0o555)
    try:
        with ProcessPoolExecutor(1, multiprocessing.get_context("spawn")) as pool:
            outcome = pool.submit(_save_without_privileges, str(path)).result(timeout=60)
    finally:
        open_dir.chmod(0o755)
    assert outcome.startswith("unavailable: OperationalError"), outcome
    assert "readonly" in outcome, outcome


def test_a_user_id_sqlite_cannot_take_is_store_unavailable(store: SQLiteStore) -> None:
    """A lone surrogate cannot be encoded for SQLite: the store says it is unavailable (the skill
    then guides from the session and says so), rather than failing the request."""
    odd = envelope("amzn1.ask.account.\ud800")
    with pytest.raises(StoreUnavailable):
        store.get_attributes(odd)
    with pytest.raises(StoreUnavailable):
        store.save_attributes(odd, {STATE: {"step": 1}})
    store.save_attributes(envelope(), {STATE: {"step": 2}})  # the store still works
    assert store.get_attributes(envelope())[STATE] == {"step": 2}


_MANY_USERS_ON_16_THREADS = """
import sys, threading
from skill.storage.base import STATE
from skill.storage.sqlite_store import SQLiteStore
from tests.test_sqlite_store import envelope

def resident_kib():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS"))

store = SQLiteStore(sys.argv[1])
users = [envelope(f"amzn1.ask.account.U{number}") for number in range(3000)]
for user in users:
    store.save_attributes(user, {STATE: {"notes": "x" * 1000}})
before = resident_kib()
all_read = threading.Barrier(17)

def read_everyone():
    for user in users:
        assert store.get_attributes(user)[STATE]["notes"]
    all_read.wait()  # each thread's connection is still open while the memory is read
    all_read.wait()

threads = [threading.Thread(target=read_everyone) for _ in range(16)]
for thread in threads:
    thread.start()
all_read.wait()
print(resident_kib() - before)
all_read.wait()
"""


def test_sixteen_threads_over_thousands_of_users_stay_small(tmp_path: Path) -> None:
    """Each thread has its own connection, and each connection its own page cache: a worker's
    16 threads reading a 5 MB file must not each keep a copy of it (SQLite's default 2 MiB a
    connection would add about 32 MiB)."""
    done = subprocess.run(
        [sys.executable, "-c", _MANY_USERS_ON_16_THREADS, str(tmp_path / "many.db")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert (tmp_path / "many.db").stat().st_size > 4_000_000
    grown_mib = int(done.stdout) / 1024
    assert grown_mib < 10, f"16 connections added {grown_mib:.1f} MiB"


def test_threads_taking_turns_share_one_connection(tmp_path: Path) -> None:
    """A gunicorn worker's 16 threads mostly reach the store one at a time: they share one
    connection (and its page cache) instead of opening 16."""
    path = tmp_path / "progress.db"
    store = SQLiteStore(path)
    one_at_a_time = threading.Lock()

    def turn(number: int) -> None:
        with one_at_a_time:
            user = envelope(f"amzn1.ask.account.T{number}")
            store.save_attributes(user, {STATE: {"turn": number}})
            assert store.get_attributes(user)[STATE] == {"turn": number}

    threads = [threading.Thread(target=turn, args=(number,)) for number in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert _times_open(path) == 1


def test_a_request_waits_for_a_busy_pool_only_within_its_budget(tmp_path: Path) -> None:
    """Every connection is taken by a save stuck behind another process's write lock: one
    more request gives up when its budget runs out instead of queueing, and the pool is whole
    again once the lock goes."""
    path = tmp_path / "progress.db"
    store = SQLiteStore(path)
    store.save_attributes(envelope(), {STATE: {"step": 0}})
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # another process's write in progress
    stuck_started = threading.Barrier(MAX_CONNECTIONS + 1)

    def stuck_save(number: int) -> None:
        stuck_started.wait()
        with request_budget(30):
            store.save_attributes(envelope(f"amzn1.ask.account.S{number}"), {STATE: {}})

    with ThreadPoolExecutor(MAX_CONNECTIONS) as pool:
        saves = [pool.submit(stuck_save, number) for number in range(MAX_CONNECTIONS)]
        stuck_started.wait()
        time.sleep(0.3)  # every save holds a connection, waiting on the lock
        started = time.monotonic()
        with request_budget(1.5), pytest.raises(StoreUnavailable, match="busy"):
            store.get_attributes(envelope())
        assert time.monotonic() - started < 1.4
        blocker.execute("COMMIT")
        blocker.close()
        for save in saves:
            save.result(timeout=60)
    assert store.get_attributes(envelope())[STATE] == {"step": 0}


def test_a_connection_that_failed_is_closed_not_lent_again(tmp_path: Path) -> None:
    path = tmp_path / "progress.db"
    store = SQLiteStore(path)
    store.save_attributes(envelope(), {STATE: {"step": 1}})
    with pytest.raises(StoreUnavailable):
        store.get_attributes(envelope("amzn1.ask.account.\udcff"))  # SQLite cannot take it
    assert _times_open(path) == 0
    assert store.get_attributes(envelope())[STATE] == {"step": 1}
    assert _times_open(path) == 1


_SAVE_AND_CRASH = """
import os, sys
from skill.storage.base import STATE
from skill.storage.sqlite_store import SQLiteStore
from tests.test_sqlite_store import envelope

store = SQLiteStore(sys.argv[1], sync_to_disk=sys.argv[2] == "sync")
for step in range(5):
    store.save_attributes(envelope(), {STATE: {"step": step}})
os._exit(0)  # as a crash would: nothing closed, nothing checkpointed
"""


@pytest.mark.parametrize("sync_to_disk", [True, False])
def test_a_store_told_not_to_sync_never_waits_for_the_disk_and_a_crash_loses_nothing(
    tmp_path: Path, sync_to_disk: bool
) -> None:
    """sync_to_disk=False (Lambda's /tmp) makes a new file and saves with no fsync at all; the
    default waits for the disk when a new file is made (five times). Either way, what a process
    saved before it died is there for the next one: only the machine's own crash could lose it."""
    path = tmp_path / "progress.db"
    mode = "sync" if sync_to_disk else "no-sync"
    syncs, done = run_counting_disk_syncs(
        [sys.executable, "-c", _SAVE_AND_CRASH, str(path), mode], cwd=ROOT, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert (syncs > 0) is sync_to_disk, syncs
    assert SQLiteStore(path).get_attributes(envelope())[STATE] == {"step": 4}
