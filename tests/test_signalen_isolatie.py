"""Isolatie per rol op signalen en meldingen (toegang.md), ook via geneste paden en tellingen."""

from __future__ import annotations

import json

import pytest

from tests.conftest import codes
from tests.hulp import NIJMEGEN, WIJCHEN, registreer_casus
from tests.hulp_signalen import ESCALEER, aanbieder, naar_stap_2, signaal_in_stap_1, stap_3

# rol, gemeente → (signalen zichtbaar, meldingen zichtbaar, betrokkenen van RMZ-melding zichtbaar)
MATRIX = [
    ("consulent", NIJMEGEN, 1, 1, False),
    ("kwaliteitsmedewerker", NIJMEGEN, 1, 1, False),
    ("consulent", WIJCHEN, 0, 0, False),
    ("kwaliteitsmedewerker", WIJCHEN, 0, 0, False),
    ("backoffice", NIJMEGEN, None, None, False),
    ("rmz_medewerker", None, None, 1, True),
    ("contractmanager", None, None, 1, False),
    ("privacy_officer", None, None, None, False),
    ("privacy_officer", NIJMEGEN, None, None, False),
    ("beheerder", None, None, None, False),
]


@pytest.fixture
async def melding_met_casus(api):
    casus = await registreer_casus(api, NIJMEGEN, naam="Dossier Inwoner")
    s = await signaal_in_stap_1(api, casusId=casus["id"])
    await naar_stap_2(api, s["id"])
    r = await api.als("kwaliteitsmedewerker", NIJMEGEN, ESCALEER, {"i": stap_3(s["id"])})
    assert "errors" not in r, r
    return casus, s, r["data"]["escaleerSignaal"]["melding"]


@pytest.mark.parametrize(("rol", "gemeente", "signalen", "meldingen", "betrokkenen"), MATRIX)
async def test_elke_rol_ziet_precies_wat_toegang_md_toestaat(
    api, melding_met_casus, rol, gemeente, signalen, meldingen, betrokkenen
):
    casus, _s, _m = melding_met_casus
    sig = await api.als(rol, gemeente, "{ signalen { totalCount } }")
    mel = await api.als(rol, gemeente, "{ meldingen { totalCount edges { node { betrokkenen { naam } } } } }")
    if signalen is None:
        assert codes(sig) == ["FORBIDDEN"]
    else:
        assert sig["data"]["signalen"]["totalCount"] == signalen
    if meldingen is None:
        assert codes(mel) == ["FORBIDDEN"]
    elif meldingen and betrokkenen:
        assert mel["data"]["meldingen"]["edges"][0]["node"]["betrokkenen"]
    else:
        assert "Cliënt Fictief" not in json.dumps(mel)
    for antwoord in (sig, mel):
        assert casus["inwoner"]["bsn"] not in json.dumps(antwoord) and "Dossier Inwoner" not in json.dumps(antwoord)


@pytest.mark.parametrize("rol", ["rmz_medewerker", "contractmanager"])
async def test_regio_leest_nooit_het_casusdossier_achter_een_melding(api, melding_met_casus, rol):
    casus, _s, m = melding_met_casus
    q = """query($id: ID!) { node(id: $id) { ... on Melding {
      signaal { casus { inwoner { bsn naam } hulpvraag } } } } }"""
    r = await api.als(rol, None, q, {"id": m["id"]})
    assert "FORBIDDEN" in codes(r)
    assert casus["inwoner"]["bsn"] not in json.dumps(r) and "Dossier Inwoner" not in json.dumps(r)


async def test_eigen_gemeente_volgt_melding_naar_signaal_en_casus(api, melding_met_casus):
    casus, _s, m = melding_met_casus
    q = """query($id: ID!) { node(id: $id) { ... on Melding { signaal { stap casus { inwoner { bsn } } } } } }"""
    r = await api.als("kwaliteitsmedewerker", NIJMEGEN, q, {"id": m["id"]})
    assert r["data"]["node"]["signaal"] == {"stap": "stap_3", "casus": {"inwoner": {"bsn": casus["inwoner"]["bsn"]}}}


async def test_signaal_van_andere_gemeente_bestaat_niet_ook_niet_om_te_escaleren(api):
    s = await signaal_in_stap_1(api, WIJCHEN, aanbieder_id=await aanbieder(api))
    r = await api.als(
        "kwaliteitsmedewerker",
        NIJMEGEN,
        ESCALEER,
        {
            "i": {
                "signaalId": s["id"],
                "naarStap": "2",
                "toelichting": "x",
                "herhaling": True,
                "afspraken": "y",
                "afgesprokenOp": "2026-11-16",
            }
        },
    )
    assert codes(r) == ["NOT_FOUND"] and r["data"] is None
