"""Gemeente-isolatie (toegang.md regel 1): een gebruiker van gemeente A ziet niets van gemeente B.

Attacks as an outsider would try them: another gemeente's id via casus and node, aliases,
fragments, totals, cursors, error messages, and roles that may not see casussen at all.
"""

from __future__ import annotations

import base64
import json

from tests.conftest import codes
from tests.hulp import CASUSSEN, NIJMEGEN, WIJCHEN, registreer_casus


async def test_consulent_registreert_en_leest_casus_van_eigen_gemeente(api):
    casus = await registreer_casus(api, NIJMEGEN, naam="Eigen Inwoner")
    assert casus["gemeente"]["code"] == NIJMEGEN
    antwoord = await api.als("consulent", NIJMEGEN, CASUSSEN)
    knopen = [e["node"] for e in antwoord["data"]["casussen"]["edges"]]
    assert [k["inwoner"]["naam"] for k in knopen] == ["Eigen Inwoner"]


async def test_lijst_en_totaal_tonen_niets_van_andere_gemeente(api):
    await registreer_casus(api, NIJMEGEN)
    for _ in range(3):
        await registreer_casus(api, WIJCHEN)
    antwoord = await api.als("consulent", NIJMEGEN, CASUSSEN)
    verbinding = antwoord["data"]["casussen"]
    assert verbinding["totalCount"] == 1
    assert {e["node"]["gemeente"]["code"] for e in verbinding["edges"]} == {NIJMEGEN}


async def test_casus_van_andere_gemeente_antwoordt_als_onbestaand(api):
    vreemd = await registreer_casus(api, WIJCHEN)
    onbestaand = base64.urlsafe_b64encode(b"Casus:00000000-0000-4000-8000-000000000000").decode().rstrip("=")
    q = "query($id: ID!) { casus(id: $id) { id hulpvraag } }"
    a = await api.als("consulent", NIJMEGEN, q, {"id": vreemd["id"]})
    b = await api.als("consulent", NIJMEGEN, q, {"id": onbestaand})
    assert a["data"] == b["data"] == {"casus": None}
    assert a["errors"][0]["message"] == b["errors"][0]["message"]
    assert codes(a) == codes(b) == ["NOT_FOUND"]
    assert "0296" not in json.dumps(a) and "Wijchen" not in json.dumps(a)


async def test_node_met_id_van_andere_gemeente_antwoordt_als_onbestaand(api):
    vreemd = await registreer_casus(api, WIJCHEN)
    q = "query($id: ID!) { node(id: $id) { id ... on Casus { inwoner { bsn } } } }"
    a = await api.als("consulent", NIJMEGEN, q, {"id": vreemd["id"]})
    b = await api.als("consulent", NIJMEGEN, q, {"id": "bestaat-niet"})
    assert a["data"] == b["data"] == {"node": None}
    assert codes(a) == codes(b) == ["NOT_FOUND"]
    assert a["errors"][0]["message"] == b["errors"][0]["message"]


async def test_aliassen_en_fragmenten_omzeilen_de_isolatie_niet(api):
    eigen = await registreer_casus(api, NIJMEGEN)
    vreemd = await registreer_casus(api, WIJCHEN)
    q = """
    fragment F on Casus { inwoner { bsn naam } hulpvraag }
    query($a: ID!, $b: ID!) {
      eigen: casus(id: $a) { ...F }
      vreemd: casus(id: $b) { ...F }
      viaNode: node(id: $b) { ... on Casus { ...F } }
      lijst: casussen(first: 100) { edges { node { inwoner { bsn } } } totalCount }
    }"""
    antwoord = await api.als("consulent", NIJMEGEN, q, {"a": eigen["id"], "b": vreemd["id"]})
    assert antwoord["data"]["eigen"]["inwoner"]["bsn"] == eigen["inwoner"]["bsn"]
    assert antwoord["data"]["vreemd"] is None and antwoord["data"]["viaNode"] is None
    assert antwoord["data"]["lijst"]["totalCount"] == 1
    assert vreemd["inwoner"]["bsn"] not in json.dumps(antwoord)


async def test_vervalste_cursor_toont_geen_rijen_van_andere_gemeente(api):
    await registreer_casus(api, NIJMEGEN)
    for _ in range(2):
        await registreer_casus(api, WIJCHEN)
    # A cursor from the start of time: still only the own gemeente's rows come after it.
    cursor = base64.urlsafe_b64encode(json.dumps(["1970-01-01T00:00:00", ""]).encode()).decode().rstrip("=")
    antwoord = await api.als("consulent", NIJMEGEN, CASUSSEN, {"after": cursor})
    assert {e["node"]["gemeente"]["code"] for e in antwoord["data"]["casussen"]["edges"]} == {NIJMEGEN}
    kapot = await api.als("consulent", NIJMEGEN, CASUSSEN, {"after": "!!geen-cursor"})
    assert codes(kapot) == ["BAD_USER_INPUT"]


async def test_paginering_loopt_alleen_over_eigen_rijen(api):
    for _ in range(3):
        await registreer_casus(api, NIJMEGEN)
        await registreer_casus(api, WIJCHEN)
    gezien, after = [], None
    while True:
        antwoord = await api.als("consulent", NIJMEGEN, CASUSSEN, {"first": 1, "after": after})
        verbinding = antwoord["data"]["casussen"]
        gezien += [e["node"]["id"] for e in verbinding["edges"]]
        assert verbinding["totalCount"] == 3
        if not verbinding["pageInfo"]["hasNextPage"]:
            break
        after = verbinding["pageInfo"]["endCursor"]
    assert len(gezien) == len(set(gezien)) == 3


