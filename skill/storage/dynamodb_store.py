"""Progress store on DynamoDB, built on ask-sdk's `DynamoDbAdapter` and its table layout.

One item per Alexa user: partition key ``id`` (the user ID), the skill's attributes in the map
``attributes`` (``{"state": ..., "history": ...}``), and a top-level ``history_version`` number
that every completion bumps, so completions are applied with optimistic concurrency.
"""

from __future__ import annotations

import itertools
import logging
import random
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import boto3
from ask_sdk_model import RequestEnvelope
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


def _import_adapter() -> type[DynamoDbAdapter]:
    """`DynamoDbAdapter`, imported without building the resource its module builds.

    Its module evaluates ``boto3.resource("dynamodb")`` as a default argument at import, which
    raises NoRegionError without a region, may search the credential chain, and loads the
    DynamoDB service model: about 80 ms of every cold start on a 2-core machine, several times
    that on a 256 MB Lambda. The default is never used (`DynamoDbStore` passes its own
    resource), so while the module is imported ``boto3.resource`` builds nothing.
    """
    build = boto3.resource
    boto3.resource = lambda *args, **kwargs: None
    try:
        from ask_sdk_dynamodb.adapter import DynamoDbAdapter
    finally:
        boto3.resource = build
    return DynamoDbAdapter


if TYPE_CHECKING:
    from ask_sdk_dynamodb.adapter import DynamoDbAdapter
else:
    DynamoDbAdapter = _import_adapter()

logger = logging.getLogger(__name__)

VERSION = "history_version"
# Each call gets one retry and timeouts from what is left of the request's budget
# (skill.budget): a read timeout of at most MAX_READ_TIMEOUT_S, rounded down to one of
# ATTEMPT_TIMEOUTS_S (one client per value, made on first use), the connect timeout at most 1 s.
MAX_READ_TIMEOUT_S = 2.0
ATTEMPT_TIMEOUTS_S = (0.25, 0.5, 1.0, 1.5, 2.0)
CLIENT_CONFIG = Config(
    connect_timeout=1, read_timeout=MAX_READ_TIMEOUT_S, retries={"total_max_attempts": 1}
)
COMPLETION_BUDGET_S = 3.0  # time a completion may spend retrying lost races
CONFLICT = "ConditionalCheckFailedException"
RETRYABLE = frozenset({
    "ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded",
    "InternalServerError", "ServiceUnavailable",
})  # fmt: skip


