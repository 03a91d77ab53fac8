"""The embedded default progress store: one SQLite file, shared safely by processes and threads.

Keeps the contract in `skill.storage.base`. The file runs in WAL mode with a busy timeout,
connections (autocommit) are pooled, and every statement stands alone: a
completion is folded into the history with a compare-and-swap (written back only if the history
is unchanged since it was read, else read again), so racing completions all count. Every SQLite
or file-system failure is raised as `StoreUnavailable`.

Do not point it at a network file system (WAL needs shared memory), and do not keep using a
store across ``os.fork`` once it has opened a connection: construct it in the child instead.
"""

from __future__ import annotations

import logging
import os
import queue
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from typing import Any

import msgspec
from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter
from ask_sdk_model import RequestEnvelope

from skill.budget import BudgetSpent, call_timeout
from skill.config import StrPath
from skill.conversation.history import History, record_completion
from skill.storage.base import (
    HISTORY,
    PROFILE,
    STATE,
    StoreUnavailable,
    parse_save,
    user_id_of,
)

logger = logging.getLogger(__name__)

SCHEMA_VERSION = 2  # 2: the profile column
BUSY_TIMEOUT_SECONDS = 5.0
# Each connection keeps at most this much of the file in its own page cache (SQLite's default
# is 2 MiB, 32 MiB for 16 connections once there are a few thousand users). A lookup by user
# ID needs the B-tree's top pages; the rest is in the kernel's file cache.
PAGE_CACHE_KIB = 256
# Connections a process keeps at most. Python lets other threads run while SQLite works, so
# under load each of a worker's threads (16 then, 8 now) opened one (each holds its page cache
# and SQLite's own allocations): a loaded worker held 44.3 MiB, against 43.5 with 8 and 42.9
# with 4. Fewer make threads queue for a connection whose holder waits for Python's GIL: p99
# at c=32 was 1.45x and 1.61x the baseline's with 4 (one connection per thread, runs
# interleaved: 1.15x, 1.28x), 1.20x with 8 in the same hour.
MAX_CONNECTIONS = 8

_MIGRATIONS = {  # schema version -> the statements that bring the previous version to it
    1: (
        """CREATE TABLE IF NOT EXISTS progress (
            user_id TEXT PRIMARY KEY,
            state TEXT NOT NULL,
            history TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )""",
    ),
    2: ("ALTER TABLE progress ADD COLUMN profile TEXT NOT NULL DEFAULT '{}'",),
}
_SELECT = "SELECT state, profile, history FROM progress WHERE user_id = ?"
_SELECT_HISTORY = "SELECT history FROM progress WHERE user_id = ?"
# Parameters by number, in a tuple (?1 user ID, ?2 state, ?3 profile, ?4 history, ?5 time of
# the save, ?6 the history expected): Python's sqlite3 looks each name up with Python's GIL
# released, and under load every release hands the GIL to a waiting thread. Named, an upsert
# released it 9 times; numbered, 5.
# A NULL profile (?3) keeps the stored profile (a save that could not read it).
_UPSERT_STATE = """
INSERT INTO progress (user_id, state, profile, history, updated_at)
VALUES (?1, ?2, COALESCE(?3, '{}'), ?4, ?5)
ON CONFLICT (user_id) DO UPDATE
SET state = excluded.state, profile = COALESCE(?3, progress.profile),
    updated_at = excluded.updated_at"""
# A completion: the history is read, folded in Python, and written back only if nobody changed
# it meanwhile (or inserted only if the user still has no row); else read again. No transaction
# spans the Python in between: a write lock held across it was held while the thread waited for
# Python's GIL, and every other writer, in this process or another, waited in SQLite's busy
# handler (1, 2, 5, 10 ms...).
_INSERT_NEW = """
INSERT INTO progress (user_id, state, profile, history, updated_at)
VALUES (?1, ?2, COALESCE(?3, '{}'), ?4, ?5)
ON CONFLICT (user_id) DO NOTHING"""
_UPDATE_IF_UNCHANGED = """
UPDATE progress SET state = ?2, profile = COALESCE(?3, profile), history = ?4, updated_at = ?5
WHERE user_id = ?1 AND history = ?6"""
COMPLETION_TRIES = 50  # racing completions of one user: each try loses to at most one other
_DELETE = "DELETE FROM progress WHERE user_id = ?"


