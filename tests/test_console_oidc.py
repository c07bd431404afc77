"""Inloggen bij de console via OIDC (authorization code + PKCE) tegen een lokaal geserveerde nep-IdP.

The fake provider runs as a real HTTP server (uvicorn in a thread on a free port): discovery, authorize,
token and JWKS. It refuses a code exchange whose PKCE verifier does not match the S256 challenge, so a
login only succeeds when the console (Authlib) really did PKCE. The access token it issues is checked by
the app's own TokenVerifier; the session then works like one with a pasted token.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
import secrets
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import jwt
import pytest
import uvicorn
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from jwt.algorithms import ECAlgorithm
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from api.app import maak_app
from api.auth import TokenVerifier
from api.console import oidc
from api.limieten import Limieten
from tests.hulp_server import vrije_poort

CLIENT_ID = "regiekamer-console"


@dataclass
class NepIdp:
    """Een OIDC-provider in het klein; ``rol`` en ``gemeente`` komen in het access token."""

    url: str
    sleutel: ec.EllipticCurvePrivateKey = field(default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))
    codes: dict[str, dict[str, str]] = field(default_factory=dict)
    rol: str = "privacy_officer"
    gemeente: str = "0268"
    uitwisselingen: list[dict[str, str]] = field(default_factory=list)

    @property
    def public_key_pem(self) -> str:
        publiek = self.sleutel.public_key()
        return publiek.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode()

    def _teken(self, claims: dict[str, Any]) -> str:
        return jwt.encode(claims, self.sleutel, algorithm="ES256", headers={"kid": "nep-1"})

    async def discovery(self, _request: Request) -> Response:
        return JSONResponse({
            "issuer": self.url, "authorization_endpoint": f"{self.url}/authorize",
            "token_endpoint": f"{self.url}/token", "jwks_uri": f"{self.url}/jwks",
            "response_types_supported": ["code"], "id_token_signing_alg_values_supported": ["ES256"],
            "code_challenge_methods_supported": ["S256"],
        })  # fmt: skip

    async def jwks(self, _request: Request) -> Response:
        jwk = ECAlgorithm.to_jwk(self.sleutel.public_key(), as_dict=True)
        return JSONResponse({"keys": [{**jwk, "kid": "nep-1", "alg": "ES256", "use": "sig"}]})

    async def authorize(self, request: Request) -> Response:
        q = request.query_params
        if q.get("client_id") != CLIENT_ID or q.get("code_challenge_method") != "S256" or not q.get("code_challenge"):
            return JSONResponse({"error": "invalid_request"}, status_code=400)
        code = secrets.token_urlsafe(16)
        self.codes[code] = {k: q.get(k, "") for k in ("code_challenge", "nonce", "redirect_uri")}
        terug = html.escape(f"{q['redirect_uri']}?{urlencode({'code': code, 'state': q['state']})}")
        # A page the user acts on, as at a real provider: the way back is then a navigation the IdP's page starts.
        return HTMLResponse(f'<!doctype html><title>Nep-IdP</title><a id="toestemming" href="{terug}">Inloggen</a>')

    async def token(self, request: Request) -> Response:
        form = {k: v[0] for k, v in parse_qs((await request.body()).decode()).items()}
        self.uitwisselingen.append(form)
        aanvraag = self.codes.pop(form.get("code", ""), None)
        if aanvraag is None or form.get("redirect_uri") != aanvraag["redirect_uri"]:
            return JSONResponse({"error": "invalid_grant"}, status_code=400)
        digest = hashlib.sha256(form.get("code_verifier", "").encode()).digest()
        if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != aanvraag["code_challenge"]:
            return JSONResponse({"error": "invalid_grant", "error_description": "PKCE"}, status_code=400)
        nu = int(time.time())
        basis = {"iss": self.url, "sub": "po-nijmegen@idp", "iat": nu, "exp": nu + 600}
        toegang = self._teken({**basis, "aud": "regiekamer", "rol": self.rol, "gemeente": self.gemeente})
        identiteit = self._teken({**basis, "aud": CLIENT_ID, "nonce": aanvraag["nonce"]})
        return JSONResponse(
            {"access_token": toegang, "id_token": identiteit, "token_type": "Bearer", "expires_in": 600}
        )

    def app(self) -> Starlette:
        return Starlette(routes=[
            Route("/.well-known/openid-configuration", self.discovery), Route("/jwks", self.jwks),
            Route("/authorize", self.authorize), Route("/token", self.token, methods=["POST"]),
        ])  # fmt: skip


@pytest.fixture
def nep_idp() -> Iterator[NepIdp]:
    poort = vrije_poort()
    idp = NepIdp(f"http://127.0.0.1:{poort}")
    server = uvicorn.Server(uvicorn.Config(idp.app(), host="127.0.0.1", port=poort, log_level="warning"))
    draad = threading.Thread(target=server.run, daemon=True)
    draad.start()
    grens = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < grens and draad.is_alive(), "de nep-IdP startte niet"
        time.sleep(0.05)
    yield idp
    server.should_exit = True
    draad.join(timeout=10)


@pytest.fixture
async def console_met_idp(engine, pseudonimiseerder, beslisser, nep_idp, monkeypatch):
    monkeypatch.setenv("REGIEKAMER_CONSOLE_OIDC_ISSUER", nep_idp.url)
    monkeypatch.setenv("REGIEKAMER_CONSOLE_OIDC_CLIENT_ID", CLIENT_ID)
    oidc._client.cache_clear()
    verifier = TokenVerifier(public_key_pem=nep_idp.public_key_pem)
    app = maak_app(engine, verifier, pseudonimiseerder, Limieten(introspectie=False), beslisser)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://test") as client:
        yield client
    oidc._client.cache_clear()


async def _via_idp(console: httpx.AsyncClient, state: str | None = None) -> httpx.Response:
    """Start -> IdP (echt HTTP) -> terug (doorsturen) -> verder; geeft het antwoord van 'verder'."""
    start = await console.get("/console/oidc/start")
    assert start.status_code == 302, start.text
    naar_idp = start.headers["location"]
    params = parse_qs(urlsplit(naar_idp).query)
    assert params["code_challenge_method"] == ["S256"] and params["code_challenge"][0]
    async with httpx.AsyncClient() as browser:
        idp_pagina = await browser.get(naar_idp)
    assert idp_pagina.status_code == 200, idp_pagina.text
    terug = re.search(r'id="toestemming" href="([^"]+)"', idp_pagina.text).group(1)
    adres = urlsplit(html.unescape(terug))
    assert adres.path == "/console/oidc/terug"
    query = adres.query
    if state is not None:
        query = urlencode({"code": parse_qs(query)["code"][0], "state": state})
    doorsturen = await console.get(f"{adres.path}?{query}")
    assert doorsturen.status_code == 200 and 'http-equiv="refresh"' in doorsturen.text
    assert "set-cookie" not in doorsturen.headers  # a fresh cookie here would replace the session of the flow
    verder = re.search(r'href="([^"]+)" id="verder"', doorsturen.text).group(1).replace("&amp;", "&")
    assert verder.startswith("/console/oidc/verder?")  # same origin: now the SameSite=Strict cookie goes along
    return await console.get(verder)


async def test_privacy_officer_logt_in_via_de_idp_met_pkce(console_met_idp, nep_idp):
    inlogpagina = await console_met_idp.get("/console/inloggen")
    assert 'href="/console/oidc/start"' in inlogpagina.text
    verder = await _via_idp(console_met_idp)
    assert verder.status_code == 303 and verder.headers["location"] == "/console/auditlog", verder.text
    assert nep_idp.uitwisselingen[-1]["code_verifier"]  # the code was exchanged with a verifier
    pagina = await console_met_idp.get("/console/auditlog")
    assert pagina.status_code == 200 and "privacy officer · Nijmegen" in pagina.text


async def test_terugkeer_met_een_andere_state_logt_niet_in(console_met_idp):
    verder = await _via_idp(console_met_idp, state="niet-de-state-van-deze-sessie")
    assert verder.status_code == 401 and "UNAUTHENTICATED" in verder.text
    assert "niet afgerond" in verder.text
    assert (await console_met_idp.get("/console/auditlog")).status_code == 303


async def test_token_van_de_idp_met_een_onbekende_rol_wordt_door_de_api_geweigerd(console_met_idp, nep_idp):
    nep_idp.rol = "superbeheerder"
    verder = await _via_idp(console_met_idp)
    assert verder.status_code == 401 and "UNAUTHENTICATED" in verder.text
    assert "niet aanvaardt" in verder.text
    assert (await console_met_idp.get("/console/auditlog")).status_code == 303


async def test_zonder_ingestelde_idp_is_er_alleen_het_tokenveld(api, pseudonimiseerder, beslisser, monkeypatch):
    monkeypatch.delenv("REGIEKAMER_CONSOLE_OIDC_ISSUER", raising=False)
    verifier = TokenVerifier(public_key_pem=api.sleutel.public_key_pem)
    app = maak_app(api.engine, verifier, pseudonimiseerder, Limieten(introspectie=False), beslisser)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://test") as client:
        assert "/console/oidc/start" not in (await client.get("/console/inloggen")).text
        start = await client.get("/console/oidc/start")
        assert start.status_code == 404 and "NOT_FOUND" in start.text
