"""Touch: the buttons on the screen send Alexa.Presentation.APL.UserEvent requests through
lambda_handler, and the skill answers them exactly as it answers the spoken intents."""

from __future__ import annotations

from typing import Any

from skill.simulator.envelopes import SimulatedDevice
from tests.support.skill_env import SkillEnv, ends_session, reprompt, spoken


def buttons(response: dict[str, Any]) -> dict[str, str]:
    """The buttons on the card the screen ends on: label -> the action it sends."""
    directive = response["response"]["directives"][0]
    last_card = directive["datasources"]["payload"]["screen"]["cards"][-1]
    return {button["label"]: button["action"] for button in last_card["buttons"]}


def press(device: SimulatedDevice, response: dict[str, Any], label: str) -> dict[str, Any]:
    """Touch the button with this label on the screen the last response left."""
    return device.touch(buttons(response)[label])


def test_a_whole_routine_by_touch_alone(skill_env: SkillEnv) -> None:
    device = skill_env.device(screen=True)
    response = device.touch("start")
    assert "Stretch one of three: the toe reach." in spoken(response)
    labels = []
    while not ends_session(response):
        label = "Ready" if "Ready" in buttons(response) else "Next"
        labels.append(label)
        response = press(device, response, label)
    assert labels == ["Ready", "Next", "Ready", "Next", "Ready", "Ready"]
    assert "That's the whole lower back routine. Well done." in spoken(response)
    assert skill_env.saved()["history"]["completed"] == 1


def test_touch_and_speech_give_the_same_reply(skill_env: SkillEnv) -> None:
    touching = skill_env.device(user_id="amzn1.ask.account.TOUCH", screen=True)
    talking = skill_env.device(user_id="amzn1.ask.account.TALK", screen=True)
    pairs = [
        ("start", "StartRoutineIntent"),
        ("repeat", "AMAZON.RepeatIntent"),
        ("ready", "ReadyIntent"),
        ("next", "AMAZON.NextIntent"),
        ("pause", "AMAZON.PauseIntent"),
        ("continue", "AMAZON.ResumeIntent"),
        ("start_over", "AMAZON.StartOverIntent"),
        ("stop", "AMAZON.StopIntent"),
    ]
    for action, intent in pairs:
        touched, said = touching.touch(action), talking.intent(intent)
        assert spoken(touched) == spoken(said), action
        assert reprompt(touched) == reprompt(said)
        assert touched["response"]["directives"] == said["response"]["directives"]
    assert (
        skill_env.saved("amzn1.ask.account.TOUCH")["state"]
        == skill_env.saved("amzn1.ask.account.TALK")["state"]
    )


def test_welcome_back_continue_and_start_over_by_touch(skill_env: SkillEnv) -> None:
    device = skill_env.device(screen=True)
    device.touch("start")
    device.touch("ready")
    device.end_session()
    welcome_back = device.launch()
    assert set(buttons(welcome_back)) == {"Continue", "Start over"}
    resumed = press(device, welcome_back, "Continue")
    assert "Picking up where you left off." in spoken(resumed)
    assert "the standing crunch rotations" in spoken(resumed)
    device.end_session()
    again = press(device, device.launch(), "Start over")
    assert spoken(again).startswith("Okay, starting over.")


def test_an_unknown_touch_is_answered_and_keeps_the_place(skill_env: SkillEnv) -> None:
    device = skill_env.device(screen=True)
    device.touch("start")
    before = skill_env.saved()["state"]
    for arguments in (("dance",), (), (42,), (None, "ready")):
        response = device.touch(*arguments)
        assert spoken(response).startswith("Sorry, I didn't catch that.")
        assert not ends_session(response)
        assert skill_env.saved()["state"] == before
