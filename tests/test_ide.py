"""GraphiQL uit het pakket (issue 12): geen CDN, geen query in de URL of op schijf, alleen in demo/ontwikkeling."""

from __future__ import annotations

import hashlib
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette

from api.app import maak_app
from api.auth import TokenVerifier
from api.ide import STATISCH, ide_routes
from api.instellingen import Instellingen
from tests.conftest import Api, codes
from tests.hulp import NIJMEGEN

OORSPRONG = re.compile(r"(?i)\b(?:https?:)?//[a-z0-9.-]+")
"""An origin in a URL (http://x, https://x, //x): the page and its bootstrap may name none."""


class _Verwijzingen(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.inline_scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        waarden = dict(attrs)
        for naam in ("src", "href"):
            if waarden.get(naam) is not None:
                self.urls.append(str(waarden[naam]))
        self._in_script = tag == "script"
        if tag == "script" and not waarden.get("src"):
            self.inline_scripts.append("")

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.inline_scripts.append(data)

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False


@pytest.fixture
async def ide() -> httpx.AsyncClient:
    app = Starlette(routes=ide_routes(True))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        yield client


async def _pagina(client: httpx.AsyncClient) -> tuple[httpx.Response, _Verwijzingen]:
    antwoord = await client.get("/graphql", headers={"Accept": "text/html"})
    assert antwoord.status_code == 200, antwoord.text
    verwijzingen = _Verwijzingen()
    verwijzingen.feed(antwoord.text)
    return antwoord, verwijzingen


async def test_ide_pagina_verwijst_alleen_naar_adressen_van_dezelfde_oorsprong(ide):
    antwoord, verwijzingen = await _pagina(ide)
    assert antwoord.headers["content-type"].startswith("text/html")
    assert verwijzingen.urls, "de pagina laadt niets?"
    for url in verwijzingen.urls:
        assert url == "data:," or (url.startswith("/") and not url.startswith("//")), url
    assert not OORSPRONG.search(antwoord.text), OORSPRONG.search(antwoord.text)
    assert not verwijzingen.inline_scripts, "geen inline script: de CSP staat alleen scripts van deze oorsprong toe"


async def test_elk_bestand_van_de_pagina_komt_uit_het_pakket_met_het_juiste_type(ide):
    _, verwijzingen = await _pagina(ide)
    bestanden = [u for u in verwijzingen.urls if u.startswith("/")]
    assert {Path(u).suffix for u in bestanden} == {".js", ".css"}
    for url in bestanden:
        antwoord = await ide.get(url)
        assert antwoord.status_code == 200, url
        verwacht = "text/css" if url.endswith(".css") else ("text/javascript", "application/javascript")
        assert antwoord.headers["content-type"].split(";")[0] in verwacht, (url, antwoord.headers["content-type"])
        assert antwoord.headers["x-content-type-options"] == "nosniff"
        assert antwoord.content == (STATISCH / Path(url).name).read_bytes(), url


async def test_groot_bestand_gaat_gecomprimeerd_over_de_lijn(ide):
    antwoord = await ide.get("/graphql/ide/" + _manifest_naam("graphiql", ".js"), headers={"Accept-Encoding": "gzip"})
    assert antwoord.status_code == 200 and antwoord.headers["content-encoding"] == "gzip"


async def test_onbekend_bestand_onder_de_ide_is_een_gecodeerde_404(ide):
    antwoord = await ide.get("/graphql/ide/bestaat-niet.js")
    assert antwoord.status_code == 404 and codes(antwoord.json()) == ["NOT_FOUND"]


async def test_csp_laat_de_browser_alleen_deze_oorsprong_gebruiken(ide):
    antwoord, _ = await _pagina(ide)
    csp = {
        d.split()[0]: d.split()[1:] for d in (r.strip() for r in antwoord.headers["content-security-policy"].split(";"))
    }
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"], "geen inline of eval: het opstartscript is een eigen bestand"
    assert csp["connect-src"] == ["'self'"], "GraphiQL praat alleen met deze server"
    assert csp["frame-ancestors"] == ["'none'"] and csp["object-src"] == ["'none'"]
    for bronnen in csp.values():
        assert all(b.startswith("'") or b == "data:" for b in bronnen), bronnen  # no host, no scheme-wide http(s):
    assert antwoord.headers["referrer-policy"] == "no-referrer"
    assert antwoord.headers["cache-control"] == "no-store"


def test_opstartscript_noemt_geen_andere_oorsprong_en_bewaart_niets_in_de_url():
    for naam in ("ide.js", "ide.css"):
        tekst = (STATISCH / naam).read_text(encoding="utf-8")
        assert not OORSPRONG.search(tekst), (naam, OORSPRONG.search(tekst))
    js = (STATISCH / "ide.js").read_text(encoding="utf-8")
    code = re.sub(r"/\*.*?\*/|^\s*//.*$", "", js, flags=re.S | re.M)  # the comment may explain, the code may not do
    for verboden in (
        "replaceState",
        "pushState",
        "location.search",
        "location.hash",
        "location.href",
        "URLSearchParams",
    ):
        assert verboden not in code, verboden
    for opslag in ("localStorage", "sessionStorage", "indexedDB", "document.cookie"):
        assert opslag not in code, opslag


def test_graphiql_krijgt_een_opslag_in_het_geheugen_en_bewaart_geen_headers():
    code = re.sub(r"/\*.*?\*/", "", (STATISCH / "ide.js").read_text(encoding="utf-8"), flags=re.S)
    assert re.search(r"storage:\s*geheugenopslag\(\)", code)
    assert re.search(r"function geheugenopslag\(\)\s*{\s*var items = new Map\(\);", code)
    assert re.search(r"shouldPersistHeaders:\s*false", code)


def _manifest() -> dict[str, dict[str, str]]:
    return json.loads((STATISCH / "manifest.json").read_text(encoding="utf-8"))


def _manifest_naam(pakket: str, einde: str) -> str:
    return next(n for n, r in _manifest().items() if r["pakket"] == pakket and n.endswith(einde))


def test_meegeleverde_bestanden_zijn_die_uit_het_manifest_met_vaste_versies():
    manifest = _manifest()
    assert {r["pakket"] for r in manifest.values()} == {"graphiql", "react", "react-dom"}
    for naam, regel in manifest.items():
        assert hashlib.sha256((STATISCH / naam).read_bytes()).hexdigest() == regel["sha256"], naam
        assert re.fullmatch(r"\d+\.\d+\.\d+", regel["versie"]) and regel["integriteit"].startswith("sha512-")
        assert naam.startswith("LICENSE-") or regel["versie"] in naam, "de versie staat in de naam (cache)"
    versies = {r["pakket"]: r["versie"] for r in manifest.values()}
    assert versies["graphiql"].startswith("3.") and versies["react"].startswith("18.")
    assert versies["react"] == versies["react-dom"]
    eigen = {"ide.js", "ide.css", "manifest.json"}
    assert {p.name for p in STATISCH.iterdir()} == set(manifest) | eigen, "geen bestand zonder herkomst"


def test_graphiql_alleen_in_demo_en_ontwikkeling(monkeypatch):
    for naam in ("REGIEKAMER_GRAPHIQL", "REGIEKAMER_DEMO", "REGIEKAMER_ONTWIKKELING"):
        monkeypatch.delenv(naam, raising=False)
    assert not Instellingen().graphiql_aan()
    assert Instellingen(demo=True).graphiql_aan() and Instellingen(ontwikkeling=True).graphiql_aan()
    assert not Instellingen(demo=True, graphiql=False).graphiql_aan()
    monkeypatch.setenv("REGIEKAMER_GRAPHIQL", "false")
    assert not Instellingen(demo=True).graphiql_aan()


async def _app(engine, demosleutel, pseudonimiseerder, limieten, beslisser, ide: bool | None) -> Api:
    verifier = TokenVerifier(public_key_pem=demosleutel.public_key_pem)
    app = maak_app(engine, verifier, pseudonimiseerder, limieten, beslisser, ide=ide)
    return Api(httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test"), demosleutel, engine)


async def test_buiten_demo_antwoordt_get_graphql_met_een_nederlandse_gecodeerde_404(
    engine, demosleutel, pseudonimiseerder, limieten, beslisser, monkeypatch
):
    for naam in ("REGIEKAMER_GRAPHIQL", "REGIEKAMER_DEMO", "REGIEKAMER_ONTWIKKELING"):
        monkeypatch.delenv(naam, raising=False)
    for ide in (False, None):  # None: from the settings, which say off outside demo
        api = await _app(engine, demosleutel, pseudonimiseerder, limieten, beslisser, ide)
        for pad in ("/graphql", "/graphql/ide/ide.js", "/graphql/ide/" + _manifest_naam("graphiql", ".js")):
            antwoord = await api.client.get(pad, headers={"Accept": "text/html"})
            assert antwoord.status_code == 404, pad
            assert antwoord.headers["content-type"].startswith("application/json")
            assert codes(antwoord.json()) == ["NOT_FOUND"]
            assert "demo" in antwoord.json()["errors"][0]["message"]
        # The API itself is untouched.
        assert "errors" not in await api.als("consulent", NIJMEGEN, "{ ik { rol } }")
        await api.client.aclose()


async def test_in_demo_serveert_de_app_de_ide_en_blijft_post_graphql_werken(
    engine, demosleutel, pseudonimiseerder, limieten, beslisser
):
    api = await _app(engine, demosleutel, pseudonimiseerder, limieten, beslisser, True)
    antwoord, verwijzingen = await _pagina(api.client)
    assert "content-security-policy" in antwoord.headers
    for url in verwijzingen.urls:
        if url.startswith("/"):
            assert (await api.client.get(url)).status_code == 200, url
    assert (await api.als("consulent", NIJMEGEN, "{ ik { rol } }"))["data"]["ik"]["rol"] == "CONSULENT"
    await api.client.aclose()


def test_manifest_volgt_de_vaste_versies_van_het_verversscript():
    """Wie de versies in scripts/ververs_graphiql.py verhoogt, moet het script ook draaien (en andersom)."""
    import importlib.util

    pad = Path(__file__).resolve().parent.parent / "scripts" / "ververs_graphiql.py"
    spec = importlib.util.spec_from_file_location("ververs_graphiql", pad)
    assert spec and spec.loader
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    verwacht = {
        naam.format(v=versie): (pakket, versie, bron)
        for pakket, (versie, bestanden) in script.PAKKETTEN.items()
        for bron, naam in bestanden.items()
    }
    assert {n: (r["pakket"], r["versie"], r["bron"]) for n, r in _manifest().items()} == verwacht


def test_serve_demo_zet_graphiql_aan_uit_het_pakket(tmp_path):
    """``regiekamer serve --demo`` als echt proces: de pagina en haar bestanden, zonder REGIEKAMER_GRAPHIQL."""
    import sys

    from tests.hulp_server import draaiende_server, schone_omgeving

    werkmap = tmp_path / "werk"
    werkmap.mkdir()
    omgeving = schone_omgeving(
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'r.db'}", REGIEKAMER_DATA_MAP=str(tmp_path / "data")
    )
    with draaiende_server(Path(sys.executable).parent / "regiekamer", werkmap, omgeving) as server:
        pagina = httpx.get(f"{server.url}/graphql", headers={"Accept": "text/html"}, timeout=30)
        assert pagina.status_code == 200 and "content-security-policy" in pagina.headers
        verwijzingen = _Verwijzingen()
        verwijzingen.feed(pagina.text)
        for url in (u for u in verwijzingen.urls if u.startswith("/")):
            assert httpx.get(f"{server.url}{url}", timeout=30).status_code == 200, url
    assert "GraphiQL in de browser" in server.uitvoer
