"""Bewaartermijnen (Bijlage 1 art. 3.1 en art. 11; toegang.md regel 6): na afloop weg, onomkeerbaar.

A casus is closed by ``sluitCasus``; a melding is closed when its route reaches an end state. When the
bewaartermijn of its category has passed on the peildatum, its persoonsgegevens are removed from the
tables themselves: the inwoner row and the betrokkenen rows are deleted, free texts that may name
people (hulpvraag, samenvatting, toelichtingen, omschrijving of its signalen) are emptied, leefdomeinen
cleared; the signaal a melding came from loses its texts with the melding. What stays has no persons
in it: ids, status, dates, categorie, aanbieder, gemeente, and the stapgebeurtenissen behind the
statistics, so aggregates keep their numbers (art. 3.1: reports only in a form that no longer
identifies). The audit log keeps its keyed pseudonyms and stays a valid chain; each removal is itself
an audit record, kept for the gemeente that owns the data.

Removal runs in batches, each one transaction with its audit records: a crash loses at most the
batch in progress, which the next run (same peildatum or later) picks up. Running again is a no-op.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from domein.actor import ROB
from domein.audit import AuditRegel, Operatie, Systeemtaak, Uitkomst
from domein.opslag.tabellen import (
    archiefraadpleging,
    casus,
    casus_persoonsgegevens,
    melding,
    melding_betrokkene,
    melding_handeling,
    signaal,
    signaal_stap,
)
from domein.route import Route, standaard_routes
from domein.waarden import CasusStatus, MeldingSoort, controleer_datum
from domein.werkeenheid import werkeenheid

_DUUR = re.compile(r"P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?")
UITVOERDER = "regiekamer bewaartermijn"
DOEL = "archivering"
ACTIVITEIT = "persoonsgegevens vernietigen na bewaartermijn"


@dataclass(frozen=True)
class Duur:
    """Een ISO 8601-duur in jaren, maanden en dagen (P15Y, P6M, P30D, P1Y6M)."""

    jaren: int = 0
    maanden: int = 0
    dagen: int = 0

    @classmethod
    def lees(cls, tekst: str) -> Duur:
        m = _DUUR.fullmatch(tekst.strip().upper())
        if not m or not any(m.groups()):
            raise ValueError(f"'{tekst}' is geen bewaartermijn; schrijf een ISO-duur zoals P15Y, P6M of P30D.")
        return cls(*(int(g or 0) for g in m.groups()))

    def voor(self, d: date) -> date:
        """De datum deze duur vóór ``d`` (31 maart min een maand: 28 of 29 februari)."""
        maanden = d.year * 12 + d.month - 1 - self.jaren * 12 - self.maanden
        jaar, maand = divmod(maanden, 12)
        volgende = date(jaar + (maand == 11), (maand + 1) % 12 + 1, 1)
        dag = min(d.day, (volgende - timedelta(days=1)).day)
        return date(jaar, maand + 1, dag) - timedelta(days=self.dagen)

    def __str__(self) -> str:
        delen = [(self.jaren, "Y"), (self.maanden, "M"), (self.dagen, "D")]
        return "P" + "".join(f"{n}{s}" for n, s in delen if n) if any(n for n, _ in delen) else "P0D"


@dataclass(frozen=True)
class Bewaartermijnen:
    """Per categorie; de standaarden staan in de README (configureer met REGIEKAMER_BEWAARTERMIJN_*)."""

    casus: Duur = Duur(jaren=15)
    melding_rmz: Duur = Duur(jaren=5)
    melding_contractmanager: Duur = Duur(jaren=5)


def _grens(peildatum: date, duur: Duur) -> datetime:
    """Gesloten vóór dit moment = termijn verstreken op de peildatum (gesloten op dag d + duur ≤ peildatum)."""
    d = duur.voor(peildatum) + timedelta(days=1)
    return datetime(d.year, d.month, d.day, tzinfo=UTC)


@dataclass(frozen=True)
class _Categorie:
    naam: str
    tabel: sa.Table
    kandidaat: Callable[[datetime], sa.ColumnElement[bool]]
    verwijder: Callable[[AsyncConnection, list[str], datetime], Awaitable[dict[str, set[str]]]]
    """Removes the persoonsgegevens of these ids; returns the pseudonyms that were removed, per id."""


def _melding_gesloten(routes: dict[str, Route], soort: str, grens: datetime) -> sa.ColumnElement[bool]:
    eind = [
        sa.and_(melding.c.route == naam, melding.c.status.in_([c for c, t in r.toestanden.items() if t.eind]))
        for naam, r in routes.items()
    ]
    return sa.and_(
        melding.c.soort == soort,
        sa.or_(*eind) if eind else sa.false(),
        melding.c.gewijzigd_op < grens,
        melding.c.persoonsgegevens_verwijderd_op.is_(None),
    )


async def _pseudoniemen(
    conn: AsyncConnection, kolom: sa.Column[str], sleutel: sa.Column[str], ids: list[str]
) -> dict[str, set[str]]:
    uit: dict[str, set[str]] = {i: set() for i in ids}
    for r in (await conn.execute(sa.select(sleutel, kolom).where(sleutel.in_(ids)))).all():
        uit[r[0]].add(r[1])
    return uit


async def _wis_signalen(conn: AsyncConnection, signaal_ids: sa.Select[tuple[str]]) -> None:
    await conn.execute(signaal_stap.update().where(signaal_stap.c.signaal_id.in_(signaal_ids)).values(gegevens={}))
    await conn.execute(signaal.update().where(signaal.c.id.in_(signaal_ids)).values(omschrijving=""))


async def _verwijder_casussen(conn: AsyncConnection, ids: list[str], nu: datetime) -> dict[str, set[str]]:
    pg = casus_persoonsgegevens
    weg = await _pseudoniemen(conn, pg.c.pseudoniem, pg.c.casus_id, ids)
    await conn.execute(pg.delete().where(pg.c.casus_id.in_(ids)))
    await _wis_signalen(conn, sa.select(signaal.c.id).where(signaal.c.casus_id.in_(ids)))
    await conn.execute(
        casus.update().where(casus.c.id.in_(ids)).values(leefdomeinen=[], persoonsgegevens_verwijderd_op=nu)
    )
    return weg


async def _verwijder_meldingen(conn: AsyncConnection, ids: list[str], nu: datetime) -> dict[str, set[str]]:
    b = melding_betrokkene
    weg = await _pseudoniemen(conn, b.c.pseudoniem, b.c.melding_id, ids)
    await conn.execute(b.delete().where(b.c.melding_id.in_(ids)))
    # The melding's samenvatting and steps were copied from its signaal: that text goes too.
    await _wis_signalen(
        conn, sa.select(melding.c.signaal_id).where(melding.c.id.in_(ids), melding.c.signaal_id.is_not(None))
    )
    await conn.execute(melding_handeling.update().where(melding_handeling.c.melding_id.in_(ids)).values(gegevens={}))
    # Why someone consulted the archive may name people as well.
    await conn.execute(archiefraadpleging.update().where(archiefraadpleging.c.melding_id.in_(ids)).values(reden=""))
    for r in (await conn.execute(sa.select(melding.c.id, melding.c.stappen).where(melding.c.id.in_(ids)))).all():
        stappen = [{k: v for k, v in s.items() if k in ("toestand", "titel")} for s in r.stappen or []]
        await conn.execute(
            melding.update()
            .where(melding.c.id == r.id)
            .values(samenvatting="", stappen=stappen, persoonsgegevens_verwijderd_op=nu)
        )
    return weg


def categorieen(
    termijnen: Bewaartermijnen, peildatum: date, routes: dict[str, Route]
) -> list[tuple[_Categorie, datetime]]:
    def casus_gesloten(g: datetime) -> sa.ColumnElement[bool]:
        return sa.and_(
            casus.c.status == str(CasusStatus.GESLOTEN),
            casus.c.gesloten_op < g,
            casus.c.persoonsgegevens_verwijderd_op.is_(None),
        )

    def melding_gesloten(soort: MeldingSoort) -> Callable[[datetime], sa.ColumnElement[bool]]:
        return lambda g: _melding_gesloten(routes, str(soort), g)

    uit = [(_Categorie("casus", casus, casus_gesloten, _verwijder_casussen), _grens(peildatum, termijnen.casus))]
    for soort, duur in ((MeldingSoort.RMZ, termijnen.melding_rmz),
                        (MeldingSoort.CONTRACTMANAGER, termijnen.melding_contractmanager)):  # fmt: skip
        cat = _Categorie(f"melding.{soort}", melding, melding_gesloten(soort), _verwijder_meldingen)
        uit.append((cat, _grens(peildatum, duur)))
    return uit


def _auditregels(cat: _Categorie, weg: dict[str, set[str]], eigenaars: dict[str, str]) -> list[AuditRegel]:
    soort = "casus" if cat.tabel is casus else "melding"
    categorie = (
        {"persoonsgegevens.identificatie", "persoonsgegevens.zorgbehoefte"} if soort == "casus"
        else {"persoonsgegevens.betrokkenen"}
    )  # fmt: skip
    return [
        AuditRegel(
            # Carried out for the gemeente that owns the data (its retention duty), not as ROB processing:
            # the ROB's privacy officer must not learn whose casussen a gemeente held.
            actor=Systeemtaak(UITVOERDER, organisatie=eigenaars[id_]),
            doel=DOEL,
            verwerkingsactiviteit=ACTIVITEIT,
            operatie=Operatie.VERNIETIGEN,
            object_type=soort,
            object_id=id_,
            verantwoordelijke=eigenaars[id_],
            uitkomst=Uitkomst.GESLAAGD,
            categorieen=categorie,
            betrokkenen=pseudoniemen,
        )
        for id_, pseudoniemen in weg.items()
    ]


def _eigenaar(tabel: sa.Table) -> sa.ColumnElement[str]:
    """Whose retention duty it is: the gemeente that provided the data, or the ROB for what the RMZ received itself."""
    if tabel is melding:
        return sa.func.coalesce(melding.c.melder_gemeente, ROB)
    return tabel.c.gemeente_code


async def _batch(engine: AsyncEngine, cat: _Categorie, grens: datetime, grootte: int) -> int:
    async with werkeenheid(engine) as eenheid:
        conn = eenheid.conn
        query = (
            sa.select(cat.tabel.c.id, _eigenaar(cat.tabel).label("gemeente_code"))
            .where(cat.kandidaat(grens))
            .order_by(cat.tabel.c.id)
            .limit(grootte)
        )
        if conn.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        eigenaars = {r.id: r.gemeente_code for r in (await conn.execute(query)).all()}
        if not eigenaars:
            return 0
        weg = await cat.verwijder(conn, sorted(eigenaars), datetime.now(UTC))
        eenheid.audit.voeg_toe_alle(_auditregels(cat, weg, eigenaars))
    return len(eigenaars)


async def toepassen(
    engine: AsyncEngine,
    termijnen: Bewaartermijnen,
    peildatum: date,
    *,
    grootte: int = 200,
    voortgang: Callable[[str, int], None] | None = None,
    routes: dict[str, Route] | None = None,
) -> dict[str, int]:
    """Verwijdert in batches; geeft per categorie het aantal objecten waarvan persoonsgegevens weg zijn."""
    if grootte < 1:
        raise ValueError("De batchgrootte moet minstens 1 zijn.")
    controleer_datum(peildatum, "peildatum")  # the year 1 or 9999: date arithmetic with the termijnen overflows
    uit: dict[str, int] = {}
    for cat, grens in categorieen(termijnen, peildatum, routes or standaard_routes()):
        uit[cat.naam] = 0
        while aantal := await _batch(engine, cat, grens, grootte):
            uit[cat.naam] += aantal
            if voortgang is not None:
                voortgang(cat.naam, uit[cat.naam])
    return uit
