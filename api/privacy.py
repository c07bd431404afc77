"""GraphQL: het privacykantoor. Inzage, datalekken, meldingen tussen privacy officers, Bibob, beleid."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime

import strawberry
from strawberry.types import Info

from api.context import Context
from api.gemeenten import Gemeente
from api.relay import Node, globale_id
from domein import beleidsbeheer, bibob, datalekken, inzage
from domein.actor import GEMEENTEN
from domein.casussen import Afsluitreden

strawberry.enum(datalekken.Gegevenscategorie, name="DatalekCategorie", description="Soort gegevens in een datalek.")
strawberry.enum(datalekken.ApStatus, name="ApMeldstatus", description="De melding aan de Autoriteit Persoonsgegevens.")
strawberry.enum(bibob.Gebeurtenis, name="BibobGebeurtenis")
strawberry.enum(beleidsbeheer.Soort, name="BeleidswijzigingSoort")
strawberry.enum(
    Afsluitreden,
    name="Afsluitreden",
    description="Waarom een casus eindigt; een vaste lijst, want de reden komt in het auditlog.",
)


@strawberry.type(description="Eén verwerking over de persoon: wanneer, waarvoor, wat, door welke organisatie.")
class Verwerking:
    tijdstip: datetime
    doel: str
    operatie: str
    organisatie: str
    object_type: str
    verwerkingsactiviteit: str


@strawberry.type(description="Alle verwerkingen over één persoon binnen uw organisatie (AVG art. 15).")
class Inzagerapport:
    kenmerk: str
    bsn: str
    verwerkingen: list[Verwerking]

    @classmethod
    def uit(cls, r: inzage.Inzagerapport) -> Inzagerapport:
        return cls(
            kenmerk=r.kenmerk,
            bsn=r.bsn,
            verwerkingen=[Verwerking(**asdict(v)) for v in r.verwerkingen],
        )


@strawberry.type(description="Een object van uw eigen organisatie (type en id).")
class ObjectVerwijzing:
    object_type: str
    object_id: str


@strawberry.type(description="Een bericht van een andere organisatie aan uw privacy officer, zonder persoonsgegevens.")
class Privacymelding(Node):
    soort: str
    van_organisatie: str
    op: datetime
    objecten: list[ObjectVerwijzing]

    @classmethod
    def uit(cls, r: inzage.Privacymelding) -> Privacymelding:
        return cls(
            id=globale_id("Privacymelding", r.id),
            soort=r.soort,
            van_organisatie=r.van_organisatie,
            op=r.op,
            objecten=[ObjectVerwijzing(object_type=o["objectType"], object_id=o["objectId"]) for o in r.objecten],
        )


@strawberry.type(description="Wanneer een organisatie over het datalek is geïnformeerd.")
class DatalekMelding:
    organisatie: str
    gemeld_op: datetime

    @strawberry.field
    async def gemeente(self, info: Info[Context, None]) -> Gemeente | None:
        if self.organisatie not in GEMEENTEN:
            return None
        return Gemeente.uit(await info.context.loaders.gemeente.load(self.organisatie))


@strawberry.type(description="Een datalek (Bijlage 1 art. 4.2, AVG art. 33), met de 72-uurstermijn voor de AP.")
class Datalek(Node):
    _rij: strawberry.Private[datalekken.Datalek]
    omschrijving: str
    ontdekt_op: datetime
    categorieen: list[datalekken.Gegevenscategorie]
    geregistreerd_door: str = strawberry.field(description="De organisatie die het lek registreerde.")
    geregistreerd_op: datetime
    ap_deadline: datetime = strawberry.field(description="Ontdekking plus 72 uur.")
    ap_gemeld_op: datetime | None
    ap_kenmerk: str | None
    meldingen: list[DatalekMelding]
    objecten: list[ObjectVerwijzing] = strawberry.field(
        description="Betrokken casussen en meldingen; alleen voor de organisatie die registreerde."
    )

    @classmethod
    def uit(cls, r: datalekken.Datalek) -> Datalek:
        return cls(
            id=globale_id("Datalek", r.id), _rij=r, omschrijving=r.omschrijving, ontdekt_op=r.ontdekt_op,
            categorieen=[datalekken.Gegevenscategorie(c) for c in r.categorieen], geregistreerd_door=r.organisatie,
            geregistreerd_op=r.geregistreerd_op, ap_deadline=r.ap_deadline, ap_gemeld_op=r.ap_gemeld_op,
            ap_kenmerk=r.ap_kenmerk, meldingen=[DatalekMelding(organisatie=o, gemeld_op=t) for o, t in r.meldingen],
            objecten=[ObjectVerwijzing(object_type=t, object_id=i) for t, i in r.objecten],
        )  # fmt: skip

    @strawberry.field(description="Gemeenten van wie gegevens betrokken zijn.")
    async def betrokken_gemeenten(self, info: Info[Context, None]) -> list[Gemeente]:
        rijen = await info.context.loaders.gemeente.load_many(self._rij.betrokken_gemeenten)
        return [Gemeente.uit(g) for g in rijen if g is not None]

    @strawberry.field(description="OPEN of VERLOPEN zolang niet gemeld; daarna OP_TIJD of TE_LAAT.")
    def ap_status(self, info: Info[Context, None]) -> datalekken.ApStatus:
        return self._rij.ap_status(info.context.vz.nu())

    @strawberry.field(description="Uren tot de AP-deadline (negatief: verstreken); leeg zodra gemeld.")
    def uren_tot_ap_deadline(self, info: Info[Context, None]) -> float | None:
        if self._rij.ap_gemeld_op is not None:
            return None
        return round((self._rij.ap_deadline - info.context.vz.nu()).total_seconds() / 3600, 1)


@strawberry.input
class SluitCasusInput:
    casus_id: strawberry.ID
    reden: Afsluitreden | None = None


@strawberry.input
class RegistreerDatalekInput:
    omschrijving: str = strawberry.field(description="Wat er gebeurde; noem geen namen of BSN's.")
    ontdekt_op: datetime
    categorieen: list[datalekken.Gegevenscategorie]
    casus_ids: list[strawberry.ID] = strawberry.field(default_factory=list)
    melding_ids: list[strawberry.ID] = strawberry.field(default_factory=list)


@strawberry.input
class MeldDatalekBijApInput:
    datalek_id: strawberry.ID
    gemeld_op: datetime
    kenmerk: str | None = None


@strawberry.input
class BibobInput:
    aanbieder_id: strawberry.ID
    gebeurtenis: bibob.Gebeurtenis
    datum: date | None = strawberry.field(default=None, description="Standaard vandaag.")


@strawberry.input
class BeleidsregelInput:
    rol: str
    resource: str
    actie: str
    bereik: str
    doel: str


@strawberry.input
class WijzigBeleidInput:
    soort: beleidsbeheer.Soort
    regel: BeleidsregelInput
    reden: str
