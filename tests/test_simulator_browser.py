"""The browser simulator in headless Chromium, at desktop and phone width: the screen shows
the skill's own screen data in step with the speech (the countdown starts at the announced
number, the final hold says hold, what comes after a hold appears after it), its buttons
send the skill's UserEvents, and nothing overflows. Screenshots go to test-artifacts/."""

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


DESKTOP = {"width": 1200, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(params=[DESKTOP, PHONE], ids=["desktop", "phone"])
def page(request: pytest.FixtureRequest) -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (scripts/setup.sh --dev installs it)")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport=request.param)
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


def touch(page, label: str) -> None:
    """Touch a button on the simulated screen; it must send the skill a touch, not words."""
    wait_listening(page)
    with page.expect_request("**/simulator/turn") as sent:
        page.locator("#buttons button", has_text=label).click()
    body = sent.value.post_data_json
    assert body["action"] == "touch" and "text" not in body


def state_label(page) -> str:
    return page.text_content("#screen-state")


def no_horizontal_overflow(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"]


def watch_hold(page, after_text: str) -> None:
    """Record, every 5 ms from when the screen shows a hold until it shows something else,
    what it shows, whether the countdown is in the window and whether the transcript already
    has `after_text`. The page is scrolled to the bottom on the way, as a reader of the
    transcript would. `hold_seen` returns the record."""
    page.evaluate(
        """(after) => {
            const record = window.holdRecord = { seen: [], done: false };
            const timer = setInterval(() => {
              const state = document.getElementById('screen-state').textContent;
              if (!record.seen.length && state !== 'Hold') return;
              const count = document.getElementById('count');
              const box = count.getBoundingClientRect();
              record.seen.push({
                state, count: Number(count.textContent),
                inView: box.top >= 0 && box.bottom <= innerHeight && box.height > 0,
                after: document.getElementById('transcript').textContent.includes(after),
              });
              window.scrollTo(0, document.body.scrollHeight);
              if (state !== 'Hold') { clearInterval(timer); record.done = true; }
            }, 5);
        }""",
        after_text,
    )


def hold_seen(page) -> list[dict]:
    page.wait_for_function("window.holdRecord.done", timeout=30_000)
    return page.evaluate("window.holdRecord.seen")


def check_hold(samples: list[dict], announced: int, then: str) -> None:
    holding = [sample for sample in samples if sample["state"] == "Hold"]
    counts = [sample["count"] for sample in holding]
    shown = [c for i, c in enumerate(counts) if i == 0 or counts[i - 1] != c]
    assert shown == list(range(announced, 0, -1))  # from the announced number, every second
    assert all(sample["inView"] for sample in holding)
    assert not any(sample["after"] for sample in holding)  # no words after the hold yet
    assert samples[-1]["state"] == then


def screenshot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    width = page.viewport_size["width"]
    page.screenshot(path=str(ARTIFACTS / f"simulator-{name}-{width}.png"))
    page.locator("#device").screenshot(path=str(ARTIFACTS / f"screen-{name}-{width}.png"))


def test_a_whole_routine_in_the_browser(page, simulator_url: str) -> None:
    page.goto(f"{simulator_url}/?speed={SPEED}")
    page.click("#start")
    alexa_said(page, "Stretch one of three: the toe reach.")
    assert (state_label(page), page.text_content("#screen-title")) == ("Get ready", "Toe reach")
    assert page.locator("#picture svg path").count() > 3  # the posture, drawn
    assert "not medical advice" in page.text_content("#transcript")
    wait_listening(page)
    no_horizontal_overflow(page)
    screenshot(page, "step-card")

    watch_hold(page, "Slowly roll back up")
    touch(page, "Ready")
    check_hold(hold_seen(page), 30, then="Well done")
    alexa_said(page, "Slowly roll back up to standing.")
    assert page.text_content("#screen-meta").endswith("Next up: the standing crunch rotations")

    touch(page, "Next")
    alexa_said(page, "Stretch two of three: the standing crunch rotations.")
    say(page, "ready")
    page.wait_for_function("document.getElementById('screen-state').textContent === 'Reps'")
    assert page.text_content("#count-label") == "of 10"
    assert page.text_content("#count-detail") == "Left elbow to right thigh"
    screenshot(page, "reps")
    alexa_said(page, "That's ten.")
    say(page, "next")
    alexa_said(page, "Stretch three of three: the table hamstring stretch.")
    say(page, "my foot is up")
    page.wait_for_function("document.getElementById('screen-state').textContent === 'Switch sides'")
    assert page.text_content("#screen-meta").endswith("Left leg")
    watch_hold(page, "That's the whole")
    say(page, "ready")  # the final hold: the screen says hold, not "Routine complete"
    page.wait_for_function("document.getElementById('count').textContent === '25'")
    no_horizontal_overflow(page)
    screenshot(page, "hold")
    check_hold(hold_seen(page), 30, then="Routine complete")
    alexa_said(page, "That's the whole lower back routine. Well done.")
    page.wait_for_function(
        "document.getElementById('status').textContent === 'Session closed'", timeout=60_000
    )
    no_horizontal_overflow(page)
    screenshot(page, "finished")


def test_each_browser_is_its_own_simulated_user(page, simulator_url: str) -> None:
    page.goto(f"{simulator_url}/?speed={SPEED}")
    page.click("#open")
    alexa_said(page, "Welcome to Back Stretches.")  # a new browser: first visit, not "welcome back"
    assert state_label(page) == "Welcome"
    icon = page.get_attribute("link[rel=icon]", "href")
    assert page.request.get(f"{simulator_url}{icon}").ok
