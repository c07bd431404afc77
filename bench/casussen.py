"""Benchmark: casussen(first: 50) met geneste gemeente en inwoner, en registreerCasus.

Seeds N casussen (bulk insert, spread over the seven gemeenten), then drives the real Starlette app
in-process through httpx (no network) and prints p50/p95 latency and SQL statements per request.
Usage: python -m bench.casussen [--aantal 10000] [--verzoeken 200]; DATABASE_URL picks PostgreSQL.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import asyncpg
import httpx
from sqlalchemy import event

from api.app import maak_app, stem_gc_af
from api.auth import TokenVerifier
from api.limieten import Limieten
from api.sleutels import DemoSleutel
from beleid.beslisser import CasbinBeslisser
from domein.actor import GEMEENTEN
from domein.audit import Pseudonimiseerder
from domein.demo import fictieve_bsns
from domein.opslag.db import maak_engine
from domein.opslag.migraties import migreer
from domein.opslag.tabellen import casus, casus_persoonsgegevens

LIJST = """query($first: Int, $after: String) { casussen(first: $first, after: $after) { totalCount
  pageInfo { hasNextPage endCursor }
  edges { node { id status urgentie gemeente { code naam } inwoner { bsn naam geboortedatum } hulpvraag } } } }"""
REGISTREER = """mutation($i: RegistreerCasusInput!) { registreerCasus(input: $i) { id inwoner { naam } } }"""
UIT = Path(__file__).parent / "uitvoer"


async def _verse_database(url: str | None) -> str:
    if url and url.startswith("postgresql"):
        beheer = url.replace("+asyncpg", "")
        conn = await asyncpg.connect(beheer)
        await conn.execute("DROP DATABASE IF EXISTS regiekamer_bench WITH (FORCE)")
        await conn.execute("CREATE DATABASE regiekamer_bench")
        await conn.close()
        return url.rsplit("/", 1)[0] + "/regiekamer_bench"
    UIT.mkdir(exist_ok=True)
    pad = UIT / "bench.db"
    for p in UIT.glob("bench.db*"):
        p.unlink()
    return f"sqlite+aiosqlite:///{pad}"


async def _vul(engine, aantal: int, pseudo: Pseudonimiseerder) -> None:
    codes = list(GEMEENTEN)
    bsns = fictieve_bsns(900_000_000)  # synthetic bench range, elfproef-valid, 9-prefixed
    start = datetime(2025, 1, 1, tzinfo=UTC)
    blok = 2000
    for begin in range(0, aantal, blok):
        rijen, pg = [], []
        for i in range(begin, min(aantal, begin + blok)):
            id_ = str(uuid.uuid4())
            t = start + timedelta(seconds=i * 37)
            bsn = next(bsns)
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
                    "pseudoniem": pseudo.pseudoniem(bsn),
                }
            )
        async with engine.begin() as conn:
            await conn.execute(casus.insert(), rijen)
            await conn.execute(casus_persoonsgegevens.insert(), pg)


def _pct(waarden: list[float], p: float) -> float:
    return statistics.quantiles(waarden, n=100)[int(p) - 1] if len(waarden) > 1 else waarden[0]


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--aantal", type=int, default=10_000)
    ap.add_argument("--verzoeken", type=int, default=200)
    args = ap.parse_args()
    url = await _verse_database(os.environ.get("DATABASE_URL"))
    await migreer(url)
    engine = maak_engine(url)
    pseudo = Pseudonimiseerder(b"bench-sleutel-bench-sleutel-bench-sleutel!")
    t0 = time.perf_counter()
    await _vul(engine, args.aantal, pseudo)
    print(f"database: {engine.dialect.name}; {args.aantal} casussen gevuld in {time.perf_counter() - t0:.1f} s")
    statements = 0

    def tel(*_a: object) -> None:
        nonlocal statements
        statements += 1

    event.listen(engine.sync_engine, "before_cursor_execute", tel)
    sleutel = DemoSleutel.maak(UIT / "sleutel")
    app = maak_app(engine, TokenVerifier(public_key_pem=sleutel.public_key_pem), pseudo, Limieten(), CasbinBeslisser())
    stem_gc_af()  # as 'regiekamer serve' does
    kop = {"Authorization": "Bearer " + sleutel.maak_token(rol="consulent", gemeente="0268", sub="bench")}
    bsns = fictieve_bsns(990_000_000)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as client:

        async def meet(naam: str, maak_body) -> None:
            nonlocal statements
            tijden, aantallen = [], []
            for i in range(args.verzoeken + 10):
                statements = 0
                s = time.perf_counter()
                r = await client.post("/graphql", json=maak_body(i), headers=kop)
                duur = (time.perf_counter() - s) * 1000
                assert r.status_code == 200 and "errors" not in r.json(), r.text[:500]
                if i >= 10:  # warm-up
                    tijden.append(duur)
                    aantallen.append(statements)
            print(
                f"{naam:45s} p50 {_pct(tijden, 50):7.2f} ms  p95 {_pct(tijden, 95):7.2f} ms  "
                f"SQL/verzoek {statistics.mean(aantallen):.1f} (max {max(aantallen)})"
            )

        await meet("casussen(first: 50) + gemeente + inwoner", lambda i: {"query": LIJST, "variables": {"first": 50}})
        await meet(
            "registreerCasus",
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
        )
    await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main())
