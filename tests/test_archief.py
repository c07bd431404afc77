"""Bijlage 1 art. 3.1 en art. 11: na afloop van de behandeling alleen nog een archiefstand.

3.1: "Indien ... de behandeling wordt beëindigd, zal het ROB ... de betreffende persoonsgegevens niet
verder verwerken, behalve voor het opstellen van rapportages ... in een vorm die het mogelijk maakt de
betrokkenen niet langer te identificeren." Art. 11 keeps the archive (Archiefwet) until destruction.
So a melding in an end state (NIET_IN_BEHANDELING, AFGEROND) shows no betrokkenen and only
pseudonymised text to every routine read (list, node, nested via signaal, aliases, fragments); the
original is kept and shown only through ``raadpleegArchief`` with a reason, audited; the bewaartermijn
removes it for good, and statistics and audit chain stay intact.
"""

from __future__ import annotations

import json
from datetime import date

import pytest
import sqlalchemy as sa

from domein import audit, bewaartermijn
from domein.bewaartermijn import Bewaartermijnen
from domein.opslag.tabellen import archiefraadpleging, melding, stapgebeurtenis
from tests.conftest import codes
from tests.hulp import NIJMEGEN, WIJCHEN, intern_id
from tests.hulp_signalen import (
    aanbieder,
    behandel,
    rmz_melding_over_casus,
)

NAAM = "Gerrit Gearchiveerd"
MEDEWERKER = "Mw. Ankie Archiefwet"
ARCHIEF = """mutation($i: RaadpleegArchiefInput!) { raadpleegArchief(input: $i) { reden geraadpleegdOp
  persoonsgegevensVerwijderd samenvatting stappen { toelichting } betrokkenen { soort naam bsn }
  handelingen { naarStatus gegevens } melding { id status gearchiveerd betrokkenen { naam } } } }"""
ROUTINE = """query($id: ID!) {
  a: node(id: $id) { ... on Melding { gearchiveerd x: betrokkenen { naam bsn } ...F } }
  b: node(id: $id) { ...G }
  meldingen { edges { node { id status gearchiveerd betrokkenen { naam bsn } samenvatting terugkoppeling
    pseudoniem } } }
}
fragment G on Melding { betrokkenen { naam bsn } samenvatting }
fragment F on Melding { id status gearchiveerd betrokkenen { soort naam bsn } samenvatting terugkoppeling
  stappen { toelichting afspraken gegevens } handelingen { gegevens } pseudoniem }"""
VIA_SIGNAAL = """{ signalen { edges { node { melding { gearchiveerd samenvatting terugkoppeling
  stappen { toelichting gegevens } handelingen { gegevens } } } } } }"""


async def _melding(api) -> tuple[str, str]:
    return await rmz_melding_over_casus(api, NAAM, MEDEWERKER, f"{NAAM} kreeg geen zorg van Archiefwet")


async def _afgerond(api, mid: str) -> None:
    for status, velden in (
        ("IN_BEHANDELING", {"terugkoppeling": f"In behandeling, gesprek over {NAAM}"}),
        ("CONTRACTMANAGER_GEINFORMEERD", {"toelichting": "Contractmanager geïnformeerd"}),
        ("AFGEROND", {"uitkomst": "afspraken_nagekomen", "terugkoppeling": f"Archiefwet komt afspraken na bij {NAAM}"}),
    ):
        r = await behandel(api, "rmz_medewerker", mid, status, **velden)
        assert "errors" not in r, r


def _tekst(antwoord: dict) -> str:
    return json.dumps(antwoord, ensure_ascii=False)


async def test_rmz_leest_betrokkenen_zolang_de_melding_loopt(api):
    mid, bsn = await _melding(api)
    a = await api.als("rmz_medewerker", None, ROUTINE, {"id": mid})
    assert "errors" not in a, a
    assert a["data"]["a"]["gearchiveerd"] is False
    assert NAAM in _tekst(a) and bsn in _tekst(a)


