"""OIDC: tokens van Keycloak en Entra ID, met sleutels van een lokale identiteitsprovider, op rol en gemeente.

A real HTTP server on 127.0.0.1 plays two IdPs at once: a Keycloak realm per gemeente (discovery at
``/realms/<realm>/.well-known/openid-configuration``, keys at ``.../protocol/openid-connect/certs``)
and an Entra tenant for the ROB (``/<tid>/v2.0/.well-known/openid-configuration``, keys at
``/<tid>/discovery/v2.0/keys``). Tokens carry the claims those products really put in a
client-credentials access token.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from sqlalchemy.ext.asyncio import AsyncEngine

import api.auth as auth
from api.app import maak_app
from api.auth import OngeldigToken, TokenVerifier
from api.fabriek import maak_verifier
from api.instellingen import Instellingen
from api.limieten import Limieten
from api.oidc import OidcUitgever, lees_uitgevers
from beleid.beslisser import CasbinBeslisser
from domein.actor import Rol
from domein.audit import Pseudonimiseerder
from tests.hulp_oidc import (
    ENTRA_APP,
    TENANT,
    LokaleIdps,
    entra_token,
    keycloak_token,
    lokale_idps,
    nieuwe_sleutel,
    uitgevers_config,
)


@pytest.fixture
def idps() -> Iterator[LokaleIdps]:
    with lokale_idps() as server:
        yield server


@pytest.fixture
def verifier(idps: LokaleIdps) -> TokenVerifier:
    return TokenVerifier(uitgevers=lees_uitgevers(uitgevers_config(idps)))


def _weigert(verifier: TokenVerifier, token: str) -> str:
    with pytest.raises(OngeldigToken) as fout:
        verifier.verify(token)
    bericht = fout.value.bericht
    assert bericht and "Traceback" not in bericht and "BEGIN" not in bericht
    return bericht


# --- geldige tokens ------------------------------------------------------------------------------


def test_keycloak_token_met_lijst_als_aud_en_realmrol_wordt_backoffice_van_de_gemeente_van_de_realm(
    idps: LokaleIdps, verifier: TokenVerifier
) -> None:
    actor = verifier.verify(keycloak_token(idps))
    assert (actor.rol, actor.gemeente, actor.sub) == (Rol.BACKOFFICE, "0268", "5b0a8f3e-7c1d-4a57-9f0e-2c8d1b6a4e21")


def test_keycloak_clientrol_uit_resource_access_telt_bij_de_uitgever_die_dat_zo_instelt(
    idps: LokaleIdps, verifier: TokenVerifier
) -> None:
    actor = verifier.verify(keycloak_token(idps, realm="wijchen", realm_access={"roles": ["offline_access"]}))
    assert (actor.rol, actor.gemeente) == (Rol.BACKOFFICE, "0296")


def test_entra_token_met_app_rol_en_api_audience_wordt_contractmanager_van_het_rob(
    idps: LokaleIdps, verifier: TokenVerifier
) -> None:
    actor = verifier.verify(entra_token(idps))
    assert (actor.rol, actor.gemeente, actor.organisatie) == (Rol.CONTRACTMANAGER, None, "ROB")
    # Entra puts the bare client id in 'aud' when the app has no identifier URI: configured as well.
    assert verifier.verify(entra_token(idps, aud=ENTRA_APP.removeprefix("api://"))).rol == Rol.CONTRACTMANAGER


def test_twee_uitgevers_tegelijk_elk_met_eigen_sleutels_opgehaald_via_discovery(
    idps: LokaleIdps, verifier: TokenVerifier
) -> None:
    for _ in range(3):
        assert verifier.verify(keycloak_token(idps)).gemeente == "0268"
        assert verifier.verify(entra_token(idps)).organisatie == "ROB"
    # Each issuer: one discovery document, one key set; cached afterwards.
    assert idps.sleutelophalingen("/realms/nijmegen/.well-known/openid-configuration") == 1
    assert idps.sleutelophalingen("/realms/nijmegen/protocol/openid-connect/certs") == 1
    assert idps.sleutelophalingen("/discovery/v2.0/keys") == 1
    assert idps.sleutelophalingen("/realms/wijchen/protocol/openid-connect/certs") == 0


# --- weigeringen ---------------------------------------------------------------------------------


def test_token_van_onbekende_uitgever_wordt_geweigerd_zonder_iets_op_te_halen(
    idps: LokaleIdps, verifier: TokenVerifier
) -> None:
    bericht = _weigert(verifier, keycloak_token(idps, iss=idps.keycloak_issuer("heumen")))
    assert "kent" in bericht and "iss" in bericht
    assert idps.verzoeken == []


def test_token_dat_zich_voordoet_als_andere_uitgever_faalt_op_de_handtekening(
    idps: LokaleIdps, verifier: TokenVerifier
) -> None:
    """Signed by the Wijchen realm, claiming to be Nijmegen: the kid is not in Nijmegen's key set."""
    vals = idps.idps["wijchen"].teken(
        jwt.decode(keycloak_token(idps, realm="wijchen"), options={"verify_signature": False})
        | {"iss": idps.keycloak_issuer("nijmegen")}
    )
    assert "onbekende sleutel" in _weigert(verifier, vals)


