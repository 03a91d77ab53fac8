"""Settings from the environment: one place that reads os.environ."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

PROJECT_DATA_DIR = Path(__file__).resolve().parent.parent / "data"
LAMBDA_DB_PATH = Path("/tmp/back-stretches.sqlite3")  # the only writable place on Lambda
STORES = ("sqlite", "dynamodb")


class ConfigError(ValueError):
    """A setting has a value the skill cannot run with."""


@dataclass(frozen=True)
class Settings:
    skill_id: str | None = None  # requests for any other skill are refused
    store: str = "sqlite"
    db_path: Path = PROJECT_DATA_DIR / "progress.sqlite3"
    table: str = "back-stretches-progress"
    verify: bool = True  # web service: check Alexa's signature and timestamp
    trusted_roots: Path | None = None  # web service: a PEM of extra trust anchors

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        on_lambda = bool(env.get("AWS_LAMBDA_FUNCTION_NAME"))
        store = env.get("SKILL_STORE", "sqlite").strip().lower()
        if store not in STORES:
            raise ConfigError(f"SKILL_STORE must be one of {', '.join(STORES)}, not {store!r}")
        verify = env.get("SKILL_VERIFY", "1").strip()
        if verify not in ("0", "1"):
            raise ConfigError(f"SKILL_VERIFY must be 0 or 1, not {verify!r}")
        default_db = LAMBDA_DB_PATH if on_lambda else cls.db_path
        roots = env.get("SKILL_TRUSTED_ROOTS", "").strip()
        return cls(
            skill_id=env.get("SKILL_ID", "").strip() or None,
            store=store,
            db_path=Path(env.get("SKILL_DB", "").strip() or default_db),
            table=env.get("SKILL_TABLE", "").strip() or cls.table,
            verify=verify == "1",
            trusted_roots=Path(roots) if roots else None,
        )
