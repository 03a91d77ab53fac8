"""The simulator's turn endpoint: the page gets the screen data of the APL document the skill
sent (the same cards, ticks and pictures), and a touch reaches the skill as a UserEvent."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from skill.config import Settings
from skill.content.loader import default_catalog
from skill.conversation import replies
from skill.conversation.state import DialogueState, Phase
from skill.speech.visuals import render_document
from skill.web import create_app


@pytest.fixture
def client(tmp_path: Path) -> FlaskClient:
    settings = Settings(
        db_path=tmp_path / "progress.sqlite3",
        simulator=True,
        simulator_db_path=tmp_path / "simulator.sqlite3",
    )
    return create_app(settings, local=True).test_client()


def turn(client: FlaskClient, session: dict | None, **body: object) -> dict:
    response = client.post("/simulator/turn", json={**body, "session": session})
    assert response.status_code == 200
    return response.get_json()


def test_the_page_gets_the_screen_data_of_the_apl_document(client: FlaskClient) -> None:
    started = turn(client, None, action="touch", button="start")
    held = turn(client, started["session"], action="touch", button="ready")
    said = " ".join(moment.get("say", "") for moment in held["speech"])
    assert said.startswith("Hold for thirty seconds.")
    catalog = default_catalog()
    position = replies.position_of(DialogueState("lower_back", 0, 0, Phase.HOLDING), catalog)
    directive = render_document(replies.step_done(position))
    assert directive is not None
    sent = json.loads(json.dumps(directive["datasources"]["payload"]["screen"]))  # as on the wire
    assert held["screen"]["cards"] == sent["cards"]
    assert held["screen"]["ticks"] == sent["ticks"]
    assert held["screen"]["pictures"] == {
        "toe_reach": directive["document"]["graphics"]["toe_reach"]
    }


@pytest.mark.parametrize("button", [None, "", 7, "x" * 41])
def test_a_touch_without_a_button_is_refused(client: FlaskClient, button: object) -> None:
    response = client.post("/simulator/turn", json={"action": "touch", "button": button})
    assert response.status_code == 400


def test_an_unknown_button_is_answered_by_the_skill(client: FlaskClient) -> None:
    started = turn(client, None, action="touch", button="start")
    reply = turn(client, started["session"], action="touch", button="dance")
    assert reply["speech"][0]["say"].startswith("Sorry, I didn't catch that.")
    assert reply["session"] is not None
