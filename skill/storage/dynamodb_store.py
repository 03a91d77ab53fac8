"""Progress store on DynamoDB, in ask-sdk's `DynamoDbAdapter` table layout, through boto3's
low-level client.

One item per Alexa user: partition key ``id`` (the user ID), the skill's attributes in the map
``attributes`` (``{"state": ..., "history": ...}``), and a top-level ``history_version`` number
that every completion bumps, so completions are applied with optimistic concurrency. A table the
adapter wrote reads here, and the other way round.

Not the adapter itself: it works through a DynamoDB *resource*, which every cold start pays
for on top of the client (its model loaded and its classes built), and its module builds one
at import. The values are converted with boto3's own `TypeSerializer` and `TypeDeserializer`,
as the resource does.
"""

from __future__ import annotations

import itertools
import logging
import random
import threading
import time
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from datetime import date
from decimal import Decimal
from typing import Any

import boto3
from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter
from ask_sdk_model import RequestEnvelope
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from skill.budget import BudgetSpent, call_timeout
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

PARTITION_KEY = "id"  # the adapter's names, so that a table it wrote reads here
ATTRIBUTES = "attributes"
VERSION = "history_version"
COMPLETED = "completed"  # the history's count of completed routines (History.completed)
# Each call gets one retry and timeouts from what is left of the request's budget
# (skill.budget): a read timeout of at most MAX_READ_TIMEOUT_S, rounded down to one of
# ATTEMPT_TIMEOUTS_S (one client per value, made on first use), the connect timeout at most 1 s.
MAX_READ_TIMEOUT_S = 2.0
ATTEMPT_TIMEOUTS_S = (0.25, 0.5, 1.0, 1.5, 2.0)
CLIENT_CONFIG = Config(
    connect_timeout=1, read_timeout=MAX_READ_TIMEOUT_S, retries={"total_max_attempts": 1}
)
MAX_USERS_SEEN = 256  # users whose history, as last read or written here, is remembered
COMPLETION_BUDGET_S = 3.0  # time a completion may spend retrying lost races
CONFLICT = "ConditionalCheckFailedException"
RETRYABLE = frozenset({
    "ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded",
    "InternalServerError", "ServiceUnavailable",
})  # fmt: skip
_MAP_TYPE = {"S": "M"}  # attribute_type's operands
_NUMBER_TYPE = {"S": "N"}
_TO_DYNAMODB = TypeSerializer().serialize
_FROM_DYNAMODB = TypeDeserializer().deserialize


