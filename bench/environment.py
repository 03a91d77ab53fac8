"""The environment the skill reads (`skill.config.Settings`), for children and in-process."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from skill.simulator.envelopes import DEFAULT_SKILL_ID
from tests.support.servers import ROOT


def skill_env(db_path: Path, **extra: str) -> dict[str, str]:
    """os.environ without any SKILL_* or Lambda setting, plus this skill on db_path."""
    clean = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("SKILL_") and name != "AWS_LAMBDA_FUNCTION_NAME"
    }
    return {
        **clean,
        "SKILL_ID": DEFAULT_SKILL_ID,
        "SKILL_DB": str(db_path),
        "PYTHONPATH": str(ROOT),
        **extra,
    }


@contextmanager
def in_process(db_path: Path, **extra: str) -> Iterator[None]:
    """os.environ set to skill_env(db_path, **extra) inside the block, restored after."""
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(skill_env(db_path, **extra))
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)
