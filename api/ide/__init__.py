"""GraphiQL uit het pakket zelf: geen CDN, geen query in de URL, niets op schijf in de browser.

The page and its assets (React, ReactDOM and GraphiQL from npm, pinned in ``static/manifest.json`` by
``scripts/ververs_graphiql.py``) are served by this app. A Content-Security-Policy lets the browser load
and connect to this origin only, so a page that would reach for a CDN is stopped by the browser itself.
The bootstrap (``static/ide.js``) gives GraphiQL a storage that lives in the tab's memory: a query with a
BSN, its variables and the token in the headers are never written to localStorage, and nothing is put in
the address bar or the history.

Only in demo and development mode (``Instellingen.graphiql_aan``); otherwise ``GET /graphql`` and the
asset paths answer a coded JSON 404 in Dutch.
"""

from __future__ import annotations

import html
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from string import Template

from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAP = Path(__file__).parent
STATISCH = MAP / "static"
PAD = "/graphql/ide"
STATISCHE_ROUTE = "graphiql-bestanden"

CSP = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        # GraphiQL's dialogs add one <style> element (scroll lock) and React sets style attributes: inline
        # styles, never a style from another origin.
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",  # the fonts are data: URLs inside graphiql.min.css
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    )
)
KOPPEN = {
    "Content-Security-Policy": CSP,
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}
UIT = (
    "GraphiQL staat uit: het draait alleen in demo- en ontwikkelmodus (regiekamer serve --demo, of "
    "REGIEKAMER_ONTWIKKELING=true; uitzetten met REGIEKAMER_GRAPHIQL=false). Stuur uw query met POST naar /graphql."
)


def bestanden() -> dict[str, str]:
    """De meegeleverde bestanden per rol in de pagina, met de namen uit het manifest (versie in de naam)."""
    manifest: dict[str, dict[str, str]] = json.loads((STATISCH / "manifest.json").read_text(encoding="utf-8"))

    def naam(pakket: str, einde: str) -> str:
        return next(n for n, r in manifest.items() if r["pakket"] == pakket and n.endswith(einde))

    return {
        "react": naam("react", ".js"),
        "react_dom": naam("react-dom", ".js"),
        "graphiql_js": naam("graphiql", ".js"),
        "graphiql_css": naam("graphiql", ".css"),
    }


def _pagina(sjabloon: Template) -> Callable[[Request], Awaitable[Response]]:
    namen = {k: html.escape(v, quote=True) for k, v in bestanden().items()}

    async def graphiql(request: Request) -> Response:
        # Paths only, no origin: with a root_path (behind a proxy) they still point at this app.
        statisch = request.url_for(STATISCHE_ROUTE, path="").path.rstrip("/")
        tekst = sjabloon.substitute(
            namen, statisch=html.escape(statisch, quote=True), endpoint=html.escape(request.url.path, quote=True)
        )
        return HTMLResponse(tekst, headers=KOPPEN)

    return graphiql


async def _uit(request: Request) -> Response:
    return JSONResponse({"errors": [{"message": UIT, "extensions": {"code": "NOT_FOUND"}}]}, status_code=404)


class _Koppen:
    """Zet de beveiligingskoppen ook op de bestanden (nosniff: een .js is alleen een script als het dat zegt)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.koppen = [(k.lower().encode(), v.encode()) for k, v in KOPPEN.items() if k != "Cache-Control"]
        self.koppen.append((b"cache-control", b"no-cache"))  # revalidate with the ETag: a new version is seen

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def zend(bericht: Message) -> None:
            if bericht["type"] == "http.response.start":
                bericht["headers"] = [*bericht.get("headers", []), *self.koppen]
            await send(bericht)

        await self.app(scope, receive, zend)


class _GeenBestand:
    """Een onbekend pad onder de IDE: dezelfde gecodeerde 404 als de rest, geen platte tekst."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not (STATISCH / scope["path"].rpartition("/")[2]).is_file():
            antwoord = JSONResponse(
                {"errors": [{"message": "Dit bestand bestaat niet.", "extensions": {"code": "NOT_FOUND"}}]},
                status_code=404,
            )
            await antwoord(scope, receive, send)
            return
        await self.app(scope, receive, send)


def ide_routes(aan: bool) -> list[BaseRoute]:
    """``GET /graphql`` (de pagina) en ``/graphql/ide/…`` (de bestanden), of een gecodeerde 404 als het uit staat."""
    if not aan:
        return [
            Route("/graphql", _uit, methods=["GET"]),
            Route(PAD + "/{path:path}", _uit, methods=["GET"], name=STATISCHE_ROUTE),
        ]
    statisch = _GeenBestand(_Koppen(StaticFiles(directory=STATISCH)))
    return [
        Route("/graphql", _pagina(Template((MAP / "graphiql.html").read_text(encoding="utf-8"))), methods=["GET"]),
        Mount(PAD, app=GZipMiddleware(statisch, minimum_size=1000), name=STATISCHE_ROUTE),
    ]
