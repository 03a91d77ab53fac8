"""Typed text -> intent, the way Alexa would route it, from the interaction model's own data.

Order of precedence: an exact sample of the model, then an exact phrase of a built-in intent the
model includes (builtin_phrases.json), then the model's slot patterns ("start the {routine}
routine"). A built-in slot (AMAZON.NUMBER, AMAZON.DURATION, AMAZON.TIME) is filled as Alexa
fills it ("fifteen" -> "15"); a word or two it cannot read arrive as "?", longer phrases do not
fill it. Among slot patterns, one whose custom slots
resolve beats one whose slots do not, and more literal words beat fewer. If nothing matches as
typed, leading fillers ("alexa", "please") and a trailing "please" are dropped and matching is
tried again.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from skill.simulator.builtin_slots import UNRECOGNISED, VALUE_READERS

MODEL_DIR = Path(__file__).resolve().parents[2] / "interaction_model/interactionModels/custom"
BUILTIN_PHRASES_FILE = Path(__file__).with_name("builtin_phrases.json")

_LEADING_FILLERS = frozenset({"alexa", "please", "um", "uh", "hey", "oh", "so", "well"})
_TRAILING_FILLERS = frozenset({"please", "thanks"})
_SLOT_REFERENCE = re.compile(r"\{(\w+)\}")
_PUNCTUATION = re.compile(r"[^\w\s']")


@dataclass(frozen=True)
class SlotMatch:
    """One filled slot. `spoken` is the value as Alexa sends it: the words for a custom slot
    type, the normalised value for a built-in one ("PT1M", "15", or "?"). `slot_type` names
    the custom slot type whose values the words were resolved against ("" = none: the
    envelope then carries no entity resolution)."""

    name: str
    spoken: str
    resolved_id: str | None  # None = ER_SUCCESS_NO_MATCH
    slot_type: str = ""
    resolved_name: str | None = None  # the slot type value's name, when resolved

    @property
    def understood(self) -> bool:
        """Whether Alexa would have recognised the value (a custom value, a built-in parse)."""
        if self.slot_type:
            return self.resolved_id is not None
        return self.spoken != UNRECOGNISED


@dataclass(frozen=True)
class IntentMatch:
    intent: str
    slots: tuple[SlotMatch, ...]
    utterance: str  # the normalised text that matched


@dataclass(frozen=True)
class _Pattern:
    intent: str
    regex: re.Pattern[str]
    slot_names: tuple[str, ...]
    literal_words: int


def normalise(text: str) -> str:
    """Lower case, punctuation (except apostrophes inside words) to spaces, spaces collapsed."""
    words = _PUNCTUATION.sub(" ", text.lower().replace("\u2019", "'")).split()
    return " ".join(word for word in (w.strip("'") for w in words) if word)


def _without_fillers(text: str) -> str:
    words = text.split()
    while words and words[0] in _LEADING_FILLERS:
        words.pop(0)
    while words and words[-1] in _TRAILING_FILLERS:
        words.pop()
    return " ".join(words)


def _compile(intent: str, sample: str) -> _Pattern:
    """A sample with slot references as a regex over normalised text, any words per slot."""
    parts = _SLOT_REFERENCE.split(sample)  # literal, slot, literal, slot, ..., literal
    literals = [normalise(part) for part in parts[0::2]]
    pieces = [re.escape(literals[0])] if literals[0] else []
    for literal in literals[1:]:
        pieces.append("(.+?)")
        if literal:
            pieces.append(re.escape(literal))
    literal_words = sum(len(literal.split()) for literal in literals)
    return _Pattern(intent, re.compile(" ".join(pieces)), tuple(parts[1::2]), literal_words)


MAX_UNREADABLE_WORDS = 2  # "13 pm", "lots": Alexa fills "?"; longer phrases are other intents


class Resolver:
    """Matches utterances against one locale's interaction model; tables are built once."""

    def __init__(self, model: dict[str, Any], builtin_phrases: dict[str, list[str]]) -> None:
        language_model = model["interactionModel"]["languageModel"]
        intents = language_model["intents"]
        self._exact: dict[str, str] = {}
        self._patterns: list[_Pattern] = []
        self._slot_types: dict[tuple[str, str], str] = {}
        self._declared: dict[str, tuple[str, ...]] = {}
        for intent in intents:
            name = intent["name"]
            slots = intent.get("slots", [])
            self._declared[name] = tuple(slot["name"] for slot in slots)
            self._slot_types.update({(name, slot["name"]): slot["type"] for slot in slots})
            for sample in intent.get("samples", []):
                if _SLOT_REFERENCE.search(sample):
                    self._patterns.append(_compile(name, sample))
                else:
                    self._exact.setdefault(normalise(sample), name)
        self._builtin: dict[str, str] = {}
        for name, phrases in builtin_phrases.items():
            if name in self._declared:
                self._builtin.update({normalise(phrase): name for phrase in phrases})
        self._values: dict[str, dict[str, tuple[str, str]]] = {
            slot_type["name"]: {
                normalise(spoken): (value["id"], value["name"]["value"])
                for value in slot_type.get("values", [])
                for spoken in (value["name"]["value"], *value["name"].get("synonyms", []))
            }
            for slot_type in language_model.get("types", [])
        }

    @classmethod
    def from_model_file(cls, path: Path) -> Resolver:
        """A resolver for the interaction model JSON at `path`, with the built-in phrases."""
        model = json.loads(path.read_text(encoding="utf-8"))
        phrases = json.loads(BUILTIN_PHRASES_FILE.read_text(encoding="utf-8"))["intents"]
        return cls(model, phrases)

    @classmethod
    def default(cls, locale: str = "en-US") -> Resolver:
        """A resolver for this repository's interaction model of `locale`."""
        return cls.from_model_file(MODEL_DIR / f"{locale}.json")

    def declared_slots(self, intent: str) -> tuple[str, ...]:
        """The slot names the model declares for `intent` (Alexa sends them all, filled or not)."""
        return self._declared.get(intent, ())

    def resolve(self, utterance: str) -> IntentMatch | None:
        """The intent the utterance maps to, or None (the caller sends AMAZON.FallbackIntent)."""
        text = normalise(utterance)
        for candidate in dict.fromkeys((text, _without_fillers(text))):
            if candidate and (match := self._match(candidate)):
                return match
        return None

    def _match(self, text: str) -> IntentMatch | None:
        intent = self._exact.get(text) or self._builtin.get(text)
        if intent:
            return IntentMatch(intent, (), text)
        scored = self._pattern_matches(text)
        return max(scored, key=lambda pair: pair[0])[1] if scored else None

    def intents_matching(self, utterance: str) -> set[str]:
        """Every intent that could take the utterance as typed: by an exact sample, a
        built-in phrase or a slot pattern (the conflict check; `resolve` picks one)."""
        text = normalise(utterance)
        owners = {self._exact.get(text), self._builtin.get(text)} - {None}
        fits = {  # an unreadable built-in value ("?") is no fit
            match.intent
            for _, match in self._pattern_matches(text)
            if all(slot.slot_type or slot.understood for slot in match.slots)
        }
        return owners | fits  # type: ignore[return-value]

    def _pattern_matches(self, text: str) -> list[tuple[tuple[int, int], IntentMatch]]:
        """The slot patterns that match, each with its score (resolved slots, literal words)."""
        scored = []
        for pattern in self._patterns:
            found = pattern.regex.fullmatch(text)
            if not found:
                continue
            slots = tuple(
                self._slot(pattern.intent, name, spoken)
                for name, spoken in zip(pattern.slot_names, found.groups(), strict=True)
            )
            unreadable = (
                len(words.split()) > MAX_UNREADABLE_WORDS
                for slot, words in zip(slots, found.groups(), strict=True)
                if not slot.slot_type and not slot.understood
            )
            if any(unreadable):
                continue  # a phrase that is no number, duration or time fills no built-in slot
            score = (sum(slot.understood for slot in slots), pattern.literal_words)
            scored.append((score, IntentMatch(pattern.intent, slots, text)))
        return scored

    def _slot(self, intent: str, name: str, spoken: str) -> SlotMatch:
        slot_type = self._slot_types.get((intent, name), "")
        values = self._values.get(slot_type)
        if values is None:  # a built-in slot type: Alexa sends its value, no entity resolution
            read = VALUE_READERS.get(slot_type)
            return SlotMatch(name, read(spoken) if read else spoken, None)
        resolved_id, resolved_name = values.get(spoken, (None, None))
        return SlotMatch(name, spoken, resolved_id, slot_type, resolved_name)
