"""Prometheus-metrieken (prometheus-client), geserveerd op GET /metrics als de instelling dat toestaat.

What is counted, all per process (or summed over workers, see below):

- ``regiekamer_http_verzoeken_total{methode, route, status}`` and ``regiekamer_http_verzoek_seconden{route}``:
  every HTTP request; ``route`` is the route template, or ``onbekend`` (a scanner's paths stay out);
- ``regiekamer_graphql_operaties_total{operatie}`` and ``regiekamer_graphql_operatie_seconden{operatie}``:
  every GraphQL operation (a batch counts each), by operationName or ``anoniem``; at most
  ``MAX_OPERATIES`` distinct names per process, the rest as ``overig``;
- ``regiekamer_auditregels_total{uitkomst}``: audit records written and committed by GraphQL operations;
- ``regiekamer_weigeringen_total{verwerking, uitkomst}``: those of them that record a denial
  (``verwerking`` is e.g. ``lezen casus``; ``uitkomst`` is ``geweigerd`` or ``niet_gevonden``);
- ``regiekamer_fouten_total{code}``: error codes in answers (contract.md), one per error.

No label carries a token, a query, a variable or a persoonsgegeven. Several workers (``--workers N``):
set ``PROMETHEUS_MULTIPROC_DIR`` to an empty directory before start; every worker then writes its
values there and /metrics sums them. Without it each worker answers with its own counts.
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Scope

from api.fouten import fout
from api.logboek import ANONIEM
from domein.audit import AuditRegel, Uitkomst

MAX_OPERATIES = 200
OVERIG = "overig"
ONBEKEND = "onbekend"
MULTIPROC = "PROMETHEUS_MULTIPROC_DIR"
_SECONDEN = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)


@dataclass(frozen=True)
class Toegang:
    """Of /metrics antwoordt, en met welk bearer-token (None: zonder token, bijv. achter een eigen poort)."""

    aan: bool = False
    token: str | None = None


class Metrieken:
    """De tellers van één app, in een eigen register (zo telt een test precies zijn eigen verzoeken)."""

    def __init__(self, toegang: Toegang | None = None) -> None:
        self.toegang = toegang or Toegang()
        self.register = CollectorRegistry()
        r = self.register
        self.http = Counter(
            "regiekamer_http_verzoeken",
            "HTTP-verzoeken per route en status.",
            ["methode", "route", "status"],
            registry=r,
        )
        self.http_duur = Histogram(
            "regiekamer_http_verzoek_seconden", "Duur van HTTP-verzoeken.", ["route"], buckets=_SECONDEN, registry=r
        )
        self.operaties = Counter(
            "regiekamer_graphql_operaties", "GraphQL-operaties per operationName.", ["operatie"], registry=r
        )
        self.operatie_duur = Histogram(
            "regiekamer_graphql_operatie_seconden",
            "Duur van GraphQL-operaties per operationName.",
            ["operatie"],
            buckets=_SECONDEN,
            registry=r,
        )
        self.auditregels = Counter(
            "regiekamer_auditregels", "Geschreven en vastgelegde auditregels.", ["uitkomst"], registry=r
        )
        self.weigeringen = Counter(
            "regiekamer_weigeringen", "Vastgelegde weigeringen per verwerking.", ["verwerking", "uitkomst"], registry=r
        )
        self.fouten = Counter("regiekamer_fouten", "Foutcodes in antwoorden.", ["code"], registry=r)
        self._operaties: set[str] = set()

    def _operatie(self, naam: str) -> str:
        if naam in self._operaties or naam == ANONIEM:
            return naam
        if len(self._operaties) >= MAX_OPERATIES:
            return OVERIG  # operation names are chosen by clients: the number of series stays bounded
        self._operaties.add(naam)
        return naam

    def verzoek(self, scope: Scope, status: int, seconden: float, codes: Iterable[str]) -> None:
        route = getattr(scope.get("route"), "path", None) or ONBEKEND
        self.http.labels(scope["method"], route, str(status)).inc()
        self.http_duur.labels(route).observe(seconden)
        for code in codes:
            self.fouten.labels(code).inc()

    def operatie(self, naam: str, seconden: float) -> None:
        label = self._operatie(naam)
        self.operaties.labels(label).inc()
        self.operatie_duur.labels(label).observe(seconden)

    def audit(self, regels: Iterable[AuditRegel]) -> None:
        """Telt auditregels die vastgelegd zijn (aanroepen na de commit van hun transactie)."""
        for regel in regels:
            self.auditregels.labels(str(regel.uitkomst)).inc()
            if regel.uitkomst is not Uitkomst.GESLAAGD:
                self.weigeringen.labels(regel.verwerkingsactiviteit, str(regel.uitkomst)).inc()

    def tekst(self) -> bytes:
        """Het Prometheus-tekstformaat; met PROMETHEUS_MULTIPROC_DIR opgeteld over alle workers."""
        if os.environ.get(MULTIPROC):
            register = CollectorRegistry()
            MultiProcessCollector(register)
            return bytes(generate_latest(register))
        return bytes(generate_latest(self.register))


def _geweigerd(status: int, code: str, bericht: str, **koppen: str) -> Response:
    return JSONResponse({"errors": [fout(code, bericht)]}, status_code=status, headers=koppen or None)


async def metrics(request: Request) -> Response:
    """GET /metrics: 404 als het uit staat; met een ingesteld token alleen met ``Authorization: Bearer <token>``."""
    m: Metrieken = request.app.state.toestand.metrieken
    if not m.toegang.aan:
        return _geweigerd(404, "NOT_FOUND", "Deze pagina bestaat niet.")
    if m.toegang.token is not None and not _token_klopt(request.headers.get("authorization"), m.toegang.token):
        return _geweigerd(
            401, "UNAUTHENTICATED", "Stuur het metriekentoken als 'Authorization: Bearer <token>'.",
            **{"WWW-Authenticate": 'Bearer realm="metrics"'},
        )  # fmt: skip
    return Response(m.tekst(), media_type=CONTENT_TYPE_LATEST)


def _token_klopt(kop: str | None, token: str) -> bool:
    soort, _, waarde = (kop or "").partition(" ")
    return soort.lower() == "bearer" and hmac.compare_digest(waarde.strip().encode(), token.encode())


def codes(inhoud: Any) -> list[str]:
    """De foutcodes in een JSON-antwoord (één object, of een lijst bij een batch)."""
    antwoorden = inhoud if isinstance(inhoud, list) else [inhoud]
    uit: list[str] = []
    for antwoord in antwoorden:
        if isinstance(antwoord, dict):
            for e in antwoord.get("errors") or []:
                code = (e.get("extensions") or {}).get("code") if isinstance(e, dict) else None
                uit.append(str(code) if code else "ONBEKEND")
    return uit
