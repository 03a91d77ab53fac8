"""`python -m skill serve`: the web service under gunicorn, started from Python, with the
browser simulator on unless SKILL_SIMULATOR=0."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication
from msgspec.structs import replace

from skill.config import Settings
from skill.web import gunicorn_conf
from skill.web.app import create_app


class StandaloneServer(BaseApplication):  # type: ignore[misc]
    def __init__(self, app: Flask, options: dict[str, Any]) -> None:
        self.application, self.options = app, options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return self.application


def serve(host: str, port: int) -> None:
    settings = Settings.from_env()
    if "SKILL_SIMULATOR" not in os.environ:
        settings = replace(settings, simulator=True)
    app = create_app(settings, local=True)
    print(f"Back Stretches is listening on http://{host}:{port}/", flush=True)
    if settings.simulator:
        print(f"Open http://{host}:{port}/ in a browser to try the skill.", flush=True)
    print(f"Alexa endpoint: POST http://{host}:{port}/alexa", flush=True)
    shared = ("worker_class", "threads", "timeout", "graceful_timeout", "keepalive")
    options = {name: getattr(gunicorn_conf, name) for name in (*shared, "control_socket_disable")}
    options.update(bind=f"{host}:{port}", workers=1, accesslog="-", loglevel="info")
    StandaloneServer(app, options).run()
