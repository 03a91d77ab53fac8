"""Test helpers for talking to the skill and reading its responses as a user hears them."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import RequestEnvelope

from skill.simulator.envelopes import Handler, SimulatedDevice
from skill.speech.readable import moments, played_seconds, readable
from skill.speech.timeline import Silence, Spoken
from skill.storage.base import ProgressStore

Response = dict[str, Any]


@dataclass
class Clock:
    """A settable clock for request timestamps (the day decides streaks)."""

    now: datetime = field(
        default_factory=lambda: datetime(2026, 11, 23, 18, 0, tzinfo=timezone.utc)
    )

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class SkillEnv:
    handler: Handler
    store: ProgressStore
    clock: Clock

    def device(
        self, user_id: str = "amzn1.ask.account.TEST-USER", screen: bool = False
    ) -> SimulatedDevice:
        return SimulatedDevice(
            self.handler, user_id=user_id, screen=screen, clock=self.clock, listening=True
        )

    def saved(self, user_id: str = "amzn1.ask.account.TEST-USER") -> dict[str, Any]:
        """What the store holds for a user."""
        envelope = {
            "version": "1.0",
            "context": {
                "System": {"application": {"applicationId": "x"}, "user": {"userId": user_id}}
            },
            "request": {
                "type": "LaunchRequest",
                "requestId": "r",
                "timestamp": "2026-11-23T00:00:00Z",
            },
        }
        request = DefaultSerializer().deserialize(json.dumps(envelope), RequestEnvelope)
        return self.store.get_attributes(request)


def sqlite_only(test: Callable) -> Callable:
    """Run a skill_env test on the SQLite store only (it reaches into the SQLite file)."""
    return pytest.mark.parametrize("skill_env", ["sqlite"], indirect=True)(test)


def ssml(response: Response) -> str:
    return response["response"]["outputSpeech"]["ssml"]


def spoken(response: Response) -> str:
    """What Alexa says, silences shown as [N s]."""
    return readable(ssml(response))


def reprompt(response: Response) -> str | None:
    speech = response["response"].get("reprompt")
    return readable(speech["outputSpeech"]["ssml"]) if speech else None


def ends_session(response: Response) -> bool:
    return response["response"].get("shouldEndSession") is True


def silences(response: Response) -> list[int]:
    """Each run of silence in the speech, in seconds."""
    return [m.seconds for m in moments(ssml(response)) if isinstance(m, Silence)]


speech_seconds = played_seconds  # how long speech takes to play: words plus silences


def spoken_seconds(response: Response) -> float:
    return speech_seconds(ssml(response))


def spoken_lines(response: Response) -> list[str]:
    return [m.text for m in moments(ssml(response)) if isinstance(m, Spoken)]


def whole_routine(device: SimulatedDevice) -> tuple[list[int], Response]:
    """Launch, start the default routine and say ready until it is complete: the seconds of
    silence in each turn after the start, and the last response (which may ask a question)."""
    assert spoken(device.launch()).startswith("Welcome")
    response = device.intent("StartRoutineIntent")
    silence_per_turn = []
    for _ in range(MAX_TURNS_PER_ROUTINE):  # bounded: a routine that never ends fails, not hangs
        if ends_session(response) or "That's the whole" in spoken(response):
            return silence_per_turn, response
        response = device.intent("ReadyIntent")
        silence_per_turn.append(sum(silences(response)))
    raise AssertionError(f"the routine did not end within {MAX_TURNS_PER_ROUTINE} turns")


MAX_TURNS_PER_ROUTINE = 20
LOWER_BACK_SILENCES = [30, 0, 40, 0, 30, 30]  # toe reach, -, ten paced sets, -, each leg
