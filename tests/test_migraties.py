"""Migraties gaan omhoog en omlaag op beide databases, en het resultaat past bij het model."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa

from domein.opslag.migraties import migreer, migreer_omlaag
from domein.opslag.tabellen import metadata

BRON = Path(__file__).resolve().parent.parent


async def _tabellen(engine) -> set[str]:
    async with engine.connect() as conn:
        return set(await conn.run_sync(lambda c: sa.inspect(c).get_table_names()))


async def test_migraties_omlaag_en_weer_omhoog(db_url, engine):
    assert set(metadata.tables) <= await _tabellen(engine)
    await engine.dispose()
    await migreer_omlaag(db_url)
    assert not (set(metadata.tables) & await _tabellen(engine))
    await engine.dispose()
    await migreer(db_url)
    assert set(metadata.tables) <= await _tabellen(engine)
    async with engine.connect() as conn:
        assert await conn.scalar(sa.text("SELECT count(*) FROM gemeente")) == 7


async def test_migratie_maakt_de_kolommen_van_het_model(engine):
    async with engine.connect() as conn:
        for naam, tabel in metadata.tables.items():
            kolommen = await conn.run_sync(lambda c, n=naam: {k["name"] for k in sa.inspect(c).get_columns(n)})
            assert kolommen == {k.name for k in tabel.columns}, naam


async def test_migratie_0004_neemt_pseudoniemen_van_bestaande_auditregels_over_en_houdt_ze_onveranderlijk(
    db_url, engine, api
):
    from domein import audit
    from domein.opslag.tabellen import auditbetrokkene
    from tests.hulp import NIJMEGEN, registreer_casus

    await registreer_casus(api, NIJMEGEN)
    async with engine.connect() as conn:
        voor = sorted(map(tuple, (await conn.execute(sa.select(auditbetrokkene))).all()))
    assert voor
    await engine.dispose()
    await migreer_omlaag(db_url, "0003")
    await engine.dispose()
    await migreer(db_url)
    async with engine.connect() as conn:
        assert sorted(map(tuple, (await conn.execute(sa.select(auditbetrokkene))).all())) == voor
        assert (await audit.verifieer(conn)).intact
    for sql in ("UPDATE auditbetrokkene SET pseudoniem = 'x'", "DELETE FROM auditbetrokkene"):
        try:
            async with engine.begin() as conn:
                await conn.execute(sa.text(sql))
        except sa.exc.DBAPIError:
            continue
        raise AssertionError(f"{sql} had geweigerd moeten worden")


def test_alembic_check_vindt_geen_verschil_tussen_model_en_migraties(db_url):
    # The command a developer runs from the source tree: alembic.ini + migrations/env.py take DATABASE_URL.
    omgeving = {k: v for k, v in os.environ.items() if not k.startswith("REGIEKAMER_")} | {"DATABASE_URL": db_url}
    uitslag = subprocess.run(
        [str(Path(sys.executable).parent / "alembic"), "check"],
        cwd=BRON,
        env=omgeving,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert uitslag.returncode == 0, uitslag.stdout + uitslag.stderr
    assert "No new upgrade operations detected" in uitslag.stdout + uitslag.stderr


async def test_migratie_0005_houdt_auditketen_en_alleen_toevoegen_van_auditregel_intact(db_url, engine, api):
    from domein import audit
    from tests.hulp import NIJMEGEN, registreer_casus

    for _ in range(2):
        await registreer_casus(api, NIJMEGEN)
    async with engine.connect() as conn:
        voor = (await conn.execute(sa.text("SELECT volgnummer, hash FROM auditregel ORDER BY volgnummer"))).all()
    await engine.dispose()
    await migreer_omlaag(db_url, "0004")
    await engine.dispose()
    await migreer(db_url)
    async with engine.connect() as conn:
        na = (await conn.execute(sa.text("SELECT volgnummer, hash FROM auditregel ORDER BY volgnummer"))).all()
        assert na == voor and len(na) == 4
        assert (await audit.verifieer(conn)).intact
    await registreer_casus(api, NIJMEGEN)  # the chain goes on after the rebuild
    async with engine.connect() as conn:
        assert (await audit.verifieer(conn)).intact
    for sql in ("UPDATE auditregel SET doel = 'x'", "DELETE FROM auditregel"):
        try:
            async with engine.begin() as conn:
                await conn.execute(sa.text(sql))
        except sa.exc.DBAPIError:
            continue
        raise AssertionError(f"{sql} had geweigerd moeten worden")


def test_migraties_vormen_een_lijn_met_een_kop():
    # Two branches that each add a migration on the same predecessor give two heads; upgrade to "head"
    # then refuses. Chain the later one onto the other (its down_revision) when merging.
    from alembic.script import ScriptDirectory

    from domein.opslag.migraties import alembic_config

    scripts = ScriptDirectory.from_config(alembic_config("sqlite+aiosqlite://"))
    assert len(scripts.get_heads()) == 1, f"meer dan één kop: {scripts.get_heads()}"
    assert len(scripts.get_bases()) == 1, f"meer dan één begin: {scripts.get_bases()}"
