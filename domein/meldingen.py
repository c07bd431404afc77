"""Meldingen bij het RMZ (stap 3) en de directe route naar de contractmanager (seed 000, 003 §41.4).

Who reads what follows toegang.md: the gemeente of the melder reads status and terugkoppeling; the
RMZ reads the betrokkenen of RMZ-meldingen; the contractmanager reads every melding pseudonymised
and the betrokkenen only of direct-route meldingen addressed to them. Row-dependent field access
(betrokkenen per soort) becomes a SQL condition, like every other scope.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa

from domein import stapgebeurtenissen, vrije_tekst
from domein.actor import GEMEENTEN, ROB
from domein.audit import Operatie
from domein.bereik import voorwaarde
from domein.fouten import (
    BetrokkeneNietGeinformeerd,
    KlachtNietBijRmz,
    NietGevonden,
    OngeldigeInvoer,
    OngeldigeOvergang,
)
from domein.maskering import Masker, Persoon
from domein.opslag.tabellen import (
    aanbieder,
    casus_persoonsgegevens,
    contract,
    melding,
    melding_betrokkene,
    melding_handeling,
    signaal,
)
from domein.paginering import Pagina, maak_cursor, pagineer
from domein.route import RMZ_ZELF_ONTVANGEN
from domein.toegang import Actie
from domein.verzoek import Verzoek
from domein.waarden import (
    NIET_BIJ_RMZ_MAAR_GEMEENTE,
    RMZ_INTAKE_CATEGORIEEN,
    BetrokkeneSoort,
    Categorie,
    ContractSoort,
    Herkomst,
    MeldingSoort,
    controleer_bsn,
    controleer_tekst,
)

RESOURCE = "melding"
CATEGORIE_BETROKKENEN = "persoonsgegevens.betrokkenen"
ROUTE_VAN = {MeldingSoort.RMZ: "rmz-melding", MeldingSoort.CONTRACTMANAGER: "contractmanager-direct"}
INTAKE_ROUTE = "rmz-intake"
CONTRACTMANAGER_GEINFORMEERD = "CONTRACTMANAGER_GEINFORMEERD"
MAX_PGB_TOETSEN_PER_JAAR = 10  # seed 001 art. 2.2.e


@dataclass(frozen=True)
class BetrokkeneInvoer:
    soort: BetrokkeneSoort
    naam: str
    bsn: str | None = None


@dataclass(frozen=True)
class MeldingInvoer:
    soort: MeldingSoort
    aanbieder_id: str
    categorie: Categorie
    samenvatting: str
    betrokkenen: Sequence[BetrokkeneInvoer]
    betrokkene_geinformeerd: bool
    signaal_id: str | None = None
    stappen: list[dict[str, Any]] = field(default_factory=list)
    herkomst: Herkomst = Herkomst.GEMEENTE
    gemeente: str | None = None
    """The gemeente it concerns, when the RMZ registers a melding itself; otherwise the melder's own."""
    route: str | None = None


@dataclass(frozen=True)
class MeldingRij:
    id: str
    soort: str
    route: str
    signaal_id: str | None
    gemeente_code: str
    aanbieder_id: str
    categorie: str
    samenvatting: str
    stappen: list[dict[str, Any]]
    status: str
    termijn: date | None
    betrokkene_geinformeerd: bool
    uitkomst: str | None
    aangemaakt_op: datetime
    gewijzigd_op: datetime
    persoonsgegevens_verwijderd_op: datetime | None = None
    herkomst: str = str(Herkomst.GEMEENTE)
    melder_gemeente: str | None = None
    gearchiveerd_op: datetime | None = None

    @property
    def verantwoordelijke(self) -> str:
        """Wie de persoonsgegevens verstrekte: de gemeente van de melder, of het ROB (het RMZ ontving ze zelf)."""
        return self.melder_gemeente or ROB