class _Pooled:
    """An idle or lent connection, with the busy timeout last set on it."""

    __slots__ = ("connection", "wait_ms")

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection
        self.wait_ms: int | None = None


class SQLiteStore(AbstractPersistenceAdapter):
    """Progress per Alexa user in one SQLite file; `reads`/`writes` count get/save calls.

    A call borrows an idle connection, or opens one if none is idle and fewer than
    `MAX_CONNECTIONS` are open, else waits for one (within the request's budget), and gives it
    back after. The most recently returned is lent first, so its cache is warm."""

    def __init__(self, path: StrPath, *, sync_to_disk: bool = True) -> None:
        """sync_to_disk=False: never wait for the disk (SQLite's synchronous=OFF), for a file
        that cannot outlive the machine it is on, such as Lambda's /tmp, which goes with its
        container. A crash of this process loses nothing either way; only a crash of the
        operating system or a power cut can leave such a file damaged."""
        self.path = os.fspath(path)
        self.sync_to_disk = sync_to_disk
        self.reads = 0
        self.writes = 0
        # A call holds one of MAX_CONNECTIONS tokens while it uses a connection, and opens one
        # only when none is idle: never more than MAX_CONNECTIONS exist. (SimpleQueue and list
        # are C code, atomic without a lock: a threading semaphore cost 1.7 µs a call.)
        self._tokens: queue.SimpleQueue[None] = queue.SimpleQueue()
        for _ in range(MAX_CONNECTIONS):
            self._tokens.put(None)
        self._idle: list[_Pooled] = []
        self._count_lock = threading.Lock()

    def get_attributes(self, request_envelope: RequestEnvelope) -> dict[str, Any]:
        user_id = user_id_of(request_envelope)
        with self._count_lock:
            self.reads += 1
        with self._connection("read progress") as connection:
            row = connection.execute(_SELECT, (user_id,)).fetchone()
        if row is None:
            return {}
        return {
            part: _parse(text, user_id, part)
            for part, text in zip((STATE, PROFILE, HISTORY), row, strict=True)
        }

    def save_attributes(self, request_envelope: RequestEnvelope, attributes: dict) -> None:
        user_id = user_id_of(request_envelope)
        parts, day = parse_save(attributes)
        profile = parts.get(PROFILE)
        state = _dump(parts[STATE])
        profile_text = None if profile is None else _dump(profile)
        with self._count_lock:
            self.writes += 1
        with self._connection("save progress") as connection:
            if day is None:
                connection.execute(
                    _UPSERT_STATE, (user_id, state, profile_text, _EMPTY_HISTORY, _now())
                )
                return
            for _ in range(COMPLETION_TRIES):
                row = connection.execute(_SELECT_HISTORY, (user_id,)).fetchone()
                expected = None if row is None else row[0]
                stored = {} if expected is None else _parse(expected, user_id, HISTORY)
                history = _dump(record_completion(History.from_dict(stored), day).to_dict())
                values = (user_id, state, profile_text, history, _now())
                if row is None:
                    written = connection.execute(_INSERT_NEW, values)
                else:
                    written = connection.execute(_UPDATE_IF_UNCHANGED, (*values, expected))
                if written.rowcount == 1:
                    return
            raise sqlite3.OperationalError("the history kept changing under this completion")

    def delete_attributes(self, request_envelope: RequestEnvelope) -> None:
        user_id = user_id_of(request_envelope)
        with self._connection("delete progress") as connection:
            connection.execute(_DELETE, (user_id,))

    @contextmanager
    def _connection(self, action: str) -> Iterator[sqlite3.Connection]:
        """A connection of the pool, waiting for one and on locks no longer than the request's
        budget allows; given back after, or closed (rolling back) on any failure."""
        holding_token = False
        pooled = None
        try:
            try:
                self._tokens.get(timeout=call_timeout(BUSY_TIMEOUT_SECONDS))
            except queue.Empty:
                raise BudgetSpent(f"all {MAX_CONNECTIONS} connections stayed busy") from None
            holding_token = True
            try:
                pooled = self._idle.pop()
            except IndexError:
                pooled = self._open()
            wait_ms = int(call_timeout(BUSY_TIMEOUT_SECONDS) * 1000)  # what is left after
            if wait_ms != pooled.wait_ms:  # nearly always the cap
                pooled.connection.execute(f"PRAGMA busy_timeout = {wait_ms}")
                pooled.wait_ms = wait_ms
            yield pooled.connection
        except BaseException as error:
            if pooled is not None:
                with suppress(sqlite3.Error):
                    pooled.connection.close()
            if holding_token:
                self._tokens.put(None)
            # UnicodeError: text SQLite cannot take (a user ID with a lone surrogate)
            if isinstance(error, (sqlite3.Error, OSError, UnicodeError, BudgetSpent)):
                raise StoreUnavailable(f"could not {action} in {self.path}: {error}") from error
            raise
        self._idle.append(pooled)
        self._tokens.put(None)

    def _open(self) -> _Pooled:
        os.makedirs(os.path.dirname(self.path) or ".", exist_ok=True)
        connection = sqlite3.connect(
            self.path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None, check_same_thread=False
        )
        try:
            # synchronous first: switching a new file to WAL then skips an fsync. NORMAL is
            # safe in WAL mode and does not fsync each commit; OFF never does (making a new
            # file, NORMAL waits for five, about 2.5 ms here).
            connection.execute(f"PRAGMA synchronous = {'NORMAL' if self.sync_to_disk else 'OFF'}")
            connection.execute(f"PRAGMA cache_size = -{PAGE_CACHE_KIB}")
            _use_wal(connection)
            version = connection.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise sqlite3.DatabaseError(f"schema version {version} is newer than this code")
            if version < SCHEMA_VERSION:
                _migrate(connection)
        except BaseException:
            with suppress(sqlite3.Error):
                connection.close()
            raise
        return _Pooled(connection)


