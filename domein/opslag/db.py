"""Engine-bouw voor beide databases: SQLite (ingebed) en PostgreSQL (productie)."""

from __future__ import annotations

import sqlite3
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

STANDAARD_SQLITE_URL = "sqlite+aiosqlite:///./regiekamer.db"


LEZEND = "regiekamer_lezend"
"""Execution option: this connection's next SQLite transaction starts deferred (no write lock)."""

# SQLite's (extended) result codes when a deferred transaction cannot become a writing one: another
# connection holds the write lock (the busy handler is not called for a lock upgrade), or has
# committed since this transaction's snapshot (WAL).
_SQLITE_BUSY = 5
_SQLITE_BUSY_SNAPSHOT = 517


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


async def lezend(conn: AsyncConnection, ja: bool = True) -> None:
    """Laat de volgende transactie van ``conn`` op SQLite uitgesteld beginnen (alleen lezen, geen schrijfslot)."""
    if conn.dialect.name == "sqlite":
        await conn.execution_options(**{LEZEND: ja})


def is_schrijfconflict(fout: BaseException | None) -> bool:
    """Of SQLite een uitgestelde transactie niet tot schrijvende kon maken (SQLITE_BUSY of BUSY_SNAPSHOT)."""
    gezien: set[int] = set()
    while fout is not None and id(fout) not in gezien:
        gezien.add(id(fout))
        if isinstance(fout, sqlite3.OperationalError) and getattr(fout, "sqlite_errorcode", None) in (
            _SQLITE_BUSY,
            _SQLITE_BUSY_SNAPSHOT,
        ):
            return True
        fout = getattr(fout, "orig", None) or fout.__cause__ or fout.__context__
    return False


def maak_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """Maakt een async engine.

    SQLite starts a transaction with BEGIN IMMEDIATE unless the connection asks for a reading one
    (``lezend``): writers are serialised up front, so the audit chain can read its last hash and
    append without another writer slipping in, and no writing transaction fails half-way on a lock
    upgrade. A reading transaction starts deferred and takes no write lock, so in WAL mode it never
    waits for a writer; if it turns out to write after all and the upgrade fails, the caller redoes
    the work in a writing transaction (``is_schrijfconflict``).
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
            conn.exec_driver_sql("BEGIN" if conn.get_execution_options().get(LEZEND) else "BEGIN IMMEDIATE")

        return engine
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 10)
    # No pre-ping: it would cost every request a round trip. A connection the server closed fails on its first
    # statement; SQLAlchemy then discards the pool, and the HTTP layer runs the request once more (api.app).
    return create_async_engine(url, **kwargs)