@dataclass(frozen=True)
class Betrokkene:
    melding_id: str
    soort: str
    naam: str
    bsn: str | None
    pseudoniem: str


@dataclass(frozen=True)
class Handeling:
    melding_id: str
    van_status: str | None
    naar_status: str
    gegevens: dict[str, Any]
    op: datetime
    door_rol: str


def controleer_geen_klacht(categorie: Categorie) -> None:
    """Een klacht van een cliënt gaat naar de klachtencommissie van de aanbieder, nergens op de ladder.

    Seed 000: "Het meldpunt neemt geen klachten van cliënten in behandeling. Deze moeten gemeld worden bij
    de zorgorganisatie zelf." The ladder leads to the RMZ and the direct route to the contractmanager, so
    a complaint is refused at its first step rather than after two steps of work (stap 1, 2, 3, direct).
    """
    if categorie is Categorie.KLACHT_CLIENT:
        raise KlachtNietBijRmz(
            "Een klacht van een cliënt hoort niet bij het RMZ, de escalatieladder of de contractmanager: de cliënt "
            "meldt die bij de zorgaanbieder zelf, die daarvoor een (onafhankelijke) klachtencommissie heeft. Verwijs "
            "de cliënt daarheen (seed 000: 'Het meldpunt neemt geen klachten van cliënten in behandeling. Deze moeten "
            "gemeld worden bij de zorgorganisatie zelf.'). Gaat het om het handelen van de aanbieder zelf, kies dan "
            "een andere categorie."
        )


def controleer_rmz_onderwerp(categorie: Categorie) -> None:
    """Niet voor het RMZ: klachten van cliënten, regels, aanbod, financiering en arrangementen (000, 003 §41.4)."""
    controleer_geen_klacht(categorie)
    if categorie is Categorie.ARRANGEMENT:
        raise OngeldigeInvoer(
            "Een verschil van mening over een arrangement (zorginzet, profiel of intensiteit, financiering) is geen "
            "melding voor het RMZ: het RMZ is niet voor signalen over onduidelijke regels, ontbrekend aanbod of "
            "financieringsvraagstukken; die meldt u bij de gemeente als opdrachtgever (seed 003 §41.4). Bespreek "
            "het met de gemeente of volg de escalatieroute voor arrangementen van uw regio.",
            veld="categorie",
        )
    if categorie in NIET_BIJ_RMZ_MAAR_GEMEENTE:
        raise OngeldigeInvoer(
            "Het RMZ behandelt geen signalen over onduidelijke regels, ontbrekend aanbod of financiering; meld "
            "dit bij uw gemeente (seed 003 §41.4).",
            veld="categorie",
        )


async def controleer_rmz_aanbieder(vz: Verzoek, aanbieder_id: str) -> None:
    """Seed 001 art. 2.2g: handhaving door het RMZ 'met uitzondering van de hulpmiddelen en trapliften'.

    Refused only when every contract of the aanbieder is a hulpmiddelen/trapliften contract: an aanbieder
    with also zorg contracts, or without any registered contract yet, stays in the RMZ's scope.
    """
    soorten = set(
        (await vz.conn.execute(sa.select(contract.c.soort).where(contract.c.aanbieder_id == aanbieder_id))).scalars()
    )
    if soorten == {str(ContractSoort.HULPMIDDELEN_TRAPLIFTEN)}:
        raise OngeldigeInvoer(
            "Deze aanbieder heeft alleen contracten voor hulpmiddelen en trapliften; de handhaving door het RMZ geldt "
            "daar niet (seed 001 art. 2.2g: 'Handhaving, met uitzondering van de hulpmiddelen en trapliften'). Meld "
            "het bij de contractmanager hulpmiddelen en trapliften (seed 001 art. 7) of bij uw gemeente.",
            veld="aanbiederId",
        )


