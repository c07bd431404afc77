"""Vrije tekst lekt geen persoonsgegevens (issue 10; toegang.md regels 3 en 4, Bijlage 1 art. 2.3).

- No BSN in any free text, in any of its spellings: one check (``waarden.controleer_tekst``) that every
  free-text input passes, the route fields of soort 'tekst' included.
- A free text that names the cliënt (the inwoner of the linked casus, or a cliënt betrokkene) needs the
  same ``betrokkeneGeinformeerd`` as structured betrokkenen before it goes to the RMZ or contractmanager.
"""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from domein.fouten import OngeldigeInvoer
from domein.opslag.tabellen import melding, signaal, signaal_stap
from domein.route import standaard_routes
from domein.waarden import controleer_tekst, noemt_naam
from tests.conftest import codes
from tests.hulp import NIJMEGEN, REGISTREER_CASUS, casus_invoer, nieuw_bsn, registreer_casus
from tests.hulp_signalen import (
    DIRECT,
    ESCALEER,
    REGISTREER,
    aanbieder,
    behandel,
    melding_bij_rmz,
    naar_stap_2,
    signaal_in_stap_1,
    stap_1,
    stap_3,
)

BSN = "999990019"
SCHRIJFWIJZEN = [
    BSN,
    "999 990 019",
    "9999.90.019",
    "999-990-019",
    "BSN:999990019.",
    "(999.990.019)",
    "999 - 990 - 019",
    "999\u2013990\u2013019",  # en dash
    "999\u200b990\u200b019",  # zero-width spaces
    "999\u00a0990\u00a0019",  # non-breaking spaces
    "\uff19\uff19\uff19\uff19\uff19\uff10\uff10\uff11\uff19",  # full-width digits
]


@pytest.mark.parametrize("schrijfwijze", SCHRIJFWIJZEN)
def test_een_bsn_in_vrije_tekst_wordt_in_elke_schrijfwijze_geweigerd(schrijfwijze):
    with pytest.raises(OngeldigeInvoer) as fout:
        controleer_tekst(f"Cliënt met nummer {schrijfwijze} belde", "toelichting", maximaal=1000)
    assert fout.value.veld == "toelichting"


@pytest.mark.parametrize(
    "tekst",
    [
        "Bel 06-12345678",
        "KvK 93000001 en AGB 97000001",
        "Factuur 123456789 van 2026-11-02",
        "1.234.567,89",
        "Gesprek 2026-11-02 10:15, tel 024 - 123 45 67",
    ],
)
def test_andere_nummers_in_vrije_tekst_mogen_wel(tekst):
    """A number that is no BSN (fails the elfproef, or is not 9 digits) is an ordinary part of a text."""
    assert controleer_tekst(tekst, "toelichting", maximaal=1000) == tekst


def test_elk_tekstveld_van_elke_route_weigert_een_bsn():
    for route in standaard_routes().values():
        for veld in route.velden.values():
            if veld.soort != "tekst":
                continue
            with pytest.raises(OngeldigeInvoer) as fout:
                veld.normaliseer(f"Over 999.990.019 gesproken ({veld.naam})")
            assert fout.value.veld == veld.naam, (route.naam, veld.naam)


def test_een_naam_wordt_herkend_zonder_hoofdletters_of_accenten_als_heel_woord():
    namen = ["Jan de Vries", "Ayşe Özdemir"]
    assert noemt_naam("gesprek met JAN DE VRIES over zorg", namen)
    assert noemt_naam("Mevrouw de vries was boos", namen)
    assert noemt_naam("Aanbieder belde mw. ozdemir.", namen)
    assert noemt_naam("Ayse Ozdemir-Bakker", namen)
    assert not noemt_naam("De Vriesland-locatie sloot vroeg", namen)
    assert not noemt_naam("Geen namen hier, alleen de zorg", namen)


async def _stored(api: Any) -> tuple[int, int, int]:
    async with api.engine.connect() as conn:
        return tuple(  # type: ignore[return-value]
            [
                int(await conn.scalar(sa.select(sa.func.count()).select_from(t)) or 0)
                for t in (signaal, signaal_stap, melding)
            ]
        )


@pytest.mark.parametrize("veld", ["omschrijving", "toelichting", "afspraken"])
async def test_registreer_signaal_weigert_een_bsn_in_elk_tekstveld(api, veld):
    aid = await aanbieder(api)
    r = await api.als("consulent", NIJMEGEN, REGISTREER, {"i": stap_1(aid, **{veld: "Cliënt 999 990 019 klaagde"})})
    assert codes(r) == ["BAD_USER_INPUT"] and r["errors"][0]["extensions"]["veld"] == veld, r
    assert veld in r["errors"][0]["message"]
    assert await _stored(api) == (0, 0, 0)


