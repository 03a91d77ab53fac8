"""What one turn of a session hands the next, in the session attributes: the dialogue state,
the profile, the history, and which of those parts the store holds as carried, as one JSON
string.

One string rather than nested attributes: the SDK deep-copies the session attributes on every
request, and our serializer and the request checks walk them; a string is copied, read and
written whole, at C speed (msgspec's JSON). Anything else found there (another version, a
client's edit) reads as nothing carried, and the progress is read from the store instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import msgspec
from msgspec import Struct

CARRY = "progress"  # the one session attribute this skill sets
CARRY_VERSION = 1
_ENCODER = msgspec.json.Encoder()  # compact JSON, about 8 times faster than json's
_DECODER = msgspec.json.Decoder()
_CARRIED_PARTS = ("state", "profile")  # parts a save replaces, and the session carries


class Carried(Struct, frozen=True):
    """The session's progress as the previous turn left it (parts unchecked: the readers of
    each part check it as they would a stored one)."""

    state: object
    profile: object
    history: object  # None: the store could not be read this session
    stored: tuple[str, ...] = ()  # the parts the store holds exactly as carried here
    profile_known: bool = True  # False: the store's profile was never read this session

    def known_stored(self) -> dict[str, Any]:
        """{part: value} of what the store is known to hold."""
        return {part: getattr(self, part) for part in self.stored}


def carry(
    state: dict[str, Any],
    profile: dict[str, Any],
    history: dict[str, Any] | None,
    stored: Iterable[str],
    profile_known: bool,
) -> dict[str, str]:
    """The session attributes that hand these parts to the next turn."""
    parts = {
        "v": CARRY_VERSION,
        "state": state,
        "profile": profile,
        "history": history,
        "stored": [part for part in stored if part in _CARRIED_PARTS],
        "profile_known": profile_known,
    }
    return {CARRY: _ENCODER.encode(parts).decode()}


def carried(session_attributes: Mapping[str, Any] | None) -> Carried | None:
    """What the previous turn carried, or None (nothing, or nothing this version can read)."""
    text = (session_attributes or {}).get(CARRY)
    if not isinstance(text, str):
        return None
    try:
        parts = _DECODER.decode(text)
    except msgspec.DecodeError:
        return None
    if not isinstance(parts, dict) or parts.get("v") != CARRY_VERSION:
        return None
    stored = parts.get("stored")
    if not isinstance(stored, list):
        stored = []
    return Carried(
        state=parts.get("state"),
        profile=parts.get("profile"),
        history=parts.get("history"),
        stored=tuple(part for part in _CARRIED_PARTS if part in stored),
        profile_known=parts.get("profile_known") is not False,
    )