def controleer_betrokkenen(betrokkenen: Sequence[BetrokkeneInvoer], geinformeerd: bool) -> None:
    """Bijlage 1 art. 2.3: persoonsgegevens van een cliënt alleen als de cliënt is geïnformeerd."""
    if any(b.soort is BetrokkeneSoort.CLIENT for b in betrokkenen) and not geinformeerd:
        raise BetrokkeneNietGeinformeerd(
            "Deze melding bevat persoonsgegevens van een cliënt. Informeer de cliënt eerst en bevestig dat met "
            "betrokkeneGeinformeerd (Bijlage 1 art. 2.3)."
        )


def _bereik(vz: Verzoek) -> sa.ColumnElement[bool]:
    # A gemeente sees the meldingen it made, not those the RMZ received about it from others (issue 10).
    besluit = vz.eis(RESOURCE, Actie.LEZEN)
    return voorwaarde(besluit, vz.actor, melding.c.melder_gemeente)


def _verlopen(alleen_verlopen: bool) -> sa.ColumnElement[bool]:
    """Open meldingen waarvan de termijn van de huidige status voorbij is."""
    if not alleen_verlopen:
        return sa.true()
    return sa.and_(melding.c.termijn < date.today(), melding.c.status.not_in(["AFGEROND", "NIET_IN_BEHANDELING"]))


async def zoek(vz: Verzoek, first: int | None, after: str | None, alleen_verlopen: bool = False) -> Pagina[MeldingRij]:
    query, aantal = pagineer(
        sa.select(melding).where(_bereik(vz), _verlopen(alleen_verlopen)),
        melding.c.aangemaakt_op,
        melding.c.id,
        first,
        after,
    )
    rijen = [MeldingRij(**r._mapping) for r in (await vz.conn.execute(query)).all()]
    return Pagina([(maak_cursor(r.aangemaakt_op, r.id), r) for r in rijen[:aantal]], len(rijen) > aantal)


async def tel(vz: Verzoek, alleen_verlopen: bool = False) -> int:
    query = sa.select(sa.func.count()).select_from(melding).where(_bereik(vz), _verlopen(alleen_verlopen))
    return int(await vz.conn.scalar(query) or 0)


async def op_ids(vz: Verzoek, ids: Sequence[str]) -> dict[str, MeldingRij]:
    query = sa.select(melding).where(_bereik(vz), melding.c.id.in_(list(ids)))
    return {r.id: MeldingRij(**r._mapping) for r in (await vz.conn.execute(query)).all()}


async def per_signaal(vz: Verzoek, signaal_ids: Sequence[str]) -> dict[str, MeldingRij]:
    query = sa.select(melding).where(_bereik(vz), melding.c.signaal_id.in_(list(signaal_ids)))
    return {r.signaal_id: MeldingRij(**r._mapping) for r in (await vz.conn.execute(query)).all()}


async def op_id(vz: Verzoek, id_: str) -> MeldingRij:
    gevonden = (await op_ids(vz, [id_])).get(id_)
    if gevonden is None:
        raise NietGevonden()
    return gevonden


def inhoud_zichtbaar(vz: Verzoek, rij: MeldingRij) -> bool:
    """Vrije tekst (samenvatting, stappen, handelingen, terugkoppeling) per meldingsoort.

    Free text may carry persoonsgegevens despite the form's instructions, so the contractmanager, who
    reads RMZ-meldingen only pseudonymised (toegang.md rule 3), gets it only for direct-route meldingen
    addressed to them. The policy decides per soort: resource melding.inhoud.<soort>.
    """
    return vz.beslisser.beslis(vz.actor, f"melding.inhoud.{rij.soort}", Actie.LEZEN).toegestaan


def _soorten_met_betrokkenen(vz: Verzoek) -> list[str]:
    return [
        str(s)
        for s in MeldingSoort
        if vz.beslisser.beslis(vz.actor, f"{CATEGORIE_BETROKKENEN}.{s}", Actie.LEZEN).toegestaan
    ]


