"""The phrase grammar: how templates expand, and what the expanded model must respect (Alexa's
limits, no sample shared by two intents, no slot sample swallowing another intent's phrase)."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from skill.simulator.resolver import Resolver

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "interaction_model/interactionModels/custom/en-US.json"
BUILTIN_PHRASES = ROOT / "skill/simulator/builtin_phrases.json"
# Alexa's limits on an interaction model (developer docs, "custom interaction model reference"),
# with a per-intent budget of our own well under them.
MAX_SAMPLE_CHARACTERS = 200
MAX_SAMPLES_PER_INTENT = 1000
MAX_MODEL_BYTES = 1_500_000
MAX_LAUNCH_PHRASES = 5
# Words a slot can stand for when one intent's slot sample is tried against another's.
SLOT_EXAMPLES = {
    "AMAZON.NUMBER": "fifteen",
    "AMAZON.DURATION": "forty five seconds",
    "AMAZON.TIME": "three p m",
}


def _grammar() -> ModuleType:
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        spec = importlib.util.spec_from_file_location("grammar", ROOT / "scripts/grammar.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules["grammar"] = module  # dataclasses look their module up by name
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(ROOT / "scripts"))


grammar = _grammar()


@pytest.fixture(scope="module")
def model() -> dict[str, Any]:
    return json.loads(MODEL.read_text(encoding="utf-8"))["interactionModel"]


@pytest.fixture(scope="module")
def intents(model: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {intent["name"]: intent for intent in model["languageModel"]["intents"]}


@pytest.mark.parametrize(
    ("template", "phrases"),
    [
        ("start my stretches", ["start my stretches"]),
        ("(start|begin) now", ["start now", "begin now"]),
        ("start [my|the] routine", ["start my routine", "start the routine", "start routine"]),
        (
            "(hold|hang) on [a (second|minute)]",
            [
                "hold on a second",
                "hold on a minute",
                "hold on",
                "hang on a second",
                "hang on a minute",
                "hang on",
            ],
        ),
        ("do {count} [rotations]", ["do {count} rotations", "do {count}"]),
        ("[please] stop", ["please stop", "stop"]),
    ],
)
def test_templates_expand_to_every_phrase(template: str, phrases: list[str]) -> None:
    assert grammar.expand(template) == phrases


@pytest.mark.parametrize(
    "template",
    ["(start|begin", "start]", "i('m| am) ready", "restore the default[s]", "say 'hello", "3 sets"],
)
def test_malformed_templates_are_refused(template: str) -> None:
    with pytest.raises(grammar.GrammarError):
        grammar.expand(template)


def test_a_grammar_file_names_its_line_when_it_is_wrong(tmp_path: Path) -> None:
    path = tmp_path / "BrokenIntent.txt"
    path.write_text("# fine\nstart (now|later\n", encoding="utf-8")
    with pytest.raises(grammar.GrammarError, match=r"BrokenIntent.txt:2"):
        grammar.read_intent(path)


def test_samples_keep_within_alexas_limits(intents: dict[str, dict[str, Any]]) -> None:
    assert MODEL.stat().st_size < MAX_MODEL_BYTES
    for name, intent in intents.items():
        assert len(intent["samples"]) <= MAX_SAMPLES_PER_INTENT, name
        for sample in intent["samples"]:
            assert len(sample) <= MAX_SAMPLE_CHARACTERS, sample
            assert not re.search(r"\d", sample), sample
            assert not re.search(r"\}\s*\{", sample), f"two slots side by side: {sample}"
            assert not any(word.startswith("'") for word in sample.split()), sample


def test_pain_is_understood_in_every_tense_and_for_the_body_parts_used(
    intents: dict[str, dict[str, Any]],
) -> None:
    samples = set(intents["PainIntent"]["samples"])
    assert len(samples) >= 60
    for phrase in (
        "that hurt", "it hurts", "it's hurting", "it was hurting", "it has been hurting",
        "i feel a sharp pain", "my hamstring hurts", "my lower back hurts", "my knee hurts",
        "i pulled something", "that's too much", "ouch", "my leg is numb", "my legs feel weak",
        "i've got pins and needles", "i can't feel my foot", "my feet are tingling",
    ):  # fmt: skip
        assert phrase in samples, phrase


def test_every_built_in_intent_the_skill_uses_has_stretch_phrasings(
    intents: dict[str, dict[str, Any]],
) -> None:
    without_samples = {"AMAZON.FallbackIntent", "AMAZON.NavigateHomeIntent"}
    for name, intent in intents.items():
        if name.startswith("AMAZON.") and name not in without_samples:
            assert len(intent["samples"]) >= 5, name


def _filled(sample: str, examples: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda found: examples[found.group(1)], sample)


def _phrases_to_check(intents: dict[str, dict[str, Any]]) -> list[tuple[str, str]]:
    """(intent, phrase) for every slot sample with its slots filled by example words, and
    every phrase Alexa's built-in intents know on their own. (A slot-free sample is an exact
    match, which takes precedence over slot patterns; two intents sharing one is the test
    above.)"""
    types = {
        slot_type["name"]: slot_type["values"][0]["name"]["value"]
        for slot_type in json.loads(MODEL.read_text("utf-8"))["interactionModel"]["languageModel"][
            "types"
        ]
    }
    phrases = []
    for name, intent in intents.items():
        examples = {
            slot["name"]: SLOT_EXAMPLES.get(slot["type"]) or types.get(slot["type"], "something")
            for slot in intent.get("slots", [])
        }
        phrases += [
            (name, _filled(sample, examples)) for sample in intent["samples"] if "{" in sample
        ]
    built_in = json.loads(BUILTIN_PHRASES.read_text("utf-8"))["intents"]
    phrases += [
        (name, phrase) for name, group in built_in.items() if name in intents for phrase in group
    ]
    return phrases


def test_no_slot_sample_can_take_another_intents_phrase(
    intents: dict[str, dict[str, Any]],
) -> None:
    """Alexa's NLU would have to guess between two intents for these: a slot sample of one
    intent that fits another's phrase ("do {routine}" and "do fifteen"), or a phrase of
    Alexa's own built-in intents that a sample of ours takes."""
    resolver = Resolver.default()
    conflicts = []
    claimed = {  # Alexa's own phrases that an intent of ours takes on purpose
        "skip",  # AMAZON.NextIntent's; SkipIntent: skip this stretch
        "say that again",  # AMAZON.RepeatIntent's; SayAgainIntent: the words, not the exercise
    }
    for name, phrase in _phrases_to_check(intents):
        others = resolver.intents_matching(phrase) - {name}
        if others and phrase not in claimed:
            conflicts.append(f"{phrase!r}: {name} and {sorted(others)}")
    assert conflicts == []


