"""Rechtstreeks bij het RMZ, zonder de escalatieladder (seed 003 §41.4, seed 001 art. 2.2.g en art. 10).

003 §41.4: "Bij het RMZ kunnen inwoners, Professionals en verwijzers meldingen doen over (vermoedens van)
fraude, financiële fouten, kwaliteitsproblemen of ongewenste werkwijzen van zorgaanbieders." 001 art.
2.2.g: the RMZ "ontvangen, registreren, wegen en doorgeleiden van meldingen". Stap 1 of the ladder
points the aanbieder to the agreements: for a suspicion of fraud that warns the suspect, so these
subjects skip the ladder. Quality and agreements still go through it (seed 000).
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from domein.audit import auditregel
from domein.fouten import KlachtNietBijRmz, OngeldigeInvoer
from domein.meldingen import controleer_intake_onderwerp
from domein.opslag.tabellen import melding, stapgebeurtenis
from domein.waarden import Categorie
from tests.conftest import codes
from tests.hulp import NIJMEGEN, WIJCHEN, intern_id
from tests.hulp_signalen import REGISTREER, aanbieder, behandel, stap_1

INTAKE = """mutation($i: RmzMeldingInput!) { registreerRmzMelding(input: $i) {
  id status route herkomst categorie termijn gearchiveerd gemeente { code } } }"""
MELDINGEN = """{ meldingen { totalCount edges { node { id status herkomst categorie samenvatting terugkoppeling
  betrokkenen { soort naam bsn } } } } }"""
NODE = """query($id: ID!) { node(id: $id) { ... on Melding { id status } } }"""
SIGNALEN = "{ signalen { totalCount } }"
CLIENT_BSN = "999990019"


def intake(aid: str, **kw) -> dict:
    return {
        "aanbiederId": aid,
        "categorie": "FRAUDE_VERMOEDEN",
        "samenvatting": "Er worden uren gedeclareerd die niet geleverd zijn",
        "betrokkenen": [
            {"soort": "MEDEWERKER", "naam": "Dhr. Declarant (aanbieder)"},
            {"soort": "CLIENT", "naam": "Cliënt Fictief", "bsn": CLIENT_BSN},
        ],
        "betrokkeneGeinformeerd": True,
    } | kw


async def _meld(api, rol: str, token_gemeente: str | None, aid: str, **kw) -> dict:
    r = await api.als(rol, token_gemeente, INTAKE, {"i": intake(aid, **kw)})
    assert "errors" not in r, r
    return dict(r["data"]["registreerRmzMelding"])


@pytest.mark.parametrize("categorie", ["FRAUDE_VERMOEDEN", "FINANCIELE_FOUTEN", "ONGEWENSTE_WERKWIJZE"])
async def test_kwaliteitsmedewerker_meldt_rechtstreeks_bij_rmz_zonder_stap_1_en_2(api, categorie):
    aid = await aanbieder(api)
    m = await _meld(api, "kwaliteitsmedewerker", NIJMEGEN, aid, categorie=categorie)
    assert (m["status"], m["route"], m["herkomst"], m["gemeente"]["code"]) == ("ONTVANGEN", "RMZ", "GEMEENTE", NIJMEGEN)
    assert m["termijn"] is not None
    # No signaal, so no stap 1: the aanbieder was never told.
    assert (await api.als("kwaliteitsmedewerker", NIJMEGEN, SIGNALEN))["data"]["signalen"]["totalCount"] == 0
    rmz = (await api.als("rmz_medewerker", None, MELDINGEN))["data"]["meldingen"]
    assert rmz["totalCount"] == 1
    node = rmz["edges"][0]["node"]
    assert node["categorie"] == categorie
    assert {b["naam"] for b in node["betrokkenen"]} == {"Dhr. Declarant (aanbieder)", "Cliënt Fictief"}
    # The gemeente of the melder reads status, not the betrokkenen (toegang.md matrix).
    eigen = await api.als("kwaliteitsmedewerker", NIJMEGEN, "{ meldingen { totalCount edges { node { status } } } }")
    assert eigen["data"]["meldingen"]["totalCount"] == 1
    async with api.engine.connect() as conn:
        rij = (await conn.execute(sa.select(melding).where(melding.c.id == intern_id(m["id"])))).one()
        stappen = (
            await conn.execute(sa.select(stapgebeurtenis.c.stap).where(stapgebeurtenis.c.zaak_id == rij.id))
        ).all()
    assert (rij.route, rij.signaal_id, rij.melder_gemeente) == ("rmz-intake", None, NIJMEGEN)
    assert [s.stap for s in stappen] == ["STAP_3"]  # counted with the meldingen at the RMZ


async def test_consulent_is_verwijzer_en_mag_ook_rechtstreeks_melden(api):
    aid = await aanbieder(api)
    m = await _meld(api, "consulent", WIJCHEN, aid, categorie="FINANCIELE_FOUTEN")
    assert m["gemeente"]["code"] == WIJCHEN


async def test_andere_gemeente_ziet_een_rechtstreekse_melding_niet(api):
    aid = await aanbieder(api)
    m = await _meld(api, "kwaliteitsmedewerker", NIJMEGEN, aid)
    for rol in ("consulent", "kwaliteitsmedewerker"):
        assert (await api.als(rol, WIJCHEN, MELDINGEN))["data"]["meldingen"]["totalCount"] == 0
        assert codes(await api.als(rol, WIJCHEN, NODE, {"id": m["id"]})) == ["NOT_FOUND"]


@pytest.mark.parametrize(
    ("categorie", "code"),
    [
        ("KWALITEIT", "BAD_USER_INPUT"),
        ("NIET_CONFORM_AFSPRAKEN", "BAD_USER_INPUT"),
        ("ONDUIDELIJKE_REGELS", "BAD_USER_INPUT"),
        ("KLACHT_CLIENT", "KLACHT_NIET_BIJ_RMZ"),
    ],
)
async def test_kwaliteit_en_afspraken_gaan_langs_de_ladder_niet_rechtstreeks(api, categorie, code):
    aid = await aanbieder(api)
    r = await api.als("kwaliteitsmedewerker", NIJMEGEN, INTAKE, {"i": intake(aid, categorie=categorie)})
    assert codes(r) == [code], r
    if code == "BAD_USER_INPUT":
        assert r["errors"][0]["extensions"]["veld"] == "categorie" or "categorie" in str(r["errors"][0])
    assert (await api.als("rmz_medewerker", None, MELDINGEN))["data"]["meldingen"]["totalCount"] == 0


def test_intake_onderwerpen_in_het_domein():
    for c in (Categorie.FRAUDE_VERMOEDEN, Categorie.FINANCIELE_FOUTEN, Categorie.ONGEWENSTE_WERKWIJZE):
        controleer_intake_onderwerp(c)
    for c in (Categorie.KWALITEIT, Categorie.NIET_CONFORM_AFSPRAKEN, Categorie.PGB_BEHEERDER):
        with pytest.raises(OngeldigeInvoer):
            controleer_intake_onderwerp(c)
    with pytest.raises(KlachtNietBijRmz):
        controleer_intake_onderwerp(Categorie.KLACHT_CLIENT)


async def test_gemeente_die_een_client_noemt_moet_bevestigen_dat_die_is_geinformeerd(api):
    """Bijlage 1 art. 2.3: the gemeente that provides persoonsgegevens informs the betrokkene first."""
    aid = await aanbieder(api)
    r = await api.als("kwaliteitsmedewerker", NIJMEGEN, INTAKE, {"i": intake(aid, betrokkeneGeinformeerd=False)})
    assert codes(r) == ["BETROKKENE_NIET_GEINFORMEERD"]
    assert (await api.als("rmz_medewerker", None, MELDINGEN))["data"]["meldingen"]["totalCount"] == 0


async def test_rmz_legt_melding_van_inwoner_vast_en_de_gemeente_ziet_haar_niet(api):
    """Not a provision by a gemeente (art. 2.3 binds the gemeente), and no tipping off via the gemeente."""
    aid = await aanbieder(api)
    m = await _meld(
        api, "rmz_medewerker", None, aid, herkomst="INWONER", gemeente=WIJCHEN, betrokkeneGeinformeerd=False
    )
    assert (m["herkomst"], m["gemeente"]["code"]) == ("INWONER", WIJCHEN)
    rmz = (await api.als("rmz_medewerker", None, MELDINGEN))["data"]["meldingen"]
    assert rmz["totalCount"] == 1 and len(rmz["edges"][0]["node"]["betrokkenen"]) == 2
    for rol in ("consulent", "kwaliteitsmedewerker"):
        assert (await api.als(rol, WIJCHEN, MELDINGEN))["data"]["meldingen"]["totalCount"] == 0
        assert codes(await api.als(rol, WIJCHEN, NODE, {"id": m["id"]})) == ["NOT_FOUND"]
    # Its verantwoordelijke is the ROB, which received the data itself; not the gemeente.
    async with api.engine.connect() as conn:
        regels = (await conn.execute(sa.select(auditregel).where(auditregel.c.object_id == intern_id(m["id"])))).all()
    assert regels and {r.verantwoordelijke for r in regels} == {"ROB"}
    assert {r.doel for r in regels} == {"kwaliteit_handhaving"}


@pytest.mark.parametrize("herkomst", ["PROFESSIONAL", "VERWIJZER"])
async def test_rmz_legt_meldingen_van_professionals_en_verwijzers_vast(api, herkomst):
    aid = await aanbieder(api)
    m = await _meld(
        api, "rmz_medewerker", None, aid, herkomst=herkomst, gemeente=NIJMEGEN, betrokkeneGeinformeerd=False
    )
    assert m["herkomst"] == herkomst
    assert (await api.als("kwaliteitsmedewerker", NIJMEGEN, MELDINGEN))["data"]["meldingen"]["totalCount"] == 0


async def test_rmz_legt_telefonische_melding_van_een_gemeente_vast_en_die_gemeente_volgt_haar(api):
    aid = await aanbieder(api)
    r = await api.als(
        "rmz_medewerker",
        None,
        INTAKE,
        {"i": intake(aid, herkomst="GEMEENTE", gemeente=WIJCHEN, betrokkeneGeinformeerd=False)},
    )
    assert codes(r) == ["BETROKKENE_NIET_GEINFORMEERD"]  # the gemeente provides: art. 2.3 applies
    m = await _meld(api, "rmz_medewerker", None, aid, herkomst="GEMEENTE", gemeente=WIJCHEN)
    assert (await api.als("kwaliteitsmedewerker", WIJCHEN, MELDINGEN))["data"]["meldingen"]["totalCount"] == 1
    assert m["herkomst"] == "GEMEENTE"


@pytest.mark.parametrize(
    ("rol", "gemeente", "extra", "veld"),
    [
        ("rmz_medewerker", None, {"herkomst": "INWONER"}, "gemeente"),
        ("rmz_medewerker", None, {"herkomst": "INWONER", "gemeente": "9999"}, "gemeente"),
        ("kwaliteitsmedewerker", NIJMEGEN, {"gemeente": WIJCHEN}, "gemeente"),
        ("kwaliteitsmedewerker", NIJMEGEN, {"herkomst": "INWONER"}, "herkomst"),
    ],
)
async def test_gemeente_en_herkomst_moeten_kloppen(api, rol, gemeente, extra, veld):
    aid = await aanbieder(api)
    r = await api.als(rol, gemeente, INTAKE, {"i": intake(aid, **extra)})
    assert codes(r) == ["BAD_USER_INPUT"], r
    assert veld in str(r["errors"][0]["extensions"])
    assert (await api.als("rmz_medewerker", None, MELDINGEN))["data"]["meldingen"]["totalCount"] == 0


@pytest.mark.parametrize("rol", ["contractmanager", "beheerder", "backoffice", "privacy_officer"])
async def test_andere_rollen_registreren_geen_rmz_melding(api, rol):
    aid = await aanbieder(api)
    gemeente = NIJMEGEN if rol == "backoffice" else None
    r = await api.als(rol, gemeente, INTAKE, {"i": intake(aid, herkomst="INWONER", gemeente=NIJMEGEN)})
    assert codes(r) == ["FORBIDDEN"]


async def test_rechtstreekse_melding_doorloopt_dezelfde_behandeling_met_terugkoppeling(api):
    """Seed 003 §41.4: the RMZ always tells the melder whether it is taken in behandeling."""
    aid = await aanbieder(api)
    m = await _meld(api, "kwaliteitsmedewerker", NIJMEGEN, aid)
    stappen = [
        ("IN_BEHANDELING", {"terugkoppeling": "Wij nemen de melding in behandeling"}),
        ("CONTRACTMANAGER_GEINFORMEERD", {"toelichting": "Contractmanager op de hoogte gebracht"}),
        ("AFGEROND", {"uitkomst": "handhavingstraject", "terugkoppeling": "Handhavingstraject gestart"}),
    ]
    for status, velden in stappen:
        r = await behandel(api, "rmz_medewerker", m["id"], status, **velden)
        assert "errors" not in r, r
        assert r["data"]["behandelMelding"]["status"] == status
    eigen = (await api.als("kwaliteitsmedewerker", NIJMEGEN, MELDINGEN))["data"]["meldingen"]["edges"][0]["node"]
    assert eigen["status"] == "AFGEROND"
    assert eigen["terugkoppeling"] == ["Wij nemen de melding in behandeling", "Handhavingstraject gestart"]
    # A gemeente melder does not take RMZ steps.
    r = await api.als(
        "kwaliteitsmedewerker",
        NIJMEGEN,
        "mutation($i: BehandelMeldingInput!) { behandelMelding(input: $i) { id } }",
        {"i": {"meldingId": m["id"], "naarStatus": "IN_BEHANDELING", "terugkoppeling": "x"}},
    )
    assert codes(r) == ["FORBIDDEN"]


async def test_rmz_kan_een_rechtstreekse_melding_niet_in_behandeling_nemen(api):
    aid = await aanbieder(api)
    m = await _meld(api, "rmz_medewerker", None, aid, herkomst="INWONER", gemeente=NIJMEGEN)
    r = await behandel(api, "rmz_medewerker", m["id"], "NIET_IN_BEHANDELING", terugkoppeling="Geen aanwijzingen")
    assert r["data"]["behandelMelding"]["status"] == "NIET_IN_BEHANDELING"


async def test_privacy_officer_van_de_gemeente_kan_een_rmz_melding_van_een_inwoner_niet_aanwijzen(api):
    """No existence oracle through a datalek either: it answers like an unknown id (toegang.md rule 1)."""
    from datetime import UTC, datetime

    aid = await aanbieder(api)
    m = await _meld(api, "rmz_medewerker", None, aid, herkomst="INWONER", gemeente=WIJCHEN)
    eigen = await _meld(api, "kwaliteitsmedewerker", WIJCHEN, aid)
    lek = """mutation($i: RegistreerDatalekInput!) { registreerDatalek(input: $i) { id } }"""
    invoer = {"omschrijving": "Overzicht verkeerd gemaild.", "ontdektOp": datetime.now(UTC).isoformat(),
              "categorieen": ["IDENTIFICATIE"]}  # fmt: skip
    r = await api.als("privacy_officer", WIJCHEN, lek, {"i": invoer | {"meldingIds": [m["id"]]}})
    assert codes(r) == ["NOT_FOUND"]
    r = await api.als("privacy_officer", WIJCHEN, lek, {"i": invoer | {"meldingIds": [eigen["id"]]}})
    assert "errors" not in r, r


def _alles_gepubliceerd(tellingen: dict, gemeenten: list[str], stappen: list[str], k: int) -> list:
    """Every grouping of one month, for the regional view and each gemeente's own view (as tests/test_onthulling)."""
    import itertools

    import domein.inzicht as _inz
    from domein.inzicht import combineer
    from domein.maandtabellen import ATOOM, Dimensie, Maand, Meting
    from domein.onthulling import beschermingsblokken
    from tests.aanval import Gepubliceerd

    maand = "2026-01"
    natuurlijk = (Dimensie.AANBIEDER, Dimensie.GEMEENTE, Dimensie.STAP, Dimensie.CATEGORIE)
    atomen = {
        tuple(dict(zip(natuurlijk, a, strict=True))[d] for d in ATOOM): Meting(aantal=n) for a, n in tellingen.items()
    }
    per_maand = {
        maand: Maand(1, atomen, beschermingsblokken({s: v.aantal for s, v in atomen.items()}, k, _inz.insiders()))
    }
    alle = list(itertools.product(["a1", "a2"], gemeenten, stappen, ["fraude_vermoeden"]))
    domein = {Dimensie.AANBIEDER: ["a1", "a2"], Dimensie.STAP: stappen, Dimensie.CATEGORIE: ["fraude_vermoeden"]}
    gezien = []
    for naam, zicht, eigen in [("regio", gemeenten, False), *((g, [g], True) for g in gemeenten)]:
        for r in range(len(Dimensie) + 1):
            for gevraagd in itertools.combinations(list(Dimensie), r):
                intern = tuple(d for d in ATOOM if d in gevraagd or (d is Dimensie.GEMEENTE and eigen))
                cellen = combineer(per_maand, [maand], intern, gevraagd, zicht)
                dims = tuple(d for d in Dimensie if d in gevraagd or d in intern)
                waarden = domein | {Dimensie.GEMEENTE: zicht, Dimensie.MAAND: [maand]}
                for sleutel in itertools.product(*(waarden[d] for d in dims)):
                    meting, vrij = cellen.get(sleutel, (Meting(), True))
                    leden = frozenset(
                        a
                        for a in alle
                        if all(
                            d is Dimensie.MAAND or dict(zip(natuurlijk, a, strict=True))[d] == v
                            for d, v in zip(dims, sleutel, strict=True)
                        )
                    )
                    aantal = meting.aantal if vrij or meting.aantal == 0 else None
                    gezien.append(Gepubliceerd(f"{naam} {dims} {sleutel}", leden, aantal))
    return gezien


