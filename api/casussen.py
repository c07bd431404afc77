"""GraphQL: casussen en inwoners. Persoonsgegevens komen via een DataLoader en worden geaudit."""

from __future__ import annotations

from datetime import date, datetime

import strawberry
from strawberry.types import Info

from api.context import Context, direct, laad_pagina
from api.enums import CasusStatus, Leefdomein, Urgentie
from api.gemeenten import Gemeente
from api.relay import Node, globale_id
from domein.casussen import CasusRij, Persoonsgegevens


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
