"""Het contract tussen domein en beleid: een besluit noemt of iets mag, met welk bereik en doel.

The domain turns a ``Bereik`` into SQL conditions, so lists, counts and pagination can never
reveal rows outside it (toegang.md rule 1). ``beleid/`` implements ``Beslisser`` with Casbin.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from domein.actor import Actor


class Bereik(StrEnum):
    EIGEN_GEMEENTE = "eigen_gemeente"
    EIGEN_ORGANISATIE = "eigen_organisatie"
    REGIO = "regio"


class Actie(StrEnum):
    LEZEN = "lezen"
    SCHRIJVEN = "schrijven"


@dataclass(frozen=True, slots=True)
class Besluit:
    toegestaan: bool
    bereik: Bereik | None = None
    doel: str | None = None


GEWEIGERD = Besluit(False)


@dataclass(frozen=True, slots=True)
class Beleidsregel:
    """Eén p-regel van het beleid: rol mag actie op resource, binnen bereik, voor doel."""

    rol: str
    resource: str
    actie: str
    bereik: str
    doel: str

    def als_tupel(self) -> tuple[str, str, str, str, str]:
        return (self.rol, self.resource, self.actie, self.bereik, self.doel)


class Beslisser(Protocol):
    def beslis(self, actor: Actor, resource: str, actie: Actie) -> Besluit: ...

    def regels(self) -> list[Beleidsregel]:
        """De regels zoals ze nu gelden."""
        ...

    def bekende_resources(self) -> set[str]:
        """Alle resources die het beleid noemt (in regels of als doel van een veldkoppeling)."""
        ...

    def doel_van(self, actor: Actor) -> str:
        """Het doel dat de rol in het algemeen dient (voor auditregels van weigeringen)."""
        ...
