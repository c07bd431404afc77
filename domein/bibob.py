"""Bibob-onderzoeken naar aanbieders (Bijlage 1 art. 10.4): een gemeente meldt, de anderen weten het.

A kwaliteitsmedewerker (for the own gemeente) or the contractmanager (for the ROB) records that a
Bibob-onderzoek into an aanbieder started or ended. Who reads the flag follows toegang.md: gemeente
roles of every gemeente, the RMZ and the contractmanager; not the backoffice, privacy officer or
beheerder. Every change and every read of a flag that exists is audited. No free text is stored:
the content of a Bibob-onderzoek stays with the gemeente (Wet Bibob art. 28, geheimhouding).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

import sqlalchemy as sa

from domein import aanbieders
from domein.aanbieders import AanbiederRij
from domein.bereik import voorwaarde
from domein.fouten import OngeldigeInvoer, OngeldigeOvergang
from domein.opslag.tabellen import bibob_onderzoek
from domein.toegang import Actie
from domein.verzoek import Verzoek

RESOURCE = "bibob"


class Gebeurtenis(StrEnum):
    GESTART = "gestart"
    BEEINDIGD = "beeindigd"


@dataclass(frozen=True)
class Onderzoek:
    id: str
    aanbieder_id: str
    organisatie: str
    gestart_op: date
    beeindigd_op: date | None

    @property
    def loopt(self) -> bool:
        return self.beeindigd_op is None


async def meld(vz: Verzoek, aanbieder_id: str, gebeurtenis: Gebeurtenis, datum: date | None) -> AanbiederRij:
    besluit = vz.eis(RESOURCE, Actie.SCHRIJVEN)
    rij = await aanbieders.op_id(vz, aanbieder_id)
    op = datum or vz.nu().date()
    if op > vz.nu().date():
        raise OngeldigeInvoer("De datum ligt in de toekomst.", veld="datum")
    b = bibob_onderzoek.c
    eigen = vz.actor.organisatie
    lopend = (
        await vz.conn.execute(
            sa.select(b.id, b.gestart_op).where(
                b.aanbieder_id == aanbieder_id, b.organisatie == eigen, b.beeindigd_op.is_(None)
            )
        )
    ).first()
    if gebeurtenis is Gebeurtenis.GESTART:
        if lopend is not None:
            raise OngeldigeOvergang("Uw organisatie heeft al een lopend Bibob-onderzoek naar deze aanbieder gemeld.")
        object_id = str(uuid.uuid4())
        await vz.conn.execute(
            bibob_onderzoek.insert().values(
                id=object_id, aanbieder_id=aanbieder_id, organisatie=eigen, gestart_op=op, gemeld_door=vz.actor.sub
            )
        )
    else:
        if lopend is None:
            raise OngeldigeOvergang("Uw organisatie heeft geen lopend Bibob-onderzoek naar deze aanbieder.")
        if op < lopend.gestart_op:
            raise OngeldigeInvoer("Het einde ligt vóór het begin van het onderzoek.", veld="datum")
        object_id = lopend.id
        await vz.conn.execute(bibob_onderzoek.update().where(b.id == object_id).values(beeindigd_op=op))
    vz.registratie(besluit, object_type=RESOURCE, object_id=object_id, verantwoordelijke=eigen,
                   activiteit=f"Bibob-onderzoek {gebeurtenis} (aanbieder {aanbieder_id})",
                   vertrouwelijkheid="vertrouwelijk")  # fmt: skip
    return rij


async def van_aanbieders(vz: Verzoek, aanbieder_ids: Sequence[str]) -> dict[str, list[Onderzoek]]:
    """Onderzoeken per aanbieder, voor wie ze mag zien; elke getoonde vlag wordt geaudit."""
    besluit = vz.eis(RESOURCE, Actie.LEZEN)
    b = bibob_onderzoek.c
    uit: dict[str, list[Onderzoek]] = {i: [] for i in aanbieder_ids}
    rijen = await vz.conn.execute(
        sa.select(b.id, b.aanbieder_id, b.organisatie, b.gestart_op, b.beeindigd_op)
        # Bibob flags are regional knowledge (art. 10.4): the bereik is regio for every reader.
        .where(b.aanbieder_id.in_(list(aanbieder_ids)), voorwaarde(besluit, vz.actor, b.organisatie))
        .order_by(b.gestart_op, b.id)
    )
    for r in rijen.all():
        uit[r.aanbieder_id].append(Onderzoek(**r._mapping))
        vz.raadpleging(besluit, object_type=RESOURCE, object_id=r.id, verantwoordelijke=r.organisatie,
                       activiteit="Bibob-onderzoek raadplegen")  # fmt: skip
    return uit
