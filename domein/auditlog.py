"""Het auditlog lezen: alleen de privacy officer, alleen regels over data van de eigen organisatie."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from domein.audit import AuditRegel, Operatie, Uitkomst
from domein.bereik import voorwaarde
from domein.fouten import OngeldigeInvoer
from domein.opslag.tabellen import auditregel
from domein.paginering import Pagina, controleer_first
from domein.toegang import Actie
from domein.verzoek import Verzoek

RESOURCE = "auditlog"


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


def _voorwaarden(vz: Verzoek, f: AuditFilter) -> list[sa.ColumnElement[bool]]:
    besluit = vz.eis(RESOURCE, Actie.LEZEN)
    c = auditregel.c
    uit: list[sa.ColumnElement[bool]] = [voorwaarde(besluit, vz.actor, c.verantwoordelijke)]
    if f.van is not None:
        uit.append(c.tijdstip >= f.van)
    if f.tot is not None:
        uit.append(c.tijdstip < f.tot)
    for kolom, waarde in (
        (c.sub, f.sub), (c.rol, f.rol), (c.doel, f.doel), (c.operatie, f.operatie),
        (c.object_type, f.object_type), (c.object_id, f.object_id),
    ):  # fmt: skip
        if waarde is not None:
            uit.append(kolom == waarde)
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


async def zoek(vz: Verzoek, f: AuditFilter, first: int | None, after: str | None) -> Pagina[dict[str, Any]]:
    """Nieuwste eerst. Het raadplegen zelf wordt ook vastgelegd (verantwoording over verantwoording)."""
    aantal = controleer_first(first)
    query = sa.select(auditregel).where(*_voorwaarden(vz, f))
    if after:
        query = query.where(auditregel.c.volgnummer < _lees(after))
    query = query.order_by(auditregel.c.volgnummer.desc()).limit(aantal + 1)
    rijen = [dict(r) for r in (await vz.conn.execute(query)).mappings().all()]
    vz.audit.voeg_toe(
        AuditRegel(
            actor=vz.actor,
            doel=vz.beslisser.doel_van(vz.actor),
            verwerkingsactiviteit="auditlog raadplegen",
            operatie=Operatie.LEZEN,
            object_type=RESOURCE,
            object_id=None,
            verantwoordelijke=vz.actor.organisatie,
            uitkomst=Uitkomst.GESLAAGD,
            vertrouwelijkheid="vertrouwelijk",
        )
    )
    return Pagina([(_cursor(r["volgnummer"]), r) for r in rijen[:aantal]], len(rijen) > aantal)


async def tel(vz: Verzoek, f: AuditFilter) -> int:
    query = sa.select(sa.func.count()).select_from(auditregel).where(*_voorwaarden(vz, f))
    return int(await vz.conn.scalar(query) or 0)
