"""Whole conversations through the Lambda entry, as a user at home would have them."""

from __future__ import annotations

import re
import threading

from skill.conversation.history import History
from skill.simulator.envelopes import SimulatedDevice
from skill.simulator.resolver import Resolver
from tests.support.skill_env import SkillEnv, ends_session, reprompt, silences, spoken

LEFT_FOOT_PROMPT = "Say ready when your left foot is on the table."


def start_lower_back(device: SimulatedDevice) -> dict:
    """Launch and start the lower back routine, saying yes if asked to leave one under way."""
    device.launch()
    started = device.intent("StartRoutineIntent")
    if spoken(started).endswith("Say yes or no."):
        return device.intent("AMAZON.YesIntent")
    return started


def test_first_launch_welcomes_with_disclaimer_and_asks_what_to_do(skill_env: SkillEnv) -> None:
    device = skill_env.device()
    response = device.launch()
    said = spoken(response)
    assert said.startswith("Welcome to Back Stretches.")
    assert "not medical advice" in said
    assert "You'll need a table or other low object." in said
    assert reprompt(response) == (
        "Say start to begin the lower back routine, or list routines to hear them all."
    )
    assert not ends_session(response)


def test_full_routine_from_launch_to_completion(skill_env: SkillEnv) -> None:
    device = skill_env.device()
    device.launch()

    intro = device.intent("StartRoutineIntent")
    said = spoken(intro)
    assert said.startswith("Let's do the lower back routine: three stretches.")
    assert "Stretch one of three: the toe reach." in said
    assert "Keep your legs straight and your knees locked" in said
    assert reprompt(intro) == "Say ready when you're standing with your feet shoulder width apart."

    toe_reach = device.intent("ReadyIntent")
    said = spoken(toe_reach)
    assert said.startswith("Hold for thirty seconds.")
    assert (
        "Do not strain to reach your toes, instead let gravity do the stretching for you." in said
    )
    assert "[20 s] Ten more seconds. [10 s] Slowly roll back up to standing." in said
    assert sum(silences(toe_reach)) == 30
    assert reprompt(toe_reach).startswith("Say next when you're ready for the standing crunch")
    assert not ends_session(toe_reach)

    crunch_intro = device.intent("AMAZON.NextIntent")
    assert "Stretch two of three: the standing crunch rotations." in spoken(crunch_intro)
    assert "use your abdominal muscles and lower back muscles together" in spoken(crunch_intro)

    counting = device.intent("ReadyIntent")
    said = spoken(counting)
    assert said.startswith(
        "Here we go. One. Left elbow to right thigh. [2 s] Right elbow to left thigh."
    )
    for number in ("Two.", "Five.", "Ten."):
        assert f"{number} Left. [2 s] Right. [2 s]" in said
    assert "That's ten." in said
    assert silences(counting) == [2] * 20

    table_intro = device.intent("ReadyIntent")
    said = spoken(table_intro)
    assert "Stretch three of three: the table hamstring stretch." in said
    assert "Place your right foot on a table or other low object" in said
    assert reprompt(table_intro) == "Say ready when your right foot is on the table."

    right_leg = device.intent("ReadyIntent")
    said = spoken(right_leg)
    assert said.startswith("Hold for thirty seconds. Lean in slowly, without straining.")
    assert "[20 s] Ten more seconds. [10 s] And slowly raise back up. Now switch legs." in said
    assert reprompt(right_leg) == LEFT_FOOT_PROMPT
    assert not ends_session(right_leg)

    left_leg = device.intent("ReadyIntent")
    said = spoken(left_leg)
    assert sum(silences(left_leg)) == 30
    assert (
        "That's the whole lower back routine. Well done. That's your first completed routine."
        in said
    )
    assert ends_session(left_leg)
    assert left_leg["response"].get("reprompt") is None

    saved = skill_env.saved()
    assert saved["history"] == History(1, 1, "2026-11-23", 1, ("2026-11-23",)).to_dict()
    assert saved["state"]["phase"] == "finished"


def complete_routine(device: SimulatedDevice) -> dict:
    start_lower_back(device)
    response = device.intent("ReadyIntent")
    while not (ends_session(response) or "That's the whole" in spoken(response)):
        response = device.intent("ReadyIntent")
    return response


