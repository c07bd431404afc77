"""Pagina's van het auditlog opvragen via GraphQL, en de CSV-export van hetzelfde filter.

Every call is an ``auditLog`` query through the app's executor, so each page read is itself recorded
in the audit log ("auditlog raadplegen"), with the BSN's pseudonym when a BSN was the search term.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from api.console.auditfilter import Auditfilter
from api.console.gegevens import AUDITLOG, ConsoleFout, Uitvoerder
from api.console.weergave import AMSTERDAM, lees_tijd, naam_van

PER_PAGINA = 25
API_PAGINA = 100
"""Rows per API call when the console filters too (gemeente, uitkomst) and for the export: the API's cap."""
MAX_DOORZOCHT = 2_000
"""One page of the console reads at most this many API rows looking for matches, then offers 'verder zoeken'."""
MAX_EXPORT = 10_000


@dataclass
class Auditpagina:
    regels: list[dict[str, Any]] = field(default_factory=list)
    volgende: str | None = None
    totaal: int = 0
    doorzocht: int = 0
    """API rows read for this page (more than shown when the console filters on gemeente or uitkomst)."""


async def _api_pagina(u: Uitvoerder, f: Auditfilter, eerste: int, na: str | None) -> dict[str, Any]:
    data = await u.vraag(AUDITLOG, {"first": eerste, "after": na or None, "filter": f.api_filter()})
    return dict(data["auditLog"])


async def haal_pagina(u: Uitvoerder, f: Auditfilter) -> Auditpagina:
    if not f.in_console:
        verbinding = await _api_pagina(u, f, PER_PAGINA, f.na)
        regels = [e["node"] for e in verbinding["edges"]]
        info = verbinding["pageInfo"]
        volgende = info["endCursor"] if info["hasNextPage"] else None
        return Auditpagina(regels, volgende, verbinding["totalCount"], len(regels))
    pagina = Auditpagina()
    na: str | None = f.na or None
    while pagina.doorzocht < MAX_DOORZOCHT:
        verbinding = await _api_pagina(u, f, API_PAGINA, na)
        pagina.totaal = verbinding["totalCount"]
        edges = verbinding["edges"]
        for i, edge in enumerate(edges):
            pagina.doorzocht += 1
            if f.past(edge["node"]):
                pagina.regels.append(edge["node"])
                if len(pagina.regels) == PER_PAGINA:
                    meer = i + 1 < len(edges) or verbinding["pageInfo"]["hasNextPage"]
                    pagina.volgende = edge["cursor"] if meer else None
                    return pagina
        if not verbinding["pageInfo"]["hasNextPage"]:
            return pagina
        na = verbinding["pageInfo"]["endCursor"]
    pagina.volgende = na  # searched far enough for one page; the officer can go on from here
    return pagina


KOLOMMEN = (
    "tijdstip_utc", "tijdstip_lokaal", "gemeente", "gemeentenaam", "organisatie", "actor", "rol", "doel",
    "verwerkingsactiviteit", "operatie", "object_type", "object_id", "uitkomst", "categorieen", "betrokkenen",
    "request_id",
)  # fmt: skip


def _cel(waarde: Any) -> str:
    """Geen formule-injectie in een spreadsheet: een cel die met =, +, - of @ begint krijgt een apostrof."""
    tekst = "" if waarde is None else str(waarde)
    return f"'{tekst}" if tekst[:1] in ("=", "+", "-", "@", "\t", "\r") else tekst


async def exporteer_csv(u: Uitvoerder, f: Auditfilter, namen: dict[str, str]) -> str:
    """Het hele gefilterde auditlog als CSV (puntkomma, UTF-8 met BOM: Excel in het Nederlands opent het goed)."""
    regels: list[dict[str, Any]] = []
    na: str | None = None
    while True:
        verbinding = await _api_pagina(u, f, API_PAGINA, na)
        if verbinding["totalCount"] > MAX_EXPORT:
            raise ConsoleFout(
                "QUERY_TE_COMPLEX",
                f"Dit filter geeft {verbinding['totalCount']} regels; de CSV-export gaat tot {MAX_EXPORT}. "
                "Kies een kortere periode, of gebruik /auditlog/export (JSON-regels, zonder grens).",
            )
        regels += [e["node"] for e in verbinding["edges"] if f.past(e["node"])]
        if not verbinding["pageInfo"]["hasNextPage"]:
            break
        na = verbinding["pageInfo"]["endCursor"]
    uit = io.StringIO()
    schrijver = csv.writer(uit, delimiter=";", lineterminator="\r\n")
    schrijver.writerow(KOLOMMEN)
    for r in regels:
        t = lees_tijd(r["tijdstip"])
        utc = t.isoformat(timespec="seconds") if t else ""
        lokaal = t.astimezone(AMSTERDAM).isoformat(timespec="seconds") if t else ""
        schrijver.writerow(
            _cel(w)
            for w in (
                utc, lokaal, r["gemeente"],
                naam_van(r["gemeente"], namen) if r["gemeente"] else "", naam_van(r["organisatie"], namen), r["sub"],
                r["rol"], r["doel"], r["verwerkingsactiviteit"], r["operatie"], r["objectType"], r["objectId"],
                r["uitkomst"], ",".join(r["categorieen"]), ",".join(r["betrokkenen"]), r["requestId"],
            )
        )  # fmt: skip
    return "\ufeff" + uit.getvalue()
