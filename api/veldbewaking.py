"""Veldbewaking: een veld dat het beleid weigert, wordt op zijn eigen plek in het antwoord geweigerd.

Only an operation whose plan (``api.veldplan``) has a denied field runs with this per-field guard: it
answers the denial at the exact path (the rest of the answer stays), and records the denial in the audit.
``beleid/velden.csv`` maps every ``Type.veld`` to a resource; a field without a mapping is denied. The
reads of persoonsgegevens are recorded by the resolvers of those fields (``Casus._lezing``), from the plan.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from graphql import GraphQLResolveInfo
from strawberry.extensions import SchemaExtension

from domein.fouten import Geweigerd
from domein.toegang import Actie

VELDBEWAKING: ContextVar[bool] = ContextVar("veldbewaking", default=True)
"""Whether the per-field guard runs for the operation in this task: only when its plan denies a field
(``api.veldplan``). Safe by default: without a plan, every field is guarded."""


class Veldbewaking(SchemaExtension):
    def resolve(self, _next: Any, root: Any, info: GraphQLResolveInfo, *args: Any, **kwargs: Any) -> Any:
        ouder = info.parent_type.name
        if (ouder, info.field_name) in info.context.plan.geweigerd:
            ctx = info.context
            veld = f"{ouder}.{info.field_name}"
            actie = Actie.SCHRIJVEN if ouder == "Mutation" else Actie.LEZEN
            ctx.vz.weigering(veld, actie)
            raise Geweigerd(
                f"Uw rol mag '{info.field_name}' niet {'uitvoeren' if actie is Actie.SCHRIJVEN else 'inzien'}.",
                resource=veld,
                actie=str(actie),
            )
        return _next(root, info, *args, **kwargs)