class DynamoDbStore(AbstractPersistenceAdapter):
    """The progress store contract (`skill.storage.base`) on a DynamoDB table.

    Constructing builds the client (no network I/O); with ``create_table`` the table (on-demand
    billing, like template.yaml) is created on first use. A store built before a fork (gunicorn's
    master) serves the forked processes as long as it made no call before: its clients'
    connection pools would be shared. ``reads`` and ``writes`` count
    ``get_attributes`` and ``save_attributes`` calls that reach the table (like the SQLite store),
    and ``requests`` the table operations it makes, by name (``get_item``, ``update_item``...):
    each attempt, counted as it is sent, conditional writes that fail included (what DynamoDB
    bills, but for attempts that never reached it). Creating the table is not counted.
    """

    def __init__(
        self,
        table_name: str,
        *,
        endpoint_url: str | None = None,
        region: str | None = None,
        create_table: bool = False,
    ) -> None:
        self.table_name = table_name
        self.reads = 0
        self.writes = 0
        self.requests: Counter[str] = Counter()
        # One session for every client: the later ones reuse its loaded service model.
        self._session = boto3.Session(region_name=region)
        self._endpoint_url = endpoint_url
        with _unavailable_on_aws_errors():  # no region: raised here, at start-up
            first = self._session.client(
                "dynamodb", endpoint_url=endpoint_url, config=CLIENT_CONFIG
            )
        self._clients: dict[float, Any] = {MAX_READ_TIMEOUT_S: first}  # per read timeout
        self._table_ready = not create_table
        self._lock = threading.Lock()
        # What each user's item held when this process last read or wrote it (`_remember`):
        # a guess at what the table holds, never trusted. A new user's first save makes the
        # attributes map at once, without a failed update first; a completion writes on the
        # version it holds, without reading the history again. A wrong guess costs a
        # conditional write that fails, and the save goes on the other way.
        self._seen: dict[str, dict[str, Any]] = {}
        self._seen_lock = threading.Lock()

    def get_attributes(self, request_envelope: RequestEnvelope) -> dict[str, Any]:
        key = _key(request_envelope)
        self._count("reads")
        with _unavailable_on_aws_errors():
            response = self._call(
                "get_item",
                Key=key,
                ConsistentRead=True,
                ProjectionExpression="#a, #v",
                ExpressionAttributeNames={"#a": ATTRIBUTES, "#v": VERSION},
            )
        user_id = key[PARTITION_KEY]["S"]
        item = _item(response)
        self._remember(user_id, item)
        if "Item" not in response:
            return {}
        attributes = item.get(ATTRIBUTES)
        if not isinstance(attributes, dict):
            attributes = {}
        attributes.setdefault(PROFILE, {})  # saved before profiles existed
        return {
            part: _readable(attributes.get(part), user_id, part)
            for part in (STATE, PROFILE, HISTORY)
        }

    def save_attributes(
        self, request_envelope: RequestEnvelope, attributes: Mapping[str, Any]
    ) -> None:
        parts, day = parse_save(attributes)
        key = _key(request_envelope)
        self._count("writes")
        with _unavailable_on_aws_errors():
            if day is None:
                self._save_parts(key, parts)
            else:
                self._save_completion(key, parts, day)

    def delete_attributes(self, request_envelope: RequestEnvelope) -> None:
        key = _key(request_envelope)
        self._forget(key[PARTITION_KEY]["S"])
        with _unavailable_on_aws_errors():
            self._call("delete_item", Key=key)

    def _save_parts(self, key: dict[str, Any], parts: dict[str, dict[str, Any]]) -> None:
        """Replace the state and profile only; create the attributes map (empty history) if it
        is missing, or is not a map (unreadable: it reads as empty).

        ``SET attributes.state`` fails when the map is missing, and ``SET attributes =
        if_not_exists(...)`` cannot share an update with it (overlapping paths), so: set the
        parts where the map is, else create the map where it is not (the other way round for a
        user whose last read found no map, such as a new user), and go round again if a racing
        save created the map in between.
        """
        tokens = {STATE: ("#s", ":s"), PROFILE: ("#p", ":p")}
        given = [part for part in tokens if part in parts]  # an absent profile stays as stored
        names = {"#a": ATTRIBUTES, **{tokens[p][0]: p for p in given}}
        values = {":map": _MAP_TYPE, **{tokens[p][1]: _TO_DYNAMODB(parts[p]) for p in given}}
        update = "SET " + ", ".join(f"#a.{tokens[p][0]} = {tokens[p][1]}" for p in given)
        new_map = _TO_DYNAMODB({PROFILE: {}, **parts, HISTORY: History().to_dict()})
        set_parts = {
            "UpdateExpression": update,
            "ConditionExpression": "attribute_type(#a, :map)",
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
        }
        make_map = {
            "UpdateExpression": "SET #a = :a",
            "ConditionExpression": "attribute_not_exists(#a) OR NOT attribute_type(#a, :map)",
            "ExpressionAttributeNames": {"#a": ATTRIBUTES},
            "ExpressionAttributeValues": {":a": new_map, ":map": _MAP_TYPE},
        }
        user_id = key[PARTITION_KEY]["S"]
        seen = self._seen.get(user_id)
        attempts = [set_parts, make_map]
        if seen is not None and not isinstance(seen.get(ATTRIBUTES), dict):
            attempts.reverse()
        for attempt in attempts * 2:
            try:
                self._call("update_item", Key=key, **attempt)
            except ClientError as error:
                _reraise_unless_conflict(error)
                self._forget(user_id)
                seen = None  # it was wrong
                continue
            if attempt is make_map and seen is not None:
                self._remember(user_id, {**seen, ATTRIBUTES: _FROM_DYNAMODB(new_map)})
            return
        raise StoreUnavailable("the attributes map kept appearing and vanishing; state not saved")

    def _save_completion(
        self, key: dict[str, Any], parts: dict[str, dict[str, Any]], day: date
    ) -> None:
        """Write the state, the profile and the history with one more completion, unless a
        completion raced us.

        The history and version come from the item as this process last saw it, when the save
        gives the profile too, else from a read. Written on what this process saw, the write
        also requires the stored history's completion count to be the one it saw: a version
        alone can come back (a writer such as ask-sdk's adapter puts whole items without it,
        and the next completion starts it again). A lost race is read again and retried with
        jittered backoff until `COMPLETION_BUDGET_S` is spent: bounded in time rather than
        attempts, since a thread can lose many races in a row while others keep completing.
        A write that times out is not sent again (it may have landed), nor is what this process
        saw changed: the next completion's condition finds out.
        """
        user_id = key[PARTITION_KEY]["S"]
        deadline = time.monotonic() + COMPLETION_BUDGET_S
        seen = self._seen.get(user_id) if PROFILE in parts else None
        guard = None if seen is None else _count_check(seen)
        if guard is None:
            seen = None
        for attempt in itertools.count():
            item = seen if seen is not None else self._completion_read(key)
            stored = item.get(ATTRIBUTES)
            stored = stored if isinstance(stored, dict) else {}
            old = History.from_dict(stored.get(HISTORY))
            kept = {PROFILE: stored.get(PROFILE, {})}  # replaced only when the save gives one
            written = {**kept, **parts, HISTORY: record_completion(old, day).to_dict()}
            values: dict[str, Any] = {":a": _TO_DYNAMODB(written)}
            condition, operands, number = _version_check(item)
            values.update(operands, **{":next": _TO_DYNAMODB(number + 1)})
            names = {"#a": ATTRIBUTES, "#v": VERSION}
            if guard is not None:
                condition = f"({condition}) AND {guard[0]}"
                names.update(guard[1])
                values.update(guard[2])
            try:  # not retried: a write that timed out may have landed, and would count twice
                self._call(
                    "update_item",
                    retry=False,
                    Key=key,
                    UpdateExpression="SET #a = :a, #v = :next",
                    ConditionExpression=condition,
                    ExpressionAttributeNames=names,
                    ExpressionAttributeValues=values,
                )
            except ClientError as error:
                _reraise_unless_conflict(error)
            else:
                self._remember(user_id, {ATTRIBUTES: written, VERSION: Decimal(number + 1)})
                return
            if seen is not None:  # what this process saw is out of date: read it, at once
                seen = guard = None
                self._forget(user_id)
                continue
            pause = random.uniform(0, min(0.2, 0.01 * 2**attempt))
            if time.monotonic() + pause > deadline:
                raise StoreUnavailable(f"a completion lost {attempt + 1} races; not saved")
            time.sleep(pause)

    def _call(self, operation: str, *, retry: bool = True, **kwargs: Any) -> Any:
        """One table operation with timeouts from the request's budget, retried once on a
        timeout, throttling or a server error if `retry` and time is left."""
        for attempt in (1, 2):
            client = self._client(call_timeout(MAX_READ_TIMEOUT_S))
            with self._lock:
                self.requests[operation] += 1
            try:
                return getattr(client, operation)(TableName=self.table_name, **kwargs)
            except (BotoCoreError, ClientError) as error:
                if attempt == 2 or not retry or not _retryable(error):
                    raise
        raise AssertionError("unreachable")

    def _client(self, read_timeout: float) -> Any:
        """The client that waits at most `read_timeout` (rounded down to one of
        ATTEMPT_TIMEOUTS_S); the table is created first (once) when ``create_table`` was asked."""
        fitting = [limit for limit in ATTEMPT_TIMEOUTS_S if limit <= read_timeout]
        if not fitting:
            raise BudgetSpent(f"{read_timeout:.2f} s left is too little for a DynamoDB call")
        limit = fitting[-1]
        client = self._clients.get(limit)
        if client is not None and self._table_ready:
            return client
        with self._lock:
            if not self._table_ready:
                self._create_table()
                self._table_ready = True
            if limit not in self._clients:
                config = CLIENT_CONFIG.merge(
                    Config(connect_timeout=min(1.0, limit), read_timeout=limit)
                )
                self._clients[limit] = self._session.client(
                    "dynamodb", endpoint_url=self._endpoint_url, config=config
                )
            return self._clients[limit]

    def _create_table(self) -> None:
        client = self._clients[MAX_READ_TIMEOUT_S]
        with suppress(client.exceptions.ResourceInUseException):  # it exists already
            client.create_table(
                TableName=self.table_name,
                KeySchema=[{"AttributeName": PARTITION_KEY, "KeyType": "HASH"}],
                AttributeDefinitions=[{"AttributeName": PARTITION_KEY, "AttributeType": "S"}],
                BillingMode="PAY_PER_REQUEST",
            )
        client.get_waiter("table_exists").wait(
            TableName=self.table_name, WaiterConfig={"Delay": 1, "MaxAttempts": 30}
        )

    def _completion_read(self, key: dict[str, Any]) -> dict[str, Any]:
        """The history, profile and version a completion builds on, read from the table."""
        return _item(
            self._call(
                "get_item",
                Key=key,
                ConsistentRead=True,
                ProjectionExpression="#a.#h, #a.#p, #v",
                ExpressionAttributeNames={
                    "#a": ATTRIBUTES,
                    "#h": HISTORY,
                    "#p": PROFILE,
                    "#v": VERSION,
                },
            )
        )

    def _remember(self, user_id: str, item: Mapping[str, Any]) -> None:
        """Keep what a user's next save needs of their item as this process last saw it:
        whether it has the attributes map, the history in it and the version (for at most
        MAX_USERS_SEEN users, the least recently remembered forgotten first)."""
        attributes = item.get(ATTRIBUTES)
        kept: dict[str, Any] = {
            ATTRIBUTES: {HISTORY: attributes.get(HISTORY)} if isinstance(attributes, dict) else None
        }
        if VERSION in item:
            kept[VERSION] = item[VERSION]
        with self._seen_lock:  # the least recently remembered user goes first
            self._seen.pop(user_id, None)
            self._seen[user_id] = kept
            if len(self._seen) > MAX_USERS_SEEN:
                del self._seen[next(iter(self._seen))]

    def _forget(self, user_id: str) -> None:
        """Drop what this process saw of a user's item, under the lock `_remember` evicts
        with (an eviction between its lookup and its delete must not find the user gone)."""
        with self._seen_lock:
            self._seen.pop(user_id, None)

    def _count(self, counter: str) -> None:
        with self._lock:
            setattr(self, counter, getattr(self, counter) + 1)


