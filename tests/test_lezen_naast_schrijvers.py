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
from tests.conftest import codes
from tests.hulp import CASUSSEN, NIJMEGEN, REGISTREER_CASUS, casus_invoer, registreer_casus
from tests.hulp_signalen import melding_bij_rmz

GEDULD = 20.0  # seconds; a request blocked behind the writer would wait SQLite's 30 s busy timeout
GEMEENTEN = "{ gemeenten { code naam } }"
AANBIEDERS = "{ aanbieders(first: 5) { totalCount } }"
GEWEIGERD = "{ gemeenten { code } auditLog(first: 1) { totalCount } }"  # a consulent may not read the audit log
ONBEKEND = '{ gemeenten { code } casus(id: "Q2FzdXM6YmVzdGFhdC1uaWV0") { status } }'
"""Casus:bestaat-niet: the plan foresees no write, but the domain audits the miss (uitkomst niet_gevonden)."""


async def _houd_schrijftransactie(conn: sa.ext.asyncio.AsyncConnection) -> None:
    """Een andere verbinding met een open schrijvende transactie (SQLite: BEGIN IMMEDIATE, het schrijfslot)."""
    await conn.begin()
    await conn.execute(sa.text("UPDATE alembic_version SET version_num = version_num"))


async def _auditregels(engine: sa.ext.asyncio.AsyncEngine) -> list[sa.Row[tuple[str, str, str]]]:
    async with engine.connect() as conn:
        kolommen = (auditregel.c.request_id, auditregel.c.operatie, auditregel.c.uitkomst)
        return list(await conn.execute(sa.select(*kolommen).order_by(auditregel.c.volgnummer)))


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


