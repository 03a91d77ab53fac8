"""Interceptors that load the user's progress before a request and save it after.

A new session reads the store once; within a session, state and history travel in the
session attributes, so a turn costs at most one read and one write, and none when the saved
attributes did not change (`skill.alexa.unchanged`). When the store is down
the user is still guided from the session attributes, and the failure is logged once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import date, time

from ask_sdk_core.dispatch_components import (
    AbstractRequestInterceptor,
    AbstractResponseInterceptor,
)
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from skill.alexa.services import local_moment, read_time_zone
from skill.alexa.unchanged import note_known, save_if_changed
from skill.content.model import Catalog
from skill.conversation.history import History, record_completion
from skill.conversation.machine import Outcome
from skill.conversation.plan import ReplyPlan
from skill.conversation.profile import Profile
from skill.conversation.state import DialogueState
from skill.storage.base import COMPLETED_ON, HISTORY, PROFILE, STATE, StoreUnavailable

log = logging.getLogger(__name__)

PROFILE_UNKNOWN = "profile_unknown"  # session attribute: the store's profile was never read
PROGRESS_KEY = "progress"  # request attribute: the Progress loaded for this request
OUTCOME_KEY = "outcome"  # request attribute: the Outcome a handler produced
SAVED_KEY = "saved"  # request attribute, once a save was tried: whether it was written


@dataclass(frozen=True)
class Progress:
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
) -> Progress | None:
    session = handler_input.request_envelope.session
    if session is None or session.new:
        return None
    attributes = handler_input.attributes_manager.session_attributes or {}
    state = DialogueState.from_dict(attributes.get(STATE), catalog)
    if state is None:
        return None
    history = attributes.get(HISTORY)
    return Progress(
        state,
        None if history is None else History.from_dict(history),
        first_visit=False,
        today=today,
        profile=Profile.from_dict(attributes.get(PROFILE)),
        profile_known=not attributes.get(PROFILE_UNKNOWN),
    )


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
        progress = _session_progress(handler_input, self.catalog, today)
        if progress is not None:
            note_known(handler_input, None)
        else:
            progress = _stored_progress(handler_input, self.catalog, today)
            stored = None if progress.store_failed else manager.persistent_attributes
            note_known(handler_input, stored)
        progress = with_local_time(handler_input, progress)
        manager.request_attributes[PROGRESS_KEY] = progress


def remember_in_session(
    handler_input: HandlerInput,
    state: DialogueState,
    history: History | None,
    profile: Profile,
    profile_known: bool = True,
) -> None:
    """Carry the progress to the next turn of this session in the session attributes."""
    if handler_input.request_envelope.session is not None:
        carried: dict[str, object] = {
            STATE: state.to_dict(),
            PROFILE: profile.to_dict(),
            HISTORY: None if history is None else history.to_dict(),
        }
        if not profile_known:
            carried[PROFILE_UNKNOWN] = 1
        handler_input.attributes_manager.session_attributes = carried


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
        remember_in_session(handler_input, outcome.state, history, profile, known)
        if progress.store_failed:
            return False  # already logged; the session carries the state until the store is back
        attributes: dict[str, object] = {STATE: outcome.state.to_dict()}
        if known:  # else the stored profile stays: settings changed meanwhile last the session
            attributes[PROFILE] = profile.to_dict()
        if outcome.completed:
            attributes[COMPLETED_ON] = progress.today.isoformat()
        saved = save_if_changed(handler_input, attributes)
        manager.request_attributes[SAVED_KEY] = saved
        return saved


def settled_reply(handler_input: HandlerInput, outcome: Outcome) -> ReplyPlan | None:
    """The reply to render for an outcome. A completion is saved first, so that its reply
    never claims a count or a streak the store did not record."""
    if not outcome.completed or SaveProgress.save(handler_input):
        return outcome.reply
    return outcome.reply_if_unsaved
