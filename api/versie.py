"""Welke versie draait: ``regiekamer --version`` en GET /version.

/version answers without a token, so it shows only what an operator needs to match a deployment
with a release and a database with the code: the package version, the newest migration the code
knows, the migration the database is at (``null`` when it does not answer in time) and the Python
version. No host names, paths, settings, database URL or dialect, no counts.
"""

from __future__ import annotations

import asyncio
import platform
from importlib.metadata import PackageNotFoundError, version

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from api.gereedheid import nieuwste_migraties

PAKKET = "regiekamer"
DATABASE_SECONDEN = 2.0


def pakketversie() -> str:
    """De versie uit de metadata van het geïnstalleerde pakket (pyproject.toml), of ``onbekend``."""
    try:
        return version(PAKKET)
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "onbekend"


def code_migratie() -> str:
    """De nieuwste alembic-revisie in de code (bij meer koppen: gesorteerd, met komma's)."""
    return ",".join(sorted(nieuwste_migraties()))


async def database_migratie(engine: AsyncEngine) -> str | None:
    """De revisie in ``alembic_version``, of None als de database niet (op tijd) antwoordt of geen schema heeft."""
    try:
        async with asyncio.timeout(DATABASE_SECONDEN), engine.connect() as conn:
            versies = [r[0] for r in await conn.execute(text("SELECT version_num FROM alembic_version"))]
    except (TimeoutError, SQLAlchemyError, OSError):
        return None
    return ",".join(sorted(versies)) or None


def versietekst() -> str:
    return f"regiekamer {pakketversie()} (migratie {code_migratie()}, Python {platform.python_version()})"


async def versie(request: Request) -> Response:
    engine: AsyncEngine = request.app.state.toestand.engine
    return JSONResponse(
        {
            "versie": pakketversie(),
            "migratie": {"code": code_migratie(), "database": await database_migratie(engine)},
            "python": platform.python_version(),
        }
    )
