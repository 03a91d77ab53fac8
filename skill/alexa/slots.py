"""Reading a slot's value as Alexa's entity resolution matched it."""

from __future__ import annotations

from ask_sdk_model.slu.entityresolution import StatusCode


def resolved_id(slot: object) -> str | None:
    """The id of the slot type value the slot matched, or None (unfilled, or no match)."""
    resolutions = getattr(getattr(slot, "resolutions", None), "resolutions_per_authority", None)
    for authority in resolutions or []:
        matched = (
            authority.status is not None and authority.status.code == StatusCode.ER_SUCCESS_MATCH
        )
        value = authority.values[0].value if matched and authority.values else None
        if value is not None and value.id:
            return value.id
    return None
