"""Aanbieders en contracten: regionaal leesbaar, alleen contractmanager en beheerder schrijven."""

from __future__ import annotations

from tests.conftest import codes
from tests.hulp import NIJMEGEN, WIJCHEN

AANBIEDER = "mutation($i: RegistreerAanbiederInput!) { registreerAanbieder(input: $i) { id naam kvk agb } }"
CONTRACT = """mutation($i: RegistreerContractInput!) { registreerContract(input: $i) {
  id soort naam aanbieder { naam } deelnemendeGemeenten { code } budgetplafonds { jaar bedrag } } }"""


def _contract(aanbieder_id: str, **kw) -> dict:
    basis = {
        "aanbiederId": aanbieder_id,
        "soort": "DEELCONTRACT",
        "naam": "Deelcontract",
        "percelen": ["Begeleiding"],
        "ingangsdatum": "2026-01-01",
        "einddatum": "2027-12-31",
        "deelnemendeGemeenten": [NIJMEGEN],
        "contractmanager": "Contractmanager ROB",
        "budgetplafonds": [{"jaar": 2026, "bedrag": "250000.00"}],
    }
    return basis | kw


async def _aanbieder(api, rol="contractmanager", kvk="90000011", agb="98000011") -> dict:
    return await api.als(rol, None, AANBIEDER, {"i": {"naam": "Zorg Test BV", "kvk": kvk, "agb": agb}})


async def test_contractmanager_registreert_aanbieder_en_contract(api):
    a = (await _aanbieder(api))["data"]["registreerAanbieder"]
    c = await api.als("contractmanager", None, CONTRACT, {"i": _contract(a["id"])})
    assert "errors" not in c, c
    contract = c["data"]["registreerContract"]
    assert contract["soort"] == "DEELCONTRACT" and contract["aanbieder"]["naam"] == "Zorg Test BV"
    assert contract["deelnemendeGemeenten"] == [{"code": NIJMEGEN}]
    assert contract["budgetplafonds"] == [{"jaar": 2026, "bedrag": "250000.00"}]


async def test_iedere_rol_leest_aanbieders_maar_alleen_beheer_en_contractmanager_schrijven(api):
    await _aanbieder(api, "beheerder")
    for rol, gemeente in (
        ("consulent", NIJMEGEN),
        ("kwaliteitsmedewerker", WIJCHEN),
        ("backoffice", NIJMEGEN),
        ("rmz_medewerker", None),
        ("privacy_officer", None),
    ):
        lees = await api.als(rol, gemeente, "{ aanbieders { totalCount edges { node { naam kvk } } } }")
        assert lees["data"]["aanbieders"]["totalCount"] == 1, rol
        schrijf = await api.als(rol, gemeente, AANBIEDER, {"i": {"naam": "X", "kvk": "90000099", "agb": "98000099"}})
        assert codes(schrijf) == ["FORBIDDEN"], rol


async def test_kvk_en_agb_worden_gevalideerd_en_zijn_uniek(api):
    fout = await _aanbieder(api, kvk="1234")
    assert codes(fout) == ["BAD_USER_INPUT"] and fout["errors"][0]["extensions"]["veld"] == "kvk"
    fout = await _aanbieder(api, agb="98x00011")
    assert fout["errors"][0]["extensions"]["veld"] == "agb"
    await _aanbieder(api)
    dubbel = await _aanbieder(api, agb="98000012")
    assert codes(dubbel) == ["BAD_USER_INPUT"] and "KVK" in dubbel["errors"][0]["message"]


async def test_deelcontract_hoort_bij_precies_een_gemeente(api):
    a = (await _aanbieder(api))["data"]["registreerAanbieder"]
    fout = await api.als(
        "contractmanager", None, CONTRACT, {"i": _contract(a["id"], deelnemendeGemeenten=[NIJMEGEN, WIJCHEN])}
    )
    assert codes(fout) == ["BAD_USER_INPUT"]
    fout = await api.als("contractmanager", None, CONTRACT, {"i": _contract(a["id"], einddatum="2025-01-01")})
    assert fout["errors"][0]["extensions"]["veld"] == "einddatum"
    fout = await api.als("contractmanager", None, CONTRACT, {"i": _contract(a["id"], deelnemendeGemeenten=["9999"])})
    assert codes(fout) == ["BAD_USER_INPUT"]
    fout = await api.als(
        "contractmanager",
        None,
        CONTRACT,
        {"i": _contract(a["id"], budgetplafonds=[{"jaar": 2030, "bedrag": "1.00"}])},
    )
    assert fout["errors"][0]["extensions"]["veld"] == "budgetplafonds"


async def test_contracten_filteren_op_aanbieder_en_zoeken_op_naam(api):
    a = (await _aanbieder(api))["data"]["registreerAanbieder"]
    b = (await _aanbieder(api, kvk="90000012", agb="98000012"))["data"]["registreerAanbieder"]
    await api.als("contractmanager", None, CONTRACT, {"i": _contract(a["id"])})
    await api.als(
        "contractmanager",
        None,
        CONTRACT,
        {"i": _contract(b["id"], soort="RAAMCONTRACT", deelnemendeGemeenten=[NIJMEGEN, WIJCHEN])},
    )
    q = "query($a: ID) { contracten(aanbiederId: $a) { totalCount edges { node { soort } } } }"
    antwoord = await api.als("consulent", NIJMEGEN, q, {"a": b["id"]})
    assert antwoord["data"]["contracten"]["totalCount"] == 1
    assert antwoord["data"]["contracten"]["edges"][0]["node"]["soort"] == "RAAMCONTRACT"
    zoek = await api.als("consulent", NIJMEGEN, '{ aanbieders(zoek: "zorg test") { totalCount } }')
    assert zoek["data"]["aanbieders"]["totalCount"] == 2
    zoek = await api.als("consulent", NIJMEGEN, '{ aanbieders(zoek: "90000012") { totalCount } }')
    assert zoek["data"]["aanbieders"]["totalCount"] == 1
    zoek = await api.als("consulent", NIJMEGEN, '{ aanbieders(zoek: "%") { totalCount } }')
    assert zoek["data"]["aanbieders"]["totalCount"] == 0


async def test_gemeenten_geeft_alle_zeven_met_cbs_code(api):
    antwoord = await api.als("consulent", NIJMEGEN, "{ gemeenten { code naam } }")
    assert {g["code"] for g in antwoord["data"]["gemeenten"]} == {
        "0268",
        "0296",
        "0252",
        "1945",
        "0944",
        "0209",
        "0225",
    }


async def test_ik_toont_rol_gemeente_en_doel(api):
    antwoord = await api.als("consulent", NIJMEGEN, "{ ik { sub rol organisatie doel gemeente { naam } } }")
    assert antwoord["data"]["ik"] == {
        "sub": "test-consulent-0268",
        "rol": "CONSULENT",
        "organisatie": NIJMEGEN,
        "doel": "uitvoering",
        "gemeente": {"naam": "Nijmegen"},
    }
