"""Visuals for devices with a screen: the APL document and the screen data it renders.

`screen_data` is the one description of what the screen shows; the APL document and the
browser simulator both render it. The pictures are AVG graphics kept as data in
apl/pictures.json, one per stretch and side; a document carries only those its cards use.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from msgspec import to_builtins

from skill.conversation.plan import Card, ReplyPlan
from skill.speech.screenplay import WORDS_PER_SECOND, payload_ticks

APL_INTERFACE = "Alexa.Presentation.APL"
DOCUMENT_TOKEN = "backStretchesScreen"
_APL = Path(__file__).parent / "apl"


@lru_cache(maxsize=1)
def _document() -> dict[str, Any]:
    return json.loads((_APL / "screen.json").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def pictures() -> dict[str, Any]:
    """Every picture, by id: the stretch id, with the side's name for sided stretches."""
    return json.loads((_APL / "pictures.json").read_text(encoding="utf-8"))


def _card_data(card: Card) -> dict[str, Any]:
    data = to_builtins(card)  # nested: the buttons become dicts too
    data["meta"] = " · ".join(part for part in (card.routine, card.progress, card.side) if part)
    return data


def screen_data(reply: ReplyPlan) -> dict[str, Any] | None:
    """What the screen shows during this reply: its cards, and the ticks that switch them."""
    if reply.screen is None:
        return None
    cards = [reply.screen.card, *([reply.screen.then] if reply.screen.then else [])]
    return {
        "cards": [_card_data(card) for card in cards],
        "ticks": payload_ticks(reply),
        "wordsPerSecond": WORDS_PER_SECOND,
    }


def document_for(cards: list[dict[str, Any]]) -> dict[str, Any]:
    """The APL document, carrying the pictures these cards show."""
    document = dict(_document())
    shown = {card["picture"] for card in cards if card["picture"]}
    known = pictures()
    document["graphics"] = {
        **document["graphics"],
        **{name: known[name] for name in sorted(shown) if name in known},
    }
    return document


def render_document(reply: ReplyPlan) -> dict[str, Any] | None:
    """The RenderDocument directive for a reply, as the JSON Alexa expects (None: no screen)."""
    data = screen_data(reply)
    if data is None:
        return None
    return {
        "type": f"{APL_INTERFACE}.RenderDocument",
        "token": DOCUMENT_TOKEN,
        "document": document_for(data["cards"]),
        "datasources": {"payload": {"screen": data}},
    }
