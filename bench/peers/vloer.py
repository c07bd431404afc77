"""De ruwe vloer: één asyncpg-query achter een kaal Starlette-endpoint, met byte-gelijke JSON als Regiekamer.

No authorization, no audit, no GraphQL: the least any server must do for this page (read the request,
one round trip, encode the answer). Ids are encoded with ``api.relay.globale_id`` and the body with
Starlette's ``JSONResponse``, as Regiekamer does, so the bench can demand byte-identical answers.
Served by uvicorn: ``uvicorn bench.peers.vloer:maak_app --factory`` with PEERS_DSN and PEERS_GEMEENTE.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from api.relay import globale_id

# The order of domein.casussen.zoek (keyset on aangemaakt_op, id) within the consulent's own gemeente.
SQL = """SELECT c.id, g.naam AS gemeente, p.naam AS inwoner
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


def maak_app(dsn: str | None = None, gemeente: str | None = None, first: int = 50) -> Starlette:
    dsn = (dsn or os.environ["PEERS_DSN"]).replace("+asyncpg", "")
    code = gemeente or os.environ.get("PEERS_GEMEENTE", "0268")
    pool: asyncpg.Pool | None = None

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
        routes=[Route("/graphql", graphql, methods=["POST"]), Route("/health", health, methods=["GET"])],
        lifespan=levensloop,
    )
    app.state.sluit = sluit
    return app
