"""Assembles the ask-sdk skill: handlers, progress interceptors, store. Hosting-agnostic:
the Lambda entry and the web service serve the same object."""

from __future__ import annotations

from ask_sdk_core.skill import CustomSkill
from ask_sdk_core.skill_builder import CustomSkillBuilder

from skill.alexa.api_client import TimeoutApiClient
from skill.alexa.handlers import ApologyHandler, request_handlers
from skill.alexa.progress import LoadProgress, SaveProgress
from skill.content.loader import default_catalog
from skill.content.model import Catalog
from skill.storage.base import ProgressStore


def build_skill(
    store: ProgressStore, skill_id: str | None = None, catalog: Catalog | None = None
) -> CustomSkill:
    catalog = catalog or default_catalog()
    builder = CustomSkillBuilder(persistence_adapter=store, api_client=TimeoutApiClient())
    builder.skill_id = skill_id
    for handler in request_handlers(catalog):
        builder.add_request_handler(handler)
    builder.add_exception_handler(ApologyHandler(catalog))
    builder.add_global_request_interceptor(LoadProgress(catalog))
    builder.add_global_response_interceptor(SaveProgress())
    return builder.create()
