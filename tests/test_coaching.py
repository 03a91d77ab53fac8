"""The coach adapting to the person, through `lambda_handler` with real envelopes, on both
stores: preferences by voice (as Alexa fills DURATION and NUMBER slots), brief instructions
once familiar, interruptions mid-exercise, red flags, and the small things people say."""

from __future__ import annotations

from skill.simulator.envelopes import SimulatedDevice
from skill.simulator.resolver import SlotMatch
from tests.support.skill_env import (
    SkillEnv,
    ends_session,
    reprompt,
    silences,
    spoken,
    spoken_seconds,
    whole_routine,
)


def start(device: SimulatedDevice) -> dict:
    device.launch()
    return device.intent("StartRoutineIntent")


def hold_for(device: SimulatedDevice, duration: str) -> dict:
    return device.intent("SetHoldIntent", {"duration": duration})


def ready_then_cut_in(skill_env: SkillEnv, device: SimulatedDevice, seconds: float) -> dict:
    """Say ready, then speak again `seconds` after the request, while the reply still plays."""
    device.listening = False
    performed = device.intent("ReadyIntent")
    skill_env.clock.advance(seconds=seconds)
    return performed


def next_hold(device: SimulatedDevice) -> dict:
    """Say ready (and next) until a reply holds, and return that reply."""
    for _ in range(8):
        response = device.intent("ReadyIntent")
        if "Hold for" in spoken(response):
            return response
    raise AssertionError("no hold came")


# -- hold length ------------------------------------------------------------------------------


def test_a_one_minute_hold_changes_the_words_and_the_silence_and_is_kept(
    skill_env: SkillEnv,
) -> None:
    device = skill_env.device()
    start(device)
    answer = hold_for(device, "PT1M")
    assert spoken(answer).startswith("Okay, I'll time your holds for one minute.")
    assert reprompt(answer) == "Say ready when you're standing with your feet shoulder width apart."
    assert skill_env.saved()["profile"]["hold_seconds"] == 60

    toe_reach = device.intent("ReadyIntent")
    assert spoken(toe_reach).startswith("Hold for one minute.")
    assert sum(silences(toe_reach)) == 60
    assert "Halfway there." in spoken(toe_reach)

    device.intent("AMAZON.StopIntent")  # a new session reads the preference from the store
    again = skill_env.device()
    again.launch()
    again.intent("AMAZON.StartOverIntent")
    assert sum(silences(again.intent("ReadyIntent"))) == 60


def test_a_hold_below_a_stretchs_range_is_raised_for_that_stretch_and_said(
    skill_env: SkillEnv,
) -> None:
    device = skill_env.device()
    start(device)
    answer = spoken(hold_for(device, "PT20S"))
    assert answer.startswith("Okay, I'll time your holds for twenty seconds.")
    assert (
        "The table hamstring stretch is held for thirty seconds at least, so I'll make it "
        "thirty seconds." in answer
    )
    silence_per_turn = []
    for _ in range(12):  # bounded: a routine that never ends fails here, not by hanging
        response = device.intent("ReadyIntent")
        silence_per_turn.append(sum(silences(response)))
        if ends_session(response):
            break
    assert [s for s in silence_per_turn if s] == [20, 40, 30, 30]  # toe, rotations, each leg


def test_a_hold_above_every_range_is_capped_and_said(skill_env: SkillEnv) -> None:
    device = skill_env.device()
    start(device)
    answer = spoken(hold_for(device, "PT1M30S"))
    assert answer.startswith("Okay. The toe reach and the table hamstring stretch are held for")
    assert "one minute at most, so I'll make it one minute." in answer
    assert skill_env.saved()["profile"]["hold_seconds"] == 60
    assert sum(silences(device.intent("ReadyIntent"))) == 60


def test_unreadable_missing_and_absurd_durations_change_nothing(skill_env: SkillEnv) -> None:
    device = skill_env.device()
    start(device)
    before = skill_env.saved()
    for value, words in (
        ("?", "Sorry, I didn't catch how long."),
        (None, "Sorry, I didn't catch how long."),
        ("PT2H", "I time holds from ten seconds to one minute, so I've left them as they are."),
        ("P1Y", "Sorry, I didn't catch how long."),
        ("PT0S", "I time holds from ten seconds to one minute"),
    ):
        answer = hold_for(device, value) if value else device.intent("SetHoldIntent")
        assert spoken(answer).startswith(words), value
        assert not ends_session(answer)
    assert skill_env.saved()["profile"] == before["profile"]
    assert sum(silences(device.intent("ReadyIntent"))) == 30


