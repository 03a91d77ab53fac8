"""Interceptors that load the user's progress before a request and save it after.

A new session reads the store once; within a session, state, profile and history travel in the
session attributes (`skill.alexa.carry`), so a turn costs at most one read and one write, and
none when the saved attributes did not change (`skill.alexa.unchanged`). When the store is down
the user is still guided from the session attributes, and the failure is logged once.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date, time
from typing import Any

from ask_sdk_core.dispatch_components import (
    AbstractRequestInterceptor,
    AbstractResponseInterceptor,
)
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response
from msgspec import Struct, field
from msgspec.structs import replace

from skill.alexa.carry import carried, carry
from skill.alexa.services import local_moment, read_time_zone
from skill.alexa.unchanged import note_known, save_if_changed, stored_parts
from skill.content.model import Catalog
from skill.conversation.history import History, record_completion
from skill.conversation.machine import Outcome
from skill.conversation.plan import ReplyPlan
from skill.conversation.profile import Profile
from skill.conversation.state import DialogueState
from skill.storage.base import COMPLETED_ON, HISTORY, PROFILE, STATE, StoreUnavailable

log = logging.getLogger(__name__)

PROGRESS_KEY = "progress"  # request attribute: the Progress loaded for this request
OUTCOME_KEY = "outcome"  # request attribute: the Outcome a handler produced
SAVED_KEY = "saved"  # request attribute, once a save was tried: whether it was written


class Progress(Struct, frozen=True):
    """The user's progress as loaded for this request."""

    state: DialogueState
    history: History | None  # None: the store could not be read this session
    first_visit: bool  # the store has no record of this user (or could not say)
    today: date
    profile: Profile = field(default_factory=Profile)
    store_failed: bool = False  # reading the store failed: don't wait on it again this request
    # False when the store could not be read at the session's start: the profile here is a
    # stand-in, and saving it would wipe the stored one, so saves leave the profile alone.
    profile_known: bool = True
    local_time: time | None = None  # the request's time of day in the user's zone


def with_local_time(handler_input: HandlerInput, progress: Progress) -> Progress:
    """The progress with the request's local day and time, in the device's time zone: read
    from the Settings API when a session starts, else the last known zone, else UTC."""
    profile = progress.profile
    session = handler_input.request_envelope.session
    if session is None or session.new:
        zone = read_time_zone(handler_input)
        if zone is not None and zone != profile.time_zone:
            profile = replace(profile, time_zone=zone)
    moment = local_moment(handler_input.request_envelope.request.timestamp, profile.time_zone)
    return replace(progress, profile=profile, today=moment.date(), local_time=moment.time())


def _session_progress(
    handler_input: HandlerInput, catalog: Catalog, today: date
) -> tuple[Progress, dict[str, Any]] | None:
    """The progress the session's previous turn carried, and what it knew the store holds;
    None for a new session or when nothing usable was carried."""
    session = handler_input.request_envelope.session
    if session is None or session.new:
        return None
    previous = carried(handler_input.attributes_manager.session_attributes)
    if previous is None:
        return None
    state = DialogueState.from_dict(previous.state, catalog)
    if state is None:
        return None
    progress = Progress(
        state,
        None if previous.history is None else History.from_dict(previous.history),
        first_visit=False,
        today=today,
        profile=Profile.from_dict(previous.profile),
        profile_known=previous.profile_known,
    )
    return progress, previous.known_stored()


def _stored_progress(handler_input: HandlerInput, catalog: Catalog, today: date) -> Progress:
    try:
        stored = handler_input.attributes_manager.persistent_attributes
    except StoreUnavailable as error:
        log.warning("progress store unavailable, guiding from the session only: %s", error)
        return Progress(DialogueState(), None, True, today, store_failed=True, profile_known=False)
    if not stored:
        return Progress(DialogueState(), History(), True, today)
    state = DialogueState.from_dict(stored.get(STATE), catalog)
    if state is None and stored.get(STATE):
        log.warning("stored state is from another version or invalid; starting fresh")
    history = History.from_dict(stored.get(HISTORY))
    profile = Profile.from_dict(stored.get(PROFILE))
    return Progress(state or DialogueState(), history, False, today, profile)


class LoadProgress(AbstractRequestInterceptor):
    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog

    def process(self, handler_input: HandlerInput) -> None:
        today = date.min  # set by with_local_time, once the last known zone is loaded
        manager = handler_input.attributes_manager
        from_session = _session_progress(handler_input, self.catalog, today)
        if from_session is not None:
            progress, known = from_session
        else:
            progress = _stored_progress(handler_input, self.catalog, today)
            known = {} if progress.store_failed else stored_parts(manager.persistent_attributes)
        note_known(handler_input, known)
        progress = with_local_time(handler_input, progress)
        manager.request_attributes[PROGRESS_KEY] = progress


def remember_in_session(
    handler_input: HandlerInput,
    state: DialogueState,
    history: History | None,
    profile: Profile,
    profile_known: bool = True,
) -> None:
    """Carry the progress to the next turn of this session in the session attributes (as not
    known to be stored: the next turn writes what it saves)."""
    _carry_on(handler_input, state.to_dict(), profile.to_dict(), history, profile_known, ())


def _carry_on(
    handler_input: HandlerInput,
    state: dict[str, Any],
    profile: dict[str, Any],
    history: History | None,
    profile_known: bool,
    stored: Iterable[str],
) -> None:
    if handler_input.request_envelope.session is not None:
        handler_input.attributes_manager.session_attributes = carry(
            state, profile, None if history is None else history.to_dict(), stored, profile_known
        )


class SaveProgress(AbstractResponseInterceptor):
    """Saves the outcome's state (and completion) after the reply, unless `settled_reply`
    saved it before the reply was rendered."""

    def process(self, handler_input: HandlerInput, response: Response) -> None:
        if SAVED_KEY not in handler_input.attributes_manager.request_attributes:
            self.save(handler_input)

    @staticmethod
    def save(handler_input: HandlerInput) -> bool:
        """Write this request's outcome to the store; whether it was written."""
        manager = handler_input.attributes_manager
        manager.request_attributes[SAVED_KEY] = False
        outcome: Outcome | None = manager.request_attributes.get(OUTCOME_KEY)
        progress: Progress | None = manager.request_attributes.get(PROGRESS_KEY)
        if outcome is None or progress is None:
            return False
        profile = outcome.profile or progress.profile
        history = progress.history
        if outcome.completed and history is not None:  # the session may go on (an offer)
            history = record_completion(history, progress.today)
        known = progress.profile_known
        state, profile_part = outcome.state.to_dict(), profile.to_dict()
        if progress.store_failed:  # already logged; the session carries the state meanwhile
            _carry_on(handler_input, state, profile_part, history, known, ())
            return False
        attributes: dict[str, Any] = {STATE: state}
        if known:  # else the stored profile stays: settings changed meanwhile last the session
            attributes[PROFILE] = profile_part
        if outcome.completed:
            attributes[COMPLETED_ON] = progress.today.isoformat()
        saved = save_if_changed(handler_input, attributes)
        stored = [part for part in attributes if part != COMPLETED_ON] if saved else ()
        _carry_on(handler_input, state, profile_part, history, known, stored)
        manager.request_attributes[SAVED_KEY] = saved
        return saved


def settled_reply(handler_input: HandlerInput, outcome: Outcome) -> ReplyPlan | None:
    """The reply to render for an outcome. A completion is saved first, so that its reply
    never claims a count or a streak the store did not record."""
    if not outcome.completed or SaveProgress.save(handler_input):
        return outcome.reply
    return outcome.reply_if_unsaved
