"""GET /ready: de dienst kan verzoeken echt afhandelen (readiness), naast /health (liveness).

Ready means: the database answers, its schema is at the newest migration, and it accepts a write.
The write is a no-op update of ``alembic_version`` in a transaction that is rolled back: a read-only
database file, a read-only PostgreSQL (standby, default_transaction_read_only) or a missing schema
fails it. A full disk does not always fail a write that is rolled back (SQLite keeps it in its page
cache), so for an SQLite file the free space on its disk is checked too.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
from functools import cache
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from domein.opslag.migraties import alembic_config

log = logging.getLogger("regiekamer")

MIN_VRIJE_SCHIJFRUIMTE = 16 * 1024 * 1024
"""Below this much free space next to an SQLite file, writes (WAL, audit records) are about to fail."""
CONTROLE_SECONDEN = 5


@cache
def nieuwste_migraties() -> frozenset[str]:
    return frozenset(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads())


async def reden_niet_gereed(engine: AsyncEngine, opnieuw: bool = False) -> str | None:
    """Waarom de dienst niet gereed is, in het Nederlands; None als hij gereed is."""
    verbroken = False
    try:
        async with engine.connect() as conn:
            try:
                versies = {r[0] for r in await conn.execute(text("SELECT version_num FROM alembic_version"))}
            except DBAPIError as e:
                if e.connection_invalidated:
                    verbroken = True  # no pre-ping: a pooled connection the server closed, not a missing schema
                    raise
                return "het databaseschema ontbreekt; voer 'regiekamer migrate' uit"
            except SQLAlchemyError:
                return "het databaseschema ontbreekt; voer 'regiekamer migrate' uit"
            if versies != nieuwste_migraties():
                return "het databaseschema is niet op de nieuwste migratie; voer 'regiekamer migrate' uit"
            await conn.rollback()
            try:
                async with conn.begin() as transactie:
                    await conn.execute(text("UPDATE alembic_version SET version_num = version_num"))
                    await transactie.rollback()
            except SQLAlchemyError as e:
                log.warning("Gereedheid: database weigert te schrijven (%s)", type(e).__name__)
                return "de database neemt geen schrijfopdrachten aan (alleen-lezen of vol)"
    except (SQLAlchemyError, OSError) as e:
        if verbroken and not opnieuw:
            return await reden_niet_gereed(engine, opnieuw=True)
        log.warning("Gereedheid: database onbereikbaar: %s", type(e).__name__)
        return "de database is onbereikbaar"
    if engine.dialect.name == "sqlite" and vrije_ruimte(str(engine.url.database or "")) < MIN_VRIJE_SCHIJFRUIMTE:
        return "de schijf van de database is (bijna) vol"
    return None


def vrije_ruimte(database: str) -> int:
    """Vrije bytes op de schijf van een SQLite-bestand (ook in de vorm file:pad?mode=...)."""
    pad = database.removeprefix("file:").split("?", 1)[0]
    if not pad or pad == ":memory:":
        return MIN_VRIJE_SCHIJFRUIMTE
    try:
        return shutil.disk_usage(Path(pad).resolve().parent).free
    except OSError:
        return MIN_VRIJE_SCHIJFRUIMTE  # no such folder: the write check above has already spoken


async def gereed(request: Request) -> Response:
    engine: AsyncEngine = request.app.state.toestand.engine
    try:
        async with asyncio.timeout(CONTROLE_SECONDEN):
            reden = await reden_niet_gereed(engine)
    except TimeoutError:
        reden = f"de database antwoordt niet binnen {CONTROLE_SECONDEN} seconden"
    if reden is not None:
        return JSONResponse({"status": "niet gereed", "reden": reden}, status_code=503)
    return JSONResponse({"status": "gereed"})
