"""De opdrachtregel van contract.md: token, serve zonder sleutel, migrate en audit verify."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa

from api.sleutels import DemoSleutel
from tests.hulp import NIJMEGEN, registreer_casus
from tests.hulp_server import (
    controleer_demo_antwoord,
    controleer_schone_uitvoer,
    draaiende_server,
    regiekamer_token,
    schone_omgeving,
)

REGIEKAMER = Path(sys.executable).parent / "regiekamer"


def _draai(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    omgeving = {k: v for k, v in os.environ.items() if not k.startswith("REGIEKAMER_") and k != "DATABASE_URL"}
    return subprocess.run(
        [str(REGIEKAMER), *args], cwd=cwd, env=omgeving | env, capture_output=True, text=True, timeout=120, check=False
    )


def test_token_weigert_zonder_ontwikkelsleutel(tmp_path):
    uitslag = _draai("token", "--rol", "consulent", "--gemeente", "0268", cwd=tmp_path)
    assert uitslag.returncode != 0 and "geen ontwikkelsleutel" in uitslag.stderr


def test_token_met_demosleutel_is_geldig_en_weigert_rol_zonder_gemeente(tmp_path):
    sleutel = DemoSleutel.maak(tmp_path / ".regiekamer")
    uitslag = _draai("token", "--rol", "consulent", "--gemeente", "0268", cwd=tmp_path)
    assert uitslag.returncode == 0, uitslag.stderr
    from api.auth import TokenVerifier

    actor = TokenVerifier(public_key_pem=sleutel.public_key_pem).verify(uitslag.stdout.strip())
    assert actor.gemeente == "0268"
    fout = _draai("token", "--rol", "consulent", cwd=tmp_path)
    assert fout.returncode != 0 and "gemeente" in fout.stderr


def test_server_weigert_te_starten_zonder_verificatiesleutel(tmp_path):
    uitslag = _draai("serve", cwd=tmp_path)
    assert uitslag.returncode == 2
    assert "REGIEKAMER_JWKS_URL" in uitslag.stderr and "REGIEKAMER_JWT_PUBLIC_KEY" in uitslag.stderr


async def test_audit_verify_meldt_intact_en_dan_de_eerste_breuk(api, db_url, tmp_path):
    for _ in range(3):
        await registreer_casus(api, NIJMEGEN)
    goed = _draai("audit", "verify", cwd=tmp_path, DATABASE_URL=db_url)
    assert goed.returncode == 0 and "intact: 6 regels" in goed.stdout, goed.stdout + goed.stderr
    async with api.engine.begin() as conn:
        if api.engine.dialect.name == "postgresql":
            await conn.execute(sa.text("ALTER TABLE auditregel DISABLE TRIGGER USER"))
        else:
            await conn.execute(sa.text("DROP TRIGGER auditregel_geen_update"))
        await conn.execute(sa.text("UPDATE auditregel SET doel = 'iets anders' WHERE volgnummer = 4"))
    fout = _draai("audit", "verify", cwd=tmp_path, DATABASE_URL=db_url)
    assert fout.returncode == 1 and "regel 4" in fout.stdout, fout.stdout + fout.stderr


def test_migrate_maakt_een_lege_sqlite_database_klaar(tmp_path):
    uitslag = _draai("migrate", cwd=tmp_path)
    assert uitslag.returncode == 0, uitslag.stderr
    assert (tmp_path / "regiekamer.db").exists()


def test_server_met_onbruikbare_sleutel_geeft_nette_melding(tmp_path):
    uitslag = _draai("serve", cwd=tmp_path, REGIEKAMER_JWT_PUBLIC_KEY="geen pem")
    assert uitslag.returncode == 2 and "Traceback" not in uitslag.stderr and uitslag.stderr.strip()


def test_serve_demo_start_en_stopt_zonder_traceback_of_event_loop_fout(db_url, tmp_path):
    # On PostgreSQL one engine used over three asyncio.run calls printed "Event loop is closed" at start.
    werkmap = tmp_path / "werk"
    werkmap.mkdir()
    omgeving = schone_omgeving(DATABASE_URL=db_url, REGIEKAMER_DATA_MAP=str(tmp_path / "data"))
    with draaiende_server(REGIEKAMER, werkmap, omgeving) as server:
        controleer_demo_antwoord(server, regiekamer_token(REGIEKAMER, werkmap, omgeving))
    controleer_schone_uitvoer(server)
    assert "Demogegevens geladen." in server.uitvoer
