"""GraphQL: het auditlog voor de privacy officer, en de beleidsregels zelf."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry

from api.relay import Node, globale_id


@strawberry.type(description="Eén verwerking in het auditlog (velden naar VNG Verwerkingenlogging).")
class AuditRegel(Node):
    tijdstip: datetime
    sub: str
    rol: str
    gemeente: str | None
    organisatie: str
    verantwoordelijke: str
    doel: str
    verwerkingsactiviteit: str
    operatie: str
    object_type: str
    object_id: str | None
    categorieen: list[str]
    betrokkenen: list[str] = strawberry.field(description="Sleutel-pseudoniemen, nooit een BSN of naam.")
    uitkomst: str
    vertrouwelijkheid: str
    bewaartermijn: str
    request_id: str
    hash: str
    vorige_hash: str

    @classmethod
    def uit(cls, r: dict[str, Any]) -> AuditRegel:
        return cls(
            id=globale_id("AuditRegel", str(r["volgnummer"])),
            tijdstip=r["tijdstip"],
            sub=r["sub"],
            rol=r["rol"],
            gemeente=None if r["organisatie"] == "ROB" else r["organisatie"],
            organisatie=r["organisatie"],
            verantwoordelijke=r["verantwoordelijke"],
            doel=r["doel"],
            verwerkingsactiviteit=r["verwerkingsactiviteit"],
            operatie=r["operatie"],
            object_type=r["object_type"],
            object_id=r["object_id"],
            categorieen=list(r["categorieen"]),
            betrokkenen=list(r["betrokkenen"]),
            uitkomst=r["uitkomst"],
            vertrouwelijkheid=r["vertrouwelijkheid"],
            bewaartermijn=r["bewaartermijn"],
            request_id=r["request_id"],
            hash=r["hash"],
            vorige_hash=r["vorige_hash"],
        )


@strawberry.input
class AuditFilter:
    van: datetime | None = None
    tot: datetime | None = None
    sub: str | None = None
    rol: str | None = None
    doel: str | None = None
    operatie: str | None = None
    object_type: str | None = None
    object_id: str | None = None
    bsn: str | None = strawberry.field(
        default=None, description="Alleen verwerkingen over deze persoon (gezocht via het sleutel-pseudoniem)."
    )


@strawberry.type(description="Eén regel van het toegangsbeleid (beleid/beleid.csv).")
class Beleidsregel:
    rol: str
    resource: str
    actie: str
    bereik: str
    doel: str

    @classmethod
    def uit(cls, r: Any) -> Beleidsregel:
        return cls(rol=r.rol, resource=r.resource, actie=r.actie, bereik=r.bereik, doel=r.doel)


@strawberry.type(description="Een wijziging van het beleid tijdens bedrijf, door een beheerder (geaudit).")
class Beleidswijziging:
    id: int
    soort: str
    regel: Beleidsregel
    reden: str
    door: str
    op: datetime
