"""Geen pre-ping per verzoek, en toch geen fout na een herstart van PostgreSQL (issue 11).

Every request used to pay a round trip to test its pooled connection. Now a connection the server closed
fails on the request's first statement, before anything was read or written, and the request runs once more
on a fresh connection. These tests close every connection of the app from the server side, the way a restart
or a failover does, and expect the next query and the next mutation to simply work, exactly once.
"""

from __future__ import annotations

import asyncpg
import pytest
import sqlalchemy as sa

from domein.opslag.tabellen import casus
from tests.hulp import NIJMEGEN, REGISTREER_CASUS, casus_invoer


async def _verbreek_alle_verbindingen(api) -> int:
    url = api.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    beheer = await asyncpg.connect(url)
    try:
        return len(
            await beheer.fetch(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )
    finally:
        await beheer.close()


@pytest.fixture
def alleen_postgresql(api):
    if api.engine.dialect.name != "postgresql":
        pytest.skip("het verbreken van verbindingen door de server speelt op PostgreSQL")


async def test_geen_pre_ping_per_verzoek(api):
    assert api.engine.pool._pre_ping is False


async def test_na_verbroken_verbindingen_antwoordt_de_volgende_query_gewoon(api, alleen_postgresql):
    assert "errors" not in await api.als("consulent", NIJMEGEN, "{ gemeenten { naam } }")
    assert await _verbreek_alle_verbindingen(api) >= 1
    antwoord = await api.als("consulent", NIJMEGEN, "{ gemeenten { naam } }")
    assert "errors" not in antwoord, antwoord
    assert len(antwoord["data"]["gemeenten"]) == 7


async def test_na_verbroken_verbindingen_schrijft_de_volgende_mutatie_precies_eenmaal(api, alleen_postgresql):
    assert "errors" not in await api.als("consulent", NIJMEGEN, "{ gemeenten { naam } }")
    assert await _verbreek_alle_verbindingen(api) >= 1
    antwoord = await api.als("consulent", NIJMEGEN, REGISTREER_CASUS, {"input": casus_invoer(naam="Na Herstart")})
    assert "errors" not in antwoord, antwoord
    async with api.engine.connect() as conn:
        assert await conn.scalar(sa.select(sa.func.count()).select_from(casus)) == 1
