"""Authenticatie: alleen geldig getekende RS256/ES256-tokens met aud, exp, iat, sub en rol komen binnen."""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from api.auth import OngeldigToken, TokenVerifier, bearer_token
from api.sleutels import DemoSleutel


@pytest.fixture(scope="module")
def sleutel(tmp_path_factory: pytest.TempPathFactory) -> DemoSleutel:
    return DemoSleutel.maak(tmp_path_factory.mktemp("k"))


@pytest.fixture(scope="module")
def verifier(sleutel: DemoSleutel) -> TokenVerifier:
    return TokenVerifier(public_key_pem=sleutel.public_key_pem)


def _claims(**kw: object) -> dict[str, object]:
    nu = int(time.time())
    basis: dict[str, object] = {
        "sub": "u1",
        "rol": "consulent",
        "gemeente": "0268",
        "aud": "regiekamer",
        "iat": nu,
        "exp": nu + 600,
    }
    basis.update(kw)
    return {k: v for k, v in basis.items() if v is not None}


def _teken(sleutel: DemoSleutel, claims: dict[str, object], alg: str = "ES256") -> str:
    return jwt.encode(claims, sleutel._prive, algorithm=alg)


def _weigert(verifier: TokenVerifier, token: str) -> str:
    with pytest.raises(OngeldigToken) as fout:
        verifier.verify(token)
    return fout.value.bericht


def test_geldig_demotoken_geeft_actor(sleutel, verifier):
    actor = verifier.verify(sleutel.maak_token(rol="consulent", gemeente="0268", sub="abc"))
    assert (actor.sub, str(actor.rol), actor.gemeente) == ("abc", "consulent", "0268")


def test_token_zonder_handtekening_alg_none_wordt_geweigerd(verifier):
    kop = base64.urlsafe_b64encode(json.dumps({"alg": "none", "typ": "JWT"}).encode()).decode().rstrip("=")
    romp = base64.urlsafe_b64encode(json.dumps(_claims()).encode()).decode().rstrip("=")
    assert "algoritme" in _weigert(verifier, f"{kop}.{romp}.")


def test_algoritmeverwarring_hs256_met_publieke_sleutel_wordt_geweigerd(sleutel, verifier):
    kop = base64.urlsafe_b64encode(json.dumps({"alg": "HS256", "typ": "JWT"}).encode()).decode().rstrip("=")
    romp = base64.urlsafe_b64encode(json.dumps(_claims()).encode()).decode().rstrip("=")
    import hashlib
    import hmac

    handtekening = hmac.new(sleutel.public_key_pem.encode(), f"{kop}.{romp}".encode(), hashlib.sha256).digest()
    token = f"{kop}.{romp}.{base64.urlsafe_b64encode(handtekening).decode().rstrip('=')}"
    _weigert(verifier, token)


def test_verlopen_token_wordt_geweigerd(sleutel, verifier):
    nu = int(time.time())
    assert "verlopen" in _weigert(verifier, _teken(sleutel, _claims(iat=nu - 7200, exp=nu - 3600)))


def test_token_van_andere_sleutel_wordt_geweigerd(tmp_path, verifier):
    ander = DemoSleutel.maak(tmp_path)
    assert "handtekening" in _weigert(verifier, ander.maak_token(rol="consulent", gemeente="0268", sub="x"))


def test_gemanipuleerde_claims_breken_de_handtekening(sleutel, verifier):
    kop, romp, sig = sleutel.maak_token(rol="consulent", gemeente="0268", sub="x").split(".")
    claims = json.loads(base64.urlsafe_b64decode(romp + "=="))
    claims["gemeente"] = "0296"
    nieuw = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    _weigert(verifier, f"{kop}.{nieuw}.{sig}")


@pytest.mark.parametrize("ontbreekt", ["aud", "exp", "iat", "sub", "rol"])
def test_token_zonder_verplichte_claim_wordt_geweigerd(sleutel, verifier, ontbreekt):
    claims = _claims()
    del claims[ontbreekt]
    _weigert(verifier, _teken(sleutel, claims))