async def test_contractmanager_en_beheerder_ontvangen_nooit_een_inwoner(api):
    vreemd = await registreer_casus(api, NIJMEGEN)
    for rol in ("contractmanager", "beheerder", "rmz_medewerker", "privacy_officer"):
        lijst = await api.als(rol, None, CASUSSEN)
        enkel = await api.als(rol, None, "query($id: ID!) { casus(id: $id) { inwoner { bsn } } }", {"id": vreemd["id"]})
        node = await api.als(
            rol, None, "query($id: ID!) { node(id: $id) { ... on Casus { id } } }", {"id": vreemd["id"]}
        )
        for antwoord in (lijst, enkel, node):
            assert vreemd["inwoner"]["bsn"] not in json.dumps(antwoord), rol
            assert codes(antwoord) and set(codes(antwoord)) <= {"FORBIDDEN", "NOT_FOUND"}, (rol, antwoord)


async def test_kwaliteitsmedewerker_leest_maar_registreert_geen_casus(api):
    await registreer_casus(api, NIJMEGEN)
    lees = await api.als("kwaliteitsmedewerker", NIJMEGEN, CASUSSEN)
    assert lees["data"]["casussen"]["totalCount"] == 1
    from tests.hulp import REGISTREER_CASUS, casus_invoer

    schrijf = await api.als("kwaliteitsmedewerker", NIJMEGEN, REGISTREER_CASUS, {"input": casus_invoer()})
    assert codes(schrijf) == ["FORBIDDEN"] and schrijf["data"] is None


async def test_backoffice_leest_alleen_eigen_casussen(api):
    await registreer_casus(api, NIJMEGEN)
    await registreer_casus(api, WIJCHEN)
    antwoord = await api.als("backoffice", WIJCHEN, CASUSSEN)
    assert antwoord["data"]["casussen"]["totalCount"] == 1
    assert antwoord["data"]["casussen"]["edges"][0]["node"]["gemeente"]["code"] == WIJCHEN


async def test_gemeente_van_casus_komt_uit_token_niet_uit_invoer(api):
    casus = await registreer_casus(api, WIJCHEN)
    assert casus["gemeente"]["code"] == WIJCHEN
    antwoord = await api.als("consulent", NIJMEGEN, CASUSSEN)
    assert antwoord["data"]["casussen"]["totalCount"] == 0


async def test_ongeldig_bsn_wordt_geweigerd_en_niets_opgeslagen(api):
    from tests.hulp import REGISTREER_CASUS, casus_invoer

    antwoord = await api.als("consulent", NIJMEGEN, REGISTREER_CASUS, {"input": casus_invoer(bsn="123456789")})
    assert codes(antwoord) == ["BAD_USER_INPUT"]
    assert antwoord["errors"][0]["extensions"]["veld"] == "inwoner.bsn"
    assert "elfproef" in antwoord["errors"][0]["message"]
    lijst = await api.als("consulent", NIJMEGEN, CASUSSEN)
    assert lijst["data"]["casussen"]["totalCount"] == 0


async def test_node_vindt_aanbieder_contract_en_gemeente_voor_iedere_leesrol(api):
    a = await api.als(
        "beheerder",
        None,
        """mutation { registreerAanbieder(input: {naam: "N", kvk: "90000021",
        agb: "98000021"}) { id } }""",
    )
    aid = a["data"]["registreerAanbieder"]["id"]
    gemeenten = await api.als("rmz_medewerker", None, "{ gemeenten { id code } }")
    gid = next(g["id"] for g in gemeenten["data"]["gemeenten"] if g["code"] == WIJCHEN)
    q = "query($id: ID!) { node(id: $id) { __typename id ... on Gemeente { naam } ... on Aanbieder { kvk } } }"
    for rol, gemeente in (("consulent", NIJMEGEN), ("rmz_medewerker", None), ("privacy_officer", WIJCHEN)):
        assert (await api.als(rol, gemeente, q, {"id": aid}))["data"]["node"]["kvk"] == "90000021"
        assert (await api.als(rol, gemeente, q, {"id": gid}))["data"]["node"]["naam"] == "Wijchen"


async def test_lezen_via_node_wordt_net_zo_geaudit_als_via_de_lijst(api):
    import sqlalchemy as sa

    from domein.opslag.tabellen import auditregel

    eigen = await registreer_casus(api, NIJMEGEN)
    async with api.engine.connect() as conn:
        voor = await conn.scalar(sa.select(sa.func.count()).select_from(auditregel))
    q = "query($id: ID!) { node(id: $id) { ... on Casus { inwoner { naam } } } }"
    antwoord = await api.als("consulent", NIJMEGEN, q, {"id": eigen["id"]})
    assert antwoord["data"]["node"]["inwoner"]["naam"] == "Test Persoon"
    async with api.engine.connect() as conn:
        nieuw = (await conn.execute(sa.select(auditregel).where(auditregel.c.volgnummer > voor))).mappings().all()
    assert [(r["operatie"], r["categorieen"]) for r in nieuw] == [("lezen", ["persoonsgegevens.identificatie"])]


async def test_kwaliteitsmedewerker_van_andere_gemeente_ziet_niets(api):
    vreemd = await registreer_casus(api, NIJMEGEN)
    for rol in ("kwaliteitsmedewerker", "backoffice", "consulent"):
        lijst = await api.als(rol, WIJCHEN, CASUSSEN)
        assert lijst["data"]["casussen"]["totalCount"] == 0
        enkel = await api.als(rol, WIJCHEN, "query($id: ID!) { casus(id: $id) { __typename } }", {"id": vreemd["id"]})
        assert enkel["data"] == {"casus": None} and codes(enkel) == ["NOT_FOUND"]