def test_streak_counts_consecutive_days_and_resets_after_a_gap(skill_env: SkillEnv) -> None:
    device = skill_env.device()
    assert "That's your first completed routine." in spoken(complete_routine(device))
    skill_env.clock.advance(days=1)
    assert "That's two days in a row." in spoken(complete_routine(device))
    skill_env.clock.advance(days=1)
    assert "That's three days in a row." in spoken(complete_routine(device))
    skill_env.clock.advance(days=1)
    welcome = device.launch()
    assert "You're on a three day streak." in spoken(welcome)
    assert "not medical advice" not in spoken(welcome)
    skill_env.clock.advance(days=2)
    assert "That's four routines completed." in spoken(complete_routine(device))
    assert (
        skill_env.saved()["history"]
        == History(
            4, 1, "2026-11-28", 3, ("2026-11-23", "2026-11-24", "2026-11-25", "2026-11-28")
        ).to_dict()
    )


def test_other_leg_waits_until_the_user_is_ready(skill_env: SkillEnv) -> None:
    device = skill_env.device()
    start_lower_back(device)
    for _ in range(5):
        device.intent("ReadyIntent")
    waiting = skill_env.saved()["state"]
    assert waiting["phase"] == "waiting_other_side" and waiting["side"] == 1

    not_yet = device.intent("AMAZON.NoIntent")
    assert spoken(not_yet) == f"No problem, take your time. {LEFT_FOOT_PROMPT}"
    unclear = device.intent("AMAZON.FallbackIntent")
    assert spoken(unclear) == f"Sorry, I didn't catch that. {LEFT_FOOT_PROMPT}"
    again = device.intent("AMAZON.RepeatIntent")
    assert spoken(again).startswith("Now switch legs. Place your left foot on the table")
    assert skill_env.saved()["state"] == waiting

    left = device.intent("ReadyIntent")
    assert sum(silences(left)) == 30
    assert ends_session(left)


def test_repeat_previous_next_and_start_over(skill_env: SkillEnv) -> None:
    device = skill_env.device()
    intro = start_lower_back(device)
    repeated = spoken(device.intent("AMAZON.RepeatIntent"))
    assert repeated.startswith("Stretch one of three: the toe reach.")
    assert spoken(intro).endswith(repeated)

    hold = device.intent("ReadyIntent")
    repeated_hold = device.intent("AMAZON.RepeatIntent")
    assert spoken(repeated_hold) == spoken(hold)
    assert sum(silences(repeated_hold)) == 30

    crunch = device.intent("AMAZON.NextIntent")
    assert "the standing crunch rotations." in spoken(crunch)
    back = device.intent("AMAZON.PreviousIntent")
    assert spoken(back).startswith("Okay, going back. Stretch one of three: the toe reach.")
    first = device.intent("AMAZON.PreviousIntent")
    assert spoken(first).startswith("This is the first stretch. Stretch one of three")

    device.intent("SkipIntent")
    device.intent("SkipIntent")
    assert skill_env.saved()["state"]["stretch"] == 2
    last = device.intent("SkipIntent")
    assert spoken(last).startswith("This is the last stretch, so there's nothing to skip to.")

    over = device.intent("AMAZON.StartOverIntent")
    assert spoken(over).startswith("Okay, starting over. Let's do the lower back routine")
    assert skill_env.saved()["state"]["stretch"] == 0


def test_pause_then_resume_picks_up_the_same_step(skill_env: SkillEnv) -> None:
    device = skill_env.device()
    start_lower_back(device)
    device.intent("ReadyIntent")
    device.intent("AMAZON.NextIntent")
    paused = device.intent("AMAZON.PauseIntent")
    assert spoken(paused) == (
        "Paused. We'll pick up with the standing crunch rotations. "
        "Say continue when you're ready to carry on."
    )
    assert not ends_session(paused)
    assert skill_env.saved()["state"]["phase"] == "paused"
    resumed = device.intent("AMAZON.ResumeIntent")
    assert spoken(resumed).startswith(
        "Picking up where you left off. Stretch two of three: the standing crunch rotations."
    )


def test_session_timing_out_mid_routine_is_offered_back_on_next_launch(skill_env: SkillEnv) -> None:
    device = skill_env.device()
    start_lower_back(device)
    for _ in range(5):
        device.intent("ReadyIntent")
    device.end_session("EXCEEDED_MAX_REPROMPTS")
    assert not device.session_open

    welcome = device.launch()
    assert spoken(welcome) == (
        "Welcome back. You were on the table hamstring stretch, left leg. "
        "Say continue to pick up there, or start over."
    )
    picked_up = device.intent("AMAZON.ResumeIntent")
    assert spoken(picked_up).startswith("Picking up where you left off. Now switch legs.")
    assert reprompt(picked_up) == LEFT_FOOT_PROMPT


