"""Datalekken (Bijlage 1 art. 4.2, AVG art. 33): vastleggen, de anderen meteen informeren, 72 uur bewaken.

The privacy officer who discovers a leak records what happened, when it was discovered, which
categories of data and which of their own casussen or meldingen are involved. Every other
organisation of the cooperation (the other gemeenten and the ROB) gets a notice in the same
transaction, visible in its ``datalekken``. The report to the Autoriteit Persoonsgegevens is due
72 hours after discovery; the deadline and its state are derived, never stored, so they cannot drift.
Other organisations see which gemeenten are involved, never the casus or melding ids of someone else.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import NoReturn

import sqlalchemy as sa

from domein.actor import GEMEENTEN, ROB
from domein.audit import Uitkomst
from domein.bereik import voorwaarde
from domein.fouten import NietGevonden, OngeldigeInvoer, OngeldigeOvergang
from domein.opslag.tabellen import casus, datalek, datalek_melding, datalek_object, melding
from domein.paginering import Pagina, maak_cursor, pagineer
from domein.toegang import Actie, Besluit
from domein.verzoek import Verzoek
from domein.waarden import als_utc, controleer_tekst

RESOURCE = "datalek"
AP_TERMIJN = timedelta(hours=72)
ORGANISATIES = (*GEMEENTEN, ROB)


class Gegevenscategorie(StrEnum):
    IDENTIFICATIE = "identificatie"
    ZORGBEHOEFTE = "zorgbehoefte"  # gezondheid: bijzondere persoonsgegevens (AVG art. 9)
    BETROKKENEN = "betrokkenen"
    CONTACTGEGEVENS = "contactgegevens"
    FINANCIEEL = "financieel"
    OVERIG = "overig"


class ApStatus(StrEnum):
    OPEN = "open"  # not reported, deadline still ahead
    VERLOPEN = "verlopen"  # not reported, deadline passed
    OP_TIJD = "op_tijd"
    TE_LAAT = "te_laat"


@dataclass(frozen=True)
class DatalekInvoer:
    omschrijving: str
    ontdekt_op: datetime
    categorieen: Sequence[Gegevenscategorie]
    casus_ids: Sequence[str]
    melding_ids: Sequence[str]


@dataclass(frozen=True)
class Datalek:
    id: str
    organisatie: str
    omschrijving: str
    ontdekt_op: datetime
    categorieen: list[str]
    geregistreerd_op: datetime
    ap_gemeld_op: datetime | None
    ap_kenmerk: str | None
    betrokken_gemeenten: list[str]
    meldingen: list[tuple[str, datetime]]
    objecten: list[tuple[str, str]]  # only for the registering organisation; empty for the others

    @property
    def ap_deadline(self) -> datetime:
        return als_utc(self.ontdekt_op) + AP_TERMIJN

    def ap_status(self, nu: datetime) -> ApStatus:
        if self.ap_gemeld_op is not None:
            return ApStatus.OP_TIJD if als_utc(self.ap_gemeld_op) <= self.ap_deadline else ApStatus.TE_LAAT
        return ApStatus.OPEN if nu <= self.ap_deadline else ApStatus.VERLOPEN


async def _niet_gevonden(vz: Verzoek, tabel: sa.Table, soort: str, id_: str) -> NoReturn:
    """Same answer for 'absent' and 'elsewhere'; the probe lands in the owner's audit log, like casus.op_id."""
    eigenaar_kolom = tabel.c.organisatie if tabel is datalek else tabel.c.gemeente_code
    eigenaar = await vz.conn.scalar(sa.select(eigenaar_kolom).where(tabel.c.id == id_))
    vz.weigering(soort, Actie.LEZEN, object_id=id_, verantwoordelijke=eigenaar, uitkomst=Uitkomst.NIET_GEVONDEN)
    raise NietGevonden()


