"""Resolver: typed text -> intent and slots, from the interaction model's own data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from skill.simulator.resolver import IntentMatch, Resolver, SlotMatch, normalise

ROUTINE_TYPE = "RoutineName"


@pytest.fixture(scope="module")
def resolver() -> Resolver:
    return Resolver.default()


def _routine(spoken: str, resolved_id: str | None, name: str | None) -> SlotMatch:
    return SlotMatch("routine", spoken, resolved_id, ROUTINE_TYPE, name)


@pytest.mark.parametrize(
    ("utterance", "intent"),
    [
        ("i'm ready", "ReadyIntent"),
        ("my foot is up", "ReadyIntent"),
        ("it hurts", "PainIntent"),
        ("ouch", "PainIntent"),
        ("how many stretches are left", "ProgressIntent"),
        ("what routines do you have", "ListRoutinesIntent"),
        ("skip this one", "SkipIntent"),
        ("start my stretches", "StartRoutineIntent"),
    ],
)
def test_exact_samples(resolver: Resolver, utterance: str, intent: str) -> None:
    assert resolver.resolve(utterance) == IntentMatch(intent, (), utterance)


def test_every_plain_sample_of_the_model_resolves_to_its_intent(resolver: Resolver) -> None:
    model = json.loads(
        (Path(__file__).resolve().parents[1] / "interaction_model/interactionModels/custom")
        .joinpath("en-US.json")
        .read_text(encoding="utf-8")
    )
    for intent in model["interactionModel"]["languageModel"]["intents"]:
        for sample in intent["samples"]:
            if "{" not in sample:
                match = resolver.resolve(sample)
                assert match is not None and match.intent == intent["name"], sample


@pytest.mark.parametrize(
    ("utterance", "slot"),
    [
        ("run the desk break routine", _routine("desk break", "desk_break", "desk break")),
        ("start the office routine", _routine("office", "desk_break", "desk break")),
        ("start my office stretches", _routine("office", "desk_break", "desk break")),
        ("start my back stretches", _routine("back", "lower_back", "lower back")),
        ("do the lower back routine", _routine("lower back", "lower_back", "lower back")),
        ("try the desk break", _routine("desk break", "desk_break", "desk break")),
        ("stretch my back", _routine("back", "lower_back", "lower back")),
    ],
)
def test_slot_patterns_resolve_synonyms_to_ids(
    resolver: Resolver, utterance: str, slot: SlotMatch
) -> None:
    assert resolver.resolve(utterance) == IntentMatch("StartRoutineIntent", (slot,), utterance)


def test_slot_pattern_with_unknown_words_is_no_match(resolver: Resolver) -> None:
    match = resolver.resolve("start the yoga routine")
    assert match == IntentMatch(
        "StartRoutineIntent", (_routine("yoga", None, None),), "start the yoga routine"
    )


@pytest.mark.parametrize(
    ("utterance", "intent"),
    [
        ("yes", "AMAZON.YesIntent"),
        ("no thanks", "AMAZON.NoIntent"),
        ("help", "AMAZON.HelpIntent"),
        ("stop", "AMAZON.StopIntent"),
        ("never mind", "AMAZON.CancelIntent"),
        ("next", "AMAZON.NextIntent"),
        ("go back", "AMAZON.PreviousIntent"),
        ("repeat that", "AMAZON.RepeatIntent"),
        ("pause", "AMAZON.PauseIntent"),
        ("keep going", "AMAZON.ResumeIntent"),
        ("go home", "AMAZON.NavigateHomeIntent"),
    ],
)
def test_built_in_phrases(resolver: Resolver, utterance: str, intent: str) -> None:
    assert resolver.resolve(utterance) == IntentMatch(intent, (), utterance)


def test_built_in_exact_phrase_beats_a_slot_pattern(resolver: Resolver) -> None:
    # "start {routine}" would take "start over" with an unresolved routine "over".
    assert resolver.resolve("start over") == IntentMatch("AMAZON.StartOverIntent", (), "start over")


def test_model_sample_beats_a_built_in_phrase(resolver: Resolver) -> None:
    # "skip" is also one of AMAZON.NextIntent's phrases.
    assert resolver.resolve("skip") == IntentMatch("SkipIntent", (), "skip")


def test_built_in_phrases_only_for_intents_in_the_model() -> None:
    model = {"interactionModel": {"languageModel": {"intents": [{"name": "AMAZON.StopIntent"}]}}}
    resolver = Resolver(model, {"AMAZON.StopIntent": ["stop"], "AMAZON.YesIntent": ["yes"]})
    assert resolver.resolve("stop") == IntentMatch("AMAZON.StopIntent", (), "stop")
    assert resolver.resolve("yes") is None


@pytest.mark.parametrize(
    "typed",
    ["It HURTS!", "  it   hurts. ", "it, hurts?", "Alexa, it hurts", "please it hurts please"],
)
def test_case_punctuation_spacing_and_fillers(resolver: Resolver, typed: str) -> None:
    assert resolver.resolve(typed) == IntentMatch("PainIntent", (), "it hurts")


def test_apostrophes_are_kept(resolver: Resolver) -> None:
    assert normalise("Foot\u2019s on the TABLE!") == "foot's on the table"
    assert resolver.resolve("Foot's on the table.") == IntentMatch(
        "ReadyIntent", (), "foot's on the table"
    )


@pytest.mark.parametrize("typed", ["what's the weather", "", "!!!", "alexa", "tell me a joke"])
def test_unmatched_is_none(resolver: Resolver, typed: str) -> None:
    assert resolver.resolve(typed) is None


def test_declared_slots(resolver: Resolver) -> None:
    assert resolver.declared_slots("StartRoutineIntent") == ("routine",)
    assert resolver.declared_slots("ReadyIntent") == ()
    assert resolver.declared_slots("NoSuchIntent") == ()


def test_more_literal_pattern_wins_and_built_in_slot_types_carry_no_type() -> None:
    model: dict[str, Any] = {
        "interactionModel": {
            "languageModel": {
                "intents": [
                    {
                        "name": "CountIntent",
                        "slots": [{"name": "n", "type": "AMAZON.NUMBER"}],
                        "samples": ["count {n}", "count to {n}"],
                    }
                ],
                "types": [],
            }
        }
    }
    match = Resolver(model, {}).resolve("count to five")
    assert match == IntentMatch("CountIntent", (SlotMatch("n", "5", None),), "count to five")


def test_the_desk_break_by_name_is_its_own_slot_free_intent(resolver: Resolver) -> None:
    for utterance in ("start the desk break", "start my desk stretches", "desk break please"):
        match = resolver.resolve(utterance)
        assert match is not None and (match.intent, match.slots) == ("DeskBreakIntent", ())
