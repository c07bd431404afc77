"""Zorgkosten: maandtotalen per aanbieder, product en gemeente, aangeleverd door de backoffice (seed 004).

No persoonsgegevens: a line is a monthly total, never a cliënt. A delivery is all-or-nothing: every
line is checked first, every bad line is reported with its number, and only a clean delivery is
written. Delivering the same aanbieder, product and month again replaces that month's total (a
correction), so repeating an import is harmless.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa

from domein.actor import ROB
from domein.audit import Operatie
from domein.bereik import voorwaarde
from domein.fouten import OngeldigeInvoer
from domein.opslag.tabellen import aanbieder, zorgkosten
from domein.opslag.upsert import upsert
from domein.toegang import Actie
from domein.verzoek import Verzoek
from domein.waarden import controleer_jaar

RESOURCE = "zorgkosten"
MAX_FOUTEN = 100
MAX_BEDRAG = Decimal("999999999999.99")
_PRODUCT = re.compile(r"^[\w .,/&()+-]{1,40}$")
_MAAND = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True)
class RuweRegel:
    """One line as delivered: the aanbieder by id or by AGB code, texts as given."""

    regel: int
    product: str
    maand: str
    bedrag: str
    aanbieder_id: str | None = None
    agb: str | None = None


@dataclass(frozen=True)
class Zorgkostenregel:
    aanbieder_id: str
    gemeente: str
    product: str
    maand: date
    bedrag: Decimal


@dataclass(frozen=True)
class Aanlevering:
    gemeente: str
    regels: int
    totaal: Decimal


_BEDRAG_NL = re.compile(r"^\d{1,3}(\.\d{3})+(,\d{1,2})?$")  # 1.234,50  12.345.678  (punt = duizendtal)
_BEDRAG_KOMMA = re.compile(r"^\d+(,\d{1,2})?$")  # 1234,50
_BEDRAG_PUNT = re.compile(r"^\d+\.\d{1,2}$")  # 1234.50
_DUBBELZINNIG = re.compile(r"^\d{1,3}[.,]\d{3}$")  # 1.234 or 1,234: thousand, or 1 with three decimals?


def lees_bedrag(tekst: str) -> Decimal:
    """Een bedrag in euro's, op één manier te lezen; wat op twee manieren kan, wordt geweigerd.

    Accepted: ``1234``, ``1234,5``, ``1234,50``, ``1234.50`` (a point followed by one or two digits is a
    decimal point), ``1.234,50`` and ``1.234.567`` (points between groups of three are thousands, the comma
    is the decimal comma), optionally with ``€``. Refused as ambiguous: ``1.234`` and ``1,234`` (a thousand,
    or one with three decimals?) and ``1,234.50`` (English notation: a Dutch file never means it). At most
    two decimals, never negative.
    """
    t = tekst.strip().removeprefix("€").removesuffix("€").strip()  # '€ 1.234,50' and '1.234,50 €' (Excel)
    if _DUBBELZINNIG.match(t):
        raise ValueError(
            f"'{t}' is dubbelzinnig (duizend of een bedrag met drie decimalen?); "
            "schrijf 1234 of 1.234,00 voor duizend, of 1234,50 voor een bedrag met centen"
        )
    if _BEDRAG_NL.match(t):
        t = t.replace(".", "").replace(",", ".")
    elif _BEDRAG_KOMMA.match(t):
        t = t.replace(",", ".")
    elif not _BEDRAG_PUNT.match(t):
        if "," in t and "." in t:
            raise ValueError("schrijf bedragen op de Nederlandse manier, bijvoorbeeld 1.234,50 of 1234,50")
        if re.match(r"^\d+[.,]\d{3,}$", t):
            raise ValueError("hoogstens twee decimalen")
        if t.startswith("-"):
            raise ValueError("een bedrag ligt tussen 0 en 999.999.999.999,99")
        raise ValueError("geen bedrag; schrijf bijvoorbeeld 1234,50 of 1.234,50")
    try:
        waarde = Decimal(t)
    except InvalidOperation:  # not reachable after the patterns above; kept as the last line of defence
        raise ValueError("geen bedrag; schrijf bijvoorbeeld 1234,50") from None
    if waarde > MAX_BEDRAG:
        raise ValueError("een bedrag ligt tussen 0 en 999.999.999.999,99")
    return waarde.quantize(Decimal("0.01"))


def lees_maand(tekst: str, vandaag: date) -> date:
    m = _MAAND.match(tekst.strip())
    if not m or not 1 <= int(m.group(2)) <= 12 or int(m.group(1)) < 2000:
        raise ValueError("schrijf de maand als JJJJ-MM, bijvoorbeeld 2026-03")
    maand = date(int(m.group(1)), int(m.group(2)), 1)
    if maand > vandaag.replace(day=1):
        raise ValueError("deze maand ligt in de toekomst")
    return maand


async def lever_aan(vz: Verzoek, ruw: Sequence[RuweRegel]) -> Aanlevering:
    """Controleert alle regels; schrijft alleen als geen enkele regel fout is."""
    besluit = vz.eis(RESOURCE, Actie.SCHRIJVEN)
    gemeente = vz.actor.gemeente
    if gemeente is None:
        raise OngeldigeInvoer("Alleen de backoffice van een gemeente levert zorgkosten aan.")
    if not ruw:
        vz.weigering(RESOURCE, Actie.SCHRIJVEN, verantwoordelijke=gemeente)
        raise OngeldigeInvoer("De aanlevering bevat geen regels.", veld="regels")
    ids = {r.aanbieder_id for r in ruw if r.aanbieder_id}
    agbs = {r.agb.strip() for r in ruw if r.agb}
    bekend = await vz.conn.execute(
        sa.select(aanbieder.c.id, aanbieder.c.agb).where(sa.or_(aanbieder.c.id.in_(ids), aanbieder.c.agb.in_(agbs)))
    )
    per_id, per_agb = set[str](), dict[str, str]()
    for rij in bekend:
        per_id.add(rij.id)
        per_agb[rij.agb] = rij.id
    vandaag = vz.nu().date()
    fouten: list[dict[str, Any]] = []
    goed: dict[tuple[str, str, date], Zorgkostenregel] = {}
    for r in ruw:

        def fout(veld: str, melding: str, regel: RuweRegel = r) -> None:
            fouten.append({"regel": regel.regel, "veld": veld, "melding": melding})

        aanbieder_id = r.aanbieder_id if r.aanbieder_id in per_id else per_agb.get((r.agb or "").strip())
        if aanbieder_id is None:
            fout("aanbieder", "onbekende aanbieder; gebruik een geregistreerde AGB-code of aanbieder-id")
        product = r.product.strip()
        if not _PRODUCT.match(product):
            fout("product", "geef een productnaam of -code van 1 tot 40 tekens")
        maand = bedrag = None
        try:
            maand = lees_maand(r.maand, vandaag)
        except ValueError as e:
            fout("maand", str(e))
        try:
            bedrag = lees_bedrag(r.bedrag)
        except ValueError as e:
            fout("bedrag", str(e))
        if aanbieder_id is None or maand is None or bedrag is None or not _PRODUCT.match(product):
            continue
        sleutel = (aanbieder_id, product.lower(), maand)
        if sleutel in goed:
            fout("regel", "dezelfde aanbieder, hetzelfde product en dezelfde maand staan al eerder in deze aanlevering")
            continue
        goed[sleutel] = Zorgkostenregel(aanbieder_id, gemeente, product, maand, bedrag)
    if fouten:
        # A refused delivery is a denied attempt: audited, whichever way it came in (toegang.md rule 7).
        vz.weigering(RESOURCE, Actie.SCHRIJVEN, verantwoordelijke=gemeente)
        raise OngeldigeInvoer(
            f"{len({f['regel'] for f in fouten})} van de {len(ruw)} regels zijn niet in orde; er is niets opgeslagen. "
            "Verbeter de genoemde regels en lever opnieuw aan.",
            veld="regels",
            fouten=fouten[:MAX_FOUTEN],
        )
    nu = vz.nu()
    await upsert(
        vz.conn,
        zorgkosten,
        [
            {
                "gemeente_code": g.gemeente,
                "aanbieder_id": g.aanbieder_id,
                "product": g.product,
                "maand": g.maand,
                "bedrag": g.bedrag,
                "aangeleverd_op": nu,
                "aangeleverd_door": vz.actor.sub,
            }
            for g in goed.values()
        ],
        ["gemeente_code", "aanbieder_id", "product", "maand"],
    )
    totaal = sum((g.bedrag for g in goed.values()), Decimal("0.00"))
    maanden = [g.maand for g in goed.values()]
    vz.registratie(
        besluit,
        object_type=RESOURCE,
        object_id=f"{gemeente}:{min(maanden):%Y-%m}..{max(maanden):%Y-%m}",
        verantwoordelijke=gemeente,
        activiteit=f"zorgkosten aanleveren ({len(goed)} regels)",
        operatie=Operatie.REGISTREREN,
    )
    return Aanlevering(gemeente, len(goed), totaal)


async def zoek(vz: Verzoek, jaar: int, aanbieder_id: str | None) -> list[Zorgkostenregel]:
    """Maandtotalen van één jaar, binnen het bereik van de rol (eigen gemeente of de regio)."""
    besluit = vz.eis(RESOURCE, Actie.LEZEN)
    controleer_jaar(jaar)
    z = zorgkosten.c
    query = (
        sa.select(z.aanbieder_id, z.gemeente_code, z.product, z.maand, z.bedrag)
        .where(
            voorwaarde(besluit, vz.actor, z.gemeente_code),
            z.maand >= date(jaar, 1, 1),
            z.maand <= date(jaar, 12, 1),
            sa.true() if aanbieder_id is None else z.aanbieder_id == aanbieder_id,
        )
        .order_by(z.maand, z.gemeente_code, z.aanbieder_id, z.product)
        .limit(10_001)
    )
    rijen = (await vz.conn.execute(query)).all()
    if len(rijen) > 10_000:
        raise OngeldigeInvoer("Meer dan 10.000 regels; kies één aanbieder.", veld="aanbiederId")
    vz.raadpleging(
        besluit,
        object_type=RESOURCE,
        object_id=f"{jaar}" + (f":{aanbieder_id}" if aanbieder_id else ""),
        verantwoordelijke=vz.actor.gemeente or ROB,
        activiteit="zorgkosten raadplegen",
    )
    return [Zorgkostenregel(r.aanbieder_id, r.gemeente_code, r.product, r.maand, Decimal(r.bedrag)) for r in rijen]
