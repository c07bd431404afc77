"""Foute invoer geeft een nette code, nooit INTERNAL, een 500 in platte tekst of een verzoek dat blijft hangen."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest

from tests.conftest import Api, codes
from tests.hulp import NIJMEGEN, REGISTREER_CASUS, casus_invoer

TIJDSLIMIET = 20  # seconds: a request that does not answer within this fails the test instead of blocking it


async def _post(api: Api, body: Any, rol: str = "contractmanager", gemeente: str | None = None) -> httpx.Response:
    return await asyncio.wait_for(
        api.client.post(
            "/graphql",
            content=body if isinstance(body, bytes) else json.dumps(body),
            headers={"Authorization": f"Bearer {api.token(rol, gemeente)}", "Content-Type": "application/json"},
        ),
        TIJDSLIMIET,
    )


async def _als(
    api: Api, query: str, variables: dict[str, Any] | None = None, rol: str = "contractmanager", **kw: Any
) -> dict[str, Any]:
    gemeente = NIJMEGEN if rol in ("consulent", "backoffice", "kwaliteitsmedewerker") else None
    antwoord = await _post(api, {"query": query, "variables": variables or {}, **kw}, rol, gemeente)
    assert antwoord.status_code == 200, antwoord.text
    return dict(antwoord.json())


# --- 1. een falend veld naast andere velden --------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        '{ gemeenten { naam } signaalStatistiek(groepeerOp: [], van: "0002-01-04", tot: "9999-12-31") '
        "{ binnenTermijn } }",
        '{ gemeenten { naam } signaalStatistiek(groepeerOp: [], van: "0002-01-04", tot: "9999-12-31") '
        "{ binnenTermijn } aanbieders { totalCount } }",
        "{ gemeenten { naam } zorgkosten(jaar: 0) { maand } aanbieders { totalCount } }",
        "{ aanbieders { totalCount } zorgkosten(jaar: 0) { maand } contracten { totalCount } gemeenten { code } }",
        # 'first' above the cap was always BAD_USER_INPUT on its own; next to siblings it broke the connection.
        "{ gemeenten { naam } aanbieders(first: 1000) { totalCount } contracten { totalCount } ik { rol } }",
        "{ contracten { totalCount } gemeenten { naam } aanbieders(first: -1) { totalCount } }",
    ],
)
async def test_fout_in_een_verplicht_veld_naast_andere_velden_geeft_bad_user_input(api: Api, query: str) -> None:
    antwoord = await _als(api, query)
    assert codes(antwoord) == ["BAD_USER_INPUT"], antwoord
    assert antwoord.get("data") is None


async def test_na_een_falend_veld_werkt_de_volgende_vraag_gewoon(api: Api) -> None:
    for _ in range(3):
        antwoord = await _als(api, "{ gemeenten { naam } zorgkosten(jaar: 0) { maand } aanbieders { totalCount } }")
        assert codes(antwoord) == ["BAD_USER_INPUT"]
    goed = await _als(api, "{ gemeenten { naam } aanbieders { totalCount } }")
    assert "errors" not in goed and len(goed["data"]["gemeenten"]) == 7


# --- 2. jaren en datums buiten een zinnig venster ----------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        ("{ contractUitnutting(jaar: 0) { jaar } }", None),
        ("{ contractUitnutting(jaar: -2147483648) { jaar } }", None),
        ("{ zorgkosten(jaar: 10000) { maand } }", None),
        ("query($j: Int!) { zorgkosten(jaar: $j) { maand } }", {"j": 1999}),
        ('{ signaalStatistiek(groepeerOp: [], van: "0001-01-01") { aantal } }', None),
        ("query($t: Date) { signaalStatistiek(groepeerOp: [], tot: $t) { aantal } }", {"t": "9999-12-31"}),
        ('{ auditLog(filter: {van: "9999-12-31T23:59:59+00:00"}) { totalCount } }', None),
        ("query($v: DateTime) { auditLog(filter: {tot: $v}) { totalCount } }", {"v": "0001-01-01T00:00:00Z"}),
    ],
)
async def test_jaar_of_datum_buiten_het_venster_is_bad_user_input(
    api: Api, query: str, variables: dict[str, Any] | None
) -> None:
    antwoord = await _als(api, query, variables)
    assert codes(antwoord) == ["BAD_USER_INPUT"], antwoord


async def test_geboortedatum_in_het_jaar_9999_wordt_geweigerd(api: Api) -> None:
    invoer = casus_invoer()
    invoer["inwoner"]["geboortedatum"] = "9999-12-31"
    antwoord = await api.als("consulent", NIJMEGEN, REGISTREER_CASUS, {"input": invoer})
    assert codes(antwoord) == ["BAD_USER_INPUT"], antwoord


# --- 3. diep geneste JSON en een onbekende operationName ---------------------------------------------------


async def test_diep_geneste_json_in_de_body_is_een_nette_fout(api: Api) -> None:
    antwoord = await _post(api, b"[" * 20_000 + b"]" * 20_000)
    assert antwoord.status_code == 400
    assert codes(antwoord.json()) == ["BAD_USER_INPUT"]
    assert antwoord.headers["x-request-id"]


async def test_diep_geneste_variabelen_zijn_een_nette_fout(api: Api) -> None:
    diep = '{"query": "query($z: String) { aanbieders(zoek: $z) { totalCount } }", "variables": {"z": '
    for body in (diep + "[" * 20_000 + "]" * 20_000 + "}}", diep + "[" * 200 + "]" * 200 + "}}"):
        antwoord = await _post(api, body.encode())
        assert antwoord.status_code in (200, 400), antwoord.text
        assert codes(antwoord.json()) == ["BAD_USER_INPUT"]


async def test_onbekende_operation_name_is_bad_user_input(api: Api) -> None:
    antwoord = await _als(api, "query A { gemeenten { naam } }", operationName="B")
    assert codes(antwoord) == ["BAD_USER_INPUT"]
    assert antwoord["errors"][0]["extensions"]["veld"] == "operationName"


async def test_twee_operaties_zonder_operation_name_is_bad_user_input(api: Api) -> None:
    antwoord = await _als(api, "query A { gemeenten { naam } } query B { ik { rol } }")
    assert codes(antwoord) == ["BAD_USER_INPUT"]


# --- 5. NUL, stuurtekens en losse surrogaten ---------------------------------------------------------------


@pytest.mark.parametrize("teken", ["\x00", "\x1b", "\x85", "\ud800", "\udfff"])
async def test_stuurteken_of_losse_surrogaat_in_een_variabele_wordt_geweigerd_met_het_veld(
    api: Api, teken: str
) -> None:
    invoer = casus_invoer(naam=f"Jan{teken}Jansen")
    antwoord = await _als(api, REGISTREER_CASUS, {"input": invoer}, rol="consulent")
    assert codes(antwoord) == ["BAD_USER_INPUT"], antwoord
    assert antwoord["errors"][0]["extensions"]["veld"] == "input.inwoner.naam"


# A lone surrogate escape is already a syntax error for the GraphQL parser (no field to name).
@pytest.mark.parametrize(("escape", "veld"), [("\\\\u0000", "zoek"), ("\\\\u001f", "zoek"), ("\\\\ud800", None)])
async def test_stuurteken_als_graphql_escape_in_de_query_wordt_geweigerd_met_het_argument(
    api: Api, escape: str, veld: str | None
) -> None:
    body = ('{"query": "{ aanbieders(zoek: \\"a' + escape + 'b\\") { totalCount } }"}').encode()
    antwoord = await _post(api, body)
    assert antwoord.status_code == 200, antwoord.text
    assert codes(antwoord.json()) == ["BAD_USER_INPUT"], antwoord.text
    assert antwoord.json()["errors"][0]["extensions"].get("veld") == veld


async def test_tab_en_regelovergang_in_een_tekst_blijven_toegestaan(api: Api) -> None:
    invoer = casus_invoer()
    invoer["hulpvraag"] = "Regel een\n\tRegel twee\r\n"
    antwoord = await api.als("consulent", NIJMEGEN, REGISTREER_CASUS, {"input": invoer})
    assert "errors" not in antwoord, antwoord
