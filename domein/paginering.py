"""Keyset-paginering op (aangemaakt_op, id), zodat cursors niets verraden over andermans rijen.

A cursor holds only the sort key of a row the user could already see; a forged cursor only moves
the window within the user's own scope. Global sequence numbers are never exposed.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

import sqlalchemy as sa

from domein.fouten import OngeldigeInvoer
from domein.waarden import LAATSTE_DATUM, VROEGSTE_DATUM, bevat_ongeldig_teken

MAX_FIRST = 100
STANDAARD_FIRST = 20

T = TypeVar("T")


@dataclass(frozen=True)
class Pagina(Generic[T]):
    items: list[tuple[str, T]]  # (cursor, item)
    heeft_volgende: bool


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
    except (ValueError, TypeError, json.JSONDecodeError):
        raise OngeldigeInvoer(
            "Deze cursor is ongeldig; gebruik een endCursor uit een eerder antwoord.", veld="after"
        ) from None


def controleer_first(first: int | None) -> int:
    if first is None:
        return STANDAARD_FIRST
    if first < 0 or first > MAX_FIRST:
        raise OngeldigeInvoer(f"'first' moet tussen 0 en {MAX_FIRST} liggen.", veld="first")
    return first


def pagineer(
    query: sa.Select[Any], tijd_kolom: Any, id_kolom: Any, first: int | None, after: str | None
) -> tuple[sa.Select[Any], int]:
    """Voegt volgorde, keyset-voorwaarde en limiet toe; vraagt één rij extra voor hasNextPage."""
    aantal = controleer_first(first)
    if after:
        tijd, id_ = lees_cursor(after)
        query = query.where(sa.tuple_(tijd_kolom, id_kolom) > sa.tuple_(sa.literal(tijd, tijd_kolom.type), id_))
    return query.order_by(tijd_kolom, id_kolom).limit(aantal + 1), aantal
