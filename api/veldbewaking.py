"""Veldbewaking: elk opgevraagd veld gaat langs het beleid, en gelezen persoonsgegevens worden geaudit.

One general mechanism instead of checks scattered over resolvers: ``beleid/velden.csv`` maps every
``Type.veld`` to a resource, Casbin decides per role, and a field without a mapping is denied.
Fields of resources named ``persoonsgegevens.*`` are recorded as reads of that category on the
object they belong to (merged into one audit record per object per request).
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLResolveInfo
from strawberry.extensions import SchemaExtension

from domein.fouten import Geweigerd
from domein.toegang import Actie

PERSOONSGEGEVENS = "persoonsgegevens."


class Veldbewaking(SchemaExtension):
    def __init__(self, *, execution_context: Any = None) -> None:
        super().__init__(execution_context=execution_context)
        self._toegestaan: dict[tuple[str, str], str | None] = {}
        """Per operation: fields already allowed, with the persoonsgegevens resource to audit (if any).
        A list of thousands of cells asks the policy once per field, not once per cell."""

    def resolve(self, _next: Any, root: Any, info: GraphQLResolveInfo, *args: Any, **kwargs: Any) -> Any:
        ouder = info.parent_type.name
        sleutel = (ouder, info.field_name)
        if sleutel in self._toegestaan:
            resource = self._toegestaan[sleutel]
            if resource is not None:
                ctx = info.context
                root.audit_lezing(ctx.vz, resource, ctx.beslisser.beslis(ctx.vz.actor, f"{ouder}.{info.field_name}",
                                                                         Actie.LEZEN).doel or "")  # fmt: skip
            return _next(root, info, *args, **kwargs)
        if ouder.startswith("__") or info.field_name.startswith("__"):
            return _next(root, info, *args, **kwargs)  # introspection: governed by the query limits
        ctx = info.context
        veld = f"{ouder}.{info.field_name}"
        actie = Actie.SCHRIJVEN if ouder == "Mutation" else Actie.LEZEN
        besluit = ctx.beslisser.beslis(ctx.vz.actor, veld, actie)
        if not besluit.toegestaan:
            ctx.vz.weigering(veld, actie)
            raise Geweigerd(
                f"Uw rol mag '{info.field_name}' niet {'uitvoeren' if actie is Actie.SCHRIJVEN else 'inzien'}.",
                resource=veld,
                actie=str(actie),
            )
        resource = ctx.beslisser.resource_van(veld)
        persoonsgegevens = resource if resource and resource.startswith(PERSOONSGEGEVENS) else None
        if persoonsgegevens:
            root.audit_lezing(ctx.vz, persoonsgegevens, besluit.doel or "")
        self._toegestaan[sleutel] = persoonsgegevens
        return _next(root, info, *args, **kwargs)
