"""What the coach says in each situation: the wording, built from content.

Every reply that leaves the microphone open carries a reprompt telling the user exactly
what to say next. A history of None means the store could not be read: nothing is claimed
about past routines then.
"""

from __future__ import annotations

from datetime import date

from skill.content.model import Catalog, Routine, Stretch, StretchKind
from skill.conversation import screens
from skill.conversation.history import History
from skill.conversation.plan import Beat, Card, Hold, ReplyPlan, Say, Screen, Segment
from skill.conversation.state import DialogueState, Phase, Position

SKILL_NAME = "Back Stretches"
INVOCATION = "back stretches"
DISCLAIMER = (  # one sentence, said on a user's very first visit
    "Before we begin, this is general stretching guidance, not medical advice, "
    "so stop at once if anything hurts."
)
PAIN_STOP = (
    "Stop the stretch now and gently come out of the position. Don't push through pain. "
    "If the pain persists, please see a health professional."
)
RED_FLAGS = (  # ../shared/HEALTH.md: when to stop, and the NHS red flags, in two sentences
    "Stop for numbness or tingling too. Get medical help straight away if you have weakness "
    "in your legs, numbness around your bottom, or any loss of bladder or bowel control."
)
COME_BACK = "Come back tomorrow and keep it going."
PAIN_HINT = "If anything hurts, say it hurts and we'll stop."
TIGHTNESS = (  # ACSM: stretch to the point of tightness or slight discomfort, not pain
    "Some tightness is normal in a stretch. Ease off a little and don't strain. "
    "If it turns into pain, say it hurts and we'll stop."
)
ONES = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen",
)  # fmt: skip
TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")


def spoken_number(n: int) -> str:
    """A count as words ("thirty"), the way the coach says it; digits from 100 up."""
    if not 0 <= n < 100:
        return str(n)
    if n < 20:
        return ONES[n]
    tens, ones = divmod(n, 10)
    return TENS[tens] + (f"-{ONES[ones]}" if ones else "")


def spoken_seconds(seconds: int) -> str:
    """ "forty-five seconds", "one minute", "one minute and thirty seconds"."""
    minutes, rest = divmod(seconds, 60)
    parts = []
    if minutes:
        parts.append(counted(minutes, "minute"))
    if rest or not minutes:
        parts.append(counted(rest, "second"))
    return " and ".join(parts)


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """ "one routine", "three routines", "two stretches"."""
    return f"{spoken_number(n)} {noun if n == 1 else plural or noun + 's'}"


def _stretch_count(n: int) -> str:
    return counted(n, "stretch", "stretches")


