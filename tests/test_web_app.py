"""The Flask app: the verified Alexa endpoint, health, configuration, and bad input."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from skill import __version__
from skill.config import ConfigError, Settings
from skill.simulator.envelopes import DEFAULT_SKILL_ID, SimulatedDevice, launch_request
from skill.web import chain_validator, create_app, gunicorn_conf
from skill.web.app import production_app
from skill.web.verification import SIGNATURE_256_HEADER, SIGNATURE_HEADER
from tests.support.http_alexa import signed_handler
from tests.support.skill_env import LOWER_BACK_SILENCES, spoken, whole_routine
from tests.support.test_ca import CERT_URL, AlexaTestCA, StaticFetcher, default_ca, default_leaf
from tests.support.test_ca import signed_headers as sign

USER = "amzn1.ask.account.WEB-USER"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    roots = tmp_path / "roots.pem"
    roots.write_bytes(default_ca().root_pem)
    return Settings(
        skill_id=DEFAULT_SKILL_ID,
        db_path=tmp_path / "progress.sqlite3",
        trusted_roots=roots,
        trusted_roots_only=True,
    )


@pytest.fixture
def fetcher() -> StaticFetcher:
    return StaticFetcher(default_leaf().chain_pem)


@pytest.fixture
def app(settings: Settings, fetcher: StaticFetcher) -> Flask:
    return create_app(settings, fetcher=fetcher)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def flask_post(client: FlaskClient):
    def post(body: bytes, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
        response = client.post(
            "/alexa", data=body, headers=headers, content_type="application/json"
        )
        return response.status_code, response.get_json(silent=True) or {}

    return post


def launch_body(**changes: Any) -> bytes:
    device = SimulatedDevice(lambda e, c: {}, user_id=USER)
    event = launch_request(device.info)
    event["request"].update(changes)
    return json.dumps(event).encode()


def test_health_answers_with_the_version(client: FlaskClient) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "version": __version__}


def test_a_whole_routine_over_signed_requests(client: FlaskClient, fetcher: StaticFetcher) -> None:
    device = SimulatedDevice(signed_handler(flask_post(client)), user_id=USER)
    holds, last = whole_routine(device)
    assert "That's your first completed routine." in spoken(last)
    assert holds == LOWER_BACK_SILENCES
    assert len(fetcher.urls) == 1  # the chain was downloaded once and cached


def post_raw(client: FlaskClient, body: bytes, headers: dict[str, str], **kw: Any):
    return client.post(
        "/alexa", data=body, headers=headers, **{"content_type": "application/json", **kw}
    )


def assert_rejected(response, status: int, reason: str, caplog: pytest.LogCaptureFixture) -> None:
    assert response.status_code == status
    assert "Traceback" not in response.get_data(as_text=True)
    lines = [r.getMessage() for r in caplog.records if "rejected Alexa request" in r.getMessage()]
    assert lines and reason in lines[-1] and "\n" not in lines[-1]


def other_ca_leaf():
    return AlexaTestCA("Other").issue_leaf()


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda b: (b + b" ", sign(b)), "signature"),
        (lambda b: (b, sign(b, leaf=default_ca().issue_leaf(other_key=True))), "signature"),
        (
            lambda b: (b, {k: v for k, v in sign(b).items() if k != SIGNATURE_256_HEADER}),
            "Signature-256",
        ),
        (
            lambda b: (b, {SIGNATURE_HEADER: "c2lnbmF0dXJl", "SignatureCertChainUrl": CERT_URL}),
            "Signature-256",
        ),
        (lambda b: (b, {}), "SignatureCertChainUrl"),
        (lambda b: (b, sign(b, cert_url="http://s3.amazonaws.com/echo.api/x.pem")), "https"),
        (
            lambda b: (b, sign(b, cert_url="https://s3.amazonaws.com/echo.api/../evil/x.pem")),
            "/echo.api/",
        ),
        (lambda b: (b, sign(b, cert_url="https://s3.amazonaws.com:8443/echo.api/x.pem")), "port"),
    ],
    ids=["tampered", "other-key", "no-sha256", "sha1-only", "no-headers", "http", "dotdot", "port"],
)
def test_unverifiable_requests_get_400_with_a_logged_reason(
    client: FlaskClient, caplog: pytest.LogCaptureFixture, make, reason: str
) -> None:
    caplog.set_level(logging.WARNING)
    body, headers = make(launch_body())
    assert_rejected(post_raw(client, body, headers), 400, reason, caplog)


def test_untrusted_chain_is_rejected(
    client: FlaskClient, fetcher: StaticFetcher, caplog: pytest.LogCaptureFixture
) -> None:
    leaf = other_ca_leaf()
    fetcher.pem = leaf.chain_pem
    body = launch_body()
    response = post_raw(
        client, body, sign(body, cert_url=CERT_URL.replace("cert", "other"), leaf=leaf)
    )
    assert_rejected(response, 400, "certificate chain", caplog)


@pytest.mark.parametrize("offset", [-151, 151, -3600])
def test_stale_and_future_timestamps_are_rejected(
    client: FlaskClient, caplog: pytest.LogCaptureFixture, offset: int
) -> None:
    stamp = datetime.now(timezone.utc) + timedelta(seconds=offset)
    body = launch_body(timestamp=stamp.strftime("%Y-%m-%dT%H:%M:%SZ"))
    assert_rejected(post_raw(client, body, sign(body)), 400, "timestamp", caplog)


def test_another_skill_id_is_rejected(
    client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    event = json.loads(launch_body())
    event["context"]["System"]["application"]["applicationId"] = "amzn1.ask.skill.someone-else"
    event["session"]["application"]["applicationId"] = "amzn1.ask.skill.someone-else"
    body = json.dumps(event).encode()
    assert_rejected(post_raw(client, body, sign(body)), 400, "applicationId", caplog)


def test_certificate_fetch_failure_is_rejected(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    def failing(url: str) -> bytes:
        raise TimeoutError("timed out")

    client = create_app(settings, fetcher=failing).test_client()
    body = launch_body()
    assert_rejected(post_raw(client, body, sign(body)), 400, "", caplog)


def test_bodies_that_are_not_json_or_too_large(
    client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    assert_rejected(post_raw(client, b"{not json", {}), 400, "not JSON", caplog)
    assert_rejected(post_raw(client, b"[1, 2]", {}), 400, "not a JSON object", caplog)
    response = client.post("/alexa", data=b"{}", content_type="text/plain")
    assert_rejected(response, 415, "content type", caplog)
    huge = b'{"padding": "' + b"x" * (130 * 1024) + b'"}'
    assert_rejected(post_raw(client, huge, {}), 413, "over the limit", caplog)


@pytest.mark.parametrize(
    "bend",
    [
        lambda body: body.replace(b'"version": "1.0"', b'"version": NaN', 1),
        lambda body: body.replace(b'"version": "1.0"', b'"version": 1e400', 1),
        lambda body: body.replace(b'"locale": "en-US"', b'"locale": "en-\\ud800"', 1),
        lambda body: b"\xef\xbb\xbf" + body,
    ],
    ids=["NaN", "float-overflow", "lone-surrogate", "byte-order-mark"],
)
def test_signed_bodies_that_are_not_strict_json_are_refused(
    client: FlaskClient, caplog: pytest.LogCaptureFixture, bend: Callable[[bytes], bytes]
) -> None:
    """What Python's json module would accept but RFC 8259 JSON is not: a 400, even signed."""
    caplog.set_level(logging.WARNING)
    body = bend(launch_body())
    assert body != launch_body()
    assert_rejected(post_raw(client, body, sign(body)), 400, "not JSON", caplog)


