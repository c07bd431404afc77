"""GraphQL: signalen langs een route, en meldingen bij het RMZ of de contractmanager."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any, TypeVar

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from api.aanbieders import Aanbieder
from api.casussen import Casus
from api.context import Context, direct, laad_pagina
from api.enums import BetrokkeneSoort, Categorie, Herkomst, MeldingSoort, MeldingStatus
from api.gemeenten import Gemeente
from api.relay import Node, globale_id, lees_globale_id
from domein import archief, meldingen
from domein import signalen as domein_signalen
from domein.maskering import Masker
from domein.meldingen import Betrokkene as BetrokkeneRij
from domein.meldingen import BetrokkeneInvoer, MeldingRij
from domein.meldingen import Handeling as HandelingRij
from domein.signalen import SignaalRij, StapRij

I = Info[Context, None]  # noqa: E741
T = TypeVar("T")


async def gemeente_van(info: I, code: str) -> Gemeente:
    return Gemeente.uit(await info.context.loaders.gemeente.load(code))


async def aanbieder_van(info: I, id_: str) -> Aanbieder:
    return Aanbieder.uit(await info.context.loaders.aanbieder.load(id_))


async def optioneel(loader: Any, sleutel: str | None, maak: Callable[[Any], T]) -> T | None:
    """Een optionele relatie: geen sleutel, of buiten bereik (de loader vindt niets), geeft null."""
    if sleutel is None:
        return None
    rij = await loader.load(sleutel)
    return None if rij is None else maak(rij)


async def pagina_met_relaties(ctx: Context, typenaam: str, rijen: list[Any], gevraagd: set[str]) -> None:
    """Laadt vooraf de gemeente en aanbieder van een pagina signalen of meldingen, als de knopen ze tonen."""
    loaders = ctx.loaders
    await laad_pagina(
        ctx,
        typenaam,
        rijen,
        gevraagd,
        {
            "gemeente": (loaders.gemeente, lambda r: r.gemeente_code),
            "aanbieder": (loaders.aanbieder, lambda r: r.aanbieder_id),
        },
    )


def _verstreken(termijn: date | None) -> bool:
    return termijn is not None and termijn < datetime.now(UTC).date()


@strawberry.type(description="Eén vastgelegde stap van een route: wat, wanneer, door welke rol.")
class Stap:
    stap: str
    titel: str
    gegevens: dict[str, Any] = strawberry.field(graphql_type=JSON)
    vastgelegd_op: datetime | None
    door: str | None

    @strawberry.field
    def toelichting(self) -> str | None:
        return self.gegevens.get("toelichting")

    @strawberry.field
    def afspraken(self) -> str | None:
        return self.gegevens.get("afspraken") or self.gegevens.get("verbeterafspraken_management")


def _stappen(stappen: list[dict[str, Any]], masker: Masker | None) -> list[Stap]:
    """De stappen die een melding meekreeg; na de bewaartermijn zonder vastleggingen (alleen stap en titel)."""
    uit = []
    for s in stappen:
        gegevens = s.get("gegevens", {})
        gegevens = masker.waarde(gegevens) if masker else gegevens
        uit.append(Stap(stap=s["toestand"], titel=s["titel"], gegevens=gegevens, vastgelegd_op=None, door=None))
    return uit


@strawberry.type(description="Een signaal over een aanbieder, op een route (standaard de ROB-escalatieladder).")
class Signaal(Node):
    _rij: strawberry.Private[SignaalRij]
    route: str
    categorie: Categorie
    omschrijving: str
    stap: str
    termijn: date | None
    aangemaakt_op: datetime

    @classmethod
    def uit(cls, rij: SignaalRij) -> Signaal:
        return cls(
            id=globale_id("Signaal", rij.id),
            _rij=rij,
            route=rij.route,
            categorie=Categorie(rij.categorie),
            omschrijving=rij.omschrijving,
            stap=rij.toestand,
            termijn=rij.termijn,
            aangemaakt_op=rij.aangemaakt_op,
        )

    @strawberry.field(description="De termijn van de huidige stap is verstreken.")
    def termijn_verstreken(self) -> bool:
        return _verstreken(self._rij.termijn)

    @strawberry.field
    def gemeente(self, info: I) -> Gemeente:
        return direct(info.context.loaders.gemeente, self._rij.gemeente_code, Gemeente.uit)  # type: ignore[return-value]

    @strawberry.field
    def aanbieder(self, info: I) -> Aanbieder:
        return direct(info.context.loaders.aanbieder, self._rij.aanbieder_id, Aanbieder.uit)  # type: ignore[return-value]

    @strawberry.field(description="De gekoppelde casus, alleen binnen uw bereik.")
    async def casus(self, info: I) -> Casus | None:
        return await optioneel(info.context.loaders.casus, self._rij.casus_id, Casus.uit)

    @strawberry.field
    async def stappen(self, info: I) -> list[Stap]:
        route = info.context.vz.routes[self._rij.route]
        rijen: list[StapRij] = await info.context.loaders.signaal_stappen.load(self._rij.id)
        return [
            Stap(
                stap=s.toestand,
                titel=route.toestanden[s.toestand].titel,
                gegevens=s.gegevens,
                vastgelegd_op=s.vastgelegd_op,
                door=s.door_rol,
            )
            for s in rijen
        ]

    @strawberry.field(description="De melding bij het RMZ die uit stap 3 ontstond.")
    async def melding(self, info: I) -> Melding | None:
        return await optioneel(info.context.loaders.melding_van_signaal, self._rij.id, Melding.uit)


@strawberry.type(description="Een betrokkene die de melder bewust in de melding noemde.")
class Betrokkene:
    _rij: strawberry.Private[BetrokkeneRij]
    soort: BetrokkeneSoort
    naam: str
    bsn: str | None

    @classmethod
    def uit(cls, rij: BetrokkeneRij) -> Betrokkene:
        return cls(_rij=rij, soort=BetrokkeneSoort(rij.soort), naam=rij.naam, bsn=rij.bsn)


@strawberry.type(description="Een behandelstap van een melding, met wat daarbij is vastgelegd.")
class Handeling:
    van_status: MeldingStatus | None
    naar_status: MeldingStatus
    gegevens: dict[str, Any] = strawberry.field(graphql_type=JSON)
    op: datetime
    door: str

    @classmethod
    def uit(cls, h: HandelingRij, masker: Masker | None = None) -> Handeling:
        return cls(
            van_status=MeldingStatus(h.van_status) if h.van_status else None,
            naar_status=MeldingStatus(h.naar_status),
            gegevens=masker.waarde(h.gegevens) if masker else h.gegevens,
            op=h.op,
            door=h.door_rol,
        )


@strawberry.type(description="Een melding bij het RMZ (stap 3) of, via de directe route, bij de contractmanager.")
class Melding(Node):
    _rij: strawberry.Private[MeldingRij]
    route: MeldingSoort
    status: MeldingStatus
    categorie: Categorie
    termijn: date | None
    uitkomst: str | None
    betrokkene_geinformeerd: bool
    aangemaakt_op: datetime
    herkomst: Herkomst = strawberry.field(description="Wie de melding deed: een gemeente, inwoner, professional.")
    gearchiveerd: bool = strawberry.field(
        description="Afgesloten: betrokkenen null en tekst gepseudonimiseerd; het origineel via raadpleegArchief."
    )

    @classmethod
    def uit(cls, rij: MeldingRij) -> Melding:
        return cls(
            id=globale_id("Melding", rij.id),
            _rij=rij,
            route=MeldingSoort(rij.soort),
            status=MeldingStatus(rij.status),
            categorie=Categorie(rij.categorie),
            termijn=rij.termijn,
            uitkomst=rij.uitkomst,
            betrokkene_geinformeerd=rij.betrokkene_geinformeerd,
            aangemaakt_op=rij.aangemaakt_op,
            herkomst=Herkomst(rij.herkomst),
            gearchiveerd=rij.gearchiveerd_op is not None,
        )

    async def _inhoud(self, info: I) -> tuple[bool, Masker | None]:
        """(zichtbaar, masker): masker None = volledig; zie domein.meldingen.inhoud_weergave."""
        ctx = info.context
        weergave = await meldingen.inhoud_weergave(
            ctx.vz, self._rij, lambda: ctx.loaders.melding_handelingen.load(self._rij.id)
        )
        if weergave is None:
            return False, None
        masker: Masker = await ctx.loaders.melding_maskers.load(self._rij.id)
        if weergave == meldingen.Weergave.VOLLEDIG:  # the full text may name them: a read of their data
            meldingen.audit_gepseudonimiseerd(ctx.vz, self._rij, masker, meldingen.CATEGORIE_VRIJE_TEKST)
            return True, None
        meldingen.audit_gepseudonimiseerd(ctx.vz, self._rij, masker)
        return True, masker

    @strawberry.field
    def termijn_verstreken(self) -> bool:
        return _verstreken(self._rij.termijn) and self._rij.status not in ("AFGEROND", "NIET_IN_BEHANDELING")

    @strawberry.field(
        description="Vrije tekst; gepseudonimiseerd voor de contractmanager (RMZ-melding) en na archivering; "
        "null waar het doel van uw rol die niet toestaat."
    )
    async def samenvatting(self, info: I) -> str | None:
        zichtbaar, masker = await self._inhoud(info)
        if not zichtbaar:
            return None
        return masker.tekst(self._rij.samenvatting) if masker else self._rij.samenvatting

    @strawberry.field(description="De genomen stappen en gemaakte afspraken, zoals de melder ze vastlegde.")
    async def stappen(self, info: I) -> list[Stap] | None:
        zichtbaar, masker = await self._inhoud(info)
        if not zichtbaar:
            return None
        return _stappen(self._rij.stappen, masker)

    @strawberry.field
    def gemeente(self, info: I) -> Gemeente:
        return direct(info.context.loaders.gemeente, self._rij.gemeente_code, Gemeente.uit)  # type: ignore[return-value]

    @strawberry.field
    def aanbieder(self, info: I) -> Aanbieder:
        return direct(info.context.loaders.aanbieder, self._rij.aanbieder_id, Aanbieder.uit)  # type: ignore[return-value]

    @strawberry.field(description="Het signaal erachter; alleen voor de gemeente van de melder.")
    async def signaal(self, info: I) -> Signaal | None:
        return await optioneel(info.context.loaders.signaal, self._rij.signaal_id, Signaal.uit)

    @strawberry.field(description="Alleen waar het doel van uw rol dat toestaat; anders null.")
    async def betrokkenen(self, info: I) -> list[Betrokkene] | None:
        rijen = await info.context.loaders.melding_betrokkenen.load(self._rij.id)
        return None if rijen is None else [Betrokkene.uit(b) for b in rijen]

    @strawberry.field(description="Een stabiel pseudoniem per betrokkene; nooit BSN, naam of geboortedatum.")
    async def pseudoniem(self, info: I) -> list[str]:
        return list(await info.context.loaders.melding_pseudoniemen.load(self._rij.id))

    @strawberry.field(description="Wat de behandelaar aan de melder terugkoppelde, oudste eerst.")
    async def terugkoppeling(self, info: I) -> list[str] | None:
        zichtbaar, masker = await self._inhoud(info)
        if not zichtbaar:
            return None
        handelingen = await info.context.loaders.melding_handelingen.load(self._rij.id)
        teksten = [h.gegevens["terugkoppeling"] for h in handelingen if h.gegevens.get("terugkoppeling")]
        return [masker.tekst(t) for t in teksten] if masker else teksten

    @strawberry.field(description="De behandeling door het RMZ of de contractmanager: status, vastleggingen, datum.")
    async def handelingen(self, info: I) -> list[Handeling] | None:
        zichtbaar, masker = await self._inhoud(info)
        if not zichtbaar:
            return None
        return [Handeling.uit(h, masker) for h in await info.context.loaders.melding_handelingen.load(self._rij.id)]


@strawberry.input
class BetrokkeneInput:
    soort: BetrokkeneSoort
    naam: str
    bsn: str | None = None


@strawberry.input
class RegistreerSignaalInput:
    aanbieder_id: strawberry.ID
    categorie: Categorie
    omschrijving: str
    casus_id: strawberry.ID | None = None
    toelichting: str | None = None
    afspraken: str | None = None
    afgesproken_op: date | None = None
    aanbieder_gewezen_op: list[str] | None = None
    route: str = "rob-signaal"
    gegevens: JSON | None = strawberry.field(default=None, description="Routespecifieke velden (zie de definitie).")
    idempotentie_sleutel: str | None = strawberry.field(
        default=None,
        description="Optioneel: een herhaald verzoek met dezelfde sleutel en gegevens maakt geen tweede signaal.",
    )


@strawberry.input
class EscaleerSignaalInput:
    signaal_id: strawberry.ID
    naar_stap: str = strawberry.field(description="Bijv. 2, 3 of stap_2; of een benoemde toestand van de route.")
    toelichting: str | None = None
    afspraken: str | None = None
    afgesproken_op: date | None = None
    herhaling: bool | None = None
    betrokkenen: list[BetrokkeneInput] = strawberry.field(default_factory=list)
    betrokkene_geinformeerd: bool = False
    gegevens: JSON | None = None


@strawberry.input
class DirecteMeldingInput:
    aanbieder_id: strawberry.ID
    categorie: Categorie
    samenvatting: str
    betrokkenen: list[BetrokkeneInput] = strawberry.field(default_factory=list)
    betrokkene_geinformeerd: bool = False


@strawberry.input(description="Een melding rechtstreeks bij het RMZ, zonder stap 1 en 2 (seed 003 §41.4).")
class RmzMeldingInput:
    aanbieder_id: strawberry.ID
    categorie: Categorie = strawberry.field(description="FRAUDE_VERMOEDEN, FINANCIELE_FOUTEN of ONGEWENSTE_WERKWIJZE.")
    samenvatting: str
    betrokkenen: list[BetrokkeneInput] = strawberry.field(default_factory=list)
    betrokkene_geinformeerd: bool = False
    herkomst: Herkomst = strawberry.field(
        default=Herkomst.GEMEENTE, description="RMZ: van wie het de melding ontving; een gemeente meldt als GEMEENTE."
    )
    gemeente: str | None = strawberry.field(
        default=None, description="RMZ: CBS-code van de gemeente waar de melding over gaat; een gemeente laat dit weg."
    )


@strawberry.input(description="Waarom u een afgesloten melding in het archief raadpleegt (wordt vastgelegd).")
class RaadpleegArchiefInput:
    melding_id: strawberry.ID
    reden: str


@strawberry.type(description="Een uitdrukkelijke, geaudite raadpleging van een gearchiveerde melding.")
class Archiefinzage:
    _inzage: strawberry.Private[archief.Archiefinzage]
    reden: str
    geraadpleegd_op: datetime

    @classmethod
    def uit(cls, inzage: archief.Archiefinzage) -> Archiefinzage:
        return cls(_inzage=inzage, reden=inzage.reden, geraadpleegd_op=inzage.geraadpleegd_op)

    @strawberry.field
    def melding(self) -> Melding:
        return Melding.uit(self._inzage.melding)

    @strawberry.field(description="Leeg nadat de bewaartermijn is verstreken.")
    def samenvatting(self) -> str:
        return self._inzage.melding.samenvatting

    @strawberry.field
    def stappen(self) -> list[Stap]:
        return _stappen(self._inzage.melding.stappen, None)

    @strawberry.field
    def betrokkenen(self) -> list[Betrokkene]:
        return [Betrokkene.uit(b) for b in self._inzage.betrokkenen]

    @strawberry.field
    def handelingen(self) -> list[Handeling]:
        return [Handeling.uit(h) for h in self._inzage.handelingen]

    @strawberry.field(description="De bewaartermijn is verstreken: er is niets meer om te raadplegen.")
    def persoonsgegevens_verwijderd(self) -> bool:
        return self._inzage.melding.persoonsgegevens_verwijderd_op is not None


@strawberry.input
class BehandelMeldingInput:
    melding_id: strawberry.ID
    naar_status: MeldingStatus
    toelichting: str | None = None
    terugkoppeling: str | None = None
    uitkomst: str | None = None
    actie_aanbieder: str | None = None
    hoor_en_wederhoor: str | None = None
    interventie: str | None = None


def gegevens_van(invoer: Any, velden: tuple[str, ...], extra: Any) -> dict[str, Any]:
    """Vaste invoervelden plus routespecifieke ``gegevens``; alleen wat is ingevuld."""
    uit = {v: getattr(invoer, v) for v in velden if getattr(invoer, v, None) is not None}
    uit = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in uit.items()}
    if isinstance(extra, dict):
        uit.update(extra)
    return uit


def betrokkenen_van(invoer: list[BetrokkeneInput]) -> list[BetrokkeneInvoer]:
    return [BetrokkeneInvoer(soort=b.soort, naam=b.naam, bsn=b.bsn) for b in invoer]


@strawberry.input(description="Voorwaarden op signalen; ze gelden samen, altijd binnen uw eigen bereik.")
class SignaalFilter:
    stap: list[str] | None = strawberry.field(default=None, description="Stappen van de route, bijv. stap_1.")
    categorie: list[Categorie] | None = None
    aanbieder_id: strawberry.ID | None = None
    aangemaakt_vanaf: datetime | None = strawberry.field(default=None, description="Vanaf dit moment (telt mee).")
    aangemaakt_tot: datetime | None = strawberry.field(default=None, description="Tot dit moment (telt niet mee).")

    def domein(self) -> domein_signalen.SignaalFilter:
        return domein_signalen.SignaalFilter(
            stap=self.stap,
            categorie=self.categorie,
            aanbieder_id=lees_globale_id(self.aanbieder_id, "Aanbieder")[1] if self.aanbieder_id else None,
            aangemaakt_vanaf=self.aangemaakt_vanaf,
            aangemaakt_tot=self.aangemaakt_tot,
        )