async def test_registreer_signaal_weigert_een_bsn_in_routespecifieke_gegevens(api):
    aid = await aanbieder(api)
    invoer = {
        "aanbiederId": aid,
        "categorie": "ARRANGEMENT",
        "omschrijving": "Geen overeenstemming over het arrangement",
        "route": "wbw-arrangement",
        "gegevens": {"discussiepunt": "1", "zorgcontinuiteit": True, "toelichting": "Jongere 9999-90-019 wacht"},
    }
    r = await api.als("consulent", NIJMEGEN, REGISTREER, {"i": invoer})
    assert codes(r) == ["BAD_USER_INPUT"] and r["errors"][0]["extensions"]["veld"] == "toelichting", r


@pytest.mark.parametrize("veld", ["toelichting", "afspraken"])
async def test_escaleren_weigert_een_bsn_in_toelichting_en_afspraken(api, veld):
    s = await signaal_in_stap_1(api)
    await naar_stap_2(api, s["id"])
    r = await api.als("kwaliteitsmedewerker", NIJMEGEN, ESCALEER, {"i": stap_3(s["id"], **{veld: "bsn 999.990.019"})})
    assert codes(r) == ["BAD_USER_INPUT"] and r["errors"][0]["extensions"]["veld"] == veld, r
    assert (await _stored(api))[2] == 0


async def test_directe_melding_weigert_een_bsn_in_de_samenvatting(api):
    aid = await aanbieder(api)
    invoer = {"aanbiederId": aid, "categorie": "KWALITEIT", "samenvatting": "Cliënt 999990019 zonder zorg"}
    r = await api.als("consulent", NIJMEGEN, DIRECT, {"i": invoer})
    assert codes(r) == ["BAD_USER_INPUT"] and "samenvatting" in r["errors"][0]["message"], r
    assert (await _stored(api))[2] == 0


@pytest.mark.parametrize(
    "velden",
    [
        {"terugkoppeling": "Over 999 990 019"},
        {"terugkoppeling": "In behandeling", "actieAanbieder": "999-990-019 bellen"},
    ],
)
async def test_behandel_melding_weigert_een_bsn_in_de_teksten_van_het_rmz(api, velden):
    m = await melding_bij_rmz(api)
    r = await behandel(api, "rmz_medewerker", m["id"], "IN_BEHANDELING", **velden)
    veld = "actie_aanbieder" if "actieAanbieder" in velden else "terugkoppeling"
    assert codes(r) == ["BAD_USER_INPUT"] and r["errors"][0]["extensions"]["veld"] == veld, r


async def test_hulpvraag_van_de_casus_weigert_ook_een_bsn(api):
    """Decision: the inwoner's own BSN lives in inwoner.bsn only (pseudonymised in audit, found by inzage,
    removed by the bewaartermijn); a BSN in the hulpvraag would escape all three."""
    invoer = casus_invoer() | {"hulpvraag": "Partner (BSN 999-990-019) helpt niet meer"}
    r = await api.als("consulent", NIJMEGEN, REGISTREER_CASUS, {"input": invoer})
    assert codes(r) == ["BAD_USER_INPUT"] and "hulpvraag" in r["errors"][0]["message"], r


async def _signaal_van_casus(api: Any, naam: str) -> str:
    c = await registreer_casus(api, NIJMEGEN, bsn=nieuw_bsn(), naam=naam)
    s = await signaal_in_stap_1(api, casusId=c["id"])
    await naar_stap_2(api, s["id"])
    return str(s["id"])


def _zonder_client(signaal_id: str, **kw: Any) -> dict[str, Any]:
    return (
        stap_3(signaal_id, betrokkenen=[{"soort": "MEDEWERKER", "naam": "Mw. Voorbeeld"}], betrokkeneGeinformeerd=False)
        | kw
    )


