"""Bibob-onderzoeken (Bijlage 1 art. 10.4): wie meldt en wie leest, zoals de matrix in toegang.md zegt."""

from __future__ import annotations

import sqlalchemy as sa

from domein.opslag.tabellen import auditregel
from tests.conftest import codes
from tests.hulp import BERG_EN_DAL, NIJMEGEN, WIJCHEN
from tests.hulp_signalen import aanbieder

MELD = """mutation($i: BibobInput!) { meldBibobOnderzoek(input: $i) { id bibobOnderzoeken { organisatie loopt } } }"""
LEES = """query($id: ID!) { node(id: $id) { ... on Aanbieder { naam bibobOnderzoeken {
  organisatie gestartOp beeindigdOp loopt } } } }"""


async def test_art_10_4_kwaliteitsmedewerker_meldt_en_de_regio_leest_het(api):
    aid = await aanbieder(api)
    r = await api.als("kwaliteitsmedewerker", NIJMEGEN, MELD, {"i": {"aanbiederId": aid, "gebeurtenis": "GESTART"}})
    assert r["data"]["meldBibobOnderzoek"]["bibobOnderzoeken"] == [{"organisatie": NIJMEGEN, "loopt": True}]
    for rol, gemeente in (
        ("consulent", WIJCHEN),
        ("kwaliteitsmedewerker", BERG_EN_DAL),
        ("rmz_medewerker", None),
        ("contractmanager", None),
    ):
        gelezen = await api.als(rol, gemeente, LEES, {"id": aid})
        assert gelezen["data"]["node"]["bibobOnderzoeken"][0]["loopt"] is True, rol


async def test_backoffice_privacy_officer_en_beheerder_zien_de_bibob_vlag_niet(api):
    aid = await aanbieder(api)
    await api.als("kwaliteitsmedewerker", NIJMEGEN, MELD, {"i": {"aanbiederId": aid, "gebeurtenis": "GESTART"}})
    for rol, gemeente in (("backoffice", NIJMEGEN), ("privacy_officer", NIJMEGEN), ("beheerder", None)):
        gelezen = await api.als(rol, gemeente, LEES, {"id": aid})
        assert codes(gelezen) == ["FORBIDDEN"], rol
        assert gelezen["data"]["node"] is None or "bibobOnderzoeken" not in (gelezen["data"]["node"] or {})


async def test_alleen_kwaliteitsmedewerker_en_contractmanager_melden_bibob(api):
    aid = await aanbieder(api)
    for rol, gemeente in (("consulent", NIJMEGEN), ("rmz_medewerker", None), ("beheerder", None)):
        r = await api.als(rol, gemeente, MELD, {"i": {"aanbiederId": aid, "gebeurtenis": "GESTART"}})
        assert codes(r) == ["FORBIDDEN"], rol
    r = await api.als("contractmanager", None, MELD, {"i": {"aanbiederId": aid, "gebeurtenis": "GESTART"}})
    assert r["data"]["meldBibobOnderzoek"]["bibobOnderzoeken"] == [{"organisatie": "ROB", "loopt": True}]


async def test_bibob_onderzoek_start_een_keer_en_eindigt_bij_wie_het_meldde(api):
    aid = await aanbieder(api)
    start = {"i": {"aanbiederId": aid, "gebeurtenis": "GESTART", "datum": "2026-01-05"}}
    assert "errors" not in await api.als("kwaliteitsmedewerker", NIJMEGEN, MELD, start)
    assert codes(await api.als("kwaliteitsmedewerker", NIJMEGEN, MELD, start)) == ["ONGELDIGE_OVERGANG"]
    einde = {"i": {"aanbiederId": aid, "gebeurtenis": "BEEINDIGD", "datum": "2026-03-01"}}
    assert codes(await api.als("kwaliteitsmedewerker", WIJCHEN, MELD, einde)) == ["ONGELDIGE_OVERGANG"]
    vroeg = {"i": {"aanbiederId": aid, "gebeurtenis": "BEEINDIGD", "datum": "2025-12-01"}}
    assert codes(await api.als("kwaliteitsmedewerker", NIJMEGEN, MELD, vroeg)) == ["BAD_USER_INPUT"]
    assert "errors" not in await api.als("kwaliteitsmedewerker", NIJMEGEN, MELD, einde)
    gelezen = await api.als("rmz_medewerker", None, LEES, {"id": aid})
    assert gelezen["data"]["node"]["bibobOnderzoeken"] == [
        {"organisatie": NIJMEGEN, "gestartOp": "2026-01-05", "beeindigdOp": "2026-03-01", "loopt": False}
    ]


async def test_bibob_melding_en_lezing_worden_geaudit(api):
    aid = await aanbieder(api)
    await api.als("kwaliteitsmedewerker", NIJMEGEN, MELD, {"i": {"aanbiederId": aid, "gebeurtenis": "GESTART"}})
    await api.als("contractmanager", None, LEES, {"id": aid})
    async with api.engine.connect() as conn:
        regels = (
            await conn.execute(
                sa.select(auditregel.c.rol, auditregel.c.operatie, auditregel.c.verantwoordelijke).where(
                    auditregel.c.object_type == "bibob"
                )
            )
        ).all()
    assert sorted(map(tuple, regels)) == [
        ("contractmanager", "lezen", NIJMEGEN),
        ("kwaliteitsmedewerker", "lezen", NIJMEGEN),  # the mutation's answer shows the flag
        ("kwaliteitsmedewerker", "registreren", NIJMEGEN),
    ]