def spoken_list(items: list[str]) -> str:
    """ "a", "a and b", "a, b and c"."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _said(*texts: str) -> tuple[Segment, ...]:
    return tuple(Say(text) for text in texts if text)


def _text(stretch: Stretch, template: str, side: int) -> str:
    """A content text with its {side} and {reps} filled in."""
    return stretch.text(template, side).replace("{reps}", spoken_number(stretch.reps))


def _stretch_label(stretch: Stretch, side: int) -> str:
    title = stretch.side_title(side)
    return f"the {stretch.name}, {title}" if title else f"the {stretch.name}"


def _needs(routine: Routine) -> str:
    return f"You'll need {spoken_list(list(routine.equipment))}." if routine.equipment else ""


def _routines(catalog: Catalog) -> list[Routine]:
    """The routines in the order they are offered: the default first."""
    return sorted(catalog.routines.values(), key=lambda r: (r.id != catalog.default_id, r.name))


# -- asking for the next move ---------------------------------------------------------------


def ready_prompt(position: Position) -> str:
    return _text(position.stretch, position.stretch.ready_prompt, position.side)


def next_prompt(position: Position) -> str:
    following = position.next_stretch
    assert following is not None, "a finished step on the last stretch ends the routine"
    return f"Say next when you're ready for the {following.name}, or say repeat to do it again."


def prompt_for(state: DialogueState, catalog: Catalog) -> str:
    """The question the user is being asked in this state."""
    if state.phase in (Phase.INTRODUCING, Phase.WAITING_OTHER_SIDE):
        return ready_prompt(position_of(state, catalog))
    if state.phase in (Phase.HOLDING, Phase.COUNTING):
        return next_prompt(position_of(state, catalog))
    if state.phase is Phase.PAUSED:
        return "Say continue to pick up where you left off, or start over to begin again."
    if state.phase is Phase.FINISHED:
        return "Say start over to do it again, list routines to hear the others, or stop."
    routine = catalog.get(state.routine) or catalog.default
    return f"Say start to begin the {routine.name} routine, or list routines to hear them all."


def position_of(state: DialogueState, catalog: Catalog) -> Position:
    routine = catalog.get(state.routine) or catalog.default
    return Position(routine, state.stretch, state.side)


def asking(state: DialogueState, catalog: Catalog, *lines: str) -> ReplyPlan:
    """Say the lines, then ask what this state asks."""
    prompt = prompt_for(state, catalog)
    screen = state_screen(state, catalog, prompt)
    return ReplyPlan(_said(*lines, prompt), reprompt=prompt, screen=screen)


def state_screen(state: DialogueState, catalog: Catalog, prompt: str = "") -> Screen:
    """What the screen shows while the user is asked what this state asks (or `prompt`)."""
    prompt = prompt or prompt_for(state, catalog)
    if state.phase is Phase.NOT_STARTED:
        return Screen(screens.welcome((catalog.get(state.routine) or catalog.default).name, prompt))
    position = position_of(state, catalog)
    cards = {
        Phase.INTRODUCING: screens.get_ready,
        Phase.WAITING_OTHER_SIDE: screens.switch_sides,
        Phase.HOLDING: screens.step_done,
        Phase.COUNTING: screens.step_done,
        Phase.PAUSED: screens.paused,
    }
    if state.phase in cards:
        return Screen(cards[state.phase](position, prompt))
    return Screen(screens.routine_complete(position, prompt, (screens.START_OVER, screens.STOP)))


# -- the routine itself ---------------------------------------------------------------------


BRIEF_READY = "Say ready."


def introduce(position: Position, *, opening: bool = False, brief: bool = False) -> ReplyPlan:
    """A stretch's introduction: in full, or (`brief`) its name and the cues that matter."""
    stretch, routine = position.stretch, position.routine
    number, total = position.index + 1, len(routine.stretches)
    setup = tuple(_text(stretch, line, position.side) for line in stretch.setup)
    prompt = ready_prompt(position)
    opening_line = f"Let's do the {routine.name} routine: {_stretch_count(total)}."
    instructions = (
        (_text(stretch, stretch.brief, position.side), BRIEF_READY) if brief else (*setup, prompt)
    )
    speech = _said(
        opening_line if opening else "",
        _needs(routine) if opening else "",
        f"Stretch {spoken_number(number)} of {spoken_number(total)}: the {stretch.name}.",
        *instructions,
    )
    cue = instructions[0] if brief else prompt  # the card shows a line that is said
    return ReplyPlan(speech, reprompt=prompt, screen=Screen(screens.get_ready(position, cue)))


def switch_sides(position: Position, *, brief: bool = False) -> ReplyPlan:
    stretch = position.stretch
    prompt = ready_prompt(position)
    switch = _text(stretch, stretch.switch, position.side)
    if brief:
        cue = _text(stretch, stretch.brief_switch, position.side)
        screen = Screen(screens.switch_sides(position, cue))
        return ReplyPlan(_said(cue, BRIEF_READY), reprompt=prompt, screen=screen)
    screen = Screen(screens.switch_sides(position, prompt))
    return ReplyPlan(_said(switch, prompt), reprompt=prompt, screen=screen)


