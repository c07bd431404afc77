"""De ruwe vloer: één asyncpg-query achter een kaal Starlette-endpoint, met byte-gelijke JSON als Regiekamer.

No authorization, no audit, no GraphQL: the least any server must do for this page (read the request,
one round trip, encode the answer). Ids are encoded with ``api.relay.globale_id`` and the body with
Starlette's ``JSONResponse``, as Regiekamer does, so the bench can demand byte-identical answers.
Served by uvicorn: ``uvicorn bench.peers.vloer:maak_app --factory`` with PEERS_DSN and PEERS_GEMEENTE.

Two audited floors answer the same JSON: what any server must do at least for this page when the read is
logged durably in the same transaction, as toegang.md asks (the commit waits for the WAL flush; a read
alone does not write at all):
  ``/graphql/audit-1``: one transaction, the read plus ONE chain record (``auditketen_toevoegen``, the
      function Regiekamer uses) for the whole page: the least any audited design writes;
  ``/graphql/audit-50``: the read plus one record per casus with the inwoner's keyed pseudonym, the
      granularity Regiekamer writes today (one record per object per request).
"""

from __future__ import annotations

import contextlib
import json
import os
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import asyncpg
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from api.relay import globale_id
from domein.audit import Pseudonimiseerder, inhoud_hash

# The order of domein.casussen.zoek (keyset on aangemaakt_op, id) within the consulent's own gemeente.
SQL = """SELECT c.id, g.naam AS gemeente, p.naam AS inwoner, p.bsn
FROM casus c JOIN gemeente g ON g.code = c.gemeente_code
LEFT JOIN casus_persoonsgegevens p ON p.casus_id = c.id
WHERE c.gemeente_code = $1
ORDER BY c.aangemaakt_op, c.id
LIMIT $2"""


def antwoord(rijen: list[Any]) -> dict[str, Any]:
    """Hetzelfde JSON-object als Regiekamer voor ``bench.peers.QUERY``."""
    return {
        "data": {
            "casussen": {
                "edges": [
                    {
                        "node": {
                            "id": globale_id("Casus", r["id"]),
                            "gemeente": {"naam": r["gemeente"]},
                            "inwoner": None if r["inwoner"] is None else {"naam": r["inwoner"]},
                        }
                    }
                    for r in rijen
                ]
            }
        }
    }


TOEVOEGEN = "SELECT auditketen_toevoegen($1, $2::jsonb)"


def auditrijen(rijen: list[Any], code: str, per_casus: bool, pseudo: Pseudonimiseerder) -> str:
    """The JSON ``auditketen_toevoegen`` takes: the fields Regiekamer hashes, and each row's content hash."""

    def rij(object_id: str | None, betrokkenen: list[str], volgorde: int) -> dict[str, Any]:
        r: dict[str, Any] = {
            "request_id": str(uuid.uuid4()), "sub": "bench-peers", "rol": "consulent", "organisatie": code,
            "verantwoordelijke": code, "doel": "casusregie", "verwerkingsactiviteit": "casussen lezen",
            "operatie": "lezen", "object_type": "Casus", "object_id": object_id,
            "categorieen": ["persoonsgegevens"], "betrokkenen": betrokkenen, "uitkomst": "geslaagd",
            "vertrouwelijkheid": "vertrouwelijk", "bewaartermijn": "P20Y",
        }  # fmt: skip
        return {**r, "inhoud": inhoud_hash(r), "keten": code, "volgorde": volgorde, "tijdstip": None}

    if per_casus:
        lijst = [
            rij(str(r["id"]), [] if r["bsn"] is None else [pseudo.pseudoniem(r["bsn"])], i) for i, r in enumerate(rijen)
        ]
    else:
        lijst = [rij(None, [], 0)]
    return json.dumps(lijst, separators=(",", ":"))


def maak_app(dsn: str | None = None, gemeente: str | None = None, first: int = 50) -> Starlette:
    dsn = (dsn or os.environ["PEERS_DSN"]).replace("+asyncpg", "")
    code = gemeente or os.environ.get("PEERS_GEMEENTE", "0268")
    pool: asyncpg.Pool | None = None
    pseudo = Pseudonimiseerder(os.environ.get("PEERS_PSEUDONIEM_SLEUTEL", "vloer-" * 8).encode())

    async def verbindingen() -> asyncpg.Pool:
        # Made on first use, so the app also works under httpx.ASGITransport (no lifespan) in the test.
        nonlocal pool
        if pool is None:
            pool = await asyncpg.create_pool(dsn, min_size=1, max_size=16)
        return pool

    async def graphql(request: Request) -> Response:
        json.loads(await request.body())  # a server reads and parses the request; the query itself is fixed
        async with (await verbindingen()).acquire() as conn:
            rijen = await conn.fetch(SQL, code, first)
        return JSONResponse(antwoord(rijen))

    def geaudit(per_casus: bool) -> Any:
        async def graphql_geaudit(request: Request) -> Response:
            json.loads(await request.body())
            async with (await verbindingen()).acquire() as conn, conn.transaction():
                rijen = await conn.fetch(SQL, code, first)
                await conn.execute(TOEVOEGEN, datetime.now(UTC), auditrijen(rijen, code, per_casus, pseudo))
            return JSONResponse(antwoord(rijen))

        return graphql_geaudit

    async def health(_request: Request) -> Response:
        await verbindingen()
        return JSONResponse({"status": "ok"})

    async def sluit() -> None:
        if pool is not None:
            await pool.close()

    @contextlib.asynccontextmanager
    async def levensloop(_app: Starlette) -> AsyncIterator[None]:
        yield
        await sluit()

    app = Starlette(
        routes=[
            Route("/graphql", graphql, methods=["POST"]),
            Route("/graphql/audit-1", geaudit(per_casus=False), methods=["POST"]),
            Route("/graphql/audit-50", geaudit(per_casus=True), methods=["POST"]),
            Route("/health", health, methods=["GET"]),
        ],
        lifespan=levensloop,
    )
    app.state.sluit = sluit
    return app
