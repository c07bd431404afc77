"""Fouten naar het contract: een code, een Nederlandse melding, nooit een stacktrace."""

from __future__ import annotations

import logging
import re
import traceback
from typing import Any

from graphql import GraphQLError
from sqlalchemy.exc import DBAPIError

from api.vertaling import vertaal_tekst
from domein.fouten import DomeinFout

log = logging.getLogger("regiekamer")

_SUGGESTIE = re.compile(r"\s*Did you mean [^?]*\?")


def log_onverwacht(request_id: str, fout: BaseException) -> None:
    """Logt een onverwachte fout met verzoek-id, zonder persoonsgegevens.

    Database errors can quote the failing row (PostgreSQL: "Failing row contains (...)"), so for them
    only the error class, SQLSTATE, constraint and statement are logged, with the stack frames but
    without any message text. Bound parameters are hidden by the engine (hide_parameters). SQLite has no
    SQLSTATE: its error name (SQLITE_BUSY, SQLITE_FULL, SQLITE_READONLY, ...) tells a locked, full or
    read-only database apart, where the class alone (OperationalError) does not.
    """
    if isinstance(fout, DBAPIError):
        orig = fout.orig
        stapel = "".join(traceback.format_tb(fout.__traceback__))
        # The driver may wrap the sqlite3 exception (aiosqlite, SQLAlchemy's adapter): look one level down too.
        sqlite_naam = next(
            (n for e in (orig, getattr(orig, "__cause__", None)) if (n := getattr(e, "sqlite_errorname", None))),
            None,
        )
        log.error(
            "Databasefout (verzoek %s): %s sqlstate=%s sqlite=%s constraint=%s\n[SQL: %s]\n%s",
            request_id,
            type(orig).__name__,
            getattr(orig, "sqlstate", None),
            sqlite_naam,
            getattr(orig, "constraint_name", None),
            fout.statement,
            stapel,
        )
        return
    log.error("Onverwachte fout (verzoek %s)", request_id, exc_info=fout)


STATEMENT_TIMEOUT = "57014"  # PostgreSQL query_canceled: statement_timeout passed


def is_statement_timeout(fout: BaseException) -> bool:
    return isinstance(fout, DBAPIError) and getattr(fout.orig, "sqlstate", None) == STATEMENT_TIMEOUT


def fout(code: str, bericht: str, **extra: Any) -> dict[str, Any]:
    return {
        "message": bericht,
        "extensions": {"code": code, **{k: v for k, v in extra.items() if v is not None}},
    }


def intern(request_id: str) -> dict[str, Any]:
    return fout(
        "INTERNAL",
        f"Er ging iets mis aan onze kant; er is niets opgeslagen. Noem verzoek-id {request_id} als u contact opneemt.",
        requestId=request_id,
    )


_VARIABELE = re.compile(r"Variable '\$(\w+)' (?:has|got) invalid value(?: at ([\w.\[\]]+))?")


def _variabele(tekst: str) -> str | None:
    """'Variable '$i' has invalid value at .van' → 'i.van': the field of a bad variable, for the client."""
    m = _VARIABELE.search(tekst)
    if m is None:
        return None
    return m.group(1) + (m.group(2) or "")


def formatteer(err: GraphQLError, request_id: str) -> dict[str, Any]:
    origineel = err.original_error
    if isinstance(origineel, DomeinFout):
        uit = fout(origineel.code, origineel.bericht, veld=origineel.veld, fouten=origineel.fouten)
    elif origineel is None or isinstance(origineel, GraphQLError):
        # Raised by GraphQL itself while coercing arguments or variables: bad input.
        tekst = _SUGGESTIE.sub("", err.message)
        uit = fout("BAD_USER_INPUT", f"Ongeldige invoer: {vertaal_tekst(tekst)}", veld=_variabele(tekst))
        if err.locations:  # where in the query (the variable's definition, the argument)
            uit["locations"] = [{"line": loc.line, "column": loc.column} for loc in err.locations]
    elif is_statement_timeout(origineel):
        log_onverwacht(request_id, origineel)
        uit = fout(
            "QUERY_TE_COMPLEX",
            "De database deed te lang over deze vraag en heeft haar afgebroken; er is niets opgeslagen. "
            "Vraag minder tegelijk op.",
            requestId=request_id,
        )
    else:
        log_onverwacht(request_id, origineel)
        uit = intern(request_id)
    if err.path:
        uit["path"] = list(err.path)
    return uit
