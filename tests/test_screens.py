"""The Echo Show screens: every APL document the skill can send, linted by Amazon's
apl-suggester and checked for anything it uses but does not define or import; the screen's
timing against the speech; and what the screen says against what Alexa says."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from skill.alexa.touch import TOUCH_EVENTS
from skill.content.loader import default_catalog
from skill.conversation import machine, replies
from skill.conversation.events import Event, EventName
from skill.conversation.history import History
from skill.conversation.machine import Turn
from skill.conversation.plan import Card, Hold, ReplyPlan, Say, Screen
from skill.conversation.state import DialogueState, Phase
from skill.speech.screenplay import WORDS_PER_SECOND, screenplay
from skill.speech.visuals import pictures, render_document
from tests.support.servers import ROOT
from tests.support.skill_env import SkillEnv, silences, spoken

NODE_TOOLS = ROOT / "tests" / "node"
CATALOG = default_catalog()

# APL's primitive components (APL 2024.2), and what alexa-viewport-profiles 1.6.0 defines
# (https://developer.amazon.com/en-US/docs/alexa/alexa-presentation-language/apl-alexa-viewport-profiles-package.html).
PRIMITIVES = {
    "Container", "EditText", "Frame", "GridSequence", "Image", "Pager", "ScrollView",
    "Sequence", "Text", "TouchWrapper", "VectorGraphic", "Video",
}  # fmt: skip
VIEWPORT_PROFILES = {
    "viewportProfile", "hubRoundSmall", "hubLandscapeSmall", "hubLandscapeMedium",
    "hubLandscapeLarge", "hubLandscapeXLarge", "hubPortraitMedium", "tvLandscapeXLarge",
    "mobileSmall", "mobileMedium", "mobileLarge", "viewportShape", "viewportShapeRound",
    "viewportShapeRectangle", "viewportOrientation", "viewportOrientationLandscape",
    "viewportOrientationPortrait", "viewportOrientationEqual",
}  # fmt: skip
IMPORTED = {"alexa-viewport-profiles": VIEWPORT_PROFILES}


EVERY_EVENT = [value for name, value in vars(Event).items() if name.isupper()]


def every_reply() -> Iterator[tuple[DialogueState, EventName, ReplyPlan]]:
    """Every reply the state machine can give: each reachable state of each routine, each
    event, with and without a known history."""
    states = [DialogueState()]
    for routine in CATALOG.routines.values():
        for index, stretch in enumerate(routine.stretches):
            for side in range(stretch.side_count):
                for phase in Phase:
                    state = DialogueState(routine.id, index, side, phase)
                    if DialogueState.from_dict(state.to_dict(), CATALOG) is not None:
                        states.append(state)
    for state in states:
        for event in EVERY_EVENT:
            for history in (History(3, 2, "2026-11-22"), None):
                turn = Turn(event, CATALOG, history, date(2026, 11, 23), new_session=True)
                reply = machine.step(state, turn).reply
                if reply is not None:
                    yield state, event, reply


REPLIES = list(every_reply())
DIRECTIVES = [render_document(reply) for _, _, reply in REPLIES]


def distinct_documents() -> list[dict[str, Any]]:
    documents = {json.dumps(d["document"], sort_keys=True) for d in DIRECTIVES if d is not None}
    return [json.loads(document) for document in sorted(documents)]


def lint(documents: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """apl-suggester's findings for each document."""
    node = shutil.which("node")
    if node is None or not (NODE_TOOLS / "node_modules" / "apl-suggester").exists():
        pytest.skip("apl-suggester is not installed (scripts/setup.sh --dev installs it)")
    result = subprocess.run(
        [node, str(NODE_TOOLS / "lint_apl.js")],
        input=json.dumps(documents),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(result.stdout)


def test_every_reply_to_a_screen_sends_a_document() -> None:
    assert len(REPLIES) > 900
    assert all(directive is not None for directive in DIRECTIVES)


def test_every_document_the_skill_can_send_has_no_apl_suggester_findings() -> None:
    documents = distinct_documents()
    shown = {name for document in documents for name in document["graphics"]}
    assert shown == {"ring", *pictures()}  # every stretch and side's picture was linted
    findings = lint(documents)
    assert len(findings) == len(documents)
    assert findings == [[] for _ in documents]


def test_apl_suggester_finds_what_is_wrong_in_a_broken_document() -> None:
    broken = distinct_documents()[0]
    broken["version"] = "1.0.1"
    broken["mainTemplate"]["items"][0]["paddingLeft"] = "wide"
    found = {finding["path"] for finding in lint([broken])[0]}
    assert found == {"/version", "/mainTemplate/items/0/paddingLeft"}


def _walk(node: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    yield path, node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _walk(value, f"{path}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, f"{path}/{index}")


def _components(document: dict[str, Any]) -> Iterator[dict[str, Any]]:
    roots = [document["mainTemplate"], *document["layouts"].values()]
    for root in roots:
        for path, node in _walk(root):
            if isinstance(node, dict) and "type" in node and re.search(r"/items?(/\d+)?$", path):
                yield node


def undefined_names(document: dict[str, Any]) -> list[str]:
    """Every style, resource, component and graphic the document uses but neither defines
    nor imports."""
    imported = {name for i in document.get("import", []) for name in IMPORTED[i["name"]]}
    resources = {
        name
        for block in document["resources"]
        for kind, values in block.items()
        if isinstance(values, dict)
        for name in values
    }
    text = json.dumps(document)
    missing = [
        f"@{name}"
        for name in set(re.findall(r"@([A-Za-z]\w*)", text))
        if name not in resources | imported
    ]
    missing += [
        f"style {node['style']}"
        for _, node in _walk(document)
        if isinstance(node, dict) and isinstance(node.get("style"), str)
        if node["style"] not in document["styles"]
    ]
    missing += [
        f"component {node['type']}"
        for node in _components(document)
        if node["type"] not in PRIMITIVES | set(document["layouts"])
    ]
    missing += [
        f"graphic {node['source']}"
        for node in _components(document)
        if node["type"] == "VectorGraphic" and "${" not in node["source"]
        if node["source"] not in document["graphics"]
    ]
    return missing


def test_everything_a_document_uses_is_defined_or_imported() -> None:
    for document in distinct_documents():
        assert undefined_names(document) == []
        used = json.dumps(document)
        for package in document["import"]:  # and nothing is imported for nothing
            assert any(f"@{name}" in used for name in IMPORTED[package["name"]])


def test_the_check_finds_what_is_not_defined() -> None:
    document = distinct_documents()[0]
    document["mainTemplate"]["items"][0]["items"].append(
        {"type": "AlexaButton", "style": "textStyleBody", "paddingTop": "@spacingLarge"}
    )
    assert sorted(undefined_names(document)) == [
        "@spacingLarge",
        "component AlexaButton",
        "style textStyleBody",
    ]


def test_every_field_the_document_reads_is_in_the_screen_data() -> None:
    text = json.dumps(distinct_documents()[0])
    card_fields = set(re.findall(r"card\.(\w+)", text))
    tick_fields = set(re.findall(r"tick\.(\w+)", text)) | set(
        re.findall(r"ticks\[tick\]\.(\w+)", text)
    )
    assert {"title", "cue", "picture", "buttons"} <= card_fields
    for directive in DIRECTIVES:
        assert directive is not None
        screen = directive["datasources"]["payload"]["screen"]
        for card in screen["cards"]:
            assert card_fields <= set(card)
            assert card["picture"] == "" or card["picture"] in directive["document"]["graphics"]
        for tick in screen["ticks"]:
            assert tick_fields | {"waitMs"} <= set(tick)
            assert tick["card"] < len(screen["cards"]) and tick["waitMs"] >= 0


def test_every_button_does_what_saying_it_would() -> None:
    actions = {
        button["action"]
        for directive in DIRECTIVES
        if directive is not None
        for card in directive["datasources"]["payload"]["screen"]["cards"]
        for button in card["buttons"]
    }
    assert actions == set(TOUCH_EVENTS)


def test_every_picture_is_a_drawing_of_its_own() -> None:
    drawn = pictures()
    expected = {
        f"{stretch.id}_{side}" if side else stretch.id
        for routine in CATALOG.routines.values()
        for stretch in routine.stretches
        for side in (stretch.sides or ("",))
    }
    assert set(drawn) == expected
    assert len({json.dumps(picture["items"]) for picture in drawn.values()}) == len(drawn)
    for picture in drawn.values():
        assert picture["type"] == "AVG" and picture["description"]
        assert "http" not in json.dumps(picture)  # nothing is downloaded


# -- timing: the screen follows the same timeline as the speech -----------------------------


def _hold_reply(*seconds: int) -> ReplyPlan:
    """A reply with these holds, as the lead's replies may give them (any length)."""
    speech: tuple = (Say("Hold for a while."),)
    for hold in seconds:
        speech += (Hold(hold), Say("And release."))
    card = Card("Hold", "Toe reach", counting="hold")
    return ReplyPlan(speech, None, Screen(card, Card("Routine complete", "Well done")))


@pytest.mark.parametrize("seconds", [10, 20, 30, 45, 60])
def test_the_countdown_runs_from_the_announced_hold_to_zero_in_step_with_the_silence(
    seconds: int,
) -> None:
    ticks = screenplay(_hold_reply(seconds))
    counting = [tick for tick in ticks if tick.count]
    assert [int(tick.count) for tick in counting] == list(range(seconds, -1, -1))
    lead_in = 4 * 1000 / WORDS_PER_SECOND  # four words
    assert counting[1].at_ms == lead_in + 1000  # one second into the silence: one less
    cue_time = counting[-1].at_ms - lead_in - seconds * 1000  # spoken cues inside the hold
    assert 0 <= cue_time <= 4000
    assert (ticks[-1].card, ticks[-1].at_ms) == (1, counting[-1].at_ms)  # then the next card
    assert counting[-1].silence == ticks[-1].silence
    silence_ends = {(tick.silence, tick.second) for tick in counting[1:]}
    assert len(silence_ends) == seconds  # one tick per second of silence, none during speech


def test_the_countdown_length_comes_from_the_speech_not_the_stretch() -> None:
    position = replies.position_of(DialogueState("lower_back", 0, 0, Phase.HOLDING), CATALOG)
    reply = replies.step_done(position)
    longer = ReplyPlan(
        tuple(Hold(50) if isinstance(s, Hold) else s for s in reply.speech),
        reply.reprompt,
        reply.screen,
    )
    assert screenplay(longer)[0].count == "50"


def test_counted_reps_show_the_rep_and_the_movement_as_each_is_said() -> None:
    position = replies.position_of(DialogueState("lower_back", 1, 0, Phase.COUNTING), CATALOG)
    ticks = [tick for tick in screenplay(replies.step_done(position)) if tick.card == 0]
    assert [(tick.count, tick.detail) for tick in ticks[:3]] == [
        ("1", "Left elbow to right thigh"),
        ("1", "Right elbow to left thigh"),
        ("2", "Left elbow to right thigh"),
    ]
    assert ticks[-1].count == "10" and {tick.count_label for tick in ticks} == {"of 10"}


# -- speech and screen agree ----------------------------------------------------------------


def cards(response: dict[str, Any]) -> list[dict[str, Any]]:
    directives = response["response"].get("directives") or []
    assert [d["type"] for d in directives] == ["Alexa.Presentation.APL.RenderDocument"]
    return directives[0]["datasources"]["payload"]["screen"]["cards"]


def ticks(response: dict[str, Any]) -> list[dict[str, Any]]:
    return response["response"]["directives"][0]["datasources"]["payload"]["screen"]["ticks"]


def test_the_screen_says_what_alexa_says_through_a_whole_routine(skill_env: SkillEnv) -> None:
    device = skill_env.device(screen=True)
    welcome = device.launch()
    assert cards(welcome)[0]["cue"] in spoken(welcome)
    response = device.intent("StartRoutineIntent")
    while True:
        said = spoken(response)
        shown = cards(response)
        for card in shown:
            assert card["cue"] in said  # the cue on screen is a line Alexa says
            assert card["cue"] or card["counting"] == "reps"
        first = shown[0]
        if first["state"] == "Get ready":
            number = replies.spoken_number(int(first["progress"].split()[1]))
            assert f"Stretch {number} of three: the {first['title'].lower()}." in said
        if first["counting"] == "hold":
            hold = ticks(response)[0]["count"]
            assert f"Hold for {replies.spoken_number(int(hold))} seconds." in said
            assert int(hold) == sum(silences(response))
        if first["counting"] == "reps":
            assert said.count("[2 s]") == 2 * int(ticks(response)[-2]["count"])
        if response["response"].get("shouldEndSession"):
            break
        response = device.intent("ReadyIntent")
    assert [card["state"] for card in shown] == ["Hold", "Routine complete"]
    assert "That's the whole lower back routine." in said


def test_welcome_back_shows_the_stretch_it_names(skill_env: SkillEnv) -> None:
    device = skill_env.device(screen=True)
    device.intent("StartRoutineIntent")
    for _ in range(4):
        device.intent("ReadyIntent")  # on to the table hamstring stretch, right leg
    device.end_session()
    response = device.launch()
    card = cards(response)[0]
    assert "You were on the table hamstring stretch, right leg." in spoken(response)
    assert (card["state"], card["title"], card["side"]) == (
        "Welcome back",
        "Table hamstring stretch",
        "Right leg",
    )
    assert card["picture"] == "table_hamstring_right"
    assert [b["label"] for b in card["buttons"]] == ["Continue", "Start over"]


def test_it_hurts_clears_the_exercise_from_the_screen(skill_env: SkillEnv) -> None:
    device = skill_env.device(screen=True)
    device.intent("StartRoutineIntent")
    device.intent("ReadyIntent")
    device.intent("ReadyIntent")
    response = device.intent("PainIntent")
    (card,) = cards(response)
    assert card["state"] == "Stopped" and card["cue"] in spoken(response)
    assert card["counting"] == "" and card["buttons"] == []


def test_in_every_reply_the_cue_on_screen_is_a_line_alexa_says() -> None:
    for state, event, reply in REPLIES:
        said = " ".join(segment.text for segment in reply.speech if isinstance(segment, Say))
        assert reply.screen is not None
        for card in (reply.screen.card, reply.screen.then):
            if card is not None and card.cue:
                assert card.cue in said, (state, event, card.cue)
