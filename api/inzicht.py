"""GraphQL: signaalstatistiek, zorgkosten en contractuitnutting (figures, never persons)."""

from __future__ import annotations

from decimal import Decimal
from enum import Enum

import strawberry
from strawberry.types import Info

from api.aanbieders import Aanbieder, Contract
from api.context import Context
from api.enums import Categorie
from api.gemeenten import Gemeente
from api.relay import lees_globale_id
from api.signalen import aanbieder_van, gemeente_van
from api.voltooiing import VasteLijst
from domein.inzicht import Cel, Cellen
from domein.maandtabellen import Dimensie
from domein.uitnutting import Afwijkingssoort
from domein.uitnutting import Uitnutting as UitnuttingRij
from domein.zorgkosten import Aanlevering, RuweRegel, Zorgkostenregel

I = Info[Context, None]  # noqa: E741

strawberry.enum(Dimensie, name="Dimensie", description="Waarnaar de statistiek groepeert.")
strawberry.enum(Afwijkingssoort, name="Afwijkingssoort")


@strawberry.enum(description="Waar op de ladder een signaal of melding binnenkwam (seed 000).")
class Ladderstap(Enum):
    STAP_1 = "STAP_1"
    STAP_2 = "STAP_2"
    STAP_3 = "STAP_3"
    STAP_4 = "STAP_4"
    DIRECTE_MELDING = "DIRECTE_MELDING"
    RMZ_ZELF_ONTVANGEN = "RMZ_ZELF_ONTVANGEN"


@strawberry.type(
    description="Eén cel: het aantal keer dat signalen of meldingen de stap bereikten. Onder k (standaard 5), "
    "of herleidbaar tot zo'n cel, is de cel onderdrukt: aantal null, onderdrukt true. Nul wordt getoond."
)
class StatistiekCel:
    aanbieder: Aanbieder | None
    gemeente: Gemeente | None
    stap: Ladderstap | None
    categorie: Categorie | None
    maand: str | None = strawberry.field(description="JJJJ-MM")
    aantal: int | None
    onderdrukt: bool
    doorlooptijd_mediaan: float | None = strawberry.field(
        description="Mediaan van de werkdagen van binnenkomst tot verlaten van de stap (minstens k afgeronde)."
    )
    doorlooptijd_p90: float | None = strawberry.field(description="90e percentiel van dezelfde doorlooptijden.")
    binnen_termijn: float | None = strawberry.field(
        description="Aandeel (0–1) waarin de eerste actie binnen de termijn van de stap viel (minstens k beslist)."
    )

    @classmethod
    async def lijst(cls, info: I, cellen: Cellen) -> list[StatistiekCel]:
        """Aanbieders and gemeenten are loaded once for all cells (thousands of cells, a few dozen objects)."""
        loaders = info.context.loaders
        a_ids = sorted({c.aanbieder_id for c in cellen if c.aanbieder_id})
        g_codes = sorted({c.gemeente for c in cellen if c.gemeente})
        aanbieders = {i: Aanbieder.uit(r) for i, r in zip(a_ids, await loaders.aanbieder.load_many(a_ids), strict=True)}
        gemeenten = {
            i: Gemeente.uit(r) for i, r in zip(g_codes, await loaders.gemeente.load_many(g_codes), strict=True)
        }
        lijst = [cls.uit(c, aanbieders.get(c.aanbieder_id or ""), gemeenten.get(c.gemeente or "")) for c in cellen]
        if cellen.sleutel is None:
            return lijst
        # A fixed answer is completed once per selection (api.voltooiing): its key holds the month versions, and
        # the aanbieder and gemeente rows shown, so a renamed aanbieder is a new key.
        getoond = (
            tuple((a.id, a.naam, a.kvk, a.agb) for a in aanbieders.values()),
            tuple((g.code, g.naam) for g in gemeenten.values()),
        )
        return VasteLijst(lijst, (cellen.sleutel, getoond))

    @classmethod
    def uit(cls, c: Cel, aanbieder: Aanbieder | None, gemeente: Gemeente | None) -> StatistiekCel:
        return cls(
            aanbieder=aanbieder,
            gemeente=gemeente,
            stap=Ladderstap(c.stap) if c.stap else None,
            categorie=Categorie(c.categorie) if c.categorie else None,
            maand=c.maand,
            aantal=c.aantal,
            onderdrukt=c.onderdrukt,
            doorlooptijd_mediaan=c.doorlooptijd_mediaan,
            doorlooptijd_p90=c.doorlooptijd_p90,
            binnen_termijn=c.binnen_termijn,
        )


