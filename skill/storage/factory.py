"""The progress store the settings ask for. Stores are imported only when chosen, so the
SQLite default never loads boto3."""

from __future__ import annotations

from skill.config import Settings
from skill.storage.base import ProgressStore


def make_store(settings: Settings) -> ProgressStore:
    if settings.store == "dynamodb":
        from skill.storage.dynamodb_store import DynamoDbStore

        return DynamoDbStore(settings.table, region=settings.aws_region)
    from skill.storage.sqlite_store import SQLiteStore

    return SQLiteStore(settings.db_path, sync_to_disk=settings.db_sync)
