"""Contractuitnutting: gerealiseerde zorgkosten tegen het budgetplafond, prognose en afwijkingssignaal.

Seed 001 art. 2: follow the operational use of raam- and deelcontracten per gemeente and signal
(expected) deviations, asked and unasked; seed 004: budget versus realisation and prognosis.

Arithmetic, per contract and year (and per deelnemende gemeente):
- looptijd: the months of the year in which the contract runs (ingangsdatum to einddatum);
- gerealiseerd: the zorgkosten of the contract's aanbieder, for products the contract names, from
  deelnemende gemeenten, in those months;
- peilmaand: the last of those months with zorgkosten delivered; verstreken = months from the start
  of the looptijd up to and including the peilmaand;
- prognose = gerealiseerd / verstreken × looptijd (linear extrapolation of the monthly average);
- uitnutting = gerealiseerd / plafond; afwijking when the prognose exceeds the plafond
  (OVERSCHRIJDING) or stays more than the configured percentage below it (ONDERBENUTTING).
The plafond belongs to the contract as a whole, so per-gemeente rows carry no plafond or afwijking.
Money is not a count of persons, so no suppression applies (toegang.md: uitnutting is an aggregate
shown to the gemeente for its own part only).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from domein.actor import ROB
from domein.bereik import voorwaarde
from domein.opslag.tabellen import contract, contract_budget, contract_gemeente, contract_perceel, zorgkosten
from domein.toegang import Actie, Bereik
from domein.verzoek import Verzoek
from domein.waarden import controleer_jaar

RESOURCE = "uitnutting"
CENT = Decimal("0.01")


class begin_maand(FunctionElement[date]):
    type = sa.Date()
    inherit_cache = True


@compiles(begin_maand, "postgresql")
def _begin_maand_pg(element: Any, compiler: Any, **kw: Any) -> str:
    return f"CAST(date_trunc('month', {compiler.process(element.clauses, **kw)}) AS DATE)"


@compiles(begin_maand, "sqlite")
def _begin_maand_sqlite(element: Any, compiler: Any, **kw: Any) -> str:
    return f"date({compiler.process(element.clauses, **kw)}, 'start of month')"


class Afwijkingssoort(StrEnum):
    OVERSCHRIJDING = "overschrijding"
    ONDERBENUTTING = "onderbenutting"


@dataclass(frozen=True)
class Afwijking:
    soort: Afwijkingssoort
    procent: Decimal
    """(prognose − plafond) / plafond × 100, one decimal."""


@dataclass(frozen=True)
class Uitnutting:
    contract_id: str
    jaar: int
    gemeente: str | None
    plafond: Decimal | None
    gerealiseerd: Decimal
    peilmaand: date | None
    prognose: Decimal | None
    uitnutting_procent: Decimal | None
    afwijking: Afwijking | None


def looptijd_maanden(jaar: int, ingang: date, einde: date | None) -> tuple[int, int] | None:
    """First and last month number (1–12) of the year in which the contract runs, or None."""
    eerste = 1 if ingang.year < jaar else (ingang.month if ingang.year == jaar else 13)
    laatste = 12 if einde is None or einde.year > jaar else (einde.month if einde.year == jaar else 0)
    return (eerste, laatste) if eerste <= laatste else None


def prognose(gerealiseerd: Decimal, eerste: int, peil: int, laatste: int) -> Decimal:
    verstreken = peil - eerste + 1
    return (gerealiseerd / verstreken * (laatste - eerste + 1)).quantize(CENT, ROUND_HALF_UP)


def afwijking(prog: Decimal, plafond: Decimal, drempel_procent: Decimal) -> Afwijking | None:
    if plafond <= 0:
        return None
    exact = (prog - plafond) / plafond * 100
    procent = exact.quantize(Decimal("0.1"), ROUND_HALF_UP)  # shown rounded, decided exactly
    if prog > plafond:
        return Afwijking(Afwijkingssoort.OVERSCHRIJDING, procent)
    if -exact > drempel_procent:
        return Afwijking(Afwijkingssoort.ONDERBENUTTING, procent)
    return None


def bereken(
    contract_id: str,
    jaar: int,
    gemeente: str | None,
    looptijd: tuple[int, int],
    gerealiseerd: Decimal,
    peilmaand: date | None,
    plafond: Decimal | None,
    drempel_procent: Decimal,
) -> Uitnutting:
    prog = prognose(gerealiseerd, looptijd[0], peilmaand.month, looptijd[1]) if peilmaand else None
    procent = (gerealiseerd / plafond * 100).quantize(Decimal("0.1"), ROUND_HALF_UP) if plafond else None
    return Uitnutting(
        contract_id,
        jaar,
        gemeente,
        plafond,
        gerealiseerd.quantize(CENT),
        peilmaand,
        prog,
        procent,
        afwijking(prog, plafond, drempel_procent) if prog is not None and plafond is not None else None,
    )


async def per_contract(vz: Verzoek, jaar: int, alleen_afwijkingen: bool = False) -> list[Uitnutting]:
    besluit = vz.eis(RESOURCE, Actie.LEZEN)
    controleer_jaar(jaar)
    regio = besluit.bereik is Bereik.REGIO
    c, z = contract.c, zorgkosten.c
    contracten = (
        await vz.conn.execute(
            sa.select(c.id, c.ingangsdatum, c.einddatum, contract_budget.c.plafond)
            .outerjoin(contract_budget, sa.and_(contract_budget.c.contract_id == c.id, contract_budget.c.jaar == jaar))
            .where(c.ingangsdatum <= date(jaar, 12, 31), sa.or_(c.einddatum.is_(None), c.einddatum >= date(jaar, 1, 1)))
            .order_by(c.aangemaakt_op, c.id)
        )
    ).all()
    deelname = (
        await vz.conn.execute(
            sa.select(contract_gemeente.c.contract_id, contract_gemeente.c.gemeente_code).where(
                voorwaarde(besluit, vz.actor, contract_gemeente.c.gemeente_code)
            )
        )
    ).all()
    kosten = (
        await vz.conn.execute(
            sa.select(c.id, z.gemeente_code, sa.func.sum(z.bedrag).label("som"), sa.func.max(z.maand).label("peil"))
            .select_from(zorgkosten)
            .join(contract, c.aanbieder_id == z.aanbieder_id)
            .join(
                contract_gemeente,
                sa.and_(contract_gemeente.c.contract_id == c.id, contract_gemeente.c.gemeente_code == z.gemeente_code),
            )
            .join(
                contract_perceel,
                sa.and_(contract_perceel.c.contract_id == c.id, contract_perceel.c.perceel == sa.func.lower(z.product)),
            )
            .where(
                voorwaarde(besluit, vz.actor, z.gemeente_code),
                z.maand >= date(jaar, 1, 1),
                z.maand <= date(jaar, 12, 1),
                z.maand >= begin_maand(c.ingangsdatum),
                sa.or_(c.einddatum.is_(None), z.maand <= c.einddatum),
            )
            .group_by(c.id, z.gemeente_code)
        )
    ).all()
    per_gemeente: dict[str, dict[str, tuple[Decimal, date]]] = defaultdict(dict)
    for k in kosten:
        per_gemeente[k.id][k.gemeente_code] = (Decimal(k.som), _datum(k.peil))
    gemeenten_van: dict[str, list[str]] = defaultdict(list)
    for d in deelname:
        gemeenten_van[d.contract_id].append(d.gemeente_code)
    drempel = Decimal(vz.drempels.afwijking_procent)
    uit: list[Uitnutting] = []
    for r in contracten:
        looptijd = looptijd_maanden(jaar, _datum(r.ingangsdatum), _datum(r.einddatum) if r.einddatum else None)
        if looptijd is None or not gemeenten_van[r.id]:
            continue
        delen = per_gemeente[r.id]
        plafond = Decimal(r.plafond) if r.plafond is not None else None
        if regio:
            som = sum((d[0] for d in delen.values()), Decimal(0))
            peil = max((d[1] for d in delen.values()), default=None)
            uit.append(bereken(r.id, jaar, None, looptijd, som, peil, plafond, drempel))
        for g in sorted(gemeenten_van[r.id]):
            som, peil = delen.get(g, (Decimal(0), None))
            uit.append(bereken(r.id, jaar, g, looptijd, som, peil, None, drempel))
    vz.raadpleging(
        besluit,
        object_type=RESOURCE,
        object_id=str(jaar),
        verantwoordelijke=ROB if regio else vz.actor.organisatie,
        activiteit="contractuitnutting raadplegen",
    )
    return [u for u in uit if u.afwijking is not None] if alleen_afwijkingen else uit


def _datum(waarde: Any) -> date:
    """SQLite hands back aggregated dates as text."""
    return waarde if isinstance(waarde, date) else date.fromisoformat(str(waarde)[:10])
