"""De Starlette-app: /graphql (POST en GraphiQL), /health, /ready, /version, /metrics. Eén transactie per operatie.

Each operation runs in one unit of work (domein/werkeenheid.py) together with its audit records. A
failed mutation rolls back everything except the audit records of denied attempts, which are written
in a fresh transaction. If the audit cannot be written, the answer carries no data.
"""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import time
from dataclasses import dataclass, field
from typing import Any

import strawberry
from graphql import OperationDefinitionNode, OperationType
from sqlalchemy import event, text
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.auth import OngeldigToken, TokenVerifier, bearer_token
from api.console import console
from api.context import Context
from api.export import auditlog_export
from api.fouten import formatteer, fout, intern, log_onverwacht
from api.gereedheid import gereed
from api.ide import ide_routes
from api.instellingen import Beheer, Instellingen
from api.limieten import (
    Limieten,
    OngeldigeQuery,
    QueryTeComplex,
    controleer_batch,
    controleer_body,
    controleer_json,
    controleer_query,
)
from api.logboek import Verzoeklog, huidig, operatienaam, verzoek_id
from api.metrieken import Metrieken, Toegang, codes, metrics
from api.schema import maak_schema
from api.sporen import instrumenteer, markeer_operatie
from api.veldbewaking import VELDBEWAKING
from api.veldplan import Plannen
from api.verbinding import BewaakteVerbinding
from api.versie import versie
from api.voltooiing import Voltooid
from beleid.beslisser import CasbinBeslisser
from beleid.bron import Beleidsbron
from domein.actor import Actor
from domein.audit import AuditBuffer, Pseudonimiseerder
from domein.maandtabellen import Drempels, StatistiekCache
from domein.opslag.db import is_schrijfconflict
from domein.opslag.db import lezend as lezend_db
from domein.route import Route as RouteDefinitie
from domein.route import standaard_routes
from domein.verzoek import Verzoek
from domein.werkeenheid import Terugdraaien, werkeenheid

log = logging.getLogger("regiekamer")


@dataclass
class Toestand:
    engine: AsyncEngine
    verifier: TokenVerifier
    pseudonimiseerder: Pseudonimiseerder
    limieten: Limieten
    beslisser: CasbinBeslisser
    schema: strawberry.Schema
    drempels: Drempels = field(default_factory=Drempels)
    statistiekcache: StatistiekCache = field(default_factory=StatistiekCache)
    voltooid: Voltooid = field(default_factory=Voltooid)
    routes: dict[str, RouteDefinitie] = field(default_factory=standaard_routes)
    metrieken: Metrieken = field(default_factory=Metrieken)
    beleidsbron: Beleidsbron = field(init=False)
    plannen: Plannen = field(init=False)

    def __post_init__(self) -> None:
        self.beleidsbron = Beleidsbron(self.beslisser)
        self.plannen = Plannen(self.schema._schema)

    async def verzoek(
        self, actor: Actor, conn: AsyncConnection, request_id: str, auditbuffer: AuditBuffer
    ) -> tuple[Verzoek, CasbinBeslisser]:
        """Het verzoek binnen een werkeenheid (``auditbuffer`` is de hare), met het beleid van de nieuwste versie."""
        beslisser = await self.beleidsbron.actueel(conn)
        return Verzoek(
            actor,
            conn,
            beslisser,
            self.pseudonimiseerder,
            request_id,
            audit=auditbuffer,
            drempels=self.drempels,
            statistiekcache=self.statistiekcache,
            routes=self.routes,
        ), beslisser


def _antwoord(inhoud: Any, status: int, request_id: str) -> JSONResponse:
    if (info := huidig()) is not None:
        info.codes += codes(inhoud)  # counted and logged by the request middleware (api/logboek.py)
    return JSONResponse(inhoud, status_code=status, headers={"X-Request-Id": request_id})


def _is_mutatie(document: Any, operation_name: str | None) -> bool:
    for d in document.definitions:
        if isinstance(d, OperationDefinitionNode) and (
            operation_name is None or (d.name and d.name.value == operation_name)
        ):
            return d.operation is OperationType.MUTATION
    return False