async def betrokkenen_van(vz: Verzoek, melding_ids: Sequence[str]) -> dict[str, list[Betrokkene] | None]:
    """Betrokkenen per melding, alleen voor meldingsoorten waarvoor het doel van de rol dat toestaat.

    A melding of another soort answers None (not an empty list), so 'none named' and 'not for you'
    stay distinguishable for the user without revealing names. Every returned list is audited.
    """
    soorten = _soorten_met_betrokkenen(vz)
    zichtbaar = sa.select(melding.c.id, melding.c.melder_gemeente).where(
        _bereik(vz),
        melding.c.id.in_(list(melding_ids)),
        melding.c.soort.in_(soorten),
        melding.c.gearchiveerd_op.is_(None),  # closed: only the archive (Bijlage 1 art. 3.1)
    )
    meldingen = {r.id: r.melder_gemeente or ROB for r in (await vz.conn.execute(zichtbaar)).all()}
    uit: dict[str, list[Betrokkene] | None] = {m: ([] if m in meldingen else None) for m in melding_ids}
    if meldingen:
        query = (
            sa.select(
                melding_betrokkene.c.melding_id,
                melding_betrokkene.c.soort,
                melding_betrokkene.c.naam,
                melding_betrokkene.c.bsn,
                melding_betrokkene.c.pseudoniem,
            )
            .where(melding_betrokkene.c.melding_id.in_(list(meldingen)))
            .order_by(melding_betrokkene.c.id)
        )
        for r in (await vz.conn.execute(query)).all():
            lijst = uit[r.melding_id]
            assert lijst is not None
            lijst.append(Betrokkene(**r._mapping))
    doel = vz.beslisser.doel_van(vz.actor)
    for m, gemeente in meldingen.items():
        for b in uit[m] or []:
            vz.lezing(
                CATEGORIE_BETROKKENEN,
                object_type=RESOURCE,
                object_id=m,
                verantwoordelijke=gemeente,
                betrokkene=b.pseudoniem,
                doel=doel,
            )
    return uit


async def pseudoniemen_van(vz: Verzoek, melding_ids: Sequence[str]) -> dict[str, list[str]]:
    """Stabiele pseudoniemen per betrokkene: de contractmanager ziet wie terugkeert, niet wie het is."""
    vz.eis("melding.pseudoniemen", Actie.LEZEN)
    query = (
        sa.select(melding_betrokkene.c.melding_id, melding_betrokkene.c.pseudoniem)
        .join(melding, melding.c.id == melding_betrokkene.c.melding_id)
        .where(_bereik(vz), melding_betrokkene.c.melding_id.in_(list(melding_ids)))
        .order_by(melding_betrokkene.c.id)
    )
    uit: dict[str, list[str]] = {m: [] for m in melding_ids}
    for r in (await vz.conn.execute(query)).all():
        uit[r.melding_id].append(r.pseudoniem[:16])
    return uit


async def handelingen_van(vz: Verzoek, melding_ids: Sequence[str]) -> dict[str, list[Handeling]]:
    query = (
        sa.select(
            melding_handeling.c.melding_id,
            melding_handeling.c.van_status,
            melding_handeling.c.naar_status,
            melding_handeling.c.gegevens,
            melding_handeling.c.op,
            melding_handeling.c.door_rol,
        )
        .join(melding, melding.c.id == melding_handeling.c.melding_id)
        .where(_bereik(vz), melding_handeling.c.melding_id.in_(list(melding_ids)))
        .order_by(melding_handeling.c.id)
    )
    uit: dict[str, list[Handeling]] = {m: [] for m in melding_ids}
    for r in (await vz.conn.execute(query)).all():
        uit[r.melding_id].append(Handeling(**r._mapping))
    return uit


