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
