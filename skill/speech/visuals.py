"""Visuals for devices with a screen: an APL document showing the current stretch."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from skill.conversation.plan import Screen

APL_INTERFACE = "Alexa.Presentation.APL"
DOCUMENT_TOKEN = "backStretchesScreen"
_DOCUMENT = Path(__file__).parent / "apl" / "stretch.json"


@lru_cache(maxsize=1)
def _document() -> dict[str, Any]:
    return json.loads(_DOCUMENT.read_text(encoding="utf-8"))


def render_document(screen: Screen) -> dict[str, Any]:
    """The RenderDocument directive, as the JSON Alexa expects."""
    payload = {
        "screen": {
            "title": screen.title,
            "subtitle": screen.subtitle,
            "body": screen.body,
            "holdSeconds": screen.hold_seconds,
        }
    }
    return {
        "type": f"{APL_INTERFACE}.RenderDocument",
        "token": DOCUMENT_TOKEN,
        "document": _document(),
        "datasources": {"payload": payload},
    }
