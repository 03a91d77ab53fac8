"""Saving only what changed: a turn that leaves the saved attributes as the store holds them
writes nothing.

The comparison is generic: every part of the attributes a turn would save (``state`` and any
part added later) is compared, by a short digest, with the same part as the store is known to
hold, which is what was read at the start of the session or written since. Those digests travel
in the session attributes under ``SAVED``. A completion (``COMPLETED_ON``) is an instruction to
the store rather than a part it holds, so a save carrying one is always written. After a failed
save nothing is taken as known, so the next turn writes again.
"""

from __future__ import annotations

import json
import logging
import zlib
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from ask_sdk_core.handler_input import HandlerInput

from skill.storage.base import COMPLETED_ON, StoreUnavailable

log = logging.getLogger(__name__)

SAVED = "saved"  # session attribute: {part: digest} of what the store is known to hold
KNOWN_KEY = "known_saved"  # request attribute: the same, as known when the request came in


def digests(attributes: Mapping[str, Any]) -> dict[str, str]:
    """{part: short digest} for every part of saved attributes but a completion."""
    return {part: _digest(value) for part, value in attributes.items() if part != COMPLETED_ON}


def _digest(value: Any) -> str:
    """Length and CRC-32 of the canonical JSON: a change to a small dict always shows (CRC-32
    catches every change spanning under 32 bits, and near enough all others). zlib rather than
    hashlib: hashlib loads OpenSSL, 3 ms of every cold start."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), default=_plain_number)
    data = text.encode()
    return f"{len(data):x}-{zlib.crc32(data):08x}"


def _plain_number(value: Any) -> int | float:
    """DynamoDB hands numbers back as Decimal; they digest like the ints that were saved."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"{type(value).__name__} is not stored")


def note_known(handler_input: HandlerInput, stored: Mapping[str, Any] | None) -> None:
    """Record, for this request, what the store holds: `stored` when it was just read (None
    when it could not be), else what this session's earlier turns knew."""
    if stored is not None:
        known = digests(stored)
    else:
        session = handler_input.attributes_manager.session_attributes or {}
        carried = session.get(SAVED)
        known = carried if isinstance(carried, dict) else {}
    handler_input.attributes_manager.request_attributes[KNOWN_KEY] = known


def save_if_changed(handler_input: HandlerInput, attributes: dict[str, Any]) -> bool:
    """Write `attributes` unless every part equals what the store holds; carry what is then
    known to the session's next turn; whether the store now holds them. Call after the
    session attributes are set."""
    manager = handler_input.attributes_manager
    known: dict[str, str] = manager.request_attributes.get(KNOWN_KEY, {})
    parts = digests(attributes)
    saved = True
    if COMPLETED_ON in attributes or any(known.get(p) != d for p, d in parts.items()):
        manager.persistent_attributes = attributes
        try:
            manager.save_persistent_attributes()
            known = {**known, **parts}
        except StoreUnavailable as error:
            log.warning("progress store unavailable, not saved: %s", error)
            known, saved = {}, False
    if handler_input.request_envelope.session is not None:
        manager.session_attributes[SAVED] = known
    return saved
