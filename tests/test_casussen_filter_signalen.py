"""Filters op signalen (issue 12): stap, categorie, aanbieder en periode, binnen het bereik van de gemeente."""

from __future__ import annotations

from typing import Any

from tests.conftest import codes
from tests.hulp import NIJMEGEN, WIJCHEN
from tests.hulp_signalen import aanbieder, naar_stap_2, signaal_in_stap_1

LIJST = """
query($first: Int, $after: String, $filter: SignaalFilter) {
  signalen(first: $first, after: $after, filter: $filter) {
    totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { node { id stap categorie aangemaaktOp } }
  }
}
"""


async def _lijst(api: Any, gemeente: str = NIJMEGEN, **variabelen: Any) -> dict[str, Any]:
    return await api.als("consulent", gemeente, LIJST, variabelen)


def _data(antwoord: dict[str, Any]) -> dict[str, Any]:
    assert "errors" not in antwoord, antwoord
    return dict(antwoord["data"]["signalen"])


def _ids(verbinding: dict[str, Any]) -> list[str]:
    return [e["node"]["id"] for e in verbinding["edges"]]


async def test_signalen_filteren_op_stap_categorie_aanbieder_en_periode(api):
    a1, a2 = await aanbieder(api), await aanbieder(api)
    s1 = await signaal_in_stap_1(api, aanbieder_id=a1)
    s2 = await signaal_in_stap_1(api, aanbieder_id=a2, categorie="KWALITEIT")
    s3 = await signaal_in_stap_1(api, aanbieder_id=a1, categorie="KWALITEIT")
    await naar_stap_2(api, s3["id"])
    await signaal_in_stap_1(api, WIJCHEN, aanbieder_id=a1, categorie="KWALITEIT")
    stap_2 = _data(await _lijst(api, filter={"stap": ["stap_2"]}))
    assert _ids(stap_2) == [s3["id"]] and stap_2["totalCount"] == 1
    kwaliteit = _data(await _lijst(api, filter={"categorie": ["KWALITEIT"]}))
    assert _ids(kwaliteit) == [s2["id"], s3["id"]] and kwaliteit["totalCount"] == 2, "Wijchen telt niet mee"
    bij_a1 = _data(await _lijst(api, filter={"aanbiederId": a1}))
    assert _ids(bij_a1) == [s1["id"], s3["id"]] and bij_a1["totalCount"] == 2
    tijden = {e["node"]["id"]: e["node"]["aangemaaktOp"] for e in _data(await _lijst(api))["edges"]}
    vanaf = _data(await _lijst(api, filter={"aangemaaktVanaf": tijden[s2["id"]], "aanbiederId": a1}))
    assert _ids(vanaf) == [s3["id"]]
    tot = _data(await _lijst(api, filter={"aangemaaktTot": tijden[s2["id"]]}))
    assert _ids(tot) == [s1["id"]]


async def test_signalen_bladeren_met_filter_weet_van_een_vorige_pagina(api):
    aid = await aanbieder(api)
    ids = [(await signaal_in_stap_1(api, aanbieder_id=aid))["id"] for _ in range(3)]
    eerste = _data(await _lijst(api, first=2, filter={"stap": ["stap_1"]}))
    assert _ids(eerste) == ids[:2] and not eerste["pageInfo"]["hasPreviousPage"]
    assert eerste["pageInfo"]["startCursor"] == _data(await _lijst(api, first=1))["pageInfo"]["endCursor"]
    tweede = _data(await _lijst(api, first=2, after=eerste["pageInfo"]["endCursor"], filter={"stap": ["stap_1"]}))
    assert _ids(tweede) == ids[2:] and tweede["pageInfo"]["hasPreviousPage"]
    assert not tweede["pageInfo"]["hasNextPage"] and tweede["totalCount"] == 3


async def test_ongeldig_signaalfilter_geeft_een_gecodeerde_nederlandse_melding(api):
    await signaal_in_stap_1(api)
    for variabelen, veld in (
        ({"filter": {"stap": ["stap_99"]}}, "filter.stap"),
        ({"filter": {"stap": []}}, "filter.stap"),
        ({"filter": {"categorie": []}}, "filter.categorie"),
        ({"filter": {"aangemaaktVanaf": "2026-02-01T00:00:00Z", "aangemaaktTot": "2026-01-01T00:00:00Z"}}, None),
    ):
        antwoord = await _lijst(api, **variabelen)
        assert codes(antwoord) == ["BAD_USER_INPUT"], variabelen
        if veld:
            assert antwoord["errors"][0]["extensions"]["veld"] == veld
    assert codes(await _lijst(api, filter={"categorie": ["ONBEKEND"]})) == ["BAD_USER_INPUT"]
    assert codes(await _lijst(api, filter={"aanbiederId": "geen-id"})) == ["NOT_FOUND"]


async def test_signaalfilter_op_aanbieder_van_andere_gemeente_telt_alleen_eigen_signalen(api):
    aid = await aanbieder(api)
    for _ in range(2):
        await signaal_in_stap_1(api, WIJCHEN, aanbieder_id=aid)
    verbinding = _data(await _lijst(api, filter={"aanbiederId": aid}))
    assert verbinding["edges"] == [] and verbinding["totalCount"] == 0 and not verbinding["pageInfo"]["hasNextPage"]


def test_elk_signaalfilter_leest_een_veld_met_het_besluit_van_de_lijst():
    """Een nieuw filterveld zonder tegenhanger in beleid/velden.csv laat deze test falen."""
    from graphql import GraphQLInputObjectType

    from api.schema import maak_schema
    from beleid.beslisser import CasbinBeslisser

    velden = CasbinBeslisser().velden()
    filter_ = maak_schema()._schema.type_map["SignaalFilter"]
    assert isinstance(filter_, GraphQLInputObjectType)
    leest = {
        "stap": "Signaal.stap",
        "categorie": "Signaal.categorie",
        "aanbiederId": "Signaal.aanbieder",
        "aangemaaktVanaf": "Signaal.aangemaaktOp",
        "aangemaaktTot": "Signaal.aangemaaktOp",
    }
    assert set(filter_.fields) == set(leest)
    assert {velden[v] for v in leest.values()} == {velden["Query.signalen"]} == {"signaal"}
