"""Relay-verbindingen volgens de cursorspecificatie: startCursor, hasPreviousPage, last/before (issue 12)."""

from __future__ import annotations

import base64
import json

from graphql import GraphQLNonNull, GraphQLObjectType, get_named_type

from api.schema import maak_schema
from tests.conftest import codes
from tests.hulp import NIJMEGEN, WIJCHEN, registreer_casus
from tests.hulp_signalen import aanbieder

LIJST = """
query($first: Int, $after: String, $last: Int, $before: String) {
  casussen(first: $first, after: $after, last: $last, before: $before) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id } }
  }
}
"""


def _cursor(*waarden: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(waarden)).encode()).decode().rstrip("=")


async def _lijst(api, gemeente=NIJMEGEN, **variabelen) -> dict:
    antwoord = await api.als("consulent", gemeente, LIJST, variabelen)
    assert "errors" not in antwoord, antwoord
    return antwoord["data"]["casussen"]


def _ids(verbinding: dict) -> list[str]:
    return [e["node"]["id"] for e in verbinding["edges"]]


def test_elke_verbinding_in_het_schema_heeft_een_volledige_page_info():
    schema = maak_schema()._schema
    verbindingen = [t for n, t in schema.type_map.items() if n.endswith("Connection")]
    assert len(verbindingen) >= 8
    for verbinding in verbindingen:
        assert isinstance(verbinding, GraphQLObjectType)
        veld = verbinding.fields["pageInfo"]
        assert isinstance(veld.type, GraphQLNonNull), verbinding.name
        info = get_named_type(veld.type)
        assert isinstance(info, GraphQLObjectType) and info.name == "PageInfo"
        assert {"hasNextPage", "hasPreviousPage", "startCursor", "endCursor"} <= set(info.fields)
        assert isinstance(info.fields["hasPreviousPage"].type, GraphQLNonNull)


async def test_vooruit_bladeren_geeft_start_en_eindcursor_en_weet_of_er_een_vorige_pagina_is(api):
    alle = [(await registreer_casus(api, NIJMEGEN))["id"] for _ in range(5)]
    eerste = await _lijst(api, first=2)
    assert _ids(eerste) == alle[:2]
    info = eerste["pageInfo"]
    assert info["startCursor"] == eerste["edges"][0]["cursor"] and info["endCursor"] == eerste["edges"][1]["cursor"]
    assert info["hasNextPage"] and not info["hasPreviousPage"], "zonder after is er geen vorige pagina"
    tweede = await _lijst(api, first=2, after=info["endCursor"])
    assert _ids(tweede) == alle[2:4]
    assert tweede["pageInfo"]["hasPreviousPage"] and tweede["pageInfo"]["hasNextPage"]
    laatste = await _lijst(api, first=2, after=tweede["pageInfo"]["endCursor"])
    assert _ids(laatste) == alle[4:] and laatste["pageInfo"]["hasPreviousPage"]
    assert not laatste["pageInfo"]["hasNextPage"]


async def test_lege_pagina_heeft_geen_cursors(api):
    leeg = await _lijst(api, first=0)
    assert leeg["edges"] == [] and leeg["pageInfo"]["startCursor"] is None and leeg["pageInfo"]["endCursor"] is None


async def test_terug_bladeren_met_last_en_before(api):
    alle = [(await registreer_casus(api, NIJMEGEN))["id"] for _ in range(5)]
    staart = await _lijst(api, last=2)
    assert _ids(staart) == alle[3:], "last geeft de laatste elementen, in de gewone volgorde"
    assert staart["pageInfo"]["hasPreviousPage"] and not staart["pageInfo"]["hasNextPage"]
    ervoor = await _lijst(api, last=2, before=staart["pageInfo"]["startCursor"])
    assert _ids(ervoor) == alle[1:3]
    assert ervoor["pageInfo"]["hasPreviousPage"] and ervoor["pageInfo"]["hasNextPage"], "na 'before' ligt nog iets"
    begin = await _lijst(api, last=2, before=ervoor["pageInfo"]["startCursor"])
    assert _ids(begin) == alle[:1] and not begin["pageInfo"]["hasPreviousPage"]


async def test_after_en_before_samen_geven_het_venster_ertussen(api):
    alle = [(await registreer_casus(api, NIJMEGEN))["id"] for _ in range(5)]
    cursors = [e["cursor"] for e in (await _lijst(api, first=5))["edges"]]
    tussen = await _lijst(api, first=10, after=cursors[0], before=cursors[4])
    assert _ids(tussen) == alle[1:4]


async def test_first_en_last_samen_of_te_groot_is_ongeldige_invoer(api):
    for variabelen in ({"first": 1, "last": 1}, {"last": 101}, {"last": -1}):
        antwoord = await api.als("consulent", NIJMEGEN, LIJST, variabelen)
        assert codes(antwoord) == ["BAD_USER_INPUT"], variabelen


async def test_vorige_pagina_telt_geen_rijen_van_een_andere_gemeente(api):
    """Een vervalste cursor net na een casus van Wijchen: voor Nijmegen ligt daar niets vóór."""
    vreemd = await registreer_casus(api, WIJCHEN)
    await registreer_casus(api, NIJMEGEN)
    lijst_wijchen = await _lijst(api, WIJCHEN, first=1)
    tijd, id_ = json.loads(base64.urlsafe_b64decode(lijst_wijchen["edges"][0]["cursor"] + "=="))
    assert lijst_wijchen["edges"][0]["node"]["id"] == vreemd["id"]
    vervalst = _cursor(tijd, id_)
    eigen = await _lijst(api, first=1, after=vervalst)
    assert eigen["totalCount"] == 1 and len(eigen["edges"]) == 1
    assert not eigen["pageInfo"]["hasPreviousPage"], "de casus van Wijchen is voor Nijmegen geen vorige pagina"
    terug = await _lijst(api, last=1, before=vervalst)
    assert terug["edges"] == [], "vóór die cursor ligt voor Nijmegen niets"
    assert terug["pageInfo"]["hasNextPage"], "de eigen casus ligt erna"


async def test_andere_lijsten_geven_startcursor_en_geen_vorige_pagina_op_de_eerste(api):
    for _ in range(2):
        await aanbieder(api)
    q = "{ aanbieders(first: 1) { edges { cursor } pageInfo { startCursor hasPreviousPage hasNextPage } } }"
    antwoord = await api.als("beheerder", None, q)
    verbinding = antwoord["data"]["aanbieders"]
    assert verbinding["pageInfo"]["startCursor"] == verbinding["edges"][0]["cursor"]
    assert verbinding["pageInfo"]["hasPreviousPage"] is False and verbinding["pageInfo"]["hasNextPage"] is True


async def test_cursor_van_diep_geneste_lijsten_is_ongeldige_invoer_geen_interne_fout(api):
    await registreer_casus(api, NIJMEGEN)
    diep = base64.urlsafe_b64encode(b"[" * 50_000).decode()
    for variabelen in ({"first": 1, "after": diep}, {"last": 1, "before": diep}):
        assert codes(await api.als("consulent", NIJMEGEN, LIJST, variabelen)) == ["BAD_USER_INPUT"]
    q = "query($a: String) { signalen(first: 1, after: $a) { totalCount } }"
    assert codes(await api.als("consulent", NIJMEGEN, q, {"a": diep})) == ["BAD_USER_INPUT"]
