"""Phrase templates -> sample utterances, in the spirit of alexa-utterances.

One template per line; ``#`` comments and blank lines are ignored.

- ``(a|b|c)``: exactly one of the alternatives;
- ``[a|b]``: optional, none or one of them (``[please]`` is "please" or nothing);
- groups nest: ``(start|begin) [my|the] [(lower|low) back] stretches``;
- ``{slot}``: a slot reference, kept as it is;
- words are whole: a group cannot end a word ("i('m| am)", "default[s]" are refused; write
  "(i'm|i am)", "(default|defaults)");
- a header line ``@slot <name> <SlotType>`` declares a slot of the intent, in order.

A file ``<IntentName>.txt`` holds one intent's templates.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from pathlib import Path

_TOKEN = re.compile(r"\s*(\(|\)|\[|\]|\||\{\w+\}|[a-z][a-z']*)")


class GrammarError(ValueError):
    """A template that cannot be read; the message names the file and line."""


@dataclass(frozen=True)
class IntentGrammar:
    name: str
    slots: tuple[tuple[str, str], ...]  # (slot name, slot type)
    templates: tuple[str, ...]

    def samples(self) -> list[str]:
        """Every sample the templates expand to, in order, without duplicates."""
        expanded: dict[str, None] = {}
        for template in self.templates:
            expanded.update(dict.fromkeys(expand(template)))
        return list(expanded)


def expand(template: str) -> list[str]:
    """All the phrases one template stands for, spaces collapsed."""
    tokens = _tokenize(template)
    alternatives, end = _alternatives(tokens, 0, template)
    if end != len(tokens):
        raise GrammarError(f"unbalanced {tokens[end]!r} in {template!r}")
    return list(
        dict.fromkeys(" ".join(phrase.split()) for phrase in alternatives if phrase.strip())
    )


def _tokenize(template: str) -> list[str]:
    tokens, position = [], 0
    text = template.strip()
    while position < len(text):
        found = _TOKEN.match(text, position)
        if found is None:
            raise GrammarError(f"unexpected {text[position : position + 10]!r} in {template!r}")
        token, spaced = found.group(1), found.start(1) > position
        if tokens and not spaced and _touches(tokens[-1], token):
            raise GrammarError(f"a group touches a word in {template!r}")
        tokens.append(token)
        position = found.end()
    return tokens


def _touches(before: str, after: str) -> bool:
    """A word glued to a group: "i(" or "default[" or ")s"."""
    opens, closes = before.isalpha() or "'" in before, after.isalpha() or "'" in after
    return (opens and after in {"(", "["}) or (before in {")", "]"} and closes)


def _alternatives(tokens: list[str], start: int, template: str) -> tuple[list[str], int]:
    """Alternatives separated by | up to a closing bracket (or the end)."""
    options: list[str] = []
    position = start
    while True:
        sequence, position = _sequence(tokens, position, template)
        options.extend(sequence)
        if position < len(tokens) and tokens[position] == "|":
            position += 1
            continue
        return options, position


def _sequence(tokens: list[str], start: int, template: str) -> tuple[list[str], int]:
    parts: list[list[str]] = []
    position = start
    while position < len(tokens) and tokens[position] not in {"|", ")", "]"}:
        token = tokens[position]
        if token in {"(", "["}:
            closing = ")" if token == "(" else "]"
            inner, position = _alternatives(tokens, position + 1, template)
            if position >= len(tokens) or tokens[position] != closing:
                raise GrammarError(f"missing {closing!r} in {template!r}")
            parts.append([*inner, ""] if token == "[" else inner)
        else:
            parts.append([token])
        position += 1
    return [" ".join(choice) for choice in itertools.product(*parts)], position


def read_intent(path: Path) -> IntentGrammar:
    """One intent's grammar file."""
    slots: list[tuple[str, str]] = []
    templates: list[str] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        if text.startswith("@slot"):
            fields = text.split()
            if len(fields) != 3:
                raise GrammarError(f"{path.name}:{number}: write '@slot <name> <SlotType>'")
            slots.append((fields[1], fields[2]))
            continue
        try:
            expand(text)
        except GrammarError as error:
            raise GrammarError(f"{path.name}:{number}: {error}") from None
        templates.append(text)
    return IntentGrammar(path.stem, tuple(slots), tuple(templates))


def read_grammar(folder: Path) -> list[IntentGrammar]:
    """Every intent in `folder` (one .txt file each): custom intents first, then built-ins."""
    paths = sorted(folder.glob("*.txt"), key=lambda p: (p.stem.startswith("AMAZON."), p.stem))
    return [read_intent(path) for path in paths]