@pytest.mark.parametrize(
    "eigen",
    [
        # Its own meldingen at the RMZ and at stap 1 are small or large; an inwoner phoned the RMZ once.
        {"STAP_3": 2, "STAP_1": 6},
        {"STAP_3": 9, "STAP_1": 6},
    ],
)
def test_gemeente_leidt_uit_de_statistiek_geen_melding_af_die_het_rmz_zelf_over_haar_ontving(eigen):
    """No tipping off through aggregates: the gemeente knows its own meldingen, not what inwoners reported
    about it to the RMZ. Subtracting its own numbers from any published cell must not reveal those."""
    import itertools

    from domein.route import RMZ_ZELF_ONTVANGEN
    from tests.aanval import teruggevonden

    gemeenten, stappen, k = [NIJMEGEN, WIJCHEN], ["STAP_1", "STAP_3", RMZ_ZELF_ONTVANGEN], 5
    tellingen = {("a1", NIJMEGEN, stap, "fraude_vermoeden"): n for stap, n in eigen.items()}
    tellingen |= {
        ("a1", NIJMEGEN, RMZ_ZELF_ONTVANGEN, "fraude_vermoeden"): 1,
        ("a2", WIJCHEN, "STAP_3", "fraude_vermoeden"): 9,
    }
    gezien = _alles_gepubliceerd(tellingen, gemeenten, stappen, k)
    alle = list(itertools.product(["a1", "a2"], gemeenten, stappen, ["fraude_vermoeden"]))
    for g in gemeenten:
        bekend = {a: tellingen.get(a, 0) for a in alle if a[1] == g and a[2] != RMZ_ZELF_ONTVANGEN}
        waarheid = lambda leden: sum(tellingen.get(a, 0) for a in leden)  # noqa: E731
        assert teruggevonden(alle, gezien, waarheid, k, bekend) == [], g


