"""Verzoekcontext: de domeinwerkeenheid plus één set DataLoaders per verzoek."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from strawberry.dataloader import DataLoader
from strawberry.types.nodes import SelectedField

from api.veldplan import Veldplan
from api.voltooiing import Voltooid
from beleid.beslisser import CasbinBeslisser
from domein import aanbieders, bibob, casussen, contracten, gemeenten, meldingen, signalen
from domein.verzoek import Verzoek

K = TypeVar("K")
V = TypeVar("V")


def _loader(haal: Callable[[Sequence[Any]], Awaitable[dict[Any, Any]]], standaard: Any = None) -> DataLoader[Any, Any]:
    async def laad(sleutels: list[Any]) -> list[Any]:
        gevonden = await haal(list(dict.fromkeys(sleutels)))
        return [gevonden.get(s, standaard) for s in sleutels]

    return DataLoader(load_fn=laad)


@dataclass
class Loaders:
    vz: Verzoek
    gemeente: DataLoader[str, Any] = field(init=False)
    aanbieder: DataLoader[str, Any] = field(init=False)
    casus: DataLoader[str, Any] = field(init=False)
    contract: DataLoader[str, Any] = field(init=False)
    persoonsgegevens: DataLoader[str, Any] = field(init=False)
    contract_gemeenten: DataLoader[str, Any] = field(init=False)
    contract_budgetten: DataLoader[str, Any] = field(init=False)
    contracten_van_aanbieder: DataLoader[str, Any] = field(init=False)
    signaal: DataLoader[str, Any] = field(init=False)
    signaal_stappen: DataLoader[str, Any] = field(init=False)
    melding: DataLoader[str, Any] = field(init=False)
    melding_van_signaal: DataLoader[str, Any] = field(init=False)
    melding_betrokkenen: DataLoader[str, Any] = field(init=False)
    melding_pseudoniemen: DataLoader[str, Any] = field(init=False)
    melding_handelingen: DataLoader[str, Any] = field(init=False)
    melding_maskers: DataLoader[str, Any] = field(init=False)
    bibob_onderzoeken: DataLoader[str, Any] = field(init=False)

    def __post_init__(self) -> None:
        vz = self.vz
        self.gemeente = _loader(lambda k: gemeenten.op_codes(vz, k))
        self.aanbieder = _loader(lambda k: aanbieders.op_ids(vz, k))
        self.casus = _loader(lambda k: casussen.op_ids(vz, k))
        self.contract = _loader(lambda k: contracten.op_ids(vz, k))
        self.persoonsgegevens = _loader(lambda k: casussen.persoonsgegevens(vz, k))
        self.contract_gemeenten = _loader(lambda k: contracten.gemeenten_van(vz, k), [])
        self.contract_budgetten = _loader(lambda k: contracten.budgetten_van(vz, k), [])
        self.contracten_van_aanbieder = _loader(lambda k: contracten.per_aanbieder(vz, k), [])
        self.signaal = _loader(lambda k: signalen.op_ids(vz, k))
        self.signaal_stappen = _loader(lambda k: signalen.stappen_van(vz, k), [])
        self.melding = _loader(lambda k: meldingen.op_ids(vz, k))
        self.melding_van_signaal = _loader(lambda k: meldingen.per_signaal(vz, k))
        self.melding_betrokkenen = _loader(lambda k: meldingen.betrokkenen_van(vz, k))
        self.melding_pseudoniemen = _loader(lambda k: meldingen.pseudoniemen_van(vz, k), [])
        self.melding_handelingen = _loader(lambda k: meldingen.handelingen_van(vz, k), [])
        self.melding_maskers = _loader(lambda k: meldingen.maskers_van(vz, k))
        self.bibob_onderzoeken = _loader(lambda k: bibob.van_aanbieders(vz, k), [])


@dataclass
class Context:
    vz: Verzoek
    beslisser: CasbinBeslisser
    loaders: Loaders
    plan: Veldplan
    voltooid: Voltooid

    @classmethod
    def voor(cls, vz: Verzoek, beslisser: CasbinBeslisser, plan: Veldplan, voltooid: Voltooid) -> Context:
        return cls(vz=vz, beslisser=beslisser, loaders=Loaders(vz), plan=plan, voltooid=voltooid)


def direct(loader: DataLoader[Any, Any], sleutel: Any, maak: Callable[[Any], V]) -> V | Awaitable[V | None] | None:
    """``maak(waarde)`` meteen als de loader de waarde al heeft (vooraf geladen), anders na het laden.

    A resolver that returns a value instead of a coroutine costs GraphQL no task per cell. A failed load
    stays in the loader's cache: awaiting it here raises the error at this field, as before.
    """
    toekomst = loader.cache_map.get(sleutel)
    if toekomst is not None and toekomst.done() and not toekomst.cancelled() and toekomst.exception() is None:
        waarde = toekomst.result()
        return None if waarde is None else maak(waarde)

    async def later() -> V | None:
        waarde = await loader.load(sleutel)
        return None if waarde is None else maak(waarde)

    return later()


def gevraagd_onder(info: Any, *pad: str) -> set[str]:
    """De velden die het document vraagt op ``pad`` onder het veld van ``info`` (bijv. edges → node).

    Through fragments and inline fragments; a selection with ``@skip(if: true)`` or ``@include(if: false)``
    (variables applied) does not count. So a page preloads only what its own nodes show.
    """
    niveau: list[Any] = [s for veld in info.selected_fields for s in veld.selections]
    for stap in pad:
        niveau = [s for veld in _velden(niveau) if veld.name == stap for s in veld.selections]
    return {veld.name for veld in _velden(niveau)}


def _velden(selecties: list[Any]) -> list[Any]:
    uit: list[Any] = []
    for selectie in selecties:
        richtlijnen = selectie.directives
        if richtlijnen.get("skip", {}).get("if") is True or richtlijnen.get("include", {}).get("if") is False:
            continue
        if isinstance(selectie, SelectedField):
            uit.append(selectie)
        else:  # InlineFragment or FragmentSpread
            uit.extend(_velden(selectie.selections))
    return uit


Relatie = tuple[DataLoader[Any, Any], Callable[[Any], Any]]
"""A field's relation: the loader, and how a row gives its key."""


async def laad_pagina(
    ctx: Context, typenaam: str, rijen: Sequence[Any], gevraagd: set[str], relaties: dict[str, Relatie]
) -> None:
    """Laadt vooraf de relaties die de knopen van een pagina tonen (``gevraagd``) en het beleid toestaat, per
    loader in één keer: elke cel wordt dan direct beantwoord, en wat de pagina niet toont, wordt niet gelezen.
    Errors stay in the loader's cache until their field asks for them."""
    per_loader: dict[int, tuple[DataLoader[Any, Any], dict[Any, None]]] = {}
    for veld, (loader, sleutel) in relaties.items():
        if veld in gevraagd and ctx.plan.kiest(typenaam, veld):
            sleutels = per_loader.setdefault(id(loader), (loader, {}))[1]
            sleutels.update(dict.fromkeys(sleutel(r) for r in rijen))
    taken = [loader.load_many(list(sleutels)) for loader, sleutels in per_loader.values() if sleutels]
    if taken:
        await asyncio.gather(*taken, return_exceptions=True)
