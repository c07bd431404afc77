"""Foute invoer geeft een nette code, nooit INTERNAL, een 500 in platte tekst of een verzoek dat blijft hangen."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import socket
import sys
import time
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

import domein.casussen
import domein.gemeenten
from api.app import maak_app
from api.auth import TokenVerifier
from api.instellingen import Instellingen
from api.limieten import Limieten
from api.sleutels import DemoSleutel
from domein import bewaartermijn
from domein.audit import Pseudonimiseerder
from domein.bewaartermijn import Bewaartermijnen
from domein.fouten import OngeldigeInvoer
from domein.opslag.db import maak_engine
from domein.waarden import EERSTE_JAAR, LAATSTE_JAAR, controleer_jaar, controleer_tekst
from tests.conftest import SLEUTEL, Api, codes
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


async def test_datum_buiten_het_venster_in_een_variabele_noemt_het_veld(api: Api) -> None:
    antwoord = await _als(
        api, "query($i: AuditFilter) { auditLog(filter: $i) { totalCount } }", {"i": {"van": "0001-01-01T00:00:00Z"}},
        rol="privacy_officer",
    )  # fmt: skip
    assert codes(antwoord) == ["BAD_USER_INPUT"], antwoord
    assert antwoord["errors"][0]["extensions"]["veld"] == "i.van"


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


# --- 6. tijdslimieten --------------------------------------------------------------------------------------

LANGZAAM_SQL = {
    "sqlite": "WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r WHERE i < 300000000) "
    "SELECT count(*) FROM r",
    "postgresql": "SELECT pg_sleep(30)",
}


def _app_met(engine: AsyncEngine, demosleutel: DemoSleutel, limieten: Limieten) -> httpx.AsyncClient:
    app = maak_app(
        engine, TokenVerifier(public_key_pem=demosleutel.public_key_pem), Pseudonimiseerder(SLEUTEL), limieten
    )
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


async def test_een_te_traag_statement_wordt_afgebroken_met_een_code(
    engine: AsyncEngine, demosleutel: DemoSleutel, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL: statement_timeout; SQLite (geen statement timeout): de verzoeklimiet onderbreekt het statement."""
    traag = LANGZAAM_SQL[engine.dialect.name]

    async def trage_gemeenten(vz: Any) -> list[Any]:
        await vz.conn.execute(text(traag))
        return []

    monkeypatch.setattr(domein.gemeenten, "alle", trage_gemeenten)
    limieten = Limieten(statement_seconden=0.5, verzoek_seconden=1.5)
    async with _app_met(engine, demosleutel, limieten) as client:
        token = demosleutel.maak_token(rol="contractmanager", gemeente=None, sub="t")
        begin = time.monotonic()
        antwoord = await asyncio.wait_for(
            client.post("/graphql", json={"query": "{ gemeenten { naam } ik { rol } }"},
                        headers={"Authorization": f"Bearer {token}"}),
            TIJDSLIMIET,
        )  # fmt: skip
        duur = time.monotonic() - begin
    assert codes(antwoord.json()) == ["QUERY_TE_COMPLEX"], antwoord.text
    assert antwoord.json()["data"] is None
    assert duur < 10, duur


async def test_een_te_trage_mutatie_wordt_afgebroken_en_schrijft_niets(
    engine: AsyncEngine, demosleutel: DemoSleutel, monkeypatch: pytest.MonkeyPatch
) -> None:
    echte_registreer = domein.casussen.registreer

    async def trage_registreer(vz: Any, invoer: Any) -> Any:
        rij = await echte_registreer(vz, invoer)  # written in the transaction ...
        await asyncio.sleep(30)  # ... and then the request runs out of time
        return rij

    monkeypatch.setattr(domein.casussen, "registreer", trage_registreer)
    async with _app_met(engine, demosleutel, Limieten(verzoek_seconden=0.5)) as client:
        token = demosleutel.maak_token(rol="consulent", gemeente=NIJMEGEN, sub="c")
        antwoord = await asyncio.wait_for(
            client.post("/graphql", json={"query": REGISTREER_CASUS, "variables": {"input": casus_invoer()}},
                        headers={"Authorization": f"Bearer {token}"}),
            TIJDSLIMIET,
        )  # fmt: skip
    assert codes(antwoord.json()) == ["QUERY_TE_COMPLEX"], antwoord.text
    async with engine.connect() as conn:
        assert await conn.scalar(text("SELECT count(*) FROM casus")) == 0