@strawberry.input(description="Eén maandtotaal: de aanbieder met aanbiederId of agb.")
class ZorgkostenregelInput:
    product: str
    maand: str = strawberry.field(description="JJJJ-MM")
    bedrag: str = strawberry.field(description="Euro's, bijvoorbeeld 1234.56 of 1234,56")
    aanbieder_id: strawberry.ID | None = None
    agb: str | None = None


@strawberry.input
class LeverZorgkostenAanInput:
    regels: list[ZorgkostenregelInput]

    def ruw(self) -> list[RuweRegel]:
        uit = []
        for i, r in enumerate(self.regels, start=1):
            aanbieder_id = lees_globale_id(r.aanbieder_id, "Aanbieder")[1] if r.aanbieder_id is not None else None
            uit.append(RuweRegel(i, r.product, r.maand, r.bedrag, aanbieder_id, r.agb))
        return uit


@strawberry.type(description="Ontvangstbevestiging van een aanlevering.")
class ZorgkostenAanlevering:
    gemeente: str
    aantal_regels: int
    totaal: Decimal

    @classmethod
    def uit(cls, a: Aanlevering) -> ZorgkostenAanlevering:
        return cls(gemeente=a.gemeente, aantal_regels=a.regels, totaal=a.totaal)


@strawberry.type(description="Maandtotaal zorgkosten van één aanbieder, product en gemeente (seed 004).")
class Zorgkosten:
    _rij: strawberry.Private[Zorgkostenregel]
    product: str
    maand: str
    bedrag: Decimal

    @classmethod
    def uit(cls, r: Zorgkostenregel) -> Zorgkosten:
        return cls(_rij=r, product=r.product, maand=f"{r.maand:%Y-%m}", bedrag=r.bedrag)

    @strawberry.field
    async def aanbieder(self, info: I) -> Aanbieder:
        return await aanbieder_van(info, self._rij.aanbieder_id)

    @strawberry.field
    async def gemeente(self, info: I) -> Gemeente:
        return await gemeente_van(info, self._rij.gemeente)


@strawberry.type(description="Een verwachte afwijking van het budgetplafond (seed 001 art. 2).")
class Afwijking:
    soort: Afwijkingssoort
    procent: Decimal = strawberry.field(description="(prognose − plafond) / plafond × 100")


@strawberry.type(
    description="Uitnutting van een contract in een jaar: het hele contract (gemeente null, met plafond) of het deel "
    "van één deelnemende gemeente."
)
class ContractUitnutting:
    contract: Contract | None
    gemeente: Gemeente | None
    jaar: int
    plafond: Decimal | None
    gerealiseerd: Decimal
    peilmaand: str | None
    prognose: Decimal | None
    uitnutting_procent: Decimal | None
    afwijking: Afwijking | None

    @classmethod
    async def lijst(cls, info: I, rijen: list[UitnuttingRij]) -> list[ContractUitnutting]:
        """Contracts and gemeenten loaded once for all rows."""
        loaders = info.context.loaders
        c_ids = sorted({u.contract_id for u in rijen})
        g_codes = sorted({u.gemeente for u in rijen if u.gemeente})
        c_rijen = await loaders.contract.load_many(c_ids)
        g_rijen = await loaders.gemeente.load_many(g_codes)
        contracten = {i: Contract.uit(r) for i, r in zip(c_ids, c_rijen, strict=True) if r is not None}
        gemeenten = {i: Gemeente.uit(r) for i, r in zip(g_codes, g_rijen, strict=True)}
        return [cls.uit(u, contracten.get(u.contract_id), gemeenten.get(u.gemeente or "")) for u in rijen]

    @classmethod
    def uit(cls, u: UitnuttingRij, contract: Contract | None, gemeente: Gemeente | None) -> ContractUitnutting:
        return cls(
            contract=contract,
            gemeente=gemeente,
            jaar=u.jaar,
            plafond=u.plafond,
            gerealiseerd=u.gerealiseerd,
            peilmaand=f"{u.peilmaand:%Y-%m}" if u.peilmaand else None,
            prognose=u.prognose,
            uitnutting_procent=u.uitnutting_procent,
            afwijking=Afwijking(soort=u.afwijking.soort, procent=u.afwijking.procent) if u.afwijking else None,
        )
