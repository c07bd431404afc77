"""Het GraphQL-schema: dunne resolvers die vertalen en delegeren aan ``domein``."""

from __future__ import annotations

from datetime import date
from typing import Any

import strawberry
from strawberry.extensions import ParserCache, SchemaExtension, ValidationCache
from strawberry.types import Info

from api.aanbieders import Aanbieder, Contract, RegistreerAanbiederInput, RegistreerContractInput
from api.audit import AuditFilter, AuditRegel, Beleidsregel, Beleidswijziging
from api.casussen import Casus, CasusFilter, CasusVolgorde, Inwoner, RegistreerCasusInput, casussen_lijst
from api.context import Context, gevraagd_onder
from api.datums import DATUM_SCALARS
from api.enums import Rol
from api.gemeenten import Gebruiker, Gemeente
from api.inzicht import (
    ContractUitnutting,
    LeverZorgkostenAanInput,
    StatistiekCel,
    Zorgkosten,
    ZorgkostenAanlevering,
)
from api.privacy import (
    BeleidsregelInput,
    BibobInput,
    Datalek,
    Inzagerapport,
    MeldDatalekBijApInput,
    Privacymelding,
    RegistreerDatalekInput,
    SluitCasusInput,
    WijzigBeleidInput,
)
from api.relay import Connection, Node, lees_globale_id, verbinding
from api.signalen import (
    Archiefinzage,
    BehandelMeldingInput,
    DirecteMeldingInput,
    EscaleerSignaalInput,
    Melding,
    RaadpleegArchiefInput,
    RegistreerSignaalInput,
    RmzMeldingInput,
    Signaal,
    SignaalFilter,
    betrokkenen_van,
    gegevens_van,
    pagina_met_relaties,
)
from api.veldbewaking import VELDBEWAKING, Veldbewaking
from api.voltooiing import Voltooiing
from domein import (
    aanbieders,
    archief,
    auditlog,
    beleidsbeheer,
    bibob,
    casussen,
    contracten,
    datalekken,
    gemeenten,
    idempotentie,
    inzage,
    inzicht,
    meldingen,
    signalen,
    uitnutting,
    zorgkosten,
)
from domein.aanbieders import AanbiederInvoer
from domein.casussen import CasusInvoer
from domein.contracten import Budgetplafond as BudgetplafondRij
from domein.contracten import ContractInvoer
from domein.fouten import NietGevonden
from domein.maandtabellen import Dimensie
from domein.toegang import Beleidsregel as BeleidsregelRij

I = Info[Context, None]  # noqa: E741


async def _node(info: I, globaal: str) -> Node:
    typenaam, id_ = lees_globale_id(globaal)
    vz, loaders = info.context.vz, info.context.loaders
    if typenaam == "Casus":
        return Casus.uit(await casussen.op_id(vz, id_))
    if typenaam == "Aanbieder":
        return Aanbieder.uit(await aanbieders.op_id(vz, id_))
    if typenaam == "Signaal":
        return Signaal.uit(await signalen.op_id(vz, id_))
    if typenaam == "Melding":
        return Melding.uit(await meldingen.op_id(vz, id_))
    gevonden: Any = None
    if typenaam == "Contract":
        gevonden = await loaders.contract.load(id_)
        if gevonden is not None:
            return Contract.uit(gevonden)
    if typenaam == "Gemeente":
        gevonden = await loaders.gemeente.load(id_)
        if gevonden is not None:
            return Gemeente.uit(gevonden)
    raise NietGevonden()


