"""De actuele beleidsversie per proces: elke worker kijkt bij elk verzoek of het beleid gewijzigd is.

One primary-key lookup (the highest change number) inside the request's own transaction, so a
request sees one consistent policy; on a new version the beslisser is rebuilt once per process.
"""

from __future__ import annotations

import asyncio

from sqlalchemy.ext.asyncio import AsyncConnection

from beleid.beslisser import CasbinBeslisser
from domein import beleidsbeheer


class Beleidsbron:
    def __init__(self, basis: CasbinBeslisser) -> None:
        self._basis = basis
        self._huidig = basis
        self._slot = asyncio.Lock()

    @property
    def laatst_bekend(self) -> CasbinBeslisser:
        """Het beleid van de laatst geziene versie (zonder de database te vragen): goed voor een voorspelling."""
        return self._huidig

    async def actueel(self, conn: AsyncConnection) -> CasbinBeslisser:
        versie = await beleidsbeheer.versie(conn)
        if versie == self._huidig.versie:
            return self._huidig
        async with self._slot:
            if versie != self._huidig.versie:
                wijzigingen = [w for w in await beleidsbeheer.wijzigingen(conn) if w.id <= versie]
                self._huidig = self._basis.met_wijzigingen(wijzigingen)
        return self._huidig