def _volg_begin(api) -> asyncio.Event:
    """Gaat af zodra een verbinding het schrijfslot vraagt (BEGIN IMMEDIATE) dat de test vasthoudt."""
    schrijfslot = asyncio.Event()

    def bij_statement(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if statement == "BEGIN IMMEDIATE":
            schrijfslot.set()

    sa.event.listen(api.engine.sync_engine, "before_cursor_execute", bij_statement)
    return schrijfslot


async def test_onvoorziene_weigering_in_een_leesquery_na_schrijfconflict_opnieuw_en_eenmaal_geaudit(api):
    """SQLite: the deferred read cannot take the write lock for the audit of its miss: it runs once more."""
    if api.engine.dialect.name != "sqlite":
        pytest.skip("de uitgestelde leestransactie en haar herhaling bestaan alleen op SQLite")
    voor = len(await _auditregels(api.engine))
    async with api.engine.connect() as schrijver:
        await _houd_schrijftransactie(schrijver)
        api.sql.reset()
        schrijfslot = _volg_begin(api)
        lezer = asyncio.create_task(api.als("consulent", NIJMEGEN, ONBEKEND))
        await asyncio.wait_for(schrijfslot.wait(), GEDULD)
        # The first attempt began deferred and read everything before it needed the write lock.
        assert api.sql.statements.index("BEGIN") < api.sql.statements.index("BEGIN IMMEDIATE"), api.sql.statements
        assert not lezer.done()
        await schrijver.commit()
        antwoord = await asyncio.wait_for(lezer, GEDULD)
    assert codes(antwoord) == ["NOT_FOUND"], antwoord
    assert api.sql.statements.count("BEGIN IMMEDIATE") == 1, "precies één herhaling"
    nieuw = (await _auditregels(api.engine))[voor:]
    assert [(r.operatie, r.uitkomst) for r in nieuw] == [("lezen", "niet_gevonden")], "één regel, niet twee of nul"
    async with api.engine.connect() as conn:
        assert (await audit.verifieer(conn)).intact


async def test_geweigerd_veld_voorzien_door_het_veldplan_neemt_meteen_het_schrijfslot(api):
    """SQLite: the plan sees the denied field before execution, so the denial's audit needs no second attempt."""
    if api.engine.dialect.name != "sqlite":
        pytest.skip("BEGIN IMMEDIATE bestaat alleen op SQLite")
    voor = len(await _auditregels(api.engine))
    api.sql.reset()
    antwoord = await api.als("consulent", NIJMEGEN, GEWEIGERD)
    assert codes(antwoord) == ["FORBIDDEN"], antwoord
    assert "BEGIN" not in api.sql.statements and api.sql.statements.count("BEGIN IMMEDIATE") == 1
    nieuw = (await _auditregels(api.engine))[voor:]
    assert [(r.operatie, r.uitkomst) for r in nieuw] == [("lezen", "geweigerd")]
    async with api.engine.connect() as conn:
        assert (await audit.verifieer(conn)).intact


async def test_lezen_van_persoonsgegevens_neemt_meteen_het_schrijfslot_en_audit_in_dezelfde_transactie(api):
    """SQLite: the document shows persoonsgegevens, so no deferred attempt that would have to be redone."""
    if api.engine.dialect.name != "sqlite":
        pytest.skip("BEGIN IMMEDIATE bestaat alleen op SQLite")
    casus = await registreer_casus(api, NIJMEGEN)
    voor = len(await _auditregels(api.engine))
    async with api.engine.connect() as schrijver:
        await _houd_schrijftransactie(schrijver)
        api.sql.reset()
        schrijfslot = _volg_begin(api)
        lezer = asyncio.create_task(api.als("consulent", NIJMEGEN, CASUSSEN, {"first": 5}))
        await asyncio.wait_for(schrijfslot.wait(), GEDULD)
        assert api.sql.statements == ["BEGIN IMMEDIATE"], "het schrijfslot vóór het eerste lezen"
        await schrijver.commit()
        antwoord = await asyncio.wait_for(lezer, GEDULD)
    assert "errors" not in antwoord, antwoord
    assert antwoord["data"]["casussen"]["edges"][0]["node"]["inwoner"]["naam"] == casus["inwoner"]["naam"]
    assert "BEGIN" not in api.sql.statements and api.sql.statements.count("BEGIN IMMEDIATE") == 1
    nieuw = (await _auditregels(api.engine))[voor:]
    assert [(r.operatie, r.uitkomst) for r in nieuw] == [("lezen", "geslaagd")]


async def test_rmz_die_de_vrije_tekst_van_meldingen_leest_neemt_meteen_het_schrijfslot(api):
    """The free text of a melding may name people, so its read is audited (toegang.md regel 7): on SQLite the
    transaction starts with the write lock instead of a deferred attempt that would be redone under contention."""
    if api.engine.dialect.name != "sqlite":
        pytest.skip("BEGIN IMMEDIATE bestaat alleen op SQLite")
    await melding_bij_rmz(api)
    api.sql.reset()
    antwoord = await api.als("rmz_medewerker", None, "{ meldingen { edges { node { samenvatting } } } }")
    assert "errors" not in antwoord, antwoord
    assert api.sql.statements[0] == "BEGIN IMMEDIATE" and "BEGIN" not in api.sql.statements, api.sql.statements


async def test_lezen_zonder_persoonsgegevens_begint_zonder_schrijfslot(api):
    api.sql.reset()
    assert "errors" not in await api.als("consulent", NIJMEGEN, AANBIEDERS)
    verwacht = "BEGIN" if api.engine.dialect.name == "sqlite" else None
    if verwacht:
        assert api.sql.statements[0] == verwacht and "BEGIN IMMEDIATE" not in api.sql.statements
    assert len(await _auditregels(api.engine)) == 0, "geen persoonsgegevens, geen auditregel"


async def test_gelijktijdige_lezers_en_schrijvers_verliezen_geen_auditregel_en_krijgen_geen_fout(api):
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

    async def lees_geweigerd() -> None:  # deferred on SQLite; its denial must still be audited exactly once
        assert codes(await api.als("consulent", NIJMEGEN, GEWEIGERD)) == ["FORBIDDEN"]

    for _ in range(rondes):
        await asyncio.wait_for(
            asyncio.gather(
                *[lees() for _ in range(lezers)],
                *[lees_geweigerd() for _ in range(lezers)],
                *[schrijf() for _ in range(schrijvers)],
            ),
            120,
        )
    regels = await _auditregels(api.engine)
    nieuw = [r for r in regels if r.request_id not in voor]
    # Every request left its own records: one request id per request, none lost, none doubled.
    assert len({r.request_id for r in nieuw}) == rondes * (2 * lezers + schrijvers)
    schrijvend = {r.request_id for r in nieuw if r.operatie != "lezen"}
    assert len(schrijvend) == rondes * schrijvers
    weigeringen = [r.request_id for r in nieuw if r.uitkomst == "geweigerd"]
    assert len(weigeringen) == len(set(weigeringen)) == rondes * lezers, "elke weigering precies één keer"
    assert len({r.request_id for r in nieuw} - schrijvend - set(weigeringen)) == rondes * lezers
    async with api.engine.connect() as conn:
        uitslag = await audit.verifieer(conn)
    assert uitslag.intact and uitslag.aantal == len(regels)
