"""DynamoDbStore against a real DynamoDB-compatible server (dynalite) over HTTP."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

import boto3
import pytest
from ask_sdk_model import Application, Context, RequestEnvelope, User
from ask_sdk_model.interfaces.system import SystemState
from botocore.exceptions import BotoCoreError, ClientError

from skill.budget import ANSWER_RESERVE_S, request_budget
from skill.conversation.history import History
from skill.storage.base import COMPLETED_ON, HISTORY, PROFILE, STATE, StoreUnavailable
from skill.storage.dynamodb_store import DynamoDbStore
from tests.support.dynalite import Dynalite, dynalite_fixture

REPO = Path(__file__).resolve().parent.parent
TABLE = "progress"

dynalite = dynalite_fixture()


def envelope(user_id: str) -> RequestEnvelope:
    system = SystemState(application=Application(application_id="skill"), user=User(user_id))
    return RequestEnvelope(context=Context(system=system))


@pytest.fixture
def store(dynalite: Dynalite) -> DynamoDbStore:
    return DynamoDbStore(TABLE, endpoint_url=dynalite.endpoint_url, create_table=True)


@pytest.fixture
def user() -> RequestEnvelope:
    return envelope(f"amzn1.ask.account.{uuid.uuid4()}")


def table(dynalite: Dynalite) -> Any:
    """The progress table, through a boto3 resource of the test's own."""
    return boto3.resource("dynamodb", endpoint_url=dynalite.endpoint_url).Table(TABLE)


def test_table_is_created_on_first_use_not_in_constructor(dynalite: Dynalite) -> None:
    name = f"created-{uuid.uuid4().hex[:8]}"
    store = DynamoDbStore(name, endpoint_url=dynalite.endpoint_url, create_table=True)
    client = boto3.client("dynamodb", endpoint_url=dynalite.endpoint_url)
    assert name not in client.list_tables()["TableNames"]

    assert store.get_attributes(envelope("someone")) == {}

    table = client.describe_table(TableName=name)["Table"]
    assert table["TableStatus"] == "ACTIVE"
    assert table["KeySchema"] == [{"AttributeName": "id", "KeyType": "HASH"}]
    assert table["AttributeDefinitions"] == [{"AttributeName": "id", "AttributeType": "S"}]
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"


def test_missing_table_without_create_is_unavailable(dynalite: Dynalite) -> None:
    store = DynamoDbStore("no-such-table", endpoint_url=dynalite.endpoint_url)
    with pytest.raises(StoreUnavailable) as raised:
        store.get_attributes(envelope("someone"))
    assert isinstance(raised.value.__cause__, ClientError)
    assert raised.value.__cause__.response["Error"]["Code"] == "ResourceNotFoundException"


def test_a_request_with_too_little_time_left_does_not_wait_for_the_store(
    store: DynamoDbStore, user: RequestEnvelope
) -> None:
    store.save_attributes(user, {STATE: {"step": 1}})
    with request_budget(ANSWER_RESERVE_S + 0.1):  # less left than the shortest attempt
        started = time.monotonic()
        with pytest.raises(StoreUnavailable, match="too little for a DynamoDB call"):
            store.get_attributes(user)
        assert time.monotonic() - started < 0.1
    assert store.get_attributes(user)[STATE] == {"step": 1}


