"""Command line: `python -m skill console` (talk to the skill in a terminal)."""

from __future__ import annotations

import argparse
import logging
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m skill", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    console = commands.add_parser("console", help="talk to the skill in this terminal")
    console.add_argument("--user", default=None, help="the simulated Alexa user ID")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if args.command == "console":
        from skill.simulator import console as text_console

        text_console.run(user_id=args.user or text_console.CONSOLE_USER)
    return 0


if __name__ == "__main__":
    sys.exit(main())
