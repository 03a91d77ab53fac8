"""The browser simulator in headless Chromium: start the routine, watch a hold count down,
say ready, finish. A screenshot is saved to test-artifacts/ when a step fails."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.servers import ROOT, free_port, start_server

playwright_api = pytest.importorskip("playwright.sync_api")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SPEED = 10  # the page plays silences and speech ten times faster (?speed=10)


@pytest.fixture(scope="module")
def simulator_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("simulator")
    port = free_port()
    env = {
        **os.environ,
        "SKILL_DB": str(folder / "progress.sqlite3"),
        "SKILL_SIMULATOR_DB": str(folder / "simulator.sqlite3"),
        "PYTHONPATH": str(ROOT),
    }
    env.pop("SKILL_SIMULATOR", None)
    command = [sys.executable, "-m", "skill", "serve", "--port", str(port)]
    process = start_server(command, env, port, folder / "server.log")
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=15)


@pytest.fixture
def page(request: pytest.FixtureRequest) -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (scripts/setup.sh --dev installs it)")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        yield page
        failed = getattr(request.node, "rep_call", None)
        if failed is not None and failed.failed:
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
        browser.close()


def alexa_said(page, text: str, timeout: float = 20_000) -> None:
    page.locator("#transcript li.alexa", has_text=text).last.wait_for(timeout=timeout)


def wait_listening(page) -> None:
    page.wait_for_function(
        "document.getElementById('status').textContent.startsWith('Listening')", timeout=30_000
    )


def say(page, text: str) -> None:
    wait_listening(page)
    page.fill("#utterance", text)
    page.click("#send")


def countdown_values(page, timeout_ms: int = 20_000) -> list[int]:
    """Every number the hold countdown shows, from when it appears until it hides."""
    page.wait_for_selector("#countdown:not([hidden])", timeout=timeout_ms)
    return page.evaluate(
        """() => new Promise((done) => {
            const seen = [];
            const box = document.getElementById('countdown');
            const read = () => {
              const value = Number(document.getElementById('countdown-seconds').textContent);
              if (seen[seen.length - 1] !== value) seen.push(value);
              if (box.hidden) { clearInterval(timer); done(seen); }
            };
            const timer = setInterval(read, 5);
            read();
        })"""
    )


def test_a_whole_routine_in_the_browser(page, simulator_url: str) -> None:
    page.goto(f"{simulator_url}/?speed={SPEED}")
    page.click("#start")
    alexa_said(page, "Stretch one of three: the toe reach.")
    assert page.text_content("#screen-title") == "Toe reach"
    assert "not medical advice" in page.text_content("#transcript")

    say(page, "I'm ready")
    first_silence = countdown_values(page)
    assert first_silence[0] == 20 and first_silence[-1] in (0, 1)
    assert first_silence == sorted(first_silence, reverse=True) and len(first_silence) >= 10
    assert countdown_values(page)[0] == 10  # after "Ten more seconds."
    alexa_said(page, "Slowly roll back up to standing.")

    say(page, "next")
    alexa_said(page, "Stretch two of three: the standing crunch rotations.")
    say(page, "ready")
    alexa_said(page, "That's ten.")
    say(page, "next")
    alexa_said(page, "Stretch three of three: the table hamstring stretch.")
    say(page, "my foot is up")
    alexa_said(page, "Say ready when your left foot is on the table.")
    say(page, "ready")
    alexa_said(page, "That's the whole lower back routine. Well done.")
    page.wait_for_function(
        "document.getElementById('status').textContent === 'Session closed'", timeout=60_000
    )
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "simulator-finished.png"), full_page=True)


def test_each_browser_is_its_own_simulated_user(page, simulator_url: str) -> None:
    page.goto(f"{simulator_url}/?speed={SPEED}")
    page.click("#open")
    alexa_said(page, "Welcome to Back Stretches.")  # a new browser: first visit, not "welcome back"
