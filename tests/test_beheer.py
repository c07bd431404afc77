"""Beheer: /version, de container en compose, traces, en de waarschuwing bij een pseudoniemsleutel per host."""

from __future__ import annotations

import json
import logging
import os
import platform
import re
import shutil
import subprocess
import sys
import zipfile
from importlib.metadata import version
from pathlib import Path

import httpx
import pytest

from api.app import maak_app
from api.auth import TokenVerifier
from api.cli import _waarschuw_eigen_pseudoniemsleutel
from api.gereedheid import nieuwste_migraties
from api.instellingen import Instellingen
from api.sporen import beschikbaar, instrumenteer
from domein.opslag.db import maak_engine
from tests.hulp import NIJMEGEN, casus_invoer
from tests.hulp_server import Server, schone_omgeving, vrije_poort

BRON = Path(__file__).resolve().parent.parent
REGIEKAMER = Path(sys.executable).parent / "regiekamer"
HEAD = ",".join(sorted(nieuwste_migraties()))


# --- /version -------------------------------------------------------------------------------------------------


async def test_version_noemt_pakket_migraties_en_python_en_verder_niets(api, db_url):
    antwoord = await api.client.get("/version")
    assert antwoord.status_code == 200 and antwoord.headers["X-Request-Id"]
    assert antwoord.json() == {
        "versie": version("regiekamer"),
        "migratie": {"code": HEAD, "database": HEAD},
        "python": platform.python_version(),
    }
    for geheim in (db_url, db_url.rsplit("/", 1)[-1], "sqlite", "postgres", "127.0.0.1", str(Path.cwd())):
        assert geheim not in antwoord.text, geheim


async def test_version_antwoordt_ook_als_de_database_onbereikbaar_is(demosleutel, pseudonimiseerder, limieten):
    engine = maak_engine("postgresql+asyncpg://postgres@127.0.0.1:9/onbereikbaar")
    app = maak_app(engine, TokenVerifier(public_key_pem=demosleutel.public_key_pem), pseudonimiseerder, limieten)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
            antwoord = await client.get("/version")
    finally:
        await engine.dispose()
    assert antwoord.status_code == 200
    assert antwoord.json()["migratie"] == {"code": HEAD, "database": None}


# --- Dockerfile en compose -------------------------------------------------------------------------------------


def _stadia() -> list[list[str]]:
    """De instructies per fase, met voortzettingsregels samengevoegd en zonder commentaar."""
    tekst = re.sub(r"\\\n\s*", " ", (BRON / "Dockerfile").read_text(encoding="utf-8"))
    regels = [r.strip() for r in tekst.splitlines() if r.strip() and not r.lstrip().startswith("#")]
    stadia: list[list[str]] = []
    for regel in regels:
        if regel.startswith("FROM "):
            stadia.append([])
        stadia[-1].append(regel)
    return stadia


def test_dockerfile_bouwt_het_wiel_en_installeert_het_niet_editable_als_gewone_gebruiker():
    bouw, draai = _stadia()
    assert bouw[0].startswith("FROM python:3.11-slim AS ") and draai[0] == "FROM python:3.11-slim"
    assert any(r.startswith("RUN pip wheel") and "--no-deps" in r for r in bouw)
    installatie = [r for r in draai if "pip install" in r]
    assert len(installatie) == 1 and "regiekamer-*.whl" in installatie[0], installatie
    alles = " ".join(bouw + draai)
    assert "-e " not in alles and "--editable" not in alles and "COPY --from=" in " ".join(draai)
    assert not [r for r in draai if r.startswith("COPY") and "--from=" not in r], "broncode in het eindimage"
    gebruiker = [r.split()[1] for r in draai if r.startswith("USER ")]
    assert gebruiker == ["regiekamer"] and draai.index(f"USER {gebruiker[0]}") > draai.index(installatie[0])
    healthcheck = next(r for r in draai if r.startswith("HEALTHCHECK "))
    assert "/ready" in healthcheck and "--start-period" in healthcheck
    assert 'ENTRYPOINT ["regiekamer"]' in draai
    assert 'CMD ["serve", "--host", "0.0.0.0", "--port", "8000"]' in draai
    assert not [r for r in draai if r.startswith("ENV ") and re.search(r"SLEUTEL|TOKEN|PASSWORD|DATABASE_URL", r)]


def test_wat_de_dockerfile_kopieert_is_genoeg_voor_een_volledig_wiel(tmp_path):
    """Only the COPYed paths go into the build: the wheel built from them has every file of every package."""
    bouw, _ = _stadia()
    kopie = tmp_path / "bron"
    kopie.mkdir()
    for regel in bouw:
        if regel.startswith("COPY "):
            bron = regel.split()[1]
            if (BRON / bron).is_dir():
                shutil.copytree(BRON / bron, kopie / bron, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
            else:
                shutil.copy(BRON / bron, kopie / bron)
    uit = tmp_path / "wiel"
    pip = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(uit), str(kopie)],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert pip.returncode == 0, pip.stderr
    namen = set(zipfile.ZipFile(next(uit.glob("regiekamer-*.whl"))).namelist())
    for pakket in ("api", "domein", "beleid", "migrations"):
        for pad in (BRON / pakket).rglob("*"):
            if pad.is_file() and "__pycache__" not in pad.parts and pad.suffix != ".pyc":
                assert pad.relative_to(BRON).as_posix() in namen, pad


