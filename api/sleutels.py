"""De ontwikkelsleutel van demomodus: een EC P-256-sleutelpaar in de datamap, om tokens te tekenen."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import time
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from jwt.algorithms import ECAlgorithm

BESTAND = "demo-signing-key.pem"


class DemoSleutel:
    def __init__(self, prive: ec.EllipticCurvePrivateKey) -> None:
        self._prive = prive

    @classmethod
    def maak(cls, map_: Path) -> DemoSleutel:
        prive = ec.generate_private_key(ec.SECP256R1())
        pem = prive.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        map_.mkdir(parents=True, exist_ok=True)
        pad = map_ / BESTAND
        fd = os.open(pad, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(pem)
        pad.chmod(0o600)
        return cls(prive)

    @classmethod
    def laad(cls, map_: Path) -> DemoSleutel | None:
        pad = map_ / BESTAND
        if not pad.exists():
            return None
        prive = serialization.load_pem_private_key(pad.read_bytes(), password=None)
        if not isinstance(prive, ec.EllipticCurvePrivateKey):
            raise ValueError(f"{pad} bevat geen EC-sleutel")
        return cls(prive)

    @classmethod
    def laad_of_maak(cls, map_: Path) -> DemoSleutel:
        return cls.laad(map_) or cls.maak(map_)

    @property
    def public_key_pem(self) -> str:
        return (
            self._prive.public_key()
            .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
            .decode()
        )

    def _jwk(self) -> dict[str, Any]:
        return dict(json.loads(ECAlgorithm.to_jwk(self._prive.public_key())))

    @property
    def kid(self) -> str:
        """RFC 7638-vingerafdruk van de publieke sleutel."""
        return _thumbprint(self._jwk())

    def jwks(self) -> dict[str, Any]:
        return {"keys": [self._jwk() | {"kid": self.kid, "alg": "ES256", "use": "sig"}]}

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
        nu = int(time.time())
        claims: dict[str, Any] = {
            "sub": sub,
            "rol": rol,
            "aud": audience,
            "iss": issuer,
            "iat": nu,
            "exp": nu + ttl_seconds,
        }
        if gemeente:
            claims["gemeente"] = gemeente
        return jwt.encode(claims, self._prive, algorithm="ES256", headers={"kid": self.kid})


def _thumbprint(jwk: dict[str, Any]) -> str:
    kern = json.dumps({k: jwk[k] for k in ("crv", "kty", "x", "y")}, separators=(",", ":"), sort_keys=True)
    return base64.urlsafe_b64encode(hashlib.sha256(kern.encode()).digest()).decode().rstrip("=")