def explanation(position: Position) -> tuple[str, ...]:
    """The full instructions of the stretch at `position`, whatever the user is used to."""
    stretch, side = position.stretch, position.side
    setup = tuple(_text(stretch, line, side) for line in stretch.setup)
    during = _text(stretch, stretch.during, side) if stretch.during else ""
    if set(_words(during)) <= set(_words(" ".join(setup))):
        during = ""  # the setup says it already ("lean in slowly, without straining")
    return (f"Here's the {stretch.name} in full.", *setup, during)


def _words(text: str) -> list[str]:
    return "".join(c if c.isalpha() or c == "'" else " " for c in text.lower()).split()


def benefit(position: Position) -> str:
    return position.stretch.benefit


def perform(position: Position) -> tuple[Segment, ...]:
    """The exercise itself: a timed hold, or the counted movements."""
    stretch, side = position.stretch, position.side
    if stretch.kind is StretchKind.HOLD:
        return (
            Say(f"Hold for {spoken_seconds(stretch.hold_seconds)}."),
            Say(_text(stretch, stretch.during, side)),
            Hold(stretch.hold_seconds),
            Say(_text(stretch, stretch.release, side)),
        )
    counted = _counting(stretch, position.first_rep, stretch.reps)
    return (*counted, Say(f"That's {spoken_number(stretch.reps)}. {stretch.release}"))


def _counting(stretch: Stretch, first: int, last: int) -> tuple[Segment, ...]:
    """Sets `first` to `last`, each movement named and paced; the full cues on the first."""
    segments: list[Segment] = [Say("Here we go." if first == 1 else "Let's carry on.")]
    for rep in range(first, last + 1):
        cues = stretch.movements if rep == 1 else stretch.movement_names
        for index, cue in enumerate(cues):
            segments.append(Say(f"{spoken_number(rep).capitalize()}. {cue}" if index == 0 else cue))
            segments.append(Beat(stretch.seconds_per_movement))
    return tuple(segments)


def counting_part(position: Position, last: int) -> ReplyPlan:
    """Part of a long count: sets `position.first_rep` to `last`, then the wait for ready."""
    stretch = position.stretch
    left = stretch.reps - last
    prompt = f"Say ready for the next {spoken_number(min(left, last - position.first_rep + 1))}."
    speech = (
        *_counting(stretch, position.first_rep, last),
        *_said(
            f"That's {spoken_number(last)}. {spoken_number(left).capitalize()} more to go.", prompt
        ),
    )
    return ReplyPlan(speech, reprompt=prompt, screen=Screen(performing_card(position)))


def counting_resumes(position: Position) -> ReplyPlan:
    """What a split count says when asked again between its parts."""
    done = position.first_rep - 1
    prompt = "Say ready to carry on counting."
    line = f"We've counted {spoken_number(done)} of {spoken_number(position.stretch.reps)}."
    return ReplyPlan(_said(line, prompt), reprompt=prompt, screen=Screen(performing_card(position)))


def performing_card(position: Position) -> Card:
    """The card during the exercise; what it counts comes from the speech's pauses."""
    stretch = position.stretch
    if stretch.kind is StretchKind.HOLD:
        return screens.exercise(position, _text(stretch, stretch.during, position.side))
    return screens.exercise(position, "")  # the counter shows each movement as it is said


def step_done(position: Position) -> ReplyPlan:
    """The exercise, then what comes next."""
    following = position.next_stretch
    assert following is not None
    prompt = next_prompt(position)
    speech = perform(position) + _said(f"Nicely done. Next up is the {following.name}.", prompt)
    screen = Screen(performing_card(position), screens.step_done(position, prompt))
    return ReplyPlan(speech, reprompt=prompt, screen=screen)


def exercise_then_switch(
    position: Position, other_side: Position, *, brief: bool = False
) -> ReplyPlan:
    switch = switch_sides(other_side, brief=brief)
    then = switch.screen.card if switch.screen else None
    screen = Screen(performing_card(position), then)
    return ReplyPlan(perform(position) + switch.speech, switch.reprompt, screen)


def _record(history: History | None) -> str:
    if history is None:
        return ""
    if history.streak >= 2:
        return f"That's {spoken_number(history.streak)} days in a row."
    if history.completed == 1:
        return "That's your first completed routine."
    return f"That's {counted(history.completed, 'routine')} completed."


