"""De ontwikkelsleutel van demomodus: een EC P-256-sleutelpaar in de datamap, om tokens te tekenen.

Only for development and demos: outside demo mode the identity provider issues tokens and this
module is not used. The private key lives in one PKCS8 PEM file readable by its owner only.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from jwt.algorithms import ECAlgorithm

BESTAND = "demo-signing-key.pem"
ALGORITME = "ES256"


class DemoSleutel:
    """Tekent demotokens die ``api.auth.TokenVerifier`` met ``public_key_pem`` of ``jwks()`` aanvaardt."""

    def __init__(self, prive: ec.EllipticCurvePrivateKey) -> None:
        if not isinstance(prive.curve, ec.SECP256R1):
            raise ValueError("De demosleutel moet een EC P-256-sleutel zijn (ES256).")
        self._prive = prive
        self._jwk = _publieke_jwk(prive.public_key())
        self._kid = _thumbprint(self._jwk)

    @classmethod
    def maak(cls, map: Path) -> DemoSleutel:
        """Generates a fresh key and writes it as ``map/demo-signing-key.pem`` (mode 0600), replacing any old one."""
        prive = ec.generate_private_key(ec.SECP256R1())
        pem = prive.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        map.mkdir(mode=0o700, parents=True, exist_ok=True)
        _schrijf_prive(map / BESTAND, pem)
        return cls(prive)

    @classmethod
    def laad(cls, map: Path) -> DemoSleutel | None:
        """The key in ``map``, or None when there is none yet (so the caller can say how to make one)."""
        pad = map / BESTAND
        try:
            pem = pad.read_bytes()
        except FileNotFoundError:
            return None
        try:
            prive = serialization.load_pem_private_key(pem, password=None)
        except (ValueError, TypeError):
            raise ValueError(
                f"{pad} is geen leesbare PEM-sleutel; verwijder het bestand en start opnieuw met --demo."
            ) from None
        if not isinstance(prive, ec.EllipticCurvePrivateKey) or not isinstance(prive.curve, ec.SECP256R1):
            raise ValueError(f"{pad} bevat geen EC P-256-sleutel; verwijder het bestand en start opnieuw met --demo.")
        return cls(prive)

    @classmethod
    def laad_of_maak(cls, map: Path) -> DemoSleutel:
        """Keeps an existing key, so demo tokens handed out earlier stay valid across restarts."""
        bestaand = cls.laad(map)
        return bestaand if bestaand is not None else cls.maak(map)

    @property
    def public_key_pem(self) -> str:
        """SubjectPublicKeyInfo PEM, the form ``TokenVerifier(public_key_pem=...)`` expects."""
        return (
            self._prive.public_key()
            .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
            .decode()
        )

    @property
    def kid(self) -> str:
        """RFC 7638-vingerafdruk van de publieke sleutel: stabiel, en gelijk in token-kop en JWKS."""
        return self._kid

    def jwks(self) -> dict[str, Any]:
        """The public key as a JWK Set, e.g. to serve it to a verifier configured with a JWKS URL."""
        return {"keys": [{**self._jwk, "kid": self._kid, "alg": ALGORITME, "use": "sig"}]}

    def maak_token(
        self,
        *,
        rol: str,
        gemeente: str | None,
        sub: str,
        ttl_seconds: int = 3600,
        issuer: str = "regiekamer-demo",
        audience: str = "regiekamer",
    ) -> str:
        """Signs a demo JWT with the claims the contract names; ``gemeente`` is left out when None."""
        if ttl_seconds <= 0:
            raise ValueError("De geldigheidsduur (ttl) moet groter dan 0 seconden zijn.")
        nu = int(time.time())
        claims: dict[str, Any] = {
            "sub": sub,
            "rol": rol,
            "aud": audience,
            "iss": issuer,
            "iat": nu,
            "exp": nu + ttl_seconds,
        }
        if gemeente is not None:
            claims["gemeente"] = gemeente
        return jwt.encode(claims, self._prive, algorithm=ALGORITME, headers={"kid": self._kid, "typ": "JWT"})


def _schrijf_prive(pad: Path, inhoud: bytes) -> None:
    """Writes via a 0600 temp file and an atomic rename: never a half-written or briefly world-readable key."""
    fd, tijdelijk = tempfile.mkstemp(dir=pad.parent, prefix=f".{pad.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            os.fchmod(f.fileno(), 0o600)
            f.write(inhoud)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tijdelijk, pad)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tijdelijk)
        raise


def _publieke_jwk(publiek: ec.EllipticCurvePublicKey) -> dict[str, Any]:
    jwk = ECAlgorithm.to_jwk(publiek, as_dict=True)
    return {k: jwk[k] for k in ("kty", "crv", "x", "y")}


def _thumbprint(jwk: dict[str, Any]) -> str:
    """RFC 7638: SHA-256 over the required members, sorted, without whitespace, base64url without padding."""
    kern = json.dumps({k: jwk[k] for k in ("crv", "kty", "x", "y")}, separators=(",", ":"), sort_keys=True)
    return base64.urlsafe_b64encode(hashlib.sha256(kern.encode()).digest()).decode().rstrip("=")
