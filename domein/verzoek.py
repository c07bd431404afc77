"""De werkeenheid van één verzoek: wie, welke transactie, welk beleid, welke auditregels."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from domein.actor import Actor
from domein.audit import AuditBuffer, AuditRegel, Operatie, Pseudonimiseerder, Uitkomst
from domein.fouten import Geweigerd
from domein.maandtabellen import Drempels, StatistiekCache
from domein.route import Route, standaard_routes
from domein.toegang import Actie, Beslisser, Besluit


@dataclass
class Verzoek:
    actor: Actor
    conn: AsyncConnection
    beslisser: Beslisser
    pseudonimiseerder: Pseudonimiseerder
    request_id: str
    audit: AuditBuffer = field(default_factory=AuditBuffer)
    routes: dict[str, Route] = field(default_factory=standaard_routes)
    drempels: Drempels = field(default_factory=Drempels)
    statistiekcache: StatistiekCache = field(default_factory=StatistiekCache)
    klok: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    """Where 'now' comes from: the real clock, or a fixed moment when demo history is built."""

    def nu(self) -> datetime:
        return self.klok()

    def eis(
        self,
        resource: str,
        actie: Actie,
        *,
        object_id: str | None = None,
        verantwoordelijke: str | None = None,
    ) -> Besluit:
        """Vraagt het beleid; een weigering wordt geaudit en als ``Geweigerd`` opgeworpen."""
        besluit = self.beslisser.beslis(self.actor, resource, actie)
        if besluit.toegestaan:
            return besluit
        self.weigering(resource, actie, object_id=object_id, verantwoordelijke=verantwoordelijke)
        raise Geweigerd(
            "Uw rol heeft hiervoor geen toegang. Neem contact op met uw privacy officer als u denkt dat dit "
            "nodig is voor uw taak.",
            resource=resource,
            actie=str(actie),
        )

    def weigering(
        self,
        resource: str,
        actie: Actie,
        *,
        object_id: str | None = None,
        verantwoordelijke: str | None = None,
        uitkomst: Uitkomst = Uitkomst.GEWEIGERD,
    ) -> None:
        self.audit.voeg_toe(
            AuditRegel(
                actor=self.actor,
                doel=self.beslisser.doel_van(self.actor),
                verwerkingsactiviteit=f"{actie} {resource}",
                operatie=Operatie.LEZEN if actie is Actie.LEZEN else Operatie.WIJZIGEN,
                object_type=resource,
                object_id=object_id,
                verantwoordelijke=verantwoordelijke or self.actor.organisatie,
                uitkomst=uitkomst,
            )
        )

    def lezing(
        self,
        categorie: str,
        *,
        object_type: str,
        object_id: str,
        verantwoordelijke: str,
        betrokkene: str | None,
        doel: str,
    ) -> None:
        """Legt vast dat persoonsgegevens van ``categorie`` gelezen zijn (samengevoegd per object)."""
        self.audit.voeg_toe(
            AuditRegel(
                actor=self.actor,
                doel=doel,
                verwerkingsactiviteit=f"{object_type} raadplegen",
                operatie=Operatie.LEZEN,
                object_type=object_type,
                object_id=object_id,
                verantwoordelijke=verantwoordelijke,
                uitkomst=Uitkomst.GESLAAGD,
                categorieen={categorie},
                betrokkenen={betrokkene} if betrokkene else set(),
            )
        )

    def raadpleging(
        self, besluit: Besluit, *, object_type: str, object_id: str, verantwoordelijke: str, activiteit: str
    ) -> None:
        """Legt een geslaagde lezing zonder persoonsgegevens vast (aggregaten, zorgkosten), met het doel."""
        self.audit.voeg_toe(
            AuditRegel(
                actor=self.actor,
                doel=besluit.doel or self.beslisser.doel_van(self.actor),
                verwerkingsactiviteit=activiteit,
                operatie=Operatie.LEZEN,
                object_type=object_type,
                object_id=object_id,
                verantwoordelijke=verantwoordelijke,
                uitkomst=Uitkomst.GESLAAGD,
                vertrouwelijkheid="intern",
            )
        )

    def registratie(
        self,
        besluit: Besluit,
        *,
        object_type: str,
        object_id: str,
        verantwoordelijke: str,
        categorieen: set[str] | None = None,
        betrokkenen: set[str] | None = None,
        vertrouwelijkheid: str = "intern",
        activiteit: str | None = None,
        operatie: Operatie = Operatie.REGISTREREN,
    ) -> None:
        """Legt een geslaagde mutatie vast, met het doel uit het besluit dat haar toestond."""
        self.audit.voeg_toe(
            AuditRegel(
                actor=self.actor,
                doel=besluit.doel or self.beslisser.doel_van(self.actor),
                verwerkingsactiviteit=activiteit or f"{object_type} registreren",
                operatie=operatie,
                object_type=object_type,
                object_id=object_id,
                verantwoordelijke=verantwoordelijke,
                uitkomst=Uitkomst.GESLAAGD,
                categorieen=categorieen or set(),
                betrokkenen=betrokkenen or set(),
                vertrouwelijkheid=vertrouwelijkheid,
            )
        )
