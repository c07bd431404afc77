"""Signalen over aanbieders: registreren (stap 1) en escaleren langs een route (seed 000, seed 002)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from domein import casussen, meldingen, stapgebeurtenissen
from domein.audit import Operatie
from domein.bereik import voorwaarde
from domein.fouten import NietGevonden, OngeldigeInvoer, OngeldigeOvergang
from domein.opslag.tabellen import aanbieder, signaal, signaal_stap
from domein.paginering import Pagina, Sleutel, Venster, Volgorde, pagineer_volgens, periode
from domein.toegang import Actie
from domein.verzoek import Verzoek
from domein.waarden import CasusStatus, Categorie, controleer_tekst

RESOURCE = "signaal"
STANDAARD_ROUTE = "rob-signaal"


@dataclass(frozen=True)
class SignaalRij:
    id: str
    gemeente_code: str
    aanbieder_id: str
    casus_id: str | None
    route: str
    categorie: str
    omschrijving: str
    toestand: str
    termijn: date | None
    aangemaakt_op: datetime
    gewijzigd_op: datetime


@dataclass(frozen=True)
class StapRij:
    signaal_id: str
    toestand: str
    gegevens: dict[str, Any]
    vastgelegd_op: datetime
    door_rol: str


@dataclass(frozen=True)
class SignaalInvoer:
    aanbieder_id: str
    categorie: Categorie
    omschrijving: str
    gegevens: Mapping[str, Any]
    casus_id: str | None = None
    route: str = STANDAARD_ROUTE


@dataclass(frozen=True)
class Escalatie:
    signaal_id: str
    naar: str
    gegevens: Mapping[str, Any]
    betrokkenen: Sequence[meldingen.BetrokkeneInvoer] = field(default_factory=list)
    betrokkene_geinformeerd: bool = False


def _basis(vz: Verzoek) -> sa.Select[Any]:
    besluit = vz.eis(RESOURCE, Actie.LEZEN)
    return sa.select(signaal).where(voorwaarde(besluit, vz.actor, signaal.c.gemeente_code))


def _verlopen(alleen_verlopen: bool) -> sa.ColumnElement[bool]:
    """Open signalen waarvan de termijn van de huidige stap voorbij is."""
    return signaal.c.termijn < date.today() if alleen_verlopen else sa.true()


@dataclass(frozen=True)
class SignaalFilter:
    """Voorwaarden op een lijst signalen; ze gelden samen, binnen het bereik van de gebruiker.

    Every field filtered on is a field of Signaal that the same decision shows (``signaal``: Signaal.stap,
    .categorie, .aanbieder, .aangemaaktOp in beleid/velden.csv), so a filter asks no other right.
    """

    stap: Sequence[str] | None = None
    categorie: Sequence[Categorie] | None = None
    aanbieder_id: str | None = None
    aangemaakt_vanaf: datetime | None = None  # inclusive
    aangemaakt_tot: datetime | None = None  # exclusive


_VOLGORDE = Volgorde(
    None,  # the plain [tijd, id] cursor, as before
    (
        Sleutel(signaal.c.aangemaakt_op, lambda r: r.aangemaakt_op, datetime),
        Sleutel(signaal.c.id, lambda r: r.id, str),
    ),
)


def _filter(vz: Verzoek, f: SignaalFilter | None) -> list[sa.ColumnElement[bool]]:
    if f is None:
        return []
    uit: list[sa.ColumnElement[bool]] = []
    if f.stap is not None:
        bekend = {t for r in vz.routes.values() for t in r.toestanden}
        onbekend = sorted(set(f.stap) - bekend)
        if not f.stap or onbekend:
            raise OngeldigeInvoer(
                "Kies een of meer stappen van een route: " + ", ".join(sorted(bekend)) + ".", veld="filter.stap"
            )
        uit.append(signaal.c.toestand.in_(sorted(set(f.stap))))
    if f.categorie is not None:
        if not f.categorie:
            raise OngeldigeInvoer("Kies minstens één categorie, of laat 'categorie' weg.", veld="filter.categorie")
        uit.append(signaal.c.categorie.in_(sorted({str(c) for c in f.categorie})))
    if f.aanbieder_id is not None:
        uit.append(signaal.c.aanbieder_id == f.aanbieder_id)
    return [*uit, *periode(signaal.c.aangemaakt_op, f.aangemaakt_vanaf, f.aangemaakt_tot)]


async def zoek(
    vz: Verzoek,
    first: int | None,
    after: str | None,
    alleen_verlopen: bool = False,
    filter: SignaalFilter | None = None,
) -> Pagina[SignaalRij]:
    query = _basis(vz).where(_verlopen(alleen_verlopen), *_filter(vz, filter))
    return await pagineer_volgens(vz.conn, query, _VOLGORDE, Venster(first, after), lambda r: SignaalRij(**r._mapping))


async def tel(vz: Verzoek, alleen_verlopen: bool = False, filter: SignaalFilter | None = None) -> int:
    sub = _basis(vz).where(_verlopen(alleen_verlopen), *_filter(vz, filter)).subquery()
    return int(await vz.conn.scalar(sa.select(sa.func.count()).select_from(sub)) or 0)


async def op_ids(vz: Verzoek, ids: Sequence[str]) -> dict[str, SignaalRij]:
    rijen = (await vz.conn.execute(_basis(vz).where(signaal.c.id.in_(list(ids))))).all()
    return {r.id: SignaalRij(**r._mapping) for r in rijen}


async def op_id(vz: Verzoek, id_: str) -> SignaalRij:
    gevonden = (await op_ids(vz, [id_])).get(id_)
    if gevonden is None:
        raise NietGevonden()
    return gevonden


async def stappen_van(vz: Verzoek, signaal_ids: Sequence[str]) -> dict[str, list[StapRij]]:
    besluit = vz.eis(RESOURCE, Actie.LEZEN)
    query = (
        sa.select(
            signaal_stap.c.signaal_id,
            signaal_stap.c.toestand,
            signaal_stap.c.gegevens,
            signaal_stap.c.vastgelegd_op,
            signaal_stap.c.door_rol,
        )
        .join(signaal, signaal.c.id == signaal_stap.c.signaal_id)
        .where(signaal_stap.c.signaal_id.in_(list(signaal_ids)), voorwaarde(besluit, vz.actor, signaal.c.gemeente_code))
        .order_by(signaal_stap.c.id)
    )
    uit: dict[str, list[StapRij]] = {s: [] for s in signaal_ids}
    for r in (await vz.conn.execute(query)).all():
        uit[r.signaal_id].append(StapRij(**r._mapping))
    return uit


async def _stap(vz: Verzoek, signaal_id: str, toestand: str, gegevens: dict[str, Any]) -> None:
    await vz.conn.execute(
        signaal_stap.insert().values(
            signaal_id=signaal_id,
            toestand=toestand,
            gegevens=gegevens,
            vastgelegd_op=vz.nu(),
            door_sub=vz.actor.sub,
            door_rol=str(vz.actor.rol),
        )
    )


async def registreer(vz: Verzoek, invoer: SignaalInvoer) -> SignaalRij:
    """Stap 1: een consulent legt vast waarop de aanbieder is gewezen (seed 000)."""
    besluit = vz.eis(RESOURCE, Actie.SCHRIJVEN)
    route = vz.routes.get(invoer.route)
    if route is None:
        raise OngeldigeInvoer(f"Onbekende route; kies uit {', '.join(sorted(vz.routes))}.", veld="route")
    vz.eis(route.resource(route.start), Actie.SCHRIJVEN)
    gemeente = vz.actor.gemeente
    if gemeente is None:
        raise OngeldigeInvoer("Alleen een gemeente registreert signalen.")
    meldingen.controleer_geen_klacht(invoer.categorie)
    omschrijving = controleer_tekst(invoer.omschrijving, "omschrijving", maximaal=10_000)
    if await vz.conn.scalar(sa.select(aanbieder.c.id).where(aanbieder.c.id == invoer.aanbieder_id)) is None:
        raise OngeldigeInvoer("Deze aanbieder bestaat niet.", veld="aanbiederId")
    if invoer.casus_id is not None:
        gekoppeld = await casussen.op_id(vz, invoer.casus_id)  # only an own, visible casus can be linked
        if gekoppeld.status == CasusStatus.GESLOTEN:
            raise OngeldigeOvergang("Deze casus is gesloten; een nieuw signaal hoort bij een lopende casus.")
    nu = vz.nu()
    stap = route.begin(invoer.gegevens, nu.date())
    rij = SignaalRij(
        str(uuid.uuid4()),
        gemeente,
        invoer.aanbieder_id,
        invoer.casus_id,
        route.naam,
        str(invoer.categorie),
        omschrijving,
        stap.naar.code,
        stap.termijn,
        nu,
        nu,
    )
    await vz.conn.execute(signaal.insert().values(**rij.__dict__))
    await _stap(vz, rij.id, stap.naar.code, stap.gegevens)
    await stapgebeurtenissen.stap_gezet(vz, rij, stap)
    vz.registratie(
        besluit,
        object_type=RESOURCE,
        object_id=rij.id,
        verantwoordelijke=gemeente,
        activiteit=f"{route.naam}: {stap.naar.code}",
    )
    return rij


async def escaleer(vz: Verzoek, e: Escalatie) -> SignaalRij:
    """Naar een volgende stap; bij het gevolg 'melding_rmz' ontstaat de melding voor het RMZ."""
    vz.eis(RESOURCE, Actie.LEZEN)
    huidig = await op_id(vz, e.signaal_id)
    route = vz.routes[huidig.route]
    besluit = vz.eis(
        route.resource(e.naar), Actie.SCHRIJVEN, object_id=huidig.id, verantwoordelijke=huidig.gemeente_code
    )
    vastgelegd: dict[str, dict[str, Any]] = {}
    for s in (await stappen_van(vz, [huidig.id]))[huidig.id]:
        vastgelegd[s.toestand] = {**vastgelegd.get(s.toestand, {}), **s.gegevens}  # supplements add up
    nu = vz.nu()
    if e.naar in vastgelegd:  # a step already passed: supplement its record, stay where we are
        aanvulling = route.aanvulling(e.naar, e.gegevens, vastgelegd)
        await _stap(vz, huidig.id, e.naar, aanvulling)
        await stapgebeurtenissen.actie_vastgelegd(vz, huidig.id)
        # The date the current step's clock runs from may only now be recorded (seed 002 §1.3).
        vastgelegd[e.naar] = {**vastgelegd[e.naar], **aanvulling}
        termijn = route.termijn_na_aanvulling(huidig.toestand, vastgelegd)
        if termijn is not None and termijn != huidig.termijn:
            await vz.conn.execute(signaal.update().where(signaal.c.id == huidig.id).values(termijn=termijn))
            huidig = SignaalRij(**{**huidig.__dict__, "termijn": termijn})
        vz.registratie(
            besluit,
            object_type=RESOURCE,
            object_id=huidig.id,
            verantwoordelijke=huidig.gemeente_code,
            activiteit=f"{route.naam}: {e.naar} aangevuld",
            operatie=Operatie.WIJZIGEN,
        )
        return huidig
    doel = route.toestanden.get(e.naar)
    if doel is not None and (not doel.eind or doel.gevolg):  # closing stays possible, escalating a klacht not
        meldingen.controleer_geen_klacht(Categorie(huidig.categorie))
    if doel is not None and doel.gevolg == "melding_rmz":
        meldingen.controleer_rmz_onderwerp(Categorie(huidig.categorie))
        await meldingen.controleer_rmz_aanbieder(vz, huidig.aanbieder_id)
        meldingen.controleer_betrokkenen(e.betrokkenen, e.betrokkene_geinformeerd)
    stap = route.overgang(huidig.toestand, e.naar, e.gegevens, vastgelegd, nu.date())
    await _stap(vz, huidig.id, stap.naar.code, stap.gegevens)
    await stapgebeurtenissen.stap_gezet(vz, huidig, stap)
    await vz.conn.execute(
        signaal.update()
        .where(signaal.c.id == huidig.id)
        .values(toestand=stap.naar.code, termijn=stap.termijn, gewijzigd_op=nu)
    )
    vz.registratie(
        besluit,
        object_type=RESOURCE,
        object_id=huidig.id,
        verantwoordelijke=huidig.gemeente_code,
        activiteit=f"{route.naam}: {stap.naar.code}",
    )
    if stap.naar.gevolg == "melding_rmz":
        vastgelegd[stap.naar.code] = stap.gegevens
        stappen = [{"toestand": t, "titel": route.toestanden[t].titel, "gegevens": g} for t, g in vastgelegd.items()]
        await meldingen.maak(
            vz,
            meldingen.MeldingInvoer(
                soort=meldingen.MeldingSoort.RMZ,
                aanbieder_id=huidig.aanbieder_id,
                categorie=Categorie(huidig.categorie),
                samenvatting=huidig.omschrijving,
                betrokkenen=e.betrokkenen,
                betrokkene_geinformeerd=e.betrokkene_geinformeerd,
                signaal_id=huidig.id,
                stappen=stappen,
            ),
        )
    return SignaalRij(**{**huidig.__dict__, "toestand": stap.naar.code, "termijn": stap.termijn, "gewijzigd_op": nu})
