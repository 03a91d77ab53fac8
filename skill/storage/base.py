"""The contract every progress store keeps, on top of ask-sdk's persistence adapter.

Stored per Alexa user ID:
- ``state``: the dialogue state (a small dict of ints and strings), replaced on every save;
- ``history``: completions and streak (see `skill.conversation.history`), changed only by a
  completion, which the store applies atomically so racing requests both count.

``get_attributes`` returns ``{"state": {...}, "history": {...}}``, or ``{}`` for a user the
store has never seen. ``save_attributes`` writes ``attributes["state"]``; when the attributes
also carry ``COMPLETED_ON`` (an ISO date), the store folds one completion on that day into the
stored history with `record_completion`, in the same atomic step. A stored ``history`` passed
back in is ignored: history is never overwritten wholesale.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter
from ask_sdk_model import RequestEnvelope

STATE = "state"
HISTORY = "history"
COMPLETED_ON = "completed_on"


class StoreUnavailable(Exception):
    """The store could not be read or written (down, locked, throttled, corrupted)."""


def check_storable(value: object, where: str) -> None:
    """Only ints and strings (in dicts and lists) are stored: DynamoDB cannot take floats."""
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"{where} has a non-string key {key!r}")
            check_storable(item, f"{where}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            check_storable(item, f"{where}[{index}]")
    elif isinstance(value, bool) or not isinstance(value, int | str):
        raise TypeError(f"{where} is a {type(value).__name__}; only ints and strings are stored")


def parse_save(attributes: Mapping[str, Any]) -> tuple[dict[str, Any], date | None]:
    """What a save asks for: the state to write, and the day of a completion (or None).
    TypeError or ValueError for anything the callers should never pass."""
    state = attributes.get(STATE, {})
    if not isinstance(state, dict):
        raise TypeError(f"state is a {type(state).__name__}, not a dict")
    check_storable(state, STATE)
    completed_on = attributes.get(COMPLETED_ON)
    return state, None if completed_on is None else date.fromisoformat(completed_on)


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
