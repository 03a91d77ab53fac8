"""The skill package: interaction model, locale copies, manifest and ask-resources.json."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from skill.alexa.intents import INTENT_EVENTS, ROUTINE_SLOT, ROUTINE_SLOT_TYPE
from skill.simulator.resolver import Resolver

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "interaction_model"
MODEL_DIR = PACKAGE / "interactionModels/custom"
LOCALES = {"en-US", "en-GB", "en-CA", "en-AU", "en-IN"}
# The routine loader's test checks that these are exactly the ids of the routine files.
ROUTINE_IDS = {"lower_back", "desk_break"}
LAUNCH_WORDS = {"open", "ask", "tell", "launch", "load", "begin", "enable"}
WAKE_WORDS = {"alexa", "amazon", "echo", "computer", "ziggy"}
SAMPLE_SHAPE = re.compile(r"[a-z']+(?: [a-z']+| \{\w+\})*|\{\w+\}(?: [a-z']+| \{\w+\})*")


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _sync_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("sync_locales", ROOT / "scripts/sync_locales.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def language_model() -> dict[str, Any]:
    return _load(MODEL_DIR / "en-US.json")["interactionModel"]["languageModel"]


@pytest.fixture(scope="module")
def intents(language_model: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {intent["name"]: intent for intent in language_model["intents"]}


def _custom(intents: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {name: intent for name, intent in intents.items() if not name.startswith("AMAZON.")}


def test_model_has_exactly_the_intents_of_the_event_table(
    language_model: dict[str, Any], intents: dict[str, dict[str, Any]]
) -> None:
    assert len(intents) == len(language_model["intents"])
    assert set(intents) == set(INTENT_EVENTS)


def test_every_custom_intent_has_at_least_ten_samples(
    intents: dict[str, dict[str, Any]],
) -> None:
    for name, intent in _custom(intents).items():
        assert len(intent["samples"]) >= 10, name


def test_built_in_intents_are_listed_with_samples(intents: dict[str, dict[str, Any]]) -> None:
    for name, intent in intents.items():
        if name.startswith("AMAZON."):
            assert isinstance(intent["samples"], list), name


def test_no_sample_is_duplicated_within_or_across_intents(
    intents: dict[str, dict[str, Any]],
) -> None:
    seen: dict[str, str] = {}
    for name, intent in intents.items():
        for sample in intent["samples"]:
            assert sample not in seen, f"{sample!r} in {seen.get(sample)} and {name}"
            seen[sample] = name


def test_samples_are_lower_case_words_and_declared_slots(
    intents: dict[str, dict[str, Any]],
) -> None:
    for name, intent in intents.items():
        declared = {slot["name"] for slot in intent.get("slots", [])}
        for sample in intent["samples"]:
            assert SAMPLE_SHAPE.fullmatch(sample), f"{name}: {sample!r}"
            assert set(re.findall(r"\{(\w+)\}", sample)) <= declared, f"{name}: {sample!r}"


def test_start_routine_declares_the_routine_slot(intents: dict[str, dict[str, Any]]) -> None:
    slots = intents["StartRoutineIntent"]["slots"]
    assert slots == [{"name": ROUTINE_SLOT, "type": ROUTINE_SLOT_TYPE, "samples": []}]


def test_routine_slot_type_ids_are_the_routine_ids(language_model: dict[str, Any]) -> None:
    (slot_type,) = [t for t in language_model["types"] if t["name"] == ROUTINE_SLOT_TYPE]
    assert {value["id"] for value in slot_type["values"]} == ROUTINE_IDS
    spoken = [
        text
        for value in slot_type["values"]
        for text in (value["name"]["value"], *value["name"]["synonyms"])
    ]
    assert len(spoken) == len(set(spoken)), "a synonym resolves to two routines"


def test_every_slot_type_in_use_is_defined(
    language_model: dict[str, Any], intents: dict[str, dict[str, Any]]
) -> None:
    defined = {slot_type["name"] for slot_type in language_model["types"]}
    used = {
        slot["type"]
        for intent in intents.values()
        for slot in intent.get("slots", [])
        if not slot["type"].startswith("AMAZON.")
    }
    assert used <= defined


def test_invocation_name_follows_the_rules(language_model: dict[str, Any]) -> None:
    name = language_model["invocationName"]
    words = name.split()
    assert name == "back stretches"
    assert re.fullmatch(r"[a-z]+(?: [a-z]+)+", name)
    assert not set(words) & (LAUNCH_WORDS | WAKE_WORDS | {"skill", "app"})


def test_fallback_sensitivity_is_set(language_model: dict[str, Any]) -> None:
    level = language_model["modelConfiguration"]["fallbackIntentSensitivity"]["level"]
    assert level in {"LOW", "MEDIUM", "HIGH"}


def test_locale_files_are_copies_of_en_us() -> None:
    assert {path.stem for path in MODEL_DIR.glob("*.json")} == LOCALES
    assert _sync_module().stale_locales(MODEL_DIR) == []


def test_sync_script_builds_every_locale_from_the_grammar(tmp_path: Path) -> None:
    sync = _sync_module()
    grammar = tmp_path / "grammar"
    (grammar / "intents").mkdir(parents=True)
    (grammar / "types").mkdir()
    (grammar / "model.json").write_text(
        '{"invocationName": "back stretches", "modelConfiguration": {}}', encoding="utf-8"
    )
    (grammar / "intents" / "GreetIntent.txt").write_text(
        "# a comment\n(hello|hi) [there]\n", encoding="utf-8"
    )
    models = tmp_path / "models"
    models.mkdir()
    (models / "en-GB.json").write_text('{"stale": true}\n', encoding="utf-8")
    assert sync.stale_locales(models, grammar) == ["en-US", "en-GB", "en-CA", "en-AU", "en-IN"]
    assert sync.sync(models, grammar) == ["en-US", "en-GB", "en-CA", "en-AU", "en-IN"]
    assert sync.stale_locales(models, grammar) == []
    built = _load(models / "en-IN.json")["interactionModel"]["languageModel"]
    assert built["intents"] == [
        {"name": "GreetIntent", "samples": ["hello there", "hello", "hi there", "hi"]}
    ]


def test_ask_resources_use_the_lambda_deployer() -> None:
    resources = _load(ROOT / "ask-resources.json")
    assert resources["askcliResourcesVersion"] == "2020-03-31"
    profile = resources["profiles"]["default"]
    assert profile["skillMetadata"]["src"] == "./interaction_model"
    assert profile["code"]["default"]["src"] == "./build/lambda"  # scripts/build_lambda.py
    infrastructure = profile["skillInfrastructure"]
    assert infrastructure["type"] == "@ask-cli/lambda-deployer"
    assert infrastructure["userConfig"]["runtime"] == "python3.13"
    assert infrastructure["userConfig"]["handler"] == "lambda_function.lambda_handler"
    assert (ROOT / profile["skillMetadata"]["src"] / "skill.json").is_file()


def test_manifest_publishes_the_five_locales() -> None:
    manifest = _load(PACKAGE / "skill.json")["manifest"]
    publishing = manifest["publishingInformation"]
    assert set(publishing["locales"]) == LOCALES
    assert set(manifest["privacyAndCompliance"]["locales"]) == LOCALES
    assert set(publishing["distributionCountries"]) == {"US", "GB", "CA", "AU", "IN"}
    assert publishing["isAvailableWorldwide"] is False
    assert publishing["category"] == "HEALTH_AND_FITNESS"
    assert manifest["manifestVersion"] == "1.0"
    interfaces = {i["type"] for i in manifest["apis"]["custom"]["interfaces"]}
    assert "ALEXA_PRESENTATION_APL" in interfaces
    for locale in publishing["locales"].values():
        assert locale["name"] == "Back Stretches"
        assert "not medical advice" in locale["description"]
        assert "If anything hurts, stop" in locale["description"]


def test_example_phrases_are_launches_or_model_samples(
    intents: dict[str, dict[str, Any]],
) -> None:
    resolver = Resolver.default()
    manifest = _load(PACKAGE / "skill.json")["manifest"]
    for locale in manifest["publishingInformation"]["locales"].values():
        for phrase in locale["examplePhrases"]:
            one_shot = re.fullmatch(r"Alexa, ask back stretches to (.+)", phrase)
            if one_shot is None:
                assert phrase == "Alexa, start back stretches"
                continue
            match = resolver.resolve(one_shot.group(1))
            assert match is not None and match.intent in _custom(intents), phrase


def test_custom_samples_avoid_built_in_phrases(intents: dict[str, dict[str, Any]]) -> None:
    phrases = json.loads((ROOT / "skill/simulator/builtin_phrases.json").read_text("utf-8"))
    built_in = {phrase for group in phrases["intents"].values() for phrase in group}
    custom = {sample for intent in _custom(intents).values() for sample in intent["samples"]}
    # Claimed on purpose: "skip" (AMAZON.NextIntent's) by SkipIntent, "say that again"
    # (AMAZON.RepeatIntent's) by SayAgainIntent, which repeats the words, not the exercise.
    assert custom & built_in == {"skip", "say that again"}
