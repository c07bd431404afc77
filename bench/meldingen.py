"""Benchmark: de RMZ-inbox, meldingen(first: 50) met geneste aanbieder, stappen en betrokkenen.

Seeds N meldingen (bulk insert; each with its signaal, two betrokkenen and a handeling) over the
seven gemeenten and 50 aanbieders. Measures the RMZ inbox, and a kwaliteitsmedewerker's view with
the nested signaal (the RMZ may not read signalen: toegang.md).
Usage: python -m bench.meldingen [--aantal 10000] [--verzoeken 200]; DATABASE_URL picks PostgreSQL.
"""

from __future__ import annotations

import argparse
import asyncio
import time
import uuid
from datetime import UTC, date, datetime, timedelta

from bench.meten import PSEUDO, Meter, verse_database
from domein.actor import GEMEENTEN
from domein.opslag.tabellen import aanbieder, melding, melding_betrokkene, melding_handeling, signaal

INBOX = """query($first: Int) { meldingen(first: $first) { totalCount edges { node { id status route categorie
  termijn termijnVerstreken samenvatting stappen { stap toelichting } aanbieder { naam kvk } gemeente { naam }
  betrokkenen { soort naam } pseudoniem terugkoppeling } } } }"""
GEMEENTE = """query($first: Int) { meldingen(first: $first) { totalCount edges { node { id status
  terugkoppeling aanbieder { naam } signaal { stap omschrijving aanbieder { naam } } } } } }"""


async def vul(engine, aantal: int) -> None:
    codes = list(GEMEENTEN)
    start = datetime(2025, 1, 1, tzinfo=UTC)
    aanbieders = [
        {
            "id": str(uuid.uuid4()),
            "naam": f"Aanbieder {i}",
            "kvk": f"{92000000 + i}",
            "agb": f"{91000000 + i}",
            "aangemaakt_op": start,
        }
        for i in range(50)
    ]
    async with engine.begin() as conn:
        await conn.execute(aanbieder.insert(), aanbieders)
    stappen = [{"toestand": f"stap_{k}", "titel": f"Stap {k}", "gegevens": {"toelichting": "bench"}} for k in (1, 2, 3)]
    for begin in range(0, aantal, 2000):
        s_rijen, m_rijen, b_rijen, h_rijen = [], [], [], []
        for i in range(begin, min(aantal, begin + 2000)):
            t = start + timedelta(seconds=i * 61)
            sid, mid, aid, g = str(uuid.uuid4()), str(uuid.uuid4()), aanbieders[i % 50]["id"], codes[i % 7]
            s_rijen.append(
                {
                    "id": sid,
                    "gemeente_code": g,
                    "aanbieder_id": aid,
                    "casus_id": None,
                    "route": "rob-signaal",
                    "categorie": "kwaliteit",
                    "omschrijving": "bench",
                    "toestand": "stap_3",
                    "termijn": None,
                    "aangemaakt_op": t,
                    "gewijzigd_op": t,
                }
            )
            m_rijen.append(
                {
                    "id": mid,
                    "soort": "rmz",
                    "route": "rmz-melding",
                    "signaal_id": sid,
                    "gemeente_code": g,
                    "aanbieder_id": aid,
                    "categorie": "kwaliteit",
                    "samenvatting": "bench",
                    "stappen": stappen,
                    "status": "ONTVANGEN",
                    "termijn": date(2027, 1, 1),
                    "betrokkene_geinformeerd": True,
                    "uitkomst": None,
                    "aangemaakt_op": t,
                    "gewijzigd_op": t,
                }
            )
            for soort, naam in (("medewerker", f"Medewerker {i % 300}"), ("client", f"Client {i}")):
                b_rijen.append(
                    {
                        "melding_id": mid,
                        "soort": soort,
                        "naam": naam,
                        "bsn": None,
                        "pseudoniem": PSEUDO.pseudoniem(f"{soort}:{naam}"),
                    }
                )
            h_rijen.append(
                {
                    "melding_id": mid,
                    "van_status": None,
                    "naar_status": "ONTVANGEN",
                    "gegevens": {},
                    "op": t,
                    "door_sub": "bench",
                    "door_rol": "kwaliteitsmedewerker",
                }
            )
        async with engine.begin() as conn:
            await conn.execute(signaal.insert(), s_rijen)
            await conn.execute(melding.insert(), m_rijen)
            await conn.execute(melding_betrokkene.insert(), b_rijen)
            await conn.execute(melding_handeling.insert(), h_rijen)


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--aantal", type=int, default=10_000)
    ap.add_argument("--verzoeken", type=int, default=200)
    args = ap.parse_args()
    _url, engine = await verse_database("regiekamer_bench_meldingen")
    t0 = time.perf_counter()
    await vul(engine, args.aantal)
    print(f"database: {engine.dialect.name}; {args.aantal} meldingen gevuld in {time.perf_counter() - t0:.1f} s")
    meter = Meter(engine)
    await meter.meet(
        "RMZ-inbox meldingen(first: 50) + aanbieder, betrokkenen",
        "rmz_medewerker",
        None,
        lambda i: {"query": INBOX, "variables": {"first": 50}},
        args.verzoeken,
    )
    await meter.meet(
        "gemeente: meldingen(first: 50) + signaal + aanbieder",
        "kwaliteitsmedewerker",
        "0268",
        lambda i: {"query": GEMEENTE, "variables": {"first": 50}},
        args.verzoeken,
    )
    await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main())
