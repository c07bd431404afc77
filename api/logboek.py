"""Logregels: JSON of tekst, één regel per verzoek, en het verzoek-id in elke regel van dat verzoek.

The request id is made here, once per HTTP request, and kept in a context variable: the GraphQL
handler uses it for its audit records and error answers, the answer carries it in ``X-Request-Id``
and every log line written while the request runs carries it as ``request_id`` (a logging filter
adds it). An id sent by the client is not taken over: it ends up in the audit log.

The request line names method, path (never the query string: a GET could carry a query with a BSN),
status, duration, the operation name, rol and organisatie. Never tokens, query text, variables or
anything else from the body.
"""

from __future__ import annotations

import logging
import logging.config
import re
import time
import uuid
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter
from starlette.types import ASGIApp, Message, Receive, Scope, Send

if TYPE_CHECKING:
    from api.metrieken import Metrieken

Formaat = Literal["json", "tekst"]

log = logging.getLogger("regiekamer.verzoek")

KOP = "X-Request-Id"
ANONIEM = "anoniem"
_NAAM = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,63}")
_CIJFERS = re.compile(r"\d{5,}")


@dataclass
class Verzoekinfo:
    """Wat over één lopend verzoek gelogd en geteld mag worden (geen inhoud, geen token)."""

    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    operatie: str | None = None
    rol: str | None = None
    organisatie: str | None = None
    codes: list[str] = field(default_factory=list)


VERZOEK: ContextVar[Verzoekinfo | None] = ContextVar("regiekamer_verzoek", default=None)


def huidig() -> Verzoekinfo | None:
    return VERZOEK.get()


def verzoek_id() -> str:
    """Het id van het lopende verzoek; buiten een verzoek (CLI, tests zonder middleware) een nieuw id."""
    info = VERZOEK.get()
    return info.id if info is not None else str(uuid.uuid4())


def operatienaam(naam: object) -> str:
    """De operationName zoals hij gelogd en geteld wordt: een GraphQL-naam, of ``anoniem``.

    The name is the client's choice: anything that is not a plain GraphQL name becomes ``anoniem``,
    and a run of five or more digits (a BSN would be one) is masked, so a client cannot put personal
    data in the log or the metrics through it.
    """
    if not isinstance(naam, str) or not _NAAM.fullmatch(naam):
        return ANONIEM
    return _CIJFERS.sub("_", naam)


class VerzoekFilter(logging.Filter):
    """Zet ``request_id`` op elke logregel die binnen een verzoek geschreven wordt."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            info = VERZOEK.get()
            record.request_id = info.id if info is not None else None
        return True


class JsonFormaat(JsonFormatter):
    """Eén JSON-object per regel: tijd (UTC, ISO 8601), niveau, logger, bericht, pid, request_id en extra velden."""

    def __init__(self) -> None:
        super().__init__(
            "%(levelname)s %(name)s %(message)s %(process)d",
            rename_fields={"levelname": "niveau", "name": "logger", "message": "bericht", "process": "pid"},
            timestamp="tijd",
            json_ensure_ascii=False,
            reserved_attrs=[*RESERVED_ATTRS, "color_message"],  # uvicorn's copy of the message with ANSI colours
        )


class TekstFormaat(logging.Formatter):
    """Leesbare regels voor de ontwikkelaar, met het verzoek-id erachter als er een is."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        tekst = super().format(record)
        request_id = getattr(record, "request_id", None)
        return f"{tekst} [verzoek {request_id}]" if request_id else tekst


def logconfig(formaat: Formaat, niveau: str = "INFO") -> dict[str, Any]:
    """De configuratie voor ``logging.config.dictConfig``, ook als ``log_config`` van uvicorn (elke worker)."""
    formatter = JsonFormaat if formaat == "json" else TekstFormaat
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"verzoek": {"()": VerzoekFilter}},
        "formatters": {"regiekamer": {"()": formatter}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "formatter": "regiekamer",
                "filters": ["verzoek"],
            }
        },
        "root": {"level": niveau, "handlers": ["stderr"]},
        "loggers": {
            # uvicorn's own handlers would write plain text: everything goes through the root handler.
            "uvicorn": {"level": niveau, "handlers": [], "propagate": True},
            "uvicorn.error": {"level": niveau, "handlers": [], "propagate": True},
            "uvicorn.access": {"level": "WARNING", "handlers": [], "propagate": True},
            "alembic": {"level": "WARNING"},
            "casbin": {"level": "WARNING"},  # it logs the whole policy at start
        },
    }


def stel_in(formaat: Formaat, niveau: str = "INFO") -> None:
    logging.config.dictConfig(logconfig(formaat, niveau))
    logging.captureWarnings(True)  # a library's warning becomes a log line too (JSON, not a bare stderr line)


class Verzoeklog:
    """ASGI-middleware: maakt het verzoek-id, zet het in het antwoord, logt en telt het verzoek.

    The outermost layer, so the safety net (``Vangnet``) and every handler run inside the context
    of the request and use its id.
    """

    def __init__(self, app: ASGIApp, metrieken: Metrieken | None = None) -> None:
        self.app = app
        self.metrieken = metrieken

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        info = Verzoekinfo()
        teken = VERZOEK.set(info)
        status = 500
        begin = time.perf_counter()

        async def zend(bericht: Message) -> None:
            nonlocal status
            if bericht["type"] == "http.response.start":
                status = int(bericht["status"])
                koppen = list(bericht.get("headers", []))
                eigen = next((v for k, v in koppen if k.lower() == KOP.lower().encode()), None)
                if eigen is None:
                    koppen.append((KOP.encode(), info.id.encode()))
                else:  # a handler that makes its own id (the audit export): log that one
                    info.id = eigen.decode("latin-1")
                bericht["headers"] = koppen
            await send(bericht)

        try:
            await self.app(scope, receive, zend)
        finally:
            duur = time.perf_counter() - begin
            self._log(scope, info, status, duur)
            if self.metrieken is not None:
                self.metrieken.verzoek(scope, status, duur, info.codes)
            VERZOEK.reset(teken)

    @staticmethod
    def _log(scope: Scope, info: Verzoekinfo, status: int, duur: float) -> None:
        ms = round(duur * 1000, 1)
        log.info(
            "%s %s %s (%s ms)",
            scope["method"],
            scope["path"],
            status,
            ms,
            extra={
                "request_id": info.id,
                "methode": scope["method"],
                "pad": scope["path"],
                "status": status,
                "duur_ms": ms,
                "operatie": info.operatie,
                "rol": info.rol,
                "organisatie": info.organisatie,
                "codes": info.codes,
            },
        )
