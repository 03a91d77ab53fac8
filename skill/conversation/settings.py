"""Settings by voice: the transitions that change the user's profile, and what they say.

Each answers, then asks what the current phase asks, so the routine carries on where it was.
Unreadable or absurd values change nothing and say what would work.
"""

from __future__ import annotations

from collections.abc import Callable

from msgspec.structs import replace

from skill.content.model import Stretch
from skill.conversation import preferences, replies
from skill.conversation.preferences import HOLD_STEP_SECONDS, clamp, limits
from skill.conversation.profile import Instructions, Profile
from skill.conversation.replies import spoken_list, spoken_number, spoken_seconds
from skill.conversation.state import DialogueState
from skill.conversation.turn import Outcome, Turn

HOLD_EXAMPLE = "You can say, for example, hold for forty-five seconds."
REPS_EXAMPLE = "You can say, for example, do fifteen rotations."


def _answer(
    state: DialogueState, turn: Turn, *lines: str, profile: Profile | None = None
) -> Outcome:
    return Outcome(state, replies.asking(state, turn.catalog, *lines), profile=profile)


def _names(stretches: list[Stretch]) -> str:
    return spoken_list([f"the {stretch.name}" for stretch in stretches])


def _limit_notes(
    asked: int, effective: dict[Stretch, int], action: str, say: Callable[[int], str]
) -> list[str]:
    """ "The table hamstring stretch is held for one minute at most, so I'll make it one
    minute." for each group of stretches whose range moved the value asked for."""
    groups: dict[int, list[Stretch]] = {}
    for stretch, value in effective.items():
        if value != asked:
            groups.setdefault(value, []).append(stretch)
    notes = []
    for value, stretches in groups.items():
        plural = len(stretches) > 1 or stretches[0].name.endswith("s")  # "the rotations are"
        verb = "are" if plural else "is"
        bound = "at most" if value < asked else "at least"
        names = _names(stretches).capitalize()
        notes.append(f"{names} {verb} {action} {say(value)} {bound}, so I'll make it {say(value)}.")
    return notes


def _hold_changed(state: DialogueState, turn: Turn, seconds: int) -> Outcome:
    limit = limits(turn.catalog)
    effective = {s: clamp(seconds, s.hold_range) for s in limit.hold_stretches}
    notes = _limit_notes(seconds, effective, "held for", spoken_seconds)
    kept = any(value == seconds for value in effective.values())
    opening = f"Okay, I'll time your holds for {spoken_seconds(seconds)}." if kept else "Okay."
    profile = replace(turn.profile, hold_seconds=clamp(seconds, limit.hold))
    return _answer(state, turn, opening, *notes, profile=profile)


def set_hold(state: DialogueState, turn: Turn) -> Outcome:
    seconds = preferences.duration_seconds(turn.slot_value)
    if seconds is None:
        return _answer(state, turn, "Sorry, I didn't catch how long.", HOLD_EXAMPLE)
    low, high = preferences.SENSIBLE_HOLD_SECONDS
    if not low <= seconds <= high:
        hold_low, hold_high = limits(turn.catalog).hold
        line = (
            f"I time holds from {spoken_seconds(hold_low)} to {spoken_seconds(hold_high)}, "
            f"so I've left them as they are."
        )
        return _answer(state, turn, line, HOLD_EXAMPLE)
    return _hold_changed(state, turn, seconds)


def _current_hold(state: DialogueState, turn: Turn) -> int:
    """The hold "longer" and "shorter" start from: the one the user is doing or comes to next,
    as they do it (their preference within its range), else their preference."""
    position = replies.position_of(state, turn.catalog)
    ahead = position.routine.stretches[position.index :] + position.routine.stretches
    holds = [s for s in ahead if s.hold_seconds]
    if holds:
        return preferences.personalise(holds[0], turn.profile).hold_seconds
    return turn.profile.hold_seconds or limits(turn.catalog).hold[0]


def _hold_step(state: DialogueState, turn: Turn, step: int) -> Outcome:
    current = _current_hold(state, turn)
    wanted = clamp(current + step, limits(turn.catalog).hold)
    if wanted == current:
        extreme = "long" if step > 0 else "short"
        line = f"Your holds are already as {extreme} as I time them: {spoken_seconds(current)}."
        return _answer(state, turn, line)
    return _hold_changed(state, turn, wanted)


def hold_longer(state: DialogueState, turn: Turn) -> Outcome:
    return _hold_step(state, turn, HOLD_STEP_SECONDS)


