"""Settings from the environment: one place that reads os.environ.

Paths are plain strings (os.path), not pathlib: this runs on every Lambda cold start, where
importing pathlib costs more than a millisecond.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TypeAlias

from msgspec import Struct

_PROJECT = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
PROJECT_DATA_DIR = os.path.join(_PROJECT, "data")
LAMBDA_DB_PATH = "/tmp/back-stretches.sqlite3"  # the only writable place on Lambda
STORES = ("sqlite", "dynamodb")
StrPath: TypeAlias = str | os.PathLike[str]  # what open() and sqlite3.connect() take


DEFAULT_DB_PATH = os.path.join(PROJECT_DATA_DIR, "progress.sqlite3")
DEFAULT_SIMULATOR_DB_PATH = os.path.join(PROJECT_DATA_DIR, "simulator.sqlite3")
DEFAULT_TABLE = "back-stretches-progress"


class ConfigError(ValueError):
    """A setting has a value the skill cannot run with."""


class Settings(Struct, frozen=True):
    """Every setting the skill reads, with its default."""

    skill_id: str | None = None  # requests for any other skill are refused
    store: str = "sqlite"
    db_path: StrPath = DEFAULT_DB_PATH
    db_sync: bool = True  # SQLite: wait for each write to reach the disk (not on Lambda)
    table: str = DEFAULT_TABLE
    aws_region: str | None = None  # AWS_REGION; the DynamoDB endpoint comes from boto3's own
    # AWS_ENDPOINT_URL_DYNAMODB
    verify: bool = True  # web service: check Alexa's signature and timestamp
    trusted_roots: StrPath | None = None  # web service: a PEM of extra trust anchors
    trusted_roots_only: bool = False  # web service: trust only `trusted_roots`, not certifi
    cert_mirror: str | None = None  # web service: fetch signing certificates from here instead
    https_proxy: str | None = None  # web service: the egress proxy for those downloads
    no_proxy: str = ""  # web service: hosts reached directly all the same (as urllib reads it)
    simulator: bool = False  # web service: serve the browser simulator at /
    simulator_db_path: StrPath = DEFAULT_SIMULATOR_DB_PATH

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        on_lambda = bool(env.get("AWS_LAMBDA_FUNCTION_NAME"))
        store = env.get("SKILL_STORE", "sqlite").strip().lower()
        if store not in STORES:
            raise ConfigError(f"SKILL_STORE must be one of {', '.join(STORES)}, not {store!r}")
        default_db = LAMBDA_DB_PATH if on_lambda else DEFAULT_DB_PATH
        roots = env.get("SKILL_TRUSTED_ROOTS", "").strip()
        return cls(
            skill_id=env.get("SKILL_ID", "").strip() or None,
            store=store,
            db_path=env.get("SKILL_DB", "").strip() or default_db,
            # Lambda's /tmp goes with its container: waiting for the disk there protects the
            # file from nothing that would not take the container too.
            db_sync=not on_lambda,
            table=env.get("SKILL_TABLE", "").strip() or DEFAULT_TABLE,
            aws_region=env.get("AWS_REGION", "").strip() or None,
            verify=_flag(env, "SKILL_VERIFY", default=True),
            trusted_roots=roots or None,
            trusted_roots_only=_flag(env, "SKILL_TRUSTED_ROOTS_ONLY", default=False),
            cert_mirror=env.get("SKILL_CERT_MIRROR", "").strip().rstrip("/") or None,
            # the lower-case spelling first, as urllib reads them
            https_proxy=(env.get("https_proxy") or env.get("HTTPS_PROXY") or "").strip() or None,
            no_proxy=(env.get("no_proxy") or env.get("NO_PROXY") or "").strip(),
            simulator=_flag(env, "SKILL_SIMULATOR", default=False),
            simulator_db_path=(
                env.get("SKILL_SIMULATOR_DB", "").strip() or DEFAULT_SIMULATOR_DB_PATH
            ),
        )


def _flag(env: Mapping[str, str], name: str, *, default: bool) -> bool:
    value = env.get(name, "").strip()
    if value not in ("", "0", "1"):
        raise ConfigError(f"{name} must be 0 or 1, not {value!r}")
    return default if value == "" else value == "1"
