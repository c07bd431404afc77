"""Bewaarde maandtabellen: dezelfde cijfers als vers berekend, de maandversie gevolgd, weinig werk als koud.

The protected month tables are stored per version of their month (domein/inzicht.py). These tests compare
stored against freshly computed answers for random data (all groupings, the regional view and a gemeente's own
view, one month and a period), check that a version bump makes the next request recompute and store again,
count what a cold process reads, and that nothing but the protected statistics reads the stored tables.
"""

from __future__ import annotations

import itertools
import random
import re
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from beleid.beslisser import CasbinBeslisser
from domein import inzicht, stapgebeurtenissen
from domein.actor import Actor, Rol
from domein.audit import Pseudonimiseerder
from domein.maandtabellen import Dimensie, StatistiekCache
from domein.opslag.tabellen import (
    aanbieder,
    stapgebeurtenis,
    statistiek_maand,
    statistiek_maandcel,
    statistiek_maandtabel,
)
from domein.verzoek import Verzoek
from tests.conftest import Sqlteller

NU = datetime(2026, 10, 15, 10, tzinfo=UTC)
MAANDEN = ["2026-07", "2026-08", "2026-09"]
GEMEENTEN = ["0268", "0296", "0209"]
STAPPEN = ["STAP_1", "STAP_2", "STAP_3", "RMZ_ZELF_ONTVANGEN"]
CATEGORIEEN = ["kwaliteit", "fraude_vermoeden"]
BRON = Path(__file__).resolve().parent.parent


async def _vul(engine: AsyncEngine, kans: random.Random) -> list[str]:
    """Random stapgebeurtenissen in three closed months: many small groups, so that much is suppressed."""
    aids = [str(uuid.UUID(int=kans.getrandbits(128))) for _ in range(3)]
    rijen = []
    for maand, aid, g, stap, cat in itertools.product(MAANDEN, aids, GEMEENTEN, STAPPEN, CATEGORIEEN):
        for _ in range(kans.choice([0, 0, 1, 2, 3, 4, 6, 9])):
            begin = date.fromisoformat(maand + "-01") + timedelta(days=kans.randint(0, 27))
            klaar = kans.random() < 0.7
            einde = begin + timedelta(days=kans.randint(0, 40))
            rijen.append(
                {
                    "zaak_id": str(uuid.UUID(int=kans.getrandbits(128))),
                    "maand": maand,
                    "aanbieder_id": aid,
                    "gemeente_code": g,
                    "stap": stap,
                    "categorie": cat,
                    "begonnen_op": begin,
                    "termijn": begin + timedelta(days=kans.randint(5, 40)) if stap != "STAP_1" else None,
                    "eerste_actie_op": begin + timedelta(days=kans.randint(0, 30)) if kans.random() < 0.8 else None,
                    "afgerond_op": einde if klaar else None,
                    "doorlooptijd": kans.randint(0, 25) if klaar else None,
                }
            )
    async with engine.begin() as conn:
        await conn.execute(
            aanbieder.insert(),
            [
                {"id": a, "naam": f"A{i}", "kvk": f"9000000{i}", "agb": f"9100000{i}", "aangemaakt_op": NU}
                for i, a in enumerate(aids)
            ],
        )
        await conn.execute(stapgebeurtenis.insert(), rijen)
        await conn.execute(statistiek_maand.insert(), [{"maand": m, "versie": 1} for m in MAANDEN])
    return aids


async def _vraag(
    engine: AsyncEngine,
    cache: StatistiekCache,
    beslisser: CasbinBeslisser,
    pseudo: Pseudonimiseerder,
    actor: Actor,
    dims: list[Dimensie],
    van: str = MAANDEN[0],
) -> list[inzicht.Cel]:
    async with engine.begin() as conn:
        vz = Verzoek(actor, conn, beslisser, pseudo, "t", statistiekcache=cache, klok=lambda: NU)
        return await inzicht.signaal_statistiek(vz, dims, date.fromisoformat(van + "-01"), date(2026, 9, 30))