def test_gemeente_in_token_die_niet_bij_de_uitgever_hoort_wordt_geweigerd(
    idps: LokaleIdps, verifier: TokenVerifier
) -> None:
    bericht = _weigert(verifier, keycloak_token(idps, gemeente="0296"))
    assert "andere gemeente" in bericht
    assert verifier.verify(keycloak_token(idps, gemeente="0268")).gemeente == "0268"


def test_rol_die_niet_in_de_toewijzing_staat_geeft_geen_toegang(idps: LokaleIdps, verifier: TokenVerifier) -> None:
    # 'beheerder' is a Regiekamer role name, but not in this issuer's mapping: deny by default.
    zonder = keycloak_token(idps, realm_access={"roles": ["offline_access", "beheerder", "admin"]})
    assert "geen rol" in _weigert(verifier, zonder)
    assert "geen rol" in _weigert(verifier, entra_token(idps, roles=["Regiekamer.Beheerder"]))
    assert "geen rol" in _weigert(verifier, entra_token(idps, roles="Regiekamer.Beheerder"))


def test_twee_verschillende_regiekamerrollen_in_een_token_wordt_geweigerd(
    idps: LokaleIdps, verifier: TokenVerifier
) -> None:
    token = keycloak_token(idps, realm_access={"roles": ["regiekamer-backoffice", "regiekamer-consulent"]})
    assert "meer dan één" in _weigert(verifier, token)


def test_gemeente_idp_kan_geen_regiorol_uitgeven(idps: LokaleIdps) -> None:
    config = uitgevers_config(idps)
    config[0]["rollen"] = {"regiekamer-backoffice": "beheerder"}
    v = TokenVerifier(uitgevers=lees_uitgevers(config))
    assert "ROB" in _weigert(v, keycloak_token(idps))


def test_client_die_niet_is_aangemeld_wordt_geweigerd(idps: LokaleIdps, verifier: TokenVerifier) -> None:
    assert "client" in _weigert(verifier, entra_token(idps, azp="ffffffff-0000-0000-0000-000000000000"))


@pytest.mark.parametrize("aud", ["account", ["account", "broker"], "api://andere-dienst", []])
def test_token_voor_een_andere_dienst_wordt_geweigerd(idps: LokaleIdps, verifier: TokenVerifier, aud: Any) -> None:
    assert "aud" in _weigert(verifier, keycloak_token(idps, aud=aud))
    assert "aud" in _weigert(verifier, entra_token(idps, aud=aud))


def test_verlopen_token_wordt_geweigerd(idps: LokaleIdps, verifier: TokenVerifier) -> None:
    nu = int(time.time())
    assert "verlopen" in _weigert(verifier, keycloak_token(idps, iat=nu - 7200, exp=nu - 3600))
    assert "verlopen" in _weigert(verifier, entra_token(idps, iat=nu - 7200, nbf=nu - 7200, exp=nu - 3600))


def test_alg_none_wordt_geweigerd(idps: LokaleIdps, verifier: TokenVerifier) -> None:
    claims = jwt.decode(keycloak_token(idps), options={"verify_signature": False})
    kid = idps.idps["nijmegen"].sleutels[0][0]
    kop = base64.urlsafe_b64encode(json.dumps({"alg": "none", "typ": "JWT", "kid": kid}).encode()).rstrip(b"=")
    romp = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=")
    for token in (f"{kop.decode()}.{romp.decode()}.", f"{kop.decode()}.{romp.decode()}"):
        _weigert(verifier, token)


