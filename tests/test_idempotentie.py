"""Idempotentie: registreerCasus met een idempotentieSleutel maakt één casus, ook bij gelijktijdige herhaling.

And the decision of toegang.md on backoffice intake: backoffice reads casussen, it does not register them.
"""

from __future__ import annotations

import asyncio
from typing import Any

import sqlalchemy as sa

from domein.opslag.tabellen import auditregel, casus, idempotentie, signaal
from tests.conftest import codes
from tests.hulp import NIJMEGEN, REGISTREER_CASUS, WIJCHEN, casus_invoer, intern_id
from tests.hulp_signalen import REGISTREER, aanbieder, stap_1


def _met_sleutel(sleutel: str, **kw: Any) -> dict[str, Any]:
    return {"input": {**casus_invoer(**kw), "idempotentieSleutel": sleutel}}


async def _aantal_casussen(engine: Any) -> int:
    async with engine.connect() as conn:
        return int(await conn.scalar(sa.select(sa.func.count()).select_from(casus)) or 0)


async def test_herhaling_met_dezelfde_sleutel_en_invoer_geeft_de_eerste_casus_en_maakt_niets_nieuws(api):
    variabelen = _met_sleutel("7d4c3a10-aanvraag-1", bsn="999990019")
    eerste = await api.als("consulent", NIJMEGEN, REGISTREER_CASUS, variabelen)
    tweede = await api.als("consulent", NIJMEGEN, REGISTREER_CASUS, variabelen)
    assert "errors" not in eerste and "errors" not in tweede, (eerste, tweede)
    assert tweede["data"]["registreerCasus"] == eerste["data"]["registreerCasus"]
    assert await _aantal_casussen(api.engine) == 1


async def test_herhaling_wordt_geaudit_als_herhaald_verzoek_met_de_lezing_van_de_persoonsgegevens(api):
    variabelen = _met_sleutel("sleutel-audit")
    eerste = await api.als("consulent", NIJMEGEN, REGISTREER_CASUS, variabelen)
    await api.als("consulent", NIJMEGEN, REGISTREER_CASUS, variabelen)
    casus_id = intern_id(eerste["data"]["registreerCasus"]["id"])
    async with api.engine.connect() as conn:
        regels = (
            await conn.execute(
                sa.select(auditregel.c.verwerkingsactiviteit, auditregel.c.operatie, auditregel.c.categorieen)
                .where(auditregel.c.object_id == casus_id)
                .order_by(auditregel.c.volgnummer)
            )
        ).all()
    activiteiten = [r.verwerkingsactiviteit for r in regels]
    assert activiteiten.count("casus registreren") == 1
    herhaling = [r for r in regels if r.verwerkingsactiviteit.endswith("herhaald verzoek (idempotentiesleutel)")]
    assert len(herhaling) == 1
    # The repeat shows inwoner { bsn naam } again: that read is folded into the repeat's one record.
    assert herhaling[0].operatie == "lezen"
    assert "persoonsgegevens.identificatie" in herhaling[0].categorieen


async def test_zelfde_sleutel_met_andere_invoer_wordt_geweigerd_en_schrijft_niets(api):
    eerste = await api.als("consulent", NIJMEGEN, REGISTREER_CASUS, _met_sleutel("hergebruikt", naam="A. Eerste"))
    assert "errors" not in eerste
    tweede = await api.als("consulent", NIJMEGEN, REGISTREER_CASUS, _met_sleutel("hergebruikt", naam="B. Tweede"))
    assert codes(tweede) == ["BAD_USER_INPUT"]
    fout = tweede["errors"][0]
    assert "idempotentieSleutel" in fout["message"] and "andere gegevens" in fout["message"]
    assert tweede["data"] is None
    assert await _aantal_casussen(api.engine) == 1


