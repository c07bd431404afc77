"""Benchmark: casussen(first: 50) met geneste gemeente en inwoner, en registreerCasus.

Seeds N casussen (bulk insert, spread over the seven gemeenten), then drives the real Starlette app
in-process through httpx (no network) and prints p50/p95 latency and SQL statements per request.
Usage: python -m bench.casussen [--aantal 10000] [--verzoeken 200]; DATABASE_URL picks PostgreSQL.
"""

from __future__ import annotations

import argparse
import asyncio
import time
import uuid
from datetime import UTC, date, datetime, timedelta

from bench.meten import PSEUDO, Meter, verse_database
from domein.actor import GEMEENTEN
from domein.demo import fictieve_bsns
from domein.opslag.tabellen import casus, casus_persoonsgegevens

LIJST = """query($first: Int, $after: String) { casussen(first: $first, after: $after) { totalCount
  pageInfo { hasNextPage endCursor }
  edges { node { id status urgentie gemeente { code naam } inwoner { bsn naam geboortedatum } hulpvraag } } } }"""
REGISTREER = """mutation($i: RegistreerCasusInput!) { registreerCasus(input: $i) { id inwoner { naam } } }"""


async def vul(engine, aantal: int) -> None:
    codes = list(GEMEENTEN)
    bsns = fictieve_bsns(900_000_000)  # synthetic bench range, elfproef-valid, 9-prefixed
    start = datetime(2025, 1, 1, tzinfo=UTC)
    for begin in range(0, aantal, 2000):
        rijen, pg = [], []
        for i in range(begin, min(aantal, begin + 2000)):
            id_, t, bsn = str(uuid.uuid4()), start + timedelta(seconds=i * 37), next(bsns)
            rijen.append(
                {
                    "id": id_,
                    "gemeente_code": codes[i % 7],
                    "leefdomeinen": ["wonen"],
                    "urgentie": "regulier",
                    "status": "geregistreerd",
                    "aangemaakt_op": t,
                    "gewijzigd_op": t,
                }
            )
            pg.append(
                {
                    "casus_id": id_,
                    "bsn": bsn,
                    "naam": f"Bench Persoon {i}",
                    "geboortedatum": date(1980, 1, 1),
                    "hulpvraag": "Begeleiding",
                    "pseudoniem": PSEUDO.pseudoniem(bsn),
                }
            )
        async with engine.begin() as conn:
            await conn.execute(casus.insert(), rijen)
            await conn.execute(casus_persoonsgegevens.insert(), pg)


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--aantal", type=int, default=10_000)
    ap.add_argument("--verzoeken", type=int, default=200)
    args = ap.parse_args()
    _url, engine = await verse_database("regiekamer_bench")
    t0 = time.perf_counter()
    await vul(engine, args.aantal)
    print(f"database: {engine.dialect.name}; {args.aantal} casussen gevuld in {time.perf_counter() - t0:.1f} s")
    meter = Meter(engine)
    await meter.meet(
        "casussen(first: 50) + gemeente + inwoner",
        "consulent",
        "0268",
        lambda i: {"query": LIJST, "variables": {"first": 50}},
        args.verzoeken,
    )
    bsns = fictieve_bsns(990_000_000)
    await meter.meet(
        "registreerCasus",
        "consulent",
        "0268",
        lambda i: {
            "query": REGISTREER,
            "variables": {
                "i": {
                    "inwoner": {"bsn": next(bsns), "naam": f"Nieuw {i}", "geboortedatum": "1990-02-03"},
                    "hulpvraag": "Bench",
                    "leefdomeinen": ["WONEN"],
                    "urgentie": "REGULIER",
                }
            },
        },
        args.verzoeken,
    )
    await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main())