async def _eigen_objecten(vz: Verzoek, invoer: DatalekInvoer) -> dict[tuple[str, str], str]:
    """De genoemde casussen en meldingen met hun gemeente; wat buiten het eigen bereik valt, bestaat niet.

    A gemeente names its own casussen and meldingen; the ROB names meldingen (it processes them for all
    gemeenten) and no casussen (it holds none). Anything else answers exactly like an unknown id.
    """
    uit: dict[tuple[str, str], str] = {}
    eigen = vz.actor.gemeente
    for soort, tabel, ids in (("casus", casus, invoer.casus_ids), ("melding", melding, invoer.melding_ids)):
        gevraagd = set(ids)
        if not gevraagd:
            continue
        if eigen is None and soort == "casus":
            await _niet_gevonden(vz, tabel, soort, sorted(gevraagd)[0])
        query = sa.select(tabel.c.id, tabel.c.gemeente_code).where(tabel.c.id.in_(gevraagd))
        if eigen is not None:
            # A gemeente's meldingen are those it made, not what the RMZ received about it from others.
            query = query.where((tabel.c.melder_gemeente if tabel is melding else tabel.c.gemeente_code) == eigen)
        gevonden = {r.id: r.gemeente_code for r in (await vz.conn.execute(query)).all()}
        if set(gevonden) != gevraagd:
            await _niet_gevonden(vz, tabel, soort, sorted(gevraagd - set(gevonden))[0])
        uit |= {(soort, i): g for i, g in gevonden.items()}
    return uit


async def registreer(vz: Verzoek, invoer: DatalekInvoer) -> Datalek:
    besluit = vz.eis(RESOURCE, Actie.SCHRIJVEN)
    # Every organisation reads it: controleer_tekst refuses a BSN; name the casussen by id in casusIds.
    omschrijving = controleer_tekst(invoer.omschrijving, "omschrijving", maximaal=5000)
    nu = vz.nu()
    ontdekt = als_utc(invoer.ontdekt_op)
    if ontdekt > nu + timedelta(minutes=5):
        raise OngeldigeInvoer("'ontdektOp' ligt in de toekomst.", veld="ontdektOp")
    if not invoer.categorieen:
        raise OngeldigeInvoer("Noem minstens één categorie gegevens.", veld="categorieen")
    objecten = await _eigen_objecten(vz, invoer)
    id_ = str(uuid.uuid4())
    eigen = vz.actor.organisatie
    categorieen = sorted({str(c) for c in invoer.categorieen})
    await vz.conn.execute(
        datalek.insert().values(
            id=id_,
            organisatie=eigen,
            omschrijving=omschrijving,
            ontdekt_op=ontdekt,
            categorieen=categorieen,
            geregistreerd_op=nu,
            geregistreerd_door=vz.actor.sub,
        )
    )
    if objecten:
        await vz.conn.execute(
            datalek_object.insert(),
            [
                {"datalek_id": id_, "object_type": t, "object_id": i, "gemeente_code": g}
                for (t, i), g in objecten.items()
            ],
        )
    anderen = [o for o in ORGANISATIES if o != eigen]
    await vz.conn.execute(
        datalek_melding.insert(), [{"datalek_id": id_, "organisatie": o, "gemeld_op": nu} for o in anderen]
    )
    vz.registratie(besluit, object_type=RESOURCE, object_id=id_, verantwoordelijke=eigen,
                   activiteit="datalek registreren", vertrouwelijkheid="vertrouwelijk")  # fmt: skip
    for o in anderen:
        vz.registratie(besluit, object_type=RESOURCE, object_id=id_, verantwoordelijke=o,
                       activiteit="privacy officer informeren over datalek")  # fmt: skip
    return (await _lees(vz, besluit, [id_]))[id_]


def _zichtbaar(vz: Verzoek, besluit: Besluit) -> sa.ColumnElement[bool]:
    ontvangen = sa.select(datalek_melding.c.datalek_id).where(
        voorwaarde(besluit, vz.actor, datalek_melding.c.organisatie)
    )
    return sa.or_(voorwaarde(besluit, vz.actor, datalek.c.organisatie), datalek.c.id.in_(ontvangen))