def test_timeout_right_after_a_hold_resumes_at_the_next_stretch(skill_env: SkillEnv) -> None:
    device = skill_env.device()
    start_lower_back(device)
    device.intent("ReadyIntent")  # the toe reach hold is spoken; the user walks away
    device.end_session()
    assert "You were on the standing crunch rotations." in spoken(device.launch())
    assert "Stretch two of three" in spoken(device.intent("AMAZON.YesIntent"))


def test_pain_stops_at_once_and_records_nothing_as_completed(skill_env: SkillEnv) -> None:
    device = skill_env.device()
    start_lower_back(device)
    for _ in range(5):
        device.intent("ReadyIntent")
    response = device.intent("PainIntent")
    said = spoken(response)
    assert said.startswith("Stop the stretch now")
    assert "please see a health professional" in said
    assert ends_session(response)
    saved = skill_env.saved()
    assert saved["history"] == History(0, 0, "", 0, ()).to_dict()
    assert saved["state"]["phase"] == "paused"


def test_stop_saves_the_place_and_says_how_to_come_back(skill_env: SkillEnv) -> None:
    device = skill_env.device()
    start_lower_back(device)
    for intent in ("AMAZON.StopIntent", "AMAZON.CancelIntent", "AMAZON.NavigateHomeIntent"):
        response = device.intent(intent)
        assert spoken(response) == (
            "Okay. I've saved your place at the toe reach. "
            "When you're ready, say: Alexa, open back stretches."
        )
        assert ends_session(response)
        device.launch()
    assert skill_env.saved()["state"]["phase"] == "paused"


def test_help_is_contextual_at_each_phase(skill_env: SkillEnv) -> None:
    device = skill_env.device()
    helps = [spoken(device.intent("AMAZON.HelpIntent"))]
    start_lower_back(device)
    helps.append(spoken(device.intent("AMAZON.HelpIntent")))
    device.intent("ReadyIntent")
    helps.append(spoken(device.intent("AMAZON.HelpIntent")))
    for _ in range(4):
        device.intent("ReadyIntent")
    helps.append(spoken(device.intent("AMAZON.HelpIntent")))
    device.intent("AMAZON.PauseIntent")
    helps.append(spoken(device.intent("AMAZON.HelpIntent")))
    assert "Say start to begin" in helps[0]
    assert "We're about to do the toe reach. Get into position, then say ready" in helps[1]
    assert "You've just finished the toe reach." in helps[2]
    assert "Say next when you're ready for the standing crunch rotations" in helps[2]
    assert "Next is the table hamstring stretch, left leg." in helps[3]
    assert helps[3].endswith(LEFT_FOOT_PROMPT)
    assert "We're paused at the table hamstring stretch, left leg." in helps[4]
    assert all("say it hurts" in text for text in helps[1:])
    assert len(set(helps)) == len(helps)
    assert skill_env.saved()["state"]["phase"] == "paused"


def test_progress_and_list_routines_answer_without_moving(skill_env: SkillEnv) -> None:
    device = skill_env.device()
    start_lower_back(device)
    device.intent("ReadyIntent")
    device.intent("AMAZON.NextIntent")
    before = skill_env.saved()["state"]
    progress = device.intent("ProgressIntent")
    assert spoken(progress).startswith(
        "You're on stretch two of three, the standing crunch rotations. After this, one more to go."
    )
    listing = spoken(device.intent("ListRoutinesIntent"))
    assert listing.startswith("I have two routines.")
    assert (
        "Desk break, a short break at work: the standing crunch rotations and the toe reach."
        in listing
    )
    assert listing.endswith(
        "To switch, say start the desk break. "
        "Say ready when your hands are clasped behind your head."
    )
    assert "the table hamstring stretch. You'll need a table or other low object." in listing
    assert skill_env.saved()["state"] == before


def test_desk_break_by_name_needs_no_equipment(skill_env: SkillEnv) -> None:
    device = skill_env.device()
    device.launch()
    response = device.say("start my desk stretches", Resolver.default())
    said = spoken(response)
    assert said.startswith("Let's do the desk break routine: two stretches. Stretch one of two:")
    assert "You'll need" not in said
    assert skill_env.saved()["state"]["routine"] == "desk_break"
    hold = None
    for _ in range(3):
        hold = device.intent("ReadyIntent")
    assert hold is not None and "Hold for twenty seconds." in spoken(hold)
    assert sum(silences(hold)) == 20
    assert ends_session(hold)


def test_one_shot_start_on_first_use_says_the_disclaimer_first(skill_env: SkillEnv) -> None:
    device = skill_env.device()
    response = device.intent("StartRoutineIntent")
    said = spoken(response)
    assert said.startswith(
        "Before we begin, this is general stretching guidance, not medical advice, "
        "so stop at once if anything hurts. Let's do the lower back routine"
    )
    assert "Stretch one of three: the toe reach." in said


