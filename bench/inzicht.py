"""Benchmark: signaalstatistiek over 1.000.000 signalen en contractuitnutting over 100.000 zorgkostenregels.

Seeds (bulk, PostgreSQL COPY where available) N signalen over 24 completed months, 200 aanbieders (skewed:
a few large, many small), the seven gemeenten (weighted by size) and six categorieën, each with its
stapgebeurtenissen: every signaal enters stap 1, 30% stap 2, 8% reach the RMZ (stap 3), and 3% are
direct meldingen; most stappen are completed after 0–25 werkdagen. Zorgkosten: 200 aanbieders × 7
gemeenten × 3 products × 24 months = 100.800 monthly totals, one raamcontract per aanbieder.

Measures (warm = answers and month tables are cached in the process; cold = a new process: the process
cache emptied before every request, the protected month tables read from the database; first = also the
stored month tables removed, so every month is read from the stapgebeurtenissen, protected and stored
again, as the first request after a month closed or changed):
- signaalStatistiek [AANBIEDER, GEMEENTE, STAP] over 12 months (the heaviest grouping that stays under
  the cell limit: 200 × 7 × 6 = 8.400 cells), first, cold and warm;
- signaalStatistiek [STAP, MAAND] over 24 months, warm;
- contractUitnutting(jaar) for the contractmanager (200 contracts, 1.600 rows).
Usage: python -m bench.inzicht [--aantal 1000000] [--verzoeken 50]; DATABASE_URL picks PostgreSQL.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import random
import statistics
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from api.voltooiing import Voltooid
from bench.meten import PSEUDO, UIT, Meter, verse_database
from domein import inzicht
from domein.actor import Actor, Rol
from domein.maandtabellen import Dimensie, StatistiekCache
from domein.opslag.db import maak_engine
from domein.opslag.migraties import migreer
from domein.opslag.tabellen import (
    aanbieder,
    contract,
    contract_budget,
    contract_gemeente,
    contract_perceel,
    signaal,
    stapgebeurtenis,
    statistiek_maand,
    statistiek_maandcel,
    statistiek_maandtabel,
    zorgkosten,
)
from domein.verzoek import Verzoek
from domein.werkdagen import werkdagen_tussen

STATISTIEK = """query($g: [Dimensie!]!, $van: Date, $tot: Date) { signaalStatistiek(groepeerOp: $g, van: $van,
  tot: $tot) { aanbieder { naam } gemeente { code } stap maand aantal onderdrukt doorlooptijdMediaan
  doorlooptijdP90 binnenTermijn } }"""
UITNUTTING = """query($j: Int!) { contractUitnutting(jaar: $j) { contract { naam } gemeente { code } plafond
  gerealiseerd peilmaand prognose uitnuttingProcent afwijking { soort procent } } }"""
CATEGORIEEN = [
    "niet_conform_afspraken",
    "kwaliteit",
    "fraude_vermoeden",
    "financiele_fouten",
    "ongewenste_werkwijze",
    "klacht_client",
]
GEWICHT = {"0268": 45, "0296": 12, "0252": 5, "1945": 10, "0944": 2, "0209": 7, "0225": 5}
PRODUCTEN = ["Begeleiding individueel", "Dagbesteding", "Ambulante jeugdhulp"]


def maanden_terug(n: int) -> list[date]:
    m = datetime.now(UTC).date().replace(day=1)
    uit = []
    for _ in range(n):
        m = (m - timedelta(days=1)).replace(day=1)
        uit.append(m)
    return list(reversed(uit))


async def _schrijf(engine: AsyncEngine, tabel: Any, rijen: list[dict[str, Any]]) -> None:
    if not rijen:
        return
    async with engine.begin() as conn:
        if engine.dialect.name == "postgresql" and len(rijen) > 1000:  # COPY for the big tables
            ruw = await conn.get_raw_connection()
            kolommen = list(rijen[0])
            await ruw.driver_connection.copy_records_to_table(  # type: ignore[union-attr]
                tabel.name, records=[tuple(r[k] for k in kolommen) for r in rijen], columns=kolommen
            )
        else:
            await conn.execute(tabel.insert(), rijen)


async def vul(engine: AsyncEngine, aantal: int) -> None:
    kans = random.Random(4)
    maanden = maanden_terug(24)
    nu = datetime.now(UTC)
    aids = [str(uuid.uuid4()) for _ in range(200)]
    await _schrijf(
        engine,
        aanbieder,
        [
            {"id": a, "naam": f"Aanbieder {i}", "kvk": f"{80000000 + i}", "agb": f"{81000000 + i}", "aangemaakt_op": nu}
            for i, a in enumerate(aids)
        ],
    )
    gewicht_aanbieder = [1 / (i + 1) ** 0.8 for i in range(len(aids))]
    codes, gewicht_gemeente = list(GEWICHT), list(GEWICHT.values())
    werkdag_cache: dict[tuple[date, date], int] = {}

    def werkdagen(a: date, b: date) -> int:
        if (a, b) not in werkdag_cache:
            werkdag_cache[(a, b)] = werkdagen_tussen(a, b)
        return werkdag_cache[(a, b)]

    blok = 50_000
    for begin in range(0, aantal, blok):
        s_rijen, e_rijen = [], []
        for _ in range(begin, min(aantal, begin + blok)):
            maand = kans.choice(maanden)
            dag = maand.replace(day=kans.randint(1, 28))
            sid = str(uuid.uuid4())
            aid = kans.choices(aids, gewicht_aanbieder)[0]
            g = kans.choices(codes, gewicht_gemeente)[0]
            cat = kans.choice(CATEGORIEEN)
            t = datetime(dag.year, dag.month, dag.day, 10, tzinfo=UTC)
            s_rijen.append(
                {
                    "id": sid,
                    "gemeente_code": g,
                    "aanbieder_id": aid,
                    "casus_id": None,
                    "route": "rob-signaal",
                    "categorie": cat,
                    "omschrijving": "bench",
                    "toestand": "stap_1",
                    "termijn": None,
                    "aangemaakt_op": t,
                    "gewijzigd_op": t,
                }
            )
            trap = kans.random()
            stappen = ["STAP_1"] + (["STAP_2"] if trap < 0.30 else []) + (["STAP_3"] if trap < 0.08 else [])
            if trap > 0.97:
                stappen = ["DIRECTE_MELDING"]
            start = dag
            for i, stap in enumerate(stappen):
                duur = kans.randint(0, 25)
                einde = start + timedelta(days=duur * 7 // 5)
                klaar = i < len(stappen) - 1 or kans.random() < 0.8
                termijn = start + timedelta(days=28) if stap != "STAP_1" else None
                eerste = start + timedelta(days=kans.randint(0, 12)) if klaar or kans.random() < 0.5 else None
                e_rijen.append(
                    {
                        "zaak_id": sid,
                        "maand": f"{start:%Y-%m}",
                        "aanbieder_id": aid,
                        "gemeente_code": g,
                        "stap": stap,
                        "categorie": cat,
                        "begonnen_op": start,
                        "termijn": termijn,
                        "eerste_actie_op": eerste,
                        "afgerond_op": einde if klaar else None,
                        "doorlooptijd": werkdagen(start, einde) if klaar else None,
                    }
                )
                start = einde
        await _schrijf(engine, signaal, s_rijen)
        await _schrijf(engine, stapgebeurtenis, [e for e in e_rijen if e["maand"] <= f"{maanden[-1]:%Y-%m}"])
    await _schrijf(engine, statistiek_maand, [{"maand": f"{m:%Y-%m}", "versie": 1} for m in maanden])
    c_rijen, cg_rijen, cp_rijen, b_rijen, z_rijen = [], [], [], [], []
    for i, aid in enumerate(aids):
        cid = str(uuid.uuid4())
        c_rijen.append(
            {
                "id": cid,
                "aanbieder_id": aid,
                "soort": "raamcontract",
                "naam": f"Raamcontract {i}",
                "percelen": PRODUCTEN,
                "ingangsdatum": maanden[0],
                "einddatum": None,
                "contractmanager": "bench",
                "aangemaakt_op": nu,
            }
        )
        cg_rijen += [{"contract_id": cid, "gemeente_code": g} for g in codes]
        cp_rijen += [{"contract_id": cid, "perceel": p.lower()} for p in PRODUCTEN]
        for jaar in sorted({m.year for m in maanden}):
            b_rijen.append({"contract_id": cid, "jaar": jaar, "plafond": Decimal(kans.randint(200, 3000) * 1000)})
        for g in codes:
            for p in PRODUCTEN:
                for m in maanden:
                    z_rijen.append(
                        {
                            "gemeente_code": g,
                            "aanbieder_id": aid,
                            "product": p,
                            "maand": m,
                            "bedrag": Decimal(kans.randint(100, 20000)),
                            "aangeleverd_op": nu,
                            "aangeleverd_door": "bench",
                        }
                    )
    for tabel, rijen in (
        (contract, c_rijen),
        (contract_gemeente, cg_rijen),
        (contract_perceel, cp_rijen),
        (contract_budget, b_rijen),
        (zorgkosten, z_rijen),
    ):
        await _schrijf(engine, tabel, rijen)
    async with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            await conn.exec_driver_sql("ANALYZE")


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--aantal", type=int, default=1_000_000)
    ap.add_argument("--verzoeken", type=int, default=50)
    ap.add_argument("--alleen-meten", action="store_true", help="meet op de database van een vorige run")
    args = ap.parse_args()
    t0 = time.perf_counter()
    if args.alleen_meten:
        basis = os.environ.get("DATABASE_URL") or f"sqlite+aiosqlite:///{UIT}/x"
        url = basis.rsplit("/", 1)[0] + "/regiekamer_bench_inzicht" + ("" if "postgresql" in basis else ".db")
        await migreer(url)  # a database of an older run gets the newer tables
        engine = maak_engine(url)
    else:
        _url, engine = await verse_database("regiekamer_bench_inzicht")
        await vul(engine, args.aantal)
    print(
        f"database: {engine.dialect.name}; {args.aantal} signalen en 100.800 zorgkostenregels gevuld in "
        f"{time.perf_counter() - t0:.1f} s"
    )
    meter = Meter(engine)
    maanden = maanden_terug(24)
    jaar = {
        "van": maanden[12].isoformat(),
        "tot": (datetime.now(UTC).date().replace(day=1) - timedelta(days=1)).isoformat(),
    }
    twee = jaar | {"van": maanden[0].isoformat()}
    toestand = meter.app.state.toestand

    def koud() -> None:
        """A new process: an empty cache, and (untimed) none of the previous 'process' left to collect."""
        toestand.statistiekcache = StatistiekCache()
        toestand.voltooid = Voltooid()
        gc.collect()

    zwaar = {"query": STATISTIEK, "variables": {"g": ["AANBIEDER", "GEMEENTE", "STAP"], **jaar}}
    await _eerste_keer(meter, zwaar, max(3, args.verzoeken // 10))
    await meter.meet(
        "statistiek [AANBIEDER,GEMEENTE,STAP] 12 mnd, koud",
        "contractmanager",
        None,
        lambda i: zwaar,
        max(10, args.verzoeken // 2),
        voor=koud,
        opwarmen=1,
    )
    await meter.meet(
        "statistiek [AANBIEDER,GEMEENTE,STAP] 12 mnd, warm", "contractmanager", None, lambda i: zwaar, args.verzoeken
    )
    await meter.meet(
        "statistiek [STAP,MAAND] 24 mnd, warm",
        "rmz_medewerker",
        None,
        lambda i: {"query": STATISTIEK, "variables": {"g": ["STAP", "MAAND"], **twee}},
        args.verzoeken,
    )
    await meter.meet(
        "statistiek gemeente 0268 [AANBIEDER] 12 mnd, warm",
        "consulent",
        "0268",
        lambda i: {"query": STATISTIEK, "variables": {"g": ["AANBIEDER"], **jaar}},
        args.verzoeken,
    )
    await meter.meet(
        "contractUitnutting(jaar), contractmanager",
        "contractmanager",
        None,
        lambda i: {"query": UITNUTTING, "variables": {"j": maanden[-1].year}},
        args.verzoeken,
    )
    await meter.meet(
        "contractUitnutting(jaar), backoffice 0268",
        "backoffice",
        "0268",
        lambda i: {"query": UITNUTTING, "variables": {"j": maanden[-1].year}},
        args.verzoeken,
    )
    await _domein_alleen(engine, toestand, jaar, koud=True)
    await _domein_alleen(engine, toestand, jaar)
    await engine.dispose()


async def _eerste_keer(meter: Meter, body: dict[str, Any], verzoeken: int) -> None:
    """Nothing stored and nothing in the process: every month from its stapgebeurtenissen, then stored."""
    kop = {"Authorization": "Bearer " + meter.sleutel.maak_token(rol="contractmanager", gemeente=None, sub="bench")}
    tijden, aantallen = [], []
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=meter.app), base_url="http://bench") as c:
        for _ in range(verzoeken):
            async with meter.engine.begin() as conn:
                await conn.execute(statistiek_maandcel.delete())
                await conn.execute(statistiek_maandtabel.delete())
            meter.app.state.toestand.statistiekcache = StatistiekCache()
            meter.app.state.toestand.voltooid = Voltooid()
            meter.statements = 0
            start = time.perf_counter()
            r = await c.post("/graphql", json=body, headers=kop)
            tijden.append((time.perf_counter() - start) * 1000)
            aantallen.append(meter.statements)
            assert r.status_code == 200 and "errors" not in r.json(), r.text[:500]
    naam = "statistiek [AANBIEDER,GEMEENTE,STAP] 12 mnd, eerste keer"
    print(
        f"{naam:55s} p50 {statistics.median(tijden):7.2f} ms  max {max(tijden):7.2f} ms  "
        f"SQL/verzoek {statistics.mean(aantallen):.1f} (max {max(aantallen)})"
    )


async def _domein_alleen(engine: AsyncEngine, toestand: Any, periode: dict[str, str], koud: bool = False) -> None:
    """The heaviest grouping without GraphQL: what the domain costs, next to what serialising costs."""
    tijden = []
    for i in range(25):
        if koud:
            toestand.statistiekcache = StatistiekCache()
            gc.collect()
        async with engine.connect() as conn:
            await conn.begin()
            vz = Verzoek(
                Actor("bench", Rol.CONTRACTMANAGER, None),
                conn,
                toestand.beslisser,
                PSEUDO,
                "bench",
                statistiekcache=toestand.statistiekcache,
            )
            start = time.perf_counter()
            cellen = await inzicht.signaal_statistiek(
                vz,
                [Dimensie.AANBIEDER, Dimensie.GEMEENTE, Dimensie.STAP],
                date.fromisoformat(periode["van"]),
                date.fromisoformat(periode["tot"]),
            )
            if i >= 5:
                tijden.append((time.perf_counter() - start) * 1000)
            await conn.rollback()
    q = statistics.quantiles(tijden, n=100)
    naam = f"  alleen het domein (zonder GraphQL), {'koud' if koud else 'warm'}, {len(cellen)} cellen"
    print(f"{naam:55s} p50 {q[49]:7.2f} ms  p95 {q[94]:7.2f} ms")


if __name__ == "__main__":
    asyncio.run(main())
