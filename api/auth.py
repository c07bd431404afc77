"""Authenticatie: JWT's (RS256/ES256) geverifieerd tegen een JWKS-URL, een publieke sleutel of OIDC-uitgevers.

Three modes: one configured public key (PEM), one JWKS URL (the claims ``rol`` and ``gemeente`` as
they are), or several OIDC issuers (``api.oidc``): the token's ``iss`` picks the issuer, each issuer
has its own JWKS (configured or found by discovery), audiences and claim mapping.

Only asymmetric algorithms are accepted, and only the one that fits the key: an RSA key verifies
RS256, an EC P-256 key verifies ES256. That closes ``alg: none`` and the HS256-with-public-key
confusion. Every failure becomes ``OngeldigToken`` with a Dutch message that says what to do;
nothing else escapes ``verify``, and no message carries key material, header values or a traceback.
"""

from __future__ import annotations

import ipaddress
import logging
import math
import threading
import time
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlparse

import httpx
import jwt
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from api.oidc import OidcUitgever, OngeldigeClaims
from domein.actor import Actor, OngeldigeActor
from domein.waarden import bevat_ongeldig_teken

log = logging.getLogger(__name__)

MAX_TOKEN_BYTES = 8192
"""Larger tokens are refused before any parsing: a bearer token has no reason to be this big."""

MIN_RSA_BITS = 2048

VERPLICHTE_CLAIMS = ("aud", "exp", "iat", "sub", "rol")
TIJDCLAIMS = ("exp", "iat", "nbf")

JWKS_LEVENSDUUR_SECONDEN = 300.0
"""How long a fetched JWKS is trusted; a key removed at the provider stops working within this time."""
JWKS_TIMEOUT_SECONDEN = 3.0
JWKS_RUST_SECONDEN = 30.0
"""Minimum time between fetches forced by an unknown kid, so random kids cannot make us hammer the IdP."""
JWKS_HERSTEL_SECONDEN = 10.0
"""After a failed fetch, wait this long before trying again, so an IdP outage does not stall every request."""

_LOOPBACK_NAMEN = frozenset({"localhost"})

# Dutch, user-facing messages. They say what to do and never echo key material or header values.
_TE_GROOT = "Het token is groter dan 8 KB; vraag een gewoon toegangstoken aan bij de identiteitsprovider."
_GEEN_JWT = "Het token is geen geldige JWT; stuur het token mee precies zoals de identiteitsprovider het uitgaf."
_ALGORITME = (
    "Het token is niet getekend met het algoritme dat bij de sleutel hoort (alleen RS256 of ES256); "
    "vraag een nieuw token aan bij de juiste identiteitsprovider."
)
_VERLOPEN = "Het token is verlopen; vraag een nieuw token aan."
_NOG_NIET_GELDIG = (
    "Het token is nog niet geldig (iat of nbf ligt in de toekomst); "
    "controleer de klok van de uitgever of vraag een nieuw token aan."
)
_UITGEVER = (
    "Het token komt niet van de ingestelde uitgever (iss); vraag een token aan bij de juiste identiteitsprovider."
)
_HANDTEKENING = "De handtekening van het token klopt niet; vraag een nieuw token aan bij de juiste identiteitsprovider."
_ONGELDIG = "Het token is ongeldig; vraag een nieuw token aan."
_ONBEKENDE_UITGEVER = (
    "Het token komt van een identiteitsprovider (iss) die de Regiekamer niet kent; "
    "vraag een token aan bij de identiteitsprovider van uw organisatie of laat de beheerder deze aanmelden."
)
_GEEN_KID = "Het token mist een sleutel-id (kid) in de kop; vraag een nieuw token aan bij de identiteitsprovider."
_ONBEKENDE_KID = "Het token is getekend met een onbekende sleutel (kid); vraag een nieuw token aan."
_JWKS_ONBEREIKBAAR = (
    "De sleutels van de identiteitsprovider zijn nu niet op te halen; probeer het over een minuut opnieuw."
)
_JWKS_ONBRUIKBAAR = (
    "De sleutelset (JWKS) van de identiteitsprovider is onbruikbaar; "
    "probeer het later opnieuw of meld het de beheerder."
)


class OngeldigToken(Exception):
    """Het token wordt niet aanvaard; ``bericht`` is veilig om aan de gebruiker te tonen (HTTP 401)."""

    def __init__(self, bericht: str) -> None:
        super().__init__(bericht)
        self.bericht = bericht