def test_hs256_met_de_publieke_sleutel_als_geheim_wordt_geweigerd(idps: LokaleIdps, verifier: TokenVerifier) -> None:
    """The classic confusion: an attacker signs HS256 with the IdP's public key (which anyone can fetch)."""
    claims = jwt.decode(keycloak_token(idps), options={"verify_signature": False})
    kid, sleutel = idps.idps["nijmegen"].sleutels[0]
    pem = sleutel.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).decode().rstrip("=")

    invoer = (
        f"{b64(json.dumps({'alg': 'HS256', 'typ': 'JWT', 'kid': kid}).encode())}.{b64(json.dumps(claims).encode())}"
    )
    token = f"{invoer}.{b64(hmac.new(pem, invoer.encode(), hashlib.sha256).digest())}"
    assert "algoritme" in _weigert(verifier, token)


# --- sleutelrotatie ------------------------------------------------------------------------------


def test_nieuwe_sleutel_na_rotatie_wordt_opgehaald_bij_onbekende_kid(
    idps: LokaleIdps, verifier: TokenVerifier, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert verifier.verify(keycloak_token(idps)).gemeente == "0268"
    monkeypatch.setattr(auth, "JWKS_RUST_SECONDEN", 0.0)
    idps.idps["nijmegen"].roteer()
    assert verifier.verify(keycloak_token(idps)).gemeente == "0268"
    assert idps.sleutelophalingen("/realms/nijmegen/protocol/openid-connect/certs") == 2


def test_onbekende_kids_bestoken_de_idp_niet(idps: LokaleIdps, verifier: TokenVerifier) -> None:
    assert verifier.verify(keycloak_token(idps)).gemeente == "0268"
    claims = jwt.decode(keycloak_token(idps), options={"verify_signature": False})
    _, sleutel = idps.idps["nijmegen"].sleutels[0]
    for i in range(5):
        _weigert(verifier, jwt.encode(claims, sleutel, algorithm="RS256", headers={"kid": f"verzonnen-{i}"}))
    # The set was fetched moments ago: within JWKS_RUST_SECONDEN unknown kids cost no new fetch.
    assert idps.sleutelophalingen("/realms/nijmegen/protocol/openid-connect/certs") == 1


def test_discovery_document_van_een_andere_issuer_wordt_niet_vertrouwd(
    idps: LokaleIdps, verifier: TokenVerifier
) -> None:
    idps.vals_issuer = True
    assert "onbruikbaar" in _weigert(verifier, keycloak_token(idps))
    assert idps.sleutelophalingen("/protocol/openid-connect/certs") == 0


def test_onbereikbare_idp_geeft_nette_weigering() -> None:
    uitgever = OidcUitgever(issuer="http://127.0.0.1:9/realms/x", audience=["regiekamer"],
                            rollen={"r": Rol.BACKOFFICE}, gemeente="0268")  # fmt: skip
    v = TokenVerifier(uitgevers=[uitgever])
    token = jwt.encode({"iss": uitgever.issuer}, nieuwe_sleutel(), algorithm="RS256", headers={"kid": "k"})
    assert "niet op te halen" in _weigert(v, token)


# --- configuratie --------------------------------------------------------------------------------


def test_uitgevers_uit_omgevingsvariabele_als_json(idps: LokaleIdps, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REGIEKAMER_OIDC_ISSUERS", json.dumps(uitgevers_config(idps)))
    v = maak_verifier(Instellingen(), demo_modus=False)
    assert v.verify(keycloak_token(idps)).rol == Rol.BACKOFFICE
    assert not v.zonder_netwerk


def test_uitgevers_uit_toml_bestand(idps: LokaleIdps, tmp_path: Path) -> None:
    bestand = tmp_path / "oidc.toml"
    bestand.write_text(
        f"""
[[uitgever]]
issuer = "{idps.entra_issuer}"
jwks_url = "{idps.basis}/{TENANT}/discovery/v2.0/keys"
audience = ["{ENTRA_APP}"]
rol_claim = "roles"
gemeente_claim = "extension_gemeente"
rollen = {{ "Regiekamer.Backoffice" = "backoffice" }}
""",
        encoding="utf-8",
    )
    v = maak_verifier(Instellingen(oidc_bestand=bestand), demo_modus=False)
    actor = v.verify(entra_token(idps, roles=["Regiekamer.Backoffice"], extension_gemeente="0209"))
    assert (actor.rol, actor.gemeente) == (Rol.BACKOFFICE, "0209")
    assert idps.sleutelophalingen("openid-configuration") == 0  # jwks_url given: no discovery


def test_oude_enkele_jwks_instelling_blijft_werken_maar_niet_naast_oidc(idps: LokaleIdps) -> None:
    url = f"{idps.basis}/{TENANT}/discovery/v2.0/keys"
    v = maak_verifier(Instellingen(jwks_url=url), demo_modus=False)
    token = idps.idps["entra"].teken({"sub": "s", "rol": "beheerder", "aud": "regiekamer",
                                      "iat": int(time.time()), "exp": int(time.time()) + 60})  # fmt: skip
    assert v.verify(token).rol == Rol.BEHEERDER
    with pytest.raises(ValueError, match="niet beide"):
        maak_verifier(Instellingen(jwks_url=url, oidc_issuers=uitgevers_config(idps)), demo_modus=False)


@pytest.mark.parametrize(
    ("wijziging", "fout"),
    [
        ({"rollen": {}}, "rollen"),
        ({"rollen": {"x": "koning"}}, "rollen"),
        ({"gemeente": "9999"}, "gemeente"),
        ({"audience": []}, "audience"),
        ({"issuer": "http://idp.example/realms/x"}, "https"),
    ],
)
def test_onjuiste_oidc_instellingen_worden_bij_start_geweigerd(
    idps: LokaleIdps, wijziging: dict[str, Any], fout: str
) -> None:
    config = uitgevers_config(idps)
    config[0] |= wijziging
    with pytest.raises(ValueError, match=fout):
        TokenVerifier(uitgevers=lees_uitgevers(config))


def test_dezelfde_issuer_twee_keer_wordt_geweigerd(idps: LokaleIdps) -> None:
    config = uitgevers_config(idps)
    with pytest.raises(ValueError, match="twee keer"):
        lees_uitgevers([config[0], config[0]])


# --- over HTTP -----------------------------------------------------------------------------------


@pytest.fixture
async def oidc_client(
    idps: LokaleIdps,
    engine: AsyncEngine,
    beslisser: CasbinBeslisser,
    pseudonimiseerder: Pseudonimiseerder,
) -> AsyncIterator[httpx.AsyncClient]:
    verifier = TokenVerifier(uitgevers=lees_uitgevers(uitgevers_config(idps)))
    app = maak_app(engine, verifier, pseudonimiseerder, Limieten(introspectie=False), beslisser)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        yield client


async def test_backoffice_met_keycloak_token_vraagt_zijn_identiteit_op_over_http(
    idps: LokaleIdps, oidc_client: httpx.AsyncClient
) -> None:
    antwoord = await oidc_client.post(
        "/graphql",
        json={"query": "{ ik { sub rol gemeente { code } } }"},
        headers={"Authorization": f"Bearer {keycloak_token(idps)}"},
    )
    assert antwoord.status_code == 200, antwoord.text
    ik = antwoord.json()["data"]["ik"]
    assert (ik["rol"], ik["gemeente"]["code"]) == ("BACKOFFICE", "0268")


async def test_onbekende_uitgever_over_http_geeft_401_unauthenticated_in_het_nederlands(
    idps: LokaleIdps, oidc_client: httpx.AsyncClient
) -> None:
    antwoord = await oidc_client.post(
        "/graphql",
        json={"query": "{ ik { sub } }"},
        headers={"Authorization": f"Bearer {keycloak_token(idps, iss='https://sso.elders.example/realms/x')}"},
    )
    assert antwoord.status_code == 401
    fout = antwoord.json()["errors"][0]
    assert fout["extensions"]["code"] == "UNAUTHENTICATED"
    assert "identiteitsprovider" in fout["message"]