def test_longer_and_shorter_step_by_fifteen_seconds_within_the_limits(
    skill_env: SkillEnv,
) -> None:
    device = skill_env.device()
    start(device)
    longer = spoken(device.intent("HoldLongerIntent"))
    assert longer.startswith("Okay, I'll time your holds for forty-five seconds.")
    assert spoken(device.intent("HoldLongerIntent")).startswith(
        "Okay, I'll time your holds for one minute."
    )
    assert spoken(device.intent("HoldLongerIntent")).startswith(
        "Your holds are already as long as I time them: one minute."
    )
    assert spoken(device.intent("HoldShorterIntent")).startswith(
        "Okay, I'll time your holds for forty-five seconds."
    )
    assert sum(silences(device.intent("ReadyIntent"))) == 45


# -- rotations and pace -----------------------------------------------------------------------


def rotations_turn(device: SimulatedDevice) -> dict:
    device.intent("ReadyIntent")  # toe reach
    device.intent("AMAZON.NextIntent")
    return device.intent("ReadyIntent")


def test_fifteen_rotations_are_counted_and_kept(skill_env: SkillEnv) -> None:
    device = skill_env.device()
    start(device)
    answer = device.intent("SetRepsIntent", {"count": "15"})
    assert spoken(answer).startswith("Okay, I'll count fifteen rotations.")
    first = rotations_turn(device)  # 60 s of counting: two parts
    second = device.intent("ReadyIntent")
    assert spoken(first).endswith("That's eight. Seven more to go. Say ready for the next seven.")
    assert "Fifteen. Left." in spoken(second) and "That's fifteen." in spoken(second)
    assert sum(silences(first)) + sum(silences(second)) == 15 * 2 * 2
    assert skill_env.saved()["profile"]["reps"] == 15


def test_fewer_rotations_than_the_seed_allows_are_raised_and_said(skill_env: SkillEnv) -> None:
    device = skill_env.device()
    start(device)
    answer = spoken(device.intent("SetRepsIntent", {"count": "5"}))
    assert answer.startswith(
        "Okay. The standing crunch rotations are done ten times at least, so I'll make it "
        "ten times."
    )
    assert spoken(device.intent("SetRepsIntent", {"count": "?"})).startswith(
        "Sorry, I didn't catch how many."
    )
    assert "That's ten." in spoken(rotations_turn(device))


def test_counting_slower_paces_each_movement_three_then_four_seconds(skill_env: SkillEnv) -> None:
    device = skill_env.device()
    start(device)
    assert spoken(device.intent("CountSlowerIntent")).startswith(
        "Okay, I'll count every three seconds."
    )
    device.intent("CountSlowerIntent")
    assert spoken(device.intent("CountSlowerIntent")).startswith(
        "That's as slowly as I count: every four seconds."
    )
    parts = [rotations_turn(device), device.intent("ReadyIntent")]  # 80 s: two parts of five
    assert all(set(silences(part)) == {4} and not ends_session(part) for part in parts)
    assert sum(sum(silences(part)) for part in parts) == 10 * 2 * 4
    assert "That's ten." in spoken(parts[1])


def test_settings_are_read_back_and_reset(skill_env: SkillEnv) -> None:
    device = skill_env.device()
    start(device)
    usual = spoken(device.intent("SettingsIntent"))
    assert "Holds: thirty seconds." in usual
    assert "Rotations: ten, counted every two seconds." in usual
    assert "These are the usual settings." in usual
    hold_for(device, "PT45S")
    device.intent("SetRepsIntent", {"count": "12"})
    device.intent("FullInstructionsIntent")
    mine = spoken(device.intent("SettingsIntent"))
    assert "Holds: forty-five seconds." in mine
    assert "Rotations: twelve, counted every two seconds." in mine
    assert "Instructions: always in full." in mine
    reset = spoken(device.intent("ResetSettingsIntent"))
    assert reset.startswith("Okay, your settings are back to the usual")
    assert skill_env.saved()["profile"]["hold_seconds"] == 0
    assert spoken(device.intent("ResetSettingsIntent")).startswith(
        "Your settings are already the usual ones."
    )


# -- brief instructions -----------------------------------------------------------------------


