"""Vooraf uit het document: vraagt een query persoonsgegevens op (en schrijft ze dus een auditregel)?

On SQLite a query that will write audit records is better started with the write lock (BEGIN
IMMEDIATE) than started without and redone when the lock upgrade fails: under contention the redo
would do all its work twice. The answer comes from the same field map the Veldbewaking uses
(``beleid/velden.csv``: fields of ``persoonsgegevens.*`` resources are audited when read). It is a
prediction only: a query that writes without it (a denial is audited too) is still correct, because
a failed upgrade makes ``api.app.voer_uit`` run it once more in a writing transaction.
"""

from __future__ import annotations

from graphql import DocumentNode, FieldNode, GraphQLSchema, TypeInfo, TypeInfoVisitor, Visitor, visit

from api.veldbewaking import PERSOONSGEGEVENS
from beleid.beslisser import CasbinBeslisser

GEAUDITEERD_BIJ_LEZEN = (PERSOONSGEGEVENS, "melding.inhoud")
"""Resources whose read writes audit: persoonsgegevens, and a melding's free texts (they may name people)."""


class _Zoeker(Visitor):
    def __init__(self, type_info: TypeInfo, beslisser: CasbinBeslisser) -> None:
        super().__init__()
        self.type_info = type_info
        self.beslisser = beslisser
        self.gevonden = False

    def enter_field(self, node: FieldNode, *_args: object) -> object:
        ouder = self.type_info.get_parent_type()
        if ouder is not None:
            resource = self.beslisser.resource_van(f"{ouder.name}.{node.name.value}")
            if resource and resource.startswith(GEAUDITEERD_BIJ_LEZEN):
                self.gevonden = True
                return self.BREAK
        return None


def leest_persoonsgegevens(schema: GraphQLSchema, document: DocumentNode, beslisser: CasbinBeslisser) -> bool:
    """Of een veld van het document (elke operatie en elk fragment: ruim genomen) persoonsgegevens toont."""
    type_info = TypeInfo(schema)
    zoeker = _Zoeker(type_info, beslisser)
    visit(document, TypeInfoVisitor(type_info, zoeker))
    return zoeker.gevonden
