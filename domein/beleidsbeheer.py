"""Beleid wijzigen tijdens bedrijf (toegang.md regel 9): getoetst, geaudit, en voor elk proces geldig.

Changes are stored in order on top of ``beleid/beleid.csv``; the highest change number is the policy
version. Every worker compares it with its own at the start of each request (one primary-key lookup)
and reloads when it differs, so a change holds everywhere from the next request on, without restart.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from domein.audit import Operatie
from domein.doelbinding import BEHEER_VAN_BELEID, toets
from domein.fouten import OngeldigeInvoer
from domein.opslag.tabellen import beleidswijziging
from domein.toegang import Actie, Beleidsregel
from domein.verzoek import Verzoek
from domein.waarden import controleer_tekst

RESOURCE = "beleid"


class Soort(StrEnum):
    TOEVOEGEN = "toevoegen"
    VERWIJDEREN = "verwijderen"


@dataclass(frozen=True)
class Wijziging:
    id: int
    soort: Soort
    regel: Beleidsregel
    reden: str
    door: str
    op: datetime


async def versie(conn: AsyncConnection) -> int:
    return int(await conn.scalar(sa.select(sa.func.max(beleidswijziging.c.id))) or 0)


async def wijzigingen(conn: AsyncConnection) -> list[Wijziging]:
    b = beleidswijziging.c
    rijen = await conn.execute(sa.select(beleidswijziging).order_by(b.id))
    return [
        Wijziging(
            r.id, Soort(r.soort), Beleidsregel(r.rol, r.resource, r.actie, r.bereik, r.doel), r.reden, r.door, r.op
        )
        for r in rijen.all()
    ]


def _controleer(vz: Verzoek, soort: Soort, regel: Beleidsregel) -> None:
    huidig = vz.beslisser.regels()
    if soort is Soort.TOEVOEGEN:
        bezwaren = toets(regel, vz.beslisser.bekende_resources(), vz.routes)
        if bezwaren:
            raise OngeldigeInvoer(
                "Deze beleidsregel is geweigerd: " + " ".join(u for _, u in bezwaren),
                veld=f"regel.{bezwaren[0][0]}",
                fouten=[{"veld": f"regel.{v}", "melding": u} for v, u in bezwaren],
            )
        zelfde = [r for r in huidig if (r.rol, r.resource, r.actie) == (regel.rol, regel.resource, regel.actie)]
        if zelfde:
            # One rule per (rol, resource, actie): Casbin answers with the first match, so a second rule
            # would make the bereik depend on order. Remove the old one first, then add the new one.
            raise OngeldigeInvoer(
                f"Er is al een regel voor {regel.rol} / {regel.resource} / {regel.actie} "
                f"(bereik {zelfde[0].bereik}); haal die eerst weg.",
                veld="regel",
            )
    else:
        if regel.als_tupel() not in {r.als_tupel() for r in huidig}:
            raise OngeldigeInvoer(
                "Deze beleidsregel bestaat niet; zie beleidsregels voor de huidige regels.", veld="regel"
            )
        if regel.als_tupel() == BEHEER_VAN_BELEID:
            raise OngeldigeInvoer(
                "Deze regel laat de beheerder het beleid wijzigen; zonder haar kan niemand dat nog.", veld="regel"
            )


async def wijzig(vz: Verzoek, soort: Soort, regel: Beleidsregel, reden: str) -> Wijziging:
    """Voegt een regel toe of haalt er een weg; een regel die doelbinding schendt wordt geweigerd."""
    besluit = vz.eis(RESOURCE, Actie.SCHRIJVEN)
    try:
        reden = controleer_tekst(reden, "reden", maximaal=2000)  # refuses a BSN too: policy is never about a person
        _controleer(vz, soort, regel)
    except OngeldigeInvoer:
        # A refused change is a denied attempt: it goes into the audit log too (toegang.md rule 7).
        vz.weigering(RESOURCE, Actie.SCHRIJVEN, object_id=f"{soort}: {', '.join(regel.als_tupel())}"[:64])
        raise
    nu = vz.nu()
    id_ = (
        await vz.conn.execute(
            beleidswijziging.insert()
            .values(
                soort=str(soort),
                rol=regel.rol,
                resource=regel.resource,
                actie=regel.actie,
                bereik=regel.bereik,
                doel=regel.doel,
                reden=reden,
                door=vz.actor.sub,
                op=nu,
            )
            .returning(beleidswijziging.c.id)
        )
    ).scalar_one()
    vz.registratie(
        besluit,
        object_type=RESOURCE,
        object_id=str(id_),
        verantwoordelijke=vz.actor.organisatie,
        activiteit=f"beleidsregel {soort}: {', '.join(regel.als_tupel())}"[:120],
        operatie=Operatie.WIJZIGEN,
    )
    return Wijziging(id_, soort, regel, reden, vz.actor.sub, nu)


async def lijst(vz: Verzoek) -> list[Wijziging]:
    vz.eis(RESOURCE, Actie.LEZEN)
    return await wijzigingen(vz.conn)