def hold_shorter(state: DialogueState, turn: Turn) -> Outcome:
    return _hold_step(state, turn, -HOLD_STEP_SECONDS)


def set_reps(state: DialogueState, turn: Turn) -> Outcome:
    count = preferences.whole_number(turn.slot_value)
    limit = limits(turn.catalog)
    if count is None:
        return _answer(state, turn, "Sorry, I didn't catch how many.", REPS_EXAMPLE)
    low, high = preferences.SENSIBLE_REPS
    if not low <= count <= high or not limit.reps_stretches:
        line = (
            f"I count from {spoken_number(limit.reps[0])} to {spoken_number(limit.reps[1])} "
            "rotations, so I've left them as they are."
        )
        return _answer(state, turn, line, REPS_EXAMPLE)
    effective = {s: clamp(count, s.reps_range) for s in limit.reps_stretches}
    notes = _limit_notes(count, effective, "done", lambda n: f"{spoken_number(n)} times")
    kept = any(value == count for value in effective.values())
    opening = f"Okay, I'll count {spoken_number(count)} rotations." if kept else "Okay."
    profile = replace(turn.profile, reps=clamp(count, limit.reps))
    return _answer(state, turn, opening, *notes, profile=profile)


def _pace_step(state: DialogueState, turn: Turn, step: int) -> Outcome:
    limit = limits(turn.catalog)
    if not limit.reps_stretches:
        return _answer(state, turn, "There's nothing to count in these routines.")
    current = turn.profile.pace_seconds or limit.reps_stretches[0].seconds_per_movement
    wanted = clamp(current + step, limit.pace)
    if wanted == current:
        extreme = "slowly" if step > 0 else "quickly"
        line = f"That's as {extreme} as I count: every {spoken_seconds(current)}."
        return _answer(state, turn, line)
    profile = replace(turn.profile, pace_seconds=wanted)
    return _answer(
        state, turn, f"Okay, I'll count every {spoken_seconds(wanted)}.", profile=profile
    )


def count_slower(state: DialogueState, turn: Turn) -> Outcome:
    return _pace_step(state, turn, 1)


def count_faster(state: DialogueState, turn: Turn) -> Outcome:
    return _pace_step(state, turn, -1)


def tell_settings(state: DialogueState, turn: Turn) -> Outcome:
    profile = turn.profile
    routine = turn.catalog.get(state.routine) or turn.catalog.default
    own = [preferences.personalise(s, profile) for s in routine.stretches]
    holds = [s.hold_seconds for s in own if s.hold_seconds]
    counted = [s for s in own if s.reps]
    hold_line = ""
    if holds:
        each = [f"{spoken_seconds(s.hold_seconds)} for the {s.name}" for s in own if s.hold_seconds]
        same = len(set(holds)) == 1
        hold_line = f"Holds: {spoken_seconds(holds[0]) if same else spoken_list(each)}."
    reps_line = ""
    if counted:
        rotation = counted[0]
        reps_line = (
            f"Rotations: {spoken_number(rotation.reps)}, counted every "
            f"{spoken_seconds(rotation.seconds_per_movement)}."
        )
    instructions = (
        "Instructions: always in full."
        if profile.instructions is Instructions.FULL
        else "Instructions: short once you know a stretch."
    )
    hint = (
        "Say reset my settings to go back to the usual."
        if profile.has_preferences
        else "These are the usual settings. " + HOLD_EXAMPLE
    )
    return _answer(state, turn, hold_line, reps_line, instructions, hint)


def reset_settings(state: DialogueState, turn: Turn) -> Outcome:
    if not turn.profile.has_preferences:
        return _answer(state, turn, "Your settings are already the usual ones.")
    line = (
        "Okay, your settings are back to the usual: each stretch's own hold and count, and "
        "short instructions once you know a stretch."
    )
    return _answer(state, turn, line, profile=turn.profile.reset())


def full_instructions(state: DialogueState, turn: Turn) -> Outcome:
    profile = replace(turn.profile, instructions=Instructions.FULL)
    return _answer(
        state, turn, "Okay, I'll always give you the full instructions.", profile=profile
    )


def brief_instructions(state: DialogueState, turn: Turn) -> Outcome:
    profile = replace(turn.profile, instructions=Instructions.AUTO)
    line = (
        "Okay. Once you've done a stretch a couple of times, I'll keep its instructions "
        "short. Say explain whenever you want them in full."
    )
    return _answer(state, turn, line, profile=profile)
