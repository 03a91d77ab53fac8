"""A local stand-in for Alexa's service APIs, over HTTPS with a throwaway CA (trustme): the
Settings API's time zone and the Reminders API, as Amazon's API references describe them.
Amazon offers no emulator for them; the tests and `python -m skill console --alexa-api` use this.

Every request is checked against the reference (method, path, bearer token, JSON fields);
anything off is recorded in `problems` and answered 400, so a test that ends with
`assert api.problems == []` proves the skill called the API the documented way. Reminders are
kept in memory; `granted` says whether the user allowed them (else the API answers 401), and
`fail` makes an endpoint answer an error or hang.

    with AlexaApiServer(folder) as api:      # sets nothing globally
        os.environ["REQUESTS_CA_BUNDLE"] = str(api.ca_file)
        device = SimulatedDevice(..., api_endpoint=api.url)
"""

from __future__ import annotations

import json
import re
import ssl
import threading
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from skill.simulator.envelopes import SIMULATED_ACCESS_TOKEN
from skill.simulator.loopback import LoopbackServer

TIME_ZONE_PATH = re.compile(r"^/v2/devices/(?P<device>[^/]+)/settings/System\.timeZone$")
REMINDERS_PATH = "/v1/alerts/reminders"
REMINDER_PATH = re.compile(r"^/v1/alerts/reminders/(?P<token>[^/]+)$")
LOCAL_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?$")  # no offset
RULE = re.compile(r"^FREQ=(DAILY|WEEKLY)(;[A-Z]+=[A-Z0-9,]+)*;?$")


@dataclass
class Failure:
    """An answer to give instead of the real one: an HTTP status and error body, or a hang."""

    status: int = 500
    code: str = "INTERNAL_SERVER_ERROR"
    hang: bool = False  # accept the request and never answer (until the server stops)


@dataclass
class Call:
    method: str
    path: str
    body: Any


@dataclass
class AlexaApiServer(LoopbackServer):
    folder: Path
    time_zone: str = "America/Los_Angeles"
    reminders: dict[str, dict[str, Any]] = field(default_factory=dict)  # alertToken -> reminder
    calls: list[Call] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    fail: dict[str, Failure] = field(default_factory=dict)  # "timezone" / "reminders" -> failure
    granted: bool = False  # whether the user allowed reminders (else the API answers 401)

    def __post_init__(self) -> None:
        try:
            import trustme  # a development dependency: only tests and the console start this
        except ImportError as error:
            raise RuntimeError(
                "the local Alexa API needs trustme: run scripts/setup.sh --dev"
            ) from error

        ca = trustme.CA()
        self.ca_file = self.folder / "alexa-api-ca.pem"
        ca.cert_pem.write_to_path(str(self.ca_file))
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ca.issue_cert("localhost").configure_cert(context)
        self.url = f"https://localhost:{self._serve(self._handler(), context)}"
        self._lock = threading.Lock()

    def calls_to(self, method: str, prefix: str) -> list[Call]:
        return [c for c in self.calls if c.method == method and c.path.startswith(prefix)]

    # -- the endpoints ------------------------------------------------------------------

    def answer(
        self, method: str, path: str, headers: dict[str, str], raw: bytes
    ) -> tuple[int, Any]:
        body = json.loads(raw) if raw else None
        with self._lock:
            self.calls.append(Call(method, path, body))
        if headers.get("authorization") != f"Bearer {SIMULATED_ACCESS_TOKEN}":
            return self._problem(
                f"{method} {path}: no bearer token: {headers.get('authorization')}"
            )
        if (match := TIME_ZONE_PATH.match(path)) and method == "GET":
            if not match["device"].startswith("amzn1.ask.device."):
                return self._problem(
                    f"time zone for a device id Alexa never sends: {match['device']}"
                )
            return self._failure("timezone") or (200, self.time_zone)
        if not path.startswith(REMINDERS_PATH):
            return self._problem(f"{method} {path}: no such endpoint")
        failure = self._failure("reminders")
        if failure:
            return failure
        if not self.granted:
            return 401, {"code": "UNAUTHORIZED", "message": "Request not authorized."}
        if path == REMINDERS_PATH and method == "POST":
            return self._create(headers, body)
        if path == REMINDERS_PATH and method == "GET":
            alerts = list(self.reminders.values())
            return 200, {"totalCount": str(len(alerts)), "alerts": alerts, "links": None}
        if (match := REMINDER_PATH.match(path)) and method == "DELETE":
            if self.reminders.pop(match["token"], None) is None:
                return 404, {"code": "NOT_FOUND", "message": "No such reminder."}
            return 200, None
        return self._problem(f"{method} {path}: not a Reminders API call")

    def _create(self, headers: dict[str, str], body: Any) -> tuple[int, Any]:
        if "json" not in headers.get("content-type", ""):
            return self._problem("reminder posted without a JSON content type")
        problems = reminder_problems(body)
        if problems:
            return self._problem("; ".join(problems))
        token = str(uuid.uuid4())
        reminder = {
            "alertToken": token,
            "createdTime": "2026-11-23T18:00:00.000Z",
            "updatedTime": "2026-11-23T18:00:00.000Z",
            "trigger": body["trigger"],
            "status": "ON",
            "alertInfo": body["alertInfo"],
            "pushNotification": body["pushNotification"],
            "version": "1",
        }
        self.reminders[token] = reminder
        return 201, {
            "alertToken": token,
            "createdTime": reminder["createdTime"],
            "updatedTime": reminder["updatedTime"],
            "status": "ON",
            "version": "1",
            "href": f"{REMINDERS_PATH}/{token}",
        }

    def _failure(self, kind: str) -> tuple[int, Any] | None:
        failure = self.fail.get(kind)
        if failure is None:
            return None
        if failure.hang:
            self._stopping.wait(10)
            return 504, None
        return failure.status, {"code": failure.code, "message": "failure made by the test"}

    def _problem(self, text: str) -> tuple[int, Any]:
        self.problems.append(text)
        return 400, {"code": "INVALID_REQUEST", "message": text}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as Alexa's API hosts do
            disable_nagle_algorithm = True

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                headers = {k.lower(): v for k, v in self.headers.items()}
                status, payload = server.answer(self.command, self.path, headers, raw)
                data = b"" if payload is None else json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:  # the client gave up (a timeout test)
                    pass

            do_GET = do_POST = do_DELETE = do_PUT = _serve

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler


def reminder_problems(body: Any) -> list[str]:
    """How a POST /v1/alerts/reminders body departs from Amazon's Reminders API reference."""
    if not isinstance(body, dict):
        return ["body is not a JSON object"]
    problems = []
    if not isinstance(body.get("requestTime"), str) or not LOCAL_TIME.match(body["requestTime"]):
        problems.append(f"requestTime {body.get('requestTime')!r}")
    trigger = body.get("trigger") or {}
    if trigger.get("type") != "SCHEDULED_ABSOLUTE":
        problems.append(f"trigger.type {trigger.get('type')!r}")
    if not LOCAL_TIME.match(str(trigger.get("scheduledTime", ""))):
        problems.append(
            f"trigger.scheduledTime {trigger.get('scheduledTime')!r} (local, no offset)"
        )
    try:
        ZoneInfo(str(trigger.get("timeZoneId")))
    except (ZoneInfoNotFoundError, ValueError):
        problems.append(f"trigger.timeZoneId {trigger.get('timeZoneId')!r}")
    recurrence = trigger.get("recurrence") or {}
    rules = recurrence.get("recurrenceRules")
    if not (isinstance(rules, list) and rules and all(RULE.match(str(r)) for r in rules)):
        problems.append(f"recurrence.recurrenceRules {rules!r}")
    if "freq" in recurrence or "byDay" in recurrence:
        problems.append("deprecated recurrence.freq / byDay")
    if not LOCAL_TIME.match(str(recurrence.get("startDateTime", ""))):
        problems.append(f"recurrence.startDateTime {recurrence.get('startDateTime')!r}")
    content = ((body.get("alertInfo") or {}).get("spokenInfo") or {}).get("content")
    if not (isinstance(content, list) and content) or not all(
        isinstance(c, dict) and c.get("locale") and c.get("text") for c in content
    ):
        problems.append(f"alertInfo.spokenInfo.content {content!r}")
    if (body.get("pushNotification") or {}).get("status") != "ENABLED":
        problems.append(f"pushNotification {body.get('pushNotification')!r}")
    return problems