def _use_wal(connection: sqlite3.Connection) -> None:
    """Switch to WAL. Two first opens racing to convert a new file can get SQLITE_BUSY without
    SQLite calling the busy handler, so retry that until the busy timeout."""
    deadline = time.monotonic() + BUSY_TIMEOUT_SECONDS
    while True:
        try:
            connection.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as error:
            busy = error.sqlite_errorcode & 0xFF == sqlite3.SQLITE_BUSY
            if not busy or time.monotonic() > deadline:
                raise
        time.sleep(0.005)


def _migrate(connection: sqlite3.Connection) -> None:
    """Bring the file to `SCHEMA_VERSION`, in one transaction that re-reads the version (another
    process may have migrated it meanwhile)."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        for target in range(version + 1, SCHEMA_VERSION + 1):
            for statement in _MIGRATIONS[target]:
                connection.execute(statement)
        connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise


_ENCODER = msgspec.json.Encoder()  # compact UTF-8 JSON, several times faster than json's
_DECODER = msgspec.json.Decoder()


def _dump(value: dict) -> str:
    return _ENCODER.encode(value).decode()


_EMPTY_HISTORY = _dump(History().to_dict())  # a new user's row


def _parse(text: str, user_id: str, column: str) -> dict:
    """A stored JSON object; anything unreadable reads as empty, with a warning."""
    try:
        value = _DECODER.decode(text)
    except (TypeError, msgspec.DecodeError):
        value = None
    if isinstance(value, dict):
        return value
    logger.warning("unreadable %s for user ...%s; reading it as empty", column, user_id[-6:])
    return {}


_stamp = (0, "")  # (a second, its ISO text): replaced whole, so threads read either one


def _now() -> str:
    """The time of a save, to the second (its text made once a second)."""
    global _stamp
    second = int(time.time())
    stamp = _stamp
    if stamp[0] != second:
        stamp = _stamp = (second, datetime.fromtimestamp(second, UTC).isoformat())
    return stamp[1]