def test_a_rejected_request_changes_no_progress(client: FlaskClient, settings: Settings) -> None:
    device = SimulatedDevice(signed_handler(flask_post(client)), user_id=USER)
    device.launch()
    device.intent("StartRoutineIntent")
    stored = settings.db_path.read_bytes()
    forged = json.loads(launch_body())
    forged["request"] = {
        **forged["request"],
        "type": "IntentRequest",
        "intent": {"name": "AMAZON.StartOverIntent", "confirmationStatus": "NONE"},
    }
    body = json.dumps(forged).encode()
    assert post_raw(client, body, sign(body + b"x")).status_code == 400
    assert settings.db_path.read_bytes() == stored


def test_verification_off_accepts_unsigned_requests_and_warns_once_at_start(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    client = create_app(
        Settings(db_path=settings.db_path, verify=False, skill_id=DEFAULT_SKILL_ID)
    ).test_client()
    assert [r.getMessage() for r in caplog.records if "NOT checked" in r.getMessage()]
    caplog.clear()
    for _ in range(3):
        response = post_raw(client, launch_body(), {})
        assert response.status_code == 200
        assert spoken(response.get_json()).startswith("Welcome")
    assert caplog.records == []  # the start-up warning is not repeated per request


def test_production_refuses_to_start_without_a_skill_id(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="SKILL_ID must be set"):
        create_app(Settings(db_path=tmp_path / "p.sqlite3"))
    assert create_app(Settings(db_path=tmp_path / "p.sqlite3"), local=True)


def test_trusted_roots_without_a_certificate_stop_the_start_with_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    roots = tmp_path / "roots.pem"
    roots.write_text("-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n")
    monkeypatch.setenv("SKILL_ID", DEFAULT_SKILL_ID)
    monkeypatch.setenv("SKILL_DB", str(tmp_path / "p.sqlite3"))
    monkeypatch.setenv("SKILL_TRUSTED_ROOTS", str(roots))
    with pytest.raises(SystemExit) as stopped:
        production_app()
    assert stopped.value.code == 4  # gunicorn's "the app cannot load": it halts
    assert capsys.readouterr().err == (
        "back-stretches: configuration error: cannot verify Alexa's requests with "
        f"SKILL_TRUSTED_ROOTS={roots}: trusted roots PEM holds no certificate\n"
    )


def test_a_chain_check_that_cannot_run_stops_the_start_with_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(chain_validator, "helper_command", lambda: ["/nonexistent/python3"])
    monkeypatch.setenv("SKILL_ID", DEFAULT_SKILL_ID)
    monkeypatch.setenv("SKILL_DB", str(tmp_path / "p.sqlite3"))
    with pytest.raises(SystemExit) as stopped:
        production_app()
    assert stopped.value.code == 4
    error = capsys.readouterr().err
    assert error.startswith(
        "back-stretches: configuration error: cannot verify Alexa's requests: "
        "certificate chain check could not start: "
    )
    assert error.count("\n") == 1


def test_the_simulator_is_off_unless_asked_for(client: FlaskClient) -> None:
    assert client.get("/").status_code == 404
    assert client.post("/simulator/turn", json={"action": "launch"}).status_code == 404


def test_loading_the_production_app_opens_no_store_and_starts_no_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """gunicorn loads the app in the master and forks the workers from it (preload_app): a
    connection or a thread made while loading would be shared by, or missing from, every
    worker."""
    db_path = tmp_path / "data" / "progress.sqlite3"
    monkeypatch.setenv("SKILL_ID", DEFAULT_SKILL_ID)
    monkeypatch.setenv("SKILL_DB", str(db_path))
    threads = set(threading.enumerate())
    app = production_app()
    assert gunicorn_conf.preload_app
    assert set(threading.enumerate()) == threads
    assert not db_path.parent.exists()  # the store opens its file on the first request
    response = app.test_client().get("/health")
    assert response.status_code == 200
