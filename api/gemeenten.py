"""GraphQL: gemeenten en de ingelogde gebruiker."""

from __future__ import annotations

import strawberry

from api.enums import Rol
from api.relay import Node, globale_id
from domein.gemeenten import GemeenteRij


@strawberry.type(description="Een gemeente van de regio, op CBS-gemeentecode.")
class Gemeente(Node):
    code: str
    naam: str

    @classmethod
    def uit(cls, rij: GemeenteRij) -> Gemeente:
        return cls(id=globale_id("Gemeente", rij.code), code=rij.code, naam=rij.naam)


@strawberry.type(description="Wie u bent volgens uw token, en voor welk doel u werkt.")
class Gebruiker:
    sub: str
    rol: Rol
    gemeente: Gemeente | None
    organisatie: str
    doel: str
