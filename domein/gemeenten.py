"""Gemeenten van de regio: openbare stamgegevens, maar ook die lopen via het beleid."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from domein.opslag.tabellen import gemeente
from domein.toegang import Actie
from domein.verzoek import Verzoek


@dataclass(frozen=True)
class GemeenteRij:
    code: str
    naam: str


async def alle(vz: Verzoek) -> list[GemeenteRij]:
    vz.eis("gemeente", Actie.LEZEN)
    rijen = (await vz.conn.execute(sa.select(gemeente.c.code, gemeente.c.naam).order_by(gemeente.c.naam))).all()
    return [GemeenteRij(r.code, r.naam) for r in rijen]


async def op_codes(vz: Verzoek, codes: Sequence[str]) -> dict[str, GemeenteRij]:
    vz.eis("gemeente", Actie.LEZEN)
    query = sa.select(gemeente.c.code, gemeente.c.naam).where(gemeente.c.code.in_(list(codes)))
    return {r.code: GemeenteRij(r.code, r.naam) for r in (await vz.conn.execute(query)).all()}