def test_screen_devices_get_visuals_and_voice_only_devices_do_not(skill_env: SkillEnv) -> None:
    with_screen = skill_env.device(user_id="amzn1.ask.account.SCREEN", screen=True)
    with_screen.launch()
    response = with_screen.intent("StartRoutineIntent")
    directives = response["response"].get("directives") or []
    assert [d["type"] for d in directives] == ["Alexa.Presentation.APL.RenderDocument"]
    screen = directives[0]["datasources"]["payload"]["screen"]
    card = screen["cards"][0]
    assert (card["title"], card["progress"], card["state"]) == (
        "Toe reach",
        "Stretch 1 of 3",
        "Get ready",
    )
    hold = with_screen.intent("ReadyIntent")
    ticks = hold["response"]["directives"][0]["datasources"]["payload"]["screen"]["ticks"]
    assert [tick["count"] for tick in ticks][:2] == ["30", "29"]

    voice_only = skill_env.device(user_id="amzn1.ask.account.VOICE")
    voice_only.launch()
    assert not voice_only.intent("StartRoutineIntent")["response"].get("directives")


def test_two_devices_finishing_at_once_both_count(skill_env: SkillEnv) -> None:
    kitchen, office = skill_env.device(), skill_env.device()
    for device in (kitchen, office):
        start_lower_back(device)
        for _ in range(5):
            device.intent("ReadyIntent")
    barrier = threading.Barrier(2)
    finished: list[dict] = []

    def finish(device: SimulatedDevice) -> None:
        barrier.wait()
        finished.append(device.intent("ReadyIntent"))

    threads = [threading.Thread(target=finish, args=(d,)) for d in (kitchen, office)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(finished) == 2 and all(ends_session(r) for r in finished)
    assert skill_env.saved()["history"]["completed"] == 2


def prompted_phrases(text: str) -> list[str]:
    """The words a reply tells the user to say: "Say ready when ...", "..., or start over.",
    "you can say repeat, go back, skip, ...", "say it hurts and we'll stop"."""
    phrases = []
    for sentence in re.split(r"(?<=[.?])\s+", text):
        asked = re.search(r"\b[Ss]ay:? (.*)", sentence)
        if asked is None:
            continue
        for item in re.split(r",? or |, ", asked.group(1).rstrip(".?")):
            words = re.split(r" (?:when|to|and)\b", item.strip().removeprefix("say "))[0]
            if words:
                phrases.append(words)
    return phrases


def test_following_the_prompts_word_for_word_completes_the_routine(skill_env: SkillEnv) -> None:
    resolver = Resolver.default()
    device = skill_env.device()
    response = device.launch()
    asked: set[str] = set()
    for _ in range(20):
        if ends_session(response):
            break
        phrases = prompted_phrases(reprompt(response))
        asked.update(phrases)
        asked.update(prompted_phrases(spoken(device.intent("AMAZON.HelpIntent"))))
        response = device.say(phrases[0], resolver)
    assert "That's the whole lower back routine. Well done." in spoken(response)
    assert {"start", "ready", "next", "repeat", "list routines"} <= asked
    for phrase in asked | {"continue", "start over", "stop", "it hurts", "go back", "skip"}:
        assert resolver.resolve(phrase) is not None, f"the coach asks for {phrase!r}"


def test_start_after_another_routine_begins_the_default_routine(skill_env: SkillEnv) -> None:
    device = skill_env.device()
    device.launch()
    response = device.say("start desk break", Resolver.default())
    while not ends_session(response):
        response = device.intent("ReadyIntent")
    welcome = device.launch()
    assert "Say start to begin the lower back routine" in spoken(welcome)
    assert spoken(device.intent("StartRoutineIntent")).startswith("Let's do the lower back routine")


def test_a_lapsed_streak_is_not_announced(skill_env: SkillEnv) -> None:
    device = skill_env.device()
    for _ in range(3):
        complete_routine(device)
        skill_env.clock.advance(days=1)
    assert "You're on a three day streak." in spoken(device.launch())
    skill_env.clock.advance(days=30)
    assert "streak" not in spoken(device.launch())


def test_pain_on_a_first_visit_is_not_delayed_by_the_disclaimer(skill_env: SkillEnv) -> None:
    response = skill_env.device().intent("PainIntent")
    assert spoken(response) == (
        "Stop the stretch now and gently come out of the position. Don't push through pain. "
        "If the pain persists, please see a health professional. Stop for numbness or tingling "
        "too. Get medical help straight away if you have weakness in your legs, numbness around "
        "your bottom, or any loss of bladder or bowel control."
    )
    assert ends_session(response)
