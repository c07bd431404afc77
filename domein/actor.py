"""Wie handelt: rol, organisatie en doel, zoals ze uit een geverifieerd token komen (toegang.md)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

ROB = "ROB"
"""Organisatiecode van het Regionaal Ondersteuningsbureau (regiorollen zijn hieraan gebonden)."""


class Rol(StrEnum):
    CONSULENT = "consulent"
    KWALITEITSMEDEWERKER = "kwaliteitsmedewerker"
    BACKOFFICE = "backoffice"
    RMZ_MEDEWERKER = "rmz_medewerker"
    CONTRACTMANAGER = "contractmanager"
    PRIVACY_OFFICER = "privacy_officer"
    BEHEERDER = "beheerder"


GEMEENTEGEBONDEN = frozenset({Rol.CONSULENT, Rol.KWALITEITSMEDEWERKER, Rol.BACKOFFICE})
"""Rollen die altijd bij precies één gemeente horen."""

REGIOGEBONDEN = frozenset({Rol.RMZ_MEDEWERKER, Rol.CONTRACTMANAGER, Rol.BEHEERDER})
"""Rollen van het ROB; een gemeente in hun token wordt geweigerd."""

GEMEENTEN: dict[str, str] = {
    "0268": "Nijmegen",
    "0296": "Wijchen",
    "0252": "Heumen",
    "1945": "Berg en Dal",
    "0944": "Mook en Middelaar",
    "0209": "Beuningen",
    "0225": "Druten",
}
"""De zeven gemeenten van regio Rijk van Nijmegen, op CBS-gemeentecode (seed 001)."""


class OngeldigeActor(ValueError):
    """Een token beschrijft geen toegestane combinatie van rol en gemeente."""


@dataclass(frozen=True, slots=True)
class Actor:
    """De geverifieerde gebruiker van één verzoek."""

    sub: str
    rol: Rol
    gemeente: str | None

    @property
    def organisatie(self) -> str:
        """CBS-code van de eigen gemeente, of ``ROB`` voor regiorollen."""
        return self.gemeente or ROB

    @classmethod
    def uit_claims(cls, sub: object, rol: object, gemeente: object) -> Actor:
        """Bouwt een actor en weigert elke combinatie die toegang.md niet kent."""
        if not isinstance(sub, str) or not sub.strip():
            raise OngeldigeActor("Het token mist een 'sub'.")
        try:
            r = Rol(str(rol))
        except ValueError:
            raise OngeldigeActor(f"Onbekende rol {rol!r}; kies uit {', '.join(sorted(Rol))}.") from None
        if gemeente in (None, "", ROB):
            g = None
        elif isinstance(gemeente, str) and gemeente in GEMEENTEN:
            g = gemeente
        else:
            raise OngeldigeActor(f"Onbekende gemeentecode {gemeente!r}; gebruik een CBS-code van de regio.")
        if r in GEMEENTEGEBONDEN and g is None:
            raise OngeldigeActor(f"De rol {r} hoort bij een gemeente; het token mist een geldige 'gemeente'.")
        if r in REGIOGEBONDEN and g is not None:
            raise OngeldigeActor(f"De rol {r} hoort bij het ROB, niet bij een gemeente.")
        return cls(sub=sub, rol=r, gemeente=g)
