"""De databaseverbinding zoals resolvers haar zien: één statement tegelijk, nooit halverwege afgebroken.

GraphQL runs sibling fields concurrently on the one connection of a request, and graphql-core
cancels the pending siblings as soon as one non-null field fails. A statement cancelled half-way
leaves SQLAlchemy's connection invalid (PendingRollbackError at commit) and could leave aiosqlite
waiting forever. So every statement of the resolvers runs as its own task, one at a time (a lock
per request), shielded from that cancellation: a cancelled resolver stops waiting, the statement
itself finishes. The request waits for the last statement (``stil``) before it commits or rolls
back, and after ``sluit`` no resolver still running in the background can start a new one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncConnection

T = TypeVar("T")


class VerzoekAfgesloten(RuntimeError):
    """Een resolver wilde de database nog gebruiken nadat het verzoek was afgerond."""


class BewaakteVerbinding(AsyncConnection):
    """Dezelfde verbinding en transactie als ``conn``, met statements na elkaar en afschermd."""

    def __init__(self, conn: AsyncConnection) -> None:
        super().__init__(conn.engine, conn.sync_connection)
        self._slot = asyncio.Lock()
        self._lopend: set[asyncio.Future[Any]] = set()
        self._gesloten = False

    async def _bewaakt(self, werk: Callable[[], Awaitable[T]]) -> T:
        async def na_elkaar() -> T:
            async with self._slot:
                if self._gesloten:
                    raise VerzoekAfgesloten("Het verzoek is al afgerond.")
                return await werk()

        taak = asyncio.ensure_future(na_elkaar())
        self._lopend.add(taak)
        taak.add_done_callback(self._klaar)
        return await asyncio.shield(taak)

    def _klaar(self, taak: asyncio.Future[Any]) -> None:
        self._lopend.discard(taak)
        if not taak.cancelled():
            taak.exception()  # observed here when its resolver was cancelled and no longer waits for it

    async def execute(self, *args: Any, **kwargs: Any) -> Any:
        return await self._bewaakt(lambda: super(BewaakteVerbinding, self).execute(*args, **kwargs))

    async def exec_driver_sql(self, *args: Any, **kwargs: Any) -> Any:
        return await self._bewaakt(lambda: super(BewaakteVerbinding, self).exec_driver_sql(*args, **kwargs))

    async def onderbreek(self) -> None:
        """Breekt het lopende statement af als de tijd van het verzoek op is.

        SQLite has no statement timeout; its interrupt() is safe from another thread. PostgreSQL stops a
        statement itself at statement_timeout (see api.app.zet_statement_timeout).
        """
        if self.dialect.name != "sqlite" or not self._lopend:
            return
        ruw = await self.get_raw_connection()
        sqlite_verbinding = getattr(ruw.driver_connection, "_conn", None)  # aiosqlite's sqlite3.Connection
        if sqlite_verbinding is not None:
            sqlite_verbinding.interrupt()

    async def stil(self) -> None:
        """Wacht tot geen statement van dit verzoek meer loopt en laat daarna geen nieuwe meer toe."""
        self._gesloten = True
        while self._lopend:
            await asyncio.gather(*list(self._lopend), return_exceptions=True)
