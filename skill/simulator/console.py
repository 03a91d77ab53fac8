"""A text console that talks to the skill like an Alexa device would.

What you type is resolved to an intent with the interaction model's own samples, sent as a
real request envelope through the Lambda entry, and Alexa's answer is printed with its
silences shown as "[30 s]". Progress is kept in the configured store between runs.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from typing import Any, TextIO

from skill.simulator.envelopes import SimulatedDevice
from skill.simulator.lambda_entry import load_lambda_module
from skill.simulator.resolver import Resolver, normalise
from skill.speech.readable import readable

CONSOLE_USER = "amzn1.ask.account.CONSOLE-USER"
INVOCATION = "back stretches"
_LAUNCH = re.compile(rf"^(?:alexa )?(?:open|start|launch|begin|talk to|run|load|do) {INVOCATION}$")
_ONE_SHOT = re.compile(rf"^(?:alexa )?(?:ask|tell) {INVOCATION} (?:to |for |about )?(?P<rest>.+)$")
BANNER = f"""Talk to {INVOCATION.title()} as you would to Alexa. Try "open {INVOCATION}".
Commands: /timeout (stay silent until Alexa closes the session), /quit."""


class Console:
    """One person at one device: turns typed lines into requests and prints the replies."""

    def __init__(self, device: SimulatedDevice, resolver: Resolver, out: TextIO) -> None:
        self.device, self.resolver, self.out = device, resolver, out

    def handle_line(self, line: str) -> bool:
        """Act on one typed line; False when the person is done."""
        command, text = line.strip().lower(), normalise(line)
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
        self.note("listening" if self.device.session_open else "session ended")

    def note(self, text: str) -> None:
        print(f"  ({text})", file=self.out)


def run(
    read_line: Callable[[], str] | None = None,
    out: TextIO = sys.stdout,
    user_id: str = CONSOLE_USER,
) -> None:
    """Read lines until EOF or /quit. `read_line` raises EOFError at the end."""
    handler = load_lambda_module().lambda_handler
    console = Console(SimulatedDevice(handler, user_id=user_id), Resolver.default(), out)
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
