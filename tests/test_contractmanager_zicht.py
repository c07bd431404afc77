"""Seed 000 stap 3: "RMZ informeert de contractmanager over de melding en handelt richting zorgaanbieders".

The contractmanager needs what happened to act (the summary, the steps and agreements, the RMZ's
actions) but reads RMZ-meldingen without persoonsgegevens (toegang.md rule 3): names, BSNs and birth
dates of every known person are replaced by the stable pseudonym that ``Melding.pseudoniem`` shows.
Only once the RMZ informed them (CONTRACTMANAGER_GEINFORMEERD); while the RMZ weighs it, nothing.
"""

from __future__ import annotations

import json
from datetime import date

import pytest
import sqlalchemy as sa

from domein.audit import auditregel
from domein.maskering import BSN_VERWIJDERD, Persoon, masker
from tests.conftest import codes
from tests.hulp import NIJMEGEN, WIJCHEN, intern_id
from tests.hulp_signalen import (
    aanbieder,
    behandel,
    rmz_melding_over_casus,
)

INWONER = "Jantien Voorbeeldt"
MEDEWERKER = "Mw. Pieternel Proefmans"
CLIENT_BSN = "999990019"
ZICHT = """query($id: ID!) { node(id: $id) { ... on Melding { id status pseudoniem samenvatting
  stappen { stap titel toelichting afspraken gegevens } terugkoppeling betrokkenen { naam bsn }
  handelingen { vanStatus naarStatus gegevens op door } } } }"""
LIJST = """{ meldingen { totalCount edges { node { id samenvatting stappen { toelichting } handelingen { gegevens }
  terugkoppeling pseudoniem } } } }"""
VERBODEN = ("Jantien", "Voorbeeldt", "Pieternel", "Proefmans", "1980-01-01", "01-01-1980")


async def _rmz_melding_over_casus(api) -> tuple[str, str]:
    """Een ladder-melding over een casus, met namen en geboortedatum in de vrije tekst (zoals melders doen)."""
    return await rmz_melding_over_casus(
        api,
        INWONER,
        MEDEWERKER,
        f"{INWONER} (geboren 01-01-1980) kreeg opnieuw geen zorg van Proefmans",
        toelichting_stap_3=f"Pieternel bleef {INWONER} overslaan",
    )


async def _informeer(api, mid: str) -> None:
    for status, velden in (
        ("IN_BEHANDELING", {"terugkoppeling": f"In behandeling; wij spreken Proefmans aan over {INWONER}"}),
        (
            "CONTRACTMANAGER_GEINFORMEERD",
            {"toelichting": f"Contractmanager geïnformeerd over {INWONER}", "actieAanbieder": "Gesprek met Proefmans"},
        ),
    ):
        r = await behandel(api, "rmz_medewerker", mid, status, **velden)
        assert "errors" not in r, r


def _geen_persoonsgegevens(antwoord: dict, bsn: str) -> None:
    tekst = json.dumps(antwoord, ensure_ascii=False)
    for verboden in (*VERBODEN, bsn):
        assert verboden not in tekst, (verboden, tekst)


async def test_contractmanager_ziet_gepseudonimiseerde_samenvatting_stappen_en_rmz_acties(api):
    mid, bsn = await _rmz_melding_over_casus(api)
    await _informeer(api, mid)
    antwoord = await api.als("contractmanager", None, ZICHT, {"id": mid})
    assert "errors" not in antwoord, antwoord
    _geen_persoonsgegevens(antwoord, bsn)
    m = antwoord["data"]["node"]
    assert m["betrokkenen"] is None
    assert len(m["pseudoniem"]) == 2
    # The same pseudonym stands in the text, so the contractmanager sees who recurs.
    assert any(p in m["samenvatting"] for p in m["pseudoniem"]), m["samenvatting"]
    assert "kreeg opnieuw geen zorg" in m["samenvatting"]
    assert "[geboortedatum verwijderd]" in m["samenvatting"]
    assert [s["stap"] for s in m["stappen"]] == ["stap_1", "stap_2", "stap_3"]
    assert m["stappen"][1]["afspraken"] == "Schriftelijke verbeterafspraken met het management"
    assert m["stappen"][0]["gegevens"]["afgesproken_op"] == "2026-11-02"
    assert [h["naarStatus"] for h in m["handelingen"]] == [
        "ONTVANGEN",
        "IN_BEHANDELING",
        "CONTRACTMANAGER_GEINFORMEERD",
    ]
    assert all(h["op"] for h in m["handelingen"])
    geinformeerd = m["handelingen"][2]["gegevens"]
    assert geinformeerd["actie_aanbieder"].startswith("Gesprek met [medewerker ")
    assert geinformeerd["toelichting"].startswith("Contractmanager geïnformeerd over [")
    assert len(m["terugkoppeling"]) == 1 and "[medewerker " in m["terugkoppeling"][0]
    # The RMZ itself still reads the original while the melding is open.
    rmz = (await api.als("rmz_medewerker", None, ZICHT, {"id": mid}))["data"]["node"]
    assert INWONER in rmz["samenvatting"] and {b["bsn"] for b in rmz["betrokkenen"]} == {None, bsn}


