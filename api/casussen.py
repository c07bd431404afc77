"""GraphQL: casussen en inwoners. Persoonsgegevens komen via een DataLoader en worden geaudit."""

from __future__ import annotations

from datetime import date, datetime

import strawberry
from strawberry.types import Info

from api.context import Context
from api.enums import CasusStatus, Leefdomein, Urgentie
from api.gemeenten import Gemeente
from api.relay import Node, globale_id
from domein.casussen import CasusRij, Persoonsgegevens
from domein.verzoek import Verzoek


@strawberry.type(description="Persoonsgegevens van de inwoner; alleen voor wie de casus uitvoert.")
class Inwoner:
    _pg: strawberry.Private[Persoonsgegevens]
    _casus: strawberry.Private[CasusRij]

    @strawberry.field
    def bsn(self) -> str:
        return self._pg.bsn

    @strawberry.field
    def naam(self) -> str:
        return self._pg.naam

    @strawberry.field
    def geboortedatum(self) -> date:
        return self._pg.geboortedatum

    def audit_lezing(self, vz: Verzoek, categorie: str, doel: str) -> None:
        _lezing(vz, self._casus, categorie, doel)


def _lezing(vz: Verzoek, rij: CasusRij, categorie: str, doel: str) -> None:
    vz.lezing(
        categorie,
        object_type="casus",
        object_id=rij.id,
        verantwoordelijke=rij.gemeente_code,
        betrokkene=rij.pseudoniem,
        doel=doel,
    )


@strawberry.type(description="Een casus van één gemeente, met de hulpvraag van een inwoner.")
class Casus(Node):
    _rij: strawberry.Private[CasusRij]
    status: CasusStatus
    aangemaakt_op: datetime
    gewijzigd_op: datetime

    @classmethod
    def uit(cls, rij: CasusRij) -> Casus:
        return cls(
            id=globale_id("Casus", rij.id),
            _rij=rij,
            status=CasusStatus(rij.status),
            aangemaakt_op=rij.aangemaakt_op,
            gewijzigd_op=rij.gewijzigd_op,
        )

    def audit_lezing(self, vz: Verzoek, categorie: str, doel: str) -> None:
        _lezing(vz, self._rij, categorie, doel)

    @strawberry.field
    async def gemeente(self, info: Info[Context, None]) -> Gemeente:
        return Gemeente.uit(await info.context.loaders.gemeente.load(self._rij.gemeente_code))

    @strawberry.field(description="Leeg nadat de bewaartermijn is verstreken.")
    async def inwoner(self, info: Info[Context, None]) -> Inwoner | None:
        pg = await info.context.loaders.persoonsgegevens.load(self._rij.id)
        return None if pg is None else Inwoner(_pg=pg, _casus=self._rij)

    @strawberry.field(description="Leeg nadat de bewaartermijn is verstreken.")
    async def hulpvraag(self, info: Info[Context, None]) -> str | None:
        pg = await info.context.loaders.persoonsgegevens.load(self._rij.id)
        return None if pg is None else pg.hulpvraag

    @strawberry.field
    def leefdomeinen(self) -> list[Leefdomein]:
        return [Leefdomein(d) for d in self._rij.leefdomeinen]

    @strawberry.field
    def urgentie(self) -> Urgentie:
        return Urgentie(self._rij.urgentie)


@strawberry.input
class InwonerInput:
    bsn: str
    naam: str
    geboortedatum: date


@strawberry.input
class RegistreerCasusInput:
    inwoner: InwonerInput
    hulpvraag: str
    leefdomeinen: list[Leefdomein]
    urgentie: Urgentie