async def test_sleutel_geldt_per_client_en_per_gemeente(api):
    variabelen = _met_sleutel("gedeelde-sleutel")
    a = await api.als("consulent", NIJMEGEN, REGISTREER_CASUS, variabelen)
    b = await api.als("consulent", WIJCHEN, REGISTREER_CASUS, variabelen)
    antwoord = await api.client.post(
        "/graphql",
        json={"query": REGISTREER_CASUS, "variables": variabelen},
        headers={"Authorization": f"Bearer {api.token('consulent', NIJMEGEN, sub='andere-client')}"},
    )
    c = antwoord.json()
    ids = {x["data"]["registreerCasus"]["id"] for x in (a, b, c)}
    assert len(ids) == 3
    assert await _aantal_casussen(api.engine) == 3


async def test_zonder_sleutel_maakt_elke_aanroep_een_nieuwe_casus(api):
    variabelen = {"input": casus_invoer(bsn="999990032")}
    for _ in range(2):
        assert "errors" not in await api.als("consulent", NIJMEGEN, REGISTREER_CASUS, variabelen)
    assert await _aantal_casussen(api.engine) == 2


async def test_gelijktijdige_verzoeken_met_een_sleutel_maken_een_casus(api):
    variabelen = _met_sleutel("gelijktijdig-1")
    antwoorden = await asyncio.gather(*(api.als("consulent", NIJMEGEN, REGISTREER_CASUS, variabelen) for _ in range(6)))
    assert all("errors" not in a for a in antwoorden), antwoorden
    assert len({a["data"]["registreerCasus"]["id"] for a in antwoorden}) == 1
    assert await _aantal_casussen(api.engine) == 1
    async with api.engine.connect() as conn:
        assert await conn.scalar(sa.select(sa.func.count()).select_from(idempotentie)) == 1


async def test_ongeldige_sleutel_geeft_nederlandse_fout_op_het_veld(api):
    for sleutel in ("", "x" * 201, "met\x00nul"):
        antwoord = await api.als("consulent", NIJMEGEN, REGISTREER_CASUS, _met_sleutel(sleutel))
        assert codes(antwoord) == ["BAD_USER_INPUT"], antwoord
        assert "idempotentieSleutel" in antwoord["errors"][0]["message"]
    assert await _aantal_casussen(api.engine) == 0


async def test_backoffice_registreert_geen_casus_ook_niet_met_sleutel(api):
    """toegang.md, matrix, regel 'casus incl. inwoner persoonsgegevens | ... | backoffice (own): R'.

    The backoffice column says R, not RW: an intake integration reads its own casussen but cannot register
    one; the intake is done by a consulent (RW). Deny by default, with or without an idempotency key.
    """
    for variabelen in ({"input": casus_invoer()}, _met_sleutel("intake-1")):
        antwoord = await api.als("backoffice", NIJMEGEN, REGISTREER_CASUS, variabelen)
        assert codes(antwoord) == ["FORBIDDEN"], antwoord
    assert await _aantal_casussen(api.engine) == 0
    async with api.engine.connect() as conn:
        assert await conn.scalar(sa.select(sa.func.count()).select_from(idempotentie)) == 0


async def test_registreer_signaal_met_dezelfde_sleutel_maakt_een_signaal(api):
    invoer = {"i": stap_1(await aanbieder(api), idempotentieSleutel="signaal-1")}
    antwoorden = [await api.als("consulent", NIJMEGEN, REGISTREER, invoer) for _ in range(2)]
    assert all("errors" not in a for a in antwoorden), antwoorden
    assert antwoorden[0]["data"]["registreerSignaal"]["id"] == antwoorden[1]["data"]["registreerSignaal"]["id"]
    anders = await api.als("consulent", NIJMEGEN, REGISTREER, {"i": {**invoer["i"], "omschrijving": "Iets anders"}})
    assert codes(anders) == ["BAD_USER_INPUT"]
    async with api.engine.connect() as conn:
        assert await conn.scalar(sa.select(sa.func.count()).select_from(signaal)) == 1
