"""Inloggen bij de console via de OIDC-provider: authorization code flow met PKCE (S256), met Authlib.

Configured by ``REGIEKAMER_CONSOLE_OIDC_ISSUER`` (its ``/.well-known/openid-configuration`` is read),
``REGIEKAMER_CONSOLE_OIDC_CLIENT_ID`` and optionally ``..._CLIENT_SECRET`` (without one the console is a
public client: PKCE only), ``..._SCOPE`` and ``..._REDIRECT_URI`` (default: this server's
``/console/oidc/terug``). Authlib keeps state, nonce and the PKCE verifier in the console session and checks
the ID token against the provider's keys. The access token the provider returns is then checked by the
app's own ``TokenVerifier``, exactly like a pasted token or a ``POST /graphql``: the API decides, not the
console. Without an issuer the console offers the pasted token only.

The session cookie is SameSite=Strict, so the browser leaves it off the provider's cross-site redirect to
``/console/oidc/terug``. That page therefore only forwards (a same-origin meta refresh) to
``/console/oidc/verder``, where the cookie is sent and the code is exchanged.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any
from urllib.parse import urlencode

import httpx
from authlib.common.errors import AuthlibBaseError
from pydantic_settings import BaseSettings, SettingsConfigDict
from starlette.requests import Request

NAAM = "idp"


class OidcInstellingen(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="REGIEKAMER_CONSOLE_OIDC_", extra="ignore")

    issuer: str | None = None
    client_id: str | None = None
    client_secret: str | None = None
    scope: str = "openid"
    redirect_uri: str | None = None

    @property
    def aan(self) -> bool:
        return bool(self.issuer and self.client_id)


def instellingen() -> OidcInstellingen:
    return OidcInstellingen()


@cache
def _client(issuer: str, client_id: str, client_secret: str | None, scope: str) -> Any:
    # Imported here: only a console with a configured provider needs Authlib's HTTP client (and its import warnings).
    from authlib.integrations.starlette_client import OAuth

    oauth = OAuth()
    oauth.register(
        NAAM,
        client_id=client_id,
        client_secret=client_secret,
        server_metadata_url=f"{issuer.rstrip('/')}/.well-known/openid-configuration",
        client_kwargs={
            "scope": scope,
            "code_challenge_method": "S256",
            "token_endpoint_auth_method": "client_secret_basic" if client_secret else "none",
            "timeout": 10,
        },
    )
    return oauth.create_client(NAAM)


def client(inst: OidcInstellingen) -> Any:
    assert inst.issuer and inst.client_id
    return _client(inst.issuer, inst.client_id, inst.client_secret or None, inst.scope)


def terug_adres(request: Request, inst: OidcInstellingen) -> str:
    return inst.redirect_uri or str(request.url.replace(path="/console/oidc/terug", query=""))


def verder_adres(request: Request) -> str:
    """Same origin, relative: only code and state from the provider's answer go along."""
    velden = {k: request.query_params[k] for k in ("code", "state", "error", "error_description")
              if k in request.query_params}  # fmt: skip
    return f"/console/oidc/verder?{urlencode(velden)}"


ONBEREIKBAAR = "De identiteitsprovider is nu niet bereikbaar; probeer het over een minuut opnieuw."


async def naar_provider(request: Request, inst: OidcInstellingen) -> Any:
    """De redirect naar de provider; state, nonce en PKCE-verifier blijven in de sessie."""
    try:
        return await client(inst).authorize_redirect(request, terug_adres(request, inst))
    except httpx.HTTPError:
        raise OidcFout(ONBEREIKBAAR) from None
    except (AuthlibBaseError, ValueError, KeyError):
        raise OidcFout("De configuratie van de identiteitsprovider is onbruikbaar; meld het de beheerder.") from None


class OidcFout(Exception):
    def __init__(self, bericht: str) -> None:
        super().__init__(bericht)
        self.bericht = bericht


_FOUTCODE = re.compile(r"[a-z_]{1,40}")


def foutcode(waarde: object) -> str:
    """An OAuth error code (access_denied, login_required, ...) as sent; anything else is not shown.

    The return address is a plain link: whoever sends it to a privacy officer chooses its 'error', so free
    text there (a phone number, an instruction) must not appear on the console's own page.
    """
    tekst = str(waarde or "")
    return tekst if _FOUTCODE.fullmatch(tekst) else "onbekende fout"


async def toegangstoken(request: Request, inst: OidcInstellingen) -> str:
    """Wisselt de code in (met de PKCE-verifier uit de sessie) en geeft het access token van de provider."""
    if "error" in request.query_params:
        raise OidcFout(f"De identiteitsprovider weigerde het inloggen ({foutcode(request.query_params['error'])}).")
    try:
        antwoord = await client(inst).authorize_access_token(request)
    except AuthlibBaseError as e:
        raise OidcFout(
            f"Het inloggen bij de identiteitsprovider is niet afgerond ({foutcode(e.error)}); "
            "begin opnieuw vanaf de inlogpagina van de console."
        ) from None
    except httpx.HTTPError:
        raise OidcFout(ONBEREIKBAAR) from None
    token = antwoord.get("access_token")
    if not isinstance(token, str) or not token:
        raise OidcFout("De identiteitsprovider gaf geen toegangstoken; vraag de beheerder de client na te kijken.")
    return token