def test_dockerignore_houdt_git_venv_data_en_sleutels_buiten_de_bouwcontext():
    regels = set((BRON / ".dockerignore").read_text(encoding="utf-8").split())
    assert {".git", ".venv*", ".regiekamer", "**/*.db", ".env", "tests"} <= regels


def _compose() -> list[str] | None:
    docker = shutil.which("docker")
    if docker and subprocess.run([docker, "compose", "version"], capture_output=True, check=False).returncode == 0:
        return [docker, "compose"]
    los = shutil.which("docker-compose")
    return [los] if los else None


COMPOSE_GEHEIMEN = {
    "POSTGRES_PASSWORD": "wachtwoord-voor-de-test",
    "REGIEKAMER_PSEUDONIEM_SLEUTEL": "p" * 40,
    "REGIEKAMER_JWKS_URL": "https://idp.test/realms/regio/protocol/openid-connect/certs",
}


def _compose_config(**geheimen: str) -> subprocess.CompletedProcess[str]:
    compose = _compose()
    assert compose is not None
    omgeving = {k: v for k, v in os.environ.items() if k not in COMPOSE_GEHEIMEN and not k.startswith("REGIEKAMER_")}
    return subprocess.run(
        [*compose, "-f", str(BRON / "compose.yaml"), "config"],
        cwd=BRON, env=omgeving | geheimen, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


@pytest.mark.skipif(_compose() is None, reason="geen 'docker compose' of 'docker-compose' op deze machine")
def test_compose_is_geldig_met_postgres_15_gezond_voor_migratie_en_app():
    uitslag = _compose_config(**COMPOSE_GEHEIMEN)
    assert uitslag.returncode == 0, uitslag.stderr
    tekst = uitslag.stdout
    assert "image: postgres:15" in tekst and "pg_isready" in tekst
    assert tekst.count("condition: service_healthy") == 2 and "condition: service_completed_successfully" in tekst
    assert "- migrate" in tekst and "- serve" in tekst and "- 0.0.0.0" in tekst
    assert f"REGIEKAMER_PSEUDONIEM_SLEUTEL: {'p' * 40}" in tekst
    assert "postgresql+asyncpg://regiekamer:wachtwoord-voor-de-test@db:5432/regiekamer" in tekst


@pytest.mark.skipif(_compose() is None, reason="geen 'docker compose' of 'docker-compose' op deze machine")
@pytest.mark.parametrize("ontbreekt", sorted(COMPOSE_GEHEIMEN))
def test_compose_start_niet_zonder_wachtwoord_pseudoniemsleutel_of_jwks(ontbreekt):
    uitslag = _compose_config(**{k: v for k, v in COMPOSE_GEHEIMEN.items() if k != ontbreekt})
    assert uitslag.returncode != 0 and ontbreekt in uitslag.stderr, uitslag.stderr


# --- OpenTelemetry ---------------------------------------------------------------------------------------------


@pytest.mark.skipif(not beschikbaar(), reason="de extra [otel] is niet geïnstalleerd")
async def test_traces_noemen_route_en_operatie_maar_geen_query_string_bsn_of_token(
    engine, demosleutel, pseudonimiseerder, limieten
):
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    app = maak_app(engine, TokenVerifier(public_key_pem=demosleutel.public_key_pem), pseudonimiseerder, limieten)
    assert instrumenteer(app, tracer_provider=provider)
    token = demosleutel.maak_token(rol="consulent", gemeente=NIJMEGEN, sub="trace-consulent")
    bsn = casus_invoer()["inwoner"]["bsn"]
    mutatie = "mutation Registreer($i: RegistreerCasusInput!) { registreerCasus(input: $i) { id } }"
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        nieuw = await client.post(
            "/graphql",
            json={"query": mutatie, "variables": {"i": casus_invoer(bsn=bsn)}, "operationName": "Registreer"},
            headers={"Authorization": f"Bearer {token}"},
        )
        await client.get(f"/health?bsn={bsn}")
    assert nieuw.status_code == 200 and "errors" not in nieuw.json(), nieuw.text
    spans = exporter.get_finished_spans()
    server = [s for s in spans if s.kind.name == "SERVER"]
    assert [s.name for s in server] == ["POST /graphql", "GET /health"]
    assert server[0].attributes["graphql.operation.name"] == "Registreer"
    alles = json.dumps([dict(s.attributes or {}) for s in spans] + [s.name for s in spans])
    assert bsn not in alles and token not in alles and "registreerCasus" not in alles
    assert server[1].attributes.get("http.target", "/health") == "/health"


def test_sporen_zonder_de_extra_geeft_een_waarschuwing_en_geen_fout(monkeypatch, caplog):
    import api.sporen

    monkeypatch.setattr(api.sporen, "beschikbaar", lambda: False)
    with caplog.at_level(logging.WARNING, logger="regiekamer"):
        assert api.sporen.instrumenteer(object()) is False  # type: ignore[arg-type]
    assert "[otel]" in caplog.text


# --- Meerdere replica's: de pseudoniemsleutel -----------------------------------------------------------------


def test_waarschuwing_als_elke_host_een_eigen_pseudoniemsleutel_maakt(tmp_path, caplog):
    zonder = Instellingen(pseudoniem_sleutel=None, data_map=tmp_path / "data")
    with caplog.at_level(logging.INFO, logger="regiekamer"):
        _waarschuw_eigen_pseudoniemsleutel(zonder, demo_modus=False)
    [regel] = caplog.records
    assert regel.levelno == logging.WARNING and "REGIEKAMER_PSEUDONIEM_SLEUTEL" in regel.getMessage()
    assert "nieuw gemaakt" in regel.getMessage()
    caplog.clear()
    zonder.pseudoniem_sleutel_bytes()
    with caplog.at_level(logging.INFO, logger="regiekamer"):
        _waarschuw_eigen_pseudoniemsleutel(zonder, demo_modus=False)
    assert caplog.records[0].levelno == logging.WARNING and "gelezen uit" in caplog.text


def test_geen_waarschuwing_met_een_gedeelde_sleutel_en_alleen_info_in_demo(tmp_path, caplog):
    with caplog.at_level(logging.INFO, logger="regiekamer"):
        _waarschuw_eigen_pseudoniemsleutel(Instellingen(pseudoniem_sleutel="s" * 40, data_map=tmp_path), False)
        assert not caplog.records
        _waarschuw_eigen_pseudoniemsleutel(Instellingen(pseudoniem_sleutel=None, data_map=tmp_path), True)
    assert [r.levelno for r in caplog.records] == [logging.INFO]


# --- De echte server: JSON-logs, /version, /metrics ------------------------------------------------------------


def test_server_buiten_demo_logt_alleen_json_met_verzoek_id_en_sleutelwaarschuwing(tmp_path, demosleutel):
    werk = tmp_path / "werk"
    werk.mkdir()
    poort = vrije_poort()
    omgeving = schone_omgeving(
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'regiekamer.db'}",
        REGIEKAMER_DATA_MAP=str(tmp_path / "data"),
        REGIEKAMER_JWT_PUBLIC_KEY=demosleutel.public_key_pem,
        REGIEKAMER_METRICS="true",
        REGIEKAMER_METRICS_TOKEN="scrape-token",
    )
    token = demosleutel.maak_token(rol="consulent", gemeente=NIJMEGEN, sub="json-consulent")
    logbestand = tmp_path / "server.log"
    with logbestand.open("wb") as uit:
        proces = subprocess.Popen(
            [str(REGIEKAMER), "serve", "--port", str(poort)],
            cwd=werk, env=omgeving, stdin=subprocess.DEVNULL, stdout=uit, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    server = Server(proces, poort, logbestand)
    try:
        server.wacht_op_health()
        ik = httpx.post(
            f"{server.url}/graphql",
            json={"query": "query Ik { ik { rol } }", "operationName": "Ik"},
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        )
        assert ik.json() == {"data": {"ik": {"rol": "CONSULENT"}}}, ik.text
        assert httpx.get(f"{server.url}/ready", timeout=30).status_code == 200
        assert httpx.get(f"{server.url}/version", timeout=30).json()["migratie"]["database"] == HEAD
        metrieken = httpx.get(f"{server.url}/metrics", headers={"Authorization": "Bearer scrape-token"}, timeout=30)
        assert 'regiekamer_graphql_operaties_total{operatie="Ik"} 1.0' in metrieken.text
        assert server.stop() in (0, -15)
    except BaseException:
        server.doden()
        print(server.uitvoer)
        raise
    regels = [json.loads(r) for r in server.uitvoer.splitlines() if r.strip()]  # every line is JSON
    waarschuwingen = [r for r in regels if r["niveau"] == "WARNING"]
    assert any("REGIEKAMER_PSEUDONIEM_SLEUTEL" in r["bericht"] for r in waarschuwingen), waarschuwingen
    [verzoek] = [r for r in regels if r.get("pad") == "/graphql"]
    assert verzoek["request_id"] == ik.headers["X-Request-Id"] and verzoek["operatie"] == "Ik"
    assert verzoek["rol"] == "consulent" and verzoek["organisatie"] == NIJMEGEN and verzoek["status"] == 200
    assert any("Application shutdown complete" in r["bericht"] for r in regels)
    assert not [r for r in regels if "color_message" in r or "\x1b" in r["bericht"]]
    assert token not in server.uitvoer and "scrape-token" not in server.uitvoer
    assert "Traceback" not in server.uitvoer