def test_instructions_shrink_after_two_completions_and_explain_gives_them_in_full(
    skill_env: SkillEnv,
) -> None:
    opening = "Stretch one of three: the toe reach. "
    full = spoken(start(skill_env.device())).split(opening)[1]
    assert full.startswith("Stand on a flat surface, placing your feet shoulder width apart.")
    for _ in range(2):
        whole_routine(skill_env.device())
    assert skill_env.saved()["profile"]["done"] == {
        "toe_reach": 2,
        "standing_crunch_rotations": 2,
        "table_hamstring": 2,
    }

    device = skill_env.device()
    brief = start(device)
    introduction = spoken(brief).split(opening)[1]
    assert introduction == (
        "Feet shoulder width apart, legs straight, and let your upper body hang down. Say ready."
    )
    assert len(introduction) <= 0.6 * len(full)
    assert reprompt(brief) == "Say ready when you're standing with your feet shoulder width apart."

    explained = spoken(device.intent("ExplainIntent"))
    assert explained.startswith("Here's the toe reach in full. Stand on a flat surface")
    assert "let gravity do the stretching for you" in explained

    hold = device.intent("ReadyIntent")
    assert "Do not strain to reach your toes" in spoken(hold)  # safety cues are never cut
    device.intent("AMAZON.NextIntent")
    device.intent("ReadyIntent")
    device.intent("AMAZON.NextIntent")
    first_leg = device.intent("ReadyIntent")
    assert spoken(first_leg).endswith(
        "Now your left leg: foot on the table, leg straight. Say ready."
    )

    device.intent("FullInstructionsIntent")
    again = spoken(device.intent("AMAZON.StartOverIntent"))
    assert "Stand on a flat surface, placing your feet shoulder width apart." in again


def test_a_first_time_user_always_hears_everything(skill_env: SkillEnv) -> None:
    device = skill_env.device()
    device.intent("BriefInstructionsIntent")
    said = spoken(device.intent("StartRoutineIntent"))
    assert "Keep your legs straight and your knees locked" in said


def test_what_a_stretch_is_for_comes_from_the_content(skill_env: SkillEnv) -> None:
    device = skill_env.device()
    start(device)
    device.intent("ReadyIntent")
    device.intent("AMAZON.NextIntent")
    answer = spoken(device.intent("BenefitsIntent"))
    assert answer.startswith(
        "The standing crunch rotations work your abdominal muscles and your lower back "
        "muscles together."
    )
    assert answer.endswith("Say ready when your hands are clasped behind your head.")


# -- interruptions ------------------------------------------------------------------------------


def test_pausing_six_seconds_into_a_hold_offers_the_same_stretch_again(
    skill_env: SkillEnv,
) -> None:
    device = skill_env.device()
    start(device)
    ready_then_cut_in(skill_env, device, 6)
    assert spoken(device.intent("AMAZON.PauseIntent")).startswith(
        "Paused. We'll pick up with the toe reach."
    )
    resumed = spoken(device.intent("AMAZON.ResumeIntent"))
    assert "Stretch one of three: the toe reach." in resumed


def test_pausing_after_the_hold_has_been_heard_goes_on_to_the_next_stretch(
    skill_env: SkillEnv,
) -> None:
    device = skill_env.device()
    start(device)
    device.listening = False
    hold = device.intent("ReadyIntent")
    skill_env.clock.advance(seconds=sum(silences(hold)) + 12)  # the silence, the words, a pause
    assert spoken(device.intent("AMAZON.PauseIntent")).startswith(
        "Paused. We'll pick up with the standing crunch rotations."
    )


def test_pain_during_the_rotations_resumes_at_the_rotations(skill_env: SkillEnv) -> None:
    device = skill_env.device()
    start(device)
    device.intent("ReadyIntent")
    device.intent("AMAZON.NextIntent")
    ready_then_cut_in(skill_env, device, 10)
    pain = device.intent("PainIntent")
    assert ends_session(pain)
    assert skill_env.saved()["state"]["stretch"] == 1
    skill_env.clock.advance(hours=2)
    welcome = spoken(skill_env.device().launch())
    assert welcome.startswith("Welcome back. You were on the standing crunch rotations.")


def test_a_session_closed_during_the_first_leg_keeps_that_leg(skill_env: SkillEnv) -> None:
    device = skill_env.device()
    start(device)
    for _ in range(4):
        device.intent("ReadyIntent")  # toe reach, next, rotations, next
    device.listening = False
    device.intent("ReadyIntent")  # the right leg's hold
    skill_env.clock.advance(seconds=8)
    device.end_session("USER_INITIATED")
    skill_env.clock.advance(hours=1)
    welcome = spoken(skill_env.device().launch())
    assert welcome.startswith("Welcome back. You were on the table hamstring stretch, right leg.")


