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
from domein.paginering import Pagina, Richting, Sleutel, Venster, Volgorde, pagineer_volgens, periode
from domein.toegang import Actie, Besluit
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


class CasusSorteerveld(StrEnum):
    AANGEMAAKT_OP = "aangemaakt_op"
    URGENTIE = "urgentie"


@dataclass(frozen=True)
class CasusFilter:
    """Voorwaarden op een lijst casussen; ze gelden samen, binnen het bereik van de gebruiker."""

    status: Sequence[CasusStatus] | None = None
    urgentie: Sequence[Urgentie] | None = None
    aangemaakt_vanaf: datetime | None = None  # inclusive
    aangemaakt_tot: datetime | None = None  # exclusive


@dataclass(frozen=True)
class CasusVolgorde:
    veld: CasusSorteerveld = CasusSorteerveld.AANGEMAAKT_OP
    richting: Richting = Richting.OPLOPEND


LEEST: dict[str, str] = {
    "status": RESOURCE,
    "urgentie": CATEGORIE_ZORGBEHOEFTE,
    "aangemaakt": RESOURCE,
}
"""What a filter or order on a field reads: the same resource as the field itself (beleid/velden.csv:
``Casus.status``, ``Casus.urgentie``, ``Casus.aangemaaktOp``). Filtering or ordering on urgentie tells the
urgentie of the rows it returns or counts, so it asks the same right as reading the field."""

RANG = {Urgentie.REGULIER: 0, Urgentie.SPOED: 1, Urgentie.CRISIS: 2}
"""Urgentie in order: regulier < spoed < crisis (AFLOPEND puts crisis first)."""

_RANG_SQL = sa.case({str(u): r for u, r in RANG.items()}, value=casus.c.urgentie, else_=-1)
_OP_TIJD = (
    Sleutel(casus.c.aangemaakt_op, lambda r: r.aangemaakt_op, datetime),
    Sleutel(casus.c.id, lambda r: r.id, str),
)
_OP_URGENTIE = (Sleutel(_RANG_SQL, lambda r: RANG.get(Urgentie(r.urgentie), -1), int), *_OP_TIJD)


def _volgorde(v: CasusVolgorde) -> Volgorde:
    if v.veld is CasusSorteerveld.URGENTIE:
        return Volgorde(f"urgentie.{v.richting}", _OP_URGENTIE, v.richting)
    # The default order keeps the plain [tijd, id] cursor of the other lists (earlier cursors stay valid).
    naam = None if v.richting is Richting.OPLOPEND else f"aangemaakt_op.{v.richting}"
    return Volgorde(naam, _OP_TIJD, v.richting)


def _gefilterd(
    vz: Verzoek, query: sa.Select[Any], f: CasusFilter, op_urgentie: bool
) -> tuple[sa.Select[Any], Besluit | None]:
    """``query`` (al begrensd tot het bereik) met het filter, en het besluit over urgentie als die meetelt.

    Every condition is added to the scoped query: counts, order and cursors never reach other rows. A filter
    or order on urgentie also stays within the scope of the zorgbehoefte decision.
    """
    zorgbehoefte = None
    if f.urgentie is not None or op_urgentie:
        zorgbehoefte = vz.eis(LEEST["urgentie"], Actie.LEZEN)
        query = query.where(voorwaarde(zorgbehoefte, vz.actor, casus.c.gemeente_code))
    return query.where(*_voorwaarden(f)), zorgbehoefte


def _voorwaarden(f: CasusFilter) -> list[sa.ColumnElement[bool]]:
    uit: list[sa.ColumnElement[bool]] = []
    if f.status is not None:
        if not f.status:
            raise OngeldigeInvoer("Kies minstens één status, of laat 'status' weg.", veld="filter.status")
        uit.append(casus.c.status.in_(sorted({str(s) for s in f.status})))
    if f.urgentie is not None:
        if not f.urgentie:
            raise OngeldigeInvoer("Kies minstens één urgentie, of laat 'urgentie' weg.", veld="filter.urgentie")
        uit.append(casus.c.urgentie.in_(sorted({str(u) for u in f.urgentie})))
    return [*uit, *periode(casus.c.aangemaakt_op, f.aangemaakt_vanaf, f.aangemaakt_tot)]


async def zoek(
    vz: Verzoek,
    first: int | None,
    after: str | None,
    filter: CasusFilter | None = None,
    volgorde: CasusVolgorde | None = None,
    last: int | None = None,
    before: str | None = None,
) -> Pagina[CasusRij]:
    """Eén pagina casussen binnen bereik, gefilterd en in de gevraagde volgorde (standaard: oudste eerst)."""
    volgorde = volgorde or CasusVolgorde()
    op_urgentie = volgorde.veld is CasusSorteerveld.URGENTIE
    query, zorgbehoefte = _gefilterd(vz, _basis(vz), filter or CasusFilter(), op_urgentie)
    pagina = await pagineer_volgens(vz.conn, query, _volgorde(volgorde), Venster(first, after, last, before), _rij)
    if zorgbehoefte is not None:
        # The page shows (by its filter or order) the urgentie of each of its casussen: a read, recorded.
        _leg_urgentie_vast(vz, zorgbehoefte, [r for _, r in pagina.items])
    return pagina


def _leg_urgentie_vast(vz: Verzoek, zorgbehoefte: Besluit, rijen: Sequence[Any]) -> None:
    for r in rijen:
        vz.lezing(
            LEEST["urgentie"],
            object_type=RESOURCE,
            object_id=r.id,
            verantwoordelijke=r.gemeente_code,
            betrokkene=r.pseudoniem,
            doel=zorgbehoefte.doel or vz.beslisser.doel_van(vz.actor),
        )


async def tel(vz: Verzoek, filter: CasusFilter | None = None) -> int:
    """Het aantal casussen binnen bereik dat aan het filter voldoet (totalCount)."""
    besluit = vz.eis(RESOURCE, Actie.LEZEN)
    f = filter or CasusFilter()
    if f.urgentie is not None:
        # A count filtered on urgentie tells the urgentie of every casus it counts (narrow the period to one
        # casus and page past it: the count is that casus's urgentie). So each counted casus is a recorded read,
        # exactly as when the page shows it; the rows are counted here rather than by COUNT(*).
        gekozen = _basis(vz).with_only_columns(casus.c.id, casus.c.gemeente_code, casus_persoonsgegevens.c.pseudoniem)
        query, zorgbehoefte = _gefilterd(vz, gekozen, f, op_urgentie=False)
        rijen = (await vz.conn.execute(query)).all()
        assert zorgbehoefte is not None  # _gefilterd asks it for an urgentie filter
        _leg_urgentie_vast(vz, zorgbehoefte, rijen)
        return len(rijen)
    basis = sa.select(sa.func.count()).select_from(casus).where(voorwaarde(besluit, vz.actor, casus.c.gemeente_code))
    query, _ = _gefilterd(vz, basis, f, op_urgentie=False)
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
