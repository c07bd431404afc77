"""Schermafdrukken van de privacyconsole, voor docs/console.md: ``python -m bench.console_schermafdrukken``.

Starts ``regiekamer serve --demo`` on SQLite in a temporary folder, drives the Debian chromium through
Playwright (no browser download) and writes one PNG per page to docs/schermafdrukken/.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from playwright.sync_api import Page, sync_playwright

from domein.demo import fictieve_bsns

BRON = Path(__file__).resolve().parent.parent
REGIEKAMER = Path(sys.executable).parent / "regiekamer"


def _vrije_poort() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wacht(url: str, proces: subprocess.Popen[bytes]) -> None:
    grens = time.monotonic() + 120
    while time.monotonic() < grens:
        if proces.poll() is not None:
            raise SystemExit(f"regiekamer serve stopte met code {proces.returncode}")
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    raise SystemExit("regiekamer serve gaf binnen 120 s geen /health")


def _token(werkmap: Path, omgeving: dict[str, str], rol: str, gemeente: str) -> str:
    argv = [str(REGIEKAMER), "token", "--rol", rol, "--gemeente", gemeente]
    uit = subprocess.run(argv, cwd=werkmap, env=omgeving, capture_output=True, text=True, check=True, timeout=60)  # noqa: S603
    return uit.stdout.strip()


def _log_in(pagina: Page, url: str, token: str) -> None:
    pagina.goto(f"{url}/console/inloggen")
    pagina.fill("#token", token)
    pagina.click("form[action='/console/inloggen'] button[type=submit]")
    pagina.wait_for_load_state()


def maak(uitmap: Path, chromium: str) -> list[Path]:
    uitmap.mkdir(parents=True, exist_ok=True)
    werkmap = Path(tempfile.mkdtemp(prefix="console-schermen-"))
    omgeving = {k: v for k, v in os.environ.items() if not k.startswith("REGIEKAMER_") and k != "DATABASE_URL"}
    poort = _vrije_poort()
    url = f"http://127.0.0.1:{poort}"
    argv = [str(REGIEKAMER), "serve", "--demo", "--port", str(poort)]
    proces = subprocess.Popen(argv, cwd=werkmap, env=omgeving, stdout=subprocess.DEVNULL,  # noqa: S603
                              stderr=subprocess.DEVNULL, start_new_session=True)  # fmt: skip
    gemaakt: list[Path] = []
    try:
        _wacht(url, proces)
        bsn = next(fictieve_bsns())
        privacy = _token(werkmap, omgeving, "privacy_officer", "0268")
        consulent = _token(werkmap, omgeving, "consulent", "0268")
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium, headless=True, args=["--lang=nl-NL"])
            pagina = browser.new_page(
                viewport={"width": 1280, "height": 860}, locale="nl-NL", timezone_id="Europe/Amsterdam"
            )

            def foto(naam: str, volledig: bool = False) -> None:
                pad = uitmap / f"{naam}.png"
                pagina.screenshot(path=str(pad), full_page=volledig)
                gemaakt.append(pad)

            pagina.goto(f"{url}/console/inloggen")
            foto("01-inloggen")
            _log_in(pagina, url, privacy)
            foto("02-auditlog")
            pagina.fill("#filter input[name=bsn]", bsn)
            pagina.click("#filter button[type=submit]")
            pagina.wait_for_selector("#auditregels")
            foto("03-auditlog-gefilterd-op-bsn")
            pagina.goto(f"{url}/console/inzage")
            pagina.fill("#inzageformulier input[name=bsn]", bsn)
            pagina.click("#inzageformulier button[type=submit]")
            pagina.wait_for_selector("#brief")
            foto("04-inzagebrief", volledig=True)
            pagina.emulate_media(media="print")
            foto("05-inzagebrief-afdruk", volledig=True)
            pagina.emulate_media(media="screen")
            pagina.goto(f"{url}/console/datalekken")
            foto("06-datalekken")
            pagina.click("header form button")  # uitloggen
            _log_in(pagina, url, consulent)
            pagina.goto(f"{url}/console/auditlog")
            foto("07-weigering-voor-een-consulent")
            browser.close()
    finally:
        if proces.poll() is None:
            os.killpg(proces.pid, signal.SIGTERM)
            proces.wait(timeout=30)
        shutil.rmtree(werkmap, ignore_errors=True)
    return gemaakt


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--uit", type=Path, default=BRON / "docs" / "schermafdrukken")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    for pad in maak(args.uit, args.chromium):
        print(pad)


if __name__ == "__main__":
    main()
