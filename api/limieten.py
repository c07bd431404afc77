"""Querylimieten, minstens zo streng als de standaardwaarden van GraphQL Armor.

Armor defaults (packages/plugins/*/src/index.ts of Escape-Technologies/graphql-armor):
max-depth n=6 (operation = 0, every selection incl. fragment spreads and inline fragments +1,
so ``{ a { b { c } } }`` has depth 3), max-aliases 15, max-directives 50, max-tokens 1000,
cost-limit maxCost 5000 with objectCost 2, scalarCost 1, depthCostFactor 1.5 (cost of a node =
own cost + 1.5 × children), block-field-suggestion on. We apply the same rules with fragment
spreads expanded at every use (an alias inside a fragment spread ten times counts ten times),
add a batch-size and request-body limit, and turn introspection off unless allowed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from graphql import (
    ArgumentNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLSchema,
    NoSchemaIntrospectionCustomRule,
    ObjectFieldNode,
    OperationDefinitionNode,
    SelectionSetNode,
    StringValueNode,
    Visitor,
    parse,
    specified_rules,
    validate,
    visit,
)

from api.vertaling import vertaal
from domein.waarden import bevat_ongeldig_teken

_SUGGESTIE = re.compile(r"\s*Did you mean [^?]*\?")
_MAX_EXPANSIE = 100_000  # hard stop for pathological fragment fan-out before the limits kick in


@dataclass(frozen=True)
class Limieten:
    max_diepte: int = 6
    max_aliassen: int = 15
    max_tokens: int = 1000
    max_directives: int = 50
    max_kosten: float = 5000
    object_kosten: float = 2
    scalar_kosten: float = 1
    diepte_kostenfactor: float = 1.5
    max_batch: int = 5
    max_body_bytes: int = 100_000
    introspectie: bool = False
    max_json_diepte: int = 32
    """Nesting of the JSON body (objects and lists); Python's parser would hit its recursion limit far deeper."""
    verzoek_seconden: float = 30
    """Request timeout: a GraphQL operation running longer is cut off, its transaction rolled back."""
    body_seconden: float = 10
    """A client must have sent its whole body within this time (slow senders hold a connection open)."""
    statement_seconden: float = 20
    """PostgreSQL statement_timeout for the connections of the app; below verzoek_seconden, so the database
    gives up first and says why."""


class QueryTeComplex(Exception):
    code = "QUERY_TE_COMPLEX"

    def __init__(self, bericht: str) -> None:
        super().__init__(bericht)
        self.bericht = bericht


class OngeldigeQuery(Exception):
    code = "BAD_USER_INPUT"

    def __init__(self, bericht: str, veld: str | None = None) -> None:
        super().__init__(bericht)
        self.bericht = bericht
        self.veld = veld


@dataclass
class _Telling:
    diepte: int = 0
    aliassen: int = 0
    directives: int = 0
    knopen: int = 0


class _Meter:
    """Loopt één operatie af met fragmenten uitgevouwen; cycli worden niet gevolgd (validatie meldt ze)."""

    def __init__(self, fragmenten: dict[str, FragmentDefinitionNode], limieten: Limieten) -> None:
        self.fragmenten = fragmenten
        self.l = limieten
        self.t = _Telling()

    def _introspectie(self, node: Any) -> bool:
        return isinstance(node, FieldNode) and node.name.value in ("__schema", "__type") and self.l.introspectie

    def kosten(self, node: Any, diepte: int, pad: frozenset[str]) -> float:
        self.t.knopen += 1
        if self.t.knopen > _MAX_EXPANSIE:
            raise QueryTeComplex("De query vouwt uit tot te veel velden; vraag minder op of gebruik minder fragmenten.")
        if self._introspectie(node):
            return 0
        self.t.diepte = max(self.t.diepte, diepte)
        self.t.directives += len(getattr(node, "directives", None) or ())
        if isinstance(node, FieldNode) and node.alias is not None:
            self.t.aliassen += 1
        kosten = self.l.scalar_kosten
        selectie: SelectionSetNode | None = getattr(node, "selection_set", None)
        if selectie is not None:
            kosten = self.l.object_kosten
            for kind in selectie.selections:
                kosten += self.l.diepte_kostenfactor * self.kosten(kind, diepte + 1, pad)
        if isinstance(node, FragmentSpreadNode):
            naam = node.name.value
            fragment = self.fragmenten.get(naam)
            if fragment is not None and naam not in pad:
                kosten += self.l.diepte_kostenfactor * self.kosten(fragment, diepte + 1, pad | {naam})
        return kosten


