"""The text console: typed lines in, Alexa's words out, progress kept between runs."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from skill.simulator import console

ROOT = Path(__file__).resolve().parents[1]


def run_console(lines: list[str], **options: object) -> str:
    """What the console prints for the typed `lines` (options as `console.run` takes them)."""
    feed = iter(lines)

    def read() -> str:
        try:
            return next(feed)
        except StopIteration:
            raise EOFError from None

    out = io.StringIO()
    console.run(read_line=read, out=out, **options)  # type: ignore[arg-type]
    return out.getvalue()


@pytest.fixture(autouse=True)
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SKILL_DB", str(tmp_path / "console.sqlite3"))
    monkeypatch.delenv("SKILL_ID", raising=False)
    return tmp_path / "console.sqlite3"


def test_a_routine_in_the_console_shows_holds_as_seconds() -> None:
    output = run_console(["open back stretches", "start my back stretches", "i'm ready"])
    assert "Alexa: Welcome to Back Stretches." in output
    assert "Stretch one of three: the toe reach." in output
    assert "Hold for thirty seconds." in output
    assert "[20 s] Ten more seconds. [10 s]" in output
    assert "(listening)" in output


def test_unmatched_words_go_to_fallback_and_progress_survives_a_new_run() -> None:
    first = run_console(["open back stretches", "yes", "purple monkey dishwasher", "/timeout"])
    assert "Sorry, I didn't catch that." in first
    assert "Alexa closed the session after hearing nothing." in first
    second = run_console(["open back stretches", "continue"])
    assert "Welcome back. You were on the toe reach." in second
    assert "Picking up where you left off." in second


def test_a_one_shot_request_and_a_closed_session() -> None:
    output = run_console(["ask back stretches to start my desk stretches", "stop", "ready"])
    assert "Let's do the desk break routine" in output
    assert "(session ended)" in output
    assert 'The session is closed: sent as "Alexa, ask back stretches: ready".' in output


def test_python_dash_m_skill_console_reads_standard_input(database: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "skill", "console"],
        input="open back stretches\nlist routines\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "I have two routines." in result.stdout
    assert database.exists()


def test_the_console_with_local_alexa_apis_sets_a_reminder_after_asking_consent() -> None:
    trusted_before = os.environ.get("REQUESTS_CA_BUNDLE")
    lines = [
        "open back stretches",
        "remind me every weekday at 3 pm",
        "yes",
        "what reminders do i have",
        "cancel my reminders",
        "remind me every day at 9 am",
    ]
    output = run_console(lines, alexa_api=True, time_zone="Asia/Kolkata")
    assert os.environ.get("REQUESTS_CA_BUNDLE") == trusted_before  # its CA does not outlive it
    assert output.count(console.CONSENT_QUESTION) == 1  # asked once, then granted
    assert "Alexa: Done. I'll remind you to stretch every weekday at 3 p.m." in output
    assert "Alexa: You have one reminder from me: every weekday at 3 p.m." in output
    assert "Alexa: Okay, I've cancelled one reminder." in output
    assert "Alexa: Done. I'll remind you to stretch every day at 9 a.m." in output


def test_the_console_user_hears_each_reply_out_so_a_pause_after_a_hold_moves_on() -> None:
    output = run_console(["start my back stretches", "i'm ready", "pause"])
    assert "Paused. We'll pick up with the standing crunch rotations." in output