# -- pain and the small things ------------------------------------------------------------------


def test_pain_names_the_red_flags_that_need_prompt_help(skill_env: SkillEnv) -> None:
    device = skill_env.device()
    start(device)
    said = spoken(device.intent("PainIntent"))
    assert said.startswith("Stop the stretch now")
    for flag in ("numbness or tingling", "weakness in your legs", "bladder or bowel control"):
        assert flag in said


def test_im_done_at_the_menu_never_starts_a_routine(skill_env: SkillEnv) -> None:
    device = skill_env.device()
    device.launch()
    done = device.intent("DoneIntent")
    assert spoken(done) == "Goodbye, and take care of your back."
    assert ends_session(done)
    assert skill_env.saved()["state"]["phase"] == "not_started"


def test_open_back_stretches_inside_a_session_behaves_like_a_launch(skill_env: SkillEnv) -> None:
    device = skill_env.device()
    start(device)
    device.intent("ReadyIntent")
    skill_env.clock.advance(minutes=1)
    reopened = device.intent("OpenSkillIntent")
    assert spoken(reopened).startswith("Welcome back. You were on the standing crunch rotations.")
    assert not ends_session(reopened)


def test_starting_a_routine_in_the_middle_of_one_asks_first(skill_env: SkillEnv) -> None:
    device = skill_env.device()
    start(device)
    device.intent("ReadyIntent")
    device.intent("AMAZON.NextIntent")
    question = device.intent(
        "StartRoutineIntent", {"routine": SlotMatch("routine", "back", "lower_back", "RoutineName")}
    )
    assert spoken(question) == (
        "You're on stretch two of the lower back routine. Start over from the beginning? "
        "Say yes or no."
    )
    kept = device.intent("AMAZON.NoIntent")
    assert spoken(kept).startswith(
        "Okay, let's carry on. Stretch two of three: the standing crunch rotations."
    )
    device.intent(
        "StartRoutineIntent",
        {"routine": SlotMatch("routine", "desk break", "desk_break", "RoutineName")},
    )
    assert skill_env.saved()["state"]["pending"] == "restart:desk_break"
    switched = device.intent("AMAZON.YesIntent")
    assert spoken(switched).startswith("Let's do the desk break routine: two stretches.")
    assert skill_env.saved()["state"]["routine"] == "desk_break"


def on_the_rotations(skill_env: SkillEnv) -> SimulatedDevice:
    device = skill_env.device()
    start(device)
    device.intent("ReadyIntent")
    device.intent("AMAZON.NextIntent")
    return device


LOWER_BACK = {"routine": SlotMatch("routine", "back", "lower_back", "RoutineName")}


def test_a_pending_question_gives_way_to_anything_else(skill_env: SkillEnv) -> None:
    device = on_the_rotations(skill_env)
    device.intent("StartRoutineIntent", LOWER_BACK)
    ready = device.intent("ReadyIntent")
    assert "Picking up where you left off." in spoken(ready)
    assert skill_env.saved()["state"]["pending"] == ""


def test_a_pending_question_is_asked_again_and_cancel_means_no(skill_env: SkillEnv) -> None:
    device = on_the_rotations(skill_env)
    question = spoken(device.intent("StartRoutineIntent", LOWER_BACK))
    assert spoken(device.intent("SayAgainIntent")) == question
    assert spoken(device.intent("AMAZON.HelpIntent")) == question
    kept = device.intent("AMAZON.CancelIntent")
    assert spoken(kept).startswith("Okay, let's carry on. Stretch two of three")
    assert not ends_session(kept)


def test_start_said_at_a_step_means_go_and_nothing_is_asked_with_nothing_to_lose(
    skill_env: SkillEnv,
) -> None:
    device = skill_env.device()
    start(device)
    again = device.intent("StartRoutineIntent", LOWER_BACK)  # nothing done yet: no question
    assert spoken(again).startswith("Let's do the lower back routine")
    hold = device.intent("StartRoutineIntent")  # no routine named, at a step: go
    assert spoken(hold).startswith("Hold for thirty seconds.")


def test_what_was_that_after_a_hold_repeats_the_words_not_the_hold(skill_env: SkillEnv) -> None:
    device = skill_env.device()
    start(device)
    device.intent("ReadyIntent")
    heard = device.intent("SayAgainIntent")
    assert silences(heard) == []
    assert spoken(heard) == (
        "Say next when you're ready for the standing crunch rotations, or say repeat to do it "
        "again."
    )
    assert sum(silences(device.intent("AMAZON.RepeatIntent"))) == 30  # "repeat": do it again


