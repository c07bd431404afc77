"""GET /metrics: Prometheus-tellers die precies kloppen met wat de app deed, en alleen voor wie het mag zien."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from prometheus_client.parser import text_string_to_metric_families

from api.app import maak_app
from api.auth import TokenVerifier
from api.instellingen import Beheer
from api.metrieken import MAX_OPERATIES, OVERIG, Metrieken
from domein.opslag.tabellen import auditregel
from tests.conftest import codes
from tests.hulp import CASUSSEN, NIJMEGEN, REGISTREER_CASUS, WIJCHEN, casus_invoer

TOKEN = "metriekentoken-voor-de-test"
REGISTREER = REGISTREER_CASUS.replace("mutation(", "mutation Registreer(")
LIJST = CASUSSEN.replace("query(", "query Casussen(")
AUDITLOG = "query Auditlog { auditLog(first: 5) { totalCount } }"
CASUS = "query AndereCasus($id: ID!) { casus(id: $id) { id hulpvraag } }"


class Client:
    def __init__(self, http: httpx.AsyncClient, demosleutel: Any) -> None:
        self.http = http
        self.sleutel = demosleutel

    async def graphql(
        self, rol: str | None, gemeente: str | None, query: str, operatie: str | None = None, **variabelen: Any
    ) -> httpx.Response:
        koppen = {}
        if rol is not None:
            token = self.sleutel.maak_token(rol=rol, gemeente=gemeente, sub=f"test-{rol}-{gemeente}")
            koppen["Authorization"] = f"Bearer {token}"
        body: dict[str, Any] = {"query": query, "variables": variabelen}
        if operatie is not None:
            body["operationName"] = operatie
        return await self.http.post("/graphql", json=body, headers=koppen)

    async def scrape(self) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
        antwoord = await self.http.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
        assert antwoord.status_code == 200, antwoord.text
        assert antwoord.headers["content-type"].startswith("text/plain")
        return {
            (s.name, frozenset(s.labels.items())): s.value
            for familie in text_string_to_metric_families(antwoord.text)
            for s in familie.samples
        }


def waarde(metingen: dict[tuple[str, frozenset[tuple[str, str]]], float], naam: str, **labels: str) -> float:
    return sum(v for (n, lab), v in metingen.items() if n == naam and set(labels.items()) <= lab)


@pytest.fixture
async def client(engine, demosleutel, beslisser, pseudonimiseerder, limieten) -> AsyncIterator[Client]:
    verifier = TokenVerifier(public_key_pem=demosleutel.public_key_pem)
    app = maak_app(
        engine, verifier, pseudonimiseerder, limieten, beslisser, beheer=Beheer(metrics=True, metrics_token=TOKEN)
    )
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as http:
        yield Client(http, demosleutel)


async def test_metrieken_tellen_operaties_auditregels_weigeringen_en_fouten_precies(client, engine):
    casus = await client.graphql("consulent", NIJMEGEN, REGISTREER, "Registreer", input=casus_invoer())
    casus_id = casus.json()["data"]["registreerCasus"]["id"]
    for _ in range(2):
        lijst = await client.graphql("consulent", NIJMEGEN, LIJST, "Casussen")
        assert not lijst.json().get("errors"), lijst.json()
    anoniem = await client.graphql("consulent", NIJMEGEN, "{ ik { rol } }")
    vreemd = await client.graphql("consulent", WIJCHEN, CASUS, "AndereCasus", id=casus_id)
    verboden = await client.graphql("consulent", NIJMEGEN, AUDITLOG, "Auditlog")
    zonder_token = await client.graphql(None, None, "{ ik { rol } }")
    assert not anoniem.json().get("errors") and vreemd.json()["data"]["casus"] is None
    assert codes(verboden.json()) == ["FORBIDDEN"] and zonder_token.status_code == 401

    m = await client.scrape()

    assert waarde(m, "regiekamer_graphql_operaties_total", operatie="Casussen") == 2
    assert waarde(m, "regiekamer_graphql_operatie_seconden_count", operatie="Casussen") == 2
    for naam in ("Registreer", "AndereCasus", "Auditlog", "anoniem"):
        assert waarde(m, "regiekamer_graphql_operaties_total", operatie=naam) == 1, naam
    assert waarde(m, "regiekamer_graphql_operaties_total") == 6  # the request without a token ran no operation
    assert waarde(m, "regiekamer_http_verzoeken_total", methode="POST", route="/graphql", status="200") == 6
    assert waarde(m, "regiekamer_http_verzoeken_total", methode="POST", route="/graphql", status="401") == 1
    assert waarde(m, "regiekamer_http_verzoek_seconden_count", route="/graphql") == 7
    assert waarde(m, "regiekamer_fouten_total", code="FORBIDDEN") == 1
    assert waarde(m, "regiekamer_fouten_total", code="UNAUTHENTICATED") == 1
    assert waarde(m, "regiekamer_fouten_total", code="NOT_FOUND") == len(codes(vreemd.json())) == 1
    assert waarde(m, "regiekamer_fouten_total") == 3

    # Every audit record the database holds was counted once, each denial under its processing activity.
    async with engine.connect() as conn:
        rijen = (await conn.execute(sa.select(auditregel.c.verwerkingsactiviteit, auditregel.c.uitkomst))).all()
    assert waarde(m, "regiekamer_auditregels_total") == len(rijen) > 0
    for uitkomst, aantal in Counter(u for _, u in rijen).items():
        assert waarde(m, "regiekamer_auditregels_total", uitkomst=uitkomst) == aantal, uitkomst
    weigeringen = Counter((v, u) for v, u in rijen if u != "geslaagd")
    assert {u for _, u in weigeringen} == {"geweigerd", "niet_gevonden"}
    for (verwerking, uitkomst), aantal in weigeringen.items():
        assert waarde(m, "regiekamer_weigeringen_total", verwerking=verwerking, uitkomst=uitkomst) == aantal
    assert waarde(m, "regiekamer_weigeringen_total") == sum(weigeringen.values())


async def test_metrieken_tellen_de_auditregels_van_een_mislukte_mutatie_niet_mee(client, engine):
    """A refused mutation rolls back its work; only the recorded denial is counted, as it is in the database."""
    fout = await client.graphql("kwaliteitsmedewerker", NIJMEGEN, REGISTREER, "Registreer", input=casus_invoer())
    assert codes(fout.json()) == ["FORBIDDEN"]
    m = await client.scrape()
    async with engine.connect() as conn:
        uitkomsten = list((await conn.execute(sa.select(auditregel.c.uitkomst))).scalars())
    assert uitkomsten == ["geweigerd"]
    assert waarde(m, "regiekamer_auditregels_total") == 1
    assert waarde(m, "regiekamer_auditregels_total", uitkomst="geweigerd") == 1


async def test_metrieken_dragen_geen_bsn_token_of_query(client):
    bsn = casus_invoer()["inwoner"]["bsn"]
    await client.graphql("consulent", NIJMEGEN, REGISTREER, "Registreer", input=casus_invoer(bsn=bsn))
    await client.graphql("consulent", NIJMEGEN, "query Bsn999999999 { ik { rol } }", "Bsn999999999")
    tekst = (await client.http.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})).text
    assert bsn not in tekst and "999999999" not in tekst and "registreerCasus" not in tekst
    assert TOKEN not in tekst and "Bearer" not in tekst
    assert 'operatie="Bsn_"' in tekst  # digits a client put in an operation name are masked


async def test_metrics_vraagt_het_token_en_staat_standaard_uit(
    client, engine, demosleutel, pseudonimiseerder, limieten
):
    for koppen in ({}, {"Authorization": "Bearer fout-token"}, {"Authorization": TOKEN}):
        antwoord = await client.http.get("/metrics", headers=koppen)
        assert antwoord.status_code == 401 and antwoord.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        assert "regiekamer_" not in antwoord.text
    verifier = TokenVerifier(public_key_pem=demosleutel.public_key_pem)
    standaard = maak_app(engine, verifier, pseudonimiseerder, limieten)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=standaard), base_url="http://test") as http:
        antwoord = await http.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert antwoord.status_code == 404 and "regiekamer_" not in antwoord.text


def test_metrieken_begrenzen_het_aantal_operatienamen_van_clients():
    m = Metrieken()
    for i in range(MAX_OPERATIES + 50):
        m.operatie(f"Operatie{chr(65 + i % 26)}{i}", 0.01)
    m.operatie("Operatie_A0", 0.01)  # no digits run masked here; a new name after the cap
    namen = {s.labels["operatie"] for f in text_string_to_metric_families(m.tekst().decode()) for s in f.samples}
    assert len(namen) == MAX_OPERATIES + 1 and OVERIG in namen


def test_met_meerdere_workers_telt_metrics_alle_workers_op(tmp_path, demosleutel):
    """``serve --workers 2`` with PROMETHEUS_MULTIPROC_DIR: whichever worker answers the scrape, it sums both."""
    import json
    import subprocess
    import sys

    from tests.hulp_server import Server, schone_omgeving, vrije_poort

    multiproc = tmp_path / "prometheus"
    multiproc.mkdir()
    (multiproc / "counter_1.db").write_bytes(b"van een vorige start")  # must not be read: serve empties the map
    omgeving = schone_omgeving(
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'regiekamer.db'}",
        REGIEKAMER_DATA_MAP=str(tmp_path / "data"),
        REGIEKAMER_JWT_PUBLIC_KEY=demosleutel.public_key_pem,
        REGIEKAMER_PSEUDONIEM_SLEUTEL="s" * 40,
        REGIEKAMER_METRICS="true",
        PROMETHEUS_MULTIPROC_DIR=str(multiproc),
    )
    poort = vrije_poort()
    logbestand = tmp_path / "server.log"
    with logbestand.open("wb") as uit:
        proces = subprocess.Popen(
            [str(Path(sys.executable).parent / "regiekamer"), "serve", "--port", str(poort), "--workers", "2"],
            cwd=tmp_path, env=omgeving, stdin=subprocess.DEVNULL, stdout=uit, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    server = Server(proces, poort, logbestand)
    token = demosleutel.maak_token(rol="consulent", gemeente=NIJMEGEN, sub="workers-consulent")
    body = {"query": "query Ik { ik { rol } }", "operationName": "Ik"}

    def pids() -> set[int]:
        regels = [json.loads(r) for r in server.uitvoer.splitlines() if r.strip()]
        return {r["pid"] for r in regels if r.get("pad") == "/graphql"}

    try:
        server.wacht_op_health()
        verstuurd = 0
        while len(pids()) < 2 and verstuurd < 200:  # a new connection per request: the workers share them out
            with httpx.Client() as http:
                antwoord = http.post(f"{server.url}/graphql", json=body, headers={"Authorization": f"Bearer {token}"})
            assert antwoord.status_code == 200, antwoord.text
            verstuurd += 1
        assert len(pids()) == 2, "alle verzoeken kwamen bij één worker"
        for _ in range(4):
            with httpx.Client() as http:
                tekst = http.get(f"{server.url}/metrics").text
            operaties = {
                s.labels["operatie"]: s.value
                for f in text_string_to_metric_families(tekst)
                for s in f.samples
                if s.name == "regiekamer_graphql_operaties_total"
            }
            assert operaties == {"Ik": verstuurd}
        server.stop()
    except BaseException:
        server.doden()
        print(server.uitvoer)
        raise
