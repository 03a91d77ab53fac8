"""Words -> the values Alexa puts in built-in slots, for the offline simulators.

Alexa fills AMAZON.NUMBER with digits ("fifteen" -> "15"), AMAZON.DURATION with ISO-8601
("a minute and a half" -> "PT1M30S") and AMAZON.TIME with "15:00" (or "MO", "AF", "EV", "NI"
for a part of the day); what it cannot read arrives as "?". This covers the spoken forms the
skill's own phrases use (whole numbers below a thousand, seconds, minutes and hours, clock
times). Written by hand: the word-number libraries on PyPI are unmaintained or compiled,
and this runs only in the console and the browser simulator, never on Alexa's path.
"""

from __future__ import annotations

import re

UNRECOGNISED = "?"
_UNITS = {
    "zero": 0, "one": 1, "a": 1, "an": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19,
}  # fmt: skip
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}  # fmt: skip
_SECONDS_PER_UNIT = {"second": 1, "sec": 1, "minute": 60, "min": 60, "hour": 3600}
_PARTS_OF_DAY = {"morning": "MO", "afternoon": "AF", "evening": "EV", "night": "NI"}
_NAMED_TIMES = {"noon": "12:00", "midday": "12:00", "midnight": "00:00"}
_CLOCK = re.compile(r"^(?P<hour>\d{1,2})(?: (?P<minute>\d{2}))?(?: ?(?P<half>a ?m|p ?m))?$")


def number_value(words: str) -> str:
    """AMAZON.NUMBER as Alexa fills it: digits, or "?"."""
    number = _number(words.replace("-", " ").split())
    return UNRECOGNISED if number is None else str(number)


def duration_value(words: str) -> str:
    """AMAZON.DURATION as Alexa fills it (PT1M, PT45S, PT1M30S), or "?"."""
    seconds = _duration_seconds(words.replace("-", " ").replace(" and a half", " half").split())
    return UNRECOGNISED if not seconds else _iso_duration(seconds)


def time_value(words: str) -> str:
    """AMAZON.TIME as Alexa fills it: "3 pm" -> "15:00", "seven thirty am" -> "07:30",
    "evening" -> "EV", or "?" (words as `resolver.normalise` leaves them)."""
    text = words.removeprefix("in the ").removeprefix("the ").strip()
    if text in _PARTS_OF_DAY:
        return _PARTS_OF_DAY[text]
    if text in _NAMED_TIMES:
        return _NAMED_TIMES[text]
    text = " ".join(str(_UNITS.get(w, _TENS.get(w, w))) for w in text.split() if w != "o'clock")
    match = _CLOCK.match(text)
    if match is None:
        return UNRECOGNISED
    hour, minute = int(match["hour"]), int(match["minute"] or 0)
    half = (match["half"] or "").replace(" ", "")
    if half and not 1 <= hour <= 12:
        return UNRECOGNISED
    if half:
        hour = hour % 12 + (12 if half == "pm" else 0)
    return f"{hour:02d}:{minute:02d}" if hour < 24 and minute < 60 else UNRECOGNISED


VALUE_READERS = {
    "AMAZON.NUMBER": number_value,
    "AMAZON.DURATION": duration_value,
    "AMAZON.TIME": time_value,
}


def _number(words: list[str]) -> int | None:
    """A whole number from its words ("one hundred and five", "45"), or None."""
    words = [w for w in words if w != "and"]
    if len(words) == 1 and words[0].isdigit():
        return int(words[0])
    current = None
    for word in words:
        if word in _UNITS and (current is None or (current % 10 == 0 and current >= 20)):
            current = (current or 0) + _UNITS[word]
        elif word in _TENS and (current is None or current % 100 == 0):
            current = (current or 0) + _TENS[word]
        elif word == "hundred" and current is not None and current < 10:
            current *= 100
        else:
            return None
    return current


def _duration_seconds(words: list[str]) -> int:
    """Seconds in phrases such as "a minute half" (from "a minute and a half"), "one and a
    half minutes", "2 minutes 30 seconds", "half a minute"; 0 when they are not a duration."""
    total, amount_words, index = 0.0, list[str](), 0
    while index < len(words):
        unit = words[index].removesuffix("s")
        index += 1
        if unit not in _SECONDS_PER_UNIT:
            amount_words.append(words[index - 1])
            continue
        amount = _amount(amount_words)
        if amount is None:
            return 0
        total += amount * _SECONDS_PER_UNIT[unit]
        amount_words = []
        if index < len(words) and words[index] == "half":
            total += _SECONDS_PER_UNIT[unit] / 2
            index += 1
    return 0 if amount_words else round(total)


def _amount(words: list[str]) -> float | None:
    """The count before a unit: "a", "two", "one and a half", "half a"."""
    words = [w for w in words if w != "and"]
    if words in (["half", "a"], ["half", "an"]):
        return 0.5
    half = bool(words) and words[-1] == "half"
    if half:
        words = words[:-2] if len(words) >= 2 and words[-2] in {"a", "an"} else words[:-1]
    number = _number(words) if words else None
    if number is None:
        return None
    return number + (0.5 if half else 0)


def _iso_duration(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    parts = f"{hours}H" * bool(hours) + f"{minutes}M" * bool(minutes) + f"{secs}S" * bool(secs)
    return f"PT{parts}"
