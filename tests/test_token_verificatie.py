"""Authenticatie: alleen geldig getekende RS256/ES256-tokens met aud, exp, iat, sub en rol komen binnen.

Pure unit tests: no database, no app. The JWKS tests serve keys from a thread on 127.0.0.1.
Everything here builds its own keys; nothing depends on fixtures from conftest.py.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID
from hypothesis import given, settings
from hypothesis import strategies as st
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

import api.auth as auth
from api.auth import OngeldigToken, TokenVerifier, bearer_token
from api.sleutels import DemoSleutel
from domein.actor import Rol

WEG = object()
"""Marker: leave this claim out of the token."""

_ZWAKKE_RSA_SLEUTEL = rsa.generate_private_key(public_exponent=65537, key_size=1024)  # noqa: S505
"""Deliberately too short: the verifier must refuse it, at start-up and from a JWKS."""


# --- hulpjes ---------------------------------------------------------------------------------------


def _pem(sleutel: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey) -> str:
    return (
        sleutel.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def _claims(**wijziging: object) -> dict[str, object]:
    nu = int(time.time())
    claims: dict[str, object] = {
        "sub": "u1",
        "rol": "consulent",
        "gemeente": "0268",
        "aud": "regiekamer",
        "iat": nu,
        "exp": nu + 600,
    }
    claims.update(wijziging)
    return {k: v for k, v in claims.items() if v is not WEG}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _b64json(obj: object) -> str:
    return _b64(json.dumps(obj).encode())


def _hs256_met_geheim(geheim: bytes, kop: dict[str, object], claims: dict[str, object]) -> str:
    """Hand-made HS256 token: PyJWT itself refuses to use a PEM as HMAC secret, an attacker does not."""
    invoer = f"{_b64json(kop)}.{_b64json(claims)}"
    return f"{invoer}.{_b64(hmac.new(geheim, invoer.encode(), hashlib.sha256).digest())}"


def _weigert(verifier: TokenVerifier, token: str) -> str:
    """Asserts the token is refused with OngeldigToken and a message fit to show a user."""
    with pytest.raises(OngeldigToken) as fout:
        verifier.verify(token)
    bericht = fout.value.bericht
    assert isinstance(bericht, str) and bericht
    assert "BEGIN" not in bericht and "Traceback" not in bericht and len(bericht) < 400
    return bericht


# --- sleutels als fixtures (module scope: RSA-sleutels maken kost tijd) ------------------------------


@pytest.fixture(scope="module")
def ec_sleutel() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


@pytest.fixture(scope="module")
def rsa_sleutel() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def verifier(ec_sleutel: ec.EllipticCurvePrivateKey) -> TokenVerifier:
    return TokenVerifier(public_key_pem=_pem(ec_sleutel))


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoSleutel:
    return DemoSleutel.maak(tmp_path_factory.mktemp("demo"))


def _teken(sleutel: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey, claims: dict[str, object], **kw: Any) -> str:
    alg = kw.pop("alg", "ES256" if isinstance(sleutel, ec.EllipticCurvePrivateKey) else "RS256")
    return jwt.encode(claims, sleutel, algorithm=alg, **kw)


# --- geldige tokens --------------------------------------------------------------------------------


def test_geldig_demotoken_geeft_actor(demo: DemoSleutel) -> None:
    v = TokenVerifier(public_key_pem=demo.public_key_pem)
    actor = v.verify(demo.maak_token(rol="consulent", gemeente="0268", sub="abc"))
    assert (actor.sub, actor.rol, actor.gemeente, actor.organisatie) == ("abc", Rol.CONSULENT, "0268", "0268")


def test_regiorol_zonder_gemeente_hoort_bij_het_rob(demo: DemoSleutel) -> None:
    v = TokenVerifier(public_key_pem=demo.public_key_pem)
    actor = v.verify(demo.maak_token(rol="rmz_medewerker", gemeente=None, sub="r1"))
    assert (actor.rol, actor.gemeente, actor.organisatie) == (Rol.RMZ_MEDEWERKER, None, "ROB")


def test_rs256_met_geconfigureerde_rsa_sleutel(rsa_sleutel: rsa.RSAPrivateKey) -> None:
    v = TokenVerifier(public_key_pem=_pem(rsa_sleutel))
    assert v.verify(_teken(rsa_sleutel, _claims())).rol == Rol.CONSULENT


def test_x509_certificaat_als_publieke_sleutel_wordt_aanvaard(ec_sleutel: ec.EllipticCurvePrivateKey) -> None:
    naam = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "idp.example")])
    nu = dt.datetime.now(dt.UTC)
    certificaat = (
        x509.CertificateBuilder()
        .subject_name(naam)
        .issuer_name(naam)
        .public_key(ec_sleutel.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(nu)
        .not_valid_after(nu + dt.timedelta(days=1))
        .sign(ec_sleutel, hashes.SHA256())
    )
    v = TokenVerifier(public_key_pem=certificaat.public_bytes(serialization.Encoding.PEM).decode())
    assert v.verify(_teken(ec_sleutel, _claims())).sub == "u1"


def test_pem_met_letterlijke_backslash_n_uit_omgevingsvariabele_wordt_aanvaard(
    ec_sleutel: ec.EllipticCurvePrivateKey,
) -> None:
    v = TokenVerifier(public_key_pem=_pem(ec_sleutel).replace("\n", "\\n"))
    assert v.verify(_teken(ec_sleutel, _claims())).sub == "u1"


def test_klokverschil_binnen_de_speling_wordt_aanvaard(
    ec_sleutel: ec.EllipticCurvePrivateKey, verifier: TokenVerifier
) -> None:
    nu = int(time.time())
    assert verifier.verify(_teken(ec_sleutel, _claims(iat=nu + 10, exp=nu - 10))).sub == "u1"


# --- handtekening en algoritme ---------------------------------------------------------------------


@pytest.mark.parametrize("alg", ["none", "None", "NONE"])
def test_token_zonder_handtekening_alg_none_wordt_geweigerd(verifier: TokenVerifier, alg: str) -> None:
    token = f"{_b64json({'alg': alg, 'typ': 'JWT'})}.{_b64json(_claims())}."
    assert "algoritme" in _weigert(verifier, token)


def test_token_zonder_handtekening_van_pyjwt_zelf_wordt_geweigerd(verifier: TokenVerifier) -> None:
    _weigert(verifier, jwt.encode(_claims(), "", algorithm="none"))


@pytest.mark.parametrize("soort", ["ec", "rsa"])
def test_algoritmeverwarring_hs256_met_publieke_sleutel_wordt_geweigerd(
    soort: str, ec_sleutel: ec.EllipticCurvePrivateKey, rsa_sleutel: rsa.RSAPrivateKey
) -> None:
    pem = _pem(ec_sleutel if soort == "ec" else rsa_sleutel)
    v = TokenVerifier(public_key_pem=pem)
    for geheim in (pem.encode(), pem.strip().encode()):
        for alg in ("HS256", "HS384", "HS512"):
            assert "algoritme" in _weigert(v, _hs256_met_geheim(geheim, {"alg": alg, "typ": "JWT"}, _claims()))


def test_algoritme_moet_bij_het_sleuteltype_passen(
    ec_sleutel: ec.EllipticCurvePrivateKey, rsa_sleutel: rsa.RSAPrivateKey
) -> None:
    rsa_verifier = TokenVerifier(public_key_pem=_pem(rsa_sleutel))
    ec_verifier = TokenVerifier(public_key_pem=_pem(ec_sleutel))
    # Same RSA key, other RSA algorithms: an RSA key accepts RS256 only.
    for alg in ("PS256", "RS384", "RS512"):
        _weigert(rsa_verifier, _teken(rsa_sleutel, _claims(), alg=alg))
    # A token signed with the other key type never fits.
    _weigert(rsa_verifier, _teken(ec_sleutel, _claims()))
    _weigert(ec_verifier, _teken(rsa_sleutel, _claims()))
    # ES256 header but the signature of ES384 over a P-384 key.
    p384 = ec.generate_private_key(ec.SECP384R1())
    _weigert(ec_verifier, _teken(p384, _claims(), alg="ES384"))


def test_token_van_andere_sleutel_wordt_geweigerd(verifier: TokenVerifier) -> None:
    ander = ec.generate_private_key(ec.SECP256R1())
    assert "handtekening" in _weigert(verifier, _teken(ander, _claims()))


def test_gemanipuleerde_claims_breken_de_handtekening(
    ec_sleutel: ec.EllipticCurvePrivateKey, verifier: TokenVerifier
) -> None:
    kop, _, handtekening = _teken(ec_sleutel, _claims()).split(".")
    vervalst = _b64json(_claims(gemeente="0296"))
    assert "handtekening" in _weigert(verifier, f"{kop}.{vervalst}.{handtekening}")


# --- claims ----------------------------------------------------------------------------------------


def test_verlopen_token_wordt_geweigerd(ec_sleutel: ec.EllipticCurvePrivateKey, verifier: TokenVerifier) -> None:
    nu = int(time.time())
    assert "verlopen" in _weigert(verifier, _teken(ec_sleutel, _claims(iat=nu - 7200, exp=nu - 3600)))


@pytest.mark.parametrize("claim", ["aud", "exp", "iat"])
def test_token_zonder_aud_exp_of_iat_wordt_geweigerd(
    ec_sleutel: ec.EllipticCurvePrivateKey, verifier: TokenVerifier, claim: str
) -> None:
    assert claim in _weigert(verifier, _teken(ec_sleutel, _claims(**{claim: WEG})))


@pytest.mark.parametrize("claim", ["sub", "rol"])
def test_token_zonder_sub_of_rol_wordt_geweigerd(
    ec_sleutel: ec.EllipticCurvePrivateKey, verifier: TokenVerifier, claim: str
) -> None:
    assert claim in _weigert(verifier, _teken(ec_sleutel, _claims(**{claim: WEG})))


@pytest.mark.parametrize("aud", ["andere-dienst", ["andere-dienst"], ["regiekamer", "andere-dienst"], ""])
def test_token_voor_andere_dienst_wordt_geweigerd(
    ec_sleutel: ec.EllipticCurvePrivateKey, verifier: TokenVerifier, aud: object
) -> None:
    # Strict: a token also valid for another service could be replayed here, so aud must be exactly ours.
    _weigert(verifier, _teken(ec_sleutel, _claims(aud=aud)))


def test_eigen_audience_wordt_gebruikt(ec_sleutel: ec.EllipticCurvePrivateKey) -> None:
    v = TokenVerifier(public_key_pem=_pem(ec_sleutel), audience="regiekamer-test")
    assert v.verify(_teken(ec_sleutel, _claims(aud="regiekamer-test"))).sub == "u1"
    assert "regiekamer-test" in _weigert(v, _teken(ec_sleutel, _claims()))


@pytest.mark.parametrize("claim", ["iat", "nbf"])
def test_token_met_iat_of_nbf_in_de_toekomst_wordt_geweigerd(
    ec_sleutel: ec.EllipticCurvePrivateKey, verifier: TokenVerifier, claim: str
) -> None:
    nu = int(time.time())
    assert "toekomst" in _weigert(verifier, _teken(ec_sleutel, _claims(**{claim: nu + 3600}, exp=nu + 7200)))


def test_uitgever_wordt_gecontroleerd_als_die_is_ingesteld(ec_sleutel: ec.EllipticCurvePrivateKey) -> None:
    v = TokenVerifier(public_key_pem=_pem(ec_sleutel), issuer="https://idp.example")
    assert "iss" in _weigert(v, _teken(ec_sleutel, _claims(iss="https://andere.example")))
    assert "iss" in _weigert(v, _teken(ec_sleutel, _claims()))
    assert v.verify(_teken(ec_sleutel, _claims(iss="https://idp.example"))).sub == "u1"


def test_zonder_ingestelde_uitgever_is_iss_vrij(
    ec_sleutel: ec.EllipticCurvePrivateKey, verifier: TokenVerifier
) -> None:
    assert verifier.verify(_teken(ec_sleutel, _claims(iss="wie-dan-ook"))).sub == "u1"


@pytest.mark.parametrize("rol", ["consulent", "kwaliteitsmedewerker", "backoffice"])
def test_consulent_zonder_gemeente_wordt_geweigerd(
    ec_sleutel: ec.EllipticCurvePrivateKey, verifier: TokenVerifier, rol: str
) -> None:
    for gemeente in (WEG, None, "", "ROB"):
        assert "gemeente" in _weigert(verifier, _teken(ec_sleutel, _claims(rol=rol, gemeente=gemeente)))


@pytest.mark.parametrize("rol", ["rmz_medewerker", "contractmanager", "beheerder"])
def test_regiorol_met_gemeente_wordt_geweigerd(
    ec_sleutel: ec.EllipticCurvePrivateKey, verifier: TokenVerifier, rol: str
) -> None:
    assert "ROB" in _weigert(verifier, _teken(ec_sleutel, _claims(rol=rol, gemeente="0268")))


def test_privacy_officer_mag_bij_gemeente_of_rob_horen(
    ec_sleutel: ec.EllipticCurvePrivateKey, verifier: TokenVerifier
) -> None:
    assert verifier.verify(_teken(ec_sleutel, _claims(rol="privacy_officer"))).organisatie == "0268"
    assert verifier.verify(_teken(ec_sleutel, _claims(rol="privacy_officer", gemeente=WEG))).organisatie == "ROB"


@pytest.mark.parametrize(("rol", "gemeente"), [("superuser", "0268"), ("Consulent", "0268"), ("consulent", "9999")])
def test_onbekende_rol_of_gemeente_wordt_geweigerd(
    ec_sleutel: ec.EllipticCurvePrivateKey, verifier: TokenVerifier, rol: str, gemeente: str
) -> None:
    _weigert(verifier, _teken(ec_sleutel, _claims(rol=rol, gemeente=gemeente)))


@pytest.mark.parametrize(
    "wijziging",
    [
        {"rol": ["consulent"]},
        {"rol": 1},
        {"rol": {"naam": "consulent"}},
        {"sub": 42},
        {"sub": ""},
        {"sub": "   "},
        {"gemeente": 268},
        {"gemeente": ["0268"]},
        {"exp": "99999999999"},
        {"exp": True},
        {"iat": "0"},
        {"iat": [1]},
        {"nbf": "0"},
    ],
    ids=repr,
)
def test_claims_van_het_verkeerde_type_worden_geweigerd(
    ec_sleutel: ec.EllipticCurvePrivateKey, verifier: TokenVerifier, wijziging: dict[str, object]
) -> None:
    _weigert(verifier, _teken(ec_sleutel, _claims(**wijziging)))


# --- kapotte en vijandige invoer -------------------------------------------------------------------


_PLAK = _b64(b"x" * 64)


@pytest.mark.parametrize(
    "token",
    [
        pytest.param("", id="leeg"),
        pytest.param("abc", id="geen-punten"),
        pytest.param("a.b.c", id="geen-base64-json"),
        pytest.param("a.b", id="twee-delen"),
        pytest.param("....", id="alleen-punten"),
        pytest.param("eyJ.eyJ.sig", id="afgekapt"),
        pytest.param("é.é.é", id="niet-ascii"),
        pytest.param("\x00.\x00.\x00", id="nul-bytes"),
        pytest.param(f"{_b64json([1])}.{_b64json(_claims())}.x", id="kop-geen-object"),
        pytest.param(f"{_b64json({'alg': 'ES256'})}.{_b64(b'geen json')}.{_PLAK}", id="romp-geen-json"),
        pytest.param(f"{_b64json({'alg': 'ES256'})}.{_b64json([1, 2])}.{_PLAK}", id="romp-geen-object"),
        pytest.param(f"{_b64json({'alg': 'ES256', 'crit': ['exp']})}.{_b64json(_claims())}.{_PLAK}", id="crit"),
        pytest.param(
            f"{_b64json({'alg': 'ES256', 'b64': False, 'crit': ['b64']})}.{_b64json(_claims())}.{_PLAK}",
            id="b64-false",
        ),
    ],
)
def test_onzintokens_worden_netjes_geweigerd(verifier: TokenVerifier, token: str) -> None:
    _weigert(verifier, token)


def test_te_groot_token_wordt_geweigerd(ec_sleutel: ec.EllipticCurvePrivateKey, verifier: TokenVerifier) -> None:
    # Correctly signed, just too big: the size limit comes before any parsing.
    groot = _teken(ec_sleutel, _claims(vulling="x" * 9000))
    assert len(groot) > auth.MAX_TOKEN_BYTES
    assert "8 KB" in _weigert(verifier, groot)
    assert "8 KB" in _weigert(verifier, "x" * 100_000)


def test_geen_tekst_als_token_wordt_geweigerd(verifier: TokenVerifier) -> None:
    for waarde in (None, b"abc", 123):
        with pytest.raises(OngeldigToken):
            verifier.verify(waarde)  # type: ignore[arg-type]


_segment = st.one_of(
    st.binary(max_size=80).map(_b64),
    st.dictionaries(
        st.sampled_from(["alg", "kid", "typ", "crit", "b64", "sub", "rol", "exp", "iat", "aud"]),
        st.one_of(
            st.none(),
            st.booleans(),
            st.integers(),
            st.text(max_size=10),
            st.sampled_from(["ES256", "RS256", "HS256", "none"]),
            st.lists(st.text(max_size=5), max_size=3),
        ),
        max_size=6,
    ).map(_b64json),
    st.text(max_size=20),
)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=200), st.lists(_segment, min_size=1, max_size=4).map(".".join)))
def test_willekeurige_invoer_geeft_alleen_ongeldig_token(token: str) -> None:
    # Module fixtures do not mix with @given; a fixed public key suffices because nothing may verify.
    with pytest.raises(OngeldigToken):
        _FUZZ_VERIFIER.verify(token)


_FUZZ_VERIFIER = TokenVerifier(public_key_pem=_pem(ec.generate_private_key(ec.SECP256R1())))


# --- configuratie ----------------------------------------------------------------------------------


def test_precies_een_sleutelbron_is_verplicht(ec_sleutel: ec.EllipticCurvePrivateKey) -> None:
    for kwargs in (
        {},
        {"public_key_pem": "", "jwks_url": "  "},
        {"public_key_pem": _pem(ec_sleutel), "jwks_url": "https://idp.example/jwks"},
    ):
        with pytest.raises(ValueError, match="precies één"):
            TokenVerifier(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "url",
    ["http://idp.example/jwks", "file:///etc/passwd", "ftp://idp.example/jwks", "https:///zonder-host", "jwks"],
)
def test_jwks_url_moet_https_zijn_behalve_op_loopback(url: str) -> None:
    with pytest.raises(ValueError, match="https"):
        TokenVerifier(jwks_url=url)


def test_jwks_url_over_http_naar_loopback_mag() -> None:
    for url in ("http://127.0.0.1:8080/jwks", "http://localhost/jwks", "http://[::1]/jwks", "https://idp.example/j"):
        TokenVerifier(jwks_url=url)


def test_onbruikbare_publieke_sleutel_wordt_bij_start_geweigerd(ec_sleutel: ec.EllipticCurvePrivateKey) -> None:
    zwak = _ZWAKKE_RSA_SLEUTEL
    p384 = ec.generate_private_key(ec.SECP384R1())
    prive_pem = ec_sleutel.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    for pem in ("geen pem", _pem(zwak), _pem(p384), prive_pem):
        with pytest.raises(ValueError) as fout:
            TokenVerifier(public_key_pem=pem)
        assert "PRIVATE" not in str(fout.value)


# --- JWKS ------------------------------------------------------------------------------------------


class JwksServer:
    """Serves a JWKS from a thread on 127.0.0.1 and counts requests, so tests see when the verifier fetches."""

    def __init__(self) -> None:
        self.inhoud = b'{"keys": []}'
        self.status = 200
        self.verzoeken = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.verzoeken += 1
                self.send_response(server.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(server.inhoud)))
                self.end_headers()
                self.wfile.write(server.inhoud)

            def log_message(self, format: str, *args: Any) -> None:  # quiet test output
                pass

        self.httpd = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}/.well-known/jwks.json"

    def serveer(self, *sleutels: dict[str, Any]) -> None:
        self.inhoud = json.dumps({"keys": list(sleutels)}).encode()


@pytest.fixture
def jwks_server() -> Iterator[JwksServer]:
    server = JwksServer()
    draad = threading.Thread(target=server.httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    draad.start()
    try:
        yield server
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()
        draad.join(timeout=5)


def test_jwks_url_verifieert_op_kid(demo: DemoSleutel, jwks_server: JwksServer) -> None:
    ander = DemoSleutel(ec.generate_private_key(ec.SECP256R1()))
    jwks_server.serveer(*ander.jwks()["keys"], *demo.jwks()["keys"])
    v = TokenVerifier(jwks_url=jwks_server.url)
    assert v.verify(demo.maak_token(rol="consulent", gemeente="0268", sub="d")).sub == "d"
    assert v.verify(ander.maak_token(rol="beheerder", gemeente=None, sub="a")).organisatie == "ROB"
    assert jwks_server.verzoeken == 1  # the JWK set is cached


def test_jwks_rs256_met_rsa_sleutel(rsa_sleutel: rsa.RSAPrivateKey, jwks_server: JwksServer) -> None:
    jwk = RSAAlgorithm.to_jwk(rsa_sleutel.public_key(), as_dict=True)
    jwks_server.serveer({**jwk, "kid": "rsa-1", "use": "sig"})
    v = TokenVerifier(jwks_url=jwks_server.url)
    assert v.verify(_teken(rsa_sleutel, _claims(), headers={"kid": "rsa-1"})).sub == "u1"
    _weigert(v, _teken(rsa_sleutel, _claims(), alg="PS256", headers={"kid": "rsa-1"}))


def test_jwks_onbekende_kid_wordt_geweigerd_zonder_de_idp_te_bestoken(
    demo: DemoSleutel, jwks_server: JwksServer
) -> None:
    jwks_server.serveer(*demo.jwks()["keys"])
    v = TokenVerifier(jwks_url=jwks_server.url)
    vreemd = DemoSleutel(ec.generate_private_key(ec.SECP256R1()))
    for _ in range(5):
        assert "kid" in _weigert(v, vreemd.maak_token(rol="consulent", gemeente="0268", sub="x"))
    assert jwks_server.verzoeken == 1


def test_jwks_nieuwe_sleutel_na_rotatie_wordt_opgehaald(
    demo: DemoSleutel, jwks_server: JwksServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(auth, "JWKS_RUST_SECONDEN", 0.0)
    jwks_server.serveer(*demo.jwks()["keys"])
    v = TokenVerifier(jwks_url=jwks_server.url)
    v.verify(demo.maak_token(rol="consulent", gemeente="0268", sub="x"))
    nieuw = DemoSleutel(ec.generate_private_key(ec.SECP256R1()))
    jwks_server.serveer(*demo.jwks()["keys"], *nieuw.jwks()["keys"])
    assert v.verify(nieuw.maak_token(rol="consulent", gemeente="0268", sub="n")).sub == "n"
    assert jwks_server.verzoeken == 2


def test_jwks_ingetrokken_sleutel_werkt_niet_meer_na_de_cacheduur(
    demo: DemoSleutel, jwks_server: JwksServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(auth, "JWKS_LEVENSDUUR_SECONDEN", 0.05)
    jwks_server.serveer(*demo.jwks()["keys"])
    v = TokenVerifier(jwks_url=jwks_server.url)
    token = demo.maak_token(rol="consulent", gemeente="0268", sub="x")
    v.verify(token)
    jwks_server.serveer(*DemoSleutel(ec.generate_private_key(ec.SECP256R1())).jwks()["keys"])
    time.sleep(0.1)
    assert "kid" in _weigert(v, token)


def test_jwks_token_zonder_kid_wordt_geweigerd(
    ec_sleutel: ec.EllipticCurvePrivateKey, demo: DemoSleutel, jwks_server: JwksServer
) -> None:
    jwks_server.serveer(*demo.jwks()["keys"])
    v = TokenVerifier(jwks_url=jwks_server.url)
    assert "kid" in _weigert(v, _teken(ec_sleutel, _claims()))
    assert "kid" in _weigert(v, _teken(ec_sleutel, _claims(), headers={"kid": ""}))
    assert jwks_server.verzoeken == 0  # refused before any fetch


def test_jwks_algoritmeverwarring_met_publieke_sleutel_wordt_geweigerd(
    demo: DemoSleutel, jwks_server: JwksServer
) -> None:
    jwks_server.serveer(*demo.jwks()["keys"])
    v = TokenVerifier(jwks_url=jwks_server.url)
    for geheim in (demo.public_key_pem.encode(), json.dumps(demo.jwks()["keys"][0]).encode()):
        token = _hs256_met_geheim(geheim, {"alg": "HS256", "kid": demo.kid}, _claims())
        assert "algoritme" in _weigert(v, token)


def test_jwks_met_symmetrische_sleutel_wordt_geweigerd(jwks_server: JwksServer) -> None:
    geheim = b"gedeeld-geheim-dat-niemand-mag-gebruiken"
    jwks_server.serveer({"kty": "oct", "k": _b64(geheim), "kid": "hmac", "alg": "HS256"})
    v = TokenVerifier(jwks_url=jwks_server.url)
    _weigert(v, _hs256_met_geheim(geheim, {"alg": "HS256", "kid": "hmac"}, _claims()))


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
def test_jwks_sleutel_die_niet_bij_het_algoritme_past_wordt_geweigerd(
    rsa_sleutel: rsa.RSAPrivateKey, jwks_server: JwksServer
) -> None:
    p384 = ec.generate_private_key(ec.SECP384R1())
    zwak = _ZWAKKE_RSA_SLEUTEL
    jwks_server.serveer(
        {**ECAlgorithm.to_jwk(p384.public_key(), as_dict=True), "kid": "p384"},
        # The JWK says PS256: this RSA key is not meant for RS256, so RS256 tokens are refused.
        {**RSAAlgorithm.to_jwk(rsa_sleutel.public_key(), as_dict=True), "kid": "ps", "alg": "PS256"},
        {**RSAAlgorithm.to_jwk(zwak.public_key(), as_dict=True), "kid": "zwak"},
    )
    v = TokenVerifier(jwks_url=jwks_server.url)
    _weigert(v, _teken(p384, _claims(), alg="ES384", headers={"kid": "p384"}))
    _weigert(v, _teken(rsa_sleutel, _claims(), headers={"kid": "ps"}))
    _weigert(v, _teken(rsa_sleutel, _claims(), alg="PS256", headers={"kid": "ps"}))
    _weigert(v, _teken(zwak, _claims(), headers={"kid": "zwak"}))


def test_onbereikbare_jwks_geeft_nette_weigering(demo: DemoSleutel) -> None:
    with socket.socket() as s:  # a port that was free a moment ago: nothing listens there
        s.bind(("127.0.0.1", 0))
        poort = s.getsockname()[1]
    v = TokenVerifier(jwks_url=f"http://127.0.0.1:{poort}/jwks.json")
    assert "probeer" in _weigert(v, demo.maak_token(rol="consulent", gemeente="0268", sub="x"))


@pytest.mark.parametrize(
    ("status", "inhoud"),
    [
        (500, b'{"keys": []}'),
        (200, b"<html>storing</html>"),
        (200, b"[]"),
        (200, b'{"keys": []}'),
        (200, b'{"keys": [{"kty": "EC", "kid": "k"}]}'),
        (200, b'{"keys": "geen lijst"}'),
        (200, b"\xff\xfe"),
    ],
)
def test_kapotte_jwks_geeft_nette_weigering(
    demo: DemoSleutel, jwks_server: JwksServer, status: int, inhoud: bytes
) -> None:
    jwks_server.status, jwks_server.inhoud = status, inhoud
    v = TokenVerifier(jwks_url=jwks_server.url)
    _weigert(v, demo.maak_token(rol="consulent", gemeente="0268", sub="x"))


def test_na_mislukte_jwks_ophaling_wordt_even_gewacht(
    demo: DemoSleutel, jwks_server: JwksServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    jwks_server.status = 503
    v = TokenVerifier(jwks_url=jwks_server.url)
    token = demo.maak_token(rol="consulent", gemeente="0268", sub="x")
    for _ in range(3):
        _weigert(v, token)
    assert jwks_server.verzoeken == 1  # an outage does not cost a fetch (and a timeout) per request
    monkeypatch.setattr(auth, "JWKS_HERSTEL_SECONDEN", 0.0)
    jwks_server.status = 200
    jwks_server.serveer(*demo.jwks()["keys"])
    assert v.verify(token).sub == "x"


# --- Authorization-header --------------------------------------------------------------------------


def test_bearer_header_wordt_streng_gelezen() -> None:
    assert bearer_token("Bearer abc.def.ghi") == "abc.def.ghi"
    assert bearer_token("bearer abc") == "abc"
    assert bearer_token("BEARER   abc  ") == "abc"
    assert "Authorization: Bearer" in _bearer_fout(None)
    for kop in ("", "   ", "Basic dXNlcjpwdw==", "Bearer", "Bearer  ", "Bearer a b", "Token abc", "abc"):
        _bearer_fout(kop)


def _bearer_fout(kop: str | None) -> str:
    with pytest.raises(OngeldigToken) as fout:
        bearer_token(kop)
    return fout.value.bericht


# --- DemoSleutel -----------------------------------------------------------------------------------


def test_demosleutel_is_alleen_leesbaar_voor_de_eigenaar(tmp_path: Path) -> None:
    map = tmp_path / "diep" / ".regiekamer"
    DemoSleutel.maak(map)
    bestand = map / "demo-signing-key.pem"
    assert bestand.stat().st_mode & 0o777 == 0o600
    assert bestand.read_text().startswith("-----BEGIN PRIVATE KEY-----")  # PKCS8
    assert [p.name for p in map.iterdir()] == ["demo-signing-key.pem"]  # no temp file left behind


def test_laad_zonder_sleutelbestand_geeft_none(tmp_path: Path) -> None:
    assert DemoSleutel.laad(tmp_path) is None
    assert DemoSleutel.laad(tmp_path / "bestaat-niet") is None


def test_demosleutel_overleeft_opnieuw_laden(tmp_path: Path) -> None:
    gemaakt = DemoSleutel.maak(tmp_path)
    geladen = DemoSleutel.laad(tmp_path)
    assert geladen is not None
    assert (geladen.public_key_pem, geladen.kid) == (gemaakt.public_key_pem, gemaakt.kid)
    v = TokenVerifier(public_key_pem=gemaakt.public_key_pem)
    assert v.verify(geladen.maak_token(rol="backoffice", gemeente="0296", sub="b")).gemeente == "0296"


def test_laad_of_maak_houdt_een_bestaande_sleutel(tmp_path: Path) -> None:
    eerste = DemoSleutel.laad_of_maak(tmp_path)
    assert DemoSleutel.laad_of_maak(tmp_path).kid == eerste.kid
    assert DemoSleutel.maak(tmp_path).kid != eerste.kid  # maak vervangt bewust


def test_kapot_sleutelbestand_geeft_duidelijke_fout(tmp_path: Path) -> None:
    (tmp_path / "demo-signing-key.pem").write_text("geen sleutel")
    with pytest.raises(ValueError, match="verwijder het bestand"):
        DemoSleutel.laad(tmp_path)
    rsa_pem = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    (tmp_path / "demo-signing-key.pem").write_bytes(rsa_pem)
    with pytest.raises(ValueError, match="EC P-256"):
        DemoSleutel.laad(tmp_path)


def test_demotoken_bevat_de_claims_uit_het_contract(demo: DemoSleutel) -> None:
    voor = int(time.time())
    token = demo.maak_token(rol="contractmanager", gemeente=None, sub="c1", ttl_seconds=120)
    kop = jwt.get_unverified_header(token)
    claims = jwt.decode(token, options={"verify_signature": False})
    assert (kop["alg"], kop["kid"]) == ("ES256", demo.kid)
    assert "gemeente" not in claims
    assert {k: claims[k] for k in ("sub", "rol", "aud", "iss")} == {
        "sub": "c1",
        "rol": "contractmanager",
        "aud": "regiekamer",
        "iss": "regiekamer-demo",
    }
    assert voor <= claims["iat"] <= int(time.time()) and claims["exp"] == claims["iat"] + 120
    with_gemeente = jwt.decode(
        demo.maak_token(rol="consulent", gemeente="0268", sub="c"), options={"verify_signature": False}
    )
    assert with_gemeente["gemeente"] == "0268"
    with pytest.raises(ValueError):
        demo.maak_token(rol="consulent", gemeente="0268", sub="c", ttl_seconds=0)


def test_demosleutel_kid_is_rfc7638_vingerafdruk(demo: DemoSleutel) -> None:
    (jwk,) = demo.jwks()["keys"]
    assert (jwk["kty"], jwk["crv"], jwk["alg"], jwk["use"], jwk["kid"]) == ("EC", "P-256", "ES256", "sig", demo.kid)
    assert "d" not in jwk  # never the private part
    # RFC 7638 §3: members in lexicographic order, no whitespace, SHA-256, base64url without padding.
    kanoniek = '{"crv":"P-256","kty":"EC","x":"' + jwk["x"] + '","y":"' + jwk["y"] + '"}'
    assert demo.kid == _b64(hashlib.sha256(kanoniek.encode()).digest())


def test_demosleutel_jwks_wordt_door_de_verifier_aanvaard(demo: DemoSleutel, jwks_server: JwksServer) -> None:
    jwks_server.serveer(*demo.jwks()["keys"])
    v = TokenVerifier(jwks_url=jwks_server.url)
    assert v.verify(demo.maak_token(rol="kwaliteitsmedewerker", gemeente="1945", sub="k")).gemeente == "1945"
