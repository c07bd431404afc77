"""Logregels: één JSON-regel per verzoek met het verzoek-id uit het antwoord, en nooit een BSN, token of query."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from api.app import maak_app
from api.auth import TokenVerifier
from api.logboek import ANONIEM, JsonFormaat, TekstFormaat, VerzoekFilter, operatienaam
from domein.opslag.tabellen import auditregel
from tests.hulp import CASUSSEN, NIJMEGEN, REGISTREER_CASUS, casus_invoer

REGISTREER = REGISTREER_CASUS.replace("mutation(", "mutation Registreer(")
LIJST = CASUSSEN.replace("query(", "query Casussen(")


class Logvanger:
    def __init__(self, formatter: logging.Formatter) -> None:
        self.stroom = io.StringIO()
        self.handler = logging.StreamHandler(self.stroom)
        self.handler.setFormatter(formatter)
        self.handler.addFilter(VerzoekFilter())

    @property
    def tekst(self) -> str:
        return self.stroom.getvalue()

    def regels(self) -> list[dict[str, Any]]:
        return [json.loads(r) for r in self.tekst.splitlines()]

    def verzoekregels(self) -> list[dict[str, Any]]:
        return [r for r in self.regels() if r["logger"] == "regiekamer.verzoek"]


@contextmanager
def vang(formatter: logging.Formatter) -> Iterator[Logvanger]:
    vanger = Logvanger(formatter)
    logger = logging.getLogger("regiekamer")
    oud = logger.level
    logger.setLevel(logging.INFO)
    logger.addHandler(vanger.handler)
    try:
        yield vanger
    finally:
        logger.removeHandler(vanger.handler)
        logger.setLevel(oud)


async def _kapot(request: Request) -> Response:
    logging.getLogger("regiekamer.proef").warning("bezig met het verzoek")
    raise RuntimeError("onverwacht")


@pytest.fixture
async def http(engine, demosleutel, beslisser, pseudonimiseerder, limieten) -> AsyncIterator[httpx.AsyncClient]:
    app = maak_app(engine, TokenVerifier(public_key_pem=demosleutel.public_key_pem), pseudonimiseerder, limieten)
    app.router.routes.append(Route("/proef/kapot", _kapot))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        yield client


def _token(demosleutel: Any) -> str:
    return str(demosleutel.maak_token(rol="consulent", gemeente=NIJMEGEN, sub="logtest-consulent"))


async def test_elk_verzoek_geeft_een_jsonregel_met_het_verzoek_id_uit_het_antwoord(http, demosleutel, engine):
    invoer = casus_invoer(naam="Geheime Naamsen")
    bsn = invoer["inwoner"]["bsn"]
    token = _token(demosleutel)
    koppen = {"Authorization": f"Bearer {token}"}
    with vang(JsonFormaat()) as log:
        nieuw = await http.post(
            "/graphql",
            json={"query": REGISTREER, "variables": {"input": invoer}, "operationName": "Registreer"},
            headers=koppen,
        )
        lijst = await http.post("/graphql", json={"query": LIJST, "operationName": "Casussen"}, headers=koppen)
        zonder = await http.post("/graphql", json={"query": "{ ik { rol } }"})
    assert bsn in lijst.text and "Geheime Naamsen" in lijst.text  # the answers do carry them; the log must not

    regels = log.verzoekregels()
    assert [r["request_id"] for r in regels] == [a.headers["X-Request-Id"] for a in (nieuw, lijst, zonder)]
    eerste = regels[0]
    assert eerste["methode"] == "POST" and eerste["pad"] == "/graphql" and eerste["status"] == 200
    assert eerste["operatie"] == "Registreer" and eerste["rol"] == "consulent" and eerste["organisatie"] == NIJMEGEN
    assert isinstance(eerste["duur_ms"], float) and eerste["niveau"] == "INFO" and eerste["tijd"]
    assert regels[1]["operatie"] == "Casussen" and regels[1]["codes"] == []
    assert regels[2]["status"] == 401 and regels[2]["rol"] is None and regels[2]["codes"] == ["UNAUTHENTICATED"]
    for geheim in (bsn, "Geheime Naamsen", token, token[:20], "registreerCasus", "inwoner", "1980-01-01"):
        assert geheim not in log.tekst, geheim

    # The audit records of the mutation carry the same id: one id from the log line to the audit log.
    async with engine.connect() as conn:
        ids = set((await conn.execute(sa.select(auditregel.c.request_id))).scalars())
    assert nieuw.headers["X-Request-Id"] in ids


async def test_elke_logregel_binnen_een_verzoek_draagt_het_verzoek_id(http):
    with vang(JsonFormaat()) as log:
        antwoord = await http.get("/proef/kapot?bsn=999990019")
    assert antwoord.status_code == 500
    verzoek_id = antwoord.headers["X-Request-Id"]
    assert antwoord.json()["errors"][0]["extensions"]["requestId"] == verzoek_id
    regels = log.regels()
    assert {r["logger"] for r in regels} >= {"regiekamer.proef", "regiekamer", "regiekamer.verzoek"}
    assert all(r["request_id"] == verzoek_id for r in regels), regels
    assert "999990019" not in log.tekst  # the query string is never logged
    assert log.verzoekregels()[0]["pad"] == "/proef/kapot"


async def test_twee_verzoeken_tegelijk_houden_elk_hun_eigen_id(http):
    import asyncio

    with vang(JsonFormaat()) as log:
        antwoorden = await asyncio.gather(*(http.get("/proef/kapot") for _ in range(4)))
    ids = {a.headers["X-Request-Id"] for a in antwoorden}
    assert len(ids) == 4
    for verzoek_id in ids:
        regels = [r for r in log.regels() if r["request_id"] == verzoek_id]
        assert {r["logger"] for r in regels} == {"regiekamer.proef", "regiekamer", "regiekamer.verzoek"}


async def test_tekstformaat_noemt_het_verzoek_id(http):
    with vang(TekstFormaat()) as log:
        antwoord = await http.get("/health")
    assert "GET /health 200" in log.tekst and f"[verzoek {antwoord.headers['X-Request-Id']}]" in log.tekst


def test_operatienaam_van_de_client_komt_niet_ongezien_in_het_log():
    assert operatienaam("Casussen") == "Casussen"
    assert operatienaam(None) == operatienaam(42) == operatienaam("") == ANONIEM
    assert operatienaam("query { x }") == operatienaam("a" * 65) == operatienaam("naam\nvalse regel") == ANONIEM
    assert operatienaam("Bsn999990019") == "Bsn_" and operatienaam("Stap2") == "Stap2"
