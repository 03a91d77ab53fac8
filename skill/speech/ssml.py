"""SSML for Alexa: spoken text escaped, silences as chained breaks of at most 10 s."""

from __future__ import annotations

from functools import cache

from skill.conversation.plan import Segment
from skill.speech.timeline import Spoken, timeline

MAX_BREAK_SECONDS = 10  # Alexa's limit for one <break>


# Characters XML 1.0 does not allow at all (control characters, lone surrogates, U+FFFE/F):
# words a user said can carry them into a reply. A translation table that drops them (a
# regular expression for these ranges takes a cold start 0.8 ms to compile), built on first
# use (0.1 ms): most replies are printable ASCII and never need it.
@cache
def _not_xml() -> dict[int, None]:
    return dict.fromkeys(
        [*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0xD800, 0xE000), 0xFFFE, 0xFFFF]
    )


def xml_text(text: str) -> str:
    """Text safe inside SSML: escaped, with characters XML cannot carry removed. (Written out
    rather than xml.sax.saxutils.escape, whose import costs a Lambda cold start 25 ms.)"""
    if not (text.isascii() and text.isprintable()):  # printable ASCII has none to remove
        text = text.translate(_not_xml())
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


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
            parts.append(xml_text(moment.text))
        else:
            parts.append(breaks(moment.seconds))
    return "<speak>" + " ".join(parts) + "</speak>"


def text_to_ssml(text: str) -> str:
    return "<speak>" + xml_text(text) + "</speak>"
