"""SSML for Alexa: spoken text escaped, silences as chained breaks of at most 10 s."""

from __future__ import annotations

from xml.sax.saxutils import escape

from skill.conversation.plan import Segment
from skill.speech.timeline import Spoken, timeline

MAX_BREAK_SECONDS = 10  # Alexa's limit for one <break>


def breaks(seconds: int) -> str:
    """`seconds` of silence as chained breaks, none longer than Alexa allows."""
    full, rest = divmod(seconds, MAX_BREAK_SECONDS)
    chain = [MAX_BREAK_SECONDS] * full + ([rest] if rest else [])
    return "".join(f'<break time="{part}s"/>' for part in chain)


def to_ssml(segments: tuple[Segment, ...]) -> str:
    """The whole speech, wrapped in <speak>."""
    parts = []
    for moment in timeline(segments):
        if isinstance(moment, Spoken):
            parts.append(escape(moment.text))
        else:
            parts.append(breaks(moment.seconds))
    return "<speak>" + " ".join(parts) + "</speak>"


def text_to_ssml(text: str) -> str:
    return "<speak>" + escape(text) + "</speak>"
