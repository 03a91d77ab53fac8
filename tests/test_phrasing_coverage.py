"""How much of what people really say reaches the right intent, through the offline resolver.

Helpers who never saw the grammar wrote the phrasings, each with the intent it must reach.
`phrasings-dev.tsv` reached 59% when first measured, before the grammar grew from its misses;
`phrasings-heldout.tsv` (written later by another helper, eight personas) reached 57% when
first measured. The grammar then grew from what both missed, so both are now development sets
and a fresh set is the next honest measure. Relabelled since: four held-out "pain" lines say
"tight" or "tense", which is expected in a stretch (../shared/HEALTH.md), so TightnessIntent;
"what was that" and its kind were written for AMAZON.RepeatIntent before "hear it again"
(SayAgainIntent) was split from "do it again" (RepeatIntent).

A phrase counts as reached when it resolves to its intent or to one the skill treats the same
(NextIntent and ReadyIntent both mean "go on"). Alexa's own NLU generalises beyond exact
samples, so these figures are a floor for what a device understands, not a ceiling.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from skill.alexa.intents import INTENT_EVENTS
from skill.simulator.resolver import Resolver

DATA = Path(__file__).parent / "data"
# The share each set must keep reaching (the figures printed show the current share).
FLOORS = {"phrasings-dev.tsv": 0.97, "phrasings-heldout.tsv": 0.97}
SAFETY_INTENT = "PainIntent"


@dataclass(frozen=True)
class Result:
    phrase: str
    expected: str
    reached: str | None

    @property
    def ok(self) -> bool:
        if self.reached is None:
            return False
        same = INTENT_EVENTS.get(self.expected) == INTENT_EVENTS.get(self.reached)
        return self.reached == self.expected or (self.expected in INTENT_EVENTS and same)


def _measure(name: str) -> list[Result]:
    resolver = Resolver.default()
    results = []
    for line in (DATA / name).read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        phrase, expected = line.split("\t")
        match = resolver.resolve(phrase)
        results.append(Result(phrase, expected, match.intent if match else None))
    return results


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_what_people_say_reaches_its_intent(name: str, capsys: pytest.CaptureFixture) -> None:
    results = _measure(name)
    reached = [r for r in results if r.ok]
    share = len(reached) / len(results)
    pain = [r for r in results if r.expected == SAFETY_INTENT]
    with capsys.disabled():
        print(
            f"\n{name}: {len(reached)} of {len(results)} phrasings reach their intent "
            f"({share:.0%}); pain {sum(r.ok for r in pain)} of {len(pain)}"
        )
        for miss in (r for r in results if not r.ok):
            print(f"  still missed: {miss.phrase!r} -> {miss.reached or 'nothing'} "
                  f"(wanted {miss.expected})")  # fmt: skip
    assert len(results) >= 150
    assert share >= FLOORS[name]