async def test_afgeronde_melding_toont_routinematig_geen_betrokkenen_meer(api):
    mid, bsn = await _melding(api)
    await _afgerond(api, mid)
    a = await api.als("rmz_medewerker", None, ROUTINE, {"id": mid})
    assert "errors" not in a, a
    tekst = _tekst(a)
    for verboden in (NAAM, "Gerrit", "Archiefwet", "Ankie", bsn):
        assert verboden not in tekst, (verboden, tekst)
    for m in (a["data"]["a"], a["data"]["b"], a["data"]["meldingen"]["edges"][0]["node"]):
        assert m["betrokkenen"] is None
    assert a["data"]["a"]["x"] is None and a["data"]["a"]["gearchiveerd"] is True
    node = a["data"]["meldingen"]["edges"][0]["node"]
    # What happened stays readable, without who: status, steps, outcome, terugkoppeling (pseudonymised).
    assert node["status"] == "AFGEROND" and len(a["data"]["a"]["stappen"]) == 3 and len(node["terugkoppeling"]) == 2
    assert "komt afspraken na bij [client " in node["terugkoppeling"][1]
    assert len(node["pseudoniem"]) == 2


async def test_gemeente_van_de_melder_leest_de_afgeronde_melding_via_het_signaal_zonder_namen(api):
    mid, bsn = await _melding(api)
    await _afgerond(api, mid)
    a = await api.als("kwaliteitsmedewerker", NIJMEGEN, VIA_SIGNAAL)
    assert "errors" not in a, a
    m = a["data"]["signalen"]["edges"][0]["node"]["melding"]
    assert m["gearchiveerd"] is True and len(m["terugkoppeling"]) == 2
    for verboden in (NAAM, "Archiefwet", bsn):
        assert verboden not in _tekst(m), verboden
    assert (await api.als("kwaliteitsmedewerker", WIJCHEN, "{ meldingen { totalCount } }"))["data"]["meldingen"][
        "totalCount"
    ] == 0


async def test_niet_in_behandeling_archiveert_ook(api):
    mid, bsn = await _melding(api)
    await behandel(api, "rmz_medewerker", mid, "NIET_IN_BEHANDELING", terugkoppeling="Niet voor het RMZ")
    a = await api.als("rmz_medewerker", None, ROUTINE, {"id": mid})
    assert a["data"]["a"]["gearchiveerd"] is True and a["data"]["a"]["x"] is None
    assert bsn not in _tekst(a)


async def test_archief_raadplegen_met_reden_toont_het_origineel_en_wordt_vastgelegd(api):
    mid, bsn = await _melding(api)
    await _afgerond(api, mid)
    reden = "Bezwaar van de aanbieder tegen de uitkomst"
    a = await api.als("rmz_medewerker", None, ARCHIEF, {"i": {"meldingId": mid, "reden": reden}})
    assert "errors" not in a, a
    inzage = a["data"]["raadpleegArchief"]
    assert {(b["soort"], b["naam"], b["bsn"]) for b in inzage["betrokkenen"]} == {
        ("MEDEWERKER", MEDEWERKER, None),
        ("CLIENT", NAAM, bsn),
    }
    assert NAAM in inzage["samenvatting"] and inzage["reden"] == reden
    assert inzage["persoonsgegevensVerwijderd"] is False
    assert inzage["melding"]["gearchiveerd"] is True and inzage["melding"]["betrokkenen"] is None
    async with api.engine.connect() as conn:
        vastgelegd = (await conn.execute(sa.select(archiefraadpleging))).all()
        regels = (
            await conn.execute(
                sa.select(audit.auditregel).where(
                    audit.auditregel.c.object_id == intern_id(mid),
                    audit.auditregel.c.verwerkingsactiviteit.like("archief raadplegen%"),
                )
            )
        ).all()
    assert [(r.melding_id, r.reden, r.door_rol) for r in vastgelegd] == [(intern_id(mid), reden, "rmz_medewerker")]
    assert len(regels) == 1
    regel = regels[0]
    assert (regel.doel, regel.operatie, regel.uitkomst) == ("kwaliteit_handhaving", "lezen", "geslaagd")
    assert f"archiefraadpleging {vastgelegd[0].id}" in regel.verwerkingsactiviteit
    assert len(regel.betrokkenen) == 2 and bsn not in _tekst(list(regel.betrokkenen))


