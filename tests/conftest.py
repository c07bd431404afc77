"""Testopzet: elke databasetest draait op SQLite én PostgreSQL, elk in een verse database.

A migrated template is made once per backend per session; each test gets a copy (a file copy on
SQLite, CREATE DATABASE ... TEMPLATE on PostgreSQL), so tests never see each other's rows and
the append-only audit table never needs cleaning.
REGIEKAMER_TEST_DATABASES=sqlite limits a local run to SQLite.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from api.app import maak_app
from api.auth import TokenVerifier
from api.limieten import Limieten
from api.sleutels import DemoSleutel
from beleid.beslisser import CasbinBeslisser
from domein.audit import Pseudonimiseerder
from domein.opslag.db import maak_engine
from domein.opslag.migraties import migreer

DATABASES = [d.strip() for d in os.environ.get("REGIEKAMER_TEST_DATABASES", "sqlite,postgresql").split(",") if d]
PG_BEHEER = os.environ.get("REGIEKAMER_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
PG_SJABLOON = f"regiekamer_sjabloon_{os.getpid()}"
SLEUTEL = b"test-pseudoniemsleutel-van-minstens-32-bytes!!"


def _pg_url(database: str) -> str:
    basis = PG_BEHEER.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    return f"{basis}/{database}"


async def _pg_beheer(sql: str) -> None:
    conn = await asyncpg.connect(PG_BEHEER.replace("+asyncpg", ""))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def sjablonen(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """Eén gemigreerde sjabloondatabase per backend."""
    uit: dict[str, str] = {}
    if "sqlite" in DATABASES:
        pad = tmp_path_factory.mktemp("sjabloon") / "sjabloon.db"
        asyncio.run(migreer(f"sqlite+aiosqlite:///{pad}"))
        uit["sqlite"] = str(pad)
    if "postgresql" in DATABASES:
        try:
            asyncio.run(_pg_beheer(f'DROP DATABASE IF EXISTS "{PG_SJABLOON}"'))
        except OSError as e:
            pytest.exit(
                f"PostgreSQL is niet bereikbaar op {PG_BEHEER} ({e}). Start het met "
                "'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start', "
                "of draai alleen SQLite met REGIEKAMER_TEST_DATABASES=sqlite.",
                returncode=3,
            )
        asyncio.run(_pg_beheer(f'CREATE DATABASE "{PG_SJABLOON}"'))
        asyncio.run(migreer(_pg_url(PG_SJABLOON)))
        uit["postgresql"] = PG_SJABLOON
    yield uit
    if "postgresql" in uit:
        asyncio.run(_pg_beheer(f'DROP DATABASE IF EXISTS "{PG_SJABLOON}" WITH (FORCE)'))


@pytest.fixture(params=DATABASES)
async def db_url(request: pytest.FixtureRequest, sjablonen: dict[str, str], tmp_path: Path) -> AsyncIterator[str]:
    """Een verse, gemigreerde database op de backend van deze parametrisering."""
    if request.param == "sqlite":
        pad = tmp_path / "test.db"
        shutil.copy(sjablonen["sqlite"], pad)
        yield f"sqlite+aiosqlite:///{pad}"
        return
    naam = f"regiekamer_t_{uuid.uuid4().hex[:12]}"
    await _pg_beheer(f'CREATE DATABASE "{naam}" TEMPLATE "{sjablonen["postgresql"]}"')
    try:
        yield _pg_url(naam)
    finally:
        await _pg_beheer(f'DROP DATABASE IF EXISTS "{naam}" WITH (FORCE)')


@pytest.fixture
async def engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    e = maak_engine(db_url)
    yield e
    await e.dispose()


@pytest.fixture(scope="session")
def demosleutel(tmp_path_factory: pytest.TempPathFactory) -> DemoSleutel:
    return DemoSleutel.maak(tmp_path_factory.mktemp("sleutel"))


@pytest.fixture(scope="session")
def beslisser() -> CasbinBeslisser:
    return CasbinBeslisser()


@pytest.fixture
def pseudonimiseerder() -> Pseudonimiseerder:
    return Pseudonimiseerder(SLEUTEL)


class Sqlteller:
    """Telt SQL-statements op een engine (voor query-count tests)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.aantal = 0
        self.statements: list[str] = []
        event.listen(engine.sync_engine, "before_cursor_execute", self._tel)

    def _tel(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        self.aantal += 1
        self.statements.append(statement)

    def reset(self) -> None:
        self.aantal = 0
        self.statements = []


class Api:
    """Een testclient die als een bepaalde rol GraphQL-verzoeken doet."""

    def __init__(self, client: httpx.AsyncClient, sleutel: DemoSleutel, engine: AsyncEngine) -> None:
        self.client = client
        self.sleutel = sleutel
        self.engine = engine
        self.sql = Sqlteller(engine)

    def token(self, rol: str, gemeente: str | None = None, sub: str | None = None) -> str:
        return self.sleutel.maak_token(rol=rol, gemeente=gemeente, sub=sub or f"test-{rol}-{gemeente or 'rob'}")

    async def als(
        self, rol: str, gemeente: str | None, query: str, variables: dict[str, Any] | None = None, **kw: Any
    ) -> dict[str, Any]:
        antwoord = await self.client.post(
            "/graphql",
            json={"query": query, "variables": variables or {}, **kw},
            headers={"Authorization": f"Bearer {self.token(rol, gemeente)}"},
        )
        assert antwoord.status_code == 200, antwoord.text
        return dict(antwoord.json())


@pytest.fixture
def limieten() -> Limieten:
    return Limieten(introspectie=False)


@pytest.fixture
async def api(
    engine: AsyncEngine,
    demosleutel: DemoSleutel,
    beslisser: CasbinBeslisser,
    pseudonimiseerder: Pseudonimiseerder,
    limieten: Limieten,
) -> AsyncIterator[Api]:
    verifier = TokenVerifier(public_key_pem=demosleutel.public_key_pem)
    app = maak_app(engine, verifier, pseudonimiseerder, limieten, beslisser)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        yield Api(client, demosleutel, engine)


def codes(antwoord: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in antwoord.get("errors", [])]


Maker = Callable[..., Any]
