"""Het archief van afgesloten meldingen: alleen een uitdrukkelijke, gemotiveerde en geaudite raadpleging.

Bijlage 1 art. 3.1: once the treatment has ended, the ROB no longer processes the persoonsgegevens,
except for reports in a form that no longer identifies the betrokkenen. Art. 11 (Archiefwet 1995
art. 3) still obliges the ROB to keep the dossier in good, accessible order until destruction after
the bewaartermijn (domein/bewaartermijn.py). Both hold when a closed melding is *archived*: routine
reads (lists, node, nested fields) return no betrokkenen and only pseudonymised text, while the
original stays stored. Whoever needs it (a bezwaar, a court, the Inspectie, a recurring suspicion)
consults the archive explicitly with a reason; each consultation is recorded with that reason in
``archiefraadpleging`` and in the audit log (doel of the role, the persons' pseudonyms).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from domein import meldingen
from domein.audit import AuditRegel, Operatie, Uitkomst
from domein.fouten import NietGevonden, OngeldigeInvoer
from domein.meldingen import Betrokkene, Handeling, MeldingRij
from domein.opslag.tabellen import archiefraadpleging, melding_betrokkene
from domein.toegang import Actie
from domein.verzoek import Verzoek
from domein.waarden import controleer_tekst

RESOURCE = "melding.archief"
MINIMALE_REDEN = 10


@dataclass(frozen=True)
class Archiefinzage:
    id: int
    melding: MeldingRij
    reden: str
    geraadpleegd_op: datetime
    betrokkenen: list[Betrokkene]
    handelingen: list[Handeling]


async def raadpleeg(vz: Verzoek, melding_id: str, reden: str) -> Archiefinzage:
    """Toont een gearchiveerde melding volledig, na een reden; alleen voor wie de betrokkenen van die soort las."""
    besluit = vz.eis(RESOURCE, Actie.SCHRIJVEN, object_id=melding_id)
    reden = controleer_tekst(reden, "reden", maximaal=2_000)
    if len(reden) < MINIMALE_REDEN:
        raise OngeldigeInvoer(
            f"Geef een reden van minstens {MINIMALE_REDEN} tekens waarom u het archief raadpleegt (bijv. bezwaar, "
            "verzoek van de Inspectie, een nieuwe melding over dezelfde aanbieder).",
            veld="reden",
        )
    rij = await meldingen.op_id(vz, melding_id)
    # Only the soort whose betrokkenen the role read while it was open: the RMZ its meldingen, the
    # contractmanager the direct route. Others answer as if it does not exist.
    if not vz.beslisser.beslis(vz.actor, f"{meldingen.CATEGORIE_BETROKKENEN}.{rij.soort}", Actie.LEZEN).toegestaan:
        vz.weigering(RESOURCE, Actie.SCHRIJVEN, object_id=rij.id, verantwoordelijke=rij.verantwoordelijke)
        raise NietGevonden()
    if rij.gearchiveerd_op is None:
        raise OngeldigeInvoer(
            "Deze melding is nog in behandeling en niet gearchiveerd; lees haar gewoon via meldingen of node.",
            veld="meldingId",
        )
    nu = vz.nu()
    nieuw = await vz.conn.execute(
        archiefraadpleging.insert().values(
            melding_id=rij.id, reden=reden, op=nu, door_sub=vz.actor.sub, door_rol=str(vz.actor.rol)
        )
    )
    sleutel = nieuw.inserted_primary_key
    assert sleutel is not None
    raadpleging_id = int(sleutel[0])
    b = melding_betrokkene
    query = (
        sa.select(b.c.melding_id, b.c.soort, b.c.naam, b.c.bsn, b.c.pseudoniem)
        .where(b.c.melding_id == rij.id)
        .order_by(b.c.id)
    )
    betrokkenen = [Betrokkene(**r._mapping) for r in (await vz.conn.execute(query)).all()]
    handelingen = (await meldingen.handelingen_van(vz, [rij.id]))[rij.id]
    vz.audit.voeg_toe(
        AuditRegel(
            actor=vz.actor,
            doel=besluit.doel or vz.beslisser.doel_van(vz.actor),
            verwerkingsactiviteit=f"archief raadplegen (archiefraadpleging {raadpleging_id})",
            operatie=Operatie.LEZEN,
            object_type=meldingen.RESOURCE,
            object_id=rij.id,
            verantwoordelijke=rij.verantwoordelijke,
            uitkomst=Uitkomst.GESLAAGD,
            categorieen={meldingen.CATEGORIE_BETROKKENEN, "melding.archief"},
            betrokkenen={x.pseudoniem for x in betrokkenen},
        )
    )
    return Archiefinzage(raadpleging_id, rij, reden, nu, betrokkenen, handelingen)
