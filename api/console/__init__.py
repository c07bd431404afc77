"""De privacyconsole: server-gerenderde pagina's onder /console, zonder CDN of externe bronnen (docs/console.md).

A ``Router`` (not a Starlette app): ``request.app`` stays the API's app, so the console uses the same
``Toestand``, token verifier and GraphQL executor. Every answer carries a strict Content-Security-Policy.
"""

from __future__ import annotations

from pathlib import Path

from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.routing import Mount, Route, Router
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.console import paginas
from api.console.sessie import ConsoleSessie

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; font-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
KOPPEN = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cache-control", b"no-store"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


class Beveiligingskoppen:
    """CSP en verwante koppen op elk antwoord van de console (pagina's bevatten persoonsgegevens: no-store)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def zend(bericht: Message) -> None:
            if bericht["type"] == "http.response.start":
                bestaand = [(k, v) for k, v in bericht.get("headers", []) if k.lower() != b"cache-control"]
                bericht["headers"] = [*bestaand, *KOPPEN]
            await send(bericht)

        await self.app(scope, receive, zend if scope["type"] == "http" else send)


async def _niet_gevonden(scope: Scope, receive: Receive, send: Send) -> None:
    antwoord = await paginas.niet_gevonden(Request(scope, receive))
    await antwoord(scope, receive, send)


console = Router(
    routes=[
        Route("/", paginas.start, methods=["GET"]),
        Route("/inloggen", paginas.inloggen, methods=["GET", "POST"]),
        Route("/demotoken", paginas.demotoken, methods=["POST"]),
        Route("/oidc/start", paginas.oidc_start, methods=["GET"]),
        Route("/oidc/terug", paginas.oidc_terug, methods=["GET"]),
        Route("/oidc/verder", paginas.oidc_verder, methods=["GET"]),
        Route("/uitloggen", paginas.uitloggen, methods=["POST"]),
        Route("/auditlog", paginas.auditlog, methods=["GET", "POST"]),
        Route("/auditlog.csv", paginas.auditlog_csv, methods=["POST"]),
        Route("/inzage", paginas.inzage, methods=["GET", "POST"]),
        Route("/datalekken", paginas.datalekken, methods=["GET"]),
        Mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static"),
    ],
    default=_niet_gevonden,
    middleware=[Middleware(Beveiligingskoppen), Middleware(ConsoleSessie)],
)
"""Mounted by api/app.py at /console."""
