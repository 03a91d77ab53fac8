"""The production WSGI entry for gunicorn: `skill.web.wsgi:application`.

A configuration error (SKILL_ID unset, a bad SKILL_STORE, unreadable trust roots) is printed
as one line per worker, and the exit status tells gunicorn's master to stop rather than start
the worker again and again.
"""

from __future__ import annotations

import sys

from flask import Flask

from skill.config import ConfigError
from skill.web.app import create_app

APP_LOAD_ERROR = 4  # the exit status gunicorn's master reads as "the app cannot load": it halts


def production_app() -> Flask:
    try:
        return create_app()
    except ConfigError as error:
        print(f"back-stretches: configuration error: {error}", file=sys.stderr, flush=True)
        raise SystemExit(APP_LOAD_ERROR) from None


application = production_app()