async def voer_uit(
    t: Toestand, actor: Actor, payload: Any, request_id: str, lezend: bool | None = None, opnieuw: bool = False
) -> dict[str, Any]:
    """Voert één GraphQL-operatie uit en geeft het JSON-antwoord terug.

    A query that shows no persoonsgegevens (``api.leesplan``) runs in a reading unit of work (on SQLite:
    no write lock, so it never waits for a writer). If it has to write after all (a denial is audited
    too) and SQLite cannot upgrade the transaction, it is rolled back and run once more from the start
    in a writing unit (``lezend=False``): nothing was sent out yet, and the audit stays in the same
    transaction as the read.
    """
    if not isinstance(payload, dict) or not isinstance(payload.get("query"), str):
        return {"errors": [fout("BAD_USER_INPUT", "Stuur een JSON-object met een 'query' (tekst).")]}
    query: str = payload["query"]
    variabelen = payload.get("variables") or {}
    operatie = payload.get("operationName")
    if not isinstance(variabelen, dict) or (operatie is not None and not isinstance(operatie, str)):
        return {"errors": [fout("BAD_USER_INPUT", "'variables' moet een object zijn en 'operationName' tekst.")]}
    try:
        controleer_json(payload, t.limieten)
        document = controleer_query(t.schema._schema, query, t.limieten, operatie, variabelen)
    except QueryTeComplex as e:
        return {"errors": [fout("QUERY_TE_COMPLEX", e.bericht)]}
    except OngeldigeQuery as e:
        return {"errors": [fout("BAD_USER_INPUT", e.bericht, veld=e.veld)]}
    mutatie = _is_mutatie(document, operatie)
    if lezend is None:  # a query that reads persoonsgegevens writes its audit: it takes the write lock at once
        voorlopig = t.plannen.plan(query, operatie, document, t.beleidsbron.laatst_bekend, actor)
        lezend = not mutatie and not voorlopig.geaudit_bij_lezen
    fouten: list[dict[str, Any]] = []
    begonnen = False
    try:
        async with werkeenheid(t.engine, request_id, lezend=lezend) as eenheid:
            # Resolvers get the guarded view of the connection; commit, rollback and audit use it directly.
            bewaakt = BewaakteVerbinding(eenheid.conn)
            vz, beslisser = await t.verzoek(actor, bewaakt, request_id, eenheid.audit)
            begonnen = True
            plan = t.plannen.plan(query, operatie, document, beslisser, actor)
            bewaking = VELDBEWAKING.set(bool(plan.geweigerd))
            try:
                async with asyncio.timeout(t.limieten.verzoek_seconden):
                    resultaat = await t.schema.execute(
                        query, variabelen, Context.voor(vz, beslisser, plan, t.voltooid), operation_name=operatie
                    )
            except TimeoutError:
                resultaat = None
                await bewaakt.onderbreek()
            finally:
                VELDBEWAKING.reset(bewaking)
                await bewaakt.stil()
            if resultaat is None:
                log.warning("Verzoek %s afgebroken na %s s", request_id, t.limieten.verzoek_seconden)
                fouten = [fout("QUERY_TE_COMPLEX", _te_lang(t.limieten), requestId=request_id)]
            else:
                if lezend:
                    for gql_fout in resultaat.errors or []:
                        if gql_fout.original_error is not None and is_schrijfconflict(gql_fout.original_error):
                            raise gql_fout.original_error  # rolled back without writing; redone below
                fouten = [formatteer(e, request_id) for e in resultaat.errors or []]
            if resultaat is None or (fouten and (mutatie or _transactie_onbruikbaar(resultaat))):
                # Nothing of a failed mutation stays, nor anything of a transaction the database gave up
                # on or that ran out of time; only the denials are recorded, in a fresh transaction.
                raise Terugdraaien
    except Terugdraaien:
        t.metrieken.audit(eenheid.audit.weigeringen)  # only the denials were written, and committed
        return {"data": None, "errors": fouten}
    except Exception as fout_:
        if not begonnen and not opnieuw and isinstance(fout_, DBAPIError) and fout_.connection_invalidated:
            # No pre-ping per request: a pooled connection the database closed (a restart, a failover) fails on
            # the request's first statement, before anything was read or written; once more on a fresh one.
            log.info("Verzoek %s: de verbinding uit de pool was verbroken; opnieuw met een nieuwe", request_id)
            return await voer_uit(t, actor, payload, request_id, lezend=lezend, opnieuw=True)
        if lezend and is_schrijfconflict(fout_):
            log.info("Verzoek %s: leestransactie moest schrijven en kreeg het schrijfslot niet; opnieuw", request_id)
            return await voer_uit(t, actor, payload, request_id, lezend=False)
        # The database unreachable, or a rollback on a broken connection: still a coded answer.
        log_onverwacht(request_id, fout_)
        return {"data": None, "errors": [intern(request_id)]}
    t.metrieken.audit(eenheid.audit.alle())  # written in the unit's transaction, which has committed
    antwoord: dict[str, Any] = {"data": resultaat.data}
    if fouten:
        antwoord["errors"] = fouten
    return antwoord


