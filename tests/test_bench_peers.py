"""bench.peers: de ruwe vloer antwoordt byte voor byte wat Regiekamer antwoordt (anders meet de bench appels en peren).

PostgreSQL only (the floor is asyncpg); no timing, no npm. The data: bench.casussen's loader plus casussen
registered through the real app, names with non-ASCII and JSON-escaped characters, equal aangemaakt_op
moments (the id decides), a page cut off at 50, and a casus whose persoonsgegevens are gone (inwoner null).
"""

from __future__ import annotations

import json

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.casussen import vul
from bench.peers import GEMEENTE, QUERY
from bench.peers.vloer import maak_app
from domein.audit import verifieer
from domein.opslag.tabellen import auditregel, casus, casus_persoonsgegevens
from tests.conftest import Api
from tests.hulp import registreer_casus


async def _beide(api: Api, db_url: str) -> tuple[bytes, bytes]:
    regiekamer = await api.client.post(
        "/graphql", json={"query": QUERY}, headers={"Authorization": f"Bearer {api.token('consulent', GEMEENTE)}"}
    )
    vloer_app = maak_app(db_url, GEMEENTE)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=vloer_app), base_url="http://vloer") as c:
            vloer = await c.post("/graphql", json={"query": QUERY})
    finally:
        await vloer_app.state.sluit()
    assert regiekamer.status_code == vloer.status_code == 200
    return regiekamer.content, vloer.content


def _namen(body: bytes) -> list[tuple[str, str | None]]:
    edges = json.loads(body)["data"]["casussen"]["edges"]
    return [(e["node"]["gemeente"]["naam"], (e["node"]["inwoner"] or {}).get("naam")) for e in edges]


async def test_vloer_geeft_byte_gelijke_casussenpagina_als_regiekamer(
    api: Api, engine: AsyncEngine, db_url: str
) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("de vloer van bench.peers is asyncpg: alleen PostgreSQL")
    await vul(engine, 140)  # 20 per gemeente
    for naam in ('Zoë "Bijna" Ĳsselmeer\\', "Ångström ☂"):
        await registreer_casus(api, GEMEENTE, naam=naam)

    regiekamer, vloer = await _beide(api, db_url)
    assert regiekamer == vloer
    namen = _namen(regiekamer)
    assert len(namen) == 22 and {g for g, _ in namen} == {"Nijmegen"}
    assert namen[-1] == ("Nijmegen", "Ångström ☂")

    # The same moments again (ties on aangemaakt_op), past 50 in 0268, and one casus without persoonsgegevens.
    await vul(engine, 420)
    async with engine.begin() as conn:
        eerste = await conn.scalar(
            sa.select(casus.c.id).where(casus.c.gemeente_code == GEMEENTE).order_by(casus.c.aangemaakt_op, casus.c.id)
        )
        await conn.execute(casus_persoonsgegevens.delete().where(casus_persoonsgegevens.c.casus_id == eerste))
    regiekamer, vloer = await _beide(api, db_url)
    assert regiekamer == vloer
    namen = _namen(regiekamer)
    assert len(namen) == 50 and namen[0] == ("Nijmegen", None)
    assert sum(1 for _, n in namen if n is not None and n.startswith("Bench Persoon")) == 49


async def test_geauditeerde_vloeren_geven_dezelfde_pagina_en_schrijven_een_geldige_keten(
    api: Api, engine: AsyncEngine, db_url: str
) -> None:
    """The audited floors measure the least an audited read costs: they must answer the same bytes and really
    append to the chain (one record per page, one per casus), with the chain still intact."""
    if not db_url.startswith("postgresql"):
        pytest.skip("de vloer van bench.peers is asyncpg: alleen PostgreSQL")
    await vul(engine, 140)
    regiekamer, _ = await _beide(api, db_url)
    async with engine.connect() as conn:
        voor = await conn.scalar(sa.select(sa.func.count()).select_from(auditregel))
    vloer_app = maak_app(db_url, GEMEENTE)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=vloer_app), base_url="http://vloer") as c:
            een = await c.post("/graphql/audit-1", json={"query": QUERY})
            vijftig = await c.post("/graphql/audit-50", json={"query": QUERY})
    finally:
        await vloer_app.state.sluit()
    assert een.content == vijftig.content == regiekamer
    async with engine.connect() as conn:
        na = await conn.scalar(sa.select(sa.func.count()).select_from(auditregel))
        verificatie = await verifieer(conn)
    assert na - voor == 1 + 20  # one record for the page, then one per casus (20 in 0268)
    assert verificatie.intact
