"""One turn of the dialogue: what a transition may look at (`Turn`) and what it decides
(`Outcome`). No Alexa types: the handlers translate requests into a Turn."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, time
from typing import TYPE_CHECKING

from msgspec import Struct, field

from skill.content.model import Catalog
from skill.conversation.events import EventName
from skill.conversation.history import History
from skill.conversation.plan import ReplyPlan
from skill.conversation.profile import Profile
from skill.conversation.state import DialogueState

if TYPE_CHECKING:  # loaded with the reminder transitions, not on every cold start
    from skill.conversation.reminder import ReminderCall, ReminderWish


class RoutineRequest(Struct, frozen=True):
    """The routine the user named: what they said, and the routine id it resolved to."""

    spoken: str
    routine_id: str | None  # None: it matched no routine


class Turn(Struct, frozen=True):
    """Everything a transition may look at besides the state."""

    event: EventName
    catalog: Catalog
    history: History | None  # None: the store could not be read, the history is unknown
    today: date
    first_visit: bool = False  # no record of this user yet: say the disclaimer
    profile: Profile = field(default_factory=Profile)
    new_session: bool = False
    routine_request: RoutineRequest | None = None
    slot_value: str | None = None  # a DURATION or NUMBER slot, as Alexa filled it
    now_ms: int = 0  # the request's time, ms since the epoch
    local_time: time | None = None  # the request's moment in the user's time zone
    reminder_wish: ReminderWish | None = None  # the reminder asked for; None: time not understood


class Outcome(Struct, frozen=True):
    state: DialogueState
    reply: ReplyPlan | None  # None: nothing may be said (the session has ended)
    completed: bool = False  # a routine was completed on turn.today
    profile: Profile | None = None  # the changed profile; None: unchanged
    reply_if_unsaved: ReplyPlan | None = None  # a completion's reply if it cannot be recorded
    reminder_call: ReminderCall | None = None  # for the Alexa layer to carry out and answer


Transition = Callable[[DialogueState, Turn], Outcome]
