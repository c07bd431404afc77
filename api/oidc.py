"""OIDC-uitgevers: welke identiteitsproviders tokens mogen uitgeven en hoe hun claims op rol en gemeente vallen.

One entry per issuer (Keycloak realm, Entra tenant, ...), chosen by the token's ``iss``. The claim
mapping is configuration, not code: where the roles are (``realm_access.roles``,
``resource_access.<client>.roles``, Entra's ``roles``, a custom claim), which IdP role names become
which Regiekamer role (deny by default: a role not in ``rollen`` gives no access), and where the
gemeente comes from (a claim, or fixed per issuer when each gemeente has its own IdP). See
docs/koppelen.md for examples.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_validator, model_validator

from domein.actor import GEMEENTEN, ROB, Rol


class OngeldigeClaims(ValueError):
    """De claims van een geldig getekend token geven geen toegestane rol of gemeente; de tekst is voor de gebruiker."""


class OidcUitgever(BaseModel):
    """Eén identiteitsprovider (issuer) met zijn audience en claimtoewijzing."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    issuer: str = Field(description="Precies de 'iss' van de tokens, bijv. https://sso.example.nl/realms/nijmegen.")
    jwks_url: str | None = Field(
        default=None, description="Zonder deze: gevonden via <issuer>/.well-known/openid-configuration."
    )
    audience: list[str] = Field(min_length=1, description="Aanvaarde 'aud'-waarden; één ervan moet in het token.")
    rol_claim: str = Field(
        default="roles", description="Pad naar de rollen, met punten: realm_access.roles, resource_access.x.roles."
    )
    rollen: dict[str, Rol] = Field(min_length=1, description="Rolnaam bij de IdP -> rol in de Regiekamer.")
    gemeente: str | None = Field(default=None, description="Vaste CBS-code als deze IdP bij één gemeente hoort.")
    gemeente_claim: str | None = Field(default="gemeente", description="Pad naar de CBS-code in het token.")
    sub_claim: str = Field(default="sub", description="Claim die de gebruiker of client aanwijst (in de audit).")
    clients: list[str] | None = Field(
        default=None, description="Als gezet: alleen tokens waarvan azp (of Entra's appid) hierin staat."
    )

    @field_validator("audience", mode="before")
    @classmethod
    def _audience_als_lijst(cls, waarde: object) -> object:
        return [waarde] if isinstance(waarde, str) else waarde

    @field_validator("issuer")
    @classmethod
    def _issuer(cls, waarde: str) -> str:
        if not waarde.strip() or waarde != waarde.strip():
            raise ValueError("issuer mag niet leeg zijn of spaties aan de rand hebben")
        return waarde

    @field_validator("gemeente")
    @classmethod
    def _gemeente(cls, waarde: str | None) -> str | None:
        if waarde is not None and waarde not in GEMEENTEN:
            raise ValueError(f"onbekende gemeentecode {waarde!r}; gebruik een CBS-code van de regio")
        return waarde

    @model_validator(mode="after")
    def _vaste_gemeente_past_bij_rollen(self) -> OidcUitgever:
        if self.gemeente is None and self.gemeente_claim is None:
            # Without either, only ROB roles could ever pass; say so at start-up rather than refuse every token.
            from domein.actor import GEMEENTEGEBONDEN

            if any(r in GEMEENTEGEBONDEN for r in self.rollen.values()):
                raise ValueError("rollen van een gemeente vragen 'gemeente' of 'gemeente_claim'")
        return self

    # --- claims -> rol, gemeente, sub -------------------------------------------------------------

    def rol_uit(self, claims: dict[str, Any]) -> Rol:
        """De ene Regiekamer-rol die de IdP-rollen opleveren; geen of twee verschillende -> geweigerd."""
        waarde = _op_pad(claims, self.rol_claim)
        namen = [waarde] if isinstance(waarde, str) else waarde if isinstance(waarde, list) else []
        rollen = {self.rollen[n] for n in namen if isinstance(n, str) and n in self.rollen}
        if not rollen:
            raise OngeldigeClaims(
                f"Het token geeft geen rol die de Regiekamer kent (claim '{self.rol_claim}'); "
                "vraag de beheerder van de identiteitsprovider om een rol voor de Regiekamer."
            )
        if len(rollen) > 1:
            raise OngeldigeClaims(
                f"Het token geeft meer dan één Regiekamer-rol ({', '.join(sorted(rollen))}); "
                "een account hoort precies één rol te hebben."
            )
        return rollen.pop()

    def gemeente_uit(self, claims: dict[str, Any]) -> str | None:
        """De gemeente: vast per uitgever, of uit de claim; een token dat een andere gemeente noemt -> geweigerd."""
        genoemd = _op_pad(claims, self.gemeente_claim) if self.gemeente_claim else None
        if genoemd is not None and not isinstance(genoemd, str):
            raise OngeldigeClaims('De gemeente in het token moet een CBS-code als tekst zijn, bijvoorbeeld "0268".')
        if self.gemeente is not None:
            if genoemd not in (None, "", self.gemeente):
                raise OngeldigeClaims(
                    "Het token noemt een andere gemeente dan de gemeente van deze identiteitsprovider; "
                    "vraag een token aan bij de identiteitsprovider van uw eigen gemeente."
                )
            return self.gemeente
        return None if genoemd in (None, "", ROB) else genoemd

    def sub_uit(self, claims: dict[str, Any]) -> object:
        return claims.get(self.sub_claim)

    def controleer_client(self, claims: dict[str, Any]) -> None:
        if self.clients is None:
            return
        client = claims.get("azp", claims.get("appid"))
        if client not in self.clients:
            raise OngeldigeClaims(
                "Deze client (azp) is niet aangemeld bij de Regiekamer; vraag de beheerder om hem toe te voegen."
            )


def _op_pad(claims: dict[str, Any], pad: str) -> object:
    waarde: object = claims
    for deel in pad.split("."):
        if not isinstance(waarde, dict):
            return None
        waarde = waarde.get(deel)
    return waarde


_LIJST = TypeAdapter(list[OidcUitgever])


def lees_uitgevers(bron: object) -> list[OidcUitgever]:
    """Leest uitgevers uit JSON-achtige gegevens; een fout wordt een Nederlandse ValueError met het veld."""
    try:
        uitgevers = _LIJST.validate_python(bron)
    except ValidationError as e:
        fouten = "; ".join(f"{'.'.join(str(p) for p in f['loc'])}: {f['msg']}" for f in e.errors())
        raise ValueError(f"De OIDC-instellingen kloppen niet: {fouten}") from None
    namen = [u.issuer for u in uitgevers]
    if len(set(namen)) != len(namen):
        raise ValueError("De OIDC-instellingen noemen een issuer twee keer; elke issuer mag één keer voorkomen.")
    return uitgevers


def lees_bestand(pad: Path) -> list[OidcUitgever]:
    """Een TOML-bestand met ``[[uitgever]]``-tabellen (zie docs/koppelen.md)."""
    try:
        gegevens = tomllib.loads(pad.read_text(encoding="utf-8"))
    except OSError as e:
        raise ValueError(f"Het OIDC-bestand {pad} is niet te lezen: {e.strerror}.") from None
    except tomllib.TOMLDecodeError as e:
        raise ValueError(f"Het OIDC-bestand {pad} is geen geldige TOML: {e}.") from None
    return lees_uitgevers(gegevens.get("uitgever", []))
