"""A text console that talks to the skill like an Alexa device would.

What you type is resolved to an intent with the interaction model's own samples, sent as a
real request envelope through the Lambda entry, and Alexa's answer is printed with its
silences shown as "[30 s]". Progress is kept in the configured store between runs.

With `alexa_api`, a local stand-in for Alexa's Settings and Reminders APIs runs beside it
(`skill.simulator.alexa_api`), so time zones and reminders work offline, and the console asks
the reminders permission the way Alexa's consent task would.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any, TextIO

from skill.alexa.reminders import REMINDERS_SCOPE
from skill.simulator.alexa_api import AlexaApiServer
from skill.simulator.envelopes import ListeningClock, SimulatedDevice
from skill.simulator.lambda_entry import load_lambda_module
from skill.simulator.resolver import Resolver, normalise
from skill.speech.readable import readable

CONSOLE_USER = "amzn1.ask.account.CONSOLE-USER"
INVOCATION = "back stretches"
_LAUNCH = re.compile(rf"^(?:alexa )?(?:open|start|launch|begin|talk to|run|load|do) {INVOCATION}$")
_ONE_SHOT = re.compile(rf"^(?:alexa )?(?:ask|tell) {INVOCATION} (?:to |for |about )?(?P<rest>.+)$")
BANNER = f"""Talk to {INVOCATION.title()} as you would to Alexa. Try "open {INVOCATION}".
Commands: /timeout (stay silent until Alexa closes the session), /quit."""


CONSENT_QUESTION = "Alexa asks: Do you allow Back Stretches to create reminders for you?"
CONSENT_ANSWERS = {"yes": "ACCEPTED", "no": "DENIED", "": "NOT_ANSWERED"}


class Console:
    """One person at one device: turns typed lines into requests and prints the replies."""

    def __init__(
        self,
        device: SimulatedDevice,
        resolver: Resolver,
        out: TextIO,
        api: AlexaApiServer | None = None,
    ) -> None:
        self.device, self.resolver, self.out, self.api = device, resolver, out, api
        self.consent_token: str | None = None  # a consent question is waiting for an answer

    def handle_line(self, line: str) -> bool:
        """Act on one typed line; False when the person is done."""
        command, text = line.strip().lower(), normalise(line)
        if self.consent_token is not None:
            self.answer_consent(text)
            return True
        if not text:
            return True
        if command in ("/quit", "quit", "exit"):
            if self.device.session_open:
                self.device.end_session("USER_INITIATED")
            return False
        if command == "/timeout":
            if self.device.session_open:
                self.device.end_session("EXCEEDED_MAX_REPROMPTS")
                self.note("Alexa closed the session after hearing nothing.")
            return True
        one_shot = _ONE_SHOT.match(text)
        if _LAUNCH.match(text):
            self.show(self.device.launch())
        elif one_shot:
            self.show(self.device.say(one_shot.group("rest"), self.resolver))
        else:
            if not self.device.session_open:
                self.note(f'The session is closed: sent as "Alexa, ask {INVOCATION}: {text}".')
            self.show(self.device.say(text, self.resolver))
        return True

    def show(self, response: dict[str, Any]) -> None:
        body = response.get("response", {})
        speech = body.get("outputSpeech")
        if speech:
            print(f"Alexa: {readable(speech['ssml'])}", file=self.out)
        if body.get("card", {}).get("type") == "AskForPermissionsConsent":
            self.note("a card in the Alexa app asks for the reminders permission")
        connections = [
            d for d in body.get("directives", []) if d["type"] == "Connections.StartConnection"
        ]
        if connections:
            self.consent_token = connections[0].get("token", "")
            print(f"{CONSENT_QUESTION} (yes or no)", file=self.out)
            return
        self.note("listening" if self.device.session_open else "session ended")

    def answer_consent(self, text: str) -> None:
        """The person's answer to Alexa's consent question, handed back to the skill."""
        token, self.consent_token = self.consent_token or "", None
        result = CONSENT_ANSWERS.get(text.split()[0] if text else "", "NOT_ANSWERED")
        if result == "ACCEPTED" and self.api is not None:
            self.api.granted = True
            self.device.grant(REMINDERS_SCOPE)
        self.show(self.device.resume(token, result))

    def note(self, text: str) -> None:
        print(f"  ({text})", file=self.out)


def _restore_env(name: str, value: str | None) -> None:
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value


def run(
    read_line: Callable[[], str] | None = None,
    out: TextIO = sys.stdout,
    user_id: str = CONSOLE_USER,
    alexa_api: bool = False,
    time_zone: str = "UTC",
) -> None:
    """Read lines until EOF or /quit. `read_line` raises EOFError at the end. `alexa_api` runs
    the local Settings and Reminders APIs, the device set to `time_zone`."""
    handler = load_lambda_module().lambda_handler
    with ExitStack() as stack:
        api = None
        if alexa_api:
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory()))
            api = stack.enter_context(AlexaApiServer(folder, time_zone=time_zone))
            stack.callback(_restore_env, "REQUESTS_CA_BUNDLE", os.environ.get("REQUESTS_CA_BUNDLE"))
            os.environ["REQUESTS_CA_BUNDLE"] = str(api.ca_file)  # the skill runs in-process
        device = SimulatedDevice(
            handler,
            user_id=user_id,
            api_endpoint=api and api.url,
            clock=ListeningClock(),
            listening=True,
        )
        console = Console(device, Resolver.default(), out, api)
        read = read_line or (lambda: input("you> "))
        print(BANNER, file=out)
        while True:
            try:
                line = read()
            except (EOFError, KeyboardInterrupt):
                console.handle_line("/quit")
                print(file=out)
                return
            if not console.handle_line(line):
                return
