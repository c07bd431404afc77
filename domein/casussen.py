"""Use cases rond casussen: registreren en lezen, altijd binnen het bereik van de gebruiker."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa

from domein.audit import Operatie, Uitkomst
from domein.bereik import voorwaarde
from domein.fouten import NietGevonden, OngeldigeInvoer, OngeldigeOvergang
from domein.opslag.tabellen import casus, casus_persoonsgegevens
from domein.paginering import Pagina, maak_cursor, pagineer
from domein.toegang import Actie
from domein.verzoek import Verzoek
from domein.waarden import CasusStatus, Leefdomein, Urgentie, controleer_bsn, controleer_tekst

RESOURCE = "casus"
CATEGORIE_IDENTIFICATIE = "persoonsgegevens.identificatie"
CATEGORIE_ZORGBEHOEFTE = "persoonsgegevens.zorgbehoefte"


@dataclass(frozen=True)
class CasusRij:
    id: str
    gemeente_code: str
    leefdomeinen: list[str]
    urgentie: str
    status: str
    aangemaakt_op: datetime
    gewijzigd_op: datetime
    pseudoniem: str | None  # None once the persoonsgegevens were removed


@dataclass(frozen=True)
class Persoonsgegevens:
    casus_id: str
    bsn: str
    naam: str
    geboortedatum: date
    hulpvraag: str


@dataclass(frozen=True)
class CasusInvoer:
    bsn: str
    naam: str
    geboortedatum: date
    hulpvraag: str
    leefdomeinen: Sequence[Leefdomein]
    urgentie: Urgentie


_KOLOMMEN = (
    casus.c.id, casus.c.gemeente_code, casus.c.leefdomeinen, casus.c.urgentie, casus.c.status,
    casus.c.aangemaakt_op, casus.c.gewijzigd_op, casus_persoonsgegevens.c.pseudoniem,
)  # fmt: skip


def _basis(vz: Verzoek) -> sa.Select[Any]:
    besluit = vz.eis(RESOURCE, Actie.LEZEN)
    return (
        sa.select(*_KOLOMMEN)
        .select_from(casus.outerjoin(casus_persoonsgegevens))
        .where(voorwaarde(besluit, vz.actor, casus.c.gemeente_code))
    )


def _rij(r: Any) -> CasusRij:
    return CasusRij(**r._mapping)


async def zoek(vz: Verzoek, first: int | None, after: str | None) -> Pagina[CasusRij]:
    query, aantal = pagineer(_basis(vz), casus.c.aangemaakt_op, casus.c.id, first, after)
    rijen = [_rij(r) for r in (await vz.conn.execute(query)).all()]
    return Pagina([(maak_cursor(r.aangemaakt_op, r.id), r) for r in rijen[:aantal]], heeft_volgende=len(rijen) > aantal)


async def tel(vz: Verzoek) -> int:
    besluit = vz.eis(RESOURCE, Actie.LEZEN)
    query = sa.select(sa.func.count()).select_from(casus).where(voorwaarde(besluit, vz.actor, casus.c.gemeente_code))
    return int(await vz.conn.scalar(query) or 0)


async def op_ids(vz: Verzoek, ids: Sequence[str]) -> dict[str, CasusRij]:
    """Casussen op id, alleen binnen bereik; wat buiten bereik valt, ontbreekt gewoon."""
    rijen = (await vz.conn.execute(_basis(vz).where(casus.c.id.in_(list(ids))))).all()
    return {r.id: _rij(r) for r in rijen}


async def op_id(vz: Verzoek, id_: str) -> CasusRij:
    """Eén casus; een casus van een andere gemeente antwoordt precies als een die niet bestaat."""
    gevonden = (await op_ids(vz, [id_])).get(id_)
    if gevonden is None:
        # Same path for 'absent' and 'elsewhere': one owner lookup, one audit record, one answer.
        eigenaar = await vz.conn.scalar(sa.select(casus.c.gemeente_code).where(casus.c.id == id_))
        vz.weigering(RESOURCE, Actie.LEZEN, object_id=id_, verantwoordelijke=eigenaar, uitkomst=Uitkomst.NIET_GEVONDEN)
        raise NietGevonden()
    return gevonden


async def persoonsgegevens(vz: Verzoek, casus_ids: Sequence[str]) -> dict[str, Persoonsgegevens]:
    """Persoonsgegevens per casus, opnieuw begrensd door het bereik (verdediging in de diepte)."""
    besluit = vz.eis(CATEGORIE_IDENTIFICATIE, Actie.LEZEN)
    pg = casus_persoonsgegevens
    query = (
        sa.select(pg.c.casus_id, pg.c.bsn, pg.c.naam, pg.c.geboortedatum, pg.c.hulpvraag)
        .join(casus, casus.c.id == pg.c.casus_id)
        .where(pg.c.casus_id.in_(list(casus_ids)), voorwaarde(besluit, vz.actor, casus.c.gemeente_code))
    )
    return {r.casus_id: Persoonsgegevens(**r._mapping) for r in (await vz.conn.execute(query)).all()}


async def registreer(vz: Verzoek, invoer: CasusInvoer) -> CasusRij:
    """Registreert een casus in de gemeente uit het token (nooit een andere)."""
    besluit = vz.eis(RESOURCE, Actie.SCHRIJVEN)
    gemeente = vz.actor.gemeente
    if gemeente is None:  # policy allows writing only to gemeente-bound roles; stay safe anyway
        raise OngeldigeInvoer("Alleen een gemeente kan een casus registreren.")
    bsn = controleer_bsn(invoer.bsn, "inwoner.bsn")
    naam = controleer_tekst(invoer.naam, "inwoner.naam", maximaal=200)
    hulpvraag = controleer_tekst(invoer.hulpvraag, "hulpvraag", maximaal=10_000)
    if invoer.geboortedatum > date.today():
        raise OngeldigeInvoer("De geboortedatum ligt in de toekomst.", veld="inwoner.geboortedatum")
    if invoer.geboortedatum.year < 1900:
        raise OngeldigeInvoer("De geboortedatum ligt vóór 1900.", veld="inwoner.geboortedatum")
    if not invoer.leefdomeinen:
        raise OngeldigeInvoer("Kies minstens één leefdomein.", veld="leefdomeinen")
    nu = vz.nu()
    id_ = str(uuid.uuid4())
    pseudoniem = vz.pseudonimiseerder.pseudoniem(bsn)
    leefdomeinen = sorted({str(d) for d in invoer.leefdomeinen})
    await vz.conn.execute(
        casus.insert().values(
            id=id_,
            gemeente_code=gemeente,
            leefdomeinen=leefdomeinen,
            urgentie=str(invoer.urgentie),
            status=str(CasusStatus.GEREGISTREERD),
            aangemaakt_op=nu,
            gewijzigd_op=nu,
        )
    )
    await vz.conn.execute(
        casus_persoonsgegevens.insert().values(
            casus_id=id_,
            bsn=bsn,
            naam=naam,
            geboortedatum=invoer.geboortedatum,
            hulpvraag=hulpvraag,
            pseudoniem=pseudoniem,
        )
    )
    vz.registratie(
        besluit,
        object_type=RESOURCE,
        object_id=id_,
        verantwoordelijke=gemeente,
        categorieen={CATEGORIE_IDENTIFICATIE, CATEGORIE_ZORGBEHOEFTE},
        betrokkenen={pseudoniem},
        vertrouwelijkheid="vertrouwelijk",
    )
    return CasusRij(
        id_, gemeente, leefdomeinen, str(invoer.urgentie), str(CasusStatus.GEREGISTREERD), nu, nu, pseudoniem
    )


class Afsluitreden(StrEnum):
    """A closed list, no free text: the reason goes into the audit log, which keeps no persoonsgegevens."""

    DOEL_BEREIKT = "doel_bereikt"
    INGETROKKEN = "ingetrokken"
    DOORVERWEZEN = "doorverwezen"
    VERHUISD = "verhuisd"
    OVERIG = "overig"


async def sluit(vz: Verzoek, casus_id: str, reden: Afsluitreden | None) -> CasusRij:
    """Beëindigt een casus; vanaf nu loopt de bewaartermijn (Bijlage 1 art. 3.1)."""
    besluit = vz.eis(RESOURCE, Actie.SCHRIJVEN)
    huidig = await op_id(vz, casus_id)
    if huidig.status == CasusStatus.GESLOTEN:
        raise OngeldigeOvergang("Deze casus is al gesloten.")
    nu = vz.nu()
    await vz.conn.execute(
        casus.update()
        .where(casus.c.id == casus_id, voorwaarde(besluit, vz.actor, casus.c.gemeente_code))
        .values(status=str(CasusStatus.GESLOTEN), gesloten_op=nu, gewijzigd_op=nu)
    )
    vz.registratie(
        besluit,
        object_type=RESOURCE,
        object_id=casus_id,
        verantwoordelijke=huidig.gemeente_code,
        betrokkenen={huidig.pseudoniem} if huidig.pseudoniem else set(),
        activiteit="casus sluiten" + (f": {reden}" if reden else ""),
        operatie=Operatie.WIJZIGEN,
    )
    return replace(huidig, status=str(CasusStatus.GESLOTEN), gewijzigd_op=nu)
