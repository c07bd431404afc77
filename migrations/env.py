"""Alembic-omgeving: draait async op SQLite en PostgreSQL.

The URL comes from the Alembic config (set by ``domein.opslag.migraties``) or ``DATABASE_URL``.
"""

from __future__ import annotations

import asyncio
import os

from alembic import context
from sqlalchemy.engine import Connection

from domein.opslag.db import STANDAARD_SQLITE_URL, maak_engine
from domein.opslag.tabellen import metadata

config = context.config
target_metadata = metadata


def _url() -> str:
    return config.get_main_option("sqlalchemy.url") or os.environ.get("DATABASE_URL") or STANDAARD_SQLITE_URL


def _migreer(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        transaction_per_migration=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _online() -> None:
    engine = maak_engine(_url())
    async with engine.connect() as connection:
        await connection.run_sync(_migreer)
        await connection.commit()
    await engine.dispose()


if context.is_offline_mode():
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    existing = config.attributes.get("connection")
    if existing is not None:
        _migreer(existing)
    else:
        asyncio.run(_online())
