"""Testhulp: ``regiekamer serve`` als echt proces starten, wachten op /health, netjes stoppen.

Used by the CLI tests (the development install) and the wheel tests (an installed wheel in a fresh
venv). Every wait has a deadline; on any failure the server is killed and its output printed, so a
hanging or crashing start-up shows why instead of hanging the suite.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

START_TIJD = 180.0  # migrations + demo data on a busy 2-core machine
STOP_TIJD = 30.0
# A warning raised in our own code (the installed packages), e.g. a deprecation on a newer Python.
EIGEN_WAARSCHUWING = re.compile(r"[/\\](api|domein|beleid|migrations)[/\\][^\s:]+\.py:\d+: \w*Warning")


def vrije_poort() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def schone_omgeving(**extra: str) -> dict[str, str]:
    """De omgeving van een gebruiker: geen instellingen of paden van de testrun zelf."""
    weg = ("DATABASE_URL", "VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP")
    basis = {k: v for k, v in os.environ.items() if not k.startswith("REGIEKAMER_") and k not in weg}
    return basis | {"PYTHONWARNINGS": "default::DeprecationWarning"} | extra


class Server:
    def __init__(self, proces: subprocess.Popen[bytes], poort: int, logbestand: Path) -> None:
        self.proces = proces
        self.poort = poort
        self.url = f"http://127.0.0.1:{poort}"
        self.logbestand = logbestand
        self.returncode: int | None = None

    @property
    def uitvoer(self) -> str:
        return self.logbestand.read_text(encoding="utf-8", errors="replace")

    def graphql(self, token: str, query: str) -> dict[str, Any]:
        antwoord = httpx.post(
            f"{self.url}/graphql",
            json={"query": query},
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        )
        assert antwoord.status_code == 200, antwoord.text
        return dict(antwoord.json())

    def wacht_op_health(self) -> None:
        grens = time.monotonic() + START_TIJD
        laatste = "nog geen antwoord"
        while time.monotonic() < grens:
            if self.proces.poll() is not None:
                raise AssertionError(f"server stopte tijdens het starten met code {self.proces.returncode}")
            try:
                antwoord = httpx.get(f"{self.url}/health", timeout=5)
                if antwoord.status_code == 200:
                    return
                laatste = f"HTTP {antwoord.status_code}: {antwoord.text[:200]}"
            except httpx.HTTPError as e:
                laatste = type(e).__name__
            time.sleep(0.25)
        raise AssertionError(f"/health gaf binnen {START_TIJD:.0f} s geen 200 ({laatste})")

    def stop(self) -> int:
        """SIGTERM (zoals een procesbeheerder stopt) en wachten; lukt dat niet, dan SIGKILL."""
        if self.proces.poll() is None:
            self.proces.send_signal(signal.SIGTERM)
            try:
                self.proces.wait(timeout=STOP_TIJD)
            except subprocess.TimeoutExpired:
                self.doden()
                raise AssertionError(f"server stopte niet binnen {STOP_TIJD:.0f} s na SIGTERM") from None
        self.returncode = self.proces.returncode
        return self.returncode

    def doden(self) -> None:
        if self.proces.poll() is None:
            os.killpg(self.proces.pid, signal.SIGKILL)
            self.proces.wait(timeout=STOP_TIJD)


@contextmanager
def draaiende_server(regiekamer: Path, werkmap: Path, omgeving: dict[str, str], *extra: str) -> Iterator[Server]:
    """Start ``regiekamer serve --demo [extra]`` in ``werkmap`` en wacht tot /health 200 geeft.

    Na het blok is de server gestopt; ``server.returncode`` en ``server.uitvoer`` (stdout en stderr)
    zijn dan te controleren.
    """
    poort = vrije_poort()
    logbestand = werkmap.parent / f"server-{poort}.log"
    with logbestand.open("wb") as log:
        proces = subprocess.Popen(
            [str(regiekamer), "serve", "--demo", "--port", str(poort), *extra],
            cwd=werkmap,
            env=omgeving,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: a kill reaches everything it started
        )
    server = Server(proces, poort, logbestand)
    try:
        server.wacht_op_health()
        yield server
        server.stop()
    except BaseException:
        server.doden()
        print(f"--- uitvoer van regiekamer serve (poort {poort}) ---\n{server.uitvoer}\n--- einde ---")
        raise


def controleer_schone_uitvoer(server: Server) -> None:
    """Netjes gestopt, zonder traceback, 'Event loop is closed' of waarschuwing uit eigen code."""
    uitvoer = server.uitvoer
    # uvicorn shuts down gracefully and then re-raises the signal it caught, so a parent sees SIGTERM.
    assert server.returncode in (0, -signal.SIGTERM), uitvoer
    assert "Traceback" not in uitvoer, uitvoer
    assert "Event loop is closed" not in uitvoer, uitvoer
    assert not EIGEN_WAARSCHUWING.search(uitvoer), uitvoer
    assert "Application shutdown complete" in uitvoer, uitvoer


def regiekamer_token(regiekamer: Path, werkmap: Path, omgeving: dict[str, str]) -> str:
    uitslag = subprocess.run(
        [str(regiekamer), "token", "--rol", "consulent", "--gemeente", "0268"],
        cwd=werkmap,
        env=omgeving,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert uitslag.returncode == 0, uitslag.stdout + uitslag.stderr
    return uitslag.stdout.strip()


DEMO_QUERY = (
    "{ casussen(first: 5) { totalCount edges { node { inwoner { naam } } } } signalen(first: 5) { totalCount } }"
)


def controleer_demo_antwoord(server: Server, token: str) -> None:
    """Een consulent van Nijmegen ziet de demogegevens (casussen en signalen, dus ook de routes)."""
    antwoord = server.graphql(token, DEMO_QUERY)
    assert not antwoord.get("errors"), antwoord
    casussen = antwoord["data"]["casussen"]
    assert casussen["totalCount"] > 0 and casussen["edges"][0]["node"]["inwoner"]["naam"], antwoord
    assert antwoord["data"]["signalen"]["totalCount"] > 0, antwoord
