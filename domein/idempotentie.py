"""Idempotentie: een create-mutatie met dezelfde sleutel wordt één keer uitgevoerd.

A backoffice that retries after a timeout must not create a second casus. The request claims
(organisatie, client, sleutel) with INSERT ... ON CONFLICT DO NOTHING *before* it creates anything,
in the same transaction as the creation: the primary key makes a simultaneous second request wait
for the first and then find its row (PostgreSQL), or run after it (SQLite: BEGIN IMMEDIATE).

- Same key, same input: the first result is returned and nothing is created. The repeat is audited
  as what it is, a request that hands out the casus again: one record 'herhaald verzoek', plus the
  usual read records of the fields that show persoonsgegevens (they are resolved as for any read).
- Same key, other input (or another kind of mutation): BAD_USER_INPUT on ``idempotentieSleutel``,
  nothing written but the audit record of the refusal.

The key is scoped to the organisation and the token's ``sub``: two clients never share keys. The
row keeps a keyed HMAC of the input (the pseudonym key), never the input itself.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Awaitable, Callable
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from domein.audit import AuditRegel, Operatie, Uitkomst
from domein.fouten import OngeldigeInvoer
from domein.opslag.tabellen import idempotentie
from domein.toegang import Actie
from domein.verzoek import Verzoek
from domein.waarden import controleer_tekst

T = TypeVar("T")

VELD = "idempotentieSleutel"
MAX_LENGTE = 200


def vingerafdruk(vz: Verzoek, soort: str, invoer: object) -> str:
    """Keyed hash of the canonical input: equal input, equal print; the input itself is not recoverable."""
    gegevens = (
        dataclasses.asdict(invoer) if dataclasses.is_dataclass(invoer) and not isinstance(invoer, type) else invoer
    )
    tekst = json.dumps({"soort": soort, "invoer": gegevens}, sort_keys=True, default=str, ensure_ascii=False)
    return vz.pseudonimiseerder.pseudoniem(f"idempotentie:{tekst}")


async def eenmalig(
    vz: Verzoek,
    soort: str,
    sleutel: str | None,
    invoer: object,
    maak: Callable[[], Awaitable[T]],
    haal: Callable[[str], Awaitable[T]],
    id_van: Callable[[T], str],
) -> T:
    """Voert ``maak`` één keer uit per sleutel; een herhaling geeft via ``haal`` het eerste resultaat terug.

    ``soort`` is also the policy resource the creation needs ('schrijven'), checked before the key is claimed.
    """
    if sleutel is None:
        return await maak()
    # Authorisation first: a role that may not create gets the same refusal with or without a key.
    vz.eis(soort, Actie.SCHRIJVEN)
    sleutel = controleer_tekst(sleutel, VELD, maximaal=MAX_LENGTE)
    afdruk = vingerafdruk(vz, soort, invoer)
    org, client = vz.actor.organisatie, vz.actor.sub
    insert = postgresql.insert if vz.conn.dialect.name == "postgresql" else sqlite.insert
    geclaimd = await vz.conn.execute(
        insert(idempotentie)
        .values(organisatie=org, client=client, sleutel=sleutel, soort=soort, vingerafdruk=afdruk,
                aangemaakt_op=vz.nu())
        .on_conflict_do_nothing(index_elements=["organisatie", "client", "sleutel"])
    )  # fmt: skip
    waar = (idempotentie.c.organisatie == org, idempotentie.c.client == client, idempotentie.c.sleutel == sleutel)
    if geclaimd.rowcount == 1:
        resultaat = await maak()
        await vz.conn.execute(idempotentie.update().where(*waar).values(object_id=id_van(resultaat)))
        return resultaat
    eerder = (await vz.conn.execute(sa.select(idempotentie).where(*waar))).one()
    if eerder.soort != soort or eerder.vingerafdruk != afdruk or eerder.object_id is None:
        _audit_herhaling(vz, soort, eerder.object_id, Uitkomst.GEWEIGERD)
        raise OngeldigeInvoer(
            "Deze idempotentieSleutel is al gebruikt voor een verzoek met andere gegevens. Gebruik een nieuwe "
            "sleutel voor een nieuw verzoek; herhaal een verzoek alleen met precies dezelfde gegevens.",
            veld=VELD,
        )
    _audit_herhaling(vz, soort, eerder.object_id, Uitkomst.GESLAAGD)
    return await haal(eerder.object_id)


def _audit_herhaling(vz: Verzoek, soort: str, object_id: str | None, uitkomst: Uitkomst) -> None:
    vz.audit.voeg_toe(
        AuditRegel(
            actor=vz.actor,
            doel=vz.beslisser.doel_van(vz.actor),
            verwerkingsactiviteit=f"{soort} registreren: herhaald verzoek (idempotentiesleutel)",
            operatie=Operatie.LEZEN,
            object_type=soort,
            object_id=object_id,
            verantwoordelijke=vz.actor.organisatie,
            uitkomst=uitkomst,
        )
    )
