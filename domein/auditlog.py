"""Het auditlog lezen: alleen de privacy officer, alleen regels over de eigen organisatie.

A gemeente's privacy officer sees the records about its own organisation's data (verantwoordelijke);
the ROB's privacy officer also those of the ROB's own processing (organisatie), such as the RMZ
reading a gemeente's melding. A person is found through the keyed pseudonym of the BSN, never the BSN.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from domein.actor import ROB, Actor
from domein.audit import AuditRegel, Operatie, Uitkomst, tijd_iso
from domein.bereik import voorwaarde
from domein.fouten import OngeldigeInvoer
from domein.opslag.tabellen import auditbetrokkene, auditregel
from domein.paginering import Pagina, controleer_first
from domein.toegang import Actie, Besluit
from domein.verzoek import Verzoek
from domein.waarden import als_utc, controleer_bsn

RESOURCE = "auditlog"
VERANTWOORDING = "verantwoording"
CATEGORIE_IDENTIFICATIE = "persoonsgegevens.identificatie"


@dataclass(frozen=True)
class AuditFilter:
    van: datetime | None = None
    tot: datetime | None = None
    sub: str | None = None
    rol: str | None = None
    doel: str | None = None
    operatie: str | None = None
    object_type: str | None = None
    object_id: str | None = None
    bsn: str | None = None


def bereik(besluit: Besluit, actor: Actor) -> sa.ColumnElement[bool]:
    """De regels waarover deze privacy officer verantwoording aflegt, als SQL-voorwaarde.

    The ROB's own processing excludes its privacy officer's notices to gemeenten (doel verantwoording,
    verantwoordelijke the gemeente): those would tell, per person, which gemeente holds data on them.
    """
    c = auditregel.c
    eigen = voorwaarde(besluit, actor, c.verantwoordelijke)
    if besluit.toegestaan and actor.organisatie == ROB:
        return sa.or_(eigen, sa.and_(c.organisatie == ROB, c.doel != VERANTWOORDING))
    return eigen


def over_persoon(pseudoniem: str) -> sa.ColumnElement[bool]:
    return auditregel.c.volgnummer.in_(
        sa.select(auditbetrokkene.c.volgnummer).where(auditbetrokkene.c.pseudoniem == pseudoniem)
    )


def _pseudoniem(vz: Verzoek, f: AuditFilter) -> str | None:
    return vz.pseudonimiseerder.pseudoniem(controleer_bsn(f.bsn, "filter.bsn")) if f.bsn else None


def _voorwaarden(vz: Verzoek, f: AuditFilter) -> list[sa.ColumnElement[bool]]:
    besluit = vz.eis(RESOURCE, Actie.LEZEN)
    c = auditregel.c
    uit: list[sa.ColumnElement[bool]] = [bereik(besluit, vz.actor)]
    if f.van is not None:
        uit.append(c.tijdstip >= als_utc(f.van))
    if f.tot is not None:
        uit.append(c.tijdstip < als_utc(f.tot))
    for kolom, waarde in (
        (c.sub, f.sub), (c.rol, f.rol), (c.doel, f.doel), (c.operatie, f.operatie),
        (c.object_type, f.object_type), (c.object_id, f.object_id),
    ):  # fmt: skip
        if waarde is not None:
            uit.append(kolom == waarde)
    pseudoniem = _pseudoniem(vz, f)
    if pseudoniem is not None:
        uit.append(over_persoon(pseudoniem))
    return uit


def _cursor(volgnummer: int) -> str:
    return base64.urlsafe_b64encode(f"audit:{volgnummer}".encode()).decode()


def _lees(cursor: str) -> int:
    try:
        soort, nummer = base64.urlsafe_b64decode(cursor.encode()).decode().split(":")
        if soort != "audit":
            raise ValueError
        return int(nummer)
    except (ValueError, UnicodeDecodeError):
        raise OngeldigeInvoer(
            "Deze cursor is ongeldig; gebruik een endCursor uit een eerder antwoord.", veld="after"
        ) from None


def _raadpleging(vz: Verzoek, activiteit: str, pseudoniem: str | None, object_id: str | None = None) -> None:
    """Het raadplegen zelf wordt ook vastgelegd (verantwoording over verantwoording); met een BSN als
    zoekterm is het een verwerking van persoonsgegevens over die persoon."""
    vz.audit.voeg_toe(
        AuditRegel(
            actor=vz.actor,
            doel=vz.beslisser.doel_van(vz.actor),
            verwerkingsactiviteit=activiteit,
            operatie=Operatie.LEZEN,
            object_type=RESOURCE,
            object_id=object_id,
            verantwoordelijke=vz.actor.organisatie,
            uitkomst=Uitkomst.GESLAAGD,
            categorieen={CATEGORIE_IDENTIFICATIE} if pseudoniem else set(),
            betrokkenen={pseudoniem} if pseudoniem else set(),
        )
    )


async def zoek(vz: Verzoek, f: AuditFilter, first: int | None, after: str | None) -> Pagina[dict[str, Any]]:
    """Nieuwste eerst."""
    aantal = controleer_first(first)
    query = sa.select(auditregel).where(*_voorwaarden(vz, f))
    if after:
        query = query.where(auditregel.c.volgnummer < _lees(after))
    query = query.order_by(auditregel.c.volgnummer.desc()).limit(aantal + 1)
    rijen = [dict(r) for r in (await vz.conn.execute(query)).mappings().all()]
    _raadpleging(vz, "auditlog raadplegen", _pseudoniem(vz, f))
    return Pagina([(_cursor(r["volgnummer"]), r) for r in rijen[:aantal]], len(rijen) > aantal)


async def tel(vz: Verzoek, f: AuditFilter) -> int:
    query = sa.select(sa.func.count()).select_from(auditregel).where(*_voorwaarden(vz, f))
    return int(await vz.conn.scalar(query) or 0)


# --- Export in the shape of the VNG Verwerkingenlogging standard (Verwerkingsactie), as JSON lines.


@dataclass(frozen=True)
class Exportopdracht:
    """Wat één privacy officer mag exporteren: het besluit plus de periode (tot is exclusief)."""

    actor: Actor
    besluit: Besluit
    van: datetime | None
    tot: datetime | None


def begin_export(vz: Verzoek, van: datetime | None, tot: datetime | None) -> Exportopdracht:
    """Toets en leg vast vóór er één regel de deur uit gaat; de export zelf loopt daarna buiten de transactie."""
    if van is not None and tot is not None and van >= tot:
        raise OngeldigeInvoer("'van' moet vóór 'tot' liggen.", veld="van")
    besluit = vz.eis(RESOURCE, Actie.LEZEN)
    periode = f"{van.date() if van else '…'}/{tot.date() if tot else '…'}"
    _raadpleging(vz, "auditlog exporteren", None, object_id=periode)
    return Exportopdracht(vz.actor, besluit, van, tot)


def verwerkingsactie(r: dict[str, Any]) -> dict[str, Any]:
    """Eén auditregel als Verwerkingsactie (VNG); de hashketen gaat mee zodat de export controleerbaar is."""
    soorten = [{"soortGegeven": c} for c in r["categorieen"]]
    objecten: list[dict[str, Any]] = []
    if r["object_id"] is not None:
        objecten.append(
            {
                "objecttype": r["object_type"],
                "soortObjectId": "regiekamerId",
                "objectId": r["object_id"],
                "betrokkenheid": "object",
                "verwerkteSoortenGegevens": soorten,
            }
        )
    objecten += [
        {
            "objecttype": "persoon",
            "soortObjectId": "pseudoniem",
            "objectId": p,
            "betrokkenheid": "betrokkene",
            "verwerkteSoortenGegevens": soorten,
        }
        for p in r["betrokkenen"]
    ]
    tijdstip = tijd_iso(r["tijdstip"])
    return {
        "actieId": str(uuid.UUID(r["hash"][:32])),
        "actieNaam": r["verwerkingsactiviteit"],
        "handelingNaam": r["operatie"],
        "verwerkingId": r["request_id"],
        "verwerkingNaam": r["verwerkingsactiviteit"],
        "verwerkingsactiviteitId": f"regiekamer:{r['doel']}:{r['object_type']}",
        "doel": r["doel"],
        "vertrouwelijkheid": "vertrouwelijk" if r["vertrouwelijkheid"] == "vertrouwelijk" else "normaal",
        "bewaartermijn": r["bewaartermijn"],
        "uitvoerder": r["organisatie"],
        "systeem": "Regiekamer",
        "gebruiker": r["sub"],
        "gegevensbron": "Regiekamer",
        "verantwoordelijke": r["verantwoordelijke"],
        "tijdstip": tijdstip,
        "tijdstipRegistratie": tijdstip,
        "verwerkteObjecten": objecten,
        "uitkomst": r["uitkomst"],
        "rol": r["rol"],
        "volgnummer": r["volgnummer"],
        "hash": r["hash"],
        "vorigeHash": r["vorige_hash"],
    }


async def exporteer(engine: AsyncEngine, opdracht: Exportopdracht, blok: int = 2000) -> AsyncIterator[dict[str, Any]]:
    """Alle regels van de periode in (tijdstip, volgnummer)-volgorde, in blokken: geen lange transactie, vast geheugen.

    Each verantwoordelijke has its own chain, appended in parallel (``audit.schrijf``), so volgnummer and
    time rise together only along one chain: the blocks follow the (tijdstip, volgnummer) index, which
    keeps every chain in its own order.
    """
    c = auditregel.c
    voorwaarden = [bereik(opdracht.besluit, opdracht.actor)]
    if opdracht.van is not None:
        voorwaarden.append(c.tijdstip >= opdracht.van)
    if opdracht.tot is not None:
        voorwaarden.append(c.tijdstip < opdracht.tot)
    na: sa.ColumnElement[bool] | None = None
    while True:
        async with engine.connect() as conn:
            query = (
                sa.select(auditregel)
                .where(*voorwaarden, *([na] if na is not None else []))
                .order_by(c.tijdstip, c.volgnummer)
                .limit(blok)
            )
            rijen = (await conn.execute(query)).mappings().all()
        for rij in rijen:
            yield verwerkingsactie(dict(rij))
        if len(rijen) < blok:
            return
        na = sa.tuple_(c.tijdstip, c.volgnummer) > sa.tuple_(
            sa.literal(rijen[-1]["tijdstip"], type_=c.tijdstip.type), sa.literal(rijen[-1]["volgnummer"])
        )
