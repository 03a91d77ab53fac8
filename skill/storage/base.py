"""The contract every progress store keeps, on top of ask-sdk's persistence adapter.

Stored per Alexa user ID:
- ``state``: the dialogue state (a small dict of ints and strings), replaced on every save;
- ``profile``: the user's preferences and what the coach has learned about them (a small dict of
  ints, strings and one level of nested dicts), replaced on every save like the state;
- ``history``: completions and streak (see `skill.conversation.history`), changed only by a
  completion, which the store applies atomically so racing requests both count.

``get_attributes`` returns ``{"state": {...}, "profile": {...}, "history": {...}}`` (a record
saved before profiles existed reads with an empty profile), or ``{}`` for a user the store has
never seen. ``save_attributes`` writes ``attributes["state"]`` and, when given,
``attributes["profile"]`` (left as stored when absent: the caller could not read it);
when the attributes also carry ``COMPLETED_ON`` (an ISO date), the store folds one completion on
that day into the stored history with `record_completion`, in the same atomic step. A stored
``history`` passed back in is ignored: history is never overwritten wholesale.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter
from ask_sdk_model import RequestEnvelope

STATE = "state"
PROFILE = "profile"
HISTORY = "history"
REPLACED_PARTS = (STATE, PROFILE)  # what every save writes whole
COMPLETED_ON = "completed_on"


class StoreUnavailable(Exception):
    """The store could not be read or written (down, locked, throttled, corrupted)."""


def check_storable(value: object, where: str) -> None:
    """Only ints and strings (in dicts and lists) are stored: DynamoDB cannot take floats."""
    if not _storable(value):
        raise TypeError(_first_problem(value, where))


_PLAIN = frozenset({str, int})  # most stored values: answered without a call or isinstance


def _storable(value: object) -> bool:
    if isinstance(value, dict):
        for key, item in value.items():  # loops, not all(...): this runs on every save
            if not isinstance(key, str) or (type(item) not in _PLAIN and not _storable(item)):
                return False
        return True
    if isinstance(value, str):
        return True
    if isinstance(value, list):
        return all(map(_storable, value))
    return isinstance(value, int) and not isinstance(value, bool)


def _first_problem(value: object, where: str) -> str:
    """Where the first value that cannot be stored is, and why (for a value that has one)."""
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                return f"{where} has a non-string key {key!r}"
            if not _storable(item):
                return _first_problem(item, f"{where}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            if not _storable(item):
                return _first_problem(item, f"{where}[{index}]")
    return f"{where} is a {type(value).__name__}; only ints and strings are stored"


def parse_save(attributes: Mapping[str, Any]) -> tuple[dict[str, dict[str, Any]], date | None]:
    """What a save asks for: the parts to replace (the state, empty if not given, and the
    profile if given), and the day of a completion (or None). TypeError or ValueError for
    anything the callers should never pass."""
    parts: dict[str, dict[str, Any]] = {}
    for name in REPLACED_PARTS:
        if name != STATE and name not in attributes:
            continue
        part = attributes.get(name, {})
        if not isinstance(part, dict):
            raise TypeError(f"{name} is a {type(part).__name__}, not a dict")
        check_storable(part, name)
        parts[name] = part
    completed_on = attributes.get(COMPLETED_ON)
    return parts, None if completed_on is None else date.fromisoformat(completed_on)


def user_id_of(request_envelope: RequestEnvelope) -> str:
    """The Alexa user ID a request belongs to (context first, then session)."""
    context = request_envelope.context
    system = context.system if context is not None else None
    if system is not None and system.user is not None and system.user.user_id:
        return system.user.user_id
    session = request_envelope.session
    if session is not None and session.user is not None and session.user.user_id:
        return session.user.user_id
    raise StoreUnavailable("request carries no user ID")


ProgressStore = AbstractPersistenceAdapter
"""Any ask-sdk persistence adapter that keeps the contract above."""
