"""SSML read back as moments (text and silences): for the console, the browser simulator
and tests, which see exactly what Alexa would play."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree

from skill.speech.timeline import Moment, Silence, Spoken

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s)\s*$")


def break_seconds(value: str) -> float:
    """A <break time="..."> value in seconds ("10s", "500ms")."""
    match = _DURATION.match(value)
    if not match:
        raise ValueError(f"not a break time: {value!r}")
    number = float(match.group(1))
    return number / 1000 if match.group(2) == "ms" else number


def moments(ssml: str) -> list[Moment]:
    """Spoken text and silences, adjacent breaks joined into one silence."""
    root = ElementTree.fromstring(ssml)
    result: list[Moment] = []

    def add_text(text: str | None) -> None:
        words = " ".join((text or "").split())
        if words:
            result.append(Spoken(words))

    def add_silence(seconds: float) -> None:
        if result and isinstance(result[-1], Silence):
            seconds += result[-1].seconds
            result.pop()
        result.append(Silence(round(seconds)))

    def walk(element: ElementTree.Element) -> None:
        add_text(element.text)
        for child in element:
            if child.tag == "break":
                add_silence(break_seconds(child.get("time", "0s")))
            else:
                walk(child)
            add_text(child.tail)

    walk(root)
    return result


def readable(ssml: str) -> str:
    """What Alexa says, with silences shown as "[30 s]"."""
    return " ".join(m.text if isinstance(m, Spoken) else f"[{m.seconds} s]" for m in moments(ssml))


SPEAKING_WORDS_PER_SECOND = 2.5  # an unhurried voice


def played_seconds(ssml: str) -> float:
    """About how long Alexa takes to play this SSML: its silences plus its words."""
    return sum(
        m.seconds if isinstance(m, Silence) else len(m.text.split()) / SPEAKING_WORDS_PER_SECOND
        for m in moments(ssml)
    )
