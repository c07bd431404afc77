"""Gedeelde benchmarkbouwstenen: verse database, de echte app in-process, p50/p95 en SQL per verzoek."""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from api.app import maak_app, stem_gc_af
from api.auth import TokenVerifier
from api.limieten import Limieten
from api.sleutels import DemoSleutel
from beleid.beslisser import CasbinBeslisser
from domein.audit import Pseudonimiseerder
from domein.opslag.db import maak_engine
from domein.opslag.migraties import migreer

UIT = Path(__file__).parent / "uitvoer"
PSEUDO = Pseudonimiseerder(b"bench-sleutel-bench-sleutel-bench-sleutel!")


async def verse_database(naam: str) -> tuple[str, AsyncEngine]:
    """Een lege, gemigreerde database: SQLite in bench/uitvoer, of PostgreSQL als DATABASE_URL dat zegt."""
    url = os.environ.get("DATABASE_URL") or ""
    if url.startswith("postgresql"):
        conn = await asyncpg.connect(url.replace("+asyncpg", ""))
        await conn.execute(f"DROP DATABASE IF EXISTS {naam} WITH (FORCE)")
        await conn.execute(f"CREATE DATABASE {naam}")
        await conn.close()
        url = url.rsplit("/", 1)[0] + f"/{naam}"
    else:
        UIT.mkdir(exist_ok=True)
        for p in UIT.glob(f"{naam}.db*"):
            p.unlink()
        url = f"sqlite+aiosqlite:///{UIT / naam}.db"
    await migreer(url)
    return url, maak_engine(url)


class Meter:
    """Stuurt verzoeken naar de app zoals 'regiekamer serve' die bouwt, en telt tijd en SQL-statements."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.statements = 0
        event.listen(engine.sync_engine, "before_cursor_execute", self._tel)
        self.sleutel = DemoSleutel.maak(UIT / "sleutel")
        self.app = maak_app(
            engine, TokenVerifier(public_key_pem=self.sleutel.public_key_pem), PSEUDO, Limieten(), CasbinBeslisser()
        )
        stem_gc_af()

    def _tel(self, *_a: Any) -> None:
        self.statements += 1

    async def meet(
        self,
        naam: str,
        rol: str,
        gemeente: str | None,
        maak_body: Callable[[int], dict[str, Any]],
        verzoeken: int,
        voor: Callable[[], None] | None = None,
        opwarmen: int = 10,
    ) -> None:
        """``voor`` runs before every request, untimed (e.g. to empty a cache for a cold measurement)."""
        kop = {"Authorization": "Bearer " + self.sleutel.maak_token(rol=rol, gemeente=gemeente, sub="bench")}
        tijden, aantallen = [], []
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app), base_url="http://bench") as c:
            for i in range(verzoeken + opwarmen):
                if voor is not None:
                    voor()
                self.statements = 0
                start = time.perf_counter()
                r = await c.post("/graphql", json=maak_body(i), headers=kop)
                duur = (time.perf_counter() - start) * 1000
                assert r.status_code == 200 and "errors" not in r.json(), r.text[:500]
                if i >= opwarmen:  # warm-up
                    tijden.append(duur)
                    aantallen.append(self.statements)
        q = statistics.quantiles(tijden, n=100)
        print(
            f"{naam:55s} p50 {q[49]:7.2f} ms  p95 {q[94]:7.2f} ms  "
            f"SQL/verzoek {statistics.mean(aantallen):.1f} (max {max(aantallen)})"
        )