def _algoritme(sleutel: object) -> str | None:
    """The only algorithm a key may verify, or None when the key is not one we accept at all."""
    if isinstance(sleutel, rsa.RSAPublicKey) and sleutel.key_size >= MIN_RSA_BITS:
        return "RS256"
    if isinstance(sleutel, ec.EllipticCurvePublicKey) and isinstance(sleutel.curve, ec.SECP256R1):
        return "ES256"
    return None


def _laad_publieke_sleutel(pem: str) -> tuple[rsa.RSAPublicKey | ec.EllipticCurvePublicKey, str]:
    """Reads a PEM public key or X.509 certificate; refuses at start-up what could never verify a token."""
    # Env vars often carry the PEM with literal "\n"; accept that rather than fail on a formality.
    tekst = pem.strip().replace("\\n", "\n").encode()
    try:
        if b"-----BEGIN CERTIFICATE-----" in tekst:
            sleutel: object = x509.load_pem_x509_certificate(tekst).public_key()
        else:
            sleutel = serialization.load_pem_public_key(tekst)
    except ValueError:
        raise ValueError(
            "REGIEKAMER_JWT_PUBLIC_KEY is geen leesbare PEM-publieke sleutel of -certificaat "
            "(verwacht '-----BEGIN PUBLIC KEY-----')."
        ) from None
    alg = _algoritme(sleutel)
    if alg is None or not isinstance(sleutel, rsa.RSAPublicKey | ec.EllipticCurvePublicKey):
        raise ValueError(
            f"De publieke sleutel moet RSA (minstens {MIN_RSA_BITS} bits, RS256) of EC P-256 (ES256) zijn."
        )
    return sleutel, alg


def _controleer_jwks_url(url: str, naam: str = "REGIEKAMER_JWKS_URL") -> None:
    """Keys fetched over plain HTTP could be swapped in transit; only loopback may skip TLS (tests, sidecars)."""
    delen = urlparse(url)
    host = (delen.hostname or "").lower()
    if delen.scheme == "https" and host:
        return
    if delen.scheme == "http" and host:
        if host in _LOOPBACK_NAMEN:
            return
        try:
            if ipaddress.ip_address(host).is_loopback:
                return
        except ValueError:
            pass
    raise ValueError(
        f"{naam} moet een https-adres zijn (http mag alleen naar localhost), "
        "bijvoorbeeld https://idp.example.nl/.well-known/jwks.json."
    )


class _JwksClient(jwt.PyJWKClient):
    """PyJWKClient that rate-limits its own fetches: unknown kids and IdP outages cannot cost a fetch per request."""

    def __init__(self, uri: str) -> None:
        # cache_keys=False on purpose: PyJWT's per-kid LRU never expires, so a key the IdP withdrew would stay
        # trusted. The JWK-set cache below does expire, and lookups in it are cheap.
        super().__init__(
            uri,
            cache_keys=False,
            cache_jwk_set=True,
            lifespan=JWKS_LEVENSDUUR_SECONDEN,
            timeout=JWKS_TIMEOUT_SECONDEN,
        )
        self.laatst_opgehaald = -math.inf
        self.mislukt_op = -math.inf

    def mag_verversen(self) -> bool:
        """A forced refresh (unknown kid) only when the set is not fresh already."""
        return time.monotonic() - self.laatst_opgehaald >= JWKS_RUST_SECONDEN

    def fetch_data(self) -> Any:
        if time.monotonic() - self.mislukt_op < JWKS_HERSTEL_SECONDEN:
            raise jwt.PyJWKClientConnectionError("JWKS recently failed; backing off")
        try:
            data = super().fetch_data()
        except Exception:
            self.mislukt_op = time.monotonic()
            raise
        self.laatst_opgehaald = time.monotonic()
        self.mislukt_op = -math.inf
        return data


def _zoek_kid(sleutels: list[jwt.PyJWK], kid: str) -> jwt.PyJWK | None:
    return next((s for s in sleutels if s.key_id == kid), None)


