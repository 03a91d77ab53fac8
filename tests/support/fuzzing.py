"""Checks shared by the fuzz and fault tests: what Alexa accepts as a response, and the raw
progress rows of a SQLite file (to show a request changed nothing)."""

from __future__ import annotations

import json
import sqlite3
import xml.etree.ElementTree as ElementTree
from pathlib import Path
from typing import Any

from skill.speech.readable import break_seconds

MAX_SPEECH_CHARS = 8000
MAX_BREAK_SECONDS = 10


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def strict_json(text: str | bytes) -> Any:
    """Parse JSON as Alexa does: NaN and Infinity are not JSON."""
    return json.loads(text, parse_constant=_reject_constant)


def assert_valid_ssml(ssml: object) -> None:
    """Well-formed UTF-8 XML in <speak>, under 8000 characters, every break 0-10 s."""
    assert isinstance(ssml, str) and len(ssml) < MAX_SPEECH_CHARS, ssml
    root = ElementTree.fromstring(ssml.encode("utf-8"))  # lone surrogates fail to encode
    assert root.tag == "speak", ssml
    for element in root.iter("break"):
        assert 0 < break_seconds(element.get("time", "")) <= MAX_BREAK_SECONDS, ssml


def _assert_speech(speech: object) -> None:
    assert isinstance(speech, dict) and speech.get("type") == "SSML", speech
    assert_valid_ssml(speech.get("ssml"))


def assert_alexa_response(envelope: object) -> None:
    """A response envelope Alexa can play: strict JSON, version 1.0, valid SSML if any."""
    strict_json(json.dumps(envelope))
    assert isinstance(envelope, dict) and envelope.get("version") == "1.0", envelope
    response = envelope.get("response")
    assert isinstance(response, dict), envelope
    if "outputSpeech" in response:
        _assert_speech(response["outputSpeech"])
    if "reprompt" in response:
        assert isinstance(response["reprompt"], dict), response
        _assert_speech(response["reprompt"].get("outputSpeech"))
    assert response.get("shouldEndSession") in (None, True, False), response
    attributes = envelope.get("sessionAttributes")
    assert attributes is None or isinstance(attributes, dict), envelope


def progress_rows(path: Path) -> list[tuple[Any, ...]]:
    """Every row of the progress table, read through a fresh read-only connection."""
    if not path.exists():
        return []
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return connection.execute("SELECT * FROM progress ORDER BY user_id").fetchall()
    except sqlite3.OperationalError as error:
        if "no such table" in str(error):
            return []
        raise
    finally:
        connection.close()