async def _wis_opslag(engine: AsyncEngine, alleen_groeperingen: bool = False) -> None:
    async with engine.begin() as conn:
        for tabel in (statistiek_maandcel, statistiek_maandtabel):
            if alleen_groeperingen:  # the atoms and their blocks stay
                await conn.execute(tabel.delete().where(tabel.c.groepering != "stap,aanbieder,gemeente,categorie"))
            else:
                await conn.execute(tabel.delete())


ACTOREN = [Actor("cm", Rol.CONTRACTMANAGER, None), Actor("c", Rol.CONSULENT, "0296")]


@pytest.mark.parametrize("zaad", [11, 12])
async def test_bewaarde_maandtabellen_geven_dezelfde_cijfers_als_vers_berekend(
    engine: AsyncEngine, beslisser: CasbinBeslisser, pseudonimiseerder: Pseudonimiseerder, zaad: int
) -> None:
    await _vul(engine, random.Random(zaad))
    alle = list(Dimensie)
    vragen = [
        (actor, list(dims), van)
        for actor in ACTOREN
        for r in range(len(alle) + 1)
        for dims in itertools.combinations(alle, r)
        for van in (MAANDEN[0], MAANDEN[-1])
    ]
    vers: list[list[inzicht.Cel]] = []
    for actor, dims, van in vragen:  # computed from the stapgebeurtenissen every time, nothing stored before
        await _wis_opslag(engine)
        vers.append(await _vraag(engine, StatistiekCache(), beslisser, pseudonimiseerder, actor, dims, van))
    assert any(c.onderdrukt for cellen in vers for c in cellen), "the data must exercise the suppression"
    assert any(c.doorlooptijd_mediaan is not None for cellen in vers for c in cellen)
    assert any(c.binnen_termijn is not None for cellen in vers for c in cellen)
    for _actor, _dims, _van in vragen:  # store every grouping, in a process of its own
        await _vraag(engine, StatistiekCache(), beslisser, pseudonimiseerder, _actor, _dims, _van)
    warm = StatistiekCache()
    for (actor, dims, van), verwacht in zip(vragen, vers, strict=True):
        koud = await _vraag(engine, StatistiekCache(), beslisser, pseudonimiseerder, actor, dims, van)
        assert koud == verwacht, (actor.rol, dims, van)
        assert await _vraag(engine, warm, beslisser, pseudonimiseerder, actor, dims, van) == verwacht
        assert await _vraag(engine, warm, beslisser, pseudonimiseerder, actor, dims, van) == verwacht
    await _wis_opslag(engine, alleen_groeperingen=True)
    for (actor, dims, van), verwacht in zip(vragen, vers, strict=True):  # groupings again from stored atoms
        assert await _vraag(engine, StatistiekCache(), beslisser, pseudonimiseerder, actor, dims, van) == verwacht


async def _opgeslagen_versies(engine: AsyncEngine) -> set[tuple[str, int]]:
    async with engine.connect() as conn:
        kop = {(r.maand, r.versie) for r in await conn.execute(sa.select(statistiek_maandtabel))}
        cellen = {(r.maand, r.versie) for r in await conn.execute(sa.select(statistiek_maandcel))}
    assert cellen <= kop
    return kop


async def test_een_nieuwe_maandversie_wordt_opnieuw_berekend_en_vervangt_de_bewaarde(
    engine: AsyncEngine, beslisser: CasbinBeslisser, pseudonimiseerder: Pseudonimiseerder
) -> None:
    aids = await _vul(engine, random.Random(5))
    cm = ACTOREN[0]
    dims = [Dimensie.STAP, Dimensie.MAAND]
    warm = StatistiekCache()
    voor = await _vraag(engine, warm, beslisser, pseudonimiseerder, cm, dims)
    assert await _opgeslagen_versies(engine) == {(m, 1) for m in MAANDEN}

    # Late facts in August (as when demo history is built): five more in stap 4, with the month-version bookkeeping.
    async with engine.begin() as conn:
        await conn.execute(
            stapgebeurtenis.insert(),
            [
                {
                    "zaak_id": str(uuid.uuid4()),
                    "maand": "2026-08",
                    "aanbieder_id": aids[0],
                    "gemeente_code": "0268",
                    "stap": "STAP_4",
                    "categorie": "kwaliteit",
                    "begonnen_op": date(2026, 8, 3),
                }
                for _ in range(5)
            ],
        )
        vz = Verzoek(cm, conn, beslisser, pseudonimiseerder, "t", klok=lambda: NU)
        await stapgebeurtenissen._raak(vz, {"2026-08"})

    def stap4(cellen: list[inzicht.Cel]) -> int | None:
        (cel,) = [c for c in cellen if c.stap == "STAP_4" and c.maand == "2026-08"]
        return cel.aantal

    assert stap4(voor) == 0
    assert stap4(await _vraag(engine, warm, beslisser, pseudonimiseerder, cm, dims)) == 5, "the process follows"
    assert stap4(await _vraag(engine, StatistiekCache(), beslisser, pseudonimiseerder, cm, dims)) == 5
    assert await _opgeslagen_versies(engine) == {("2026-07", 1), ("2026-08", 2), ("2026-09", 1)}
    await _wis_opslag(engine)
    vers = await _vraag(engine, StatistiekCache(), beslisser, pseudonimiseerder, cm, dims)
    assert await _vraag(engine, warm, beslisser, pseudonimiseerder, cm, dims) == vers