def test_endpoint_from_environment(
    dynalite: Dynalite, user: RequestEnvelope, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", dynalite.endpoint_url)
    store = DynamoDbStore(TABLE, create_table=True)
    store.save_attributes(user, {STATE: {"step": 1}})
    assert store.get_attributes(user)[STATE] == {"step": 1}


def test_unknown_user_reads_empty(store: DynamoDbStore, user: RequestEnvelope) -> None:
    assert store.get_attributes(user) == {}
    assert (store.reads, store.writes) == (1, 0)


def test_state_round_trip_gives_ints_not_decimals(
    store: DynamoDbStore, user: RequestEnvelope
) -> None:
    state = {
        "routine": "morning",
        "step": 3,
        "big": 2**53 + 1,
        "done": [1, "two"],
        "sub": {"n": -4},
    }
    store.save_attributes(user, {STATE: state})

    stored = store.get_attributes(user)
    assert stored == {
        STATE: state,
        PROFILE: {},
        HISTORY: History(0, 0, "", 0, ()).to_dict(),
    }
    assert type(stored[STATE]["step"]) is int
    assert type(stored[STATE]["sub"]["n"]) is int
    assert type(stored[STATE]["done"][0]) is int
    assert type(stored[HISTORY]["completed"]) is int
    assert (store.reads, store.writes) == (1, 1)


def test_the_ask_sdk_adapters_table_layout_both_ways(
    dynalite: Dynalite, store: DynamoDbStore, user: RequestEnvelope
) -> None:
    """A table written by ask-sdk's DynamoDbAdapter reads here, and what this store writes reads
    there: the skill can take over a table the SDK's adapter kept, and go back."""
    # Imported here: its module builds a resource at import, which needs the fixture's region.
    from ask_sdk_dynamodb.adapter import DynamoDbAdapter

    adapter = DynamoDbAdapter(
        TABLE,
        partition_keygen=lambda envelope: envelope.context.system.user.user_id,
        dynamodb_resource=boto3.resource("dynamodb", endpoint_url=dynalite.endpoint_url),
    )
    assert store.get_attributes(user) == {}  # creates the table
    history = History(2, 1, "2024-03-01", 1, ("2024-03-01",)).to_dict()
    adapter.save_attributes(user, {STATE: {"step": 4}, HISTORY: history})
    assert store.get_attributes(user) == {STATE: {"step": 4}, PROFILE: {}, HISTORY: history}

    store.save_attributes(user, {STATE: {"step": 5}, PROFILE: {"hold": 45}})
    assert adapter.get_attributes(user) == {
        STATE: {"step": 5},
        PROFILE: {"hold": 45},
        HISTORY: history,
    }
    store.save_attributes(user, {STATE: {"step": 6}, COMPLETED_ON: "2024-03-02"})
    assert adapter.get_attributes(user) == {
        STATE: {"step": 6},
        PROFILE: {"hold": 45},
        HISTORY: History(3, 2, "2024-03-02", 2, ("2024-03-01", "2024-03-02")).to_dict(),
    }

    newcomer = envelope(f"amzn1.ask.account.{uuid.uuid4()}")  # a map this store creates whole
    store.save_attributes(newcomer, {STATE: {"step": 1}})
    assert adapter.get_attributes(newcomer) == {
        STATE: {"step": 1},
        PROFILE: {},
        HISTORY: History().to_dict(),
    }


def test_state_is_replaced_on_every_save(store: DynamoDbStore, user: RequestEnvelope) -> None:
    store.save_attributes(user, {STATE: {"routine": "morning", "step": 3}})
    store.save_attributes(user, {STATE: {"step": 4}})
    assert store.get_attributes(user)[STATE] == {"step": 4}


def test_state_saves_leave_history_alone(store: DynamoDbStore, user: RequestEnvelope) -> None:
    store.save_attributes(user, {STATE: {"step": 9}, COMPLETED_ON: "2024-03-01"})
    recorded = History(1, 1, "2024-03-01", 1, ("2024-03-01",)).to_dict()

    stale = {"completed": 99, "streak": 99, "last_day": "2030-01-01"}
    store.save_attributes(user, {STATE: {"step": 1}, HISTORY: stale})
    store.save_attributes(user, {STATE: {"step": 2}})

    assert store.get_attributes(user) == {STATE: {"step": 2}, PROFILE: {}, HISTORY: recorded}


def test_profile_is_replaced_with_the_state_and_kept_by_completions(
    store: DynamoDbStore, user: RequestEnvelope
) -> None:
    profile = {"hold": 45, "instructions": "full", "done": {"toe_reach": 2}}
    store.save_attributes(user, {STATE: {"step": 1}, PROFILE: profile})
    assert store.get_attributes(user)[PROFILE] == profile
    store.save_attributes(user, {STATE: {}, PROFILE: {"hold": 60}, COMPLETED_ON: "2024-03-01"})
    assert store.get_attributes(user)[PROFILE] == {"hold": 60}
    assert store.get_attributes(user)[HISTORY]["completed"] == 1


def test_a_record_from_before_profiles_loads_and_takes_one(
    dynalite: Dynalite, store: DynamoDbStore, user: RequestEnvelope
) -> None:
    old = {STATE: {"step": 2}, HISTORY: {"completed": 3, "streak": 1, "last_day": "2024-01-01"}}
    assert store.get_attributes(user) == {}  # creates the table
    table(dynalite).put_item(Item={"id": user.context.system.user.user_id, "attributes": old})
    assert store.get_attributes(user) == {**old, PROFILE: {}}
    store.save_attributes(user, {STATE: {"step": 3}, PROFILE: {"reps": 15}})
    assert store.get_attributes(user) == {
        STATE: {"step": 3},
        PROFILE: {"reps": 15},
        HISTORY: old[HISTORY],
    }


def test_completions_on_consecutive_days_build_a_streak(
    store: DynamoDbStore, user: RequestEnvelope
) -> None:
    def complete(day: str) -> dict[str, object]:
        store.save_attributes(user, {STATE: {}, COMPLETED_ON: day})
        return store.get_attributes(user)[HISTORY]

    assert complete("2024-02-28") == History(1, 1, "2024-02-28", 1, ("2024-02-28",)).to_dict()
    assert (
        complete("2024-02-29")
        == History(2, 2, "2024-02-29", 2, ("2024-02-28", "2024-02-29")).to_dict()
    )
    assert (
        complete("2024-03-01")
        == History(3, 3, "2024-03-01", 3, ("2024-02-28", "2024-02-29", "2024-03-01")).to_dict()
    )
    assert (
        complete("2024-03-01")
        == History(4, 3, "2024-03-01", 3, ("2024-02-28", "2024-02-29", "2024-03-01")).to_dict()
    )
    assert (
        complete("2024-03-03")
        == History(
            5, 1, "2024-03-03", 3, ("2024-02-28", "2024-02-29", "2024-03-01", "2024-03-03")
        ).to_dict()
    )


def test_unreadable_item_reads_as_empty_and_heals(
    dynalite: Dynalite, store: DynamoDbStore, user: RequestEnvelope
) -> None:
    user_id = user.context.system.user.user_id
    garbage = {STATE: {"seconds": Decimal("1.5")}, HISTORY: "not a map"}
    assert store.get_attributes(user) == {}  # creates the table
    table(dynalite).put_item(Item={"id": user_id, "attributes": garbage})

    assert store.get_attributes(user) == {STATE: {}, PROFILE: {}, HISTORY: {}}
    store.save_attributes(user, {STATE: {"step": 1}, COMPLETED_ON: "2024-03-01"})
    assert store.get_attributes(user) == {
        STATE: {"step": 1},
        PROFILE: {},
        HISTORY: History(1, 1, "2024-03-01", 1, ("2024-03-01",)).to_dict(),
    }


@pytest.mark.parametrize("stored", ["not a map", None, ["a", "list"]])
def test_attributes_that_are_not_a_map_are_replaced_by_the_next_save(
    dynalite: Dynalite, store: DynamoDbStore, user: RequestEnvelope, stored: object
) -> None:
    assert store.get_attributes(user) == {}  # creates the table
    table(dynalite).put_item(Item={"id": user.context.system.user.user_id, "attributes": stored})
    assert store.get_attributes(user) == {STATE: {}, PROFILE: {}, HISTORY: {}}

    store.save_attributes(user, {STATE: {"step": 1}})
    assert store.get_attributes(user) == {
        STATE: {"step": 1},
        PROFILE: {},
        HISTORY: History().to_dict(),
    }


@pytest.mark.parametrize("version", ["3", None, Decimal("1.5"), {"not": "a number"}, {"a", "b"}])
def test_a_completion_replaces_a_version_that_is_not_a_whole_number(
    dynalite: Dynalite, store: DynamoDbStore, user: RequestEnvelope, version: object
) -> None:
    user_id = user.context.system.user.user_id
    assert store.get_attributes(user) == {}  # creates the table
    item = {"id": user_id, "attributes": {STATE: {"step": 1}}, "history_version": version}
    table(dynalite).put_item(Item=item)

    began = time.monotonic()
    store.save_attributes(user, {STATE: {"step": 2}, COMPLETED_ON: "2024-03-01"})
    assert time.monotonic() - began < 1  # no lost races to retry
    assert store.get_attributes(user)[HISTORY]["completed"] == 1
    assert table(dynalite).get_item(Key={"id": user_id})["Item"]["history_version"] == 1
    store.save_attributes(user, {STATE: {"step": 3}, COMPLETED_ON: "2024-03-02"})
    assert store.get_attributes(user)[HISTORY]["completed"] == 2


@pytest.mark.parametrize(
    "state",
    [{"seconds": 1.5}, {"sub": {"x": 0.0}}, {"list": [1, 2.0]}, {"flag": True}, {"gone": None}],
)
def test_only_ints_and_strings_are_persisted(
    store: DynamoDbStore, user: RequestEnvelope, state: dict[str, object]
) -> None:
    with pytest.raises(TypeError):
        store.save_attributes(user, {STATE: state})
    with pytest.raises(TypeError):
        store.save_attributes(user, {STATE: state, COMPLETED_ON: "2024-03-01"})
    assert store.get_attributes(user) == {}
    assert store.writes == 0


@pytest.mark.parametrize("with_profile", [False, True], ids=["read-first", "as-last-seen"])
def test_racing_completions_and_state_saves_all_count(
    store: DynamoDbStore, user: RequestEnvelope, with_profile: bool
) -> None:
    """Without a profile a completion reads the history first; with one, it writes on the item
    as the store last saw it, which the other threads keep overtaking."""
    threads, rounds = 8, 10
    start = threading.Barrier(threads)
    errors: list[BaseException] = []
    profile = {PROFILE: {"reps": 12}} if with_profile else {}

    def routine(worker: int) -> None:
        try:
            start.wait()
            store.get_attributes(user)
            for step in range(rounds):
                store.save_attributes(user, {STATE: {"worker": worker, "step": step}, **profile})
                completion = {STATE: {"worker": worker}, COMPLETED_ON: "2024-03-01", **profile}
                store.save_attributes(user, completion)
        except BaseException as error:  # reported by the main thread
            errors.append(error)

    workers = [threading.Thread(target=routine, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert errors == []
    stored = store.get_attributes(user)
    assert (
        stored[HISTORY] == History(threads * rounds, 1, "2024-03-01", 1, ("2024-03-01",)).to_dict()
    )
    assert store.writes == 2 * threads * rounds


def test_a_completion_on_an_item_another_process_has_moved_on_still_counts_both(
    dynalite: Dynalite, user: RequestEnvelope
) -> None:
    """Two processes read the user at the start of their sessions; one completes, then the
    other, on the version it read: its write fails, it reads the history again and adds to it."""
    here, there = (
        DynamoDbStore(TABLE, endpoint_url=dynalite.endpoint_url, create_table=True)
        for _ in range(2)
    )
    here.save_attributes(user, {STATE: {"step": 0}, PROFILE: {}})
    here.get_attributes(user)
    there.get_attributes(user)
    there.save_attributes(user, {STATE: {}, PROFILE: {}, COMPLETED_ON: "2024-03-01"})
    here.save_attributes(user, {STATE: {}, PROFILE: {"reps": 12}, COMPLETED_ON: "2024-03-02"})
    stored = here.get_attributes(user)
    assert stored[HISTORY] == History(2, 2, "2024-03-02", 2, ("2024-03-01", "2024-03-02")).to_dict()
    assert stored[PROFILE] == {"reps": 12}


def test_a_completion_after_another_writer_dropped_the_version_still_counts_both(
    dynalite: Dynalite, store: DynamoDbStore, user: RequestEnvelope
) -> None:
    """ask-sdk's adapter puts whole items, without this store's version: a completion on what
    the store last saw before such a write must not write over the history it put."""
    from ask_sdk_dynamodb.adapter import DynamoDbAdapter

    adapter = DynamoDbAdapter(
        TABLE,
        partition_keygen=lambda envelope: envelope.context.system.user.user_id,
        dynamodb_resource=boto3.resource("dynamodb", endpoint_url=dynalite.endpoint_url),
    )
    store.save_attributes(user, {STATE: {"step": 1}, PROFILE: {}})
    store.get_attributes(user)  # no completion yet, no version
    first = History(1, 1, "2024-03-01", 1, ("2024-03-01",)).to_dict()
    adapter.save_attributes(user, {STATE: {}, PROFILE: {}, HISTORY: first})
    store.save_attributes(user, {STATE: {}, PROFILE: {}, COMPLETED_ON: "2024-03-02"})
    assert (
        store.get_attributes(user)[HISTORY]
        == History(2, 2, "2024-03-02", 2, ("2024-03-01", "2024-03-02")).to_dict()
    )


def test_server_stopped_then_restarted(
    dynalite: Dynalite, store: DynamoDbStore, user: RequestEnvelope
) -> None:
    store.save_attributes(user, {STATE: {"step": 2}, COMPLETED_ON: "2024-03-01"})
    dynalite.stop()
    try:
        for attributes in ({STATE: {"step": 3}}, {STATE: {}, COMPLETED_ON: "2024-03-02"}):
            began = time.monotonic()
            with pytest.raises(StoreUnavailable) as raised:
                store.save_attributes(user, attributes)
            assert time.monotonic() - began < 5
            assert isinstance(raised.value.__cause__, BotoCoreError)
        with pytest.raises(StoreUnavailable):
            store.get_attributes(user)
    finally:
        dynalite.start()

    assert store.get_attributes(user)[STATE] == {"step": 2}  # kept across the restart
    store.save_attributes(user, {STATE: {"step": 3}, COMPLETED_ON: "2024-03-02"})
    assert store.get_attributes(user) == {
        STATE: {"step": 3},
        PROFILE: {},
        HISTORY: History(2, 2, "2024-03-02", 2, ("2024-03-01", "2024-03-02")).to_dict(),
    }


def test_hung_server_fails_within_alexas_deadline(
    dynalite: Dynalite, store: DynamoDbStore, user: RequestEnvelope
) -> None:
    assert store.get_attributes(user) == {}  # the table is made while the server answers
    dynalite.pause()  # the process frozen (SIGSTOP): it accepts connections but never answers
    try:
        began = time.monotonic()
        with pytest.raises(StoreUnavailable) as raised:
            store.get_attributes(user)
        elapsed = time.monotonic() - began
    finally:
        dynalite.resume()
    assert 3.9 <= elapsed < 5  # two attempts of a 2 s read timeout: the read is retried once
    assert isinstance(raised.value.__cause__, BotoCoreError)


def test_import_needs_no_aws_configuration(tmp_path: Path) -> None:
    env = {name: value for name, value in os.environ.items() if not name.startswith("AWS_")}
    env.update(HOME=str(tmp_path), PYTHONPATH=str(REPO))
    code = (
        "import boto3\n"
        "import skill.storage.dynamodb_store as module\n"
        "assert boto3.DEFAULT_SESSION is None, 'default session left changed'\n"
        "print(module.DynamoDbStore.__mro__[1].__name__)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=tmp_path, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "AbstractPersistenceAdapter"