class _Sleutelbron:
    """The keys of one issuer: a JWKS URL, configured or found once by OIDC discovery, then cached and rotated."""

    def __init__(self, *, jwks_url: str | None = None, issuer: str | None = None) -> None:
        self.issuer = issuer
        self._client = _JwksClient(jwks_url) if jwks_url else None
        self._ontdekking_mislukt_op = -math.inf
        self.slot = threading.Lock()
        """Keeps concurrent callers (thread pool) from stampeding the IdP on a cache miss."""

    def client(self) -> _JwksClient:
        """The JWKS client; the first call without a configured URL reads the discovery document (under ``slot``)."""
        if self._client is None:
            self._client = _JwksClient(self._ontdek())
        return self._client

    def _ontdek(self) -> str:
        assert self.issuer is not None
        if time.monotonic() - self._ontdekking_mislukt_op < JWKS_HERSTEL_SECONDEN:
            raise jwt.PyJWKClientConnectionError("discovery recently failed; backing off")
        url = self.issuer.rstrip("/") + "/.well-known/openid-configuration"
        try:
            antwoord = httpx.get(url, timeout=JWKS_TIMEOUT_SECONDEN, follow_redirects=False)
            antwoord.raise_for_status()
            document = antwoord.json()
        except (httpx.HTTPError, ValueError) as e:
            self._ontdekking_mislukt_op = time.monotonic()
            raise jwt.PyJWKClientConnectionError(f"discovery {url}: {e}") from None
        # The document must be about this very issuer (OIDC Discovery 1.0 §4.3), else it is not ours to trust.
        if not isinstance(document, dict):
            raise jwt.PyJWKClientError(f"discovery {url}: not a JSON object")
        jwks_uri = document.get("jwks_uri")
        if document.get("issuer") != self.issuer or not isinstance(jwks_uri, str):
            raise jwt.PyJWKClientError(f"discovery {url}: issuer or jwks_uri does not fit")
        try:
            _controleer_jwks_url(jwks_uri, "jwks_uri")
        except ValueError:
            raise jwt.PyJWKClientError(f"discovery {url}: jwks_uri is not https") from None
        return jwks_uri

    def jwk(self, kid: str) -> jwt.PyJWK:
        with self.slot:
            try:
                client = self.client()
                jwk = _zoek_kid(client.get_signing_keys(), kid)
                if jwk is None and client.mag_verversen():
                    jwk = _zoek_kid(client.get_signing_keys(refresh=True), kid)
            except jwt.PyJWKClientConnectionError as e:
                log.warning("JWKS van %s niet op te halen: %s", self.issuer or "de identiteitsprovider", e)
                raise OngeldigToken(_JWKS_ONBEREIKBAAR) from None
            except Exception:
                # I/O boundary: a broken or hostile endpoint may raise anything (bad JSON, resets, TLS errors).
                log.warning("JWKS van %s onbruikbaar", self.issuer or "de identiteitsprovider", exc_info=True)
                raise OngeldigToken(_JWKS_ONBRUIKBAAR) from None
        if jwk is None:
            raise OngeldigToken(_ONBEKENDE_KID)
        return jwk


def _sleutel_uit(bron: _Sleutelbron, kop: dict[str, Any]) -> tuple[rsa.RSAPublicKey | ec.EllipticCurvePublicKey, str]:
    kid = kop.get("kid")
    if not isinstance(kid, str) or not kid:
        raise OngeldigToken(_GEEN_KID)
    jwk = bron.jwk(kid)
    sleutel = jwk.key
    alg = _algoritme(sleutel)
    # The JWK's own "alg" (or the one PyJWT derives from kty/crv) must agree with the key type too.
    if alg is None or jwk.algorithm_name != alg:
        raise OngeldigToken(_ALGORITME)
    assert isinstance(sleutel, rsa.RSAPublicKey | ec.EllipticCurvePublicKey)  # narrowed by _algoritme
    return sleutel, alg


class _OidcBron:
    """One configured issuer: its mapping and its keys."""

    def __init__(self, uitgever: OidcUitgever) -> None:
        _controleer_jwks_url(uitgever.jwks_url or uitgever.issuer, f"De OIDC-uitgever {uitgever.issuer}")
        self.uitgever = uitgever
        self.sleutels = _Sleutelbron(jwks_url=uitgever.jwks_url, issuer=uitgever.issuer)


