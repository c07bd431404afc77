"""Vaste lijsten één keer voltooid per selectie: een antwoord dat vastligt, wordt niet opnieuw veld voor veld opgebouwd.

GraphQL completes a list field by resolving and serialising every field of every item: for the statistics'
heaviest grouping that is about 90,000 fields, almost all of a warm request's time, while the cells of a closed
month never change. A resolver that returns a ``VasteLijst`` promises that its items are plain data (no field
below them reads the database or records anything) and gives a ``sleutel`` that changes whenever anything shown
could change (for the statistics: the version of every month, k, the view, and the aanbieder and gemeente rows
shown). The completed list is then kept per sleutel, selection, variables and role, and reused.

It is never used when the operation runs with the per-field guard (a denied field), when completing the list
raised an error, or when completion is not finished at once (an awaitable: something below does read).
Audit is not affected: the resolver that returns the list runs on every request and records its reading.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Iterable
from typing import Any

from graphql import GraphQLResolveInfo, print_ast
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from api.veldbewaking import VELDBEWAKING

MAXIMAAL_ITEMS = 50_000
"""Items of completed lists kept per app, all lists together (least recently used dropped first): the heaviest
statistics answer has 8,400 cells of about a dozen values, so this bounds the memory to some tens of MB."""


class VasteLijst(list[Any]):
    """Een lijst met een sleutel die alles omvat waar haar getoonde inhoud van afhangt."""

    def __init__(self, items: Iterable[Any], sleutel: tuple[Any, ...]) -> None:
        super().__init__(items)
        self.sleutel = sleutel


class Voltooid:
    """De voltooide vaste lijsten van één app (per proces), samen hoogstens ``maximaal`` items."""

    def __init__(self, maximaal: int = MAXIMAAL_ITEMS) -> None:
        self._lijsten: OrderedDict[tuple[Any, ...], list[Any]] = OrderedDict()
        self._maximaal = maximaal
        self._items = 0

    def get(self, sleutel: tuple[Any, ...]) -> list[Any] | None:
        gevonden = self._lijsten.get(sleutel)
        if gevonden is not None:
            self._lijsten.move_to_end(sleutel)
        return gevonden

    def zet(self, sleutel: tuple[Any, ...], lijst: list[Any]) -> None:
        if len(lijst) > self._maximaal or sleutel in self._lijsten:
            return
        self._lijsten[sleutel] = lijst
        self._items += len(lijst)
        while self._items > self._maximaal:
            self._items -= len(self._lijsten.popitem(last=False)[1])


def _selectie(field_details_list: Any, info: GraphQLResolveInfo) -> tuple[Any, ...]:
    velden = tuple(print_ast(d.node) for d in field_details_list)
    waarden: Any = getattr(info.variable_values, "coerced", info.variable_values) or {}
    variabelen = json.dumps(dict(waarden), sort_keys=True, default=str)
    ctx = info.context
    return (velden, variabelen, str(ctx.vz.actor.rol), ctx.beslisser.versie)


class Voltooiing(StrawberryGraphQLCoreExecutionContext):
    def complete_list_value(
        self,
        return_type: Any,
        field_details_list: Any,
        info: GraphQLResolveInfo,
        path: Any,
        result: Any,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        if not isinstance(result, VasteLijst) or VELDBEWAKING.get():
            return super().complete_list_value(return_type, field_details_list, info, path, result, *args, **kwargs)
        voltooid: Voltooid = info.context.voltooid
        sleutel = (result.sleutel, *_selectie(field_details_list, info))
        gevonden = voltooid.get(sleutel)
        if gevonden is not None:
            return gevonden
        fouten = len(self.collected_errors.errors)
        uitkomst = super().complete_list_value(return_type, field_details_list, info, path, result, *args, **kwargs)
        if isinstance(uitkomst, list) and len(self.collected_errors.errors) == fouten:
            voltooid.zet(sleutel, uitkomst)
        return uitkomst
