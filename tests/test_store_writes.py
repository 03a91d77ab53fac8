"""What the store is asked to do, on both stores: one read per session, one write per turn that
changes what is saved, and none for a turn that changes nothing, while what is saved always
matches where the user is."""

from __future__ import annotations

from typing import Any

from skill.alexa.carry import carried
from skill.simulator.envelopes import SimulatedDevice
from skill.storage.base import STATE
from tests.support.skill_env import SkillEnv, ends_session, spoken

USER = "amzn1.ask.account.TEST-USER"


def skill_store(skill_env: SkillEnv) -> Any:
    """The store object the skill itself uses (it counts its reads and writes)."""
    return skill_env.handler.__globals__["_skill"].persistence_adapter


def counted(skill_env: SkillEnv, turn: Any) -> tuple[int, int, Any]:
    """(reads, writes, response) of one turn."""
    store = skill_store(skill_env)
    reads, writes = store.reads, store.writes
    response = turn()
    return store.reads - reads, store.writes - writes, response


def session_state(device: SimulatedDevice) -> Any:
    progress = carried(device.session_attributes)
    assert progress is not None, device.session_attributes
    return progress.state


def test_a_whole_routine_reads_once_and_writes_only_turns_that_moved(
    skill_env: SkillEnv,
) -> None:
    device = skill_env.device(USER)
    turns = [device.launch, lambda: device.intent("StartRoutineIntent")]
    turns += [lambda: device.intent("AMAZON.HelpIntent"), lambda: device.intent("ReadyIntent")]
    reads = writes = 0
    saved_before = skill_env.saved(USER).get(STATE)
    for turn in turns:
        read, wrote, _ = counted(skill_env, turn)
        reads, writes = reads + read, writes + wrote
        saved_now = skill_env.saved(USER).get(STATE)
        assert saved_now == session_state(device)  # what is saved is where the user is
        assert wrote == (saved_now != saved_before)
        saved_before = saved_now
    response = None
    while response is None or not ends_session(response):
        read, wrote, response = counted(skill_env, lambda: device.intent("ReadyIntent"))
        reads, writes = reads + read, writes + wrote
        assert wrote == 1  # every step moves the routine on; the last one records it
    assert reads == 1
    assert skill_env.saved(USER)["history"]["completed"] == 1


def test_turns_that_change_nothing_write_nothing(skill_env: SkillEnv) -> None:
    device = skill_env.device(USER)
    device.launch()
    device.intent("StartRoutineIntent")
    saved = skill_env.saved(USER)
    for intent in (
        "AMAZON.HelpIntent",
        "AMAZON.RepeatIntent",
        "ProgressIntent",
        "ListRoutinesIntent",
    ):
        read, wrote, response = counted(skill_env, lambda name=intent: device.intent(name))
        assert spoken(response)
        assert (read, wrote) == (0, 0), intent
    read, wrote, _ = counted(skill_env, device.end_session)
    assert (read, wrote) == (0, 0)
    assert skill_env.saved(USER) == saved
    again = skill_env.device(USER)
    read, wrote, response = counted(skill_env, again.launch)
    assert "toe reach" in spoken(response)  # picks up where the user stopped
    assert read == 1


def test_reopening_without_moving_writes_nothing(skill_env: SkillEnv) -> None:
    first = skill_env.device(USER)
    first.launch()
    first.end_session()
    read, wrote, response = counted(skill_env, skill_env.device(USER).launch)
    assert spoken(response).startswith("Welcome")
    assert (read, wrote) == (1, 0)