async def test_een_koud_proces_leest_de_bewaarde_tabel_en_geen_stapgebeurtenissen(
    engine: AsyncEngine, beslisser: CasbinBeslisser, pseudonimiseerder: Pseudonimiseerder
) -> None:
    await _vul(engine, random.Random(7))
    cm = ACTOREN[0]
    dims = [Dimensie.AANBIEDER, Dimensie.GEMEENTE, Dimensie.STAP]
    teller = Sqlteller(engine)

    def gelezen() -> list[str]:
        return [re.sub(r"\s+", " ", s) for s in teller.statements if not s.startswith("BEGIN")]  # SQLite

    eerste = await _vraag(engine, StatistiekCache(), beslisser, pseudonimiseerder, cm, dims)
    assert sum("stapgebeurtenis" in s for s in gelezen()) == 1, "all three months in one read"
    # versions; stored cells (none); facts with versions; remove older versions; headers; cells
    assert len(gelezen()) == 6, gelezen()
    async with engine.connect() as conn:
        opgeslagen = await conn.scalar(
            sa.select(sa.func.count()).where(statistiek_maandcel.c.groepering == "stap,aanbieder,gemeente")
        )
    teller.reset()
    koud = await _vraag(engine, StatistiekCache(), beslisser, pseudonimiseerder, cm, dims)
    assert koud == eerste
    # One statement for the versions, one for the stored cells of this grouping (all months at once).
    assert len(gelezen()) == 2, gelezen()
    assert not any("stapgebeurtenis" in s for s in gelezen())
    assert "statistiek_maandcel" in gelezen()[1]
    assert 0 < (opgeslagen or 0) <= len(MAANDEN) * 3 * 3 * len(STAPPEN), "aggregated cells, not facts"
    teller.reset()
    cache = StatistiekCache()
    await _vraag(engine, cache, beslisser, pseudonimiseerder, cm, dims)
    teller.reset()
    assert await _vraag(engine, cache, beslisser, pseudonimiseerder, cm, dims) == eerste
    assert len(gelezen()) == 1, "warm: only the versions of the months are read"


def test_alleen_de_beschermde_statistiek_leest_de_bewaarde_maandtabellen() -> None:
    """The stored tables hold small counts next to their blocks: only domein/inzicht.py reads them (the other two
    files describe them), and only to serve them through the protection (toegang.md rule 5). No GraphQL type,
    policy, export or dump reads them."""
    namen = ("statistiek_maandcel", "statistiek_maandtabel")
    toegestaan = {Path("domein/inzicht.py"), Path("domein/maandtabellen.py"), Path("domein/opslag/tabellen.py")}
    gevonden = set()
    for map_ in ("api", "domein", "beleid"):
        for pad in (BRON / map_).rglob("*"):
            if pad.is_file() and pad.suffix in {".py", ".csv", ".conf", ".graphql"}:
                if any(n in pad.read_text(encoding="utf-8") for n in namen):
                    gevonden.add(pad.relative_to(BRON))
    assert gevonden == toegestaan
    schema = (BRON / "schema.graphql").read_text(encoding="utf-8").lower()
    assert "maandcel" not in schema and "maandtabel" not in schema