async def test_melding_die_het_rmz_zelf_ontving_telt_apart_in_de_statistiek(api):
    aid = await aanbieder(api)
    m = await _meld(api, "rmz_medewerker", None, aid, herkomst="INWONER", gemeente=WIJCHEN)
    async with api.engine.connect() as conn:
        stap = await conn.scalar(
            sa.select(stapgebeurtenis.c.stap).where(stapgebeurtenis.c.zaak_id == intern_id(m["id"]))
        )
    assert stap == "RMZ_ZELF_ONTVANGEN"


async def test_gemeente_ziet_in_geen_enkele_indeling_van_de_statistiek_wat_het_rmz_zelf_over_haar_ontving(
    api, monkeypatch
):
    """No tipping off (issue 10; seed 003 §41.4): an inwoner reports aanbieder C to the RMZ. The gemeente's own
    figures (toegang.md: aggregates of the own gemeente) must not list C, show a suppressed cell where there
    would be 0, or suppress its own total because of it: 'onderdrukt' instead of 0 is already a tip-off."""
    import itertools

    from tests.test_statistiek_api import einde, klok, statistiek, vorige_maanden

    _, maand = vorige_maanden()
    a, c = await aanbieder(api), await aanbieder(api)
    klok(monkeypatch, maand.replace(day=10))
    for _ in range(6):
        r = await api.als("consulent", NIJMEGEN, REGISTREER, {"i": stap_1(a)})
        assert "errors" not in r, r
    await _meld(api, "rmz_medewerker", None, c, herkomst="INWONER", gemeente=NIJMEGEN, betrokkeneGeinformeerd=False)
    monkeypatch.undo()
    dims = ["AANBIEDER", "STAP", "CATEGORIE", "MAAND"]
    for r in range(len(dims) + 1):
        for indeling in itertools.combinations(dims, r):
            for rol in ("consulent", "kwaliteitsmedewerker"):
                cellen = await statistiek(api, rol, NIJMEGEN, list(indeling), maand, einde(maand))
                assert all((x["aanbieder"] or {}).get("id") != c for x in cellen), indeling
                assert not any(x["onderdrukt"] for x in cellen), (indeling, cellen)
                assert sum(x["aantal"] for x in cellen) == 6, indeling
    # The RMZ still counts it (regional view).
    rmz = await statistiek(api, "rmz_medewerker", None, ["STAP"], maand, einde(maand))
    assert [x["onderdrukt"] for x in rmz if x["stap"] == "RMZ_ZELF_ONTVANGEN"] == [True]