async def maak(vz: Verzoek, invoer: MeldingInvoer) -> MeldingRij:
    """Maakt een melding (vanuit stap 3 of de directe route) met betrokkenen als aparte persoonsgegevens."""
    route = vz.routes[invoer.route or ROUTE_VAN[invoer.soort]]
    gemeente = vz.actor.gemeente or invoer.gemeente
    if gemeente is None:
        raise OngeldigeInvoer("Alleen een gemeente doet een melding.")
    # A gemeente role reports for itself; the RMZ records a report on behalf of a gemeente only when
    # that gemeente made it (herkomst GEMEENTE). Reports of inwoners and professionals stay out of
    # the gemeente's sight.
    melder_gemeente = vz.actor.gemeente or (gemeente if invoer.herkomst is Herkomst.GEMEENTE else None)
    samenvatting = controleer_tekst(invoer.samenvatting, "samenvatting", maximaal=10_000)
    if melder_gemeente is not None:  # Bijlage 1 art. 2.3 binds the gemeente that provides the data
        controleer_betrokkenen(invoer.betrokkenen, invoer.betrokkene_geinformeerd)
        clienten = [b.naam for b in invoer.betrokkenen if b.soort is BetrokkeneSoort.CLIENT]
        vrije_tekst.controleer_genoemde_client(
            vrije_tekst.vrije_teksten(samenvatting, invoer.stappen),
            await vrije_tekst.bekende_clientnamen(vz, invoer.signaal_id, clienten),
            invoer.betrokkene_geinformeerd,
        )
    if await vz.conn.scalar(sa.select(aanbieder.c.id).where(aanbieder.c.id == invoer.aanbieder_id)) is None:
        raise OngeldigeInvoer("Deze aanbieder bestaat niet.", veld="aanbiederId")
    if invoer.soort is not MeldingSoort.CONTRACTMANAGER:  # every melding for the RMZ, whichever way it came
        controleer_geen_klacht(invoer.categorie)
        await controleer_rmz_aanbieder(vz, invoer.aanbieder_id)
    nu = vz.nu()
    start = route.begin({}, nu.date())
    if melder_gemeente is None and start.naar.ladderstap is not None:
        # Counted apart: the gemeente it concerns does not know of it, and the statistics must not tell it.
        start = replace(start, naar=replace(start.naar, ladderstap=RMZ_ZELF_ONTVANGEN))
    rij = MeldingRij(
        str(uuid.uuid4()),
        str(invoer.soort),
        route.naam,
        invoer.signaal_id,
        gemeente,
        invoer.aanbieder_id,
        str(invoer.categorie),
        samenvatting,
        invoer.stappen,
        start.naar.code,
        start.termijn,
        invoer.betrokkene_geinformeerd,
        None,
        nu,
        nu,
        herkomst=str(invoer.herkomst),
        melder_gemeente=melder_gemeente,
    )
    await vz.conn.execute(melding.insert().values(**rij.__dict__))
    pseudoniemen = set()
    for i, b in enumerate(invoer.betrokkenen):
        naam = controleer_tekst(b.naam, f"betrokkenen[{i}].naam", maximaal=200)
        bsn = controleer_bsn(b.bsn, f"betrokkenen[{i}].bsn") if b.bsn else None
        pseudoniem = (
            vz.pseudonimiseerder.pseudoniem(bsn)
            if bsn
            else vz.pseudonimiseerder.pseudoniem(f"{b.soort}:{naam.casefold()}")
        )
        pseudoniemen.add(pseudoniem)
        await vz.conn.execute(
            melding_betrokkene.insert().values(
                melding_id=rij.id, soort=str(b.soort), naam=naam, bsn=bsn, pseudoniem=pseudoniem
            )
        )
    await vz.conn.execute(
        melding_handeling.insert().values(
            melding_id=rij.id,
            van_status=None,
            naar_status=start.naar.code,
            gegevens={},
            op=nu,
            door_sub=vz.actor.sub,
            door_rol=str(vz.actor.rol),
        )
    )
    await stapgebeurtenissen.stap_gezet(vz, rij, start)
    besluit = vz.beslisser.beslis(vz.actor, route.resource(route.start), Actie.SCHRIJVEN)
    vz.registratie(
        besluit,
        object_type=RESOURCE,
        object_id=rij.id,
        verantwoordelijke=rij.verantwoordelijke,
        activiteit=f"{route.naam}: {route.start}",
        categorieen={CATEGORIE_BETROKKENEN} if pseudoniemen else set(),
        betrokkenen=pseudoniemen,
        vertrouwelijkheid="vertrouwelijk",
    )
    return rij