def _key(request_envelope: RequestEnvelope) -> dict[str, Any]:
    """The item's key, in DynamoDB's typed form."""
    return {PARTITION_KEY: {"S": user_id_of(request_envelope)}}


def _version_check(item: Mapping[str, Any]) -> tuple[str, dict[str, Any], int]:
    """(the condition that the stored version is still the one read, the values it names; the
    version as a whole number, 0 when there is none to count on).

    A version that is not a number (written by hand, or by something else) is replaced, as long
    as it still is not one: a completion never fails for ever over it."""
    if VERSION not in item:
        return "attribute_not_exists(#v)", {}, 0
    version = item[VERSION]
    if isinstance(version, Decimal):
        whole = version == version.to_integral_value()
        return "#v = :v", {":v": _TO_DYNAMODB(version)}, int(version) if whole else 0
    return "NOT attribute_type(#v, :number)", {":number": _NUMBER_TYPE}, 0


def _count_check(item: Mapping[str, Any]) -> tuple[str, dict[str, str], dict[str, Any]] | None:
    """(the condition that the stored history still counts the completions `item`'s does, the
    names and values it uses), or None if `item` holds no whole count to check. Every
    completion raises the count."""
    attributes = item.get(ATTRIBUTES)
    history = attributes.get(HISTORY) if isinstance(attributes, dict) else None
    completed = history.get(COMPLETED) if isinstance(history, dict) else None
    if isinstance(completed, bool) or not isinstance(completed, int | Decimal):
        return None
    if completed != int(completed):
        return None
    return "#a.#h.#c = :c", {"#h": HISTORY, "#c": COMPLETED}, {":c": _TO_DYNAMODB(completed)}