class TokenVerifier:
    """Checks bearer tokens and turns them into an ``Actor``; the only way a request gets a role and a gemeente."""

    def __init__(
        self,
        *,
        public_key_pem: str | None = None,
        jwks_url: str | None = None,
        audience: str = "regiekamer",
        issuer: str | None = None,
        leeway_seconds: int = 30,
        uitgevers: Sequence[OidcUitgever] = (),
    ) -> None:
        # Empty strings (an env var set but blank) count as absent, so the message below is the one shown.
        pem = public_key_pem if public_key_pem and public_key_pem.strip() else None
        url = jwks_url.strip() if jwks_url and jwks_url.strip() else None
        if uitgevers and (pem is not None or url is not None):
            raise ValueError(
                "Kies één manier om tokens te controleren: OIDC-uitgevers (REGIEKAMER_OIDC_ISSUERS of "
                "REGIEKAMER_OIDC_BESTAND) of één sleutel (REGIEKAMER_JWKS_URL / REGIEKAMER_JWT_PUBLIC_KEY), niet beide."
            )
        if not uitgevers and (pem is None) == (url is None):
            raise ValueError(
                "Geef precies één manier om tokens te controleren: public_key_pem (REGIEKAMER_JWT_PUBLIC_KEY) "
                "of jwks_url (REGIEKAMER_JWKS_URL), niet allebei en niet geen van beide."
            )
        if not audience:
            raise ValueError("De audience mag niet leeg zijn; gebruik bijvoorbeeld 'regiekamer'.")
        if leeway_seconds < 0:
            raise ValueError("leeway_seconds moet 0 of groter zijn.")
        self._audience = audience
        self._issuer = issuer or None
        self._leeway = leeway_seconds
        self._sleutel: rsa.RSAPublicKey | ec.EllipticCurvePublicKey | None = None
        self._alg = ""
        self._jwks: _Sleutelbron | None = None
        self._oidc: dict[str, _OidcBron] = {u.issuer: _OidcBron(u) for u in uitgevers}
        if pem is not None:
            self._sleutel, self._alg = _laad_publieke_sleutel(pem)
        elif url is not None:
            _controleer_jwks_url(url)
            self._jwks = _Sleutelbron(jwks_url=url)

    @property
    def zonder_netwerk(self) -> bool:
        """Whether ``verify`` never fetches anything (a configured public key, no JWKS URL)."""
        return self._sleutel is not None

    def verify(self, token: str) -> Actor:
        """Returns the actor of a valid token; raises ``OngeldigToken`` for anything else."""
        if not isinstance(token, str) or not token:
            raise OngeldigToken(_GEEN_JWT)
        if len(token) > MAX_TOKEN_BYTES:
            raise OngeldigToken(_TE_GROOT)
        if not token.isascii():
            raise OngeldigToken(_GEEN_JWT)
        try:
            kop = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise OngeldigToken(_GEEN_JWT) from None
        if self._oidc:
            return self._verify_oidc(token, kop)
        if self._sleutel is not None:
            sleutel, alg = self._sleutel, self._alg
        else:
            assert self._jwks is not None
            sleutel, alg = _sleutel_uit(self._jwks, kop)
        # PyJWT also enforces algorithms=[alg]; checking first gives a clear message and a second line of defence.
        if kop.get("alg") != alg:
            raise OngeldigToken(_ALGORITME)
        verplicht = [*VERPLICHTE_CLAIMS, *(["iss"] if self._issuer else [])]
        claims = self._decodeer(token, sleutel, alg, self._audience, self._issuer, verplicht, strikt=True)
        return self._actor(claims)

    def _verify_oidc(self, token: str, kop: dict[str, Any]) -> Actor:
        """The issuer named in the (still unverified) token picks keys and mapping; the signature then proves it."""
        try:
            iss = jwt.decode(token, options={"verify_signature": False}).get("iss")
        except jwt.PyJWTError:
            raise OngeldigToken(_GEEN_JWT) from None
        bron = self._oidc.get(iss) if isinstance(iss, str) else None
        if bron is None:
            raise OngeldigToken(_ONBEKENDE_UITGEVER)
        sleutel, alg = _sleutel_uit(bron.sleutels, kop)
        if kop.get("alg") != alg:
            raise OngeldigToken(_ALGORITME)
        u = bron.uitgever
        verplicht = ["aud", "exp", "iat", "iss", u.sub_claim]
        # Keycloak puts a list in 'aud' (strikt=False): one of the configured audiences must be in it.
        claims = self._decodeer(token, sleutel, alg, u.audience, u.issuer, verplicht, strikt=False)
        try:
            u.controleer_client(claims)
            rol, gemeente, sub = u.rol_uit(claims), u.gemeente_uit(claims), u.sub_uit(claims)
        except OngeldigeClaims as e:
            raise OngeldigToken(str(e)) from None
        return self._actor({"sub": sub, "rol": str(rol), "gemeente": gemeente})

    def _decodeer(
        self,
        token: str,
        sleutel: rsa.RSAPublicKey | ec.EllipticCurvePublicKey,
        alg: str,
        audience: str | list[str],
        issuer: str | None,
        verplicht: list[str],
        *,
        strikt: bool,
    ) -> dict[str, Any]:
        try:
            claims = jwt.decode(
                token,
                sleutel,
                algorithms=[alg],
                audience=audience,
                issuer=issuer,
                leeway=self._leeway,
                options={"require": verplicht, "strict_aud": strikt, "verify_signature": True},
            )
        except jwt.ExpiredSignatureError:
            raise OngeldigToken(_VERLOPEN) from None
        except jwt.ImmatureSignatureError:
            raise OngeldigToken(_NOG_NIET_GELDIG) from None
        except jwt.MissingRequiredClaimError as e:
            raise OngeldigToken(
                f"Het token mist de claim '{e.claim}'; vraag een token aan met {', '.join(verplicht)}."
            ) from None
        except jwt.InvalidAudienceError:
            verwacht = audience if isinstance(audience, str) else "' of '".join(audience)
            raise OngeldigToken(
                f"Het token is niet voor deze dienst bedoeld: de claim 'aud' moet '{verwacht}' zijn. "
                f"Vraag een token aan voor '{verwacht}'."
            ) from None
        except jwt.InvalidIssuerError:
            raise OngeldigToken(_UITGEVER) from None
        except jwt.InvalidSignatureError:
            raise OngeldigToken(_HANDTEKENING) from None
        except jwt.InvalidAlgorithmError:
            raise OngeldigToken(_ALGORITME) from None
        except jwt.PyJWTError:
            raise OngeldigToken(_ONGELDIG) from None
        except (ValueError, TypeError, OverflowError):
            # Not expected from PyJWT, but a parser surprise must still be a 401, never a 500.
            log.warning("Onverwachte fout bij het decoderen van een token", exc_info=True)
            raise OngeldigToken(_ONGELDIG) from None
        # PyJWT accepts numeric strings for dates; RFC 7519 says NumericDate is a JSON number.
        for naam in TIJDCLAIMS:
            if naam in claims and not _is_getal(claims[naam]):
                raise OngeldigToken(
                    f"De claim '{naam}' moet een getal (seconden sinds 1970) zijn; vraag een nieuw token aan."
                )
        return claims

    @staticmethod
    def _actor(claims: dict[str, Any]) -> Actor:
        for naam in ("sub", "rol"):
            if not isinstance(claims.get(naam), str):
                raise OngeldigToken(f"De claim '{naam}' moet een tekst zijn; vraag een nieuw token aan.")
        gemeente = claims.get("gemeente")
        if gemeente is not None and not isinstance(gemeente, str):
            raise OngeldigToken("De claim 'gemeente' moet een CBS-code als tekst zijn, bijvoorbeeld \"0268\".")
        for naam in ("sub", "rol", "gemeente"):
            # The same rule as for every text of a request: 'sub' lands in the audit log.
            if isinstance(claims.get(naam), str) and bevat_ongeldig_teken(claims[naam]):
                raise OngeldigToken(f"De claim '{naam}' bevat een ongeldig teken; vraag een nieuw token aan.")
        try:
            return Actor.uit_claims(claims["sub"], claims["rol"], gemeente)
        except OngeldigeActor as e:
            raise OngeldigToken(str(e)) from None


def _is_getal(waarde: object) -> bool:
    return isinstance(waarde, int | float) and not isinstance(waarde, bool) and math.isfinite(waarde)


def bearer_token(authorization_header: str | None) -> str:
    """Reads the token from ``Authorization: Bearer <JWT>``; anything else is refused before verification."""
    if not authorization_header or not authorization_header.strip():
        raise OngeldigToken("Stuur een token mee: Authorization: Bearer <JWT>.")
    delen = authorization_header.split()
    if delen[0].lower() != "bearer":
        raise OngeldigToken("Gebruik het schema Bearer: Authorization: Bearer <JWT>.")
    if len(delen) != 2:
        raise OngeldigToken("Zet precies één token achter 'Bearer': Authorization: Bearer <JWT>.")
    return delen[1]
