"""Het veldplan: het beleid beslist één keer per veld van de operatie, vooraf uit het document.

Before execution the document (every operation and fragment, taken broadly) is walked once with the
schema's type information. For every ``Type.veld`` it selects, the policy decides once (for a field on an
interface or union: for every concrete type it can be). The plan says:

- which fields are denied: only an operation with a denied field runs with the per-field guard
  (``api.veldbewaking``), which answers the denial at the exact path; every other operation runs without
  any per-cell hook;
- which persoonsgegevens resources are read on objects of each type and by each field, with the doel of
  that resource's decision: the resolvers of those fields record the read on their object (merged into one
  audit record per object per request), only when the field is actually resolved (``lezingen_van_veld``);
- whether the operation writes audit when it reads (persoonsgegevens, a melding's free text, a denial):
  on SQLite such a query takes the write lock at once.

Plans are cached per query text, operation, role and policy version (bounded), so a repeated query is
not walked again.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field

from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLNamedType,
    GraphQLSchema,
    OperationDefinitionNode,
    TypeInfo,
    TypeInfoVisitor,
    Visitor,
    get_named_type,
    is_abstract_type,
    visit,
)

from beleid.beslisser import CasbinBeslisser
from domein.actor import Actor
from domein.toegang import Actie

PERSOONSGEGEVENS = "persoonsgegevens."
GEAUDITEERD_BIJ_LEZEN = (PERSOONSGEGEVENS, "melding.inhoud")
"""Resources whose read writes audit: persoonsgegevens, and a melding's free texts (they may name people)."""

Veld = tuple[str, str]


@dataclass(frozen=True)
class Veldplan:
    gekozen: frozenset[Veld]
    """Every (concrete type, field) the document selects, introspection excluded."""
    geweigerd: frozenset[Veld]
    lezingen_per_veld: dict[Veld, tuple[tuple[str, str], ...]] = field(default_factory=dict)
    """Per (type, field): the (persoonsgegevens resource, doel) pair its read records, if allowed."""
    geaudit_bij_lezen: bool = False

    def kiest(self, typenaam: str, veld: str) -> bool:
        """Of het document dit veld opvraagt en het beleid het toestaat (dan mag het vooraf geladen worden)."""
        return (typenaam, veld) in self.gekozen and (typenaam, veld) not in self.geweigerd

    def lezingen_van(self, typenaam: str) -> tuple[tuple[str, str], ...]:
        """The (resource, doel) pairs that the selected, allowed fields of a type read, together."""
        paren = {p for (t, _), veld in self.lezingen_per_veld.items() if t == typenaam for p in veld}
        return tuple(sorted(paren))

    def lezingen_van_veld(self, typenaam: str, veld: str) -> tuple[tuple[str, str], ...]:
        return self.lezingen_per_veld.get((typenaam, veld), ())


class _Verzamelaar(Visitor):
    def __init__(self, schema: GraphQLSchema, type_info: TypeInfo) -> None:
        super().__init__()
        self.schema = schema
        self.type_info = type_info
        self.velden: set[Veld] = set()

    def enter_field(self, node: FieldNode, *_args: object) -> None:
        ouder = self.type_info.get_parent_type()
        naam = node.name.value
        if ouder is None or naam.startswith("__") or ouder.name.startswith("__"):
            return  # introspection: governed by the query limits
        for concreet in _concrete_typen(self.schema, ouder):
            self.velden.add((concreet.name, naam))


def _concrete_typen(schema: GraphQLSchema, ouder: GraphQLNamedType) -> list[GraphQLNamedType]:
    ouder = get_named_type(ouder)
    if is_abstract_type(ouder):
        return list(schema.get_possible_types(ouder))
    return [ouder]


def velden_van(schema: GraphQLSchema, document: DocumentNode, operatie: str | None = None) -> frozenset[Veld]:
    """De velden van de uitgevoerde operatie en van alle fragmenten (ruim genomen)."""
    definities = [
        d
        for d in document.definitions
        if not isinstance(d, OperationDefinitionNode) or operatie is None or (d.name and d.name.value == operatie)
    ]
    document = DocumentNode(definitions=tuple(definities), loc=document.loc)
    type_info = TypeInfo(schema)
    verzamelaar = _Verzamelaar(schema, type_info)
    visit(document, TypeInfoVisitor(type_info, verzamelaar))
    return frozenset(verzamelaar.velden)


def maak_plan(velden: frozenset[Veld], beslisser: CasbinBeslisser, actor: Actor) -> Veldplan:
    geweigerd: set[Veld] = set()
    per_veld: dict[Veld, tuple[tuple[str, str], ...]] = {}
    geaudit = False
    for ouder, naam in velden:
        veld = f"{ouder}.{naam}"
        actie = Actie.SCHRIJVEN if ouder == "Mutation" else Actie.LEZEN
        besluit = beslisser.beslis(actor, veld, actie)
        resource = beslisser.resource_van(veld) or ""
        if resource.startswith(GEAUDITEERD_BIJ_LEZEN):
            geaudit = True
        if not besluit.toegestaan:
            geweigerd.add((ouder, naam))
        elif resource.startswith(PERSOONSGEGEVENS):
            per_veld[(ouder, naam)] = ((resource, besluit.doel or ""),)
    return Veldplan(
        gekozen=velden,
        geweigerd=frozenset(geweigerd),
        lezingen_per_veld=per_veld,
        geaudit_bij_lezen=geaudit or bool(geweigerd),
    )


class Plannen:
    """Begrensde cache van veldplannen per (query, operatie, rol, beleid)."""

    def __init__(self, schema: GraphQLSchema, maximaal: int = 512) -> None:
        self._schema = schema
        self._maximaal = maximaal
        self._velden: OrderedDict[tuple[str, str | None], frozenset[Veld]] = OrderedDict()
        self._plannen: OrderedDict[tuple[object, ...], Veldplan] = OrderedDict()

    def plan(
        self, query: str, operatie: str | None, document: DocumentNode, beslisser: CasbinBeslisser, actor: Actor
    ) -> Veldplan:
        sleutel = (query, operatie, str(actor.rol), beslisser, beslisser.versie)
        gevonden = self._plannen.get(sleutel)
        if gevonden is not None:
            self._plannen.move_to_end(sleutel)
            return gevonden
        velden = self._velden.get((query, operatie))
        if velden is None:
            velden = velden_van(self._schema, document, operatie)
            _bewaar(self._velden, (query, operatie), velden, self._maximaal)
        plan = maak_plan(velden, beslisser, actor)
        _bewaar(self._plannen, sleutel, plan, self._maximaal)
        return plan


def _bewaar(cache: OrderedDict, sleutel: object, waarde: object, maximaal: int) -> None:
    cache[sleutel] = waarde
    if len(cache) > maximaal:
        cache.popitem(last=False)