UNSAVED = "I couldn't save today's session, sorry."


def finish(
    position: Position, history: History | None, question: str = "", *, saved: bool = True
) -> ReplyPlan:
    """The last exercise, then the celebration; the session ends, unless a yes/no `question`
    closes the reply instead. Unless `saved`, the completion could not be recorded: that is
    said, no count or streak is claimed, and nothing is asked."""
    routine = position.routine
    record = _record(history) if saved else UNSAVED
    speech = perform(position) + _said(
        f"That's the whole {routine.name} routine. Well done.",
        record,
        (question or COME_BACK) if saved else "See you tomorrow.",
    )
    complete = screens.routine_complete(position, record or COME_BACK)
    screen = Screen(performing_card(position), complete)
    return ReplyPlan(speech, reprompt=(question or None) if saved else None, screen=screen)


# -- around the routine ---------------------------------------------------------------------


def welcome(
    catalog: Catalog, history: History | None, today: date, *, first_visit: bool
) -> ReplyPlan:
    routine = catalog.default
    if first_visit:
        greeting = (
            f"Welcome to {SKILL_NAME}. I'll walk you through stretches for your lower back, "
            f"timing each hold and counting with you. {DISCLAIMER}"
        )
    else:
        greeting = f"Welcome back to {SKILL_NAME}."
    streak = history.current_streak(today) if history is not None else 0
    streak_line = f"You're on a {spoken_number(streak)} day streak." if streak >= 2 else ""
    count = f"The {routine.name} routine has {_stretch_count(len(routine.stretches))}."
    return asking(DialogueState(), catalog, greeting, streak_line, count, _needs(routine))


def welcome_back(position: Position, catalog: Catalog) -> ReplyPlan:
    label = _stretch_label(position.stretch, position.side)
    routine = position.routine
    where = "" if routine.id == catalog.default_id else f", in the {routine.name} routine"
    prompt = "Say continue to pick up there, or start over."
    speech = _said(f"Welcome back. You were on {label}{where}.", prompt)
    return ReplyPlan(speech, reprompt=prompt, screen=Screen(screens.welcome_back(position, prompt)))


def paused(position: Position) -> ReplyPlan:
    label = _stretch_label(position.stretch, position.side)
    prompt = "Say continue when you're ready to carry on."
    screen = Screen(screens.paused(position, prompt))
    return ReplyPlan(_said(f"Paused. We'll pick up with {label}.", prompt), prompt, screen)


def saved_and_goodbye(position: Position) -> ReplyPlan:
    saved = f"I've saved your place at {_stretch_label(position.stretch, position.side)}."
    return ReplyPlan(
        _said(f"Okay. {saved}", f"When you're ready, say: Alexa, open {INVOCATION}."),
        reprompt=None,
        screen=Screen(screens.stopped("Place saved", saved)),
    )


def goodbye() -> ReplyPlan:
    farewell = "Goodbye, and take care of your back."
    return ReplyPlan(_said(farewell), None, Screen(screens.stopped("Goodbye", farewell)))


def pain_stop(*, in_routine: bool) -> ReplyPlan:
    stopped = "I've stopped the routine here." if in_routine else ""
    screen = Screen(screens.stopped("Stop now", PAIN_STOP))
    return ReplyPlan(_said(PAIN_STOP, RED_FLAGS, stopped), None, screen)


def confirm_restart(position: Position, routine: Routine) -> ReplyPlan:
    """Asked when a routine is started in the middle of one: yes starts it, no carries on."""
    number = spoken_number(position.index + 1)
    where = f"You're on stretch {number} of the {position.routine.name} routine."
    if routine.id == position.routine.id:
        question = "Start over from the beginning?"
    else:
        question = f"Leave it and start the {routine.name} routine instead?"
    prompt = f"{question} Say yes or no."
    same = routine.id == position.routine.id
    screen = Screen(screens.restart_question(position, prompt, same))
    return ReplyPlan(_said(where, prompt), reprompt=prompt, screen=screen)


