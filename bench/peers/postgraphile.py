"""PostGraphile 5 uit npm, in een cachemap onder bench/uitvoer, tegen dezelfde database (geen beleid, geen audit).

Node 20 lacks ``Promise.withResolvers`` (PostGraphile 5 wants Node >= 22): a three-line polyfill is
preloaded with ``node --require``. The amber preset exposes the whole public schema; the bench asks the
closest equivalent of Regiekamer's page, with aliases so the JSON has the same shape (only the node ids
differ: PostGraphile encodes ["Casus", id]).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

VERSIE = "^5"
POLYFILL = """if (typeof Promise.withResolvers !== "function") {
  Promise.withResolvers = function () {
    let resolve, reject;
    const promise = new Promise((res, rej) => { resolve = res; reject = rej; });
    return { promise, resolve, reject };
  };
}
"""
QUERY = """{ casussen: allCasuses(first: 50, condition: {gemeenteCode: "%s"},
  orderBy: [AANGEMAAKT_OP_ASC, ROW_ID_ASC]) { edges { node { id gemeente: gemeenteByGemeenteCode { naam }
  inwoner: casusPersoonsgegevenByCasusId { naam } } } } }"""


class NietBeschikbaar(Exception):
    """PostGraphile kan hier niet worden geïnstalleerd of gestart; de reden staat in het bericht."""


def installeer(map: Path) -> tuple[Path, str]:
    """Installeert postgraphile@^5 in ``map`` (eenmalig) en geeft het CLI-script en de versie terug."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        raise NietBeschikbaar("node of npm staat niet op het PATH")
    map.mkdir(parents=True, exist_ok=True)
    (map / "polyfill.cjs").write_text(POLYFILL)
    pakket = map / "node_modules" / "postgraphile" / "package.json"
    if not pakket.exists():
        if not (map / "package.json").exists():
            (map / "package.json").write_text(json.dumps({"name": "bench-postgraphile", "private": True}))
        uitkomst = subprocess.run(  # noqa: S603 - fixed arguments, our own cache directory
            [npm, "install", "--no-audit", "--no-fund", "--loglevel=error", f"postgraphile@{VERSIE}"],
            cwd=map,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if uitkomst.returncode != 0 or not pakket.exists():
            raise NietBeschikbaar(f"npm install postgraphile@{VERSIE} mislukte: {uitkomst.stderr.strip()[-500:]}")
    gegevens = json.loads(pakket.read_text())
    return map / "node_modules" / "postgraphile" / gegevens["bin"], gegevens["version"]


def start(map: Path, cli: Path, dsn: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    node = shutil.which("node")
    if node is None:
        raise NietBeschikbaar("node staat niet op het PATH")
    omgeving = {**os.environ, "NODE_ENV": "production", "GRAPHILE_ENV": "production"}
    with log.open("wb") as uit:
        return subprocess.Popen(  # noqa: S603 - fixed arguments
            [node, "--require", str(map / "polyfill.cjs"), str(cli), "-c", dsn.replace("+asyncpg", ""),
             "-s", "public", "-p", str(port), "-n", "127.0.0.1", "-P", "postgraphile/presets/amber"],
            cwd=map,
            stdout=uit,
            stderr=subprocess.STDOUT,
            env=omgeving,
        )  # fmt: skip