def _zonder_suggesties(fouten: list[GraphQLError]) -> str:
    return vertaal(fouten)  # Dutch, without "Did you mean", with the place in the query (api/vertaling.py)


def controleer_query(
    schema: GraphQLSchema,
    query: str,
    limieten: Limieten,
    operation_name: str | None = None,
    variables: dict[str, Any] | None = None,
) -> DocumentNode:
    """Ontleedt en controleert een query; geeft het document terug of werpt een Nederlandse fout op.

    The outcome depends only on schema, text, operation name and limits (not on variables), so it
    is cached: clients send the same few documents over and over.
    """
    uitkomst = _gecontroleerd(schema, query, limieten, operation_name)
    if isinstance(uitkomst, Exception):
        raise uitkomst
    return uitkomst


@lru_cache(maxsize=512)
def _gecontroleerd(
    schema: GraphQLSchema, query: str, limieten: Limieten, operation_name: str | None
) -> DocumentNode | QueryTeComplex | OngeldigeQuery:
    try:
        return _controleer(schema, query, limieten, operation_name)
    except (QueryTeComplex, OngeldigeQuery) as fout:
        return fout


def _controleer(schema: GraphQLSchema, query: str, limieten: Limieten, operation_name: str | None) -> DocumentNode:
    try:
        document = parse(query, max_tokens=limieten.max_tokens)
    except GraphQLError as e:
        if "token limit" in e.message.lower() or "tokens" in e.message.lower():
            raise QueryTeComplex(
                f"De query bevat te veel tokens (maximaal {limieten.max_tokens}); maak hem korter."
            ) from None
        raise OngeldigeQuery(f"De query is geen geldige GraphQL: {_zonder_suggesties([e])}") from None
    fragmenten = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    # Every operation in the document is measured, whichever one operationName picks: a document
    # that carries an over-limit operation is refused as a whole.
    for operatie in (d for d in document.definitions if isinstance(d, OperationDefinitionNode)):
        meter = _Meter(fragmenten, limieten)
        kosten = meter.kosten(operatie, 0, frozenset())
        t = meter.t
        if t.diepte > limieten.max_diepte:
            raise QueryTeComplex(
                f"De query is te diep genest ({t.diepte} niveaus, maximaal {limieten.max_diepte}); "
                "vraag minder geneste velden op of haal ze in een tweede query op."
            )
        if t.aliassen > limieten.max_aliassen:
            raise QueryTeComplex(
                f"De query gebruikt te veel aliassen ({t.aliassen}, maximaal {limieten.max_aliassen}, "
                "fragmenten meegeteld); splits hem op."
            )
        if t.directives > limieten.max_directives:
            raise QueryTeComplex(
                f"De query gebruikt te veel directives ({t.directives}, maximaal {limieten.max_directives})."
            )
        if kosten > limieten.max_kosten:
            raise QueryTeComplex(
                f"De query is te zwaar (kosten {kosten:.0f}, maximaal {limieten.max_kosten:.0f}); "
                "vraag minder velden of minder nesting op."
            )
    # After the limits: an over-limit operation is refused whichever name was asked for.
    operaties = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    namen = {d.name.value for d in operaties if d.name}
    if operation_name is not None and operation_name not in namen:
        raise OngeldigeQuery(
            f"Het document bevat geen operatie met de naam '{operation_name[:100]}'; "
            f"kies uit: {', '.join(sorted(namen)) or '(geen namen)'}.",
            veld="operationName",
        )
    if operation_name is None and len(operaties) > 1:
        raise OngeldigeQuery("Het document bevat meer operaties; kies er één met operationName.", veld="operationName")
    _controleer_literals(document)
    regels = list(specified_rules)
    if not limieten.introspectie:
        regels.append(NoSchemaIntrospectionCustomRule)
    fouten = validate(schema, document, regels)
    if fouten:
        if any("introspection" in f.message.lower() for f in fouten):
            raise OngeldigeQuery("Introspectie staat uit buiten demo- en ontwikkelmodus.")
        raise OngeldigeQuery(f"De query past niet bij het schema: {_zonder_suggesties(fouten)}")
    return document