def _describe(routine: Routine) -> str:
    stretches = spoken_list([f"the {stretch.name}" for stretch in routine.stretches])
    return f"{routine.name.capitalize()}, {routine.summary}: {stretches}. {_needs(routine)}"


def list_routines(catalog: Catalog, state: DialogueState) -> ReplyPlan:
    routines = _routines(catalog)
    intro = f"I have {counted(len(routines), 'routine')}."
    described = [_describe(routine) for routine in routines]
    others = [routine for routine in routines if routine.id != state.routine]
    choices = spoken_list([f"start the {routine.name}" for routine in others])
    if state.phase in (Phase.NOT_STARTED, Phase.FINISHED):
        prompt = (
            f"Which would you like? Say {spoken_list([f'start the {r.name}' for r in routines])}."
        )
        screen = state_screen(state, catalog, prompt)
        return ReplyPlan(_said(intro, *described, prompt), prompt, screen)
    return asking(state, catalog, intro, *described, f"To switch, say {choices}.")


def unknown_routine(catalog: Catalog, state: DialogueState, heard: str) -> ReplyPlan:
    names = spoken_list([routine.name for routine in _routines(catalog)])
    return asking(state, catalog, f"I don't know a routine called {heard}. I have {names}.")


def progress(state: DialogueState, catalog: Catalog, history: History | None) -> ReplyPlan:
    if state.phase is Phase.NOT_STARTED or not state.routine:
        routine = catalog.get(state.routine) or catalog.default
        count = _stretch_count(len(routine.stretches))
        return asking(
            state, catalog, f"You haven't started yet. The {routine.name} routine has {count}."
        )
    position = position_of(state, catalog)
    total = len(position.routine.stretches)
    if state.phase is Phase.FINISHED:
        done = f"You finished the {position.routine.name} routine."
        tally = (
            f"You've completed {counted(history.completed, 'routine')} in all."
            if history is not None and history.completed
            else ""
        )
        return asking(state, catalog, done, tally)
    number = position.index + 1
    left = total - number
    if state.phase in (Phase.HOLDING, Phase.COUNTING):
        line = f"You've done {spoken_number(number)} of {spoken_number(total)} stretches."
        return asking(state, catalog, line, f"{spoken_number(left).capitalize()} to go.")
    line = (
        f"You're on stretch {spoken_number(number)} of {spoken_number(total)}, "
        f"{_stretch_label(position.stretch, position.side)}."
    )
    after = f"After this, {spoken_number(left)} more to go." if left else "This is the last one."
    return asking(state, catalog, line, after)


def help_for(state: DialogueState, catalog: Catalog) -> ReplyPlan:
    """What can be said at this point of the routine."""
    if state.phase is Phase.NOT_STARTED:
        return asking(
            state,
            catalog,
            "I guide you through stretches for your lower back: I explain each one, time the "
            "holds and count with you. While we stretch you can say repeat, go back, skip, "
            "pause, or how many are left. You can also change the holds, for example say "
            "hold for forty-five seconds, or say count slower, or explain.",
            PAIN_HINT,
        )
    if state.phase is Phase.FINISHED:
        return asking(state, catalog, "You've finished the routine.")
    position = position_of(state, catalog)
    label = _stretch_label(position.stretch, position.side)
    if state.phase is Phase.PAUSED:
        line = f"We're paused at {label}."
    elif state.phase is Phase.INTRODUCING:
        line = (
            f"We're about to do {label}. Get into position, then say ready and I'll guide "
            "you through it. Say repeat to hear the instructions again, skip to move on, "
            "go back, or pause."
        )
    elif state.phase is Phase.WAITING_OTHER_SIDE:
        line = (
            f"Next is {label}. Say ready when you're in position, repeat to hear it again, "
            "or go back to redo the first side."
        )
    else:
        line = f"You've just finished the {position.stretch.name}. You can also say go back."
    return asking(state, catalog, line, PAIN_HINT)
