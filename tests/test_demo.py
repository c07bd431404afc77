"""`regiekamer serve --demo`: demogegevens zoals contract.md ze belooft, op beide databases."""

from __future__ import annotations

import sqlalchemy as sa

from domein import audit, demo
from domein.opslag.tabellen import (
    aanbieder,
    bibob_onderzoek,
    casus,
    casus_persoonsgegevens,
    contract,
    datalek_melding,
    melding,
    signaal,
)
from domein.waarden import MeldingStatus, controleer_bsn


async def test_demo_vult_alles_wat_het_contract_belooft_en_alleen_een_keer(engine, beslisser, pseudonimiseerder):
    assert await demo.vul(engine, beslisser, pseudonimiseerder)
    assert not await demo.vul(engine, beslisser, pseudonimiseerder)  # a filled database is left alone
    async with engine.connect() as conn:

        async def tel(query: sa.Select) -> int:
            return int(await conn.scalar(query) or 0)

        assert await tel(sa.select(sa.func.count()).select_from(aanbieder)) >= 3
        soorten = set((await conn.execute(sa.select(contract.c.soort).distinct())).scalars())
        assert {"raamcontract", "deelcontract", "maatwerk"} <= soorten
        assert len(set((await conn.execute(sa.select(casus.c.gemeente_code).distinct())).scalars())) >= 2
        assert len(set((await conn.execute(sa.select(signaal.c.gemeente_code).distinct())).scalars())) >= 2
        statussen = set((await conn.execute(sa.select(melding.c.status).distinct())).scalars())
        assert statussen == {s.value for s in MeldingStatus}
        # straight to the RMZ (seed 003 §41.4): from a gemeente and from an inwoner; closed ones archived
        herkomsten = set(
            (await conn.execute(sa.select(melding.c.herkomst).where(melding.c.route == "rmz-intake"))).scalars()
        )
        assert herkomsten == {"gemeente", "inwoner"}
        gesloten = melding.c.status.in_(["AFGEROND", "NIET_IN_BEHANDELING"])
        assert (
            await tel(
                sa.select(sa.func.count()).select_from(melding).where(gesloten, melding.c.gearchiveerd_op.is_(None))
            )
            == 0
        )
        for bsn in (await conn.execute(sa.select(casus_persoonsgegevens.c.bsn))).scalars():
            assert controleer_bsn(bsn).startswith("99999")  # recognisably fictitious test range
        # the privacykantoor has something to show: a closed casus, a Bibob-onderzoek, a datalek
        assert await tel(sa.select(sa.func.count()).select_from(casus).where(casus.c.status == "gesloten")) == 1
        assert await tel(sa.select(sa.func.count()).select_from(bibob_onderzoek)) == 1
        assert await tel(sa.select(sa.func.count()).select_from(datalek_melding)) == 7
        assert (await audit.verifieer(conn)).intact


async def test_introspectie_staat_aan_in_demomodus(api, limieten):
    import httpx

    from api.app import maak_app
    from api.auth import TokenVerifier
    from api.limieten import Limieten
    from domein.audit import Pseudonimiseerder
    from tests.conftest import SLEUTEL

    app = maak_app(
        api.engine,
        TokenVerifier(public_key_pem=api.sleutel.public_key_pem),
        Pseudonimiseerder(SLEUTEL),
        Limieten(introspectie=True),
    )
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        r = await client.post(
            "/graphql",
            json={"query": "{ __schema { queryType { name } } }"},
            headers={"Authorization": f"Bearer {api.token('consulent', '0268')}"},
        )
    assert r.json()["data"]["__schema"]["queryType"]["name"] == "Query"
