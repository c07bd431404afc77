"""Inzageverzoek (Bijlage 1 art. 5.1, AVG art. 15) en de melding aan andere privacy officers.

The report lists every processing about one person within the privacy officer's own organisation:
when, doel, operation, by which organisation, which kind of object. It carries no other person, no
object ids and no pseudonyms. When the person also appears in another organisation's records, that
organisation's privacy officer receives a ``privacymelding``: which of its own objects the request
concerns and which organisation received it, never the BSN. The requesting officer is not told which
other gemeenten were informed: that the person appears there is their data, not the requester's.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from domein.auditlog import CATEGORIE_IDENTIFICATIE, bereik, over_persoon
from domein.bereik import voorwaarde
from domein.opslag.tabellen import auditregel, privacymelding
from domein.paginering import Pagina, maak_cursor, pagineer
from domein.toegang import Actie
from domein.verzoek import Verzoek
from domein.waarden import controleer_bsn

RESOURCE = "inzage"
MELDING_RESOURCE = "privacymelding"
OBJECTEN_MET_PERSOONSGEGEVENS = ("casus", "melding", "signaal")


@dataclass(frozen=True)
class Verwerking:
    tijdstip: datetime
    doel: str
    operatie: str
    organisatie: str
    object_type: str
    verwerkingsactiviteit: str


@dataclass(frozen=True)
class Inzagerapport:
    kenmerk: str
    bsn: str
    verwerkingen: list[Verwerking]


@dataclass(frozen=True)
class Privacymelding:
    id: str
    soort: str
    van_organisatie: str
    op: datetime
    objecten: list[dict[str, str]]


async def inzageverzoek(vz: Verzoek, bsn: str) -> Inzagerapport:
    besluit = vz.eis(RESOURCE, Actie.LEZEN)
    bsn = controleer_bsn(bsn, "bsn")
    pseudoniem = vz.pseudonimiseerder.pseudoniem(bsn)
    c = auditregel.c
    eigen = bereik(besluit, vz.actor)
    rijen = await vz.conn.execute(
        sa.select(c.tijdstip, c.doel, c.operatie, c.organisatie, c.object_type, c.verwerkingsactiviteit)
        .where(over_persoon(pseudoniem), eigen)
        .order_by(c.volgnummer)
    )
    verwerkingen = [Verwerking(**r._mapping) for r in rijen.all()]
    kenmerk = str(uuid.uuid4())
    vz.lezing(
        CATEGORIE_IDENTIFICATIE,
        object_type=RESOURCE,
        object_id=kenmerk,
        verantwoordelijke=vz.actor.organisatie,
        betrokkene=pseudoniem,
        doel=besluit.doel or vz.beslisser.doel_van(vz.actor),
    )
    await _informeer_anderen(vz, pseudoniem, eigen)
    return Inzagerapport(kenmerk, bsn, verwerkingen)


async def _informeer_anderen(vz: Verzoek, pseudoniem: str, eigen: sa.ColumnElement[bool]) -> None:
    c = auditregel.c
    # Only the objects that hold the person's data count: another privacy officer searching the log for
    # this BSN (or an earlier inzage elsewhere) leaves records too, and must not become a tripwire.
    elders = await vz.conn.execute(
        sa.select(c.verantwoordelijke, c.object_type, c.object_id)
        .where(
            over_persoon(pseudoniem),
            sa.not_(eigen),
            c.verantwoordelijke != vz.actor.organisatie,
            c.object_type.in_(OBJECTEN_MET_PERSOONSGEGEVENS),
            c.object_id.is_not(None),
        )
        .distinct()
    )
    per_organisatie: dict[str, set[tuple[str, str]]] = {}
    for r in elders.all():
        per_organisatie.setdefault(r.verantwoordelijke, set()).add((r.object_type, r.object_id))
    besluit = vz.eis(MELDING_RESOURCE, Actie.SCHRIJVEN)
    nu = vz.nu()
    for organisatie, objecten in sorted(per_organisatie.items()):
        id_ = str(uuid.uuid4())
        await vz.conn.execute(
            privacymelding.insert().values(
                id=id_,
                soort="INZAGEVERZOEK",
                van_organisatie=vz.actor.organisatie,
                aan_organisatie=organisatie,
                op=nu,
                objecten=[{"objectType": t, "objectId": i} for t, i in sorted(objecten)],
            )
        )
        vz.registratie(besluit, object_type=MELDING_RESOURCE, object_id=id_, verantwoordelijke=organisatie,
                       activiteit="privacy officer informeren over inzageverzoek")  # fmt: skip


async def meldingen(vz: Verzoek, first: int | None, after: str | None) -> Pagina[Privacymelding]:
    """Meldingen aan de privacy officer van de eigen organisatie."""
    besluit = vz.eis(MELDING_RESOURCE, Actie.LEZEN)
    p = privacymelding.c
    basis = sa.select(p.id, p.soort, p.van_organisatie, p.op, p.objecten).where(
        voorwaarde(besluit, vz.actor, p.aan_organisatie)
    )
    query, aantal = pagineer(basis, p.op, p.id, first, after)
    rijen = [Privacymelding(**r._mapping) for r in (await vz.conn.execute(query)).all()]
    for r in rijen[:aantal]:
        vz.raadpleging(besluit, object_type=MELDING_RESOURCE, object_id=r.id,
                       verantwoordelijke=vz.actor.organisatie, activiteit="privacymelding raadplegen")  # fmt: skip
    return Pagina([(maak_cursor(r.op, r.id), r) for r in rijen[:aantal]], len(rijen) > aantal)


async def tel_meldingen(vz: Verzoek) -> int:
    besluit = vz.eis(MELDING_RESOURCE, Actie.LEZEN)
    p = privacymelding.c
    q = sa.select(sa.func.count()).select_from(privacymelding).where(voorwaarde(besluit, vz.actor, p.aan_organisatie))
    return int(await vz.conn.scalar(q) or 0)