def test_token_voor_andere_dienst_wordt_geweigerd(sleutel, verifier):
    assert "aud" in _weigert(verifier, _teken(sleutel, _claims(aud="andere-dienst")))


def test_token_met_iat_in_de_toekomst_wordt_geweigerd(sleutel, verifier):
    nu = int(time.time())
    _weigert(verifier, _teken(sleutel, _claims(iat=nu + 3600, exp=nu + 7200)))


def test_uitgever_wordt_gecontroleerd_als_die_is_ingesteld(sleutel):
    v = TokenVerifier(public_key_pem=sleutel.public_key_pem, issuer="https://idp.example")
    _weigert(v, _teken(sleutel, _claims(iss="https://andere.example")))
    _weigert(v, _teken(sleutel, _claims()))
    assert v.verify(_teken(sleutel, _claims(iss="https://idp.example"))).sub == "u1"


@pytest.mark.parametrize(
    ("rol", "gemeente"),
    [
        ("consulent", None),
        ("consulent", "9999"),
        ("backoffice", None),
        ("contractmanager", "0268"),
        ("superuser", None),
        (["consulent"], "0268"),
    ],
)
def test_ongeldige_combinatie_van_rol_en_gemeente_wordt_geweigerd(sleutel, verifier, rol, gemeente):
    _weigert(verifier, _teken(sleutel, _claims(rol=rol, gemeente=gemeente)))


def test_onzin_en_te_grote_tokens_worden_netjes_geweigerd(verifier):
    for token in ("", "abc", "a.b.c", "x" * 9000, "eyJ.eyJ.sig"):
        _weigert(verifier, token)


def test_rs256_met_geconfigureerde_rsa_sleutel():
    prive = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = prive.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    v = TokenVerifier(public_key_pem=pem.decode())
    assert v.verify(jwt.encode(_claims(), prive, algorithm="RS256")).rol == "consulent"
    # An RSA key never accepts ES256 or PS256 headers.
    _weigert(v, jwt.encode(_claims(), prive, algorithm="PS256"))


@pytest.fixture
def jwks_server(sleutel: DemoSleutel) -> Iterator[str]:
    inhoud = json.dumps(sleutel.jwks()).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(inhoud)

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    draad = threading.Thread(target=server.serve_forever, daemon=True)
    draad.start()
    yield f"http://127.0.0.1:{server.server_port}/jwks.json"
    server.shutdown()


def test_jwks_url_verifieert_op_kid_en_weigert_onbekende_kid(sleutel, jwks_server, tmp_path):
    v = TokenVerifier(jwks_url=jwks_server)
    assert v.verify(sleutel.maak_token(rol="rmz_medewerker", gemeente=None, sub="r")).organisatie == "ROB"
    vreemd = DemoSleutel.maak(tmp_path)
    assert "kid" in _weigert(v, vreemd.maak_token(rol="consulent", gemeente="0268", sub="x"))


def test_onbereikbare_jwks_geeft_nette_weigering(sleutel):
    v = TokenVerifier(jwks_url="http://127.0.0.1:9/jwks.json")
    _weigert(v, sleutel.maak_token(rol="consulent", gemeente="0268", sub="x"))


def test_bearer_header_wordt_streng_gelezen():
    assert bearer_token("Bearer abc") == "abc"
    assert bearer_token("bearer abc") == "abc"
    for kop in (None, "", "Basic abc", "Bearer", "Bearer  "):
        with pytest.raises(OngeldigToken):
            bearer_token(kop)


def test_demosleutel_staat_alleen_leesbaar_voor_eigenaar(tmp_path: Path):
    assert DemoSleutel.laad(tmp_path) is None
    s = DemoSleutel.maak(tmp_path)
    assert (tmp_path / "demo-signing-key.pem").stat().st_mode & 0o777 == 0o600
    geladen = DemoSleutel.laad(tmp_path)
    assert geladen is not None and geladen.public_key_pem == s.public_key_pem
