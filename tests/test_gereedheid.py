"""/ready (readiness) zegt 503 met een reden zolang de dienst niet echt kan werken; /health blijft liveness.

And no route answers a database failure with a plain-text 500: /graphql gives a GraphQL INTERNAL
with the request id, /auditlog/export a JSON error.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from api.app import maak_app
from api.auth import TokenVerifier
from api.limieten import Limieten
from api.sleutels import DemoSleutel
from beleid.beslisser import CasbinBeslisser
from domein.audit import Pseudonimiseerder
from domein.opslag.db import maak_engine
from domein.opslag.migraties import migreer
from tests.conftest import DATABASES, SLEUTEL, _pg_beheer, _pg_url

ONBEREIKBAAR = "postgresql+asyncpg://postgres@127.0.0.1:1/regiekamer"  # nothing listens on port 1


async def _client(engine: AsyncEngine, demosleutel: DemoSleutel) -> httpx.AsyncClient:
    app = maak_app(
        engine,
        TokenVerifier(public_key_pem=demosleutel.public_key_pem),
        Pseudonimiseerder(SLEUTEL),
        Limieten(),
        CasbinBeslisser(),
    )
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


async def _get(url: str, pad: str, demosleutel: DemoSleutel) -> httpx.Response:
    engine = maak_engine(url)
    try:
        async with await _client(engine, demosleutel) as client:
            return await client.get(pad)
    finally:
        await engine.dispose()


@pytest.fixture(params=DATABASES)
async def lege_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """Een bereikbare database zonder schema."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'leeg.db'}"
        return
    naam = f"regiekamer_leeg_{uuid.uuid4().hex[:12]}"
    await _pg_beheer(f'CREATE DATABASE "{naam}"')
    try:
        yield _pg_url(naam)
    finally:
        await _pg_beheer(f'DROP DATABASE IF EXISTS "{naam}" WITH (FORCE)')


async def test_gezonde_gemigreerde_database_is_gereed(db_url: str, demosleutel: DemoSleutel) -> None:
    antwoord = await _get(db_url, "/ready", demosleutel)
    assert antwoord.status_code == 200, antwoord.text
    assert antwoord.json() == {"status": "gereed"}


async def test_database_zonder_schema_is_niet_gereed_maar_wel_levend(lege_url: str, demosleutel: DemoSleutel) -> None:
    antwoord = await _get(lege_url, "/ready", demosleutel)
    assert antwoord.status_code == 503
    assert antwoord.json()["status"] == "niet gereed"
    assert "migrate" in antwoord.json()["reden"]
    assert (await _get(lege_url, "/health", demosleutel)).status_code == 200  # liveness: the database answers


async def test_database_op_een_oudere_migratie_is_niet_gereed(lege_url: str, demosleutel: DemoSleutel) -> None:
    await migreer(lege_url, "0001")
    antwoord = await _get(lege_url, "/ready", demosleutel)
    assert antwoord.status_code == 503
    assert "nieuwste migratie" in antwoord.json()["reden"]


async def test_alleen_lezen_database_is_niet_gereed(db_url: str, demosleutel: DemoSleutel, tmp_path: Path) -> None:
    if db_url.startswith("sqlite"):
        # Tests run as root, which ignores file permissions: open the file read-only instead.
        pad = tmp_path / "alleen_lezen.db"
        shutil.copy(db_url.removeprefix("sqlite+aiosqlite:///"), pad)
        url = f"sqlite+aiosqlite:///file:{pad}?mode=ro&uri=true"
    else:
        naam = db_url.rsplit("/", 1)[1]
        await _pg_beheer(f'ALTER DATABASE "{naam}" SET default_transaction_read_only = on')
        url = db_url
    antwoord = await _get(url, "/ready", demosleutel)
    assert antwoord.status_code == 503, antwoord.text
    assert "schrijfopdrachten" in antwoord.json()["reden"]


async def test_onbereikbare_postgresql_geeft_503_json_op_ready_en_health(demosleutel: DemoSleutel) -> None:
    for pad in ("/ready", "/health"):
        antwoord = await _get(ONBEREIKBAAR, pad, demosleutel)
        assert antwoord.status_code == 503
        assert antwoord.headers["content-type"].startswith("application/json")
    assert (await _get(ONBEREIKBAAR, "/ready", demosleutel)).json()["reden"] == "de database is onbereikbaar"


async def test_onbereikbare_database_geeft_graphql_internal_met_verzoek_id(demosleutel: DemoSleutel) -> None:
    engine = maak_engine(ONBEREIKBAAR)
    try:
        async with await _client(engine, demosleutel) as client:
            token = demosleutel.maak_token(rol="contractmanager", gemeente=None, sub="t")
            antwoord = await client.post(
                "/graphql", json={"query": "{ gemeenten { naam } }"}, headers={"Authorization": f"Bearer {token}"}
            )
            assert antwoord.headers["content-type"].startswith("application/json"), antwoord.text
            fout = antwoord.json()["errors"][0]
            assert fout["extensions"]["code"] == "INTERNAL"
            assert fout["extensions"]["requestId"] == antwoord.headers["x-request-id"]

            token = demosleutel.maak_token(rol="privacy_officer", gemeente="0268", sub="p")
            export = await client.get("/auditlog/export", headers={"Authorization": f"Bearer {token}"})
            assert export.status_code == 500
            assert export.headers["content-type"].startswith("application/json"), export.text
            assert export.json()["errors"][0]["extensions"]["requestId"] == export.headers["x-request-id"]
    finally:
        await engine.dispose()
