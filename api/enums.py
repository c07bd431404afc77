"""GraphQL-enums: de domeinenums zelf, met namen in upper snake case (contract.md)."""

from __future__ import annotations

import strawberry

from domein.actor import Rol
from domein.waarden import (
    BetrokkeneSoort,
    CasusStatus,
    Categorie,
    ContractSoort,
    Herkomst,
    Leefdomein,
    MeldingSoort,
    MeldingStatus,
    Urgentie,
)

# strawberry.enum registers the GraphQL definition on the class itself; the domain keeps its type.
strawberry.enum(Leefdomein, name="Leefdomein", description="De negen leefdomeinen (seed 003 §1).")
strawberry.enum(Urgentie, name="Urgentie", description="Crisis: binnen 24 uur; spoed: binnen 3 dagen.")
strawberry.enum(CasusStatus, name="CasusStatus")
strawberry.enum(ContractSoort, name="ContractSoort")
strawberry.enum(Rol, name="Rol")
strawberry.enum(Categorie, name="Categorie", description="Soort signaal of melding (seed 000, seed 003 §41.4).")
strawberry.enum(BetrokkeneSoort, name="BetrokkeneSoort")
strawberry.enum(MeldingStatus, name="MeldingStatus")
strawberry.enum(Herkomst, name="Herkomst", description="Wie de melding deed (seed 003 §41.4).")
strawberry.enum(
    MeldingSoort, name="MeldingRoute", description="RMZ (stap 3) of de directe route naar de contractmanager."
)

__all__ = [
    "BetrokkeneSoort",
    "CasusStatus",
    "Categorie",
    "ContractSoort",
    "Herkomst",
    "Leefdomein",
    "MeldingSoort",
    "MeldingStatus",
    "Rol",
    "Urgentie",
]
