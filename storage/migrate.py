"""Run Alembic from code: at bot start, from `python -m bot migrate`, and in tests."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.ext.asyncio import AsyncConnection

import migrations

MIGRATIONS_DIR = Path(migrations.__file__).parent


def alembic_config(url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url is not None:
        # Through attributes, not the ini option: a password with % would break it.
        config.attributes["url"] = url
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Apply pending migrations (synchronous: call it before the event loop starts)."""
    command.upgrade(alembic_config(url), revision)


async def upgrade_on(connection: AsyncConnection, revision: str = "head") -> None:
    def _run(sync_connection: object) -> None:
        config = alembic_config()
        config.attributes["connection"] = sync_connection
        command.upgrade(config, revision)

    await connection.run_sync(_run)


async def downgrade_on(connection: AsyncConnection, revision: str) -> None:
    def _run(sync_connection: object) -> None:
        config = alembic_config()
        config.attributes["connection"] = sync_connection
        command.downgrade(config, revision)

    await connection.run_sync(_run)
