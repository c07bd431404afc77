"""Keyset-paginering, zodat cursors niets verraden over andermans rijen.

A cursor holds only the sort key of a row the user could already see; a forged cursor only moves
the window within the user's own scope. Global sequence numbers are never exposed.

Two forms: ``pagineer`` (forward only, on (aangemaakt_op, id), cursor ``[tijd, id]``) for the lists
that need no more, and ``pagineer_volgens`` for a list with a chosen order (``Volgorde``): forward and
backward (first/after, last/before), with hasPreviousPage/hasNextPage per the Relay cursor
specification, and a cursor that names its order, so a cursor of one order is refused by another.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Generic, TypeVar

import sqlalchemy as sa

from domein.fouten import OngeldigeInvoer
from domein.waarden import LAATSTE_DATUM, VROEGSTE_DATUM, als_utc, bevat_ongeldig_teken

MAX_FIRST = 100
STANDAARD_FIRST = 20

T = TypeVar("T")


Vraag = bool | Callable[[], Awaitable[bool]]
"""An answer known now, or a question to the database asked only when the client selects the field."""


@dataclass(frozen=True)
class Pagina(Generic[T]):
    items: list[tuple[str, T]]  # (cursor, item)
    heeft_volgende: Vraag
    heeft_vorige: Vraag = False
    """False where the list cannot tell cheaply: the Relay spec allows it for forward pagination."""


def periode(kolom: Any, vanaf: datetime | None, tot: datetime | None) -> list[Any]:
    """De voorwaarden van een periodefilter op ``kolom``: vanaf telt mee, tot niet; vanaf moet vóór tot liggen."""
    van = als_utc(vanaf) if vanaf is not None else None
    tm = als_utc(tot) if tot is not None else None
    if van is not None and tm is not None and van >= tm:
        raise OngeldigeInvoer(
            "'aangemaaktVanaf' moet vóór 'aangemaaktTot' liggen (vanaf telt mee, tot niet).",
            veld="filter.aangemaaktVanaf",
        )
    uit = []
    if van is not None:
        uit.append(kolom >= sa.literal(van, kolom.type))
    if tm is not None:
        uit.append(kolom < sa.literal(tm, kolom.type))
    return uit


def maak_cursor(aangemaakt_op: datetime, id_: str) -> str:
    tekst = json.dumps([aangemaakt_op.isoformat(), id_], separators=(",", ":"))
    return base64.urlsafe_b64encode(tekst.encode()).decode().rstrip("=")


def lees_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        opgevuld = cursor + "=" * (-len(cursor) % 4)
        tijd, id_ = json.loads(base64.urlsafe_b64decode(opgevuld.encode()))
        moment, sleutel = datetime.fromisoformat(tijd), str(id_)
        # A forged cursor is input like any other: no NUL for PostgreSQL, no moment outside its range.
        if bevat_ongeldig_teken(sleutel) or not VROEGSTE_DATUM <= moment.date() <= LAATSTE_DATUM:
            raise ValueError(tijd)
        return moment, sleutel
    except (ValueError, TypeError, RecursionError):
        raise OngeldigeInvoer(
            "Deze cursor is ongeldig; gebruik een endCursor uit een eerder antwoord.", veld="after"
        ) from None


def controleer_first(first: int | None) -> int:
    return controleer_aantal(first, "first")


def pagineer(
    query: sa.Select[Any], tijd_kolom: Any, id_kolom: Any, first: int | None, after: str | None
) -> tuple[sa.Select[Any], int]:
    """Voegt volgorde, keyset-voorwaarde en limiet toe; vraagt één rij extra voor hasNextPage."""
    aantal = controleer_first(first)
    if after:
        tijd, id_ = lees_cursor(after)
        query = query.where(sa.tuple_(tijd_kolom, id_kolom) > sa.tuple_(sa.literal(tijd, tijd_kolom.type), id_))
    return query.order_by(tijd_kolom, id_kolom).limit(aantal + 1), aantal


class Richting(StrEnum):
    OPLOPEND = "oplopend"
    AFLOPEND = "aflopend"


@dataclass(frozen=True)
class Sleutel:
    """Eén kolom van een sorteersleutel: de SQL-expressie, de waarde in een rij en het soort waarde."""

    expressie: Any
    uit_rij: Callable[[Any], Any]
    soort: type  # datetime, int or str


@dataclass(frozen=True)
class Volgorde:
    """Een volgorde van een lijst: sleutels (de laatste uniek), één richting voor alle sleutels.

    ``naam`` goes into every cursor, so a cursor made under one order is refused under another. ``naam``
    None keeps the plain ``[tijd, id]`` cursor of ``pagineer`` (the default order of a list, whose
    earlier cursors stay valid).
    """

    naam: str | None
    sleutels: tuple[Sleutel, ...]
    richting: Richting = Richting.OPLOPEND

    def cursor(self, rij: Any) -> str:
        waarden = [_naar_json(s.uit_rij(rij)) for s in self.sleutels]
        inhoud = [self.naam, *waarden] if self.naam else waarden
        tekst = json.dumps(inhoud, separators=(",", ":"))
        return base64.urlsafe_b64encode(tekst.encode()).decode().rstrip("=")

    def lees(self, cursor: str, veld: str) -> tuple[Any, ...]:
        """De sleutel uit een cursor van deze volgorde; een cursor van een andere volgorde is ongeldige invoer."""
        try:
            inhoud = json.loads(base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode()))
        except (ValueError, TypeError, RecursionError):  # RecursionError: a cursor of deeply nested lists
            raise _ongeldige_cursor(veld) from None
        if not isinstance(inhoud, list):
            raise _ongeldige_cursor(veld)
        if _is_volgordenaam(inhoud[0] if inhoud else None) != bool(self.naam) or (self.naam and inhoud[0] != self.naam):
            raise OngeldigeInvoer(
                "Deze cursor hoort bij een andere volgorde; vraag de eerste pagina opnieuw op met deze volgorde.",
                veld=veld,
            )
        waarden = inhoud[1:] if self.naam else inhoud
        if len(waarden) != len(self.sleutels):
            raise _ongeldige_cursor(veld)
        try:
            return tuple(_uit_json(w, s.soort) for w, s in zip(waarden, self.sleutels, strict=True))
        except (ValueError, TypeError):
            raise _ongeldige_cursor(veld) from None

    def _rij(self, waarden: Sequence[Any]) -> tuple[Any, Any]:
        links = sa.tuple_(*(s.expressie for s in self.sleutels))
        rechts = sa.tuple_(*(_literal(w, s) for w, s in zip(waarden, self.sleutels, strict=True)))
        return links, rechts

    def na(self, waarden: Sequence[Any], ook_gelijk: bool = False) -> sa.ColumnElement[bool]:
        """Rijen die in deze volgorde na de sleutel komen (met ``ook_gelijk``: of erop vallen)."""
        links, rechts = self._rij(waarden)
        if self.richting is Richting.OPLOPEND:
            return links >= rechts if ook_gelijk else links > rechts
        return links <= rechts if ook_gelijk else links < rechts

    def voor(self, waarden: Sequence[Any], ook_gelijk: bool = False) -> sa.ColumnElement[bool]:
        links, rechts = self._rij(waarden)
        if self.richting is Richting.OPLOPEND:
            return links <= rechts if ook_gelijk else links < rechts
        return links >= rechts if ook_gelijk else links > rechts

    def sortering(self, omgekeerd: bool) -> list[Any]:
        aflopend = (self.richting is Richting.AFLOPEND) != omgekeerd
        return [s.expressie.desc() if aflopend else s.expressie.asc() for s in self.sleutels]


_VOLGORDENAAM = re.compile(r"^[a-z_]+\.(oplopend|aflopend)$")


def _is_volgordenaam(waarde: object) -> bool:
    return isinstance(waarde, str) and _VOLGORDENAAM.match(waarde) is not None


def _ongeldige_cursor(veld: str) -> OngeldigeInvoer:
    return OngeldigeInvoer(
        f"Deze cursor is ongeldig; gebruik een startCursor, endCursor of cursor uit een eerder antwoord ('{veld}').",
        veld=veld,
    )


def _naar_json(waarde: Any) -> Any:
    return waarde.isoformat() if isinstance(waarde, datetime) else waarde


def _uit_json(waarde: Any, soort: type) -> Any:
    # A forged cursor is input like any other: no NUL for PostgreSQL, no moment outside its range, no huge int.
    if soort is datetime:
        moment = datetime.fromisoformat(waarde)
        if not VROEGSTE_DATUM <= moment.date() <= LAATSTE_DATUM:
            raise ValueError(waarde)
        return moment
    if soort is int:
        if type(waarde) is not int or not -1_000_000 <= waarde <= 1_000_000:
            raise ValueError(waarde)
        return waarde
    if not isinstance(waarde, str) or len(waarde) > 200 or bevat_ongeldig_teken(waarde):
        raise ValueError(waarde)
    return waarde


def _literal(waarde: Any, sleutel: Sleutel) -> Any:
    if sleutel.soort is datetime:
        return sa.literal(waarde, sleutel.expressie.type)
    return sa.literal(waarde)


def controleer_aantal(aantal: int | None, veld: str) -> int:
    if aantal is None:
        return STANDAARD_FIRST
    if aantal < 0 or aantal > MAX_FIRST:
        raise OngeldigeInvoer(f"'{veld}' moet tussen 0 en {MAX_FIRST} liggen.", veld=veld)
    return aantal


@dataclass(frozen=True)
class Venster:
    """De gevraagde pagina: first/after of last/before (after en before mogen samen)."""

    first: int | None = None
    after: str | None = None
    last: int | None = None
    before: str | None = None


async def pagineer_volgens(
    conn: Any, basis: sa.Select[Any], volgorde: Volgorde, venster: Venster, maak: Callable[[Any], T]
) -> Pagina[T]:
    """Eén pagina van ``basis`` (al begrensd tot het bereik en gefilterd) in ``volgorde``.

    One query for the page (one row extra tells whether there is more in the paging direction). The
    other direction, per the Relay cursor spec, is asked only when the client selects it: with ``after``
    whether a row lies at or before that cursor, with ``before`` whether one lies at or after it. Every
    such question runs on ``basis``: within the scope and the filter, never over other rows.
    """
    if venster.first is not None and venster.last is not None:
        raise OngeldigeInvoer("Gebruik 'first' of 'last', niet allebei.", veld="last")
    achteruit = venster.last is not None
    aantal = controleer_aantal(venster.last if achteruit else venster.first, "last" if achteruit else "first")
    na = volgorde.lees(venster.after, "after") if venster.after else None
    voor = volgorde.lees(venster.before, "before") if venster.before else None
    query = basis
    if na is not None:
        query = query.where(volgorde.na(na))
    if voor is not None:
        query = query.where(volgorde.voor(voor))
    rijen = list((await conn.execute(query.order_by(*volgorde.sortering(achteruit)).limit(aantal + 1))).all())
    meer = len(rijen) > aantal
    rijen = rijen[:aantal]
    if achteruit:
        rijen.reverse()

    def bestaat(voorwaarde: sa.ColumnElement[bool]) -> Callable[[], Awaitable[bool]]:
        async def vraag() -> bool:
            return bool(await conn.scalar(sa.select(basis.where(voorwaarde).exists())))

        return vraag

    vorige: Vraag = meer if achteruit else (bestaat(volgorde.voor(na, ook_gelijk=True)) if na is not None else False)
    volgende: Vraag = (
        meer if not achteruit else (bestaat(volgorde.na(voor, ook_gelijk=True)) if voor is not None else False)
    )
    return Pagina([(volgorde.cursor(r), maak(r)) for r in rijen], heeft_volgende=volgende, heeft_vorige=vorige)
