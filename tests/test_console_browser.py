"""De privacyconsole in een echte headless Chromium (Debian-pakket ``chromium``, bestuurd door Playwright).

A real ``regiekamer serve --demo`` runs on a free port (SQLite and PostgreSQL). The browser logs in as the
privacy officer of Nijmegen with a pasted development token, filters the audit log on a BSN, opens the
inzage letter and prints it (print media and a PDF). Every request the page makes is recorded: none may
leave the server's origin, and the browser reports no Content-Security-Policy violation.
Playwright never downloads a browser here: it drives /usr/bin/chromium. Without it the test is skipped.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from domein.demo import fictieve_bsns
from tests.hulp_server import draaiende_server, schone_omgeving

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
