"""De sessie van de console: het token blijft op de server-kant van de browser, in een getekend HttpOnly-cookie.

Starlette's ``SessionMiddleware`` (itsdangerous) signs the cookie; SameSite=Strict, HttpOnly, path /console,
and Secure unless the app runs in demo/ontwikkeling over plain http. The signing key is derived from the
pseudonym key, which every replica shares already (README), so a session is valid on every worker.
Every POST form carries a CSRF token that must equal the one in the session (synchronizer token).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import TYPE_CHECKING, Any

from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from api.console.gegevens import ConsoleFout
from api.instellingen import Instellingen
from api.sleutels import DemoSleutel
from domein.actor import Rol

if TYPE_CHECKING:
    from api.app import Toestand

COOKIE = "regiekamer_console"
LEVENSDUUR_SECONDEN = 8 * 3600
"""A working day; the token's own ``exp`` ends a session earlier when it is shorter."""
DEMOTOKEN_SECONDEN = 3600
MAX_TOKEN_TEKENS = 2800
"""Browsers keep a cookie of at most 4096 bytes; signed and base64-encoded, a longer token would be dropped silently."""
TE_GROOT = (
    f"Dit token is te groot voor het sessiecookie van de console (meer dan {MAX_TOKEN_TEKENS} tekens). "
    "Vraag de beheerder van de identiteitsprovider minder claims in het toegangstoken te zetten."
)


def _toestand(scope: Scope) -> Toestand:
    t: Toestand = scope["app"].state.toestand
    return t


def demo_of_ontwikkeling(t: Toestand) -> bool:
    """Introspectie staat alleen aan in demo en ontwikkeling (api.fabriek)."""
    return bool(t.limieten.introspectie)


def sessiesleutel(t: Toestand) -> str:
    """Afgeleid van de pseudoniemsleutel (HMAC): geheim, gelijk op elke replica, en nooit de sleutel zelf."""
    afgeleid = t.pseudonimiseerder.pseudoniem("regiekamer-console-sessie")
    return hashlib.sha256(f"console-sessie:{afgeleid}".encode()).hexdigest()


class ConsoleSessie:
    """Kiest per verzoek de sessie met of zonder Secure; de sleutel komt pas bij het eerste verzoek (uit de app)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._veilig: SessionMiddleware | None = None
        self._http: SessionMiddleware | None = None

    def _bouw(self, t: Toestand) -> tuple[SessionMiddleware, SessionMiddleware]:
        if self._veilig is None or self._http is None:
            sleutel = sessiesleutel(t)
            gemeen: dict[str, Any] = {
                "secret_key": sleutel,
                "session_cookie": COOKIE,
                "max_age": LEVENSDUUR_SECONDEN,
                "same_site": "strict",
                "path": "/console",
            }
            self._veilig = SessionMiddleware(self.app, https_only=True, **gemeen)
            self._http = SessionMiddleware(self.app, https_only=False, **gemeen)
        return self._veilig, self._http

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        t = _toestand(scope)
        veilig, http = self._bouw(t)
        zonder_secure = scope.get("scheme") == "http" and demo_of_ontwikkeling(t)
        await (http if zonder_secure else veilig)(scope, receive, send)


def csrf_token(request: Request) -> str:
    """Het CSRF-token van deze sessie; gemaakt bij de eerste pagina met een formulier."""
    token = request.session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


def csrf_klopt(request: Request, gestuurd: object) -> bool:
    verwacht = request.session.get("csrf")
    return isinstance(verwacht, str) and isinstance(gestuurd, str) and hmac.compare_digest(verwacht, gestuurd)


def meld_aan(request: Request, token: str) -> None:
    """Een nieuwe sessie (ook een nieuw CSRF-token): wat voor het inloggen in de sessie stond, telt niet meer."""
    if len(token) > MAX_TOKEN_TEKENS:
        raise ConsoleFout("UNAUTHENTICATED", TE_GROOT)
    request.session.clear()
    request.session["token"] = token
    request.session["csrf"] = secrets.token_urlsafe(32)


def meld_af(request: Request) -> None:
    request.session.clear()


def token_van(request: Request) -> str | None:
    token = request.session.get("token")
    return token if isinstance(token, str) else None


def demosleutel(t: Toestand) -> DemoSleutel | None:
    """De ontwikkelsleutel, alleen in demo/ontwikkeling en alleen als de app tokens van die sleutel ook aanvaardt.

    Outside demo the identity provider issues the tokens: a key on disk that the verifier does not trust
    (or a production app that happens to find one) offers nothing.
    """
    if not demo_of_ontwikkeling(t):
        return None
    try:
        sleutel = DemoSleutel.laad(Instellingen().data_map)
    except ValueError:
        return None
    if sleutel is None:
        return None
    proef = sleutel.maak_token(rol=Rol.PRIVACY_OFFICER, gemeente="0268", sub="console-proef", ttl_seconds=60,
                               audience=Instellingen().jwt_audience)  # fmt: skip
    try:
        t.verifier.verify(proef)
    except Exception:
        return None
    return sleutel


def maak_demotoken(sleutel: DemoSleutel, gemeente: str | None) -> str:
    sub = f"console-privacy-officer-{gemeente or 'rob'}"
    return sleutel.maak_token(rol=Rol.PRIVACY_OFFICER, gemeente=gemeente, sub=sub, ttl_seconds=DEMOTOKEN_SECONDEN,
                              audience=Instellingen().jwt_audience)  # fmt: skip