async def test_een_client_die_zijn_body_druppelsgewijs_stuurt_wordt_afgekapt(
    engine: AsyncEngine, demosleutel: DemoSleutel
) -> None:
    async def druppels() -> AsyncIterator[bytes]:
        yield b'{"query": "{ ik { rol } }"'
        await asyncio.sleep(30)
        yield b"}"

    async with _app_met(engine, demosleutel, Limieten(body_seconden=0.5)) as client:
        token = demosleutel.maak_token(rol="contractmanager", gemeente=None, sub="t")
        antwoord = await asyncio.wait_for(
            client.post("/graphql", content=druppels(), headers={"Authorization": f"Bearer {token}"}), TIJDSLIMIET
        )
    assert antwoord.status_code == 408
    assert codes(antwoord.json()) == ["BAD_USER_INPUT"]


async def _leeg_antwoord(scope: Any, receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"{}"})


async def test_stille_of_druppelende_verbinding_wordt_door_de_server_gesloten() -> None:
    """Slowloris: zonder kopteksten-limiet hield uvicorn zulke verbindingen eindeloos open."""
    inst = Instellingen(kop_seconden=0.5, keep_alive_seconden=1)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    poort = sock.getsockname()[1]
    config = uvicorn.Config(_leeg_antwoord, log_level="warning", lifespan="off", **inst.uvicorn_tijdslimieten())
    server = uvicorn.Server(config)
    taak = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        for _ in range(1000):
            if server.started:
                break
            await asyncio.sleep(0.01)

        async def gesloten_na(deel: bytes) -> float:
            reader, writer = await asyncio.open_connection("127.0.0.1", poort)
            begin = time.monotonic()
            if deel:
                writer.write(deel)
                await writer.drain()
            assert await asyncio.wait_for(reader.read(), TIJDSLIMIET) == b""  # closed without an answer
            writer.close()
            return time.monotonic() - begin

        assert await gesloten_na(b"") < 5
        assert await gesloten_na(b"POST /graphql HTTP/1.1\r\nHost: x\r\nX-Traag: ") < 5

        # A normal request still gets its answer.
        reader, writer = await asyncio.open_connection("127.0.0.1", poort)
        writer.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        assert (await asyncio.wait_for(reader.readline(), TIJDSLIMIET)).startswith(b"HTTP/1.1 200")
        writer.close()
    finally:
        server.should_exit = True
        await asyncio.wait_for(taak, TIJDSLIMIET)


@pytest.mark.parametrize("claim", ["sub", "rol", "gemeente"])
async def test_token_met_een_stuurteken_in_een_claim_is_unauthenticated(api: Api, claim: str) -> None:
    claims = {"sub": "medewerker-1", "rol": "consulent", "gemeente": NIJMEGEN}
    claims[claim] = claims[claim] + "\x00"
    token = api.sleutel.maak_token(**claims)
    antwoord = await api.client.post(
        "/graphql", json={"query": REGISTREER_CASUS, "variables": {"input": casus_invoer()}},
        headers={"Authorization": f"Bearer {token}"},
    )  # fmt: skip
    assert antwoord.status_code == 401, antwoord.text
    assert codes(antwoord.json()) == ["UNAUTHENTICATED"]


# --- het domein zelf (ook voor de CLI en CSV-import, die niet langs GraphQL gaan) ----------------------------


@pytest.mark.parametrize("tekst", ["a\x00b", "\x07", "a\x9bb", "a\ud800", "\udc00z"])
def test_domein_weigert_stuurtekens_en_losse_surrogaten_in_tekst(tekst: str) -> None:
    with pytest.raises(OngeldigeInvoer) as fout:
        controleer_tekst(tekst, "omschrijving", maximaal=100)
    assert fout.value.veld == "omschrijving"


def test_domein_laat_tab_en_regelovergangen_in_tekst_toe() -> None:
    assert controleer_tekst("een\ttwee\r\ndrie", "omschrijving", maximaal=100) == "een\ttwee\r\ndrie"


