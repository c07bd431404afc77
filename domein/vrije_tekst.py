"""Vrije tekst die een cliënt noemt, telt als persoonsgegevens van die cliënt (toegang.md regel 4).

Bijlage 1 art. 2.3 asks the melder to confirm that the cliënt was informed before persoonsgegevens of
a cliënt leave for the RMZ or the contractmanager. Structured betrokkenen are checked by
``meldingen.controleer_betrokkenen``; a name written in the summary or in a step's text reaches the same
readers, so it asks the same confirmation. Names cannot be recognised in general; the system compares
with the names it knows in this context: the inwoner of the casus linked to the signaal and the
cliënten named as betrokkenen in the same input.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from domein.fouten import BetrokkeneNietGeinformeerd
from domein.opslag.tabellen import casus_persoonsgegevens, signaal
from domein.verzoek import Verzoek
from domein.waarden import noemt_naam


async def bekende_clientnamen(vz: Verzoek, signaal_id: str | None, clientnamen: Iterable[str]) -> list[str]:
    """De namen van cliënten die deze melding kan noemen: de inwoner achter het signaal en de genoemde cliënten."""
    namen = [n for n in clientnamen if n]
    if signaal_id is not None:
        # A comparison inside the system: the name is neither shown nor returned, so it is no read to audit.
        pg = casus_persoonsgegevens
        naam = await vz.conn.scalar(
            sa.select(pg.c.naam).join(signaal, signaal.c.casus_id == pg.c.casus_id).where(signaal.c.id == signaal_id)
        )
        if naam:
            namen.append(naam)
    return namen


def vrije_teksten(samenvatting: str, stappen: Sequence[Mapping[str, Any]]) -> list[tuple[str, str]]:
    """Elke vrije tekst van een melding als (veld, tekst): de samenvatting en de teksten van elke stap."""
    uit = [("samenvatting", samenvatting)]
    for stap in stappen:
        uit += [(f"stappen.{stap['toestand']}.{v}", t) for v, t in stap["gegevens"].items() if isinstance(t, str)]
    return uit


def controleer_genoemde_client(teksten: Iterable[tuple[str, str]], namen: Sequence[str], geinformeerd: bool) -> None:
    """Noemt een vrije tekst een bekende cliënt, dan moet de melder bevestigen dat de cliënt is geïnformeerd."""
    if geinformeerd or not namen:
        return
    for veld, tekst in teksten:
        if noemt_naam(tekst, namen):
            raise BetrokkeneNietGeinformeerd(
                f"'{veld}' noemt de cliënt bij naam; dat zijn persoonsgegevens van de cliënt. Informeer de cliënt "
                "eerst en bevestig dat met betrokkeneGeinformeerd, of laat de naam weg (Bijlage 1 art. 2.3).",
                veld=veld,
            )
