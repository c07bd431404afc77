"""Lezen naast schrijvers: een leesverzoek wacht niet op een schrijver, en de audit van een leesverzoek
gaat niet verloren als een schrijver tussendoor schrijft (toegang.md regel 7, issue 11).

Counting, not timing: a request that would wait for the write lock runs into ``asyncio.wait_for``
(far below SQLite's busy timeout of 30 s), and the audit chain is counted and verified afterwards.
"""

from __future__ import annotations

import asyncio
import uuid

import pytest
import sqlalchemy as sa

from domein import audit
from domein.opslag.tabellen import auditregel
from tests.hulp import CASUSSEN, NIJMEGEN, REGISTREER_CASUS, casus_invoer, registreer_casus

GEDULD = 20.0  # seconds; a request blocked behind the writer would wait SQLite's 30 s busy timeout
GEMEENTEN = "{ gemeenten { code naam } }"
AANBIEDERS = "{ aanbieders(first: 5) { totalCount } }"


async def _houd_schrijftransactie(conn: sa.ext.asyncio.AsyncConnection) -> None:
    """Een andere verbinding met een open schrijvende transactie (SQLite: BEGIN IMMEDIATE, het schrijfslot)."""
    await conn.begin()
    await conn.execute(sa.text("UPDATE alembic_version SET version_num = version_num"))


async def _auditregels(engine: sa.ext.asyncio.AsyncEngine) -> list[sa.Row[tuple[str, str]]]:
    async with engine.connect() as conn:
        return list(await conn.execute(sa.select(auditregel.c.request_id, auditregel.c.operatie)))


@pytest.mark.parametrize("query", [GEMEENTEN, AANBIEDERS])
async def test_lezen_zonder_audit_wacht_niet_op_een_open_schrijftransactie(api, query):
    async with api.engine.connect() as schrijver:
        await _houd_schrijftransactie(schrijver)
        antwoord = await asyncio.wait_for(api.als("consulent", NIJMEGEN, query), GEDULD)
        assert "errors" not in antwoord, antwoord
        await schrijver.rollback()


async def test_gezondheid_wacht_niet_op_een_open_schrijftransactie(api):
    async with api.engine.connect() as schrijver:
        await _houd_schrijftransactie(schrijver)
        antwoord = await asyncio.wait_for(api.client.get("/health"), GEDULD)
        assert antwoord.status_code == 200, antwoord.text
        await schrijver.rollback()


async def test_lezen_van_persoonsgegevens_na_schrijfconflict_opnieuw_met_audit_in_dezelfde_transactie(api):
    """SQLite: the deferred read cannot take the write lock for its audit, so it runs once more, writing."""
    if api.engine.dialect.name != "sqlite":
        pytest.skip("de uitgestelde leestransactie en haar herhaling bestaan alleen op SQLite")
    casus = await registreer_casus(api, NIJMEGEN)
    voor = len(await _auditregels(api.engine))
    async with api.engine.connect() as schrijver:
        await _houd_schrijftransactie(schrijver)
        api.sql.reset()
        herhaling = asyncio.Event()

        def bij_statement(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
            if statement == "BEGIN IMMEDIATE":
                herhaling.set()  # the repeat is about to wait for the write lock this test holds

        sa.event.listen(api.engine.sync_engine, "before_cursor_execute", bij_statement)
        lezer = asyncio.create_task(api.als("consulent", NIJMEGEN, CASUSSEN, {"first": 5}))
        await asyncio.wait_for(herhaling.wait(), GEDULD)
        # The first attempt began deferred and read everything before it needed the write lock.
        assert api.sql.statements.index("BEGIN") < api.sql.statements.index("BEGIN IMMEDIATE"), api.sql.statements
        assert not lezer.done()
        await schrijver.commit()
        antwoord = await asyncio.wait_for(lezer, GEDULD)
    assert "errors" not in antwoord, antwoord
    assert antwoord["data"]["casussen"]["edges"][0]["node"]["inwoner"]["naam"] == casus["inwoner"]["naam"]
    assert api.sql.statements.count("BEGIN IMMEDIATE") == 1, "precies één herhaling"
    nieuw = (await _auditregels(api.engine))[voor:]
    assert [r.operatie for r in nieuw] == ["lezen"], "één leesregel, niet twee en niet nul"
    async with api.engine.connect() as conn:
        assert (await audit.verifieer(conn)).intact


async def test_gelijktijdige_lezers_en_schrijvers_verliezen_geen_auditregel(api):
    for _ in range(3):
        await registreer_casus(api, NIJMEGEN)
    voor = {r.request_id for r in await _auditregels(api.engine)}
    rondes, lezers, schrijvers = 2, 8, 4

    async def lees() -> None:
        antwoord = await api.als("consulent", NIJMEGEN, CASUSSEN, {"first": 10})
        assert "errors" not in antwoord, antwoord
        assert antwoord["data"]["casussen"]["edges"], antwoord

    async def schrijf() -> None:
        invoer = casus_invoer(naam=f"Gelijktijdig {uuid.uuid4().hex[:6]}")
        antwoord = await api.als("consulent", NIJMEGEN, REGISTREER_CASUS, {"input": invoer})
        assert "errors" not in antwoord, antwoord

    for _ in range(rondes):
        await asyncio.wait_for(
            asyncio.gather(*[lees() for _ in range(lezers)], *[schrijf() for _ in range(schrijvers)]), 120
        )
    regels = await _auditregels(api.engine)
    nieuw = [r for r in regels if r.request_id not in voor]
    # Every request left its own records: one request id per request, none lost, none doubled.
    assert len({r.request_id for r in nieuw}) == rondes * (lezers + schrijvers)
    schrijvend = {r.request_id for r in nieuw if r.operatie != "lezen"}
    assert len(schrijvend) == rondes * schrijvers
    assert len({r.request_id for r in nieuw} - schrijvend) == rondes * lezers
    async with api.engine.connect() as conn:
        uitslag = await audit.verifieer(conn)
    assert uitslag.intact and uitslag.aantal == len(regels)