def test_the_conflict_check_finds_a_slot_that_swallows_a_phrase() -> None:
    model = {
        "interactionModel": {
            "languageModel": {
                "intents": [
                    {
                        "name": "StartRoutineIntent",
                        "slots": [{"name": "routine", "type": "RoutineName"}],
                        "samples": ["do {routine}"],
                    },
                    {
                        "name": "SetRepsIntent",
                        "slots": [{"name": "count", "type": "AMAZON.NUMBER"}],
                        "samples": ["do {count}"],
                    },
                ],
                "types": [{"name": "RoutineName", "values": [{"id": "a", "name": {"value": "a"}}]}],
            }
        }
    }
    assert Resolver(model, {}).intents_matching("do fifteen") == {
        "StartRoutineIntent",
        "SetRepsIntent",
    }


def test_name_free_launch_phrases_are_declared_where_alexa_reads_them(
    model: dict[str, Any], intents: dict[str, dict[str, Any]]
) -> None:
    ingress = model["_nameFreeInteraction"]["ingressPoints"]
    launches = [point for point in ingress if point["type"] == "LAUNCH"]
    assert len(launches) == 1
    assert 1 <= len(launches[0]["sampleUtterances"]) <= MAX_LAUNCH_PHRASES
    assert any(point["type"] == "INTENT" for point in ingress)
    resolver = Resolver.default()
    for point in ingress:
        for utterance in point["sampleUtterances"]:
            assert utterance["format"] == "RAW_TEXT"
            assert "{" not in utterance["value"], "launch phrases take no slots"
        if point["type"] == "INTENT":
            assert point["name"] in intents and not point["name"].startswith("AMAZON.")
            for utterance in point[
                "sampleUtterances"
            ]:  # the intent takes the phrase in-session too
                match = resolver.resolve(utterance["value"])
                assert match is not None and match.intent == point["name"], utterance
