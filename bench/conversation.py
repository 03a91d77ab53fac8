"""The routine conversation every part of the bench replays, and a recorder of its requests."""

from __future__ import annotations

import itertools
from pathlib import Path
from types import ModuleType
from typing import Any

from bench.environment import in_process
from skill.simulator.envelopes import Handler, SimulatedDevice
from skill.simulator.lambda_entry import load_lambda_module

Event = dict[str, Any]
LAUNCH = "LaunchRequest"
# Launch to completion, with repeat, pause/resume and the other-leg prompt (then "no", repeat).
ROUTINE = (
    LAUNCH,
    "StartRoutineIntent",
    "AMAZON.RepeatIntent",
    "ReadyIntent",  # toe reach hold
    "AMAZON.NextIntent",
    "ReadyIntent",  # crunch rotations counted
    "AMAZON.NextIntent",  # table hamstring stretch, right leg
    "AMAZON.PauseIntent",  # (at a prompt: a pause mid-exercise would redo the exercise)
    "AMAZON.ResumeIntent",
    "ReadyIntent",  # right leg hold, then the other-leg prompt
    "AMAZON.NoIntent",
    "AMAZON.RepeatIntent",
    "ReadyIntent",  # left leg hold: routine complete
)
_users = itertools.count()


def new_user() -> str:
    return f"amzn1.ask.account.BENCH-{next(_users):06d}"


def run_routine(handler: Handler) -> list[Event]:
    """Talk through ROUTINE as a fresh user; the request envelopes sent, in order."""
    device = SimulatedDevice(handler, user_id=new_user())
    sent: list[Event] = []
    response: Event = {}
    for step in ROUTINE:
        response = device.launch() if step == LAUNCH else device.intent(step)
        assert device.last_request is not None
        sent.append(device.last_request)
    if response.get("response", {}).get("shouldEndSession") is not True:
        raise RuntimeError(f"the routine did not complete: {response}")
    return sent


def load_ours(db_path: Path) -> ModuleType:
    """This skill's Lambda entry, freshly imported with its store on db_path."""
    with in_process(db_path):
        return load_lambda_module()


def record_routines(count: int, db_path: Path) -> list[Event]:
    """The requests of `count` routines (one user each) as this skill answered them."""
    handler = load_ours(db_path).lambda_handler
    return [event for _ in range(count) for event in run_routine(handler)]
