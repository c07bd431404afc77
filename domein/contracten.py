"""Use cases rond contracten: raam-, deel-, maatwerk- en hulpmiddelencontracten (seed 001 art. 2)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from domein.actor import GEMEENTEN, ROB
from domein.bereik import voorwaarde
from domein.fouten import OngeldigeInvoer
from domein.opslag.tabellen import aanbieder, contract, contract_budget, contract_gemeente, contract_perceel
from domein.paginering import Pagina, maak_cursor, pagineer
from domein.toegang import Actie
from domein.verzoek import Verzoek
from domein.waarden import ContractSoort, controleer_jaar, controleer_tekst

RESOURCE = "contract"

MAX_PLAFOND = Decimal("999999999999.99")  # the column is numeric(14, 2)


@dataclass(frozen=True)
class ContractRij:
    id: str
    aanbieder_id: str
    soort: str
    naam: str
    percelen: list[str]
    ingangsdatum: date
    einddatum: date | None
    contractmanager: str
    aangemaakt_op: datetime


@dataclass(frozen=True)
class Budgetplafond:
    jaar: int
    bedrag: Decimal


@dataclass(frozen=True)
class ContractInvoer:
    aanbieder_id: str
    soort: ContractSoort
    naam: str
    percelen: Sequence[str]
    ingangsdatum: date
    einddatum: date | None
    deelnemende_gemeenten: Sequence[str]
    contractmanager: str
    budgetplafonds: Sequence[Budgetplafond]


def _basis(vz: Verzoek) -> sa.Select[Any]:
    besluit = vz.eis(RESOURCE, Actie.LEZEN)
    return sa.select(contract).where(voorwaarde(besluit, vz.actor, sa.literal(ROB)))


def _filter(aanbieder_id: str | None) -> sa.ColumnElement[bool]:
    return sa.true() if aanbieder_id is None else contract.c.aanbieder_id == aanbieder_id


async def zoek(vz: Verzoek, first: int | None, after: str | None, aanbieder_id: str | None) -> Pagina[ContractRij]:
    query, aantal = pagineer(
        _basis(vz).where(_filter(aanbieder_id)), contract.c.aangemaakt_op, contract.c.id, first, after
    )
    rijen = [ContractRij(**r._mapping) for r in (await vz.conn.execute(query)).all()]
    return Pagina([(maak_cursor(r.aangemaakt_op, r.id), r) for r in rijen[:aantal]], len(rijen) > aantal)


async def tel(vz: Verzoek, aanbieder_id: str | None) -> int:
    sub = _basis(vz).where(_filter(aanbieder_id)).subquery()
    return int(await vz.conn.scalar(sa.select(sa.func.count()).select_from(sub)) or 0)


async def per_aanbieder(vz: Verzoek, aanbieder_ids: Sequence[str]) -> dict[str, list[ContractRij]]:
    """Alle contracten per aanbieder in één query, voor de DataLoader."""
    query = (
        _basis(vz)
        .where(contract.c.aanbieder_id.in_(list(aanbieder_ids)))
        .order_by(contract.c.aangemaakt_op, contract.c.id)
    )
    uit: dict[str, list[ContractRij]] = {a: [] for a in aanbieder_ids}
    for r in (await vz.conn.execute(query)).all():
        uit[r.aanbieder_id].append(ContractRij(**r._mapping))
    return uit


async def op_ids(vz: Verzoek, ids: Sequence[str]) -> dict[str, ContractRij]:
    rijen = (await vz.conn.execute(_basis(vz).where(contract.c.id.in_(list(ids))))).all()
    return {r.id: ContractRij(**r._mapping) for r in rijen}


async def gemeenten_van(vz: Verzoek, contract_ids: Sequence[str]) -> dict[str, list[str]]:
    vz.eis(RESOURCE, Actie.LEZEN)
    query = (
        sa.select(contract_gemeente.c.contract_id, contract_gemeente.c.gemeente_code)
        .where(contract_gemeente.c.contract_id.in_(list(contract_ids)))
        .order_by(contract_gemeente.c.gemeente_code)
    )
    uit: dict[str, list[str]] = {c: [] for c in contract_ids}
    for r in (await vz.conn.execute(query)).all():
        uit[r.contract_id].append(r.gemeente_code)
    return uit


async def budgetten_van(vz: Verzoek, contract_ids: Sequence[str]) -> dict[str, list[Budgetplafond]]:
    vz.eis(RESOURCE, Actie.LEZEN)
    query = (
        sa.select(contract_budget)
        .where(contract_budget.c.contract_id.in_(list(contract_ids)))
        .order_by(contract_budget.c.jaar)
    )
    uit: dict[str, list[Budgetplafond]] = {c: [] for c in contract_ids}
    for r in (await vz.conn.execute(query)).all():
        uit[r.contract_id].append(Budgetplafond(r.jaar, Decimal(r.plafond)))
    return uit


def _controleer(invoer: ContractInvoer) -> tuple[str, list[str], list[str], str]:
    naam = controleer_tekst(invoer.naam, "naam", maximaal=200)
    manager = controleer_tekst(invoer.contractmanager, "contractmanager", maximaal=200)
    percelen = [controleer_tekst(p, "percelen", maximaal=200) for p in invoer.percelen]
    if not percelen:
        raise OngeldigeInvoer("Noem minstens één perceel of product.", veld="percelen")
    gemeenten = sorted(set(invoer.deelnemende_gemeenten))
    onbekend = [g for g in gemeenten if g not in GEMEENTEN]
    if onbekend:
        raise OngeldigeInvoer(
            f"Onbekende gemeentecode(s) {', '.join(onbekend)}; gebruik CBS-codes van de regio.",
            veld="deelnemendeGemeenten",
        )
    if not gemeenten:
        raise OngeldigeInvoer("Noem minstens één deelnemende gemeente.", veld="deelnemendeGemeenten")
    if invoer.soort in (ContractSoort.DEELCONTRACT, ContractSoort.MAATWERK) and len(gemeenten) != 1:
        raise OngeldigeInvoer(
            "Een deelcontract of maatwerkovereenkomst hoort bij precies één gemeente.",
            veld="deelnemendeGemeenten",
        )
    if invoer.einddatum is not None and invoer.einddatum < invoer.ingangsdatum:
        raise OngeldigeInvoer("De einddatum ligt vóór de ingangsdatum.", veld="einddatum")
    jaren = [b.jaar for b in invoer.budgetplafonds]
    if len(jaren) != len(set(jaren)):
        raise OngeldigeInvoer("Geef per jaar hoogstens één budgetplafond.", veld="budgetplafonds")
    eindjaar = invoer.einddatum.year if invoer.einddatum else 9999
    for b in invoer.budgetplafonds:
        controleer_jaar(b.jaar, "budgetplafonds")
        if not b.bedrag.is_finite() or b.bedrag > MAX_PLAFOND:
            raise OngeldigeInvoer(f"Een budgetplafond is een bedrag tot {MAX_PLAFOND} euro.", veld="budgetplafonds")
        if b.bedrag < 0:
            raise OngeldigeInvoer("Een budgetplafond kan niet negatief zijn.", veld="budgetplafonds")
        if not invoer.ingangsdatum.year <= b.jaar <= eindjaar:
            raise OngeldigeInvoer(f"Het budgetjaar {b.jaar} valt buiten de looptijd.", veld="budgetplafonds")
    return naam, percelen, gemeenten, manager


async def registreer(vz: Verzoek, invoer: ContractInvoer) -> ContractRij:
    besluit = vz.eis(RESOURCE, Actie.SCHRIJVEN)
    naam, percelen, gemeenten, manager = _controleer(invoer)
    bestaat = await vz.conn.scalar(sa.select(aanbieder.c.id).where(aanbieder.c.id == invoer.aanbieder_id))
    if bestaat is None:
        raise OngeldigeInvoer("Deze aanbieder bestaat niet; registreer die eerst.", veld="aanbiederId")
    rij = ContractRij(
        str(uuid.uuid4()),
        invoer.aanbieder_id,
        str(invoer.soort),
        naam,
        percelen,
        invoer.ingangsdatum,
        invoer.einddatum,
        manager,
        vz.nu(),
    )
    await vz.conn.execute(contract.insert().values(**rij.__dict__))
    await vz.conn.execute(contract_gemeente.insert(), [{"contract_id": rij.id, "gemeente_code": g} for g in gemeenten])
    await vz.conn.execute(
        contract_perceel.insert(),
        [{"contract_id": rij.id, "perceel": p} for p in sorted({p.lower() for p in percelen})],
    )
    if invoer.budgetplafonds:
        await vz.conn.execute(
            contract_budget.insert(),
            [{"contract_id": rij.id, "jaar": b.jaar, "plafond": b.bedrag} for b in invoer.budgetplafonds],
        )
    vz.registratie(besluit, object_type=RESOURCE, object_id=rij.id, verantwoordelijke=ROB)
    return rij
