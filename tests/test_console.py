"""De privacyconsole (/console) via HTTP: dezelfde tokens, hetzelfde beleid en hetzelfde auditlog als de API.

Rules guarded here: the console reads through the GraphQL executor (each page read is audited like an API
call), a role other than the privacy officer gets a coded Dutch refusal, a BSN search finds the person
through the pseudonym and never puts the BSN in a URL or cookie, every POST needs the session's CSRF
token, the session cookie is HttpOnly/SameSite=Strict/Secure outside demo, and pages carry a strict CSP.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from api.app import maak_app
from api.auth import TokenVerifier
from api.console import auditpagina, paginas
from api.limieten import Limieten
from api.sleutels import DemoSleutel
from tests.conftest import Api
from tests.hulp import NIJMEGEN, WIJCHEN, intern_id, nieuw_bsn, registreer_casus

REGISTREER_DATALEK = """mutation($i: RegistreerDatalekInput!) { registreerDatalek(input: $i) { id } }"""
AUDIT_RAADPLEGINGEN = """query($f: AuditFilter) { auditLog(first: 100, filter: $f) {
  edges { node { sub verwerkingsactiviteit betrokkenen } } } }"""


class Console:
    """Een browser zonder JavaScript: cookies, het CSRF-token uit de laatste pagina, formulieren posten."""

    def __init__(self, client: httpx.AsyncClient, api: Api) -> None:
        self.client = client
        self.api = api
        self.csrf = ""

    def _onthoud(self, antwoord: httpx.Response) -> httpx.Response:
        gevonden = re.search(r'name="csrf" value="([^"]+)"', antwoord.text)
        if gevonden:
            self.csrf = gevonden.group(1)
        return antwoord

    async def get(self, pad: str) -> httpx.Response:
        return self._onthoud(await self.client.get(pad))

    async def post(self, pad: str, velden: dict[str, str] | None = None, csrf: str | None = None) -> httpx.Response:
        data = {"csrf": self.csrf if csrf is None else csrf, **(velden or {})}
        return self._onthoud(await self.client.post(pad, data=data))

    async def log_in(self, rol: str, gemeente: str | None) -> httpx.Response:
        await self.get("/console/inloggen")
        antwoord = await self.post("/console/inloggen", {"token": self.api.token(rol, gemeente)})
        assert antwoord.status_code == 303, antwoord.text
        return antwoord


MaakConsole = Callable[..., Any]


@pytest.fixture
async def maak_console(api: Api, pseudonimiseerder, beslisser) -> AsyncIterator[MaakConsole]:
    """Een console op de database van ``api``; demo (http, introspectie) of productie (https)."""
    clients: list[httpx.AsyncClient] = []

    async def maak(demo: bool = False, sleutel: DemoSleutel | None = None) -> Console:
        verifier = TokenVerifier(public_key_pem=(sleutel or api.sleutel).public_key_pem)
        app = maak_app(api.engine, verifier, pseudonimiseerder, Limieten(introspectie=demo), beslisser)
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://test" if demo else "https://test"
        )
        clients.append(client)
        return Console(client, api)

    yield maak
    for c in clients:
        await c.aclose()


async def test_privacy_officer_ziet_auditlog_met_gemeentenamen_en_amsterdamse_tijd(api, maak_console):
    await registreer_casus(api, NIJMEGEN)
    console = await maak_console()
    await console.log_in("privacy_officer", NIJMEGEN)
    pagina = await console.get("/console/auditlog")
    assert pagina.status_code == 200, pagina.text
    tabel = pagina.text.split('id="auditregels"', 1)[1]
    assert "casus registreren" in tabel and "Nijmegen" in tabel
    assert re.search(r"\d{1,2} [a-z]+ \d{4} \d\d:\d\d CES?T", tabel), tabel
    assert ">0268<" not in tabel  # the code is shown as a name


async def test_filter_op_bsn_vindt_de_persoon_via_het_pseudoniem_en_niet_een_ander(api, maak_console):
    p, q = nieuw_bsn(), nieuw_bsn()
    casus_p = await registreer_casus(api, NIJMEGEN, bsn=p)
    casus_q = await registreer_casus(api, NIJMEGEN, bsn=q)
    console = await maak_console()
    await console.log_in("privacy_officer", NIJMEGEN)
    await console.get("/console/auditlog")
    pagina = await console.post("/console/auditlog", {"bsn": p})
    assert pagina.status_code == 200, pagina.text
    tabel = pagina.text.split('id="auditregels"', 1)[1]
    assert intern_id(casus_p["id"]) in tabel
    assert intern_id(casus_q["id"]) not in tabel
    # the search itself is recorded, under the person's pseudonym, as a read of the audit log by this officer
    raadplegingen = await api.als("privacy_officer", NIJMEGEN, AUDIT_RAADPLEGINGEN, {"f": {"bsn": p}})
    subs = {(r["node"]["sub"], r["node"]["verwerkingsactiviteit"]) for r in raadplegingen["data"]["auditLog"]["edges"]}
    assert (f"test-privacy_officer-{NIJMEGEN}", "auditlog raadplegen") in subs


async def test_bsn_komt_niet_in_een_adres_of_cookie(api, maak_console):
    p = nieuw_bsn()
    await registreer_casus(api, NIJMEGEN, bsn=p)
    console = await maak_console()
    await console.log_in("privacy_officer", NIJMEGEN)
    await console.get("/console/auditlog")
    await console.post("/console/auditlog", {"bsn": p})
    await console.post("/console/inzage", {"bsn": p})
    assert all(p not in waarde for waarde in console.client.cookies.values())
    formulieren = re.findall(r'<form method="(\w+)" action="([^"]+)"', (await console.get("/console/inzage")).text)
    assert ("post", "/console/inzage") in formulieren and all(m == "post" for m, _ in formulieren)


async def test_andere_rol_krijgt_een_nederlandse_weigering_zonder_gegevens(api, maak_console):
    await registreer_casus(api, NIJMEGEN, naam="Geheime Inwoner")
    console = await maak_console()
    await console.log_in("consulent", NIJMEGEN)
    for pad in ("/console/auditlog", "/console/datalekken"):
        pagina = await console.get(pad)
        assert pagina.status_code == 403, pagina.text
        assert "FORBIDDEN" in pagina.text and "Geen toegang" in pagina.text
        assert "casus registreren" not in pagina.text and "Geheime" not in pagina.text


async def test_post_zonder_het_csrf_token_van_de_sessie_wordt_geweigerd(api, maak_console):
    console = await maak_console()
    await console.log_in("privacy_officer", NIJMEGEN)
    await console.get("/console/auditlog")
    for pad, velden in (
        ("/console/auditlog", {}),
        ("/console/inzage", {"bsn": nieuw_bsn()}),
        ("/console/uitloggen", {}),
    ):
        antwoord = await console.post(pad, velden, csrf="vervalst")
        assert antwoord.status_code == 403, (pad, antwoord.text)
        assert "FORBIDDEN" in antwoord.text
    assert (await console.get("/console/auditlog")).status_code == 200  # still logged in: the forged logout failed
    inzage = await api.als("privacy_officer", NIJMEGEN, AUDIT_RAADPLEGINGEN, {"f": {"objectType": "inzage"}})
    assert inzage["data"]["auditLog"]["edges"] == []  # the forged inzage never ran


async def test_ongeldig_token_geeft_een_melding_met_code_en_geen_sessie(maak_console):
    console = await maak_console()
    await console.get("/console/inloggen")
    antwoord = await console.post("/console/inloggen", {"token": "geen.echt.token"})
    assert antwoord.status_code == 401
    assert "UNAUTHENTICATED" in antwoord.text and "Het token is geen geldige JWT" in antwoord.text
    assert "Traceback" not in antwoord.text
    volgende = await console.get("/console/auditlog")
    assert volgende.status_code == 303 and volgende.headers["location"] == "/console/inloggen"


async def test_verlopen_token_wordt_geweigerd_met_de_melding_van_de_api(api, maak_console, monkeypatch):
    import time

    nu = time.time()
    with monkeypatch.context() as m:  # signed two hours ago with a one-hour lifetime
        m.setattr(time, "time", lambda: nu - 7200)
        verlopen = api.sleutel.maak_token(rol="privacy_officer", gemeente=NIJMEGEN, sub="po", ttl_seconds=3600)
    console = await maak_console()
    await console.get("/console/inloggen")
    antwoord = await console.post("/console/inloggen", {"token": verlopen})
    assert antwoord.status_code == 401 and "UNAUTHENTICATED" in antwoord.text
    assert "Het token is verlopen" in antwoord.text


async def test_uitloggen_beeindigt_de_sessie(maak_console):
    console = await maak_console()
    await console.log_in("privacy_officer", NIJMEGEN)
    await console.get("/console/auditlog")
    uit = await console.post("/console/uitloggen")
    assert uit.status_code == 303 and uit.headers["location"] == "/console/inloggen"
    assert (await console.get("/console/auditlog")).status_code == 303


async def test_inzagebrief_noemt_de_verwerkingen_en_toont_het_bsn_gemaskeerd(api, maak_console):
    p = nieuw_bsn()
    await registreer_casus(api, NIJMEGEN, bsn=p)
    console = await maak_console()
    await console.log_in("privacy_officer", NIJMEGEN)
    await console.get("/console/inzage")
    brief = await console.post("/console/inzage", {"bsn": p})
    assert brief.status_code == 200, brief.text
    assert "uw verzoek om inzage (artikel 15 AVG)" in brief.text
    assert "casus registreren" in brief.text and "uitvoering van de Wmo en de Jeugdwet" in brief.text
    assert p not in brief.text and f"••••••{p[-3:]}" in brief.text
    assert re.search(r'id="kenmerk">[0-9a-f-]{36}<', brief.text)


async def test_inzage_met_ongeldig_bsn_geeft_de_foutcode_van_de_api(maak_console):
    console = await maak_console()
    await console.log_in("privacy_officer", NIJMEGEN)
    await console.get("/console/inzage")
    antwoord = await console.post("/console/inzage", {"bsn": "12345"})
    assert antwoord.status_code == 400
    assert "BAD_USER_INPUT" in antwoord.text and "BSN" in antwoord.text


async def test_ongeldige_datum_in_het_filter_geeft_een_nederlandse_melding(maak_console):
    console = await maak_console()
    await console.log_in("privacy_officer", NIJMEGEN)
    await console.get("/console/auditlog")
    antwoord = await console.post("/console/auditlog", {"van": "gisteren"})
    assert antwoord.status_code == 400 and "BAD_USER_INPUT" in antwoord.text and "JJJJ-MM-DD" in antwoord.text


async def test_filter_op_uitkomst_en_gemeente_toont_alleen_die_regels(api, maak_console):
    await registreer_casus(api, NIJMEGEN)
    await api.als("consulent", NIJMEGEN, "{ auditLog { totalCount } }")  # a denied attempt, recorded
    console = await maak_console()
    await console.log_in("privacy_officer", NIJMEGEN)
    await console.get("/console/auditlog")
    pagina = await console.post("/console/auditlog", {"uitkomst": "geweigerd", "gemeente": NIJMEGEN})
    tabel = pagina.text.split('id="auditregels"', 1)[1]
    uitkomsten = re.findall(r'class="label label-(\w+)"', tabel)
    assert uitkomsten and set(uitkomsten) == {"geweigerd"}
    leeg = await console.post("/console/auditlog", {"uitkomst": "geweigerd", "gemeente": WIJCHEN})
    assert "Geen regels voor dit filter." in leeg.text


@pytest.mark.parametrize(
    "filter_",
    [{"operatie": "registreren"}, {"operatie": "registreren", "uitkomst": "geslaagd"}],
    ids=["api_filtert", "console_filtert_ook"],
)
async def test_paginering_loopt_door_het_hele_gefilterde_log_zonder_dubbelen(api, maak_console, monkeypatch, filter_):
    for _ in range(6):
        await registreer_casus(api, NIJMEGEN)
    monkeypatch.setattr(auditpagina, "PER_PAGINA", 4)
    console = await maak_console()
    await console.log_in("privacy_officer", NIJMEGEN)
    await console.get("/console/auditlog")
    gezien: list[str] = []
    velden = dict(filter_)
    for _ in range(5):
        pagina = await console.post("/console/auditlog", velden)
        gezien += re.findall(r'<div class="klein mono">([0-9a-f-]{36})</div>', pagina.text)
        volgende = re.search(r'name="na" value="([^"]+)"', pagina.text)
        if not volgende:
            break
        velden = {**filter_, "na": volgende.group(1)}
    assert len(gezien) == 6 and len(set(gezien)) == 6


async def test_csv_export_volgt_het_filter_met_namen_en_lokale_tijd(api, maak_console):
    p = nieuw_bsn()
    casus_p = await registreer_casus(api, NIJMEGEN, bsn=p)
    casus_q = await registreer_casus(api, NIJMEGEN)
    console = await maak_console()
    await console.log_in("privacy_officer", NIJMEGEN)
    await console.get("/console/auditlog")
    antwoord = await console.post("/console/auditlog.csv", {"bsn": p, "operatie": "registreren"})
    assert antwoord.status_code == 200, antwoord.text
    assert antwoord.headers["content-type"].startswith("text/csv")
    assert "attachment" in antwoord.headers["content-disposition"]
    rijen = list(csv.DictReader(io.StringIO(antwoord.text.lstrip("\ufeff")), delimiter=";"))
    assert [r["object_id"] for r in rijen] == [intern_id(casus_p["id"])]
    assert intern_id(casus_q["id"]) not in antwoord.text and p not in antwoord.text
    assert rijen[0]["gemeentenaam"] == "Nijmegen"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0[12]:00", rijen[0]["tijdstip_lokaal"])
    # the export read the log through the API, so it is itself recorded, under the person's pseudonym
    raadplegingen = await api.als("privacy_officer", NIJMEGEN, AUDIT_RAADPLEGINGEN, {"f": {"bsn": p}})
    door_console = [r["node"] for r in raadplegingen["data"]["auditLog"]["edges"]
                    if r["node"]["sub"] == f"test-privacy_officer-{NIJMEGEN}"]  # fmt: skip
    assert door_console and all(r["verwerkingsactiviteit"] == "auditlog raadplegen" for r in door_console)
    assert all(len(r["betrokkenen"]) == 1 for r in door_console)


def test_csv_cel_die_als_formule_begint_wordt_tekst():
    from api.console.auditpagina import _cel

    assert _cel("=HYPERLINK(1)") == "'=HYPERLINK(1)" and _cel("+1") == "'+1" and _cel("gewoon") == "gewoon"


async def test_datalekken_tonen_de_ap_deadline_en_de_resterende_tijd(api, maak_console):
    ontdekt = datetime.now(UTC) - timedelta(hours=20)
    invoer = {"omschrijving": "Lijst naar verkeerd adres gemaild.", "ontdektOp": ontdekt.isoformat(),
              "categorieen": ["IDENTIFICATIE"]}  # fmt: skip
    antwoord = await api.als("privacy_officer", NIJMEGEN, REGISTREER_DATALEK, {"i": invoer})
    assert "errors" not in antwoord, antwoord
    console = await maak_console()
    await console.log_in("privacy_officer", NIJMEGEN)
    pagina = await console.get("/console/datalekken")
    assert pagina.status_code == 200, pagina.text
    open_ = pagina.text.split('id="open-datalekken"', 1)[1].split("</table>", 1)[0]
    assert "Lijst naar verkeerd adres gemaild." in open_
    assert re.search(r"nog 2 dagen en (3|4) uur", open_), open_
    assert re.search(r"\d{1,2} [a-z]+ \d{4} \d\d:\d\d CES?T", open_)


async def test_elk_antwoord_heeft_een_strikte_csp_en_geen_cache(maak_console):
    console = await maak_console()
    for pad in ("/console/inloggen", "/console/static/console.css", "/console/bestaat-niet"):
        antwoord = await console.get(pad)
        csp = antwoord.headers["content-security-policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp, pad
        assert antwoord.headers["cache-control"] == "no-store"
    niet = await console.get("/console/bestaat-niet")
    assert niet.status_code == 404 and "NOT_FOUND" in niet.text and "Deze pagina bestaat niet" in niet.text


async def test_sessiecookie_is_httponly_strict_en_buiten_demo_secure(maak_console):
    productie = await maak_console(demo=False)
    koppen = (await productie.log_in("privacy_officer", NIJMEGEN)).headers.get_list("set-cookie")
    cookie = next(k for k in koppen if k.startswith("regiekamer_console="))
    assert "httponly" in cookie.lower() and "samesite=strict" in cookie.lower() and "secure" in cookie.lower()
    demo = await maak_console(demo=True)
    koppen = (await demo.log_in("privacy_officer", NIJMEGEN)).headers.get_list("set-cookie")
    cookie = next(k for k in koppen if k.startswith("regiekamer_console="))
    assert "secure" not in cookie.lower() and "samesite=strict" in cookie.lower()


async def test_ontwikkeltoken_alleen_in_demo_met_de_sleutel_die_de_app_vertrouwt(
    api, maak_console, monkeypatch, tmp_path
):
    eigen = DemoSleutel.maak(tmp_path)
    monkeypatch.setenv("REGIEKAMER_DATA_MAP", str(tmp_path))
    demo = await maak_console(demo=True, sleutel=eigen)
    assert "Inloggen als privacy officer" in (await demo.get("/console/inloggen")).text
    ingelogd = await demo.post("/console/demotoken", {"gemeente": WIJCHEN})
    assert ingelogd.status_code == 303, ingelogd.text
    pagina = await demo.get("/console/auditlog")
    assert pagina.status_code == 200 and "privacy officer · Wijchen" in pagina.text
    # outside demo, or when the app does not trust the key on disk, there is no such shortcut
    for console in (await maak_console(demo=False, sleutel=eigen), await maak_console(demo=True)):
        assert "Inloggen als privacy officer" not in (await console.get("/console/inloggen")).text
        geweigerd = await console.post("/console/demotoken", {"gemeente": NIJMEGEN})
        assert geweigerd.status_code == 404 and "NOT_FOUND" in geweigerd.text
        assert (await console.get("/console/auditlog")).status_code == 303


async def test_onverwachte_fout_toont_alleen_een_verzoek_id(maak_console, monkeypatch):
    async def stuk(*_args, **_kw):
        raise RuntimeError("geheime interne details")

    monkeypatch.setattr(paginas, "haal_pagina", stuk)
    console = await maak_console()
    await console.log_in("privacy_officer", NIJMEGEN)
    antwoord = await console.get("/console/auditlog")
    assert antwoord.status_code == 500
    assert "INTERNAL" in antwoord.text and "Verzoek-id" in antwoord.text
    assert "geheime interne details" not in antwoord.text and "Traceback" not in antwoord.text


async def test_te_groot_token_voor_het_cookie_wordt_met_een_melding_geweigerd(maak_console):
    console = await maak_console()
    await console.get("/console/inloggen")
    antwoord = await console.post("/console/inloggen", {"token": "x" * 3000})
    assert antwoord.status_code == 401 and "te groot voor het sessiecookie" in antwoord.text
    assert (await console.get("/console/auditlog")).status_code == 303


async def test_te_groot_formulier_wordt_geweigerd_zonder_het_te_lezen(maak_console):
    console = await maak_console()
    await console.log_in("privacy_officer", NIJMEGEN)
    await console.get("/console/auditlog")
    antwoord = await console.post("/console/auditlog", {"bsn": "1" * 70_000})
    assert antwoord.status_code == 400 and "Het formulier is te groot." in antwoord.text
