"""What a screen shows in each situation: the cards, built from the same position and words
as the speech, so the screen never says something the coach does not."""

from __future__ import annotations

from skill.content.model import StretchKind
from skill.conversation.plan import Button, Card
from skill.conversation.state import Position

READY = Button("Ready", "ready")
NEXT = Button("Next", "next")
REPEAT = Button("Repeat", "repeat")
PAUSE = Button("Pause", "pause")
STOP = Button("Stop", "stop")
CONTINUE = Button("Continue", "continue")
START_OVER = Button("Start over", "start_over")
START = Button("Start", "start")
IN_STRETCH = (READY, REPEAT, PAUSE, STOP)
AFTER_STRETCH = (NEXT, REPEAT, PAUSE, STOP)


def picture_id(position: Position) -> str:
    """The picture of a stretch and side: the stretch id, with the side's name if it has one."""
    side = position.stretch.side_name(position.side)
    return f"{position.stretch.id}_{side}" if side else position.stretch.id


def _about(
    position: Position,
    state: str,
    cue: str,
    buttons: tuple[Button, ...],
    side: str = "",
    counting: str = "",
    movements: tuple[str, ...] = (),
) -> Card:
    """A card about one stretch and side of the routine (`side`: instead of the side's name)."""
    stretch, routine = position.stretch, position.routine
    return Card(
        state=state,
        title=stretch.name.capitalize(),
        routine=routine.name.capitalize(),
        progress=f"Stretch {position.index + 1} of {len(routine.stretches)}",
        side=side or stretch.side_title(position.side).capitalize(),
        cue=cue,
        picture=picture_id(position),
        buttons=buttons,
        counting=counting,
        movements=movements,
    )


def get_ready(position: Position, prompt: str) -> Card:
    return _about(position, "Get ready", prompt, IN_STRETCH)


def switch_sides(position: Position, prompt: str) -> Card:
    return _about(position, "Switch sides", prompt, IN_STRETCH)


def exercise(position: Position, cue: str) -> Card:
    """The card during the exercise: it counts down the hold, or counts the reps."""
    stretch = position.stretch
    if stretch.kind is StretchKind.HOLD:
        return _about(position, "Hold", cue, (PAUSE, STOP), counting="hold")
    movements = tuple(name.rstrip(".") for name in stretch.movements)
    return _about(position, "Reps", cue, (PAUSE, STOP), counting="reps", movements=movements)


def step_done(position: Position, prompt: str) -> Card:
    """After a stretch: well done, and which one is next."""
    following = position.next_stretch
    assert following is not None
    return _about(position, "Well done", prompt, AFTER_STRETCH, f"Next up: the {following.name}")


def routine_complete(position: Position, record: str, buttons: tuple[Button, ...] = ()) -> Card:
    routine = position.routine
    name = routine.name.capitalize()
    return Card("Routine complete", "Well done", routine=name, cue=record, buttons=buttons)


def welcome(routine_name: str, prompt: str) -> Card:
    name = routine_name.capitalize()
    return Card("Welcome", "Back Stretches", routine=name, cue=prompt, buttons=(START,))


def welcome_back(position: Position, prompt: str) -> Card:
    return _about(position, "Welcome back", prompt, (CONTINUE, START_OVER))


def restart_question(position: Position, prompt: str, same_routine: bool) -> Card:
    """Start over (or another routine)? Continue keeps the place."""
    buttons = (CONTINUE, START_OVER) if same_routine else (CONTINUE,)
    return _about(position, "Start over?", prompt, buttons)


def paused(position: Position, prompt: str) -> Card:
    return _about(position, "Paused", prompt, (CONTINUE, START_OVER, STOP))


def stopped(title: str, cue: str) -> Card:
    """The session ends: the pain stop or a goodbye, with no buttons."""
    return Card("Stopped", title, cue=cue)