async def meld_bij_contractmanager(vz: Verzoek, invoer: MeldingInvoer) -> MeldingRij:
    """De directe route (seed 000): grote gevolgen voor de cliënt, rechtstreeks naar de contractmanager."""
    route = vz.routes[ROUTE_VAN[MeldingSoort.CONTRACTMANAGER]]
    vz.eis(route.resource(route.start), Actie.SCHRIJVEN)
    controleer_geen_klacht(invoer.categorie)
    return await maak(vz, invoer)


def controleer_intake_onderwerp(categorie: Categorie) -> None:
    """Rechtstreeks bij het RMZ alleen wat stap 1 zou verklappen; de rest gaat langs de ladder (seed 000)."""
    controleer_rmz_onderwerp(categorie)
    if categorie not in RMZ_INTAKE_CATEGORIEEN:
        raise OngeldigeInvoer(
            "Rechtstreeks bij het RMZ melden kan alleen bij (vermoedens van) fraude, financiële fouten of ongewenste "
            "werkwijzen (seed 003 §41.4). Een signaal over kwaliteit of het niet nakomen van afspraken gaat langs de "
            "escalatieladder: registreer een signaal (stap 1, seed 000).",
            veld="categorie",
        )


async def registreer_bij_rmz(vz: Verzoek, invoer: MeldingInvoer) -> MeldingRij:
    """Een melding rechtstreeks bij het RMZ, zonder stap 1 en 2 (seed 003 §41.4, seed 001 art. 2.2.g en 10).

    Stap 1 points the aanbieder to the agreements: for a suspicion of fraud that warns the suspect. So a
    gemeente's consulent or kwaliteitsmedewerker reports these subjects straight to the RMZ, and the RMZ
    registers what inwoners, professionals and verwijzers report to it by phone or mail.

    Bijlage 1 art. 2.3 puts the duty to inform the betrokkene on the gemeente that provides the
    persoonsgegevens: a gemeente melder (or the RMZ writing down a gemeente's report) must confirm it
    for a named cliënt, as on the ladder. A report the RMZ receives from an inwoner or professional is
    no provision by a gemeente; informing the betrokkene is then the RMZ's own duty under the AVG and
    not a condition of registering.
    """
    route = vz.routes[INTAKE_ROUTE]
    vz.eis("melding.intake", Actie.SCHRIJVEN)
    vz.eis(route.resource(route.start), Actie.SCHRIJVEN)
    controleer_intake_onderwerp(invoer.categorie)
    if vz.actor.gemeente is not None:
        if invoer.herkomst is not Herkomst.GEMEENTE:
            raise OngeldigeInvoer("Een gemeente meldt als gemeente: laat herkomst weg.", veld="herkomst")
        if invoer.gemeente not in (None, vz.actor.gemeente):
            raise OngeldigeInvoer("Een gemeente meldt voor de eigen gemeente; laat gemeente weg.", veld="gemeente")
    elif invoer.gemeente not in GEMEENTEN:
        raise OngeldigeInvoer(
            "Geef de gemeente waar de melding over gaat (CBS-code, bijv. 0268): de statistiek, de bewaartermijn en de "
            "verantwoording hangen eraan.",
            veld="gemeente",
        )
    return await maak(
        vz,
        MeldingInvoer(
            soort=MeldingSoort.RMZ,
            aanbieder_id=invoer.aanbieder_id,
            categorie=invoer.categorie,
            samenvatting=invoer.samenvatting,
            betrokkenen=invoer.betrokkenen,
            betrokkene_geinformeerd=invoer.betrokkene_geinformeerd,
            herkomst=invoer.herkomst,
            gemeente=invoer.gemeente,
            route=INTAKE_ROUTE,
        ),
    )