def _te_lang(limieten: Limieten) -> str:
    return (
        f"De query duurde langer dan {limieten.verzoek_seconden:g} seconden en is afgebroken; er is niets opgeslagen. "
        "Vraag minder tegelijk op."
    )


def _transactie_onbruikbaar(resultaat: Any) -> bool:
    """Of een resolver op een databasefout stuitte: PostgreSQL weigert daarna elk statement van de transactie."""
    return any(isinstance(e.original_error, SQLAlchemyError) for e in resultaat.errors or [])


async def _geteld(t: Toestand, actor: Actor, payload: Any, request_id: str) -> dict[str, Any]:
    """``voer_uit`` met de duur per operationName in de metrieken."""
    begin = time.perf_counter()
    antwoord = await voer_uit(t, actor, payload, request_id)
    naam = operatienaam(payload.get("operationName") if isinstance(payload, dict) else None)
    t.metrieken.operatie(naam, time.perf_counter() - begin)
    return antwoord


def _beschrijf(actor: Actor, payload: Any) -> None:
    """Wat de verzoekregel in het log over dit verzoek noemt (api/logboek.py): geen inhoud, geen token."""
    delen = payload if isinstance(payload, list) else [payload]
    naam = ",".join(operatienaam(p.get("operationName") if isinstance(p, dict) else None) for p in delen[:5])
    markeer_operatie(naam)
    if (info := huidig()) is not None:
        info.operatie, info.rol, info.organisatie = naam, str(actor.rol), actor.organisatie


async def graphql_post(request: Request) -> Response:
    t: Toestand = request.app.state.toestand
    request_id = verzoek_id()
    try:
        lengte = int(request.headers.get("content-length") or 0)
        controleer_body(lengte, t.limieten)
        # A client that trickles its body in holds a connection (and a worker slot) for as long as it likes.
        async with asyncio.timeout(t.limieten.body_seconden):
            body = await request.body()
        controleer_body(len(body), t.limieten)
    except QueryTeComplex as e:
        return _antwoord({"errors": [fout("QUERY_TE_COMPLEX", e.bericht)]}, 413, request_id)
    except ValueError:
        return _antwoord({"errors": [fout("BAD_USER_INPUT", "Ongeldige Content-Length.")]}, 400, request_id)
    except TimeoutError:
        bericht = f"De body kwam niet binnen {t.limieten.body_seconden:g} seconden binnen; stuur het verzoek opnieuw."
        return _antwoord({"errors": [fout("BAD_USER_INPUT", bericht)]}, 408, request_id)
    try:
        token = bearer_token(request.headers.get("authorization"))
        # In JWKS mode verify may fetch keys over the network: keep that off the event loop. With a configured
        # public key it is a signature check only, cheaper than the hop to a thread.
        actor = (
            t.verifier.verify(token) if t.verifier.zonder_netwerk else await run_in_threadpool(t.verifier.verify, token)
        )
    except OngeldigToken as e:
        return _antwoord({"errors": [fout("UNAUTHENTICATED", e.bericht)]}, 401, request_id)
    try:
        payload = json.loads(body)
    except ValueError:  # not JSON, not UTF-8, or a number of thousands of digits (Python's int limit)
        return _antwoord({"errors": [fout("BAD_USER_INPUT", "De body is geen geldige JSON.")]}, 400, request_id)
    except RecursionError:
        bericht = f"De JSON is te diep genest (maximaal {t.limieten.max_json_diepte} niveaus); maak de invoer platter."
        return _antwoord({"errors": [fout("BAD_USER_INPUT", bericht)]}, 400, request_id)
    _beschrijf(actor, payload)
    if isinstance(payload, list):
        try:
            controleer_batch(len(payload), t.limieten)
        except QueryTeComplex as e:
            return _antwoord({"errors": [fout("QUERY_TE_COMPLEX", e.bericht)]}, 200, request_id)
        return _antwoord([await _geteld(t, actor, p, request_id) for p in payload], 200, request_id)
    return _antwoord(await _geteld(t, actor, payload, request_id), 200, request_id)