async def test_contractmanager_ziet_niets_voordat_het_rmz_hem_informeert(api):
    mid, _bsn = await _rmz_melding_over_casus(api)
    for stap in (None, "IN_BEHANDELING"):
        if stap:
            await behandel(api, "rmz_medewerker", mid, stap, terugkoppeling="In behandeling")
        m = (await api.als("contractmanager", None, ZICHT, {"id": mid}))["data"]["node"]
        assert (m["samenvatting"], m["stappen"], m["handelingen"], m["terugkoppeling"]) == (None, None, None, None)


async def test_lijst_van_de_contractmanager_bevat_nergens_persoonsgegevens(api):
    mid, bsn = await _rmz_melding_over_casus(api)
    await _informeer(api, mid)
    await behandel(
        api, "rmz_medewerker", mid, "AFGEROND", uitkomst="handhavingstraject", terugkoppeling=f"Klaar met {INWONER}"
    )
    antwoord = await api.als("contractmanager", None, LIJST)
    assert "errors" not in antwoord, antwoord
    _geen_persoonsgegevens(antwoord, bsn)
    node = antwoord["data"]["meldingen"]["edges"][0]["node"]
    assert node["samenvatting"] and len(node["terugkoppeling"]) == 2


async def test_gepseudonimiseerde_lezing_is_geaudit_met_doel_contractmanagement(api):
    mid, _bsn = await _rmz_melding_over_casus(api)
    await _informeer(api, mid)
    await api.als("contractmanager", None, ZICHT, {"id": mid})
    async with api.engine.connect() as conn:
        regels = (
            await conn.execute(
                sa.select(auditregel).where(
                    auditregel.c.object_id == intern_id(mid), auditregel.c.rol == "contractmanager"
                )
            )
        ).all()
    assert len(regels) == 1
    assert regels[0].doel == "contractmanagement"
    assert "persoonsgegevens.gepseudonimiseerd" in regels[0].categorieen
    assert len(regels[0].betrokkenen) == 2  # keyed pseudonyms: inzage finds the reads about a person


async def test_gemeenten_zien_de_melding_van_een_andere_gemeente_niet(api):
    mid, _bsn = await _rmz_melding_over_casus(api)
    await _informeer(api, mid)
    for rol in ("consulent", "kwaliteitsmedewerker", "backoffice"):
        lijst = await api.als(rol, WIJCHEN, "{ meldingen { totalCount edges { node { id } } } }")
        assert lijst.get("data") is None or lijst["data"]["meldingen"]["totalCount"] == 0, lijst
        assert codes(await api.als(rol, WIJCHEN, ZICHT, {"id": mid})) in (["NOT_FOUND"], ["FORBIDDEN"])


async def test_contractmanager_leest_ook_een_rechtstreekse_rmz_melding_gepseudonimiseerd(api):
    aid = await aanbieder(api)
    r = await api.als(
        "rmz_medewerker",
        None,
        "mutation($i: RmzMeldingInput!) { registreerRmzMelding(input: $i) { id } }",
        {
            "i": {
                "aanbiederId": aid,
                "categorie": "FRAUDE_VERMOEDEN",
                "samenvatting": f"{MEDEWERKER} declareert uren bij {INWONER} die niet geleverd zijn",
                "betrokkenen": [{"soort": "MEDEWERKER", "naam": MEDEWERKER}, {"soort": "CLIENT", "naam": INWONER}],
                "herkomst": "INWONER",
                "gemeente": NIJMEGEN,
            }
        },
    )
    mid = r["data"]["registreerRmzMelding"]["id"]
    await _informeer(api, mid)
    antwoord = await api.als("contractmanager", None, ZICHT, {"id": mid})
    _geen_persoonsgegevens(antwoord, CLIENT_BSN)
    assert "declareert uren bij [client " in antwoord["data"]["node"]["samenvatting"]


@pytest.mark.parametrize(
    ("tekst", "verwacht"),
    [
        ("Bel 999990019 of 9999-90-019 terug", f"Bel {BSN_VERWIJDERD} of {BSN_VERWIJDERD} terug"),
        (
            "Mevrouw van der Berg-Jansen sprak met Jansen",
            "Mevrouw [client abcdefabcdefabcd] sprak met [client abcdefabcdefabcd]",
        ),
        ("De cliënt is van de lijst", "De cliënt is van de lijst"),
        ("Geboren 5-3-1990 en 1990-03-05", "Geboren [geboortedatum verwijderd] en [geboortedatum verwijderd]"),
        ("KvK 12345678 blijft", "KvK 12345678 blijft"),
    ],
)
def test_masker_vervangt_namen_bsns_en_geboortedata_maar_niet_gewone_woorden(tekst, verwacht):
    m = masker([Persoon("abcdef" * 5, "client", "van der Berg-Jansen", None, date(1990, 3, 5))])
    assert m.tekst(tekst) == verwacht


