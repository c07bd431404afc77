"""Use cases rond zorgaanbieders (KvK-nummer en AGB-code gevalideerd)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from domein.actor import ROB
from domein.bereik import voorwaarde
from domein.fouten import NietGevonden, OngeldigeInvoer
from domein.opslag.tabellen import aanbieder
from domein.paginering import Pagina, maak_cursor, pagineer
from domein.toegang import Actie
from domein.verzoek import Verzoek
from domein.waarden import controleer_agb, controleer_kvk, controleer_tekst

RESOURCE = "aanbieder"


@dataclass(frozen=True)
class AanbiederRij:
    id: str
    naam: str
    kvk: str
    agb: str
    aangemaakt_op: datetime


def _basis(vz: Verzoek) -> sa.Select[Any]:
    besluit = vz.eis(RESOURCE, Actie.LEZEN)
    # Aanbieders are regional data: the owner column is the ROB for every row.
    return sa.select(aanbieder).where(voorwaarde(besluit, vz.actor, sa.literal(ROB)))


def _zoekvoorwaarde(zoek: str | None) -> sa.ColumnElement[bool]:
    if not zoek:
        return sa.true()
    term = controleer_tekst(zoek, "zoek", maximaal=100)
    patroon = "%" + term.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return sa.or_(
        sa.func.lower(aanbieder.c.naam).like(patroon, escape="\\"),
        aanbieder.c.kvk == term,
        aanbieder.c.agb == term,
    )


async def zoek(vz: Verzoek, first: int | None, after: str | None, zoekterm: str | None) -> Pagina[AanbiederRij]:
    query, aantal = pagineer(
        _basis(vz).where(_zoekvoorwaarde(zoekterm)), aanbieder.c.aangemaakt_op, aanbieder.c.id, first, after
    )
    rijen = [AanbiederRij(**r._mapping) for r in (await vz.conn.execute(query)).all()]
    return Pagina([(maak_cursor(r.aangemaakt_op, r.id), r) for r in rijen[:aantal]], len(rijen) > aantal)


async def tel(vz: Verzoek, zoekterm: str | None) -> int:
    sub = _basis(vz).where(_zoekvoorwaarde(zoekterm)).subquery()
    return int(await vz.conn.scalar(sa.select(sa.func.count()).select_from(sub)) or 0)


async def op_ids(vz: Verzoek, ids: Sequence[str]) -> dict[str, AanbiederRij]:
    rijen = (await vz.conn.execute(_basis(vz).where(aanbieder.c.id.in_(list(ids))))).all()
    return {r.id: AanbiederRij(**r._mapping) for r in rijen}


async def op_id(vz: Verzoek, id_: str) -> AanbiederRij:
    gevonden = (await op_ids(vz, [id_])).get(id_)
    if gevonden is None:
        raise NietGevonden()
    return gevonden


@dataclass(frozen=True)
class AanbiederInvoer:
    naam: str
    kvk: str
    agb: str


async def registreer(vz: Verzoek, invoer: AanbiederInvoer) -> AanbiederRij:
    besluit = vz.eis(RESOURCE, Actie.SCHRIJVEN)
    naam = controleer_tekst(invoer.naam, "naam", maximaal=200)
    kvk = controleer_kvk(invoer.kvk)
    agb = controleer_agb(invoer.agb)
    dubbel = await vz.conn.scalar(
        sa.select(aanbieder.c.kvk).where(sa.or_(aanbieder.c.kvk == kvk, aanbieder.c.agb == agb)).limit(1)
    )
    if dubbel is not None:
        veld = "kvk" if dubbel == kvk else "agb"
        raise OngeldigeInvoer(f"Er is al een aanbieder met dit {veld.upper()}-nummer; zoek die op.", veld=veld)
    rij = AanbiederRij(str(uuid.uuid4()), naam, kvk, agb, vz.nu())
    await vz.conn.execute(aanbieder.insert().values(**rij.__dict__))
    vz.registratie(besluit, object_type=RESOURCE, object_id=rij.id, verantwoordelijke=ROB)
    return rij