@strawberry.type
class Query:
    @strawberry.field(description="Wie u bent volgens uw token.")
    async def ik(self, info: I) -> Gebruiker:
        ctx = info.context
        a = ctx.vz.actor
        gemeente = Gemeente.uit(await ctx.loaders.gemeente.load(a.gemeente)) if a.gemeente else None
        return Gebruiker(
            sub=a.sub,
            rol=Rol(a.rol),
            gemeente=gemeente,
            organisatie=a.organisatie,
            doel=ctx.beslisser.doel_van(a),
        )

    @strawberry.field
    async def gemeenten(self, info: I) -> list[Gemeente]:
        return [Gemeente.uit(g) for g in await gemeenten.alle(info.context.vz)]

    @strawberry.field
    async def aanbieders(
        self, info: I, first: int | None = None, after: str | None = None, zoek: str | None = None
    ) -> Connection[Aanbieder]:
        vz = info.context.vz
        pagina = await aanbieders.zoek(vz, first, after, zoek)
        return verbinding(pagina, Aanbieder.uit, lambda: aanbieders.tel(vz, zoek))

    @strawberry.field
    async def contracten(
        self,
        info: I,
        first: int | None = None,
        after: str | None = None,
        aanbieder_id: strawberry.ID | None = None,
    ) -> Connection[Contract]:
        vz = info.context.vz
        intern = lees_globale_id(aanbieder_id, "Aanbieder")[1] if aanbieder_id else None
        pagina = await contracten.zoek(vz, first, after, intern)
        return verbinding(pagina, Contract.uit, lambda: contracten.tel(vz, intern))

    @strawberry.field(description="Casussen binnen uw bereik: vooruit (first/after) of terug (last/before).")
    async def casussen(
        self,
        info: I,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: CasusFilter | None = None,
        volgorde: CasusVolgorde | None = None,
    ) -> Connection[Casus]:
        return await casussen_lijst(info, first, after, last, before, filter, volgorde)

    @strawberry.field(description="Eén casus; een casus van een andere gemeente bestaat voor u niet.")
    async def casus(self, info: I, id: strawberry.ID) -> Casus | None:
        return Casus.uit(await casussen.op_id(info.context.vz, lees_globale_id(id, "Casus")[1]))

    @strawberry.field
    async def node(self, info: I, id: strawberry.ID) -> Node | None:
        return await _node(info, id)

    @strawberry.field(description="Signalen van de eigen gemeente; alleenVerlopen: termijn van de stap voorbij.")
    async def signalen(
        self,
        info: I,
        first: int | None = None,
        after: str | None = None,
        alleen_verlopen: bool = False,
        filter: SignaalFilter | None = None,
    ) -> Connection[Signaal]:
        vz = info.context.vz
        f = filter.domein() if filter else None
        pagina = await signalen.zoek(vz, first, after, alleen_verlopen, f)
        await pagina_met_relaties(
            info.context, "Signaal", [rij for _, rij in pagina.items], gevraagd_onder(info, "edges", "node")
        )
        return verbinding(pagina, Signaal.uit, lambda: signalen.tel(vz, alleen_verlopen, f))

    @strawberry.field(description="Meldingen binnen uw bereik (het RMZ: de inbox van alle zeven gemeenten).")
    async def meldingen(
        self, info: I, first: int | None = None, after: str | None = None, alleen_verlopen: bool = False
    ) -> Connection[Melding]:
        vz = info.context.vz
        pagina = await meldingen.zoek(vz, first, after, alleen_verlopen)
        await pagina_met_relaties(
            info.context, "Melding", [rij for _, rij in pagina.items], gevraagd_onder(info, "edges", "node")
        )
        return verbinding(pagina, Melding.uit, lambda: meldingen.tel(vz, alleen_verlopen))

    @strawberry.field(description="Privacy officer: verwerkingen van data van de eigen organisatie.")
    async def audit_log(
        self, info: I, first: int | None = None, after: str | None = None, filter: AuditFilter | None = None
    ) -> Connection[AuditRegel]:
        vz = info.context.vz
        f = auditlog.AuditFilter(**vars(filter)) if filter else auditlog.AuditFilter()
        pagina = await auditlog.zoek(vz, f, first, after)
        return verbinding(pagina, AuditRegel.uit, lambda: auditlog.tel(vz, f))

    @strawberry.field(
        description="Tellingen van signalen en meldingen per ladderstap, anoniem (k-drempel met secundaire "
        "onderdrukking). Hele, afgesloten maanden; standaard de laatste twaalf."
    )
    async def signaal_statistiek(
        self, info: I, groepeer_op: list[Dimensie], van: date | None = None, tot: date | None = None
    ) -> list[StatistiekCel]:
        cellen = await inzicht.signaal_statistiek(info.context.vz, groepeer_op, van, tot)
        return await StatistiekCel.lijst(info, cellen)

    @strawberry.field(description="Maandtotalen zorgkosten van één jaar (eigen gemeente, of de regio).")
    async def zorgkosten(self, info: I, jaar: int, aanbieder_id: strawberry.ID | None = None) -> list[Zorgkosten]:
        intern = lees_globale_id(aanbieder_id, "Aanbieder")[1] if aanbieder_id else None
        return [Zorgkosten.uit(r) for r in await zorgkosten.zoek(info.context.vz, jaar, intern)]

    @strawberry.field(description="Uitnutting, prognose en afwijkingssignaal per contract (en per gemeente).")
    async def contract_uitnutting(
        self, info: I, jaar: int, alleen_afwijkingen: bool = False
    ) -> list[ContractUitnutting]:
        rijen = await uitnutting.per_contract(info.context.vz, jaar, alleen_afwijkingen)
        return await ContractUitnutting.lijst(info, rijen)

    @strawberry.field(description="De regels van het toegangsbeleid, zoals ze nu gelden.")
    def beleidsregels(self, info: I) -> list[Beleidsregel]:
        return [Beleidsregel.uit(r) for r in info.context.beslisser.regels()]

    @strawberry.field(description="Wijzigingen van het beleid tijdens bedrijf, oudste eerst.")
    async def beleidswijzigingen(self, info: I) -> list[Beleidswijziging]:
        return [_wijziging(w) for w in await beleidsbeheer.lijst(info.context.vz)]

    @strawberry.field(description="Privacy officer: alle verwerkingen over één persoon binnen uw organisatie.")
    async def inzageverzoek(self, info: I, bsn: str) -> Inzagerapport:
        return Inzagerapport.uit(await inzage.inzageverzoek(info.context.vz, bsn))

    @strawberry.field(description="Privacy officer: datalekken die uw organisatie registreerde of ontving.")
    async def datalekken(self, info: I, first: int | None = None, after: str | None = None) -> Connection[Datalek]:
        vz = info.context.vz
        return verbinding(await datalekken.zoek(vz, first, after), Datalek.uit, lambda: datalekken.tel(vz))

    @strawberry.field(description="Privacy officer: berichten van andere organisaties (Bijlage 1 art. 5.1).")
    async def privacymeldingen(
        self, info: I, first: int | None = None, after: str | None = None
    ) -> Connection[Privacymelding]:
        vz = info.context.vz
        return verbinding(
            await inzage.meldingen(vz, first, after), Privacymelding.uit, lambda: inzage.tel_meldingen(vz)
        )


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Registreert een casus in de gemeente uit uw token.")
    async def registreer_casus(self, info: I, input: RegistreerCasusInput) -> Casus:
        invoer = CasusInvoer(
            bsn=input.inwoner.bsn,
            naam=input.inwoner.naam,
            geboortedatum=input.inwoner.geboortedatum,
            hulpvraag=input.hulpvraag,
            leefdomeinen=list(input.leefdomeinen),
            urgentie=input.urgentie,
        )
        vz = info.context.vz
        rij = await idempotentie.eenmalig(
            vz, casussen.RESOURCE, input.idempotentie_sleutel, invoer,
            lambda: casussen.registreer(vz, invoer), lambda id_: casussen.op_id(vz, id_), lambda r: r.id,
        )  # fmt: skip
        return Casus.uit(rij)

    @strawberry.mutation
    async def registreer_aanbieder(self, info: I, input: RegistreerAanbiederInput) -> Aanbieder:
        invoer = AanbiederInvoer(naam=input.naam, kvk=input.kvk, agb=input.agb)
        return Aanbieder.uit(await aanbieders.registreer(info.context.vz, invoer))

    @strawberry.mutation
    async def registreer_contract(self, info: I, input: RegistreerContractInput) -> Contract:
        invoer = ContractInvoer(
            aanbieder_id=lees_globale_id(input.aanbieder_id, "Aanbieder")[1],
            soort=input.soort,
            naam=input.naam,
            percelen=input.percelen,
            ingangsdatum=input.ingangsdatum,
            einddatum=input.einddatum,
            deelnemende_gemeenten=input.deelnemende_gemeenten,
            contractmanager=input.contractmanager,
            budgetplafonds=[BudgetplafondRij(b.jaar, b.bedrag) for b in input.budgetplafonds],
        )
        return Contract.uit(await contracten.registreer(info.context.vz, invoer))

    @strawberry.mutation(description="Stap 1 van de ROB-ladder (of de eerste stap van een andere route).")
    async def registreer_signaal(self, info: I, input: RegistreerSignaalInput) -> Signaal:
        gegevens = gegevens_van(
            input, ("toelichting", "afspraken", "afgesproken_op", "aanbieder_gewezen_op"), input.gegevens
        )
        invoer = signalen.SignaalInvoer(
            aanbieder_id=lees_globale_id(input.aanbieder_id, "Aanbieder")[1],
            categorie=input.categorie,
            omschrijving=input.omschrijving,
            gegevens=gegevens,
            route=input.route,
            casus_id=lees_globale_id(input.casus_id, "Casus")[1] if input.casus_id else None,
        )
        vz = info.context.vz
        rij = await idempotentie.eenmalig(
            vz, signalen.RESOURCE, input.idempotentie_sleutel, invoer,
            lambda: signalen.registreer(vz, invoer), lambda id_: signalen.op_id(vz, id_), lambda r: r.id,
        )  # fmt: skip
        return Signaal.uit(rij)

    @strawberry.mutation(description="Naar stap 2, of stap 3: de melding bij het RMZ.")
    async def escaleer_signaal(self, info: I, input: EscaleerSignaalInput) -> Signaal:
        naar = input.naar_stap.strip()
        naar = f"stap_{naar}" if naar.isdigit() else naar
        gegevens = gegevens_van(input, ("toelichting", "afspraken", "afgesproken_op", "herhaling"), input.gegevens)
        if "afspraken" in gegevens and naar == "stap_2":
            gegevens["verbeterafspraken_management"] = gegevens.pop("afspraken")
        escalatie = signalen.Escalatie(
            signaal_id=lees_globale_id(input.signaal_id, "Signaal")[1],
            naar=naar,
            gegevens=gegevens,
            betrokkenen=betrokkenen_van(input.betrokkenen),
            betrokkene_geinformeerd=input.betrokkene_geinformeerd,
        )
        return Signaal.uit(await signalen.escaleer(info.context.vz, escalatie))

    @strawberry.mutation(description="De directe route: grote gevolgen voor de cliënt, meteen naar de contractmanager.")
    async def meld_bij_contractmanager(self, info: I, input: DirecteMeldingInput) -> Melding:
        invoer = meldingen.MeldingInvoer(
            soort=meldingen.MeldingSoort.CONTRACTMANAGER,
            aanbieder_id=lees_globale_id(input.aanbieder_id, "Aanbieder")[1],
            categorie=input.categorie,
            samenvatting=input.samenvatting,
            betrokkenen=betrokkenen_van(input.betrokkenen),
            betrokkene_geinformeerd=input.betrokkene_geinformeerd,
        )
        return Melding.uit(await meldingen.meld_bij_contractmanager(info.context.vz, invoer))

    @strawberry.mutation(
        description="Rechtstreeks bij het RMZ, zonder stap 1 en 2: (vermoedens van) fraude, financiële fouten, "
        "ongewenste werkwijzen (seed 003 §41.4). Een gemeente meldt zelf; het RMZ legt meldingen van inwoners, "
        "professionals en verwijzers vast."
    )
    async def registreer_rmz_melding(self, info: I, input: RmzMeldingInput) -> Melding:
        invoer = meldingen.MeldingInvoer(
            soort=meldingen.MeldingSoort.RMZ,
            aanbieder_id=lees_globale_id(input.aanbieder_id, "Aanbieder")[1],
            categorie=input.categorie,
            samenvatting=input.samenvatting,
            betrokkenen=betrokkenen_van(input.betrokkenen),
            betrokkene_geinformeerd=input.betrokkene_geinformeerd,
            herkomst=input.herkomst,
            gemeente=input.gemeente,
        )
        return Melding.uit(await meldingen.registreer_bij_rmz(info.context.vz, invoer))

    @strawberry.mutation(
        description="Een afgesloten melding volledig inzien, met een reden die wordt vastgelegd (Bijlage 1 art. 3.1)."
    )
    async def raadpleeg_archief(self, info: I, input: RaadpleegArchiefInput) -> Archiefinzage:
        melding_id = lees_globale_id(input.melding_id, "Melding")[1]
        return Archiefinzage.uit(await archief.raadpleeg(info.context.vz, melding_id, input.reden))

    @strawberry.mutation(description="RMZ of contractmanager: volgende status, met wat daarbij hoort.")
    async def behandel_melding(self, info: I, input: BehandelMeldingInput) -> Melding:
        gegevens = gegevens_van(
            input,
            ("toelichting", "terugkoppeling", "uitkomst", "actie_aanbieder", "hoor_en_wederhoor", "interventie"),
            None,
        )
        melding_id = lees_globale_id(input.melding_id, "Melding")[1]
        return Melding.uit(await meldingen.behandel(info.context.vz, melding_id, str(input.naar_status), gegevens))

    @strawberry.mutation(
        description="Backoffice: maandtotalen zorgkosten van de eigen gemeente; alles of niets, fouten per regel."
    )
    async def lever_zorgkosten_aan(self, info: I, input: LeverZorgkostenAanInput) -> ZorgkostenAanlevering:
        return ZorgkostenAanlevering.uit(await zorgkosten.lever_aan(info.context.vz, input.ruw()))

    @strawberry.mutation(description="Beëindigt een casus; daarna loopt de bewaartermijn.")
    async def sluit_casus(self, info: I, input: SluitCasusInput) -> Casus:
        casus_id = lees_globale_id(input.casus_id, "Casus")[1]
        return Casus.uit(await casussen.sluit(info.context.vz, casus_id, input.reden))

    @strawberry.mutation(description="Privacy officer: legt een datalek vast en informeert meteen de anderen.")
    async def registreer_datalek(self, info: I, input: RegistreerDatalekInput) -> Datalek:
        invoer = datalekken.DatalekInvoer(
            omschrijving=input.omschrijving,
            ontdekt_op=input.ontdekt_op,
            categorieen=list(input.categorieen),
            casus_ids=[lees_globale_id(i, "Casus")[1] for i in input.casus_ids],
            melding_ids=[lees_globale_id(i, "Melding")[1] for i in input.melding_ids],
        )
        return Datalek.uit(await datalekken.registreer(info.context.vz, invoer))

    @strawberry.mutation(description="Privacy officer: het datalek is bij de Autoriteit Persoonsgegevens gemeld.")
    async def meld_datalek_bij_ap(self, info: I, input: MeldDatalekBijApInput) -> Datalek:
        id_ = lees_globale_id(input.datalek_id, "Datalek")[1]
        return Datalek.uit(await datalekken.meld_bij_ap(info.context.vz, id_, input.gemeld_op, input.kenmerk))

    @strawberry.mutation(description="Kwaliteitsmedewerker of contractmanager: Bibob-onderzoek gestart of beëindigd.")
    async def meld_bibob_onderzoek(self, info: I, input: BibobInput) -> Aanbieder:
        id_ = lees_globale_id(input.aanbieder_id, "Aanbieder")[1]
        return Aanbieder.uit(await bibob.meld(info.context.vz, id_, input.gebeurtenis, input.datum))

    @strawberry.mutation(description="Beheerder: voegt een beleidsregel toe of haalt er een weg (getoetst en geaudit).")
    async def wijzig_beleid(self, info: I, input: WijzigBeleidInput) -> Beleidswijziging:
        r: BeleidsregelInput = input.regel
        regel = BeleidsregelRij(r.rol, r.resource, r.actie, r.bereik, r.doel)
        return _wijziging(await beleidsbeheer.wijzig(info.context.vz, input.soort, regel, input.reden))


def _wijziging(w: beleidsbeheer.Wijziging) -> Beleidswijziging:
    return Beleidswijziging(
        id=w.id, soort=str(w.soort), regel=Beleidsregel.uit(w.regel), reden=w.reden, door=w.door, op=w.op
    )


class _Schema(strawberry.Schema):
    def get_extensions(self, sync: bool = False) -> list[SchemaExtension]:
        extensies = super().get_extensions(sync)
        if VELDBEWAKING.get():
            return extensies
        return [e for e in extensies if not isinstance(e, Veldbewaking)]

    def process_errors(self, errors: Any, execution_context: Any = None) -> None:
        """Logging happens once, in the HTTP layer, with the request id."""


def maak_schema() -> strawberry.Schema:
    # The parser and validation caches live at module level in Strawberry, shared by every request.
    return _Schema(
        query=Query,
        mutation=Mutation,
        types=[Casus, Aanbieder, Contract, Gemeente, AuditRegel, Inwoner, Signaal, Melding, Datalek, Privacymelding],
        extensions=[Veldbewaking, lambda: ParserCache(maxsize=512), lambda: ValidationCache(maxsize=512)],
        scalar_overrides=DATUM_SCALARS,
        execution_context_class=Voltooiing,
    )
