"""De werkeenheid (toegang.md regel 7): werk en audit samen, of geen van beide; weigeringen altijd vastgelegd."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from domein import audit
from domein import werkeenheid as we
from domein.audit import AuditRegel, Operatie, Systeemtaak, Uitkomst
from domein.fouten import OngeldigeInvoer
from domein.opslag.tabellen import aanbieder, auditregel


def _regel(uitkomst: Uitkomst) -> AuditRegel:
    return AuditRegel(
        Systeemtaak("test"), "beheer", "aanbieder registreren", Operatie.REGISTREREN, "aanbieder", "a1", "ROB", uitkomst
    )


async def _aanbieder(conn: sa.ext.asyncio.AsyncConnection) -> None:
    await conn.execute(
        aanbieder.insert().values(id="a1", naam="A", kvk="93000001", agb="97000001", aangemaakt_op=datetime.now(UTC))
    )


async def _tel(engine, tabel: sa.Table) -> int:
    async with engine.connect() as conn:
        return int(await conn.scalar(sa.select(sa.func.count()).select_from(tabel)) or 0)


async def test_geslaagd_werk_wordt_met_zijn_audit_vastgelegd(engine):
    async with we.werkeenheid(engine) as e:
        await _aanbieder(e.conn)
        e.audit.voeg_toe(_regel(Uitkomst.GESLAAGD))
    assert (await _tel(engine, aanbieder), await _tel(engine, auditregel)) == (1, 1)


async def test_een_weigering_draait_het_werk_terug_en_legt_alleen_de_weigering_vast(engine):
    with pytest.raises(OngeldigeInvoer):
        async with we.werkeenheid(engine) as e:
            await _aanbieder(e.conn)
            e.audit.voeg_toe(_regel(Uitkomst.GESLAAGD))
            e.audit.voeg_toe(_regel(Uitkomst.GEWEIGERD))
            raise OngeldigeInvoer("fout", veld="x")
    assert await _tel(engine, aanbieder) == 0
    async with engine.connect() as conn:
        assert list((await conn.execute(sa.select(auditregel.c.uitkomst))).scalars()) == ["geweigerd"]
        assert (await audit.verifieer(conn)).intact


async def test_als_de_audit_niet_geschreven_kan_worden_gebeurt_het_werk_niet(engine, monkeypatch):
    async def kapot(*_args, **_kw):
        raise RuntimeError("auditlog onbereikbaar")

    monkeypatch.setattr(we.audit, "schrijf", kapot)
    with pytest.raises(RuntimeError):
        async with we.werkeenheid(engine) as e:
            await _aanbieder(e.conn)
            e.audit.voeg_toe(_regel(Uitkomst.GESLAAGD))
    assert (await _tel(engine, aanbieder), await _tel(engine, auditregel)) == (0, 0)


async def test_onverwachte_fout_draait_alles_terug_zonder_audit(engine):
    with pytest.raises(KeyError):
        async with we.werkeenheid(engine) as e:
            await _aanbieder(e.conn)
            e.audit.voeg_toe(_regel(Uitkomst.GEWEIGERD))
            raise KeyError("stuk")
    assert (await _tel(engine, aanbieder), await _tel(engine, auditregel)) == (0, 0)