class Weergave:
    """Hoe een lezer de vrije tekst van een melding krijgt."""

    VOLLEDIG = "volledig"
    GEPSEUDONIMISEERD = "gepseudonimiseerd"


async def inhoud_weergave(
    vz: Verzoek, rij: MeldingRij, handelingen: Callable[[], Awaitable[Sequence[Handeling]]]
) -> str | None:
    """Vrije tekst: volledig, gepseudonimiseerd of niet (None), per rol, soort en stand van de melding.

    - Who may read the content (melding.inhoud.<soort>) reads it in full while the melding is open, and
      pseudonymised once it is archived (Bijlage 1 art. 3.1: after the purpose only non-identifying).
    - The contractmanager reads an RMZ-melding pseudonymised (melding.inhoud.<soort>.gepseudonimiseerd),
      and only once the RMZ informed them (seed 000 stap 3: "RMZ informeert de contractmanager"):
      from CONTRACTMANAGER_GEINFORMEERD on. Before that the RMZ is still weighing it.
    """
    if vz.beslisser.beslis(vz.actor, f"melding.inhoud.{rij.soort}", Actie.LEZEN).toegestaan:
        return Weergave.GEPSEUDONIMISEERD if rij.gearchiveerd_op is not None else Weergave.VOLLEDIG
    pseudo = vz.beslisser.beslis(vz.actor, f"melding.inhoud.{rij.soort}.gepseudonimiseerd", Actie.LEZEN)
    if pseudo.toegestaan and any(h.naar_status == CONTRACTMANAGER_GEINFORMEERD for h in await handelingen()):
        return Weergave.GEPSEUDONIMISEERD
    return None


async def maskers_van(vz: Verzoek, melding_ids: Sequence[str]) -> dict[str, Masker]:
    """Per melding wie erin voorkomt: de genoemde betrokkenen en de inwoner van de casus achter het signaal.

    Read only to replace them; nothing of it leaves the system, so it is no read of persoonsgegevens.
    """
    uit = {m: Masker() for m in melding_ids}
    b = melding_betrokkene
    query = (
        sa.select(b.c.melding_id, b.c.soort, b.c.naam, b.c.bsn, b.c.pseudoniem)
        .join(melding, melding.c.id == b.c.melding_id)
        .where(_bereik(vz), b.c.melding_id.in_(list(melding_ids)))
        .order_by(b.c.id)
    )
    for r in (await vz.conn.execute(query)).all():
        uit[r.melding_id].personen.append(Persoon(r.pseudoniem, r.soort, r.naam, r.bsn))
    pg = casus_persoonsgegevens
    inwoners = (
        sa.select(melding.c.id, pg.c.naam, pg.c.bsn, pg.c.geboortedatum, pg.c.pseudoniem)
        .join(signaal, signaal.c.id == melding.c.signaal_id)
        .join(pg, pg.c.casus_id == signaal.c.casus_id)
        .where(_bereik(vz), melding.c.id.in_(list(melding_ids)))
    )
    for r in (await vz.conn.execute(inwoners)).all():
        uit[r.id].personen.append(Persoon(r.pseudoniem, "inwoner", r.naam, r.bsn, r.geboortedatum))
    return uit


CATEGORIE_VRIJE_TEKST = "persoonsgegevens.vrije_tekst"