async def _lees(vz: Verzoek, besluit: Besluit, ids: list[str]) -> dict[str, Datalek]:
    if not ids:
        return {}
    d = datalek.c
    rijen = (await vz.conn.execute(sa.select(datalek).where(d.id.in_(ids), _zichtbaar(vz, besluit)))).all()
    meldingen: dict[str, list[tuple[str, datetime]]] = {r.id: [] for r in rijen}
    for m in (
        await vz.conn.execute(
            sa.select(datalek_melding).where(datalek_melding.c.datalek_id.in_(meldingen)).order_by(
                datalek_melding.c.organisatie)
        )
    ).all():  # fmt: skip
        meldingen[m.datalek_id].append((m.organisatie, m.gemeld_op))
    objecten: dict[str, list[tuple[str, str, str]]] = {r.id: [] for r in rijen}
    for o in (await vz.conn.execute(sa.select(datalek_object).where(datalek_object.c.datalek_id.in_(meldingen)))).all():
        objecten[o.datalek_id].append((o.object_type, o.object_id, o.gemeente_code))
    uit = {}
    for r in rijen:
        eigen = r.organisatie == vz.actor.organisatie
        gemeenten = sorted({g for _, _, g in objecten[r.id]} or ({r.organisatie} & set(GEMEENTEN)))
        uit[r.id] = Datalek(
            r.id, r.organisatie, r.omschrijving, r.ontdekt_op, list(r.categorieen), r.geregistreerd_op,
            r.ap_gemeld_op, r.ap_kenmerk, gemeenten, meldingen[r.id],
            sorted((t, i) for t, i, _ in objecten[r.id]) if eigen else [],
        )  # fmt: skip
    for id_ in uit:
        vz.raadpleging(besluit, object_type=RESOURCE, object_id=id_, verantwoordelijke=vz.actor.organisatie,
                       activiteit="datalek raadplegen")  # fmt: skip
    return uit


async def zoek(vz: Verzoek, first: int | None, after: str | None) -> Pagina[Datalek]:
    besluit = vz.eis(RESOURCE, Actie.LEZEN)
    basis = sa.select(datalek.c.id, datalek.c.geregistreerd_op).where(_zichtbaar(vz, besluit))
    query, aantal = pagineer(basis, datalek.c.geregistreerd_op, datalek.c.id, first, after)
    sleutels = [(r.id, r.geregistreerd_op) for r in (await vz.conn.execute(query)).all()]
    gelezen = await _lees(vz, besluit, [i for i, _ in sleutels[:aantal]])
    return Pagina([(maak_cursor(t, i), gelezen[i]) for i, t in sleutels[:aantal]], len(sleutels) > aantal)


async def tel(vz: Verzoek) -> int:
    besluit = vz.eis(RESOURCE, Actie.LEZEN)
    return int(
        await vz.conn.scalar(sa.select(sa.func.count()).select_from(datalek).where(_zichtbaar(vz, besluit))) or 0
    )


async def meld_bij_ap(vz: Verzoek, datalek_id: str, gemeld_op: datetime, kenmerk: str | None) -> Datalek:
    """Legt vast dat de registrerende organisatie het lek bij de Autoriteit Persoonsgegevens meldde."""
    besluit = vz.eis(RESOURCE, Actie.SCHRIJVEN)
    d = datalek.c
    rij = (
        await vz.conn.execute(
            sa.select(d.ontdekt_op, d.ap_gemeld_op).where(
                d.id == datalek_id, voorwaarde(besluit, vz.actor, d.organisatie)
            )
        )
    ).first()
    if rij is None:
        await _niet_gevonden(vz, datalek, RESOURCE, datalek_id)
    if rij.ap_gemeld_op is not None:
        raise OngeldigeOvergang("Dit datalek is al bij de Autoriteit Persoonsgegevens gemeld.")
    gemeld = als_utc(gemeld_op)
    if gemeld < als_utc(rij.ontdekt_op) or gemeld > vz.nu() + timedelta(minutes=5):
        raise OngeldigeInvoer("'gemeldOp' ligt vóór de ontdekking of in de toekomst.", veld="gemeldOp")
    kenmerk = controleer_tekst(kenmerk, "kenmerk", maximaal=100, verplicht=False) if kenmerk else None
    await vz.conn.execute(datalek.update().where(d.id == datalek_id).values(ap_gemeld_op=gemeld, ap_kenmerk=kenmerk))
    vz.registratie(besluit, object_type=RESOURCE, object_id=datalek_id, verantwoordelijke=vz.actor.organisatie,
                   activiteit="datalek gemeld bij de Autoriteit Persoonsgegevens")  # fmt: skip
    return (await _lees(vz, besluit, [datalek_id]))[datalek_id]