class DynamoDbStore(DynamoDbAdapter):
    """The progress store contract (`skill.storage.base`) on a DynamoDB table.

    Constructing does no network I/O; with ``create_table`` the table (on-demand billing, like
    template.yaml) is created on first use. ``reads`` and ``writes`` count ``get_attributes``
    and ``save_attributes`` calls that reach the table (like the SQLite store).
    """

    def __init__(
        self,
        table_name: str,
        *,
        endpoint_url: str | None = None,
        region: str | None = None,
        create_table: bool = False,
    ) -> None:
        # One session for every resource: the second and later reuse its loaded service
        # models (on this machine 4 ms instead of 72 for each new session's first resource).
        self._session = boto3.Session(region_name=region)
        with _unavailable_on_aws_errors():
            resource = self._session.resource(
                "dynamodb", endpoint_url=endpoint_url, config=CLIENT_CONFIG
            )
        # The adapter would create the table in its constructor (provisioned, network I/O):
        # it gets create_table=False and the table is created lazily by `_table`.
        super().__init__(
            table_name, partition_keygen=user_id_of, create_table=False, dynamodb_resource=resource
        )
        self.reads = 0
        self.writes = 0
        self._endpoint_url = endpoint_url
        self._tables: dict[float, Any] = {}  # per-attempt read timeout -> a Table handle
        self._table_ready = not create_table
        self._lock = threading.Lock()

    def get_attributes(self, request_envelope: RequestEnvelope) -> dict[str, Any]:
        key = self._key(request_envelope)
        self._count("reads")
        with _unavailable_on_aws_errors():
            response = self._call(
                "get_item",
                Key=key,
                ConsistentRead=True,
                ProjectionExpression="#a",
                ExpressionAttributeNames={"#a": self.attribute_name},
            )
        if "Item" not in response:
            return {}
        attributes = response["Item"].get(self.attribute_name)
        if not isinstance(attributes, dict):
            attributes = {}
        user_id = key[self.partition_key_name]
        attributes.setdefault(PROFILE, {})  # saved before profiles existed
        return {
            part: _readable(attributes.get(part), user_id, part)
            for part in (STATE, PROFILE, HISTORY)
        }

    def save_attributes(
        self, request_envelope: RequestEnvelope, attributes: Mapping[str, Any]
    ) -> None:
        parts, day = parse_save(attributes)
        key = self._key(request_envelope)
        self._count("writes")
        with _unavailable_on_aws_errors():
            if day is None:
                self._save_parts(key, parts)
            else:
                self._save_completion(key, parts, day)

    def delete_attributes(self, request_envelope: RequestEnvelope) -> None:
        key = self._key(request_envelope)
        with _unavailable_on_aws_errors():
            self._call("delete_item", Key=key)

    def _key(self, request_envelope: RequestEnvelope) -> dict[str, str]:
        return {self.partition_key_name: self.partition_keygen(request_envelope)}

    def _save_parts(self, key: dict[str, str], parts: dict[str, dict[str, Any]]) -> None:
        """Replace the state and profile only; create the attributes map (empty history) if it
        is missing.

        ``SET attributes.state`` fails when the map is missing, and ``SET attributes =
        if_not_exists(...)`` cannot share an update with it (overlapping paths), so: set the
        parts where the map exists, else create the map where it does not, and go round again
        if a racing save created the map in between.
        """
        tokens = {STATE: ("#s", ":s"), PROFILE: ("#p", ":p")}
        given = [part for part in tokens if part in parts]  # an absent profile stays as stored
        names = {"#a": self.attribute_name, **{tokens[p][0]: p for p in given}}
        values = {tokens[p][1]: parts[p] for p in given}
        update = "SET " + ", ".join(f"#a.{tokens[p][0]} = {tokens[p][1]}" for p in given)
        new_map = {PROFILE: {}, **parts, HISTORY: History().to_dict()}
        for _ in range(2):
            try:
                self._call(
                    "update_item",
                    Key=key,
                    UpdateExpression=update,
                    ConditionExpression="attribute_exists(#a)",
                    ExpressionAttributeNames=names,
                    ExpressionAttributeValues=values,
                )
                return
            except ClientError as error:
                _reraise_unless_conflict(error)
            try:
                self._call(
                    "update_item",
                    Key=key,
                    UpdateExpression="SET #a = :a",
                    ConditionExpression="attribute_not_exists(#a)",
                    ExpressionAttributeNames={"#a": self.attribute_name},
                    ExpressionAttributeValues={":a": new_map},
                )
                return
            except ClientError as error:
                _reraise_unless_conflict(error)
        raise StoreUnavailable("the attributes map kept appearing and vanishing; state not saved")

    def _save_completion(
        self, key: dict[str, str], parts: dict[str, dict[str, Any]], day: date
    ) -> None:
        """Write the state, the profile and the history with one more completion, unless a
        completion raced us.

        A lost race (the version moved) is retried with jittered backoff until
        `COMPLETION_BUDGET_S` is spent: bounded in time rather than attempts, since a thread can
        lose many races in a row while others keep completing.
        """
        deadline = time.monotonic() + COMPLETION_BUDGET_S
        for attempt in itertools.count():
            item = self._call(
                "get_item",
                Key=key,
                ConsistentRead=True,
                ProjectionExpression="#a.#h, #a.#p, #v",
                ExpressionAttributeNames={
                    "#a": self.attribute_name,
                    "#h": HISTORY,
                    "#p": PROFILE,
                    "#v": VERSION,
                },
            ).get("Item", {})
            stored = item.get(self.attribute_name)
            stored = stored if isinstance(stored, dict) else {}
            old = History.from_dict(stored.get(HISTORY))
            version = item.get(VERSION)
            kept = {PROFILE: stored.get(PROFILE, {})}  # replaced only when the save gives one
            values: dict[str, Any] = {
                ":a": {**kept, **parts, HISTORY: record_completion(old, day).to_dict()},
                ":next": int(version or 0) + 1,
            }
            if version is None:
                condition = "attribute_not_exists(#v)"
            else:
                condition, values[":v"] = "#v = :v", version
            try:  # not retried: a write that timed out may have landed, and would count twice
                self._call(
                    "update_item",
                    retry=False,
                    Key=key,
                    UpdateExpression="SET #a = :a, #v = :next",
                    ConditionExpression=condition,
                    ExpressionAttributeNames={"#a": self.attribute_name, "#v": VERSION},
                    ExpressionAttributeValues=values,
                )
                return
            except ClientError as error:
                _reraise_unless_conflict(error)
            pause = random.uniform(0, min(0.2, 0.01 * 2**attempt))
            if time.monotonic() + pause > deadline:
                raise StoreUnavailable(f"a completion lost {attempt + 1} races; not saved")
            time.sleep(pause)

    def _call(self, operation: str, *, retry: bool = True, **kwargs: Any) -> Any:
        """One table operation with timeouts from the request's budget, retried once on a
        timeout, throttling or a server error if `retry` and time is left."""
        for attempt in (1, 2):
            table = self._table(call_timeout(MAX_READ_TIMEOUT_S))
            try:
                return getattr(table, operation)(**kwargs)
            except (BotoCoreError, ClientError) as error:
                if attempt == 2 or not retry or not _retryable(error):
                    raise
        raise AssertionError("unreachable")

    def _table(self, read_timeout: float) -> Any:
        """The Table handle whose client waits at most `read_timeout` (rounded down to one of
        ATTEMPT_TIMEOUTS_S); the table is created first (once) when ``create_table`` was asked."""
        fitting = [limit for limit in ATTEMPT_TIMEOUTS_S if limit <= read_timeout]
        if not fitting:
            raise BudgetSpent(f"{read_timeout:.2f} s left is too little for a DynamoDB call")
        limit = fitting[-1]
        table = self._tables.get(limit)
        if table is not None and self._table_ready:
            return table
        with self._lock:
            if not self._table_ready:
                self._create_table()
                self._table_ready = True
            if limit not in self._tables:
                config = CLIENT_CONFIG.merge(
                    Config(connect_timeout=min(1.0, limit), read_timeout=limit)
                )
                resource = self._session.resource(
                    "dynamodb", endpoint_url=self._endpoint_url, config=config
                )
                self._tables[limit] = resource.Table(self.table_name)  # no I/O until used
            return self._tables[limit]

    def _create_table(self) -> None:
        client = self.dynamodb.meta.client
        with suppress(client.exceptions.ResourceInUseException):  # it exists already
            client.create_table(
                TableName=self.table_name,
                KeySchema=[{"AttributeName": self.partition_key_name, "KeyType": "HASH"}],
                AttributeDefinitions=[
                    {"AttributeName": self.partition_key_name, "AttributeType": "S"}
                ],
                BillingMode="PAY_PER_REQUEST",
            )
        client.get_waiter("table_exists").wait(
            TableName=self.table_name, WaiterConfig={"Delay": 1, "MaxAttempts": 30}
        )

    def _count(self, counter: str) -> None:
        with self._lock:
            setattr(self, counter, getattr(self, counter) + 1)


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