def audit_gepseudonimiseerd(
    vz: Verzoek, rij: MeldingRij, masker: Masker, categorie: str = "persoonsgegevens.gepseudonimiseerd"
) -> None:
    """Een lezing van de vrije tekst wordt vastgelegd, met het doel van de rol en de pseudoniemen van wie erin
    voorkomt: gepseudonimiseerd, of volledig (``CATEGORIE_VRIJE_TEKST``: de tekst kan hen bij naam noemen)."""
    doel = vz.beslisser.doel_van(vz.actor)
    pseudoniemen: set[str | None] = set(masker.pseudoniemen()) or {None}
    for p in pseudoniemen:
        vz.lezing(
            categorie,
            object_type=RESOURCE,
            object_id=rij.id,
            verantwoordelijke=rij.verantwoordelijke,
            betrokkene=p,
            doel=doel,
        )


async def _pgb_toetsen_in(vz: Verzoek, jaar: int) -> int:
    query = (
        sa.select(sa.func.count())
        .select_from(melding)
        .where(
            melding.c.uitkomst == "pgb_kwaliteitstoets",
            melding.c.gewijzigd_op >= datetime(jaar, 1, 1, tzinfo=UTC),
            melding.c.gewijzigd_op < datetime(jaar + 1, 1, 1, tzinfo=UTC),
        )
    )
    return int(await vz.conn.scalar(query) or 0)


async def behandel(vz: Verzoek, melding_id: str, naar: str, gegevens: Mapping[str, Any]) -> MeldingRij:
    huidig = await op_id(vz, melding_id)
    route = vz.routes[huidig.route]
    besluit = vz.eis(
        route.resource(naar), Actie.SCHRIJVEN, object_id=huidig.id, verantwoordelijke=huidig.verantwoordelijke
    )
    vastgelegd = {h.naar_status: h.gegevens for h in (await handelingen_van(vz, [huidig.id]))[huidig.id]}
    nu = vz.nu()
    stap = route.overgang(huidig.status, naar, gegevens, vastgelegd, nu.date())
    uitkomst = stap.gegevens.get("uitkomst", huidig.uitkomst)
    if uitkomst == "pgb_kwaliteitstoets" and await _pgb_toetsen_in(vz, nu.year) >= MAX_PGB_TOETSEN_PER_JAAR:
        raise OngeldigeOvergang(
            f"Het ROB doet hoogstens {MAX_PGB_TOETSEN_PER_JAAR} pgb-kwaliteitstoetsen per jaar (seed 001 art. "
            f"2.2.e); dat aantal is voor {nu.year} bereikt. Kies een andere uitkomst."
        )
    # An end state ends the purpose: from now on the persoonsgegevens are archived (Bijlage 1 art. 3.1).
    gearchiveerd_op = nu if stap.naar.eind else None
    await vz.conn.execute(
        melding.update()
        .where(melding.c.id == huidig.id)
        .values(
            status=stap.naar.code,
            termijn=stap.termijn,
            uitkomst=uitkomst,
            gewijzigd_op=nu,
            gearchiveerd_op=gearchiveerd_op,
        )
    )
    await vz.conn.execute(
        melding_handeling.insert().values(
            melding_id=huidig.id,
            van_status=huidig.status,
            naar_status=stap.naar.code,
            gegevens=stap.gegevens,
            op=nu,
            door_sub=vz.actor.sub,
            door_rol=str(vz.actor.rol),
        )
    )
    await stapgebeurtenissen.stap_gezet(vz, huidig, stap)
    vz.registratie(
        besluit,
        object_type=RESOURCE,
        object_id=huidig.id,
        verantwoordelijke=huidig.verantwoordelijke,
        activiteit=f"{route.naam}: {stap.naar.code}",
        operatie=Operatie.WIJZIGEN,
    )
    return MeldingRij(
        **{
            **huidig.__dict__,
            "status": stap.naar.code,
            "termijn": stap.termijn,
            "uitkomst": uitkomst,
            "gewijzigd_op": nu,
            "gearchiveerd_op": gearchiveerd_op,
        }
    )
