"""GraphQL: casussen en inwoners. Persoonsgegevens komen via een DataLoader en worden geaudit."""

from __future__ import annotations

from datetime import date, datetime

import strawberry
from strawberry.types import Info

from api.context import Context, direct, gevraagd_onder, laad_pagina
from api.enums import CasusStatus, Leefdomein, Urgentie
from api.gemeenten import Gemeente
from api.relay import Connection, Node, globale_id, verbinding
from domein import casussen as domein_casussen
from domein.casussen import CasusRij, CasusSorteerveld, Persoonsgegevens
from domein.paginering import Richting

strawberry.enum(
    CasusSorteerveld,
    name="CasusSorteerveld",
    description="URGENTIE: regulier < spoed < crisis; vraagt leesrecht op de urgentie, net als het veld.",
)
strawberry.enum(Richting, name="Sorteerrichting", description="Geldt voor de hele sleutel (veld, aangemaaktOp, id).")


@strawberry.type(description="Persoonsgegevens van de inwoner; alleen voor wie de casus uitvoert.")
class Inwoner:
    bsn: str
    naam: str
    geboortedatum: date

    @classmethod
    def uit(cls, pg: Persoonsgegevens) -> Inwoner:
        return cls(bsn=pg.bsn, naam=pg.naam, geboortedatum=pg.geboortedatum)


GEAUDITEERDE_TYPEN = ("Casus", "Inwoner")
"""The types whose persoonsgegevens belong to a casus: their reads are recorded on that casus."""


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

    def _lezing(self, ctx: Context, veld: str) -> None:
        """Legt vast dat dit veld persoonsgegevens van deze casus toont, met het doel uit het plan.

        Recorded when the field is resolved, not when the casus is handed out: a casus of which only the id
        is shown, a field skipped by ``@skip``/``@include`` or one in a fragment of another operation is no
        read. The Inwoner's own fields are reached only through ``Casus.inwoner``: recorded with it.
        """
        paren = ctx.plan.lezingen_van_veld("Casus", veld)
        if veld == "inwoner":
            paren += ctx.plan.lezingen_van("Inwoner")
        for categorie, doel in paren:
            ctx.vz.lezing(
                categorie,
                object_type="casus",
                object_id=self._rij.id,
                verantwoordelijke=self._rij.gemeente_code,
                betrokkene=self._rij.pseudoniem,
                doel=doel,
            )

    @strawberry.field
    def gemeente(self, info: Info[Context, None]) -> Gemeente:
        return direct(info.context.loaders.gemeente, self._rij.gemeente_code, Gemeente.uit)  # type: ignore[return-value]

    @strawberry.field(description="Leeg nadat de bewaartermijn is verstreken.")
    def inwoner(self, info: Info[Context, None]) -> Inwoner | None:
        self._lezing(info.context, "inwoner")
        return direct(info.context.loaders.persoonsgegevens, self._rij.id, Inwoner.uit)  # type: ignore[return-value]

    @strawberry.field(description="Leeg nadat de bewaartermijn is verstreken.")
    def hulpvraag(self, info: Info[Context, None]) -> str | None:
        self._lezing(info.context, "hulpvraag")
        return direct(info.context.loaders.persoonsgegevens, self._rij.id, _hulpvraag)  # type: ignore[return-value]

    @strawberry.field
    def leefdomeinen(self, info: Info[Context, None]) -> list[Leefdomein]:
        self._lezing(info.context, "leefdomeinen")
        return [Leefdomein(d) for d in self._rij.leefdomeinen]

    @strawberry.field
    def urgentie(self, info: Info[Context, None]) -> Urgentie:
        self._lezing(info.context, "urgentie")
        return Urgentie(self._rij.urgentie)


def _hulpvraag(pg: Persoonsgegevens) -> str:
    return pg.hulpvraag


async def casus_pagina(ctx: Context, rijen: list[CasusRij], gevraagd: set[str]) -> None:
    """Laadt vooraf wat de knopen van een pagina casussen tonen."""
    loaders = ctx.loaders
    await laad_pagina(
        ctx,
        "Casus",
        rijen,
        gevraagd,
        {
            "gemeente": (loaders.gemeente, lambda r: r.gemeente_code),
            "inwoner": (loaders.persoonsgegevens, lambda r: r.id),
            "hulpvraag": (loaders.persoonsgegevens, lambda r: r.id),
        },
    )


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
    idempotentie_sleutel: str | None = strawberry.field(
        default=None,
        description=(
            "Optioneel, per client uniek (bijv. een UUID): een herhaald verzoek met dezelfde sleutel en dezelfde "
            "gegevens maakt niets nieuws en geeft de eerder geregistreerde casus terug (docs/koppelen.md)."
        ),
    )


@strawberry.input(description="Voorwaarden op casussen; ze gelden samen, altijd binnen uw eigen bereik.")
class CasusFilter:
    status: list[CasusStatus] | None = None
    urgentie: list[Urgentie] | None = strawberry.field(
        default=None, description="Vraagt leesrecht op de urgentie (zorgbehoefte), net als het veld Casus.urgentie."
    )
    aangemaakt_vanaf: datetime | None = strawberry.field(default=None, description="Vanaf dit moment (telt mee).")
    aangemaakt_tot: datetime | None = strawberry.field(default=None, description="Tot dit moment (telt niet mee).")

    def domein(self) -> domein_casussen.CasusFilter:
        return domein_casussen.CasusFilter(
            status=self.status,
            urgentie=self.urgentie,
            aangemaakt_vanaf=self.aangemaakt_vanaf,
            aangemaakt_tot=self.aangemaakt_tot,
        )


@strawberry.input(description="Volgorde van de lijst; een cursor geldt alleen binnen de volgorde waarin hij ontstond.")
class CasusVolgorde:
    veld: CasusSorteerveld = CasusSorteerveld.AANGEMAAKT_OP
    richting: Richting = Richting.OPLOPEND


async def casussen_lijst(
    info: Info[Context, None],
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
    filter: CasusFilter | None = None,
    volgorde: CasusVolgorde | None = None,
) -> Connection[Casus]:
    """Casussen binnen uw bereik: vooruit (first/after) of terug (last/before), gefilterd en geordend."""
    vz = info.context.vz
    f = filter.domein() if filter else None
    v = domein_casussen.CasusVolgorde(volgorde.veld, volgorde.richting) if volgorde else None
    pagina = await domein_casussen.zoek(vz, first, after, f, v, last, before)
    await casus_pagina(info.context, [rij for _, rij in pagina.items], gevraagd_onder(info, "edges", "node"))
    return verbinding(pagina, Casus.uit, lambda: domein_casussen.tel(vz, f))
