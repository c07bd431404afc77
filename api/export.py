"""GET /auditlog/export: het auditlog van de eigen organisatie als JSON-regels (VNG Verwerkingenlogging).

The export is checked and recorded in the audit log first, in its own transaction; only then does the
first line go out. Lines are streamed in blocks, so a year of records needs no more memory than a
block. ``van`` and ``tot`` are dates or ISO times (``tot`` exclusive); both are optional.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.exc import DBAPIError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from api.auth import OngeldigToken, bearer_token
from api.fouten import fout, intern, log_onverwacht
from api.logboek import verzoek_id
from domein import auditlog
from domein.fouten import DomeinFout, OngeldigeInvoer
from domein.waarden import als_utc
from domein.werkeenheid import werkeenheid

_STATUS = {"FORBIDDEN": 403, "BAD_USER_INPUT": 400}
_REGELS_PER_BLOK = 500


def _tijd(waarde: str | None, veld: str) -> datetime | None:
    if not waarde:
        return None
    try:
        if len(waarde) == 10:
            d = date.fromisoformat(waarde)
            return datetime(d.year, d.month, d.day, tzinfo=UTC)
        t = datetime.fromisoformat(waarde)
    except ValueError:
        raise OngeldigeInvoer(f"'{veld}' is geen datum (JJJJ-MM-DD) of ISO-tijd.", veld=veld) from None
    return als_utc(t)


def _fout(code: str, bericht: str, request_id: str, veld: str | None = None) -> JSONResponse:
    return JSONResponse({"errors": [fout(code, bericht, veld=veld)]}, status_code=_STATUS.get(code, 500),
                        headers={"X-Request-Id": request_id})  # fmt: skip


async def _begin_export(
    t: Any, actor: Any, request_id: str, van: datetime | None, tot: datetime | None, opnieuw: bool = False
) -> Any:
    """Legt de export vast (geaudit) en geeft de opdracht; eenmaal opnieuw op een door de server gesloten verbinding.

    There is no pre-ping per request (``domein.opslag.db``): like ``api.app.voer_uit``, a pooled connection the
    database closed fails on the first statement, before anything was read or written, and is tried once more.
    """
    begonnen = False
    try:
        async with werkeenheid(t.engine, request_id) as eenheid:
            vz, _ = await t.verzoek(actor, eenheid.conn, request_id, eenheid.audit)
            begonnen = True
            return auditlog.begin_export(vz, van, tot)
    except DBAPIError as e:
        if begonnen or opnieuw or not e.connection_invalidated:
            raise
        return await _begin_export(t, actor, request_id, van, tot, opnieuw=True)


async def auditlog_export(request: Request) -> Response:
    t = request.app.state.toestand
    request_id = verzoek_id()  # the id the log lines and the X-Request-Id header of this request carry
    try:
        actor = await run_in_threadpool(t.verifier.verify, bearer_token(request.headers.get("authorization")))
    except OngeldigToken as e:
        return JSONResponse({"errors": [fout("UNAUTHENTICATED", e.bericht)]}, status_code=401,
                            headers={"X-Request-Id": request_id})  # fmt: skip
    try:
        van = _tijd(request.query_params.get("van"), "van")
        tot = _tijd(request.query_params.get("tot"), "tot")
    except OngeldigeInvoer as e:
        return _fout(e.code, e.bericht, request_id, e.veld)
    try:
        opdracht = await _begin_export(t, actor, request_id, van, tot)
    except DomeinFout as e:
        return _fout(e.code, e.bericht, request_id, e.veld)
    except Exception as e:
        log_onverwacht(request_id, e)
        return JSONResponse({"errors": [intern(request_id)]}, status_code=500, headers={"X-Request-Id": request_id})

    async def regels() -> AsyncIterator[str]:
        blok: list[str] = []  # one write per block of lines, not one per line
        async for actie in auditlog.exporteer(t.engine, opdracht):
            blok.append(json.dumps(actie, ensure_ascii=False, separators=(",", ":")))
            if len(blok) == _REGELS_PER_BLOK:
                yield "\n".join(blok) + "\n"
                blok = []
        if blok:
            yield "\n".join(blok) + "\n"

    naam = f"auditlog-{actor.organisatie}-{van.date() if van else 'begin'}-{tot.date() if tot else 'nu'}"
    return StreamingResponse(
        regels(),
        media_type="application/x-ndjson",
        headers={"X-Request-Id": request_id, "Content-Disposition": f'attachment; filename="{naam}.jsonl"'},
    )