def controleer_batch(aantal: int, limieten: Limieten) -> None:
    if aantal > limieten.max_batch:
        raise QueryTeComplex(f"Te veel operaties in één verzoek ({aantal}, maximaal {limieten.max_batch}).")
    if aantal == 0:
        raise QueryTeComplex("Een lege batch bevat niets om uit te voeren.")


def controleer_body(lengte: int, limieten: Limieten) -> None:
    if lengte > limieten.max_body_bytes:
        raise QueryTeComplex(
            f"Het verzoek is te groot ({lengte} bytes, maximaal {limieten.max_body_bytes}); maak de query kleiner."
        )


def _ongeldige_tekst(veld: str) -> OngeldigeQuery:
    return OngeldigeQuery(
        f"'{veld}' bevat een stuurteken of een ongeldig teken (zoals NUL of een losse surrogaat); verwijder het.",
        veld=veld,
    )


def _controleer_literals(document: DocumentNode) -> None:
    """Teksten in de query zelf ("\\u0000" is een geldige GraphQL-escape), genoemd naar hun argument."""

    class Literals(Visitor):
        def enter_string_value(
            self, node: StringValueNode, _sleutel: Any, ouder: Any, _pad: Any, voorouders: list[Any]
        ) -> None:
            if bevat_ongeldig_teken(node.value):
                keten = [*voorouders, ouder]
                namen = [a.name.value for a in keten if isinstance(a, ArgumentNode | ObjectFieldNode)]
                raise _ongeldige_tekst(".".join(namen) or "query")

    visit(document, Literals())


def controleer_json(payload: Any, limieten: Limieten) -> None:
    """Diepte en teksten van het hele JSON-verzoek (query, operationName, variables), zonder recursie.

    Every string anywhere in the request goes through the same check as the domain's texts, so a NUL or a
    lone surrogate never reaches a resolver or a database (PostgreSQL refuses NUL, SQLite stores it).
    """
    stapel: list[tuple[Any, int, str]] = [(payload, 0, "")]
    while stapel:
        waarde, diepte, pad = stapel.pop()
        if isinstance(waarde, str):
            if bevat_ongeldig_teken(waarde):
                raise _ongeldige_tekst(pad or "body")
            continue
        if isinstance(waarde, dict):
            paren: Any = waarde.items()
        elif isinstance(waarde, list):
            paren = enumerate(waarde)
        else:
            continue
        if diepte >= limieten.max_json_diepte:
            raise OngeldigeQuery(
                f"De JSON is te diep genest (maximaal {limieten.max_json_diepte} niveaus); maak de invoer platter."
            )
        for sleutel, kind in paren:
            if isinstance(sleutel, str) and bevat_ongeldig_teken(sleutel):
                raise _ongeldige_tekst(pad or "body")
            stapel.append((kind, diepte + 1, _pad(pad, sleutel)))


def _pad(pad: str, sleutel: str | int) -> str:
    """'variables.input.betrokkenen.0.naam' heet voor de gebruiker 'input.betrokkenen[0].naam'."""
    if isinstance(sleutel, int):
        return f"{pad}[{sleutel}]"
    if pad in ("", "variables"):
        return sleutel
    return f"{pad}.{sleutel}"
