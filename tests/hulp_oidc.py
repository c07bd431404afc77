"""Testhulp: een lokale identiteitsprovider die Keycloak (een realm per gemeente) en Entra ID (de ROB-tenant) speelt.

A real HTTP server on 127.0.0.1: discovery documents, key sets and a client-credentials token
endpoint with the paths and the token claims those products really use.
"""

from __future__ import annotations

import base64
import json
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any
from urllib.parse import parse_qs

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
KEYCLOAK_CLIENT = "backoffice-nijmegen"
ENTRA_APP = "api://6e2c1f0a-regiekamer"
ENTRA_CLIENT = "0d3b5c9e-1111-4222-8333-944445555666"
CLIENT_GEHEIM = "geheim-van-de-backoffice"


def nieuwe_sleutel() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class Idp:
    """One signing key set of one IdP; ``roteer`` puts a new key first, as Keycloak and Entra do."""

    def __init__(self) -> None:
        self.sleutels: list[tuple[str, rsa.RSAPrivateKey]] = [(uuid.uuid4().hex, nieuwe_sleutel())]

    def roteer(self, houd_oude: bool = True) -> None:
        nieuw = (uuid.uuid4().hex, nieuwe_sleutel())
        self.sleutels = [nieuw, *(self.sleutels if houd_oude else [])]

    def jwks(self) -> dict[str, Any]:
        keys = []
        for kid, sleutel in self.sleutels:
            jwk = json.loads(RSAAlgorithm.to_jwk(sleutel.public_key()))
            keys.append({**jwk, "kid": kid, "use": "sig", "alg": "RS256"})
        return {"keys": keys}

    def teken(self, claims: dict[str, Any], **kop: Any) -> str:
        kid, sleutel = self.sleutels[0]
        return jwt.encode(claims, sleutel, algorithm="RS256", headers={"kid": kid, **kop})


class LokaleIdps:
    """Serves discovery documents and key sets for a Keycloak realm per gemeente and one Entra tenant."""

    def __init__(self) -> None:
        self.idps = {"nijmegen": Idp(), "wijchen": Idp(), "entra": Idp()}
        self.verzoeken: list[str] = []
        self.vals_issuer = False
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.verzoeken.append(self.path)
                inhoud = server.antwoord(self.path)
                self.send_response(200 if inhoud is not None else 404)
                data = json.dumps(inhoud or {"error": "not_found"}).encode()
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:
                lengte = int(self.headers.get("Content-Length") or 0)
                formulier = {k: v[0] for k, v in parse_qs(self.rfile.read(lengte).decode()).items()}
                status, inhoud = server.token_antwoord(self.path, self.headers.get("Authorization"), formulier)
                data = json.dumps(inhoud).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = HTTPServer(("127.0.0.1", 0), Handler)
        self.basis = f"http://127.0.0.1:{self.httpd.server_port}"

    def keycloak_issuer(self, realm: str) -> str:
        return f"{self.basis}/realms/{realm}"

    @property
    def entra_issuer(self) -> str:
        return f"{self.basis}/{TENANT}/v2.0"

    def antwoord(self, pad: str) -> dict[str, Any] | None:
        for realm in ("nijmegen", "wijchen"):
            issuer = self.keycloak_issuer(realm)
            if pad == f"/realms/{realm}/.well-known/openid-configuration":
                return {
                    "issuer": issuer + ("-vals" if self.vals_issuer else ""),
                    "jwks_uri": f"{issuer}/protocol/openid-connect/certs",
                    "token_endpoint": f"{issuer}/protocol/openid-connect/token",
                    "grant_types_supported": ["client_credentials"],
                    "id_token_signing_alg_values_supported": ["RS256"],
                }
            if pad == f"/realms/{realm}/protocol/openid-connect/certs":
                return self.idps[realm].jwks()
        if pad == f"/{TENANT}/v2.0/.well-known/openid-configuration":
            return {
                "issuer": self.entra_issuer,
                "jwks_uri": f"{self.basis}/{TENANT}/discovery/v2.0/keys",
                "token_endpoint": f"{self.basis}/{TENANT}/oauth2/v2.0/token",
            }
        if pad == f"/{TENANT}/discovery/v2.0/keys":
            return self.idps["entra"].jwks()
        return None

    def token_antwoord(
        self, pad: str, autorisatie: str | None, formulier: dict[str, str]
    ) -> tuple[int, dict[str, Any]]:
        """Keycloak's token endpoint for the client-credentials grant (client secret as HTTP Basic or form)."""
        realm = pad.removeprefix("/realms/").split("/")[0]
        if pad != f"/realms/{realm}/protocol/openid-connect/token" or realm not in ("nijmegen", "wijchen"):
            return 404, {"error": "not_found"}
        client_id, geheim = formulier.get("client_id"), formulier.get("client_secret")
        if autorisatie and autorisatie.startswith("Basic "):
            client_id, _, geheim = base64.b64decode(autorisatie[6:]).decode().partition(":")
        if formulier.get("grant_type") != "client_credentials":
            return 400, {"error": "unsupported_grant_type"}
        if (client_id, geheim) != (KEYCLOAK_CLIENT, CLIENT_GEHEIM):
            return 401, {"error": "invalid_client", "error_description": "Invalid client or Invalid client credentials"}
        return 200, {
            "access_token": keycloak_token(self, realm),
            "expires_in": 300,
            "refresh_expires_in": 0,
            "token_type": "Bearer",
            "not-before-policy": 0,
            "scope": "profile email",
        }

    def sleutelophalingen(self, deel: str) -> int:
        return sum(1 for p in self.verzoeken if p.endswith(deel))


