"""Command line: `python -m skill serve` (the web service and browser simulator) and
`python -m skill console` (talk to the skill in a terminal)."""

from __future__ import annotations

import argparse
import logging
import sys

from skill.config import ConfigError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m skill", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    console = commands.add_parser("console", help="talk to the skill in this terminal")
    console.add_argument("--user", default=None, help="the simulated Alexa user ID")
    console.add_argument(
        "--alexa-api",
        action="store_true",
        help="run local stand-ins for Alexa's Settings and Reminders APIs (needs trustme)",
    )
    console.add_argument(
        "--time-zone", default="UTC", help="the device's time zone, with --alexa-api"
    )
    serve = commands.add_parser("serve", help="run the web service with the browser simulator")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on")
    args = parser.parse_args(argv)
    quiet = args.command == "console"
    logging.basicConfig(
        level=logging.WARNING if quiet else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        if args.command == "serve":
            from skill.web.server import serve as run_server

            run_server(args.host, args.port)
        elif args.command == "console":
            from skill.simulator import console as text_console

            try:
                text_console.run(
                    user_id=args.user or text_console.CONSOLE_USER,
                    alexa_api=args.alexa_api,
                    time_zone=args.time_zone,
                )
            except RuntimeError as error:  # the local Alexa API stand-in could not start
                print(f"console: {error}", file=sys.stderr)
                return 2
    except ConfigError as error:
        print(f"back-stretches: configuration error: {error}", file=sys.stderr, flush=True)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