async def test_gepseudonimiseerde_lijst_van_de_contractmanager_kost_een_vast_aantal_statements(api):
    """The pseudonymisation is loaded per page (DataLoader), not per melding: no N+1."""
    for _ in range(4):
        mid, _bsn = await _rmz_melding_over_casus(api)
        await _informeer(api, mid)
    query = """query($first: Int) { meldingen(first: $first) { edges { node { samenvatting terugkoppeling
      stappen { toelichting } handelingen { gegevens } } } } }"""
    aantallen = []
    for first in (1, 4):
        api.sql.reset()
        antwoord = await api.als("contractmanager", None, query, {"first": first})
        assert "errors" not in antwoord and len(antwoord["data"]["meldingen"]["edges"]) == first, antwoord
        aantallen.append(api.sql.aantal)
    assert aantallen[0] == aantallen[1], api.sql.statements


@pytest.mark.parametrize(
    ("naam", "tekst", "lekt"),
    [
        ("Özdemir Yılmaz", "Ozdemir en Yilmaz belden", ("Ozdemir", "Yilmaz")),  # zonder accenten getypt
        ("jan de jong", "De Jong kreeg geen zorg", ("Jong",)),  # naam klein ingevoerd
        ("Li Wei", "Mevrouw Li kreeg geen zorg", (" Li ",)),  # achternaam van twee letters
        ("Søren Ærø", "Soren belde", ("Soren",)),
    ],
)
def test_masker_vervangt_ook_een_naam_zonder_accenten_hoofdletters_of_van_twee_letters(naam, tekst, lekt):
    """toegang.md regel 3: the contractmanager reads no naam. The input check (waarden.noemt_naam) already
    treats 'Ozdemir' as naming 'Özdemir'; the mask must hide what the input check recognises as the name."""
    uit = masker([Persoon("abcdef" * 5, "client", naam)]).tekst(tekst)
    for deel in lekt:
        assert deel not in uit, uit
    assert "[client abcdefabcdefabcd]" in uit


async def test_contractmanager_leest_geen_naam_die_anders_geschreven_is_dan_geregistreerd(api):
    """Seed 000 stap 3 + toegang.md regel 3, through the API: a rechtstreekse melding of an inwoner naming a
    medewerker in lower case and the cliënt without accents."""
    aid = await aanbieder(api)
    r = await api.als(
        "rmz_medewerker",
        None,
        "mutation($i: RmzMeldingInput!) { registreerRmzMelding(input: $i) { id } }",
        {
            "i": {
                "aanbiederId": aid,
                "categorie": "FRAUDE_VERMOEDEN",
                "samenvatting": "Medewerker Wu schrijft uren bij mevrouw Ozturk die niet geleverd zijn",
                "betrokkenen": [{"soort": "MEDEWERKER", "naam": "ka wu"}, {"soort": "CLIENT", "naam": "Ayşe Öztürk"}],
                "herkomst": "INWONER",
                "gemeente": NIJMEGEN,
            }
        },
    )
    mid = r["data"]["registreerRmzMelding"]["id"]
    await _informeer(api, mid)
    samenvatting = (await api.als("contractmanager", None, ZICHT, {"id": mid}))["data"]["node"]["samenvatting"]
    assert "Wu" not in samenvatting and "Ozturk" not in samenvatting, samenvatting


@pytest.mark.parametrize(
    "schrijfwijze",
    [
        "4 maart 1980",
        "04 mrt. 1980",
        "4 Maart '80",
        "04-03-80",
        "4/3/80",
        "04031980",
        "19800304",
        "1980-3-4",
        "1980/03/04",
    ],
)
def test_masker_vervangt_een_geboortedatum_in_elke_gangbare_schrijfwijze(schrijfwijze):
    """toegang.md regel 3: no geboortedatum for the contractmanager, also as a melder writes it in Dutch."""
    m = masker([Persoon("abcdef" * 5, "inwoner", "Jantien Voorbeeldt", None, date(1980, 3, 4))])
    assert m.tekst(f"Cliënt (geb. {schrijfwijze}) kreeg geen zorg") == (
        "Cliënt (geb. [geboortedatum verwijderd]) kreeg geen zorg"
    )


@pytest.mark.parametrize("tekst", ["Jansens zorgplan bleef liggen", "Het dossier van Özdemirs moeder", "Jansen’s plan"])
def test_masker_vervangt_ook_de_bezitsvorm_van_een_naam(tekst):
    """toegang.md regel 3: 'Jansens' (Dutch genitive) is the name Jansen."""
    uit = masker(
        [Persoon("abcdef" * 5, "client", "Piet Jansen"), Persoon("fedcba" * 5, "client", "Ali Özdemir")]
    ).tekst(tekst)
    assert "Jansen" not in uit and "Özdemir" not in uit, uit