def test_done_between_the_legs_waits_for_ready(skill_env: SkillEnv) -> None:
    device = on_the_rotations(skill_env)
    device.intent("ReadyIntent")
    device.intent("AMAZON.NextIntent")
    device.intent("ReadyIntent")  # right leg
    done = device.intent("DoneIntent")
    assert spoken(done) == "Okay. Say ready when your left foot is on the table."
    assert silences(done) == []


def test_a_question_during_a_hold_offers_the_hold_again_after_the_answer(
    skill_env: SkillEnv,
) -> None:
    device = skill_env.device()
    start(device)
    ready_then_cut_in(skill_env, device, 5)
    answer = device.intent("HoldLongerIntent")
    assert spoken(answer).endswith(
        "Say ready when you're standing with your feet shoulder width apart."
    )
    assert sum(silences(device.intent("ReadyIntent"))) == 45


def test_a_hold_cut_short_does_not_count_towards_knowing_the_stretch(
    skill_env: SkillEnv,
) -> None:
    device = skill_env.device()
    start(device)
    device.listening = False
    device.intent("ReadyIntent")
    assert skill_env.saved()["profile"]["done"]["toe_reach"] == 1
    skill_env.clock.advance(seconds=3)
    device.intent("AMAZON.PauseIntent")
    assert skill_env.saved()["profile"]["done"]["toe_reach"] == 0


def test_the_interruption_boundary_is_the_earliest_end_of_the_exercise(
    skill_env: SkillEnv,
) -> None:
    for offset, expected in ((-1, "the toe reach"), (1, "the standing crunch rotations")):
        device = skill_env.device(user_id=f"amzn1.ask.account.EDGE{offset}")
        start(device)
        device.listening = False
        sent = skill_env.clock.now
        device.intent("ReadyIntent")
        state = skill_env.saved(f"amzn1.ask.account.EDGE{offset}")["state"]
        boundary_ms = state["busy_until"] - int(sent.timestamp() * 1000)
        assert 30_000 < boundary_ms < 30_000 + 12_000  # the silence, plus words said briskly
        skill_env.clock.advance(milliseconds=boundary_ms + offset * 1000)
        paused = spoken(device.intent("AMAZON.PauseIntent"))
        assert paused.startswith(f"Paused. We'll pick up with {expected}."), offset


def test_the_desk_break_by_name_needs_no_slot(skill_env: SkillEnv) -> None:
    device = skill_env.device()
    device.launch()
    started = spoken(device.intent("DeskBreakIntent"))
    assert started.startswith("Let's do the desk break routine: two stretches.")


def test_a_long_slow_count_goes_in_parts_that_each_keep_within_ninety_seconds(
    skill_env: SkillEnv,
) -> None:
    device = skill_env.device()
    start(device)
    device.intent("SetRepsIntent", {"count": "30"})
    device.intent("CountSlowerIntent")
    device.intent("CountSlowerIntent")  # four seconds a movement: 240 s of counting
    device.intent("ReadyIntent")
    device.intent("AMAZON.NextIntent")
    parts = [device.intent("ReadyIntent") for _ in range(5)]
    assert all(not ends_session(part) and spoken_seconds(part) <= 90 for part in parts)
    assert sum(sum(silences(part)) for part in parts) == 30 * 2 * 4
    said = [spoken(part) for part in parts]
    assert said[0].endswith("That's six. Twenty-four more to go. Say ready for the next six.")
    assert said[1].startswith("Let's carry on. Seven. Left.")
    assert "That's thirty. Lower your hands and relax your shoulders." in said[4]
    assert "Next up is the table hamstring stretch." in said[4]


def test_a_count_cut_short_between_parts_starts_the_set_again(skill_env: SkillEnv) -> None:
    device = skill_env.device()
    start(device)
    device.intent("SetRepsIntent", {"count": "30"})
    device.intent("ReadyIntent")
    device.intent("AMAZON.NextIntent")
    ready_then_cut_in(skill_env, device, 10)  # the first part
    assert spoken(device.intent("AMAZON.PauseIntent")).startswith(
        "Paused. We'll pick up with the standing crunch rotations."
    )
    again = spoken(device.intent("AMAZON.ResumeIntent"))
    assert "Stretch two of three: the standing crunch rotations." in again
    assert skill_env.saved()["state"]["rep"] == 0
