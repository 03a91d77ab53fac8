"""AWS Lambda entry point (the ASK CLI convention): `lambda_function.lambda_handler`.

The skill is built once per container and reused by warm invocations. This module imports
nothing of the web service (no Flask).
"""

from __future__ import annotations

import logging
from typing import Any

from skill.startup import collector_paused

logging.getLogger().setLevel(logging.INFO)
log = logging.getLogger("lambda_function")

with collector_paused():  # the cold start: imports and the skill, all kept for the container
    from skill.alexa.entry import RequestRejected, handle_event
    from skill.alexa.skill import build_skill
    from skill.budget import request_budget
    from skill.config import Settings
    from skill.storage.factory import make_store

    _settings = Settings.from_env()
    _skill = build_skill(make_store(_settings), skill_id=_settings.skill_id)


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    try:
        with request_budget():
            return handle_event(_skill, event, context)
    except RequestRejected as error:
        log.warning("rejected request: %s", error)
        raise