def _item(response: Mapping[str, Any]) -> dict[str, Any]:
    """The item a get_item read, in Python values (numbers as Decimals); {} if none."""
    return {name: _FROM_DYNAMODB(value) for name, value in response.get("Item", {}).items()}


@contextmanager
def _unavailable_on_aws_errors() -> Iterator[None]:
    """Raise botocore/boto3 errors (unreachable, timeout, throttled, no table) as unavailable."""
    try:
        yield
    except (BotoCoreError, ClientError, BudgetSpent) as error:
        raise StoreUnavailable(f"DynamoDB: {error}") from error


def _retryable(error: BotoCoreError | ClientError) -> bool:
    """Timeouts and lost connections, throttling and server errors; not a refused request."""
    if isinstance(error, BotoCoreError):
        return True
    code = error.response.get("Error", {}).get("Code", "")
    status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
    return code in RETRYABLE or status >= 500


def _reraise_unless_conflict(error: ClientError) -> None:
    if error.response.get("Error", {}).get("Code") != CONFLICT:
        raise error


def _readable(value: object, user_id: str, part: str) -> dict[str, Any]:
    """A stored map with Decimals back as ints; anything unreadable reads as empty, with a warning
    (as in the SQLite store)."""
    if isinstance(value, dict):
        with suppress(ValueError):
            return _plain(value)
    logger.warning("unreadable %s for user ...%s; reading it as empty", part, user_id[-6:])
    return {}


def _plain(value: Any) -> Any:
    """A stored value with DynamoDB's Decimals back as ints (ValueError for a fraction)."""
    if isinstance(value, dict):
        return {name: _plain(item) for name, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, Decimal):
        if value != value.to_integral_value():
            raise ValueError(f"{value} is not a whole number")
        return int(value)
    return value
