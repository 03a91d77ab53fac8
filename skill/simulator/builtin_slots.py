"""Built-in slot values as Alexa fills them, for the few built-in types this skill uses, so a
simulated request carries what a real one would: AMAZON.TIME is "15:00", or "MO", "AF", "EV",
"NI" for a part of the day, and "?" when Alexa heard a time it could not read."""

from __future__ import annotations

import re

_PARTS_OF_DAY = {"morning": "MO", "afternoon": "AF", "evening": "EV", "night": "NI"}
_NAMED = {"noon": "12:00", "midday": "12:00", "midnight": "00:00"}
_WORDS = {
    word: number
    for number, word in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
        ]
    )
}
_CLOCK = re.compile(r"^(?P<hour>\d{1,2})(?: (?P<minute>\d{2}))?(?: ?(?P<half>a ?m|p ?m))?$")


def alexa_time(spoken: str) -> str:
    """ "3 pm" -> "15:00", "9 30 am" -> "09:30", "15 00" -> "15:00", "evening" -> "EV" (text
    as `resolver.normalise` leaves it: lower case, no punctuation)."""
    text = spoken.removeprefix("in the ").removeprefix("the ").strip()
    if text in _PARTS_OF_DAY:
        return _PARTS_OF_DAY[text]
    if text in _NAMED:
        return _NAMED[text]
    text = " ".join(str(_WORDS.get(word, word)) for word in text.split())
    match = _CLOCK.match(text)
    if match is None:
        return "?"
    hour, minute = int(match["hour"]), int(match["minute"] or 0)
    half = (match["half"] or "").replace(" ", "")
    if half and not 1 <= hour <= 12:
        return "?"
    if half:
        hour = hour % 12 + (12 if half == "pm" else 0)
    return f"{hour:02d}:{minute:02d}" if hour < 24 and minute < 60 else "?"