@pytest.mark.parametrize(
    ("veld", "tekst"),
    [
        ("toelichting", "Mevrouw DE VRIES kreeg opnieuw geen zorg"),
        ("afspraken", "Afgesproken met jan de vries: dagelijks bellen"),
        ("toelichting", "Jan de Vriës (cliënt) belde"),
    ],
)
async def test_melding_aan_het_rmz_die_de_client_noemt_vraagt_betrokkene_geinformeerd(api, veld, tekst):
    sid = await _signaal_van_casus(api, "Jan de Vries")
    r = await api.als("kwaliteitsmedewerker", NIJMEGEN, ESCALEER, {"i": _zonder_client(sid, **{veld: tekst})})
    assert codes(r) == ["BETROKKENE_NIET_GEINFORMEERD"], r
    assert (await _stored(api))[2] == 0
    r = await api.als(
        "kwaliteitsmedewerker",
        NIJMEGEN,
        ESCALEER,
        {"i": _zonder_client(sid, betrokkeneGeinformeerd=True, **{veld: tekst})},
    )
    assert "errors" not in r and r["data"]["escaleerSignaal"]["melding"]["status"] == "ONTVANGEN", r


async def test_naam_in_een_eerdere_stap_of_de_omschrijving_gaat_mee_naar_het_rmz(api):
    """Stap 1 and the omschrijving travel with the melding (samenvatting, stappen): the same rule applies."""
    c = await registreer_casus(api, NIJMEGEN, bsn=nieuw_bsn(), naam="Fatima El Amrani")
    s = await signaal_in_stap_1(api, casusId=c["id"], omschrijving="Zorg voor fatima el amrani viel uit")
    await naar_stap_2(api, s["id"])
    r = await api.als("kwaliteitsmedewerker", NIJMEGEN, ESCALEER, {"i": _zonder_client(s["id"])})
    assert codes(r) == ["BETROKKENE_NIET_GEINFORMEERD"] and "samenvatting" in r["errors"][0]["message"], r


async def test_melding_zonder_naam_van_de_client_hoeft_geen_bevestiging(api):
    sid = await _signaal_van_casus(api, "Jan de Vries")
    r = await api.als("kwaliteitsmedewerker", NIJMEGEN, ESCALEER, {"i": _zonder_client(sid)})
    assert "errors" not in r, r


@pytest.mark.parametrize(
    "schrijfwijze",
    [
        "999,990,019",  # komma's, zoals bij een bedrag
        "999\u2212990\u2212019",  # minteken (U+2212), geen streepje
        "999:990:019",
        "(999) 990-019",
        "999 | 990 | 019",
        "999+990+019",
    ],
)
def test_een_bsn_met_elk_ander_scheidingsteken_wordt_ook_geweigerd(schrijfwijze):
    """Issue 10: "refuse BSN-like numbers (with separators) in every free-text input": not only the separators
    someone thought of; any punctuation between the digits is still a BSN for the reader."""
    with pytest.raises(OngeldigeInvoer):
        controleer_tekst(f"Cliënt {schrijfwijze} belde", "toelichting", maximaal=1000)


async def test_rechtstreekse_rmz_melding_weigert_een_bsn_met_komma_s(api):
    """registreerRmzMelding: the RMZ writes down what an inwoner says; a BSN read aloud as 999,990,019 too."""
    aid = await aanbieder(api)
    invoer = {
        "aanbiederId": aid,
        "categorie": "FRAUDE_VERMOEDEN",
        "samenvatting": "Melder noemde BSN 999,990,019 van haar vader",
        "herkomst": "INWONER",
        "gemeente": NIJMEGEN,
    }
    r = await api.als(
        "rmz_medewerker",
        None,
        "mutation($i: RmzMeldingInput!) { registreerRmzMelding(input: $i) { id } }",
        {"i": invoer},
    )
    assert codes(r) == ["BAD_USER_INPUT"] and "samenvatting" in r["errors"][0]["message"], r


@pytest.mark.parametrize("tekst", ["Jantien kreeg opnieuw geen zorg", "Voorbeeldts zorgplan bleef liggen"])
async def test_melding_die_de_client_bij_voornaam_of_in_de_bezitsvorm_noemt_vraagt_ook_bevestiging(api, tekst):
    """Bijlage 1 art. 2.3: a first name or 'Voorbeeldts' in the toelichting names the cliënt of the casus as much
    as her full name does (and the contractmanager's mask replaces those parts too)."""
    sid = await _signaal_van_casus(api, "Jantien Voorbeeldt")
    r = await api.als("kwaliteitsmedewerker", NIJMEGEN, ESCALEER, {"i": _zonder_client(sid, toelichting=tekst)})
    assert codes(r) == ["BETROKKENE_NIET_GEINFORMEERD"], r
    assert (await _stored(api))[2] == 0
