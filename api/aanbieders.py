"""GraphQL: zorgaanbieders en contracten."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import strawberry
from strawberry.types import Info

from api.context import Context
from api.enums import ContractSoort
from api.gemeenten import Gemeente
from api.relay import Node, globale_id
from domein.aanbieders import AanbiederRij
from domein.bibob import Onderzoek
from domein.contracten import Budgetplafond as BudgetplafondRij
from domein.contracten import ContractRij


@strawberry.type(description="Het budgetplafond van een contract in één jaar (seed 004).")
class Budgetplafond:
    jaar: int
    bedrag: Decimal

    @classmethod
    def uit(cls, rij: BudgetplafondRij) -> Budgetplafond:
        return cls(jaar=rij.jaar, bedrag=rij.bedrag)


@strawberry.type(description="Een Bibob-onderzoek naar een aanbieder, gemeld door een gemeente of het ROB.")
class BibobOnderzoek:
    organisatie: str
    gestart_op: date
    beeindigd_op: date | None
    loopt: bool

    @classmethod
    def uit(cls, r: Onderzoek) -> BibobOnderzoek:
        return cls(organisatie=r.organisatie, gestart_op=r.gestart_op, beeindigd_op=r.beeindigd_op, loopt=r.loopt)


@strawberry.type(description="Een zorgaanbieder, met KvK-nummer en AGB-code.")
class Aanbieder(Node):
    _rij: strawberry.Private[AanbiederRij]
    naam: str
    kvk: str
    agb: str

    @classmethod
    def uit(cls, rij: AanbiederRij) -> Aanbieder:
        return cls(id=globale_id("Aanbieder", rij.id), _rij=rij, naam=rij.naam, kvk=rij.kvk, agb=rij.agb)

    @strawberry.field(description="Bibob-onderzoeken die gemeenten of het ROB meldden (Bijlage 1 art. 10.4).")
    async def bibob_onderzoeken(self, info: Info[Context, None]) -> list[BibobOnderzoek]:
        return [BibobOnderzoek.uit(o) for o in await info.context.loaders.bibob_onderzoeken.load(self._rij.id)]

    @strawberry.field(description="Alle contracten met deze aanbieder (voor pagineren: contracten(aanbiederId:)).")
    async def contracten(self, info: Info[Context, None]) -> list[Contract]:
        return [Contract.uit(c) for c in await info.context.loaders.contracten_van_aanbieder.load(self._rij.id)]


@strawberry.type(description="Een contract van het ROB met een aanbieder (seed 001 art. 2).")
class Contract(Node):
    _rij: strawberry.Private[ContractRij]
    naam: str
    soort: ContractSoort
    percelen: list[str]
    ingangsdatum: date
    einddatum: date | None
    contractmanager: str

    @classmethod
    def uit(cls, rij: ContractRij) -> Contract:
        return cls(
            id=globale_id("Contract", rij.id),
            _rij=rij,
            naam=rij.naam,
            soort=ContractSoort(rij.soort),
            percelen=rij.percelen,
            ingangsdatum=rij.ingangsdatum,
            einddatum=rij.einddatum,
            contractmanager=rij.contractmanager,
        )

    @strawberry.field
    async def aanbieder(self, info: Info[Context, None]) -> Aanbieder:
        return Aanbieder.uit(await info.context.loaders.aanbieder.load(self._rij.aanbieder_id))

    @strawberry.field
    async def deelnemende_gemeenten(self, info: Info[Context, None]) -> list[Gemeente]:
        loaders = info.context.loaders
        codes = await loaders.contract_gemeenten.load(self._rij.id)
        return [Gemeente.uit(g) for g in await loaders.gemeente.load_many(codes)]

    @strawberry.field
    async def budgetplafonds(self, info: Info[Context, None]) -> list[Budgetplafond]:
        return [Budgetplafond.uit(b) for b in await info.context.loaders.contract_budgetten.load(self._rij.id)]


@strawberry.input
class RegistreerAanbiederInput:
    naam: str
    kvk: str
    agb: str


@strawberry.input
class BudgetplafondInput:
    jaar: int
    bedrag: Decimal


@strawberry.input
class RegistreerContractInput:
    aanbieder_id: strawberry.ID
    soort: ContractSoort
    naam: str
    percelen: list[str]
    ingangsdatum: date
    einddatum: date | None
    deelnemende_gemeenten: list[str]
    contractmanager: str
    budgetplafonds: list[BudgetplafondInput] = strawberry.field(default_factory=list)