async def health(request: Request) -> Response:
    t: Toestand = request.app.state.toestand
    for poging in (1, 2):
        try:
            async with t.engine.connect() as conn:
                await lezend_db(conn)  # a health check never waits for a writer
                await conn.execute(text("SELECT 1"))
        except DBAPIError as e:
            if poging == 1 and e.connection_invalidated:
                continue  # no pre-ping: a pooled connection the server closed; once more on a fresh one
            log.exception("Database antwoordt niet")
            return JSONResponse({"status": "database onbereikbaar"}, status_code=503)
        except Exception:
            log.exception("Database antwoordt niet")
            return JSONResponse({"status": "database onbereikbaar"}, status_code=503)
        break
    return JSONResponse({"status": "ok"})


def stem_gc_af() -> None:
    """Minder vaak opruimen: een GraphQL-antwoord maakt tienduizenden kortlevende objecten.

    With CPython's default gen-0 threshold (700) a 50-row answer triggers many collections; the
    benchmark showed p95 latency at 2-3x p50 from that alone. Objects alive at start-up are frozen
    out of future collections.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 50, 100)


class Vangnet:
    """Geen route antwoordt met een 500 in platte tekst: een onverwachte fout wordt JSON met een verzoek-id."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        begonnen = False

        async def zend(bericht: Message) -> None:
            nonlocal begonnen
            begonnen = begonnen or bericht["type"] == "http.response.start"
            await send(bericht)

        try:
            await self.app(scope, receive, zend)
        except Exception as e:
            request_id = verzoek_id()
            log_onverwacht(request_id, e)
            if begonnen:
                return  # the answer is already under way (a streamed export): the server closes the connection
            await _antwoord({"errors": [intern(request_id)]}, 500, request_id)(scope, receive, send)


def zet_statement_timeout(engine: AsyncEngine, seconden: float) -> None:
    """PostgreSQL breekt een statement van deze app na ``seconden`` af (elke nieuwe verbinding)."""
    if engine.dialect.name != "postgresql" or seconden <= 0:
        return
    ms = max(1, int(seconden * 1000))

    def _bij_verbinden(dbapi_connection: Any, _record: Any) -> None:
        # Straight on the driver connection: outside SQLAlchemy's transaction, so no rollback undoes it.
        dbapi_connection.run_async(lambda c: c.execute(f"SET statement_timeout = {ms}"))

    event.listen(engine.sync_engine, "connect", _bij_verbinden)


def maak_app(
    engine: AsyncEngine,
    verifier: TokenVerifier,
    pseudonimiseerder: Pseudonimiseerder,
    limieten: Limieten,
    beslisser: CasbinBeslisser | None = None,
    drempels: Drempels | None = None,
    routes: dict[str, RouteDefinitie] | None = None,
    ide: bool | None = None,  # GraphiQL; None: from the settings (demo/ontwikkeling, REGIEKAMER_GRAPHIQL)
    beheer: Beheer | None = None,
) -> Starlette:
    beheer = beheer or Beheer()
    metrieken = Metrieken(Toegang(beheer.metrics, beheer.metrics_token))
    app = Starlette(
        routes=[
            Route("/graphql", graphql_post, methods=["POST"]),
            *ide_routes(Instellingen().graphiql_aan() if ide is None else ide),
            Route("/health", health, methods=["GET"]),
            Route("/ready", gereed, methods=["GET"]),
            Route("/auditlog/export", auditlog_export, methods=["GET"]),
            Mount("/console", app=console),
            Route("/version", versie, methods=["GET"]),
            Route("/metrics", metrics, methods=["GET"]),
        ],
        middleware=[Middleware(Verzoeklog, metrieken=metrieken), Middleware(Vangnet)],
    )
    zet_statement_timeout(engine, limieten.statement_seconden)
    app.state.toestand = Toestand(
        engine,
        verifier,
        pseudonimiseerder,
        limieten,
        beslisser or CasbinBeslisser(),
        maak_schema(),
        drempels or Drempels(),
        routes=routes or standaard_routes(),
        metrieken=metrieken,
    )
    if beheer.sporen:
        instrumenteer(app)
    return app