@pytest.mark.parametrize("reden", ["", "   ", "even kijk"])
async def test_archief_raadplegen_zonder_echte_reden_wordt_geweigerd(api, reden):
    mid, _bsn = await _melding(api)
    await _afgerond(api, mid)
    a = await api.als("rmz_medewerker", None, ARCHIEF, {"i": {"meldingId": mid, "reden": reden}})
    assert codes(a) == ["BAD_USER_INPUT"], a
    async with api.engine.connect() as conn:
        assert await conn.scalar(sa.select(sa.func.count()).select_from(archiefraadpleging)) == 0


async def test_een_lopende_melding_staat_niet_in_het_archief(api):
    mid, _bsn = await _melding(api)
    a = await api.als("rmz_medewerker", None, ARCHIEF, {"i": {"meldingId": mid, "reden": "Bezwaar van de aanbieder"}})
    assert codes(a) == ["BAD_USER_INPUT"]


@pytest.mark.parametrize(("rol", "gemeente", "code"), [
    ("kwaliteitsmedewerker", NIJMEGEN, "FORBIDDEN"),
    ("consulent", NIJMEGEN, "FORBIDDEN"),
    ("privacy_officer", NIJMEGEN, "FORBIDDEN"),
    ("beheerder", None, "FORBIDDEN"),
    ("contractmanager", None, "NOT_FOUND"),  # the archive of the direct route only, not of RMZ meldingen
])  # fmt: skip
async def test_alleen_wie_de_betrokkenen_las_raadpleegt_het_archief(api, rol, gemeente, code):
    mid, _bsn = await _melding(api)
    await _afgerond(api, mid)
    a = await api.als(rol, gemeente, ARCHIEF, {"i": {"meldingId": mid, "reden": "Bezwaar van de aanbieder"}})
    assert codes(a) == [code], a
    async with api.engine.connect() as conn:
        geweigerd = await conn.scalar(
            sa.select(sa.func.count()).select_from(audit.auditregel).where(audit.auditregel.c.uitkomst == "geweigerd")
        )
    assert geweigerd >= 1


async def test_contractmanager_raadpleegt_het_archief_van_de_directe_route(api):
    aid = await aanbieder(api)
    r = await api.als(
        "consulent",
        NIJMEGEN,
        "mutation($i: DirecteMeldingInput!) { meldBijContractmanager(input: $i) { id } }",
        {
            "i": {
                "aanbiederId": aid,
                "categorie": "NIET_CONFORM_AFSPRAKEN",
                "samenvatting": f"Zorg gestopt bij {NAAM}",
                "betrokkenen": [{"soort": "CLIENT", "naam": NAAM}],
                "betrokkeneGeinformeerd": True,
            }
        },
    )
    mid = r["data"]["meldBijContractmanager"]["id"]
    r = await behandel(api, "contractmanager", mid, "NIET_IN_BEHANDELING", terugkoppeling="Geen contractgrens")
    assert "errors" not in r, r
    routine = await api.als("contractmanager", None, ROUTINE, {"id": mid})
    assert NAAM not in _tekst(routine) and routine["data"]["a"]["x"] is None
    a = await api.als(
        "contractmanager", None, ARCHIEF, {"i": {"meldingId": mid, "reden": "Klacht over de afhandeling"}}
    )
    assert [b["naam"] for b in a["data"]["raadpleegArchief"]["betrokkenen"]] == [NAAM]
    rmz = await api.als(
        "rmz_medewerker", None, ARCHIEF, {"i": {"meldingId": mid, "reden": "Klacht over de afhandeling"}}
    )
    assert codes(rmz) == ["NOT_FOUND"]


