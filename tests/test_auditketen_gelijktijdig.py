"""De auditketens onder gelijktijdige schrijvers (issue 11): per verantwoordelijke een keten, niets kwijt.

Eight connections append at the same time, to several verantwoordelijken, sometimes several chains in
one transaction, and some transactions roll back. Afterwards every chain is intact, ``verifieer``
counts exactly the committed records (none missing, none extra, none outside a chain), and a record
changed afterwards is still found.
"""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from domein import audit
from domein.actor import Actor, Rol
from domein.audit import GENESIS, AuditRegel, Operatie, Uitkomst, bereken_hash
from domein.opslag.tabellen import auditbetrokkene, auditketen_begin, auditregel
from tests.hulp import schakel_triggers

KETENS = ["0268", "0296", "0252", "1945", "ROB"]
SCHRIJVERS = 8
TRANSACTIES = 50


def _regel(kans: random.Random, nr: int, verantwoordelijke: str) -> AuditRegel:
    betrokkenen = {f"{kans.getrandbits(256):064x}" for _ in range(kans.choice((0, 1, 1, 2)))}
    return AuditRegel(
        actor=Actor(f"schrijver-{nr}", Rol.CONSULENT, "0268"),
        doel="uitvoering",
        verwerkingsactiviteit="casus raadplegen",
        operatie=Operatie.LEZEN,
        object_type="casus",
        object_id=f"{kans.getrandbits(64):x}",
        verantwoordelijke=verantwoordelijke,
        uitkomst=Uitkomst.GESLAAGD,
        categorieen={"persoonsgegevens.identificatie"} if betrokkenen else set(),
        betrokkenen=betrokkenen,
    )


async def _schrijvers(engine) -> tuple[int, int]:
    """Returns the committed records and pseudonyms; every 7th transaction rolls back."""
    regels = pseudoniemen = 0

    async def schrijver(nr: int) -> None:
        nonlocal regels, pseudoniemen
        kans = random.Random(nr)
        async with engine.connect() as conn:
            for i in range(TRANSACTIES):
                # mostly one record; sometimes a request that touches two or three chains at once
                aantal = 1 if kans.random() < 0.7 else kans.randint(2, 4)
                batch = [_regel(kans, nr, kans.choice(KETENS)) for _ in range(aantal)]
                trans = await conn.begin()
                await audit.schrijf(conn, batch, f"verzoek-{nr}-{i}")
                if i % 7 == 3:
                    await trans.rollback()
                    continue
                await trans.commit()
                regels += len(batch)
                pseudoniemen += sum(len(r.betrokkenen) for r in batch)

    await asyncio.gather(*(schrijver(nr) for nr in range(SCHRIJVERS)))
    return regels, pseudoniemen


async def test_acht_schrijvers_tegelijk_houden_elke_keten_heel_en_verliezen_niets(engine):
    regels, pseudoniemen = await _schrijvers(engine)
    async with engine.connect() as conn:
        uitslag = await audit.verifieer(conn)
        in_db = await conn.scalar(sa.select(sa.func.count()).select_from(auditregel))
        koppelingen = await conn.scalar(sa.select(sa.func.count()).select_from(auditbetrokkene))
        rijen = (
            await conn.execute(
                sa.select(auditregel.c.verantwoordelijke, auditregel.c.tijdstip).order_by(auditregel.c.volgnummer)
            )
        ).all()
    assert regels > SCHRIJVERS * TRANSACTIES  # some transactions wrote several records
    assert uitslag.intact, uitslag
    assert uitslag.aantal == in_db == regels  # nothing lost, nothing extra, every record in a chain
    assert koppelingen == pseudoniemen
    assert uitslag.ketens == len(KETENS)
    for keten in KETENS:  # along each chain time never runs backwards
        tijden = [r.tijdstip for r in rijen if r.verantwoordelijke == keten]
        assert tijden == sorted(tijden)


async def test_een_gewijzigde_of_verwijderde_regel_midden_in_een_keten_wordt_gevonden(engine):
    await _schrijvers(engine)
    async with engine.connect() as conn:
        nummers = (await conn.execute(sa.select(auditregel.c.volgnummer).order_by(auditregel.c.volgnummer))).scalars()
        nummers = list(nummers)
    gewijzigd = nummers[len(nummers) // 2]
    await schakel_triggers(engine, aan=False)
    async with engine.begin() as conn:
        await conn.execute(auditregel.update().where(auditregel.c.volgnummer == gewijzigd).values(doel="vervalst"))
    async with engine.connect() as conn:
        uitslag = await audit.verifieer(conn)
    assert uitslag.eerste_breuk == gewijzigd and uitslag.reden == "inhoud past niet bij de opgeslagen hash"
    assert uitslag.aantal == nummers.index(gewijzigd)

    # a deleted record: the next record of the same chain no longer links to its predecessor
    async with engine.connect() as conn:
        keten = await conn.scalar(
            sa.select(auditregel.c.verantwoordelijke).where(auditregel.c.volgnummer == nummers[5])
        )
        volgende = await conn.scalar(
            sa.select(sa.func.min(auditregel.c.volgnummer)).where(
                auditregel.c.verantwoordelijke == keten, auditregel.c.volgnummer > nummers[5]
            )
        )
    async with engine.begin() as conn:
        await conn.execute(auditregel.delete().where(auditregel.c.volgnummer == nummers[5]))
    async with engine.connect() as conn:
        uitslag = await audit.verifieer(conn)
    assert uitslag.eerste_breuk == volgende and uitslag.reden == "vorige_hash wijst niet naar de voorganger"


async def test_regels_van_voor_de_ketens_per_verantwoordelijke_blijven_kloppen(engine):
    """Records of the one global chain (formula 1, before migration 0008) still verify, and the
    chains per verantwoordelijke start after them."""
    kans = random.Random(1)
    vorige = GENESIS
    tijd = datetime.now(UTC) - timedelta(days=1)
    oude = []
    for volgnummer in range(1, 8):
        rij = audit._rij(_regel(kans, 0, KETENS[volgnummer % 3]), "oud", tijd)
        rij |= {"volgnummer": volgnummer, "vorige_hash": vorige}
        rij["hash"] = vorige = bereken_hash(rij, vorige)
        oude.append(rij)
    async with engine.begin() as conn:
        await conn.execute(auditregel.insert(), oude)
        await conn.execute(auditketen_begin.update().values(volgnummer=7))
        if engine.dialect.name == "postgresql":
            await conn.execute(sa.text("SELECT setval('auditregel_volgnummer_seq', 8, false)"))
    regels, _ = await _schrijvers(engine)
    async with engine.connect() as conn:
        uitslag = await audit.verifieer(conn)
        eerste_nieuwe = (await conn.execute(sa.select(auditregel).where(auditregel.c.volgnummer == 8))).mappings().one()
    assert uitslag.intact and uitslag.aantal == 7 + regels
    assert uitslag.ketens == 1 + len(KETENS)
    # the new chain of that verantwoordelijke starts afresh, it does not continue the global one
    assert eerste_nieuwe["vorige_hash"] == audit.ketenbegin(eerste_nieuwe["verantwoordelijke"], 8)