async def test_wie_de_vrije_tekst_van_een_melding_volledig_leest_wordt_geaudit(api):
    """toegang.md regel 7: every read of persoonsgegevens is logged. The summary of what an inwoner told the RMZ
    names the cliënt; reading it in full is such a read (the pseudonymised read of the contractmanager already
    is), with the doel and the cliënt's pseudonym so an inzageverzoek finds it."""
    aid = await aanbieder(api)
    m = await _meld(api, "rmz_medewerker", None, aid, herkomst="INWONER", gemeente=WIJCHEN,
                    samenvatting="Cliënt Fictief kreeg uren gedeclareerd die niet geleverd zijn")  # fmt: skip
    r = await api.als("rmz_medewerker", None, "query($id: ID!) { node(id: $id) { ... on Melding { samenvatting } } }",
                      {"id": m["id"]})  # fmt: skip
    assert "Cliënt Fictief" in r["data"]["node"]["samenvatting"]
    async with api.engine.connect() as conn:
        regels = (
            await conn.execute(
                sa.select(auditregel).where(
                    auditregel.c.object_id == intern_id(m["id"]), auditregel.c.operatie == "lezen"
                )
            )
        ).all()
    assert len(regels) == 1, regels
    assert (regels[0].doel, regels[0].verantwoordelijke) == ("kwaliteit_handhaving", "ROB")
    assert len(regels[0].betrokkenen) == 2  # the cliënt and the medewerker named in this melding
