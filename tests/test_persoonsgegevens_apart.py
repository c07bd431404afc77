"""Persoonsgegevens staan apart (Bijlage 1 art. 3.1): verwijderen raakt casus, aggregaten en auditketen niet."""

from __future__ import annotations

import json

import sqlalchemy as sa

from domein import audit
from domein.opslag.tabellen import casus, casus_persoonsgegevens
from tests.hulp import CASUSSEN, NIJMEGEN, registreer_casus


async def test_verwijderen_van_persoonsgegevens_laat_casus_en_keten_heel(api):
    eerste = await registreer_casus(api, NIJMEGEN, naam="Te Verwijderen")
    await registreer_casus(api, NIJMEGEN)
    async with api.engine.begin() as conn:
        await conn.execute(
            casus_persoonsgegevens.delete().where(
                casus_persoonsgegevens.c.casus_id.in_(sa.select(casus.c.id).limit(1).order_by(casus.c.aangemaakt_op))
            )
        )
    antwoord = await api.als("consulent", NIJMEGEN, CASUSSEN)
    verbinding = antwoord["data"]["casussen"]
    assert verbinding["totalCount"] == 2
    assert [e["node"]["inwoner"] is None for e in verbinding["edges"]] == [True, False]
    assert verbinding["edges"][0]["node"]["hulpvraag"] is None
    assert eerste["inwoner"]["bsn"] not in json.dumps(antwoord)
    async with api.engine.connect() as conn:
        assert (await audit.verifieer(conn)).intact
        assert await conn.scalar(sa.select(sa.func.count()).select_from(casus)) == 2
