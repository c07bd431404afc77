"""Het gebouwde wiel werkt zoals een gebruiker het installeert: verse venv, niet editable, buiten de broncode.

The wheel is built once per session from a copy of the source tree (so no build/ or egg-info is
left in the tree), then installed with its dependencies from the package index into one fresh
venv per Python version (3.11 always; 3.12 and 3.13 where the machine has them, else skipped with
the reason). From an empty directory that is not the source tree, ``regiekamer serve --demo`` runs
with its own data directory on SQLite and on a fresh PostgreSQL database.
REGIEKAMER_TEST_PYTHONS=3.11 limits a local run to one interpreter.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
import sys
import uuid
import zipfile
from pathlib import Path

import pytest
from packaging.specifiers import SpecifierSet

from tests.conftest import DATABASES, _pg_beheer, _pg_url
from tests.hulp_server import (
    controleer_demo_antwoord,
    controleer_schone_uitvoer,
    draaiende_server,
    regiekamer_token,
    schone_omgeving,
)

BRON = Path(__file__).resolve().parent.parent
PAKKETTEN = ("api", "domein", "beleid", "migrations")
ONDERSTEUND = ("3.11", "3.12", "3.13")  # requires-python in pyproject.toml
VERPLICHT = "3.11"
PYTHONS = [v.strip() for v in os.environ.get("REGIEKAMER_TEST_PYTHONS", ",".join(ONDERSTEUND)).split(",") if v]
NIET_MEE = shutil.ignore_patterns(
    ".git", ".venv*", "build", "dist", "*.egg-info", "__pycache__", "*.pyc", ".*_cache", ".hypothesis",
    ".regiekamer", "*.db", "*.db-*",
)  # fmt: skip


def _draai(*args: str | Path, timeout: float, **kwargs) -> subprocess.CompletedProcess[str]:
    uitslag = subprocess.run(
        [str(a) for a in args], capture_output=True, text=True, timeout=timeout, check=False, **kwargs
    )
    assert uitslag.returncode == 0, f"{args}:\n{uitslag.stdout}\n{uitslag.stderr}"
    return uitslag


def vind_python(versie: str) -> str | None:
    """Een werkende interpreter van ``versie`` met venv en ensurepip, of None.

    A pyenv shim exists for every installed version but fails when that version is not selected,
    so candidates are run, not just found.
    """
    kandidaten = [sys.executable] if f"{sys.version_info[0]}.{sys.version_info[1]}" == versie else []
    kandidaten.append(shutil.which(f"python{versie}"))
    pyenv = os.environ.get("PYENV_ROOT") or str(Path.home() / ".pyenv")
    kandidaten += sorted(glob.glob(f"{pyenv}/versions/{versie}.*/bin/python{versie}"), reverse=True)
    kandidaten += [f"/usr/bin/python{versie}", f"/usr/local/bin/python{versie}"]
    for kandidaat in filter(None, kandidaten):
        try:
            uitslag = subprocess.run(
                [kandidaat, "-c", "import sys, venv, ensurepip; print('%d.%d' % sys.version_info[:2])"],
                capture_output=True,
                text=True,
                timeout=30,
                check=False,
            )
        except OSError:
            continue
        if uitslag.returncode == 0 and uitslag.stdout.strip() == versie:
            return kandidaat
    return None


@pytest.fixture(scope="session")
def wiel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Het wiel, gebouwd zoals ``pip wheel .`` dat doet (met build-isolatie, niets extra's nodig)."""
    bron = tmp_path_factory.mktemp("bron") / "regiekamer"
    shutil.copytree(BRON, bron, ignore=NIET_MEE)
    uit = tmp_path_factory.mktemp("wiel")
    _draai(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", uit, bron, timeout=600)
    wielen = list(uit.glob("regiekamer-*.whl"))
    assert len(wielen) == 1, wielen
    return wielen[0]


@pytest.fixture(scope="session", params=PYTHONS, ids=lambda v: f"py{v}")
def installatie(request: pytest.FixtureRequest, wiel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """De bin-map van een verse venv met het wiel geïnstalleerd (afhankelijkheden uit de package-index)."""
    versie = request.param
    python = vind_python(versie)
    if python is None:
        if versie == VERPLICHT:
            pytest.fail(f"Python {versie} is niet gevonden, maar de wieltest moet er altijd op draaien")
        pytest.skip(f"Python {versie} staat niet op deze machine (geen werkende python{versie} met venv)")
    venv = tmp_path_factory.mktemp(f"venv-{versie}")
    _draai(python, "-m", "venv", venv, timeout=300)
    _draai(venv / "bin" / "python", "-m", "pip", "install", "-q", wiel, timeout=900, env=schone_omgeving())
    return venv / "bin"


@pytest.fixture
def werkmap(tmp_path: Path) -> Path:
    """Een lege map die niet de broncode is: daar draait de gebruiker zijn commando's."""
    werk = tmp_path / "werk"
    werk.mkdir()
    assert BRON not in werk.parents
    return werk


def test_wiel_bevat_elk_pakket_en_elk_bestand_dat_de_code_leest_en_geen_tests(wiel):
    namen = set(zipfile.ZipFile(wiel).namelist())
    for pakket in PAKKETTEN:
        for pad in (BRON / pakket).rglob("*"):
            if pad.is_dir() or "__pycache__" in pad.parts or pad.suffix == ".pyc":
                continue
            naam = pad.relative_to(BRON).as_posix()
            assert naam in namen, f"{naam} ontbreekt in het wiel"
    assert "domein/opslag/__init__.py" in namen and "domein/routes/rob-signaal.toml" in namen
    assert not [n for n in namen if n.startswith(("tests/", "bench/"))]


def test_wiel_vraagt_python_3_11_tot_en_met_3_13(wiel):
    archief = zipfile.ZipFile(wiel)
    metadata = archief.read(next(n for n in archief.namelist() if n.endswith(".dist-info/METADATA"))).decode()
    vereist = SpecifierSet(re.search(r"^Requires-Python: (.+)$", metadata, re.M)[1])  # type: ignore[index]
    for versie in ONDERSTEUND:
        assert f"{versie}.0" in vereist, vereist
        assert f"Programming Language :: Python :: {versie}" in metadata
    assert "3.10.0" not in vereist and "3.14.0" not in vereist  # 3.14: not tested yet


def test_geinstalleerd_wiel_laadt_uit_de_venv_en_toont_hulp(installatie, werkmap):
    python = installatie / "python"
    omgeving = schone_omgeving()
    pad = _draai(python, "-c", "import api, domein.opslag; print(api.__file__)", cwd=werkmap, env=omgeving, timeout=60)
    assert Path(pad.stdout.strip()).is_relative_to(installatie.parent), pad.stdout
    hulp = _draai(installatie / "regiekamer", "--help", cwd=werkmap, env=omgeving, timeout=60)
    for opdracht in ("serve", "token", "migrate", "audit", "bewaartermijn", "schema"):
        assert opdracht in hulp.stdout
    _draai(installatie / "regiekamer", "serve", "--help", cwd=werkmap, env=omgeving, timeout=60)
    # The version comes from the installed wheel's metadata (docs/beheer.md: /version and --version).
    versie = re.search(r'^version = "(.+)"$', (BRON / "pyproject.toml").read_text(encoding="utf-8"), re.M)[1]  # type: ignore[index]
    uitvoer = _draai(installatie / "regiekamer", "--version", cwd=werkmap, env=omgeving, timeout=60).stdout
    assert uitvoer.startswith(f"regiekamer {versie} (migratie "), uitvoer


def test_geinstalleerd_wiel_serveert_demo_op_sqlite_met_eigen_datamap(installatie, werkmap, tmp_path):
    data = tmp_path / "data"
    omgeving = schone_omgeving(
        DATABASE_URL=f"sqlite+aiosqlite:///{data / 'regiekamer.db'}", REGIEKAMER_DATA_MAP=str(data / "sleutels")
    )
    data.mkdir()
    regiekamer = installatie / "regiekamer"
    with draaiende_server(regiekamer, werkmap, omgeving) as server:
        controleer_demo_antwoord(server, regiekamer_token(regiekamer, werkmap, omgeving))
    controleer_schone_uitvoer(server)
    assert (data / "regiekamer.db").exists() and (data / "sleutels").is_dir()
    assert not list(werkmap.iterdir()), "de server schreef in de werkmap in plaats van in zijn datamap"


@pytest.mark.skipif("postgresql" not in DATABASES, reason="REGIEKAMER_TEST_DATABASES zonder postgresql")
async def test_geinstalleerd_wiel_serveert_demo_op_een_verse_postgresql_database(installatie, werkmap, tmp_path):
    naam = f"regiekamer_wiel_{uuid.uuid4().hex[:12]}"
    await _pg_beheer(f'CREATE DATABASE "{naam}"')
    try:
        omgeving = schone_omgeving(DATABASE_URL=_pg_url(naam), REGIEKAMER_DATA_MAP=str(tmp_path / "data"))
        regiekamer = installatie / "regiekamer"
        with draaiende_server(regiekamer, werkmap, omgeving) as server:
            controleer_demo_antwoord(server, regiekamer_token(regiekamer, werkmap, omgeving))
        controleer_schone_uitvoer(server)
    finally:
        await _pg_beheer(f'DROP DATABASE IF EXISTS "{naam}" WITH (FORCE)')


def test_ci_draait_precies_het_testcommando_uit_de_readme():
    blokken = re.findall(r"```sh\n(.*?)\n```", (BRON / "README.md").read_text(encoding="utf-8"), re.S)
    starten, testen = blokken[0].strip(), blokken[1].strip()
    assert "pip install -q ." in starten and starten.endswith("regiekamer serve --demo")
    regels = [r.strip() for r in (BRON / ".ci" / "run").read_text(encoding="utf-8").splitlines()]
    assert regels[-1] == testen, (regels[-1], testen)
