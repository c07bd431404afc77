"""Engine-bouw voor beide databases: SQLite (ingebed) en PostgreSQL (productie)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

STANDAARD_SQLITE_URL = "sqlite+aiosqlite:///./regiekamer.db"


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def maak_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """Maakt een async engine.

    SQLite starts every transaction with BEGIN IMMEDIATE: writers are serialised up front, so
    the audit chain can read its last hash and append without another writer slipping in, and
    no transaction fails half-way on a lock upgrade.
    """
    # Never put bound parameters (a BSN, a naam) into exception texts or logs.
    kwargs.setdefault("hide_parameters", True)
    if is_sqlite(url):
        engine = create_async_engine(url, connect_args={"timeout": 30}, **kwargs)

        @event.listens_for(engine.sync_engine, "connect")
        def _verbind(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None
            cur = dbapi_connection.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        @event.listens_for(engine.sync_engine, "begin")
        def _begin(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 10)
    return create_async_engine(url, pool_pre_ping=True, **kwargs)
