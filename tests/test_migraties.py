"""Migraties gaan omhoog en omlaag op beide databases, en het resultaat past bij het model."""

from __future__ import annotations

import sqlalchemy as sa

from domein.opslag.migraties import migreer, migreer_omlaag
from domein.opslag.tabellen import metadata


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
