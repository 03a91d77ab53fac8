"""Saving only what changed: a turn that leaves the saved attributes as the store holds them
writes nothing.

The comparison is generic: every part of the attributes a turn would save (``state`` and any
part added later) is compared with the same part as the store is known to hold: what was read
at the start of the session, or what this session's turns carried (`skill.alexa.carry`) as
written since. Plain equality of the parts: key order does not matter, and a number DynamoDB
hands back as Decimal equals the int that was saved. A completion (``COMPLETED_ON``) is an
instruction to the store rather than a part it holds, so a save carrying one is always written.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from ask_sdk_core.handler_input import HandlerInput

from skill.storage.base import COMPLETED_ON, REPLACED_PARTS, StoreUnavailable

log = logging.getLogger(__name__)

KNOWN_KEY = "known_stored"  # request attribute: {part: value} the store is known to hold


def stored_parts(stored: Mapping[str, Any]) -> dict[str, Any]:
    """The parts of a store record that saves replace (what a save is compared with)."""
    return {part: stored[part] for part in REPLACED_PARTS if part in stored}


def note_known(handler_input: HandlerInput, known: Mapping[str, Any]) -> None:
    """Record, for this request, what the store holds of the parts saves replace."""
    handler_input.attributes_manager.request_attributes[KNOWN_KEY] = known


def save_if_changed(handler_input: HandlerInput, attributes: dict[str, Any]) -> bool:
    """Write `attributes` unless every part equals what the store holds; whether the store
    now holds them."""
    manager = handler_input.attributes_manager
    known: Mapping[str, Any] = manager.request_attributes.get(KNOWN_KEY, {})
    if COMPLETED_ON not in attributes and all(
        part in known and known[part] == value for part, value in attributes.items()
    ):
        return True
    manager.persistent_attributes = attributes
    try:
        manager.save_persistent_attributes()
    except StoreUnavailable as error:
        log.warning("progress store unavailable, not saved: %s", error)
        return False
    return True