@pytest.mark.parametrize("jaar", [EERSTE_JAAR - 1, LAATSTE_JAAR + 1, 0, 10_000])
def test_domein_weigert_jaren_buiten_het_venster(jaar: int) -> None:
    with pytest.raises(OngeldigeInvoer):
        controleer_jaar(jaar)
    assert controleer_jaar(EERSTE_JAAR) == EERSTE_JAAR and controleer_jaar(LAATSTE_JAAR) == LAATSTE_JAAR


@pytest.mark.parametrize(
    "inhoud",
    [
        ["2024-01-01T00:00:00+00:00", "a\x00b"],  # NUL in the key: PostgreSQL refused it (INTERNAL)
        ["0001-01-01T00:00:00+14:00", "x"],  # before year 1 in UTC
        ["9999-12-31T23:59:59-12:00", "x"],  # after 9999 in UTC
    ],
)
async def test_vervalste_cursor_met_onmogelijke_inhoud_is_bad_user_input(api: Api, inhoud: list[str]) -> None:
    cursor = base64.urlsafe_b64encode(json.dumps(inhoud).encode()).decode().rstrip("=")
    antwoord = await _als(api, "query($c: String) { aanbieders(after: $c) { totalCount } }", {"c": cursor})
    assert codes(antwoord) == ["BAD_USER_INPUT"], antwoord
    assert antwoord["errors"][0]["extensions"]["veld"] == "after"


@pytest.mark.parametrize("typenaam", ["Casus", "Aanbieder", "Contract", "Signaal", "Melding", "Datalek"])
async def test_globale_id_met_een_nul_bestaat_niet(api: Api, typenaam: str) -> None:
    globaal = base64.urlsafe_b64encode(f"{typenaam}:a\x00b".encode()).decode().rstrip("=")
    antwoord = await _als(api, "query($id: ID!) { node(id: $id) { id } }", {"id": globaal}, rol="consulent")
    assert codes(antwoord) == ["NOT_FOUND"], antwoord


@pytest.mark.parametrize(
    ("jaar", "bedrag"), [(2026, "NaN"), (2026, "Infinity"), (2026, "1e20"), (2026, "-0.01"), (9999, "1000.00")]
)
async def test_onmogelijk_budgetplafond_is_bad_user_input(api: Api, jaar: int, bedrag: str) -> None:
    from tests.test_aanbieders_contracten import CONTRACT, _aanbieder, _contract

    aanbieder = (await _aanbieder(api))["data"]["registreerAanbieder"]
    invoer = _contract(aanbieder["id"], einddatum=None, budgetplafonds=[{"jaar": jaar, "bedrag": bedrag}])
    antwoord = await _als(api, CONTRACT, {"i": invoer})
    assert codes(antwoord) == ["BAD_USER_INPUT"], antwoord
    assert antwoord["errors"][0]["extensions"]["veld"] == "budgetplafonds"


async def test_getal_van_duizenden_cijfers_in_de_json_is_een_nette_fout(api: Api) -> None:
    body = '{"query": "query($j: Int!) { zorgkosten(jaar: $j) { maand } }", "variables": {"j": ' + "9" * 5000 + "}}"
    antwoord = await _post(api, body.encode())
    assert antwoord.status_code == 400, antwoord.text
    assert codes(antwoord.json()) == ["BAD_USER_INPUT"]


@pytest.mark.parametrize("peildatum", ["0001-01-01", "9999-12-31"])
async def test_bewaartermijn_met_een_peildatum_buiten_het_venster_verwijdert_niets_en_zegt_waarom(
    db_url: str, tmp_path: Path, peildatum: str
) -> None:
    """Het jaar 1 liet het datumrekenen overlopen (traceback); 9999 had alles als verlopen behandeld."""
    engine = maak_engine(db_url)
    try:
        with pytest.raises(OngeldigeInvoer):
            await bewaartermijn.toepassen(engine, Bewaartermijnen(), date.fromisoformat(peildatum))
    finally:
        await engine.dispose()
    omgeving = os.environ | {"DATABASE_URL": db_url, "REGIEKAMER_DATA_MAP": str(tmp_path)}
    proces = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "api.cli", "bewaartermijn", "toepassen", "--peildatum", peildatum,
        env=omgeving, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    uit, fout = await asyncio.wait_for(proces.communicate(), 60)
    assert proces.returncode == 2, (uit, fout)
    assert b"peildatum" in fout and b"Traceback" not in fout
