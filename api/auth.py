"""Authenticatie: JWT's (RS256/ES256) geverifieerd tegen een JWKS-URL of een geconfigureerde publieke sleutel.

Only asymmetric algorithms are accepted, and only the one that fits the key: an RSA key verifies
RS256, an EC P-256 key verifies ES256. That closes ``alg: none`` and the HS256-with-public-key
confusion. Every failure becomes ``OngeldigToken`` with a Dutch message; nothing else escapes.
"""

from __future__ import annotations

from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from domein.actor import Actor, OngeldigeActor

MAX_TOKEN_BYTES = 8192
VERPLICHT = ["aud", "exp", "iat", "sub", "rol"]


class OngeldigToken(Exception):
    def __init__(self, bericht: str) -> None:
        super().__init__(bericht)
        self.bericht = bericht


def _algoritme(sleutel: Any) -> str:
    if isinstance(sleutel, rsa.RSAPublicKey):
        return "RS256"
    if isinstance(sleutel, ec.EllipticCurvePublicKey) and isinstance(sleutel.curve, ec.SECP256R1):
        return "ES256"
    raise ValueError("Alleen RSA- of EC P-256-sleutels worden ondersteund.")


class TokenVerifier:
    def __init__(
        self,
        *,
        public_key_pem: str | None = None,
        jwks_url: str | None = None,
        audience: str = "regiekamer",
        issuer: str | None = None,
        leeway_seconds: int = 30,
    ) -> None:
        if (public_key_pem is None) == (jwks_url is None):
            raise ValueError("Geef precies één van public_key_pem of jwks_url op.")
        self._sleutel: Any = None
        self._jwks: jwt.PyJWKClient | None = None
        if public_key_pem is not None:
            self._sleutel = serialization.load_pem_public_key(public_key_pem.encode())
            self._alg = _algoritme(self._sleutel)
        else:
            self._jwks = jwt.PyJWKClient(str(jwks_url), cache_keys=True, lifespan=300, timeout=5)
        self._audience = audience
        self._issuer = issuer
        self._leeway = leeway_seconds

    def _sleutel_voor(self, token: str) -> tuple[Any, str]:
        if self._jwks is None:
            return self._sleutel, self._alg
        try:
            jwk = self._jwks.get_signing_key_from_jwt(token)
        except jwt.PyJWKClientConnectionError:
            raise OngeldigToken(
                "De sleutels van de identiteitsprovider zijn niet op te halen; probeer het later."
            ) from None
        except (jwt.PyJWKClientError, jwt.DecodeError):
            raise OngeldigToken("Het token is getekend met een onbekende sleutel (kid).") from None
        return jwk.key, _algoritme(jwk.key)

    def verify(self, token: str) -> Actor:
        if len(token) > MAX_TOKEN_BYTES:
            raise OngeldigToken("Het token is te groot.")
        try:
            kop = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise OngeldigToken("Het token is geen geldige JWT.") from None
        sleutel, alg = self._sleutel_voor(token)
        if kop.get("alg") != alg:
            raise OngeldigToken(f"Het token gebruikt algoritme {kop.get('alg')!r}; alleen {alg} wordt aanvaard.")
        try:
            claims = jwt.decode(
                token,
                sleutel,
                algorithms=[alg],
                audience=self._audience,
                issuer=self._issuer,
                leeway=self._leeway,
                options={"require": VERPLICHT + (["iss"] if self._issuer else [])},
            )
        except jwt.ExpiredSignatureError:
            raise OngeldigToken("Het token is verlopen; vraag een nieuw token aan.") from None
        except jwt.ImmatureSignatureError:
            raise OngeldigToken("Het token is nog niet geldig (iat of nbf ligt in de toekomst).") from None
        except jwt.MissingRequiredClaimError as e:
            raise OngeldigToken(f"Het token mist de claim '{e.claim}'.") from None
        except jwt.InvalidAudienceError:
            raise OngeldigToken(
                f"Het token is niet bedoeld voor deze dienst (aud moet '{self._audience}' zijn)."
            ) from None
        except jwt.InvalidIssuerError:
            raise OngeldigToken("Het token komt van een onbekende uitgever (iss).") from None
        except jwt.InvalidSignatureError:
            raise OngeldigToken("De handtekening van het token klopt niet.") from None
        except jwt.PyJWTError:
            raise OngeldigToken("Het token is ongeldig.") from None
        try:
            return Actor.uit_claims(claims.get("sub"), claims.get("rol"), claims.get("gemeente"))
        except OngeldigeActor as e:
            raise OngeldigToken(str(e)) from None


def bearer_token(authorization: str | None) -> str:
    if not authorization:
        raise OngeldigToken("Stuur een token mee: Authorization: Bearer <JWT>.")
    schema, _, token = authorization.partition(" ")
    if schema.lower() != "bearer" or not token.strip():
        raise OngeldigToken("Gebruik het schema 'Bearer': Authorization: Bearer <JWT>.")
    return token.strip()