def uitgevers_config(idps: LokaleIdps) -> list[dict[str, Any]]:
    """The configuration as a beheerder writes it (REGIEKAMER_OIDC_ISSUERS), see docs/koppelen.md."""
    return [
        {
            "issuer": idps.keycloak_issuer("nijmegen"),
            "audience": "regiekamer",
            "rol_claim": "realm_access.roles",
            "rollen": {"regiekamer-backoffice": "backoffice", "regiekamer-consulent": "consulent"},
            "gemeente": "0268",
        },
        {
            "issuer": idps.keycloak_issuer("wijchen"),
            "audience": "regiekamer",
            "rol_claim": f"resource_access.{KEYCLOAK_CLIENT}.roles",
            "rollen": {"backoffice": "backoffice"},
            "gemeente": "0296",
        },
        {
            "issuer": idps.entra_issuer,
            "audience": [ENTRA_APP, ENTRA_APP.removeprefix("api://")],
            "rol_claim": "roles",
            "rollen": {"Regiekamer.Contractmanager": "contractmanager", "Regiekamer.Rmz": "rmz_medewerker"},
            "gemeente_claim": None,
            "clients": [ENTRA_CLIENT],
        },
    ]


@contextmanager
def lokale_idps() -> Iterator[LokaleIdps]:
    server = LokaleIdps()
    draad = threading.Thread(target=server.httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    draad.start()
    try:
        yield server
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()
        draad.join(timeout=5)


def keycloak_token(idps: LokaleIdps, realm: str = "nijmegen", **wijziging: Any) -> str:
    """A Keycloak 24 client-credentials access token (service account) with an audience mapper."""
    nu = int(time.time())
    claims: dict[str, Any] = {
        "exp": nu + 300,
        "iat": nu,
        "jti": str(uuid.uuid4()),
        "iss": idps.keycloak_issuer(realm),
        "aud": ["regiekamer", "account"],
        "sub": "5b0a8f3e-7c1d-4a57-9f0e-2c8d1b6a4e21",
        "typ": "Bearer",
        "azp": KEYCLOAK_CLIENT,
        "acr": "1",
        "realm_access": {"roles": ["default-roles-" + realm, "offline_access", "uma_authorization",
                                   "regiekamer-backoffice"]},
        "resource_access": {KEYCLOAK_CLIENT: {"roles": ["backoffice"]}, "account": {"roles": ["manage-account"]}},
        "scope": "profile email",
        "clientHost": "10.0.0.12",
        "preferred_username": f"service-account-{KEYCLOAK_CLIENT}",
        "clientAddress": "10.0.0.12",
        "client_id": KEYCLOAK_CLIENT,
    }  # fmt: skip
    claims.update(wijziging)
    return idps.idps[realm].teken(claims, typ="JWT")


def entra_token(idps: LokaleIdps, **wijziging: Any) -> str:
    """An Entra ID v2.0 app-only access token (client credentials, application permission as app role)."""
    nu = int(time.time())
    claims: dict[str, Any] = {
        "aud": ENTRA_APP,
        "iss": idps.entra_issuer,
        "iat": nu,
        "nbf": nu,
        "exp": nu + 3600,
        "aio": "E2NgYPg5Yy9v8v3Y",
        "azp": ENTRA_CLIENT,
        "azpacr": "1",
        "oid": "a1c8e2b4-0000-4000-8000-00000000c0de",
        "rh": "0.AQ0AXYZ.",
        "roles": ["Regiekamer.Contractmanager"],
        "sub": "a1c8e2b4-0000-4000-8000-00000000c0de",
        "tid": TENANT,
        "uti": "qHhPzLxQz0a1",
        "ver": "2.0",
    }
    claims.update(wijziging)
    return idps.idps["entra"].teken(claims, typ="JWT")