async def test_na_de_bewaartermijn_is_ook_het_archief_leeg_en_blijven_statistiek_en_keten_heel(api):
    mid, _bsn = await _melding(api)
    await _afgerond(api, mid)
    reden = f"Inspectie vraagt naar {NAAM}"
    await api.als("rmz_medewerker", None, ARCHIEF, {"i": {"meldingId": mid, "reden": reden}})
    async with api.engine.begin() as conn:
        feiten = (await conn.execute(sa.select(stapgebeurtenis).order_by(stapgebeurtenis.c.id))).all()
        gesloten = await conn.scalar(sa.select(melding.c.gewijzigd_op).where(melding.c.id == intern_id(mid)))
    uitslag = await bewaartermijn.toepassen(api.engine, Bewaartermijnen(), date(gesloten.year + 6, 1, 1))
    assert uitslag["melding.rmz"] == 1
    a = await api.als("rmz_medewerker", None, ARCHIEF, {"i": {"meldingId": mid, "reden": "Nog eens kijken na jaren"}})
    inzage = a["data"]["raadpleegArchief"]
    assert inzage["persoonsgegevensVerwijderd"] is True
    assert inzage["betrokkenen"] == [] and inzage["samenvatting"] == ""
    async with api.engine.connect() as conn:
        assert (await conn.execute(sa.select(stapgebeurtenis).order_by(stapgebeurtenis.c.id))).all() == feiten
        assert (await audit.verifieer(conn)).intact
        redenen = [
            r.reden for r in (await conn.execute(sa.select(archiefraadpleging).order_by(archiefraadpleging.c.id)))
        ]
    assert redenen[0] == "" and NAAM not in _tekst(redenen)


async def test_migratie_0006_archiveert_bestaande_afgesloten_meldingen_en_houdt_de_melder_zichtbaar(
    db_url, engine, api
):
    from domein.opslag.migraties import migreer, migreer_omlaag

    afgerond, _ = await _melding(api)
    await _afgerond(api, afgerond)
    lopend, _ = await _melding(api)
    await engine.dispose()
    await migreer_omlaag(db_url, "0005")
    await engine.dispose()
    await migreer(db_url)
    async with engine.connect() as conn:
        rijen = {
            r.id: r
            for r in (
                await conn.execute(
                    sa.select(
                        melding.c.id,
                        melding.c.gemeente_code,
                        melding.c.melder_gemeente,
                        melding.c.herkomst,
                        melding.c.gearchiveerd_op,
                        melding.c.gewijzigd_op,
                    )
                )
            ).all()
        }
        assert (await audit.verifieer(conn)).intact
    a, lo = rijen[intern_id(afgerond)], rijen[intern_id(lopend)]
    assert (a.melder_gemeente, a.herkomst, a.gearchiveerd_op) == (NIJMEGEN, "gemeente", a.gewijzigd_op)
    assert (lo.melder_gemeente, lo.herkomst, lo.gearchiveerd_op) == (NIJMEGEN, "gemeente", None)
    # The gemeente still follows its own meldingen after the migration.
    eigen = await api.als("kwaliteitsmedewerker", NIJMEGEN, "{ meldingen { totalCount } }")
    assert eigen["data"]["meldingen"]["totalCount"] == 2


async def test_vernietiging_van_wat_het_rmz_zelf_ontving_staat_bij_het_rob_niet_bij_de_gemeente(api):
    """The gemeente provided nothing and did not know of it; its privacy officer does not learn of it afterwards."""
    aid = await aanbieder(api)
    r = await api.als(
        "rmz_medewerker",
        None,
        "mutation($i: RmzMeldingInput!) { registreerRmzMelding(input: $i) { id } }",
        {
            "i": {
                "aanbiederId": aid,
                "categorie": "FRAUDE_VERMOEDEN",
                "samenvatting": "Uren gedeclareerd die niet geleverd zijn",
                "herkomst": "INWONER",
                "gemeente": WIJCHEN,
                "betrokkenen": [{"soort": "CLIENT", "naam": NAAM}],
            }
        },
    )
    mid = r["data"]["registreerRmzMelding"]["id"]
    await behandel(api, "rmz_medewerker", mid, "NIET_IN_BEHANDELING", terugkoppeling="Geen aanwijzingen")
    uitslag = await bewaartermijn.toepassen(api.engine, Bewaartermijnen(), date(date.today().year + 6, 1, 1))
    assert uitslag["melding.rmz"] == 1
    async with api.engine.connect() as conn:
        regels = (
            await conn.execute(sa.select(audit.auditregel).where(audit.auditregel.c.object_id == intern_id(mid)))
        ).all()
    assert regels and {r.verantwoordelijke for r in regels} == {"ROB"}
    assert "vernietigen" in {r.operatie for r in regels}
