"""De privacyconsole in een echte headless Chromium (Debian-pakket ``chromium``, bestuurd door Playwright).

A real ``regiekamer serve --demo`` runs on a free port (SQLite and PostgreSQL). The browser logs in as the
privacy officer of Nijmegen with a pasted development token, filters the audit log on a BSN, opens the
inzage letter and prints it (print media and a PDF). Every request the page makes is recorded: none may
leave the server's origin, and the browser reports no Content-Security-Policy violation.
Playwright never downloads a browser here: it drives /usr/bin/chromium. Without it the test is skipped.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import uvicorn

from domein.demo import fictieve_bsns
from tests.hulp_server import draaiende_server, schone_omgeving, vrije_poort
from tests.test_console_oidc import CLIENT_ID, NepIdp

CHROMIUM = Path(os.environ.get("REGIEKAMER_CHROMIUM", "/usr/bin/chromium"))
REGIEKAMER = Path(sys.executable).parent / "regiekamer"

playwright_api = pytest.importorskip("playwright.async_api", reason="Playwright ontbreekt: pip install -e '.[test]'")
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason=f"{CHROMIUM} ontbreekt: installeer het Debian-pakket met 'apt-get install -y chromium' (.ci/run doet dat)",
)


def _token(werkmap: Path, omgeving: dict[str, str], rol: str, gemeente: str) -> str:
    uitslag = subprocess.run(
        [str(REGIEKAMER), "token", "--rol", rol, "--gemeente", gemeente],
        cwd=werkmap, env=omgeving, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert uitslag.returncode == 0, uitslag.stdout + uitslag.stderr
    return uitslag.stdout.strip()


async def test_privacy_officer_filtert_op_bsn_en_drukt_de_inzagebrief_af_zonder_externe_verzoeken(
    db_url: str, tmp_path: Path
):
    werkmap = tmp_path / "werk"
    werkmap.mkdir()
    omgeving = schone_omgeving(DATABASE_URL=db_url)
    bsn = next(fictieve_bsns())  # the first demo casus, in Nijmegen
    with draaiende_server(REGIEKAMER, werkmap, omgeving) as server:
        token = _token(werkmap, omgeving, "privacy_officer", "0268")
        verzoeken: list[str] = []
        meldingen: list[str] = []
        async with playwright_api.async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=str(CHROMIUM), headless=True)
            try:
                pagina = await browser.new_page()
                pagina.set_default_timeout(15_000)
                pagina.on("request", lambda v: verzoeken.append(v.url))
                pagina.on("console", lambda m: meldingen.append(f"{m.type}: {m.text}"))

                await pagina.goto(f"{server.url}/console/")
                await pagina.fill("#token", token)
                await pagina.click("form[action='/console/inloggen'] button[type=submit]")
                await pagina.wait_for_url("**/console/auditlog")
                assert "privacy officer · Nijmegen" in await pagina.inner_text("header")

                await pagina.fill("#filter input[name=bsn]", bsn)
                await pagina.click("#filter button[type=submit]")
                await pagina.wait_for_selector("#auditregels")
                regels = await pagina.inner_text("#auditregels tbody")
                assert "casus registreren" in regels and "Nijmegen" in regels
                assert "CET" in regels or "CEST" in regels
                assert bsn not in pagina.url

                await pagina.click("nav >> text=Inzageverzoek")
                await pagina.fill("#inzageformulier input[name=bsn]", bsn)
                await pagina.click("#inzageformulier button[type=submit]")
                await pagina.wait_for_selector("#brief")
                brief = await pagina.inner_text("#brief")
                assert "uw verzoek om inzage (artikel 15 AVG)" in brief and "casus registreren" in brief
                assert bsn not in brief and bsn[-3:] in brief

                await pagina.emulate_media(media="print")
                assert not await pagina.is_visible("header.kop")  # the print CSS leaves only the letter
                assert await pagina.is_visible("#brief")
                png = await pagina.screenshot(full_page=True)
                pdf = await pagina.pdf(format="A4")
                assert png[:8] == b"\x89PNG\r\n\x1a\n" and pdf[:5] == b"%PDF-" and len(pdf) > 5_000
            finally:
                await browser.close()

    assert verzoeken, "de browser deed geen enkel verzoek"
    extern = [u for u in verzoeken if not u.startswith(f"{server.url}/")]
    assert extern == [], f"verzoeken buiten {server.url}: {extern}"
    geladen = {u.removeprefix(server.url) for u in verzoeken}
    assert {"/console/static/console.css", "/console/static/console.js"} <= geladen
    assert not [m for m in meldingen if "Content Security Policy" in m or m.startswith("error")], meldingen


@contextmanager
def _nep_idp() -> Iterator[NepIdp]:
    poort = vrije_poort()
    idp = NepIdp(f"http://127.0.0.1:{poort}")
    server = uvicorn.Server(uvicorn.Config(idp.app(), host="127.0.0.1", port=poort, log_level="warning"))
    draad = threading.Thread(target=server.run, daemon=True)
    draad.start()
    grens = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < grens and draad.is_alive(), "de nep-IdP startte niet"
        time.sleep(0.05)
    try:
        yield idp
    finally:
        server.should_exit = True
        draad.join(timeout=10)


@contextmanager
def _server_met_idp(werkmap: Path, omgeving: dict[str, str]) -> Iterator[str]:
    """``regiekamer serve`` buiten demo: tokens van de IdP, console op http://localhost (een andere site dan de IdP)."""
    poort = vrije_poort()
    log = werkmap / "server.log"
    with log.open("wb") as uit:
        proces = subprocess.Popen(
            [str(REGIEKAMER), "serve", "--port", str(poort)], cwd=werkmap, env=omgeving,
            stdin=subprocess.DEVNULL, stdout=uit, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    url = f"http://localhost:{poort}"
    try:
        grens = time.monotonic() + 180
        while True:
            assert proces.poll() is None, log.read_text()
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < grens, log.read_text()
            time.sleep(0.25)
        yield url
    finally:
        if proces.poll() is None:
            os.killpg(proces.pid, signal.SIGTERM)
            proces.wait(timeout=30)


async def test_oidc_login_in_de_browser_ondanks_samesite_strict_cookie(db_url: str, tmp_path: Path):
    """De IdP stuurt cross-site terug; pas het doorsturen binnen de eigen origin brengt het Strict-cookie mee."""
    with _nep_idp() as idp:
        omgeving = schone_omgeving(
            DATABASE_URL=db_url,
            REGIEKAMER_JWT_PUBLIC_KEY=idp.public_key_pem,
            REGIEKAMER_PSEUDONIEM_SLEUTEL="browsertest-pseudoniemsleutel-van-minstens-32-bytes",
            REGIEKAMER_CONSOLE_OIDC_ISSUER=idp.url,
            REGIEKAMER_CONSOLE_OIDC_CLIENT_ID=CLIENT_ID,
        )
        with _server_met_idp(tmp_path, omgeving) as url:
            async with playwright_api.async_playwright() as pw:
                browser = await pw.chromium.launch(executable_path=str(CHROMIUM), headless=True)
                try:
                    pagina = await browser.new_page()
                    pagina.set_default_timeout(15_000)
                    await pagina.goto(f"{url}/console/inloggen")
                    await pagina.click("#oidc")
                    await pagina.click("#toestemming")  # at the IdP: from here on the navigation is cross-site
                    await pagina.wait_for_url("**/console/auditlog")
                    assert "privacy officer · Nijmegen" in await pagina.inner_text("header")
                    cookies = await pagina.context.cookies(f"{url}/console/auditlog")
                    sessie = next(c for c in cookies if c["name"] == "regiekamer_console")
                    assert sessie["sameSite"] == "Strict" and sessie["httpOnly"] and sessie["secure"]
                finally:
                    await browser.close()
    assert idp.uitwisselingen and idp.uitwisselingen[-1]["code_verifier"]
